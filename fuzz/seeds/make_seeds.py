#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets into OUT/<target>/.

Sources: the sisimai-dev bounce emails of tests/fixtures, the replies of the working corpus
(tests/corpus/working, never the sealed part), exports written by `bouncelens generate`
(every layout), and a few small hand-made files of the shapes people send (quoted CSV,
semicolons, UTF-16, Latin-1, JSON arrays and objects). Zip, gzip and workbook seeds wrap
those exports. Usage: make_seeds.py REPO BOUNCELENS_BINARY OUT
"""
import gzip
import io
import json
import os
import subprocess
import sys
import zipfile

repo, binary, out = sys.argv[1], sys.argv[2], sys.argv[3]
LAYOUTS = ["generic", "mailchimp", "klaviyo", "hubspot", "activecampaign", "sendgrid", "mailgun",
           "mailgun-events", "ses", "postmark", "brevo", "campaignmonitor", "sfmc"]
count = {}


def put(target, data, name=None):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    n = count.get(target, 0)
    count[target] = n + 1
    with open(os.path.join(d, name or f"seed-{n:04d}"), "wb") as f:
        f.write(data)


def chunked(data, k=7):
    """Export targets read their first byte as the chunk size of the second pass."""
    return bytes([k]) + data


exports = {}
for i, layout in enumerate(LAYOUTS):
    text = subprocess.run([binary, "generate", "--layout", layout, "--rows", "25", "--campaigns", "2", "--seed", str(i + 1)],
                          check=True, capture_output=True).stdout
    exports[layout] = text

csvs = {k: v for k, v in exports.items() if k not in ("mailgun-events", "ses")}
jsonls = {k: v for k, v in exports.items() if k in ("mailgun-events", "ses")}

hand_csv = [
    b'email,reason,date\n"a@example.com","550 5.1.1 <a@example.com>: user unknown, ""quoted""",2024-01-02\nb@example.org,"421 4.7.0 try again\nlater",03.01.2024\n',
    b'E-Mail;Grund;Datum\na@example.de;550 5.1.1 Benutzer unbekannt;02.01.2024\nb@example.de;452 4.2.2 Postfach voll;03.01.2024\n',
    b'email\tstatus\tdiagnostic\na@example.com\t5.7.1\t554 5.7.1 blocked by spamhaus\n',
    "\ufeffemail,raison\nà@exemple.fr,550 utilisateur inconnu\n".encode("utf-16"),
    "email,raison\nbé@exemple.fr,550 5.1.1 adresse inconnue é\n".encode("latin-1"),
    b'email,event,reason\na@example.com,delivered,\nb@example.com,bounce,550 no such user\nc@example.com,open,\n',
    b'address\n\x00a@example.com\n',
]
for data in list(csvs.values()) + hand_csv:
    put("csv", chunked(data))

for data in jsonls.values():
    put("lines", chunked(data))
    rows = [json.loads(l) for l in data.decode().splitlines() if l.strip()]
    put("json", chunked(json.dumps(rows[:10]).encode()))
    put("json", chunked(json.dumps(rows[:5], indent=2).encode()))
    put("json", chunked(json.dumps({"items": rows[:5], "paging": {}}).encode()))
    put("json", chunked(data))
put("json", chunked(b'[{"email":"a@example.com","reason":"550 5.1.1 unknown","ts":1700000000},{"email":"b@x.org","bounce":{"code":"5.7.1","msg":"blocked"}}]'))
put("json", chunked(b'{"email":"a@example.com","error":"552 mailbox full"}'))

replies = []
for fn in sorted(os.listdir(os.path.join(repo, "tests/corpus/working"))):
    with open(os.path.join(repo, "tests/corpus/working", fn), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                replies.append(json.loads(line)["text"])
# Every fifth reply: varied enough, small enough.
sample = replies[::5]
for t in sample:
    put("classify", t.encode())
for i in range(0, len(sample), 8):
    put("paste", "\n".join(sample[i:i + 8]).encode())
for i in range(0, len(sample), 40):
    put("lines", chunked("\n".join(sample[i:i + 40]).encode()))

emls = sorted(f for f in os.listdir(os.path.join(repo, "tests/fixtures/sisimai-dev")) if f.endswith(".eml"))
mails = []
for fn in emls:
    with open(os.path.join(repo, "tests/fixtures/sisimai-dev", fn), "rb") as f:
        data = f.read()
    mails.append(data)
    put("email", data, fn)
    if len(data) < 20000:
        put("paste", data, fn)
mbox = b"".join(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2024\n" + m.rstrip(b"\n") + b"\n\n" for m in mails[:4])
put("email", mbox, "four.mbox")
put("paste", mbox, "four.mbox")


def zipped(entries, method=zipfile.ZIP_DEFLATED):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", method) as z:
        for name, data in entries:
            z.writestr(name, data)
    return b.getvalue()


first = list(csvs.items())
put("zip", zipped([("bounces.csv", first[0][1])]))
put("zip", zipped([("bounces.csv", first[1][1])], zipfile.ZIP_STORED))
put("zip", zipped([("a/", b""), ("a/cleaned.csv", first[1][1]), ("__MACOSX/a/._cleaned.csv", b"\x00\x05\x16\x07"), ("events.jsonl", jsonls["ses"])]))
put("zip", zipped([("inner.zip", zipped([("x.csv", first[2][1])])), ("y.csv.gz", gzip.compress(first[3][1]))]))
put("zip", zipped([("bounce.eml", mails[0]), ("notes.txt", b"550 5.1.1 user unknown\n")]))

put("gzip", gzip.compress(first[0][1]))
put("gzip", gzip.compress(jsonls["mailgun-events"]))
put("gzip", gzip.compress(first[4][1][: len(first[4][1]) // 2]) + gzip.compress(first[4][1][len(first[4][1]) // 2:]))
put("gzip", gzip.compress(zipped([("x.csv", first[5][1])])))
put("gzip", gzip.compress(hand_csv[3]))


def xlsx(rows, shared=True):
    strings = []
    def cell(r, c, v):
        ref = "ABCDEFGHIJ"[c] + str(r + 1)
        if isinstance(v, (int, float)):
            return f'<c r="{ref}"><v>{v}</v></c>'
        esc = str(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if shared:
            strings.append(esc)
            return f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{esc}</t></is></c>'
    body = "".join(f'<row r="{r + 1}">' + "".join(cell(r, c, v) for c, v in enumerate(row)) + "</row>" for r, row in enumerate(rows))
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>'
    sst = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>"
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
          '<sheets><sheet name="Bounces" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wbrels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
              '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    return zipped([("[Content_Types].xml", ct), ("_rels/.rels", rels), ("xl/workbook.xml", wb), ("xl/_rels/workbook.xml.rels", wbrels),
                   ("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", sst)])


def table(data):
    import csv
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


put("xlsx", xlsx(table(first[0][1])[:12]))
put("xlsx", xlsx(table(first[5][1])[:8], shared=False))
put("xlsx", xlsx([["Email", "Bounce reason", "Date"], ["a@example.com", "550 5.1.1 user unknown", 45292.5], ["b@example.com", "421 try later", 45293]]))
try:
    import xlwt  # the old .xls format (an OLE file)
    book = xlwt.Workbook()
    sh = book.add_sheet("Bounces")
    for r, row in enumerate(table(first[6][1])[:8]):
        for c, v in enumerate(row):
            sh.write(r, c, v)
    b = io.BytesIO()
    book.save(b)
    put("xlsx", b.getvalue())
except ImportError:
    print("xlwt missing: no .xls seed", file=sys.stderr)

print(" ".join(f"{k}={v}" for k, v in sorted(count.items())))
