//! The verdicts the source guides give for their example codes and replies (or, where a
//! provider's documentation differs, the provider's), the noise forms people paste, and every
//! example of every rule in the knowledge base.

use super::*;
use regex::bytes::RegexSetBuilder;
use crate::knowledge::Knowledge;
use crate::model::{Action, BounceType, Category as C, Class, Confidence, Owner};

fn v(text: &str) -> Verdict {
    classify(text)
}

#[track_caller]
fn check(text: &str, category: C, action: Action) {
    let got = v(text);
    assert_eq!((got.category, got.action), (category, action), "{text:?} -> {got:#?}");
}

#[test]
fn every_rule_example_is_decided_by_its_rule() {
    let k = Knowledge::get();
    let mut failures = vec![];
    for r in &k.rules {
        assert!(!r.examples.is_empty(), "rule {} has no example", r.id);
        for ex in &r.examples {
            let got = v(ex);
            if got.category != r.category {
                failures.push(format!("{}: {:?} -> {} (decided by {:?})", r.id, ex, got.category, got.decided_by));
            }
        }
    }
    assert!(failures.is_empty(), "{} examples misclassified:\n{}", failures.len(), failures.join("\n"));
}

// --- Basic codes: the guides' quick reference ----------------------------------------------

#[test]
fn success_codes_are_delivered() {
    for c in ["211", "214", "220", "221", "235", "250", "250 2.0.0 OK", "250 2.1.5 Recipient OK", "354 Start mail input"] {
        let got = v(c);
        assert_eq!((got.bounce_type, got.category, got.action), (BounceType::Delivered, C::Accepted, Action::None), "{c}");
        assert_eq!(got.class, Class::Success);
    }
    // 251 forwarded and 252 catch-all: delivered, but monitor.
    assert_eq!(v("251 User not local; will forward").action, Action::Monitor);
    assert_eq!(v("252 Cannot VRFY user, but will accept message").action, Action::Monitor);
}

#[test]
fn temporary_codes_are_retried() {
    check("421 Service not available", C::RateLimited, Action::RetrySlower);
    check("422 Mailbox full", C::MailboxFull, Action::Retry);
    check("431 Insufficient storage", C::RecipientServer, Action::Retry);
    check("441 Connection timeout", C::Network, Action::Retry);
    check("442 Connection dropped", C::Network, Action::Retry);
    check("447 Timeout", C::Network, Action::Retry);
    check("450 Mailbox unavailable", C::MailboxUnavailable, Action::Retry);
    check("451 Local error in processing", C::RecipientServer, Action::Retry);
    check("452 Insufficient system storage", C::RecipientServer, Action::Retry);
    check("454 TLS not available", C::Tls, Action::FixTls);
    // 471: the guide says review the content before retrying.
    check("471 Delivery not authorized", C::ContentRejected, Action::ReviewContent);
    for c in ["421", "422", "450", "451", "452"] {
        assert_eq!(v(c).class, Class::Temporary, "{c}");
        assert_eq!(v(c).bounce_type, BounceType::Soft, "{c}");
    }
    assert_eq!(v("422").escalation.as_deref().map(|e| e.contains('3')), Some(true));
    assert!(v("421").escalation.unwrap().contains('5'), "421: check reputation if it persists across 5+ campaigns");
}

#[test]
fn sender_side_codes_are_not_suppressed() {
    for c in ["500", "501", "502", "503", "504", "555"] {
        let got = v(c);
        assert_eq!((got.bounce_type, got.category, got.action, got.owner), (BounceType::Technical, C::SenderConfig, Action::FixSenderConfig, Owner::SenderConfiguration), "{c}");
    }
    check("530 5.7.0 Authentication required", C::SenderConfig, Action::FixSenderConfig);
}

#[test]
fn permanent_codes_of_the_guides() {
    check("550 5.1.1", C::InvalidRecipient, Action::Suppress);
    check("550 5.1.2", C::InvalidDomain, Action::Suppress);
    check("550 5.1.0 Address rejected", C::InvalidRecipient, Action::Suppress);
    check("550 5.2.1", C::MailboxDisabled, Action::Suppress);
    check("550 5.7.26", C::Authentication, Action::FixAuthentication);
    check("551 5.1.6 User has moved", C::MailboxMoved, Action::Suppress);
    check("551", C::MailboxMoved, Action::Suppress);
    // 552: retry once, then suppress (the escalation says so).
    let got = v("552 5.2.2 Mailbox full / exceeded quota");
    assert_eq!((got.category, got.action), (C::MailboxFull, Action::Retry));
    check("552", C::MailboxFull, Action::Retry);
    assert!(v("552").escalation.unwrap().to_lowercase().contains("suppress"));
    check("553 5.1.3 Invalid address syntax", C::InvalidAddressSyntax, Action::Suppress);
    check("553", C::InvalidAddressSyntax, Action::Suppress);
    check("556", C::DomainRejectsMail, Action::SuppressDomain);
    check("521 5.2.1 Server does not accept mail", C::DomainRejectsMail, Action::SuppressDomain);
    for c in ["550 5.1.1", "550 5.2.1", "553 5.1.3", "556"] {
        assert_eq!(v(c).bounce_type, BounceType::Hard, "{c}");
        assert_eq!(v(c).owner, Owner::ListQuality, "{c}");
    }
    // 550 5.7.1 and a bare 554: a policy block, not a list problem (taxonomy: investigate).
    let got = v("550 5.7.1 Policy rejection");
    assert_eq!((got.category, got.bounce_type, got.owner), (C::Policy, BounceType::Block, Owner::SenderInfrastructure));
    let got = v("554 5.7.1 Message rejected due to policy.");
    assert_eq!((got.category, got.action), (C::Policy, Action::Investigate));
    check("554 Transaction failed", C::Policy, Action::Investigate);
}

#[test]
fn guide_reply_examples() {
    // The guides' example lines, with their wording.
    check("421 4.7.0 Temporarily deferred. Try again later.", C::RateLimited, Action::RetrySlower);
    check("450 4.2.2 Mailbox full.", C::MailboxFull, Action::Retry);
    check("550 5.1.1 User unknown.", C::InvalidRecipient, Action::Suppress);
    check("550 5.7.1 SPF or DKIM authentication failed.", C::Authentication, Action::FixAuthentication);
    check("550 5.7.0 Authentication failure", C::Authentication, Action::FixAuthentication);
    check("550 5.7.26 DMARC policy rejection", C::Authentication, Action::FixAuthentication);
    check("550 5.7.1 Message rejected as spam", C::ContentRejected, Action::ReviewContent);
    check("554 5.7.1 Sending IP/domain blacklisted", C::Blocklisted, Action::RequestDelisting);
    // The guide: "450 4.1.1 Mailbox temporarily unavailable: server-side issue, usually resolves on retry".
    check("450 4.1.1 Mailbox temporarily unavailable", C::MailboxUnavailable, Action::Retry);
    check("451 4.3.0 Server temporarily unavailable", C::RecipientServer, Action::Retry);
    check("452 4.2.2 Mailbox full / over quota", C::MailboxFull, Action::Retry);
    check("421 4.7.28 Rate limit per IP", C::RateLimited, Action::RetrySlower);
    check("450 4.2.1 Mailbox busy or temporarily unavailable", C::MailboxUnavailable, Action::Retry);
    check("554 No valid recipients", C::Policy, Action::Investigate);
    check("554 IP blacklisted", C::Blocklisted, Action::RequestDelisting);
    check("554 SPF check failed", C::Authentication, Action::FixAuthentication);
    check("554 Message rejected as spam", C::ContentRejected, Action::ReviewContent);
}

#[test]
fn gmail_replies() {
    check("550-5.7.26 Unauthenticated email from example.com is not accepted due to domain's\n550-5.7.26 DMARC policy. Please contact the administrator of example.com domain if\n550 5.7.26 this was a legitimate mail. Please visit https://support.google.com/mail/answer/2451690 to learn about the DMARC initiative. d2si123 - gsmtp", C::Authentication, Action::FixAuthentication);
    check("550-5.7.1 [192.0.2.1] Our system has detected that this message is\n550-5.7.1 not RFC 5322 compliant. - gsmtp", C::SenderConfig, Action::FixSenderConfig);
    // The issue: 421 + "unusual rate of unsolicited mail" is reputation.
    let got = v("421-4.7.0 [192.0.2.1 15] Our system has detected an unusual rate of\n421-4.7.0 unsolicited mail originating from your IP address. To protect our\n421-4.7.0 users from spam, mail sent from your IP address has been temporarily\n421 4.7.0 rate limited. - gsmtp");
    assert_eq!((got.category, got.action, got.class), (C::Reputation, Action::RetrySlower, Class::Temporary));
    assert_eq!(got.provider_id(), Some("gmail"));
    assert_eq!(got.confidence, Confidence::High);
    // Google's meaning of 4.7.28 wins over the guide's (noted in the verdict).
    let got = v("421 4.7.28 - gsmtp");
    assert_eq!(got.category, C::RateLimited);
    assert!(got.provider_note.unwrap().contains("Google"));
    check("550 5.1.1 The email account that you tried to reach does not exist. - gsmtp", C::InvalidRecipient, Action::Suppress);
    check("550 5.2.1 The email account that you tried to reach is disabled. - gsmtp", C::MailboxDisabled, Action::Suppress);
    check("550 5.7.1 Message rejected by Gmail policy - gsmtp", C::Policy, Action::Investigate);
    // 5.7.350 is Microsoft's wrapper of a remote spam rejection, not a Gmail code.
    let got = v("550 5.7.350 Remote server returned message detected as spam -> 554 5.7.1 rejected - protection.outlook.com");
    assert_eq!(got.category, C::ContentRejected);
}

#[test]
fn microsoft_replies() {
    let got = v("550 5.7.606 Access denied, banned sending IP [192.0.2.1]. To request removal from this list please visit https://sender.office.com/ and follow the directions.");
    assert_eq!((got.category, got.action, got.provider_id()), (C::Blocklisted, Action::RequestDelisting, Some("microsoft")));
    // The code alone identifies Microsoft's ban.
    check("550 5.7.606", C::Blocklisted, Action::RequestDelisting);
    check("550 5.7.649", C::Blocklisted, Action::RequestDelisting);
    check("550 5.7.708 Access denied, traffic not accepted from this IP", C::Reputation, Action::Investigate);
    check("550 5.7.711 Access denied, bad inbound connector. AS(2204)", C::SenderConfig, Action::FixSenderConfig);
    check("451 4.7.500 Access denied, please try again later. AS(1280)", C::RateLimited, Action::RetrySlower);
    check("550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", C::InvalidRecipient, Action::Suppress);
    check("550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [x.prod.protection.outlook.com]", C::InvalidRecipient, Action::Suppress);
    check("550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3140).", C::Blocklisted, Action::RequestDelisting);
    check("421 4.7.0 Connection throttling - protection.outlook.com", C::RateLimited, Action::RetrySlower);
    check("5.7.25 The sending IP address has no reverse DNS; sender not authenticated for domain", C::Authentication, Action::FixAuthentication);
    check("5.7.20 Message rejected: sender not authenticated by SPF", C::Authentication, Action::FixAuthentication);
    let got = v("550 5.2.121 Recipient's per hour message receive limit from specific sender exceeded. - protection.outlook.com");
    assert_eq!((got.category, got.class), (C::RateLimited, Class::Temporary));
}

#[test]
fn yahoo_replies() {
    let got = v("421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes");
    assert_eq!((got.category, got.action, got.provider_id()), (C::Reputation, Action::RetrySlower, Some("yahoo")));
    check("421 4.7.0", C::RateLimited, Action::RetrySlower);
    check("451 4.7.1", C::Greylisted, Action::Retry);
    check("553 5.1.3", C::InvalidAddressSyntax, Action::Suppress);
    // Yahoo documents 5.7.9 with 550/554 as failed authentication (the guide calls 554 spam).
    check("550 5.7.9 This mail has been blocked because the sender is unauthenticated. Yahoo requires all senders to authenticate with either SPF or DKIM.", C::Authentication, Action::FixAuthentication);
    let got = v("554 5.7.9 Message not accepted for policy reasons. See https://help.yahoo.com/kb/postmaster/SLN7253.html");
    assert_eq!(got.category, C::Authentication);
    assert!(got.provider_note.unwrap().contains("Yahoo"));
    check("554 delivery error: dd This user doesn't have a yahoo.com account (a@yahoo.com) [0] - mta1.mail.ne1.yahoo.com", C::InvalidRecipient, Action::Suppress);
}

// --- Noise around a reply -------------------------------------------------------------------

#[test]
fn noise_forms() {
    let cases = [
        "Diagnostic-Code: smtp; 550 5.1.1 <a@b.com>: Recipient address rejected: User unknown in virtual mailbox table",
        "2024-03-01 12:00:01 host mx.example.com[192.0.2.1] said: 550 5.1.1 <a@b.com>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)",
        "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'",
        "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##",
        "Diagnostic-Code: smtp; 550 5.1.=\n1 <a@b.com>: Recipient address rejected: User unknown",
        "Mar  1 12:00:01 mail postfix/smtp[2231]: 3F1A2: to=<a@b.com>, relay=mx.b.com[192.0.2.1]:25, status=bounced (host mx.b.com[192.0.2.1] said: 550 5.1.1 <a@b.com>: Recipient address rejected: User unknown (in reply to RCPT TO command))",
        "SMTP error from remote mail server after RCPT TO:<a@b.com>: host mx.b.com [192.0.2.1]: 550 5.1.1 <a@b.com>: Recipient address rejected: User unknown",
    ];
    for c in cases {
        let got = v(c);
        assert_eq!((got.reply_code.map(|c| c.to_string()), got.enhanced_code.map(|c| c.to_string()), got.category), (Some("550".to_string()), Some("5.1.1".to_string()), C::InvalidRecipient), "{c}\n{got:#?}");
        assert!(!got.diagnostic.contains("in reply to"), "{}", got.diagnostic);
    }
}

#[test]
fn words_beat_vague_codes() {
    check("550 mailbox full", C::MailboxFull, Action::Retry);
    check("550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org", C::Blocklisted, Action::RequestDelisting);
    let got = v("550 5.7.1 Greylisted, please try again in 300 seconds");
    assert_eq!((got.category, got.class, got.action), (C::Greylisted, Class::Temporary, Action::Retry));
    check("451 4.7.1 Please try again later: greylisting in action", C::Greylisted, Action::Retry);
}

#[test]
fn words_alone_with_lower_confidence() {
    let got = v("mailbox full");
    assert_eq!(got.category, C::MailboxFull);
    assert_ne!(got.confidence, Confidence::High);
    assert_eq!(v("User unknown").category, C::InvalidRecipient);
    let got = v("the weather is nice");
    assert_eq!((got.category, got.confidence), (C::Unknown, Confidence::Low));
    assert_eq!(got.action, Action::Investigate);
    let got = v("550 5.1.1 user unknown");
    assert_eq!(got.confidence, Confidence::High);
}

#[test]
fn evidence_points_into_the_diagnostic() {
    let got = v("550 5.1.1 <a@b.com>: Recipient address rejected: User unknown in virtual mailbox table");
    assert!(got.evidence.len() >= 3, "{:#?}", got.evidence);
    for e in &got.evidence {
        if let (Some(s), Some(end)) = (e.start, e.end) {
            assert_eq!(&got.diagnostic[s..end], e.text);
        }
    }
    assert!(got.evidence.iter().any(|e| e.text.to_lowercase().contains("user unknown")));
}

#[test]
fn hints_fill_in_what_the_text_lacks() {
    let h = Hints { status: "5.2.2".parse().ok(), recipient: Some("a@gmail.com"), ..Default::default() };
    let got = Classifier::get().classify("Delivery failed", &h);
    assert_eq!((got.category, got.enhanced_code.map(|c| c.to_string()), got.provider_id()), (C::MailboxFull, Some("5.2.2".to_string()), Some("gmail")));
    let h = Hints { dsn_action: Some(crate::smtp::DsnAction::Delayed), ..Default::default() };
    assert_eq!(Classifier::get().classify("connection timed out", &h).class, Class::Temporary);
}

#[test]
fn no_panic_on_odd_input() {
    for s in ["", " ", "\u{0}\u{0}\u{0}", "5", "55", "550-", "5.", "5.7.", "ÿþ\u{fffd}\u{fffd}", "<script>alert(1)</script>", "550 \u{202e} 5.1.1 ü", &"a".repeat(100_000), &"550-5.1.1 x\n".repeat(5_000)] {
        let _ = v(s);
    }
}

/// The prefiltered rule matcher finds exactly the rules one `RegexSet` of all patterns finds:
/// on every rule example, on those examples in upper case and glued to other words, and on
/// every line and whole text of the labelled sample emails.
#[test]
fn prefiltered_rules_match_like_one_regex_set() {
    let c = Classifier::get();
    let k = Knowledge::get();
    let patterns: Vec<&str> = c.set_rules.iter().map(|&i| k.rules[i].pattern.as_deref().unwrap()).collect();
    let full = RegexSetBuilder::new(&patterns).case_insensitive(true).unicode(false).size_limit(1 << 26).dfa_size_limit(1 << 29).build().unwrap();
    let (filtered, residual) = c.set.split();
    assert!(filtered >= patterns.len() * 9 / 10, "only {filtered} of {} patterns have literals ({residual} residual)", patterns.len());

    let mut texts: Vec<String> = vec![];
    for r in &k.rules {
        for ex in &r.examples {
            texts.push(ex.clone());
            texts.push(ex.to_uppercase());
            texts.push(format!("xx{}yy", ex.replace(' ', "")));
        }
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sisimai-dev");
    if let Ok(rd) = std::fs::read_dir(&dir) {
        for e in rd.flatten() {
            if let Ok(b) = std::fs::read(e.path()) {
                let s = String::from_utf8_lossy(&b).into_owned();
                // Lines, and paragraphs (folded replies span lines).
                texts.extend(s.lines().filter(|l| l.len() > 8).map(str::to_string));
                texts.extend(s.split("\n\n").filter(|p| p.len() < 4096).map(str::to_string));
            }
        }
    }
    let mut hits = 0;
    let examples: usize = k.rules.iter().map(|r| r.examples.len()).sum();
    for t in &texts {
        let want: Vec<usize> = full.matches(t.as_bytes()).iter().collect();
        hits += want.len();
        assert_eq!(c.set.matches(t.as_bytes()), want, "{t:?}");
    }
    assert!(hits > examples * 2, "the corpus hardly matches any rule: {hits}");
}

#[test]
fn the_users_rules_come_first_and_can_be_removed() {
    // One test touches the shared classifier, so nothing else races with it.
    let text = "550 5.7.1 Relay denied by the acme gateway";
    let before = classify(text);
    let n = install_user_rules(
        "my-rules.toml",
        "[[rule]]\nid = \"user.acme\"\npattern = 'acme gateway'\ncategory = \"policy\"\ntitle = \"Acme refuses us\"\nexplanation = \"Our own reading.\"\nexamples = [\"550 5.7.1 Relay denied by the acme gateway\"]\n",
    )
    .unwrap();
    assert_eq!(n, 1);
    let got = classify(text);
    assert_eq!(got.category, C::Policy);
    assert_eq!(got.decided_by, Some(crate::model::DecidedBy::Rule("user.acme".into())));
    assert!(got.evidence.iter().any(|e| e.signal.starts_with("your rule:")), "{:?}", got.evidence);
    let bad = install_user_rules("my-rules.toml", "[[rule]]\nid = \"user.x\"\npattern = '('\ncategory = \"policy\"\ntitle = \"t\"\nexplanation = \"e\"\n").unwrap_err();
    assert_eq!(bad.line, Some(2), "{bad}");
    assert_eq!(classify(text).category, C::Policy, "a bad file keeps the rules in force");
    clear_user_rules();
    assert_eq!(classify(text).category, before.category);
}

#[test]
fn a_platforms_identifier_or_short_label_is_read_when_the_words_decide_nothing() {
    check("hard_bounce", C::InvalidRecipient, Action::Suppress);
    check("Transient MailboxFull", C::MailboxFull, Action::Retry);
    check("invalid_email", C::InvalidRecipient, Action::Suppress);
    // A label of the knowledge's label table, as an export's label column is read.
    let l = v("preblocked");
    assert_eq!((l.category, l.confidence), (C::Policy, Confidence::Low));
    assert_eq!(l.decided_by, Some(DecidedBy::PlatformLabel));
    assert_eq!(l.diagnostic, "preblocked");
    // The evidence of a spelled-out identifier has no offsets into the text it was not in.
    let id = v("Permanent/OnAccountSuppressionList");
    assert_eq!(id.action, Action::Suppress);
    assert!(id.evidence.iter().all(|e| e.start.is_none()), "{:?}", id.evidence);
    // A sentence stays unknown rather than being read as a label.
    assert_eq!(v("Receiving server temporarily rejected the message.").decided_by, None);
}

#[test]
fn a_bare_imprecise_code_is_not_enough_to_suppress_when_the_words_say_more() {
    // No rule knows the words; 550 alone would read as an unknown recipient.
    let u = v("550 command rejected due to Sender ID validation failure.");
    assert_eq!((u.category, u.action, u.confidence), (C::InvalidRecipient, Action::Investigate, Confidence::Low));
    assert!(u.summary.starts_with("Unclear: 550 usually means"), "{}", u.summary);
    // The code with its standard text, or with words a rule knows, still suppresses.
    check("550 Requested action not taken: mailbox unavailable", C::InvalidRecipient, Action::Suppress);
    check("550 No such user here", C::InvalidRecipient, Action::Suppress);
    check("550", C::InvalidRecipient, Action::Suppress);
}
