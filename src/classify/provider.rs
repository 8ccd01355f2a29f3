//! Which mailbox provider answered: from markers in the reply text (`gsmtp`,
//! `protection.outlook.com`, `[TSS04]`...), then the answering server's host name, then the
//! recipient's domain.

use crate::knowledge::{Knowledge, ProviderInfo};
use super::ruleset::RuleSet;
use std::ops::Range;

pub(super) struct ProviderMatcher {
    knowledge: &'static Knowledge,
    /// Every provider's markers, prefiltered like the rules (each marker's regex is built the
    /// first time its literal occurs, not at start-up).
    set: RuleSet,
    /// For each marker of `set`, the index of its provider.
    marker_provider: Vec<usize>,
}

impl ProviderMatcher {
    pub(super) fn new(knowledge: &'static Knowledge) -> Self {
        let mut pats = vec![];
        let mut marker_provider = vec![];
        for (i, p) in knowledge.providers.iter().enumerate() {
            for m in &p.markers {
                pats.push(m.as_str());
                marker_provider.push(i);
            }
        }
        ProviderMatcher { knowledge, set: RuleSet::new(&pats), marker_provider }
    }

    /// The provider of a reply: the marker that ends last in the text wins (a reply wrapped by
    /// another server, e.g. Microsoft's "Remote server returned ... -> ...", ends with the
    /// inner server's marker); then the remote host; then the recipient's domain.
    pub(super) fn identify(
        &self,
        text: &str,
        remote_mta: Option<&str>,
        recipient: Option<&str>,
    ) -> Option<&'static ProviderInfo> {
        let bytes = text.as_bytes();
        let mut best: Option<(usize, usize)> = None; // (end, provider)
        for idx in self.set.matches(bytes) {
            let p = self.marker_provider[idx];
            if let Some(end) = self.set.regex(idx).and_then(|re| re.find_iter(bytes).map(|m| m.end()).last()) {
                if best.is_none_or(|(e, _)| end > e) {
                    best = Some((end, p));
                }
            }
        }
        if let Some((_, p)) = best {
            return Some(&self.knowledge.providers[p]);
        }
        if let Some(host) = remote_mta {
            if let Some(p) = by_suffix(self.knowledge, host, |p| &p.hosts) {
                return Some(p);
            }
        }
        if let Some(rcpt) = recipient {
            let domain = rcpt.rsplit('@').next().unwrap_or("").trim_end_matches('>');
            if !domain.is_empty() {
                return by_suffix(self.knowledge, domain, |p| &p.domains);
            }
        }
        None
    }

    /// Where in the text the provider was recognised.
    pub(super) fn marker_span(&self, text: &str, provider: &ProviderInfo) -> Option<Range<usize>> {
        let bytes = text.as_bytes();
        (0..self.marker_provider.len())
            .filter(|&i| self.knowledge.providers[self.marker_provider[i]].id == provider.id)
            .filter_map(|i| self.set.regex(i)?.find_iter(bytes).last().map(|m| m.start()..m.end()))
            .max_by_key(|r| r.end)
    }
}

fn by_suffix<'k>(
    k: &'k Knowledge,
    name: &str,
    list: impl Fn(&ProviderInfo) -> &Vec<String>,
) -> Option<&'k ProviderInfo> {
    let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
    k.providers.iter().find(|p| {
        list(p).iter().any(|s| {
            name == *s || (name.len() > s.len() && name.ends_with(s.as_str()) && name.as_bytes()[name.len() - s.len() - 1] == b'.')
        })
    })
}
