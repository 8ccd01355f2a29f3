//! The key that tells two rows share a verdict: a 128-bit hash of what the classifier reads
//! (the reply, its codes, the label, the provider), with what varies between bounces of the
//! same reply masked (addresses, IPs, one-off ids, server numbers). Each distinct key is
//! classified once.

/// Two independent 64-bit Fx hashes fed the same bytes: a 128-bit key.
struct Hash128(rustc_hash::FxHasher, rustc_hash::FxHasher);

impl Hash128 {
    fn new() -> Self {
        use std::hash::{BuildHasher, Hasher};
        let mut b = rustc_hash::FxBuildHasher.build_hasher();
        b.write_u64(0x9E37_79B9_7F4A_7C15);
        Hash128(rustc_hash::FxBuildHasher.build_hasher(), b)
    }
    fn write(&mut self, bytes: &[u8]) {
        use std::hash::Hasher;
        self.0.write(bytes);
        self.1.write(bytes);
    }
    /// Ends the current part (parts "ab"+"c" and "a"+"bc" hash differently).
    fn end_part(&mut self) {
        self.write(&[0x1f]);
    }
    fn finish(mut self, complaint: bool, provider: Option<u16>) -> u128 {
        use std::hash::Hasher;
        let tail = (complaint as u32) << 16 | provider.map(|p| p as u32 + 1).unwrap_or(0);
        self.0.write_u32(tail);
        self.1.write_u32(tail);
        ((self.0.finish() as u128) << 64) | self.1.finish() as u128
    }
}

/// The 128-bit hash of a row's classification inputs, with the reply masked on the fly.
pub(super) fn masked_key(diag: &str, others: &[&str], complaint: bool, provider: Option<u16>) -> u128 {
    let mut h = Hash128::new();
    if !mask_segments(diag, |seg| h.write(seg.as_bytes())) {
        h.write(diag.as_bytes());
    }
    h.end_part();
    for p in others {
        h.write(p.as_bytes());
        h.end_part();
    }
    h.finish(complaint, provider)
}

/// A 128-bit hash of a row's classification inputs.
pub(super) fn hash128(parts: &[&str], complaint: bool, provider: Option<u16>) -> u128 {
    let mut h = Hash128::new();
    for p in parts {
        h.write(p.as_bytes());
        h.end_part();
    }
    h.finish(complaint, provider)
}

/// Masks what varies from one bounce to the next in the same reply: email addresses, IPv4
/// addresses, one-off ids (tokens of 8+ characters mixing letters and digits that are not host
/// names, like Gmail's session ids), and the numbers inside host names (`mta1234.mail.gq1.
/// yahoo.com` -> `mta#.mail.gq#.yahoo.com`). Words, codes and the domains of host names are
/// kept, so wording and provider markers still decide.
pub fn normalize_reply(s: &str) -> std::borrow::Cow<'_, str> {
    let mut out: Option<String> = None;
    let masked = mask_segments(s, |seg| out.get_or_insert_with(|| String::with_capacity(s.len())).push_str(seg));
    match (masked, out) {
        (true, Some(o)) => std::borrow::Cow::Owned(o),
        _ => std::borrow::Cow::Borrowed(s),
    }
}

/// Walks `s` and emits it in segments with the masked tokens replaced; returns whether any
/// token was masked (when none was, `emit` is never called: the text stands as it is).
fn mask_segments(s: &str, mut emit: impl FnMut(&str)) -> bool {
    // Byte classes: 1 = delimiter, 2 = digit or '@' (a token worth a look).
    static CLASS: [u8; 256] = {
        let mut t = [0u8; 256];
        let delims = b" \t\r\n\x0b\x0c<>()[]\"',;={}/";
        let mut i = 0;
        while i < delims.len() {
            t[delims[i] as usize] = 1;
            i += 1;
        }
        let mut d = b'0';
        while d <= b'9' {
            t[d as usize] = 2;
            d += 1;
        }
        t[b'@' as usize] = 2;
        t
    };
    let b = s.as_bytes();
    let mut copied = 0; // bytes of `s` already emitted
    let mut any = false;
    let mut i = 0;
    let n = b.len();
    while i < n {
        if CLASS[b[i] as usize] == 1 {
            i += 1;
            continue;
        }
        let start = i;
        let mut interesting = 0u8;
        while i < n {
            let c = CLASS[b[i] as usize];
            if c == 1 {
                break;
            }
            interesting |= c;
            i += 1;
        }
        if interesting == 0 || i - start < 5 {
            continue;
        }
        // Trailing punctuation is not part of the token.
        let mut end = i;
        while end > start && matches!(b[end - 1], b'.' | b':' | b'!' | b'?') {
            end -= 1;
        }
        if let Some(rep) = mask_token(&s[start..end]) {
            emit(&s[copied..start]);
            emit(&rep);
            copied = end;
            any = true;
        }
    }
    if any {
        emit(&s[copied..]);
    }
    any
}

fn mask_token(t: &str) -> Option<std::borrow::Cow<'static, str>> {
    use std::borrow::Cow;
    let b = t.as_bytes();
    // One pass over the token's bytes.
    let (mut digits, mut letters, mut dots, mut dashes) = (0usize, 0usize, 0usize, 0usize);
    let (mut at, mut colon, mut other) = (None, None, false);
    let mut last_dot = None;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'0'..=b'9' => digits += 1,
            b'a'..=b'z' | b'A'..=b'Z' => letters += 1,
            b'.' => {
                dots += 1;
                last_dot = Some(i);
            }
            b'-' => dashes += 1,
            b'@' => {
                if at.is_none() {
                    at = Some(i)
                }
            }
            b':' => {
                if colon.is_none() {
                    colon = Some(i)
                }
            }
            _ => other = true,
        }
    }
    if let Some(at) = at {
        let domain = &b[at + 1..];
        if at > 0 && domain.contains(&b'.') {
            return Some(Cow::Borrowed("[address]"));
        }
        return None;
    }
    // IPv4 (optionally with a :port).
    let ip = &b[..colon.unwrap_or(b.len())];
    if ip.len() >= 7 && ip.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
        let parts: usize = ip.split(|c| *c == b'.').filter(|p| !p.is_empty() && p.len() <= 3).count();
        if parts == 4 && ip.iter().filter(|c| **c == b'.').count() == 3 {
            return Some(Cow::Borrowed("[ip]"));
        }
    }
    if b.len() < 8 || other || colon.is_some() || digits < 1 || letters < 2 {
        return None;
    }
    let _ = dashes;
    let hostname = dots > 0 && last_dot.is_some_and(|d| b.len() - d > 2 && b[d + 1..].iter().all(|c| c.is_ascii_alphabetic()));
    if hostname {
        // Server names: keep the name, drop the numbering of the server.
        let mut o = String::with_capacity(t.len());
        let mut in_digits = false;
        for ch in t.chars() {
            if ch.is_ascii_digit() {
                if !in_digits {
                    o.push('#');
                }
                in_digits = true;
            } else {
                o.push(ch);
                in_digits = false;
            }
        }
        return Some(Cow::Owned(o));
    }
    if digits >= 2 {
        return Some(Cow::Borrowed("[id]"));
    }
    None
}
