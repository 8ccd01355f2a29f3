//! Bytes to text: which encoding a file or a paste is in, and transcoding to UTF-8 (whole, or
//! chunk by chunk for streams). One sniffer serves the email reader, the Paste view and the
//! export reader.

use encoding_rs::{Decoder, Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

/// The text encoding of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

impl TextEncoding {
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 (with BOM)",
            TextEncoding::Utf16Le => "UTF-16 LE",
            TextEncoding::Utf16Be => "UTF-16 BE",
            TextEncoding::Windows1252 => "Windows-1252",
        }
    }
    fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => UTF_8,
            TextEncoding::Utf16Le => UTF_16LE,
            TextEncoding::Utf16Be => UTF_16BE,
            TextEncoding::Windows1252 => WINDOWS_1252,
        }
    }
}

/// Detects the encoding from the first bytes: a BOM; UTF-16 without a BOM (ASCII text in
/// UTF-16 has a zero in every other byte); valid UTF-8; else Windows-1252, the encoding of
/// spreadsheets saved on Windows.
pub fn sniff(head: &[u8]) -> TextEncoding {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return TextEncoding::Utf8Bom;
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return TextEncoding::Utf16Le;
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return TextEncoding::Utf16Be;
    }
    let sample = &head[..head.len().min(4096)];
    if sample.len() >= 8 {
        let even_zero = sample.iter().step_by(2).filter(|b| **b == 0).count();
        let odd_zero = sample.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
        let half = sample.len() / 2;
        if odd_zero * 10 > half * 8 && even_zero * 10 < half {
            return TextEncoding::Utf16Le;
        }
        if even_zero * 10 > half * 8 && odd_zero * 10 < half {
            return TextEncoding::Utf16Be;
        }
    }
    match std::str::from_utf8(head) {
        Ok(_) => TextEncoding::Utf8,
        // A multi-byte character cut at the end of the sample is still UTF-8.
        Err(e) if e.error_len().is_none() => TextEncoding::Utf8,
        Err(_) => TextEncoding::Windows1252,
    }
}

/// Reads bytes as text in the encoding [`sniff`] finds. Returns the text and its encoding.
pub fn decode(bytes: &[u8]) -> (String, TextEncoding) {
    let enc = sniff(&bytes[..bytes.len().min(64 * 1024)]);
    let enc = match enc {
        // The head was UTF-8 but a later byte may not be: check the whole.
        TextEncoding::Utf8 if std::str::from_utf8(bytes).is_err() => TextEncoding::Windows1252,
        e => e,
    };
    let mut out = Vec::with_capacity(bytes.len());
    Transcoder::new(enc).feed(bytes, &mut out, true);
    (String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()), enc)
}

/// Transcodes a byte stream to UTF-8, chunk by chunk.
pub struct Transcoder {
    enc: TextEncoding,
    decoder: Option<Decoder>,
    skipped_bom: bool,
}

impl Transcoder {
    pub fn new(enc: TextEncoding) -> Self {
        let decoder = match enc {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => None,
            other => Some(other.encoding().new_decoder_with_bom_removal()),
        };
        Transcoder { enc, decoder, skipped_bom: false }
    }

    /// Appends the UTF-8 text of `input` to `out`. `last` flushes a pending partial character.
    /// UTF-8 input is passed through as it is (the parsers read invalid bytes of a field as
    /// Windows-1252, see [`field_text`]).
    pub fn feed(&mut self, mut input: &[u8], out: &mut Vec<u8>, last: bool) {
        if !self.skipped_bom {
            if self.enc == TextEncoding::Utf8Bom && input.starts_with(&[0xEF, 0xBB, 0xBF]) {
                input = &input[3..];
            }
            self.skipped_bom = true;
        }
        match &mut self.decoder {
            None => out.extend_from_slice(input),
            Some(d) => {
                let need = d.max_utf8_buffer_length(input.len()).unwrap_or(input.len() * 3 + 16);
                let start = out.len();
                out.resize(start + need, 0);
                let (_, _, written, _) = d.decode_to_utf8(input, &mut out[start..], last);
                out.truncate(start + written);
            }
        }
    }

    pub fn encoding(&self) -> TextEncoding {
        self.enc
    }
}

/// Reads a field's bytes as text: UTF-8, or Windows-1252 where the bytes are not UTF-8
/// (files that mix encodings exist).
pub fn field_text(b: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => WINDOWS_1252.decode_without_bom_handling(b).0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_and_decodes() {
        assert_eq!(sniff(b"hello"), TextEncoding::Utf8);
        assert_eq!(sniff(b"\xEF\xBB\xBFhello"), TextEncoding::Utf8Bom);
        let le: Vec<u8> = "email,reason\n".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        assert_eq!(sniff(&le), TextEncoding::Utf16Le);
        assert_eq!(decode(&le).0, "email,reason\n");
        let be: Vec<u8> = "email,reason\n".encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(decode(&be), ("email,reason\n".to_string(), TextEncoding::Utf16Be));
        assert_eq!(decode(b"caf\xe9"), ("café".to_string(), TextEncoding::Windows1252));
        assert_eq!(decode(b"\xEF\xBB\xBFcaf\xc3\xa9").0, "café");
    }

    #[test]
    fn streams_split_inside_a_character() {
        assert_eq!(sniff(b"\xEF\xBB\xBFa,b"), TextEncoding::Utf8Bom);
        assert_eq!(sniff(b"\xFF\xFEa\0,\0b\0"), TextEncoding::Utf16Le);
        assert_eq!(sniff("caf\u{e9}".as_bytes()), TextEncoding::Utf8);
        assert_eq!(sniff(b"caf\xE9 au lait"), TextEncoding::Windows1252);
        let mut t = Transcoder::new(TextEncoding::Utf16Le);
        let mut out = vec![];
        let src: Vec<u8> = [0xFF, 0xFE].into_iter().chain("é,x\n".encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
        // Split in the middle of a code unit.
        t.feed(&src[..3], &mut out, false);
        t.feed(&src[3..], &mut out, true);
        assert_eq!(String::from_utf8(out).unwrap(), "é,x\n");
    }
}
