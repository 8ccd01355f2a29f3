//! Whose thing a refusal is about. Servers refuse the recipient's address ("Recipient address
//! rejected: User unknown") or the sender's ("Sender address rejected: Domain not found",
//! "Helo command rejected", "Domain of sender address does not exist"). The same words
//! ("unknown", "does not exist", "disabled") then mean opposite things for a list: a dead
//! recipient is suppressed, a refused sender is the sender's own setup to fix.

re!(
    re_sender,
    r"(?i)\b(?:sender|from|mail[- ]from|envelope[- ]from|envelope[- ]sender|return[- ]path|originator)(?: e-?mail)? (?:address|domain|identity|account|mail ?box|user)\b|\bdomain of (?:the )?sender\b|\bsender(?:'s)? (?:domain|address|account)\b|\b(?:helo|ehlo)\b|\byour (?:sending |sender )?(?:account|e-?mail address|from address|domain name)\b|\bsending (?:account|domain|identity|e-?mail address)\b|\bsender (?:is )?(?:not verified|unverified|unknown|invalid|not registered)\b|\bthe sender\b[^.\n]{0,40}\b(?:account|domain)\b"
);
re!(
    re_recipient,
    r"(?i)\brecipient(?:'s)? (?:address|domain|mail ?box|e-?mail|account|server)\b|\bRCPT\b|\b(?:the|this|that|each|following) recipients?\b|\brecipients? (?:is|are|was|were|not|unknown|rejected|refused)\b|\bdestination (?:address|mail ?box|user)\b|\baddressee\b|\b(?:the )?user you are trying\b|\baccount that you tried\b"
);

/// Whether a text says the refused thing is the sender (its address, domain, account or
/// HELO name) and says nothing of the recipient.
pub fn about_the_sender(text: &str) -> bool {
    re_sender().is_match(text) && !re_recipient().is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_or_recipient() {
        for t in [
            "550 5.1.0 <a@example.com>: Sender address rejected: User unknown in local recipient table",
            "550 5.1.8 Domain of sender address does not exist",
            "450 4.7.1 <mail.example.com>: Helo command rejected: Host not found",
            "550 5.7.0 Mail Sending denied. This error occurs if the sender account is disabled or not registered",
        ] {
            assert!(about_the_sender(t), "{t}");
        }
        for t in [
            "550 5.1.1 <a@example.com>: Recipient address rejected: User unknown in virtual mailbox table",
            "550 5.1.1 The email account that you tried to reach does not exist",
            "550 5.2.1 The email account that you tried to reach is disabled",
            "554 5.7.1 mail from example.com rejected: the recipient's mailbox is disabled",
        ] {
            assert!(!about_the_sender(t), "{t}");
        }
    }
}
