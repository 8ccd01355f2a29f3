//! The report to share: one self-contained HTML page (inline CSS, inline SVG charts, no script,
//! no external resource) with the summary, the charts, the alerts and the actions, and, when a
//! history is given, the trend, the alerts across exports and what changed. It prints cleanly
//! to PDF (`@media print`).
//!
//! Private by default: without `include_addresses`, no address appears anywhere (evidence lines,
//! sample addresses and label examples are left out, and any address-like text left in a free
//! text is replaced by "[address]"). Every text is HTML-escaped.

use super::history::{percent, Insights, TrendPoint};
use super::report::{Count, Report};
use std::fmt::Write;

/// What the report holds.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ShareOptions {
    /// Show the addresses (evidence lines, sample addresses). Off by default.
    pub include_addresses: bool,
    /// The page's title; "Bounce report" when empty.
    #[serde(default)]
    pub title: Option<String>,
    /// When the report was made (the caller's clock), shown under the title.
    #[serde(default)]
    pub generated: Option<String>,
}

re!(address_like, r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+");

/// Escapes text for HTML (element content and quoted attributes).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

struct Page<'o> {
    out: String,
    opts: &'o ShareOptions,
}

impl Page<'_> {
    /// Text as it may appear: addresses hidden unless included, then escaped.
    fn t(&self, s: &str) -> String {
        if self.opts.include_addresses {
            escape(s)
        } else {
            escape(&address_like().replace_all(s, "[address]"))
        }
    }
    fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }
}

const CSS: &str = "
:root{--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--c1:#0969da;--c2:#bf8700;--c3:#cf222e;--c4:#8250df;--c5:#1a7f37;--c6:#57606a;--c7:#bc4c00;--c8:#0550ae}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--ink);background:var(--bg);max-width:960px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:16px;margin:16px 0 4px}
.muted{color:var(--muted)}.figures{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.figure{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:150px}.figure b{display:block;font-size:22px}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{text-align:left;border-bottom:1px solid var(--line);padding:4px 8px;vertical-align:top}th{font-weight:600}
td.n{text-align:right;white-space:nowrap}
.alert{border:1px solid var(--line);border-left:5px solid var(--c2);border-radius:4px;padding:8px 12px;margin:8px 0;page-break-inside:avoid}
.alert.critical{border-left-color:var(--c3)}.alert.info{border-left-color:var(--c1)}
.alert p{margin:4px 0}.alert ul{margin:4px 0;padding-left:20px;font-size:13px;color:var(--muted)}
svg{max-width:100%;height:auto}svg text{font:12px system-ui,sans-serif;fill:var(--ink)}
.s0{fill:var(--c1)}.s1{fill:var(--c2)}.s2{fill:var(--c3)}.s3{fill:var(--c4)}.s4{fill:var(--c5)}.s5{fill:var(--c6)}.s6{fill:var(--c7)}.s7{fill:var(--c8)}
.legend span{display:inline-block;margin-right:12px;font-size:13px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
.l0{background:var(--c1)}.l1{background:var(--c2)}.l2{background:var(--c3)}.l3{background:var(--c4)}.l4{background:var(--c5)}.l5{background:var(--c6)}.l6{background:var(--c7)}.l7{background:var(--c8)}
.change-up{color:var(--c3)}.change-down{color:var(--c5)}
footer{margin-top:32px;font-size:12px;color:var(--muted)}
@media print{body{padding:0;max-width:none;font-size:12px}h2{page-break-after:avoid}.figure,.alert,svg,table{page-break-inside:avoid}a{color:inherit;text-decoration:none}}
";

/// A horizontal bar chart of counts (the 8 largest; the rest together).
fn bars(p: &Page, title: &str, counts: &[Count]) -> String {
    let mut items: Vec<(String, u64, f64)> = counts.iter().take(8).map(|c| (c.label.clone(), c.count, c.share)).collect();
    if counts.len() > 8 {
        let rest: Vec<&Count> = counts.iter().skip(8).collect();
        items.push((format!("{} others", rest.len()), rest.iter().map(|c| c.count).sum(), rest.iter().map(|c| c.share).sum()));
    }
    if items.is_empty() {
        return String::new();
    }
    let (w, label_w, row) = (640.0, 230.0, 24.0);
    let max = items.iter().map(|i| i.2).fold(0.0f64, f64::max).max(1e-9);
    let h = row * items.len() as f64 + 4.0;
    let mut s = format!("<h3>{}</h3><svg role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\">", p.t(title), p.t(title));
    for (i, (label, n, share)) in items.iter().enumerate() {
        let y = i as f64 * row + 2.0;
        let bw = ((w - label_w - 110.0) * share / max).max(1.0);
        let label: String = label.chars().take(34).collect();
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{:.1}\">{}</text><rect class=\"s{}\" x=\"{label_w}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{:.1}\"/><text x=\"{:.1}\" y=\"{:.1}\">{} ({})</text>",
            y + 15.0,
            p.t(&label),
            i % 8,
            row - 6.0,
            label_w + bw + 6.0,
            y + 15.0,
            n,
            escape(&percent(*share))
        );
    }
    s.push_str("</svg>");
    s
}

/// Stacked columns: each point's shares of bounce types.
fn trend_chart(p: &Page, points: &[TrendPoint]) -> String {
    let points: Vec<&TrendPoint> = points.iter().rev().take(24).collect::<Vec<_>>().into_iter().rev().collect();
    if points.len() < 2 {
        return String::new();
    }
    // The types, in the order of their total.
    let mut types: Vec<(String, String, u64)> = vec![];
    for pt in &points {
        for c in &pt.by_type {
            match types.iter_mut().find(|t| t.0 == c.id) {
                Some(t) => t.2 += c.count,
                None => types.push((c.id.clone(), c.label.clone(), c.count)),
            }
        }
    }
    types.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    types.truncate(8);
    let (w, h, top, bottom, left) = (640.0, 260.0, 10.0, 70.0, 40.0);
    let col = (w - left - 40.0) / points.len() as f64;
    let plot = h - top - bottom;
    let mut s = format!("<h3>Bounce types per campaign or date</h3><svg role=\"img\" aria-label=\"Bounce types per campaign or date\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\">");
    for pct in [0.0, 0.5, 1.0] {
        let y = top + plot * (1.0 - pct);
        let _ = write!(s, "<text x=\"0\" y=\"{:.1}\">{}</text><rect x=\"{left}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"0.5\" class=\"s5\"/>", y + 4.0, escape(&percent(pct)), w - left);
    }
    for (i, pt) in points.iter().enumerate() {
        let x = left + i as f64 * col + col * 0.15;
        let mut y = top + plot;
        for (ti, t) in types.iter().enumerate() {
            let share = pt.by_type.iter().find(|c| c.id == t.0).map(|c| c.share).unwrap_or(0.0);
            let bh = plot * share;
            if bh > 0.0 {
                y -= bh;
                let _ = write!(s, "<rect class=\"s{ti}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{bh:.1}\"><title>{}: {} ({})</title></rect>", col * 0.7, p.t(&pt.label), p.t(&t.1), escape(&percent(share)));
            }
        }
        let label: String = pt.label.chars().take(14).collect();
        let lx = x + col * 0.35;
        let ly = top + plot + 12.0;
        let _ = write!(s, "<text x=\"{lx:.1}\" y=\"{ly:.1}\" transform=\"rotate(35 {lx:.1} {ly:.1})\">{}</text>", p.t(&label));
    }
    s.push_str("</svg><p class=\"legend\">");
    for (ti, t) in types.iter().enumerate() {
        let _ = write!(s, "<span><i class=\"l{ti}\"></i>{}</span>", p.t(&t.1));
    }
    s.push_str("</p>");
    s
}

/// A line of the bounce rate per export, where the number sent was given.
fn rate_chart(p: &Page, points: &[TrendPoint]) -> String {
    let pts: Vec<(&TrendPoint, f64)> = points.iter().filter_map(|t| t.bounce_rate.map(|r| (t, r))).collect();
    if pts.len() < 2 {
        return String::new();
    }
    let (w, h, top, bottom, left) = (640.0, 200.0, 10.0, 40.0, 48.0);
    let max = pts.iter().map(|(_, r)| *r).fold(0.0f64, f64::max).max(0.001) * 1.15;
    let plot = h - top - bottom;
    let step = (w - left - 20.0) / (pts.len() - 1) as f64;
    let mut s = format!("<h3>Bounce rate per export</h3><svg role=\"img\" aria-label=\"Bounce rate per export\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\">");
    let _ = write!(s, "<text x=\"0\" y=\"{:.1}\">{}</text><text x=\"0\" y=\"{:.1}\">0 %</text>", top + 4.0, escape(&percent(max)), top + plot + 4.0);
    let coords: Vec<(f64, f64)> = pts.iter().enumerate().map(|(i, (_, r))| (left + i as f64 * step, top + plot * (1.0 - r / max))).collect();
    let line: Vec<String> = coords.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
    let _ = write!(s, "<polyline points=\"{}\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\"/>", line.join(" "));
    for ((x, y), (pt, r)) in coords.iter().zip(&pts) {
        let _ = write!(s, "<circle class=\"s0\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\"><title>{}: {}</title></circle>", p.t(&pt.label), escape(&percent(*r)));
        let label: String = pt.date.clone().unwrap_or_else(|| pt.label.chars().take(12).collect());
        let _ = write!(s, "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>", x - 24.0, top + plot + 18.0, p.t(&label));
    }
    s.push_str("</svg>");
    s
}

fn alert_html(p: &Page, a: &super::alerts::Alert) -> String {
    let class = match a.severity.to_string().as_str() {
        "critical" => "critical",
        "info" => "info",
        _ => "warning",
    };
    let mut s = format!("<div class=\"alert {class}\"><b>{}</b><p>{}</p><p><b>What to do:</b> {}</p>", p.t(&a.title), p.t(&a.detail), p.t(&a.what_to_do));
    if p.opts.include_addresses && !a.evidence.is_empty() {
        s.push_str("<ul>");
        for e in a.evidence.iter().take(5) {
            let _ = write!(s, "<li>{}</li>", escape(e));
        }
        s.push_str("</ul>");
    }
    s.push_str("</div>");
    s
}

/// The report as one HTML page.
pub fn html_report(report: &Report, insights: Option<&Insights>, opts: &ShareOptions) -> String {
    let mut p = Page { out: String::with_capacity(32 * 1024), opts };
    let title = opts.title.clone().filter(|t| !t.trim().is_empty()).unwrap_or_else(|| "Bounce report".into());
    let head = format!("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{CSS}</style></head><body>", p.t(&title));
    p.push(&head);
    let h1 = format!("<h1>{}</h1>", p.t(&title));
    p.push(&h1);
    let files: Vec<String> = report.files.iter().map(|f| f.name.clone()).collect();
    let mut sub = format!("{} · made with bouncelens, on this computer", files.join(", "));
    if let Some(g) = &opts.generated {
        sub = format!("{g} · {sub}");
    }
    let sub = format!("<p class=\"muted\">{}</p>", p.t(&sub));
    p.push(&sub);

    // The figures.
    let mut figs = String::from("<div class=\"figures\">");
    let mut fig = |label: &str, value: String| {
        let _ = write!(figs, "<div class=\"figure\"><b>{}</b>{}</div>", escape(&value), escape(label));
    };
    fig("rows analysed", report.analysed.to_string());
    fig("distinct addresses", report.unique_addresses.to_string());
    fig("distinct replies", report.distinct_replies.to_string());
    if report.bad_rows > 0 {
        fig("rows not analysed", report.bad_rows.to_string());
    }
    if let Some(r) = &report.rates {
        fig("messages sent", r.sent.to_string());
        fig("bounce rate", percent(r.bounce_rate));
        fig("hard bounce rate", percent(r.hard_bounce_rate));
    }
    figs.push_str("</div>");
    p.push(&figs);
    if let Some(r) = &report.rates {
        let mut s = String::from("<ul>");
        for v in &r.verdicts {
            let _ = write!(s, "<li>{}</li>", p.t(v));
        }
        s.push_str("</ul>");
        p.push(&s);
    }

    // Alerts and actions first: they are what the reader must act on.
    p.push("<h2>Alerts</h2>");
    if report.alerts.is_empty() {
        p.push("<p class=\"muted\">No pattern across the rows needs attention.</p>");
    }
    for a in &report.alerts {
        let s = alert_html(&p, a);
        p.push(&s);
    }
    if let Some(i) = insights {
        if i.exports.len() > 1 || !i.alerts.is_empty() {
            let s = format!("<h2>Across {} exports</h2>", i.exports.len());
            p.push(&s);
            if i.alerts.is_empty() {
                p.push("<p class=\"muted\">No pattern across the exports needs attention.</p>");
            }
            for a in &i.alerts {
                let s = alert_html(&p, a);
                p.push(&s);
            }
            if !i.changes.is_empty() {
                p.push("<h3>What changed in this export</h3><ul>");
                for c in i.changes.iter().take(12) {
                    let class = if c.after > c.before { "change-up" } else { "change-down" };
                    let s = format!("<li class=\"{class}\">{}</li>", p.t(&c.text));
                    p.push(&s);
                }
                p.push("</ul>");
            } else if i.exports.len() > 1 {
                p.push("<p class=\"muted\">No share changed significantly against the earlier exports.</p>");
            }
        }
    }

    p.push("<h2>What to do</h2><table><tr><th>Action</th><th class=\"n\">Rows</th><th class=\"n\">Addresses</th><th>Why</th></tr>");
    for a in &report.actions {
        let mut why = p.t(&a.why);
        if opts.include_addresses && !a.sample_addresses.is_empty() {
            let _ = write!(why, "<br><span class=\"muted\">{}</span>", escape(&a.sample_addresses.iter().take(10).cloned().collect::<Vec<_>>().join(", ")));
        }
        let s = format!("<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{why}</td></tr>", p.t(&a.label), a.rows, a.addresses);
        p.push(&s);
    }
    p.push("</table>");

    p.push("<h2>Shares</h2>");
    for (title, counts) in [("By cause", &report.by_category), ("By type", &report.by_bounce_type), ("By provider", &report.by_provider)] {
        let s = bars(&p, title, counts);
        p.push(&s);
    }
    if !report.by_campaign.is_empty() {
        let s = bars(&p, "By campaign", &report.by_campaign);
        p.push(&s);
    }
    if let Some(i) = insights {
        let t = trend_chart(&p, &i.trend);
        let r = rate_chart(&p, &i.export_trend);
        if !t.is_empty() || !r.is_empty() {
            p.push("<h2>Trend</h2>");
            p.push(&t);
            p.push(&r);
        }
    }

    p.push("<h2>Files</h2><table><tr><th>File</th><th>Format</th><th class=\"n\">Rows</th><th class=\"n\">Analysed</th><th class=\"n\">Not analysed</th></tr>");
    for f in &report.files {
        let s = format!(
            "<tr><td>{}{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            p.t(&f.name),
            f.layout.as_deref().map(|l| format!("<br><span class=\"muted\">{}</span>", p.t(l))).unwrap_or_default(),
            p.t(&f.format_label),
            f.rows,
            f.analysed,
            f.bad_rows
        );
        p.push(&s);
    }
    p.push("</table>");
    if report.label_disagreements > 0 {
        let s = format!("<p>{} rows carry a platform label that says something else than bouncelens's reading.</p>", report.label_disagreements);
        p.push(&s);
        if opts.include_addresses {
            p.push("<ul>");
            for e in &report.label_disagreement_examples {
                let s = format!("<li>{}</li>", escape(e));
                p.push(&s);
            }
            p.push("</ul>");
        }
    }
    let foot = format!(
        "<footer>{} This page holds no script and loads nothing: it was written on the computer that analysed the files.</footer></body></html>",
        if opts.include_addresses { "This report includes email addresses: share it only with people allowed to see them." } else { "This report holds no email address." }
    );
    p.push(&foot);
    p.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::generate::{generate, Layout, Spec};
    use crate::batch::history::{ExportSummary, History};
    use crate::batch::{feed_reader, Options, Session};

    fn session(bytes: &[u8], name: &str) -> Session {
        let mut s = Session::new(Options { sent: Some(100_000), mapping: None });
        feed_reader(&mut s, name, bytes, 65536).unwrap();
        s
    }

    #[test]
    fn no_address_unless_asked_and_nothing_external() {
        let bytes = generate(&Spec { layout: Layout::Generic, rows: 3000, seed: 3, campaigns: 4 });
        let s = session(&bytes, "export <b>&\"x\".csv");
        let s2 = session(&generate(&Spec { layout: Layout::Generic, rows: 2000, seed: 4, campaigns: 4 }), "next.csv");
        let h = History::new(vec![ExportSummary::from_session(&s2, "2026-01-01"), ExportSummary::from_session(&s, "2026-02-01")]);
        let insights = h.insights();
        let html = html_report(&s.report(), Some(&insights), &ShareOptions { include_addresses: false, title: None, generated: Some("2026-02-01".into()) });
        assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>"));
        let addresses: Vec<&str> = (1..s.addresses.len() as u32).map(|i| s.addresses.get(i)).collect();
        assert!(addresses.len() > 100);
        for a in &addresses {
            assert!(!html.contains(a), "{a} is in the report");
        }
        assert!(!html.contains('@') || !address_like().is_match(&html), "an address-like text is left");
        for external in ["http", "src=", "href=", "url(", "@import", "<script", "<link"] {
            assert!(!html.contains(external), "{external} in the report");
        }
        // Escaped: the file name's markup is text.
        assert!(html.contains("export &lt;b&gt;&amp;&quot;x&quot;.csv"), "file name not escaped");
        assert!(!html.contains("<b>&"));
        assert!(html.contains("@media print") && html.contains("<svg"));
        assert!(html.contains("Bounce types per campaign or date"), "the trend of the history");
        assert!(html.contains("This report holds no email address."));

        let with = html_report(&s.report(), Some(&insights), &ShareOptions { include_addresses: true, ..Default::default() });
        assert!(addresses.iter().any(|a| with.contains(a)), "addresses when asked");
        assert!(with.contains("share it only with people allowed"));
    }

    #[test]
    fn escapes_and_hides_addresses_in_free_text() {
        assert_eq!(escape("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
        let opts = ShareOptions::default();
        let p = Page { out: String::new(), opts: &opts };
        assert_eq!(p.t("mail to ann.lee+x@mail.example.com failed"), "mail to [address] failed");
        let csv = "email,reason,campaign\nsecret.person@example.org,\"550 5.1.1 <secret.person@example.org>: user unknown\",Offer for secret.person@example.org\n";
        let s = session(csv.as_bytes(), "x.csv");
        let html = html_report(&s.report(), None, &ShareOptions { title: Some("Q1 <report>".into()), ..Default::default() });
        assert!(!html.contains("secret.person"), "{html}");
        assert!(html.contains("<title>Q1 &lt;report&gt;</title>"));
    }
}
