//! Mbox files: messages one after the other, each starting with a `From ` line. The splitter
//! is a push parser, so a stream (the export reader) and a whole file (the Paste view, the
//! CLI) are split by the same code.

use memchr::memmem;

/// Whether bytes look like an mbox: they start with a `From ` line and another follows.
pub fn is_mbox(bytes: &[u8]) -> bool {
    bytes.starts_with(b"From ") && memmem::find(&bytes[5..], b"\nFrom ").is_some()
}

/// What the splitter found.
pub enum Piece<'a> {
    /// A complete message, without its `From ` envelope line.
    Message(&'a [u8]),
    /// A message longer than the limit was dropped.
    TooLong,
}

/// Splits a stream of mbox bytes into messages as their separators arrive.
#[derive(Default)]
pub struct Splitter {
    buf: Vec<u8>,
}

impl Splitter {
    /// Adds bytes; calls `on` for each message that is now complete. A message longer than
    /// `max` bytes is dropped (and reported as [`Piece::TooLong`]).
    pub fn feed(&mut self, bytes: &[u8], max: usize, mut on: impl FnMut(Piece)) {
        self.buf.extend_from_slice(bytes);
        let mut start = 0;
        let mut search = 1;
        while let Some(p) = memmem::find(&self.buf[search.min(self.buf.len())..], b"\nFrom ") {
            let at = search + p + 1;
            if let Some(m) = message(&self.buf[start..at]) {
                on(Piece::Message(m));
            }
            start = at;
            search = at + 1;
        }
        self.buf.drain(..start);
        if self.buf.len() > max {
            self.buf.clear();
            on(Piece::TooLong);
        }
    }

    /// Ends the stream: the last message.
    pub fn finish(&mut self, mut on: impl FnMut(Piece)) {
        let rest = std::mem::take(&mut self.buf);
        if let Some(m) = message(&rest) {
            on(Piece::Message(m));
        }
    }
}

/// A message without its envelope line; `None` when only blank lines are left.
fn message(m: &[u8]) -> Option<&[u8]> {
    let m = if m.starts_with(b"From ") {
        match memchr::memchr(b'\n', m) {
            Some(nl) => &m[nl + 1..],
            None => &m[m.len()..],
        }
    } else {
        m
    };
    (!m.iter().all(|b| b.is_ascii_whitespace())).then_some(m)
}

/// Splits a whole mbox into its messages (the same boundaries as the [`Splitter`]).
pub fn split(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = vec![];
    let mut start = 0;
    let mut search = 1;
    while let Some(p) = memmem::find(&bytes[search.min(bytes.len())..], b"\nFrom ") {
        let at = search + p + 1;
        out.extend(message(&bytes[start..at]));
        start = at;
        search = at + 1;
    }
    out.extend(message(&bytes[start..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_and_streamed_agree() {
        let mbox = b"From a@b Mon\nSubject: one\n\nbody\nFrom c@d Tue\nSubject: two\n\nbody two\n";
        assert!(is_mbox(mbox));
        let whole: Vec<Vec<u8>> = split(mbox).into_iter().map(|m| m.to_vec()).collect();
        assert_eq!(whole.len(), 2);
        assert!(whole[0].starts_with(b"Subject: one"));
        for chunk in [1, 3, 7, 100] {
            let mut s = Splitter::default();
            let mut got: Vec<Vec<u8>> = vec![];
            let mut on = |p: Piece| match p {
                Piece::Message(m) => got.push(m.to_vec()),
                Piece::TooLong => panic!("not too long"),
            };
            for c in mbox.chunks(chunk) {
                s.feed(c, 1 << 20, &mut on);
            }
            s.finish(&mut on);
            assert_eq!(got, whole, "chunks of {chunk}");
        }
        assert!(!is_mbox(b"From a@b\nSubject: x\n\nbody"));
    }
}
