//! Realistic test exports: the column layouts of the common email platforms, a mix of
//! recipient domains and provider replies (with the addresses, IPs and ids that make each
//! reply text unique), campaigns and dates, and addresses that bounce again and again.
//! Used by the tests, the benchmarks and `bouncelens generate`.

use std::io::{self, Write};

/// The export layouts the generator writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    Generic,
    MailchimpCleaned,
    Klaviyo,
    HubSpot,
    ActiveCampaign,
    SendGrid,
    MailgunBounces,
    MailgunEvents,
    SesNotifications,
    Postmark,
    Brevo,
    CampaignMonitor,
    Sfmc,
}

impl Layout {
    pub const ALL: [Layout; 13] = [
        Layout::Generic, Layout::MailchimpCleaned, Layout::Klaviyo, Layout::HubSpot, Layout::ActiveCampaign, Layout::SendGrid,
        Layout::MailgunBounces, Layout::MailgunEvents, Layout::SesNotifications, Layout::Postmark, Layout::Brevo,
        Layout::CampaignMonitor, Layout::Sfmc,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Layout::Generic => "generic",
            Layout::MailchimpCleaned => "mailchimp",
            Layout::Klaviyo => "klaviyo",
            Layout::HubSpot => "hubspot",
            Layout::ActiveCampaign => "activecampaign",
            Layout::SendGrid => "sendgrid",
            Layout::MailgunBounces => "mailgun",
            Layout::MailgunEvents => "mailgun-events",
            Layout::SesNotifications => "ses",
            Layout::Postmark => "postmark",
            Layout::Brevo => "brevo",
            Layout::CampaignMonitor => "campaignmonitor",
            Layout::Sfmc => "sfmc",
        }
    }
    pub fn from_name(n: &str) -> Option<Layout> {
        Layout::ALL.into_iter().find(|l| l.name() == n)
    }
    pub fn extension(self) -> &'static str {
        match self {
            Layout::MailgunEvents | Layout::SesNotifications => "jsonl",
            _ => "csv",
        }
    }
}

/// A small, fast, deterministic random generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, w)| *w).sum();
        let mut r = self.below(total as u64) as u32;
        for (t, w) in items {
            if r < *w {
                return t;
            }
            r -= w;
        }
        &items[0].0
    }
}

/// A kind of reply in the mix: its text template and what platforms call it.
struct Reply {
    /// `{addr}`, `{id}`, `{ip}` and `{host}` are filled per row.
    text: &'static str,
    /// Which domains give it: "gmail", "yahoo", "microsoft", "any".
    provider: &'static str,
    soft: bool,
    /// HubSpot-style category name for the event exports.
    hubspot: &'static str,
}

const REPLIES: &[(Reply, u32)] = &[
    (Reply { text: "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. Learn more at https://support.google.com/mail/?p=NoSuchUser {id} - gsmtp", provider: "gmail", soft: false, hubspot: "UNKNOWN_USER" }, 30),
    (Reply { text: "550 5.1.1 <{addr}>: Recipient address rejected: User unknown in virtual mailbox table", provider: "any", soft: false, hubspot: "UNKNOWN_USER" }, 30),
    (Reply { text: "550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302) [{host}.eop-nam11.prod.protection.outlook.com]", provider: "microsoft", soft: false, hubspot: "UNKNOWN_USER" }, 14),
    (Reply { text: "554 delivery error: dd This user doesn't have a yahoo.com account ({addr}) [0] - mta{n}.mail.gq1.yahoo.com", provider: "yahoo", soft: false, hubspot: "UNKNOWN_USER" }, 8),
    (Reply { text: "550 5.1.2 Host or domain name not found. Name service error for name={domain} type=A: Host not found", provider: "any", soft: false, hubspot: "DNS_FAILURE" }, 4),
    (Reply { text: "550 5.2.1 The email account that you tried to reach is disabled. {id} - gsmtp", provider: "gmail", soft: false, hubspot: "MAILBOX_MISCONFIGURATION" }, 3),
    (Reply { text: "452-4.2.2 The recipient's inbox is out of storage space. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp {id} - gsmtp", provider: "gmail", soft: true, hubspot: "MAILBOX_FULL" }, 6),
    (Reply { text: "552 5.2.2 <{addr}>: Recipient address rejected: Mailbox full", provider: "any", soft: true, hubspot: "MAILBOX_FULL" }, 4),
    (Reply { text: "421-4.7.28 [{ip} 15] Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. {id} - gsmtp", provider: "gmail", soft: true, hubspot: "THROTTLED" }, 5),
    (Reply { text: "421 4.7.0 [TSS04] Messages from {ip} temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes", provider: "yahoo", soft: true, hubspot: "THROTTLED" }, 4),
    (Reply { text: "451 4.7.500 Access denied, please try again later. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653. AS(1280) [{host}.eop-nam11.prod.protection.outlook.com]", provider: "microsoft", soft: true, hubspot: "THROTTLED" }, 3),
    (Reply { text: "550-5.7.26 Unauthenticated email from example-shop.com is not accepted due to domain's DMARC policy. Please contact the administrator of example-shop.com domain if this was a legitimate mail. {id} - gsmtp", provider: "gmail", soft: false, hubspot: "DMARC" }, 2),
    (Reply { text: "554 5.7.1 Service unavailable; Client host [{ip}] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/{ip}", provider: "any", soft: false, hubspot: "IP_REPUTATION" }, 2),
    (Reply { text: "550 5.7.1 Message content rejected, UBE, id={id}", provider: "any", soft: false, hubspot: "CONTENT" }, 2),
    (Reply { text: "451 4.7.1 <{addr}>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/{domain}.html", provider: "any", soft: true, hubspot: "GREYLISTING" }, 3),
    (Reply { text: "556 5.1.10 <{addr}>: Recipient address has null MX", provider: "any", soft: false, hubspot: "DNS_FAILURE" }, 1),
    (Reply { text: "550 5.7.606 Access denied, banned sending IP [{ip}]. To request removal from this list please visit https://sender.office.com/ and follow the directions. [{host}.eop-EUR03.prod.protection.outlook.com]", provider: "microsoft", soft: false, hubspot: "IP_REPUTATION" }, 1),
    (Reply { text: "421 4.4.1 Connection timed out", provider: "any", soft: true, hubspot: "TIMEOUT" }, 2),
];

const BIG: &[(&str, u32)] = &[("gmail.com", 35), ("yahoo.com", 10), ("hotmail.com", 8), ("outlook.com", 7), ("aol.com", 3), ("icloud.com", 4), ("*", 33)];

fn provider_of(domain: &str) -> &'static str {
    match domain {
        "gmail.com" => "gmail",
        "yahoo.com" | "aol.com" => "yahoo",
        "hotmail.com" | "outlook.com" => "microsoft",
        _ => "other",
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct Spec {
    pub layout: Layout,
    pub rows: usize,
    pub seed: u64,
    pub campaigns: usize,
}

impl Default for Spec {
    fn default() -> Self {
        Spec { layout: Layout::Generic, rows: 1000, seed: 1, campaigns: 6 }
    }
}

struct RowData {
    addr: String,
    text: String,
    soft: bool,
    hubspot: &'static str,
    campaign: usize,
    day: u32,
    complaint: bool,
}

fn fill(template: &str, addr: &str, domain: &str, rng: &mut Rng) -> String {
    let mut s = template.replace("{addr}", addr).replace("{domain}", domain);
    if s.contains("{ip}") {
        let ip = format!("198.51.100.{}", 1 + rng.below(4));
        s = s.replace("{ip}", &ip);
    }
    if s.contains("{id}") {
        let id = format!("{:x}{}si{}.{}", rng.below(1 << 40), (b'a' + rng.below(26) as u8) as char, rng.below(1_000_000_000), rng.below(100));
        s = s.replace("{id}", &id);
    }
    if s.contains("{host}") {
        let host = format!("DM{}NAM{}FT{:03}", 1 + rng.below(9), 10 + rng.below(3), rng.below(60));
        s = s.replace("{host}", &host);
    }
    if s.contains("{n}") {
        s = s.replace("{n}", &(1000 + rng.below(9000)).to_string());
    }
    s
}

fn row(spec: &Spec, i: usize, rng: &mut Rng, repeaters: &[(String, String)]) -> RowData {
    // One row in 25 is an address that bounces softly again and again (3+ campaigns).
    let (addr, domain, forced_soft) = if !repeaters.is_empty() && rng.below(25) == 0 {
        let (a, d) = &repeaters[rng.below(repeaters.len() as u64) as usize];
        (a.clone(), d.clone(), true)
    } else {
        let d = *rng.pick(BIG);
        let domain = if d == "*" { format!("company{}.example", rng.below(5000)) } else { d.to_string() };
        (format!("user{}.{}@{}", i, rng.below(1000), domain), domain, false)
    };
    let prov = provider_of(&domain);
    let mut reply;
    loop {
        reply = rng.pick(REPLIES);
        let fits = reply.provider == "any" || reply.provider == prov;
        if fits && (!forced_soft || reply.soft) {
            break;
        }
    }
    let text = fill(reply.text, &addr, &domain, rng);
    let campaign = rng.below(spec.campaigns.max(1) as u64) as usize;
    RowData { addr, text, soft: reply.soft, hubspot: reply.hubspot, campaign, day: campaign as u32 * 7 + rng.below(2) as u32, complaint: rng.below(400) == 0 }
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

fn date(day: u32, i: usize) -> String {
    let month = 1 + (day / 28) % 12;
    let d = 1 + day % 28;
    format!("2026-{month:02}-{d:02}T{:02}:{:02}:{:02}Z", (i / 3600) % 24, (i / 60) % 60, i % 60)
}

fn code_of(text: &str) -> (String, String) {
    let c = crate::smtp::code::find_codes(text);
    (c.reply.map(|r| r.0.to_string()).unwrap_or_default(), c.enhanced.map(|e| e.0.to_string()).unwrap_or_default())
}

/// Writes a generated export.
pub fn write<W: Write>(spec: &Spec, w: &mut W) -> io::Result<()> {
    let mut rng = Rng::new(spec.seed);
    let repeaters: Vec<(String, String)> = (0..(spec.rows / 200).max(3)).map(|i| {
        let d = if i % 2 == 0 { "gmail.com" } else { "company7.example" };
        (format!("again{i}@{d}"), d.to_string())
    }).collect();
    let campaign = |c: usize| format!("Newsletter {:02}", c + 1);
    match spec.layout {
        Layout::Generic => writeln!(w, "email,reason,date,campaign")?,
        Layout::MailchimpCleaned => writeln!(w, "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,CLEAN_TIME,CLEAN_CAMPAIGN_TITLE,CLEAN_CAMPAIGN_ID,LEID,EUID")?,
        Layout::Klaviyo => writeln!(w, "Email,Bounce Type,Bounce Reason,Campaign Name,Event Date")?,
        Layout::HubSpot => writeln!(w, "recipient,type,category,response,status,emailCampaignId,created")?,
        Layout::ActiveCampaign => writeln!(w, "Email,Campaign,Bounce Type,Bounce Code,Bounce Description,Date")?,
        Layout::SendGrid => writeln!(w, "email,created,reason,status")?,
        Layout::MailgunBounces => writeln!(w, "address,code,error,created_at")?,
        Layout::Postmark => writeln!(w, "ID,Type,TypeCode,Name,Tag,MessageID,Email,From,BouncedAt,Details,Description,Inactive,CanActivate,Subject")?,
        Layout::Brevo => writeln!(w, "email,event,reason,date,subject,tag")?,
        Layout::CampaignMonitor => writeln!(w, "Email,Name,Bounce Type,Bounce Reason,Date,Campaign")?,
        Layout::Sfmc => writeln!(w, "ClientID,SendID,SubscriberKey,EmailAddress,EventDate,EventType,BounceCategory,BounceSubcategory,BounceType,SMTPBounceReason,SMTPCode")?,
        Layout::MailgunEvents | Layout::SesNotifications => {}
    }
    for i in 0..spec.rows {
        let r = row(spec, i, &mut rng, &repeaters);
        let (code, status) = code_of(&r.text);
        let dt = date(r.day, i);
        let hard_soft = if r.soft { "soft" } else { "hard" };
        match spec.layout {
            Layout::Generic => writeln!(w, "{},{},{},{}", r.addr, csv_cell(&r.text), dt, csv_cell(&campaign(r.campaign)))?,
            Layout::MailchimpCleaned => writeln!(w, "{},Ann,Lee,2,2024-01-01 10:00:00,{},{},{:08x},{},{}", r.addr, &dt[..10], csv_cell(&campaign(r.campaign)), r.campaign, i, i)?,
            Layout::Klaviyo => writeln!(w, "{},{},{},{},{}", r.addr, if r.soft { "Soft Bounce" } else { "Hard Bounce" }, csv_cell(&r.text), csv_cell(&campaign(r.campaign)), dt)?,
            Layout::HubSpot => {
                let (t, cat) = if r.complaint { ("SPAMREPORT", "") } else if i % 10 == 9 { ("DELIVERED", "") } else { ("BOUNCE", r.hubspot) };
                writeln!(w, "{},{},{},{},{},{},{}", r.addr, t, cat, if t == "BOUNCE" { csv_cell(&r.text) } else { String::new() }, code, 1000 + r.campaign, dt)?
            }
            Layout::ActiveCampaign => writeln!(w, "{},{},{},{},{},{}", r.addr, csv_cell(&campaign(r.campaign)), hard_soft, status, csv_cell(&r.text), &dt[..10])?,
            Layout::SendGrid => writeln!(w, "{},{},{},{}", r.addr, 1_767_225_600 + r.day as u64 * 86_400 + (i % 86_400) as u64, csv_cell(&r.text), status)?,
            Layout::MailgunBounces => writeln!(w, "{},{},{},{}", r.addr, code, csv_cell(r.text.split_once(' ').map(|x| x.1).unwrap_or(&r.text)), dt)?,
            Layout::Postmark => writeln!(
                w,
                "{},{},{},{},{},{:08x}-0000,{},news@example-shop.com,{},{},{},true,true,{}",
                i,
                if r.soft { "SoftBounce" } else { "HardBounce" },
                if r.soft { 4096 } else { 1 },
                if r.soft { "Soft bounce" } else { "Hard bounce" },
                csv_cell(&campaign(r.campaign)),
                i,
                r.addr,
                dt,
                csv_cell(&format!("smtp;{}", r.text)),
                csv_cell("The server was unable to deliver your message (ex: unknown user, mailbox not found)."),
                csv_cell(&campaign(r.campaign))
            )?,
            Layout::Brevo => {
                let ev = if r.complaint { "spam" } else if i % 12 == 11 { "delivered" } else if r.soft { "soft_bounce" } else { "hard_bounce" };
                writeln!(w, "{},{},{},{},{},newsletter", r.addr, ev, if ev.ends_with("bounce") { csv_cell(&r.text) } else { String::new() }, &dt[..10], csv_cell(&campaign(r.campaign)))?
            }
            Layout::CampaignMonitor => writeln!(w, "{},Ann Lee,{},{},{},{}", r.addr, if r.soft { "Soft" } else { "Hard" }, csv_cell(&r.text), dt, csv_cell(&campaign(r.campaign)))?,
            Layout::Sfmc => writeln!(
                w,
                "1234,{},{},{},{},Bounce,{},{},{},{},{}",
                5000 + r.campaign,
                r.addr,
                r.addr,
                dt,
                if r.soft { "Soft bounce" } else { "Hard bounce" },
                if r.soft { "Mailbox Full" } else { "User Unknown" },
                if r.soft { "SoftBounce" } else { "HardBounce" },
                csv_cell(&r.text),
                code
            )?,
            Layout::MailgunEvents => {
                let ev = if i % 15 == 14 { "delivered" } else { "failed" };
                let severity = if r.soft { "temporary" } else { "permanent" };
                writeln!(
                    w,
                    "{{\"event\":\"{ev}\",\"timestamp\":{},\"recipient\":{},\"severity\":\"{severity}\",\"reason\":\"bounce\",\"delivery-status\":{{\"code\":{},\"message\":{},\"description\":\"\"}},\"message\":{{\"headers\":{{\"subject\":{}}}}}}}",
                    1_767_225_600 + r.day as usize * 86_400 + i % 86_400,
                    json_str(&r.addr),
                    if code.is_empty() { "0".to_string() } else { code.clone() },
                    json_str(&r.text),
                    json_str(&campaign(r.campaign))
                )?
            }
            Layout::SesNotifications => {
                let kind = if r.soft { "Transient" } else { "Permanent" };
                let inner = format!(
                    "{{\"notificationType\":\"Bounce\",\"bounce\":{{\"bounceType\":\"{kind}\",\"bounceSubType\":\"General\",\"bouncedRecipients\":[{{\"emailAddress\":{},\"action\":\"failed\",\"status\":\"{}\",\"diagnosticCode\":{}}}],\"timestamp\":\"{dt}\"}},\"mail\":{{\"timestamp\":\"{dt}\",\"messageId\":\"0100{i:012x}\",\"commonHeaders\":{{\"subject\":{}}}}}}}",
                    json_str(&r.addr),
                    status,
                    json_str(&format!("smtp; {}", r.text)),
                    json_str(&campaign(r.campaign))
                );
                writeln!(w, "{{\"Type\":\"Notification\",\"Message\":{}}}", json_str(&inner))?
            }
        }
    }
    Ok(())
}

/// A generated export in memory.
pub fn generate(spec: &Spec) -> Vec<u8> {
    let mut out = Vec::with_capacity(spec.rows * 200);
    write(spec, &mut out).expect("writing to memory");
    out
}
