//! Dates as exports write them: Unix times turned into dates people read, and the calendar day
//! that tells separate sends apart.

/// "1767225600" (or milliseconds) -> "2026-01-01 00:00:00 UTC"; `None` for anything else.
pub fn epoch_to_iso(s: &str) -> Option<String> {
    let mut buf = [0u8; 23];
    epoch_to_iso_in(s, &mut buf).map(str::to_string)
}

/// [`epoch_to_iso`] written into `buf` (no allocation: it runs for every row of some exports).
pub(super) fn epoch_to_iso_in<'b>(s: &str, buf: &'b mut [u8; 23]) -> Option<&'b str> {
    let t = s.trim();
    if !(9..=13).contains(&t.len()) || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut secs: i64 = t.parse().ok()?;
    if t.len() == 13 {
        secs /= 1000;
    }
    // Plausible range: 2001 to 2100.
    if !(978_307_200..4_102_444_800).contains(&secs) {
        return None;
    }
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    // "YYYY-MM-DD hh:mm:ss UTC"
    let put = |buf: &mut [u8; 23], at: usize, v: i64, width: usize| {
        let mut v = v;
        for i in (0..width).rev() {
            buf[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    *buf = *b"0000-00-00 00:00:00 UTC";
    put(buf, 0, y, 4);
    put(buf, 5, m, 2);
    put(buf, 8, d, 2);
    put(buf, 11, rem / 3600, 2);
    put(buf, 14, rem % 3600 / 60, 2);
    put(buf, 17, rem % 60, 2);
    std::str::from_utf8(&buf[..]).ok()
}

/// "2024-05-01T10:00:00Z" -> "2024-05-01"; other formats: the date part before a time.
pub(super) fn day_of(date: &str) -> &str {
    let d = date.trim();
    if d.len() >= 10 && d.as_bytes()[4] == b'-' && d.as_bytes()[7] == b'-' {
        if let Some(day) = d.get(..10) {
            return day;
        }
    }
    d.split([' ', 'T']).next().unwrap_or(d)
}
