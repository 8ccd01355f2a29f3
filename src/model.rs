//! The verdict vocabulary the project's taxonomy fixes (its ids are used exactly), as Rust types.
//!
//! The ids (`serde` names and [`Id::id`]) are public: the CLI's JSON, the web app's
//! `data-testid` hooks, the exports and the evaluation scripts use them exactly as written.
//! Human labels live next to them so every view words them the same way.

use crate::smtp::{Command, EnhancedCode, ReplyCode};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A closed set of ids with a human label.
pub trait Id: Sized + Copy + 'static {
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// The public id, e.g. `invalid_recipient`.
    fn id(self) -> &'static str;
    /// A short label for people, e.g. "Address does not exist".
    fn label(self) -> &'static str;
    /// Parses a public id.
    fn from_id(id: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.id() == id)
    }
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $id:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $id)] $variant,)+
        }
        impl Id for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn id(self) -> &'static str {
                match self { $(Self::$variant => $id,)+ }
            }
            fn label(self) -> &'static str {
                match self { $(Self::$variant => $label,)+ }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.id())
            }
        }
    };
}

vocabulary! {
    /// What kind of event this is.
    BounceType {
        Delivered = "delivered", "Delivered";
        Soft = "soft", "Soft bounce";
        Hard = "hard", "Hard bounce";
        Block = "block", "Block";
        Technical = "technical", "Technical";
        Complaint = "complaint", "Complaint";
        AutoReply = "auto_reply", "Auto-reply";
        Unknown = "unknown", "Unknown";
    }
}

vocabulary! {
    /// Will the condition clear?
    Class {
        Success = "success", "Success";
        Temporary = "temporary", "Temporary";
        Permanent = "permanent", "Permanent";
    }
}

vocabulary! {
    /// The cause.
    Category {
        Accepted = "accepted", "Accepted";
        InvalidRecipient = "invalid_recipient", "Address does not exist";
        InvalidAddressSyntax = "invalid_address_syntax", "Malformed address";
        InvalidDomain = "invalid_domain", "Domain does not exist";
        DomainRejectsMail = "domain_rejects_mail", "Domain accepts no mail";
        MailboxDisabled = "mailbox_disabled", "Mailbox disabled";
        MailboxMoved = "mailbox_moved", "Mailbox moved";
        MailboxFull = "mailbox_full", "Mailbox full";
        MailboxUnavailable = "mailbox_unavailable", "Mailbox temporarily unavailable";
        Greylisted = "greylisted", "Greylisted";
        RateLimited = "rate_limited", "Rate limited";
        Reputation = "reputation", "Sender reputation";
        Blocklisted = "blocklisted", "Blocklisted";
        Authentication = "authentication", "Authentication failed";
        ContentRejected = "content_rejected", "Content rejected";
        Policy = "policy", "Policy rejection";
        MessageTooLarge = "message_too_large", "Message too large";
        Tls = "tls", "TLS problem";
        SenderConfig = "sender_config", "Sender configuration";
        RecipientServer = "recipient_server", "Recipient server problem";
        Network = "network", "Network problem";
        Expired = "expired", "Delivery expired";
        Complaint = "complaint", "Spam complaint";
        AutoReply = "auto_reply", "Auto-reply";
        Unknown = "unknown", "Unknown";
    }
}

vocabulary! {
    /// What to do now.
    Action {
        None = "none", "Nothing to do";
        Monitor = "monitor", "Monitor";
        Retry = "retry", "Retry";
        RetrySlower = "retry_slower", "Retry more slowly";
        Suppress = "suppress", "Suppress the address";
        SuppressDomain = "suppress_domain", "Suppress the whole domain";
        FixAuthentication = "fix_authentication", "Fix SPF / DKIM / DMARC";
        RequestDelisting = "request_delisting", "Request delisting";
        ReviewContent = "review_content", "Review the content";
        ReduceSize = "reduce_size", "Reduce the message size";
        FixTls = "fix_tls", "Fix TLS";
        FixSenderConfig = "fix_sender_config", "Fix the sending setup";
        Investigate = "investigate", "Investigate";
    }
}

vocabulary! {
    /// Whose problem it is.
    Owner {
        ListQuality = "list_quality", "List quality";
        SendingBehaviour = "sending_behaviour", "Sending behaviour";
        SenderInfrastructure = "sender_infrastructure", "Sender infrastructure";
        Content = "content", "Content";
        SenderConfiguration = "sender_configuration", "Sender configuration";
        RecipientSide = "recipient_side", "Recipient side";
        None = "none", "Nobody";
    }
}

vocabulary! {
    /// How sure the classifier is.
    Confidence {
        High = "high", "High";
        Medium = "medium", "Medium";
        Low = "low", "Low";
    }
}

vocabulary! {
    /// How urgent an alert about a whole send is (most urgent first).
    Severity {
        Critical = "critical", "Critical";
        Warning = "warning", "Warning";
        Info = "info", "Info";
    }
}

impl Category {
    /// The bounce type this cause gives, for a condition of the given class.
    pub fn bounce_type(self, class: Class) -> BounceType {
        use Category::*;
        match self {
            Accepted => BounceType::Delivered,
            InvalidRecipient | InvalidAddressSyntax | InvalidDomain | DomainRejectsMail
            | MailboxDisabled | MailboxMoved => match class {
                Class::Temporary => BounceType::Soft,
                _ => BounceType::Hard,
            },
            MailboxFull | MailboxUnavailable | Greylisted | RecipientServer | Network | Expired => {
                BounceType::Soft
            }
            // Throttling clears when the sender slows down: a soft bounce unless the server
            // refuses for good.
            RateLimited => match class {
                Class::Permanent => BounceType::Block,
                _ => BounceType::Soft,
            },
            Reputation | Blocklisted | Authentication | ContentRejected | Policy => BounceType::Block,
            MessageTooLarge => match class {
                Class::Temporary => BounceType::Soft,
                _ => BounceType::Block,
            },
            Tls => match class {
                Class::Temporary => BounceType::Soft,
                _ => BounceType::Technical,
            },
            SenderConfig => BounceType::Technical,
            Complaint => BounceType::Complaint,
            AutoReply => BounceType::AutoReply,
            Unknown => BounceType::Unknown,
        }
    }

    /// The default action for this cause (taxonomy), refined by the class of the condition.
    pub fn default_action(self, class: Class) -> Action {
        use Category::*;
        match self {
            Accepted => Action::None,
            InvalidRecipient | InvalidAddressSyntax | InvalidDomain | MailboxDisabled
            | MailboxMoved => match class {
                // The server is not sure yet (e.g. 450 4.1.1): let it retry, suppress if it repeats.
                Class::Temporary => Action::Retry,
                _ => Action::Suppress,
            },
            DomainRejectsMail => match class {
                Class::Temporary => Action::Retry,
                _ => Action::SuppressDomain,
            },
            MailboxFull | MailboxUnavailable | Greylisted | RecipientServer | Network => {
                Action::Retry
            }
            RateLimited => Action::RetrySlower,
            Reputation => match class {
                Class::Temporary => Action::RetrySlower,
                _ => Action::Investigate,
            },
            Blocklisted => Action::RequestDelisting,
            Authentication => Action::FixAuthentication,
            ContentRejected => Action::ReviewContent,
            Policy => Action::Investigate,
            MessageTooLarge => Action::ReduceSize,
            Tls => Action::FixTls,
            SenderConfig => Action::FixSenderConfig,
            Expired => Action::Investigate,
            Complaint => Action::Suppress,
            AutoReply => Action::None,
            Unknown => Action::Investigate,
        }
    }

    /// Whose problem this cause is (taxonomy).
    pub fn owner(self) -> Owner {
        use Category::*;
        match self {
            Accepted | Greylisted | AutoReply | Unknown => Owner::None,
            InvalidRecipient | InvalidAddressSyntax | InvalidDomain | DomainRejectsMail
            | MailboxDisabled | MailboxMoved | Complaint => Owner::ListQuality,
            MailboxFull | MailboxUnavailable | RecipientServer | Network | Expired => {
                Owner::RecipientSide
            }
            RateLimited => Owner::SendingBehaviour,
            Reputation | Blocklisted | Authentication | Policy => Owner::SenderInfrastructure,
            ContentRejected | MessageTooLarge => Owner::Content,
            Tls | SenderConfig => Owner::SenderConfiguration,
        }
    }

    /// The class a cause has when no code says otherwise.
    pub fn default_class(self) -> Class {
        use Category::*;
        match self {
            Accepted | AutoReply => Class::Success,
            MailboxFull | MailboxUnavailable | Greylisted | RateLimited | RecipientServer
            | Network => Class::Temporary,
            _ => Class::Permanent,
        }
    }
}

impl Class {
    /// The class of a reply or enhanced code from its first digit.
    pub fn from_digit(d: u8) -> Option<Class> {
        match d {
            b'2' | b'3' => Some(Class::Success),
            b'4' => Some(Class::Temporary),
            b'5' => Some(Class::Permanent),
            _ => None,
        }
    }
}

/// A part of the diagnostic text that decided the verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The matched text, as it appears in `diagnostic`.
    pub text: String,
    /// Byte offsets into `diagnostic` (`start..end`), when the text is there.
    pub start: Option<usize>,
    pub end: Option<usize>,
    /// What this piece of text told the classifier, in words.
    pub signal: String,
}

/// The id of a mailbox provider of the knowledge base (`gmail`, `microsoft`...).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProviderId(pub String);

impl ProviderId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What decided a verdict. In JSON it is one string: `rule:<id>`, `enhanced:<code>`,
/// `reply:<code>`, `label`, `format`, `event`, `model`, with ` (refused at MAIL FROM)` after
/// it when the command changed the reading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecidedBy {
    /// A wording rule: a built-in rule of the knowledge base or one of the user's own.
    Rule(String),
    /// The enhanced status code (its registry meaning).
    Enhanced(EnhancedCode),
    /// The basic reply code.
    Reply(ReplyCode),
    /// The sending platform's label, in an export that gave no reply.
    PlatformLabel,
    /// The report's format itself: a complaint (feedback) report or an automatic reply.
    ReportFormat,
    /// An export's event type (a spam report event).
    Event,
    /// The word model, where no rule or code decided.
    WordModel,
    /// Another reading, turned into "your sender address was refused" because the server
    /// gave it to the `MAIL FROM` command.
    RefusedAtMailFrom(Box<DecidedBy>),
    /// Another reading, turned into "your sender address was refused" because the words say
    /// the refused address, domain or HELO name is the sender's.
    SenderNamed(Box<DecidedBy>),
}

impl DecidedBy {
    /// The rule id, when a rule decided (directly or before the MAIL FROM reading).
    pub fn rule(&self) -> Option<&str> {
        match self {
            DecidedBy::Rule(id) => Some(id),
            DecidedBy::RefusedAtMailFrom(inner) | DecidedBy::SenderNamed(inner) => inner.rule(),
            _ => None,
        }
    }
}

impl fmt::Display for DecidedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecidedBy::Rule(id) => write!(f, "rule:{id}"),
            DecidedBy::Enhanced(c) => write!(f, "enhanced:{c}"),
            DecidedBy::Reply(c) => write!(f, "reply:{c}"),
            DecidedBy::PlatformLabel => f.write_str("label"),
            DecidedBy::ReportFormat => f.write_str("format"),
            DecidedBy::Event => f.write_str("event"),
            DecidedBy::WordModel => f.write_str("model"),
            DecidedBy::RefusedAtMailFrom(inner) => write!(f, "{inner} (refused at MAIL FROM)"),
            DecidedBy::SenderNamed(inner) => write!(f, "{inner} (about the sender)"),
        }
    }
}

impl FromStr for DecidedBy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if let Some(inner) = s.strip_suffix(" (refused at MAIL FROM)") {
            return Ok(DecidedBy::RefusedAtMailFrom(Box::new(inner.parse()?)));
        }
        if let Some(inner) = s.strip_suffix(" (about the sender)") {
            return Ok(DecidedBy::SenderNamed(Box::new(inner.parse()?)));
        }
        Ok(match s.split_once(':') {
            Some(("rule", id)) => DecidedBy::Rule(id.to_string()),
            Some(("enhanced", c)) => DecidedBy::Enhanced(c.parse()?),
            Some(("reply", c)) => DecidedBy::Reply(c.parse()?),
            _ => match s {
                "label" => DecidedBy::PlatformLabel,
                "format" => DecidedBy::ReportFormat,
                "event" => DecidedBy::Event,
                "model" => DecidedBy::WordModel,
                _ => return Err(format!("unknown decider {s:?}")),
            },
        })
    }
}

impl Serialize for DecidedBy {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DecidedBy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// The classifier's answer for one diagnostic text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub reply_code: Option<ReplyCode>,
    pub enhanced_code: Option<EnhancedCode>,
    #[serde(rename = "class")]
    pub class: Class,
    pub bounce_type: BounceType,
    pub category: Category,
    pub action: Action,
    pub owner: Owner,
    pub provider: Option<ProviderId>,
    pub confidence: Confidence,
    /// One line: what happened.
    pub summary: String,
    /// Why, in plain language.
    pub explanation: String,
    /// What to do now, in plain language.
    pub advice: String,
    /// When to do more than the action says (e.g. "suppress after 3 campaigns").
    pub escalation: Option<String>,
    /// Where a provider's documentation differs from common advice, what we follow and why.
    pub provider_note: Option<String>,
    pub evidence: Vec<Evidence>,
    /// What decided the verdict.
    pub decided_by: Option<DecidedBy>,
    /// The other likely reading when the verdict is not sure ("could be reputation").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternative: Option<Category>,
    /// The text that was classified, after the noise around it was removed.
    pub diagnostic: String,
}

impl Verdict {
    /// The provider's id, as text.
    pub fn provider_id(&self) -> Option<&str> {
        self.provider.as_ref().map(|p| p.as_str())
    }

    /// Whether the verdict tells to take the address (or its whole domain) off the list.
    pub fn suppresses(&self) -> bool {
        matches!(self.action, Action::Suppress | Action::SuppressDomain)
    }
}

/// One analysed bounce: the verdict plus what is known about the message and recipient.
/// Serialises to the JSON record of `taxonomy.md` (flattened verdict fields).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub recipient: Option<String>,
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Where it came from: a file and row, or "paste:N".
    pub source: Option<String>,
    #[serde(flatten)]
    pub context: Context,
}

/// What a whole bounce email or an export row tells beside the diagnostic.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Context {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_recipient: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporting_mta: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_mta: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_command: Option<Command>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_id: Option<String>,
    /// The DSN `Action:` field (failed, delayed, delivered, relayed, expanded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dsn_action: Option<crate::smtp::DsnAction>,
    /// The label the sending platform gave (e.g. "Hard", "Permanent/Suppressed").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_label: Option<String>,
    /// The campaign or mailing this row belongs to, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// The feedback type of a complaint report (abuse, fraud...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback_type: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_match_serde() {
        for c in Category::ALL {
            assert_eq!(Category::from_id(c.id()), Some(*c));
            assert_eq!(serde_json::to_string(c).unwrap(), format!("\"{}\"", c.id()));
        }
        for a in Action::ALL {
            assert_eq!(serde_json::to_string(a).unwrap(), format!("\"{}\"", a.id()));
        }
        assert_eq!(Category::ALL.len(), 25);
        assert_eq!(Action::ALL.len(), 13);
        assert_eq!(Owner::ALL.len(), 7);
        assert_eq!(BounceType::ALL.len(), 8);
    }

    #[test]
    fn taxonomy_defaults() {
        assert_eq!(Category::MailboxFull.default_action(Class::Permanent), Action::Retry);
        assert_eq!(Category::DomainRejectsMail.default_action(Class::Permanent), Action::SuppressDomain);
        assert_eq!(Category::InvalidRecipient.bounce_type(Class::Permanent), BounceType::Hard);
        assert_eq!(Category::InvalidRecipient.bounce_type(Class::Temporary), BounceType::Soft);
        assert_eq!(Category::Authentication.owner(), Owner::SenderInfrastructure);
        assert_eq!(Category::RateLimited.owner(), Owner::SendingBehaviour);
        assert_eq!(Category::SenderConfig.bounce_type(Class::Permanent), BounceType::Technical);
    }

    #[test]
    fn deciders_round_trip_as_strings() {
        for d in [
            DecidedBy::Rule("gmail.dmarc".into()),
            DecidedBy::Enhanced("5.7.26".parse().unwrap()),
            DecidedBy::Reply(ReplyCode(550)),
            DecidedBy::PlatformLabel,
            DecidedBy::RefusedAtMailFrom(Box::new(DecidedBy::Rule("generic.user-unknown".into()))),
        ] {
            let s = d.to_string();
            assert_eq!(s.parse::<DecidedBy>(), Ok(d.clone()), "{s}");
            assert_eq!(serde_json::from_str::<DecidedBy>(&serde_json::to_string(&d).unwrap()).unwrap(), d);
        }
        assert_eq!(DecidedBy::RefusedAtMailFrom(Box::new(DecidedBy::Rule("x".into()))).rule(), Some("x"));
        assert_eq!(DecidedBy::Reply(ReplyCode(550)).to_string(), "reply:550");
    }
}
