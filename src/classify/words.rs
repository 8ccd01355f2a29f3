//! The word model: a small naive Bayes classifier over the words of a reply, the backstop for
//! texts no rule recognises and codes say little about.
//!
//! It is trained when the crate is built (`build.rs`, from the working part of the labelled
//! corpus and the examples of the knowledge's rules), so it is as reproducible as the rules
//! are. The classifier asks it only where the rules are silent or weak, shows the words that
//! weighed most as evidence, and marks its verdicts as unsure.
//!
//! This file uses only `std`: `build.rs` includes it to train with the same tokenizer the
//! classifier reads with.

use std::collections::HashMap;

/// The classes of the model are category ids (`invalid_recipient`...), in the order given.
pub struct WordModel {
    pub classes: Vec<String>,
    /// log P(class).
    prior: Vec<f32>,
    /// For each class, the log-probability of a feature never seen with it.
    unseen: Vec<f32>,
    /// For each feature, the log-probabilities of the classes it was seen with.
    features: HashMap<String, Vec<(u8, f32)>>,
}

/// Words too common to tell causes apart.
const STOP: &[&str] = &[
    "the", "a", "an", "to", "of", "and", "or", "is", "was", "be", "been", "for", "in", "on", "at", "by", "with", "this",
    "that", "it", "as", "are", "from", "your", "you", "our", "we", "please", "not", "no", "has", "have", "had", "will",
    "can", "could", "would", "there", "these", "those", "its", "if", "but", "so", "do", "does", "did", "into", "than",
    "smtp", "mail", "email", "e", "message", "messages", "server", "error", "com", "net", "org", "example", "www",
    "http", "https", "html", "more", "information", "see", "visit", "go", "further", "following", "id", "de", "la", "le",
];

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xac00..=0xd7af | 0xf900..=0xfaff)
}

/// The features of a text: its words (lower case, without stop words, numbers and ids),
/// pairs of consecutive words, the reply code and its class, and the enhanced code and its
/// subject. Chinese, Japanese and Korean text gives pairs of characters.
pub fn features(text: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let mut words: Vec<String> = vec![];
    let push_word = |w: &str, words: &mut Vec<String>, out: &mut Vec<String>| {
        if w.is_empty() {
            return;
        }
        let b = w.as_bytes();
        // Codes.
        if b.len() == 3 && (b'2'..=b'5').contains(&b[0]) && b.iter().all(|c| c.is_ascii_digit()) {
            out.push(format!("r{w}"));
            out.push(format!("r{}xx", b[0] as char));
            words.push(String::new());
            return;
        }
        let parts: Vec<&str> = w.split('.').collect();
        if parts.len() == 3 && matches!(parts[0], "2" | "4" | "5") && parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|c| c.is_ascii_digit())) {
            out.push(format!("e{w}"));
            out.push(format!("ex.{}.{}", parts[1], parts[2]));
            out.push(format!("ex.{}", parts[1]));
            words.push(String::new());
            return;
        }
        let w = w.trim_matches('.');
        if w.chars().count() < 2 || w.chars().any(|c| c.is_ascii_digit()) || STOP.contains(&w) {
            words.push(String::new());
            return;
        }
        out.push(w.to_string());
        words.push(w.to_string());
    };
    let lower = text.to_lowercase();
    let mut cur = String::new();
    let mut cjk_prev: Option<char> = None;
    for c in lower.chars() {
        if is_cjk(c) {
            push_word(&std::mem::take(&mut cur), &mut words, &mut out);
            if let Some(p) = cjk_prev {
                out.push(format!("{p}{c}"));
            }
            cjk_prev = Some(c);
            continue;
        }
        cjk_prev = None;
        if c.is_alphanumeric() || c == '.' || c == '\'' {
            if c != '\'' {
                cur.push(c);
            }
        } else if c == '@' {
            // An address: neither its parts nor its domain tell the cause.
            cur.clear();
            words.push(String::new());
        } else {
            push_word(&std::mem::take(&mut cur), &mut words, &mut out);
        }
    }
    push_word(&cur, &mut words, &mut out);
    for pair in words.windows(2) {
        if !pair[0].is_empty() && !pair[1].is_empty() {
            out.push(format!("{} {}", pair[0], pair[1]));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether a feature is a single word (not a pair of words, nor a code feature).
pub fn is_word(f: &str) -> bool {
    let code = (f.starts_with('r') && f[1..].bytes().all(|b| b.is_ascii_digit() || b == b'x') && f.len() == 4)
        || (f.starts_with('e') && f[1..].contains('.') && f[1..].bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'x'));
    !code && !f.contains(' ')
}

/// What the model says about a text.
pub struct Prediction {
    /// Class index, probability, in order of probability.
    pub ranked: Vec<(usize, f32)>,
    /// The features that weighed most for the top class, strongest first.
    pub top_features: Vec<String>,
}

impl WordModel {
    /// Trains on (text, class) pairs: multinomial naive Bayes over the features present,
    /// with add-one-half smoothing; features seen fewer than `min_count` times are dropped.
    pub fn train(examples: &[(String, String)], min_count: usize) -> WordModel {
        let mut classes: Vec<String> = examples.iter().map(|(_, c)| c.clone()).collect();
        classes.sort();
        classes.dedup();
        let ci = |c: &str| classes.iter().position(|x| x == c).expect("a known class");
        let mut docs = vec![0usize; classes.len()];
        let mut counts: HashMap<String, Vec<u32>> = HashMap::new();
        let mut total = vec![0u64; classes.len()];
        let mut seen: HashMap<String, usize> = HashMap::new();
        let featured: Vec<(usize, Vec<String>)> = examples.iter().map(|(t, c)| (ci(c), features(t))).collect();
        for (_, fs) in &featured {
            for f in fs {
                *seen.entry(f.clone()).or_default() += 1;
            }
        }
        for (c, fs) in &featured {
            docs[*c] += 1;
            for f in fs.iter().filter(|f| seen[*f] >= min_count) {
                counts.entry(f.clone()).or_insert_with(|| vec![0; classes.len()])[*c] += 1;
                total[*c] += 1;
            }
        }
        let vocab = counts.len() as f32;
        let alpha = 0.5f32;
        let n = examples.len() as f32;
        let prior = docs.iter().map(|d| ((*d as f32 + 1.0) / (n + classes.len() as f32)).ln()).collect();
        let denom: Vec<f32> = total.iter().map(|t| *t as f32 + alpha * vocab).collect();
        let unseen = denom.iter().map(|d| (alpha / d).ln()).collect();
        let features = counts
            .into_iter()
            .map(|(f, cs)| {
                let v = cs.iter().enumerate().filter(|(_, n)| **n > 0).map(|(c, n)| (c as u8, ((*n as f32 + alpha) / denom[c]).ln())).collect();
                (f, v)
            })
            .collect();
        WordModel { classes, prior, unseen, features }
    }

    /// The classes of a text by probability, and the words behind the best one.
    pub fn predict(&self, text: &str) -> Prediction {
        let fs = features(text);
        let mut score: Vec<f32> = self.prior.clone();
        let mut known: Vec<(&String, &Vec<(u8, f32)>)> = vec![];
        for f in &fs {
            let Some(v) = self.features.get(f) else { continue };
            known.push((f, v));
            for (c, s) in score.iter_mut().enumerate() {
                *s += v.iter().find(|(k, _)| *k as usize == c).map(|(_, l)| *l).unwrap_or(self.unseen[c]);
            }
        }
        let max = score.iter().cloned().fold(f32::MIN, f32::max);
        let sum: f32 = score.iter().map(|s| (s - max).exp()).sum();
        let mut ranked: Vec<(usize, f32)> = score.iter().enumerate().map(|(c, s)| (c, (s - max).exp() / sum)).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        if known.is_empty() {
            // Nothing the model knows: no opinion.
            for r in &mut ranked {
                r.1 = 0.0;
            }
        }
        let best = ranked.first().map(|r| r.0).unwrap_or(0);
        // A feature's pull towards the best class: its log-odds against the others' average.
        let mut pulls: Vec<(f32, &String)> = known
            .iter()
            .map(|(f, v)| {
                let get = |c: usize| v.iter().find(|(k, _)| *k as usize == c).map(|(_, l)| *l).unwrap_or(self.unseen[c]);
                let others: f32 = (0..self.classes.len()).filter(|c| *c != best).map(get).sum::<f32>() / (self.classes.len().max(2) - 1) as f32;
                (get(best) - others, *f)
            })
            .filter(|(p, _)| *p > 0.0)
            .collect();
        pulls.sort_by(|a, b| b.0.total_cmp(&a.0));
        Prediction { ranked, top_features: pulls.into_iter().take(4).map(|(_, f)| f.clone()).collect() }
    }

    /// A compact binary form (for `build.rs` to write and the crate to read back).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![];
        let put_str = |out: &mut Vec<u8>, s: &str| {
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        };
        out.extend_from_slice(&(self.classes.len() as u32).to_le_bytes());
        for (i, c) in self.classes.iter().enumerate() {
            put_str(&mut out, c);
            out.extend_from_slice(&self.prior[i].to_le_bytes());
            out.extend_from_slice(&self.unseen[i].to_le_bytes());
        }
        let mut fs: Vec<(&String, &Vec<(u8, f32)>)> = self.features.iter().collect();
        fs.sort_by(|a, b| a.0.cmp(b.0));
        out.extend_from_slice(&(fs.len() as u32).to_le_bytes());
        for (f, v) in fs {
            put_str(&mut out, f);
            out.push(v.len() as u8);
            for (c, l) in v {
                out.push(*c);
                out.extend_from_slice(&l.to_le_bytes());
            }
        }
        out
    }

    /// Reads [`WordModel::to_bytes`]; `None` if the bytes are not a model.
    pub fn from_bytes(b: &[u8]) -> Option<WordModel> {
        let mut i = 0usize;
        let u32_at = |b: &[u8], i: &mut usize| -> Option<u32> {
            let v = u32::from_le_bytes(b.get(*i..*i + 4)?.try_into().ok()?);
            *i += 4;
            Some(v)
        };
        let f32_at = |b: &[u8], i: &mut usize| -> Option<f32> {
            let v = f32::from_le_bytes(b.get(*i..*i + 4)?.try_into().ok()?);
            *i += 4;
            Some(v)
        };
        let str_at = |b: &[u8], i: &mut usize| -> Option<String> {
            let n = u32::from_le_bytes(b.get(*i..*i + 4)?.try_into().ok()?) as usize;
            *i += 4;
            let s = std::str::from_utf8(b.get(*i..*i + n)?).ok()?.to_string();
            *i += n;
            Some(s)
        };
        let nc = u32_at(b, &mut i)? as usize;
        let (mut classes, mut prior, mut unseen) = (vec![], vec![], vec![]);
        for _ in 0..nc {
            classes.push(str_at(b, &mut i)?);
            prior.push(f32_at(b, &mut i)?);
            unseen.push(f32_at(b, &mut i)?);
        }
        let nf = u32_at(b, &mut i)? as usize;
        let mut features = HashMap::with_capacity(nf);
        for _ in 0..nf {
            let f = str_at(b, &mut i)?;
            let k = *b.get(i)? as usize;
            i += 1;
            let mut v = Vec::with_capacity(k);
            for _ in 0..k {
                let c = *b.get(i)?;
                i += 1;
                v.push((c, f32_at(b, &mut i)?));
            }
            features.insert(f, v);
        }
        Some(WordModel { classes, prior, unseen, features })
    }
}
