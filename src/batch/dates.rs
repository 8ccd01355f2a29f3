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

/// "31.12.2025 14:05" (day first, as German, Swiss, Austrian, Russian and Scandinavian
/// exports write dates) -> "2025-12-31 14:05", written into `buf` so that dates sort and the
/// calendar day reads the same across files. `None` for anything else. (Slashed dates are
/// left as written: "01/02/2025" is January in the US and February in Europe.)
pub(super) fn dotted_to_iso_in<'b>(s: &str, buf: &'b mut [u8; 40]) -> Option<&'b str> {
    let t = s.trim();
    let (day_part, rest) = t.split_once(' ').unwrap_or((t, ""));
    let mut it = day_part.split('.');
    let (d, m, y) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some_and(|x| !x.is_empty()) || !(1..=2).contains(&d.len()) || !(1..=2).contains(&m.len()) || y.len() != 4 {
        return None;
    }
    let (dn, mn, _yn): (u32, u32, u32) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
    if !(1..=31).contains(&dn) || !(1..=12).contains(&mn) {
        return None;
    }
    let rest = rest.trim();
    if rest.len() > 40 - 11 || !rest.bytes().all(|b| b.is_ascii_digit() || matches!(b, b':' | b' ' | b'.' | b'+' | b'-' | b'Z' | b'U' | b'T' | b'C')) {
        return None;
    }
    let mut n = 0;
    let mut put = |bytes: &[u8], n: &mut usize| {
        buf[*n..*n + bytes.len()].copy_from_slice(bytes);
        *n += bytes.len();
    };
    put(y.as_bytes(), &mut n);
    put(&[b'-', b'0' + (mn / 10) as u8, b'0' + (mn % 10) as u8, b'-', b'0' + (dn / 10) as u8, b'0' + (dn % 10) as u8], &mut n);
    if !rest.is_empty() {
        put(b" ", &mut n);
        put(rest.as_bytes(), &mut n);
    }
    std::str::from_utf8(&buf[..n]).ok()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_dates_are_written_year_first() {
        let mut b = [0u8; 40];
        assert_eq!(dotted_to_iso_in("31.12.2025 14:05", &mut b), Some("2025-12-31 14:05"));
        assert_eq!(dotted_to_iso_in("1.2.2026", &mut b), Some("2026-02-01"));
        assert_eq!(dotted_to_iso_in("01.02.26", &mut b), None);
        assert_eq!(dotted_to_iso_in("32.01.2026", &mut b), None);
        assert_eq!(dotted_to_iso_in("2026-01-02", &mut b), None);
        assert_eq!(dotted_to_iso_in("550 5.1.1", &mut b), None);
        assert_eq!(day_of("2025-12-31 14:05"), "2025-12-31");
    }
}
