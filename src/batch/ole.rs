//! A bounds check of an `.xls` file's compound-file (OLE) tables before calamine reads it.
//!
//! calamine 0.27 trusts the numbers in those tables: it grows a buffer to the offset a sector
//! number names and reserves room for the counts and stream lengths the header gives. A
//! damaged 5 KB file made it ask for 930 GB (found by fuzzing; the input is
//! `tests/fixtures/fuzz/xlsx/huge-allocation.bin`), and on wasm32 a 64-bit stream length would
//! panic. calamine 0.32 and later check the sector numbers themselves, but they bring a second,
//! newer `zip` crate and another deflate back end into both builds; until this crate moves to
//! that `zip`, every number calamine follows is checked here against the file's own size.
//! This reads nothing out of the file: it only refuses tables that point outside it.

const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
/// Sector numbers from here up are markers (free, end of chain, FAT or DIFAT sector).
const RESERVED: u32 = 0xFFFF_FFFA;
const DIFAT_SECTOR: u32 = 0xFFFF_FFFC;

/// Why the file's tables cannot be trusted, or `Ok` when every number calamine follows stays
/// inside the file. Files that are no compound file at all are calamine's to refuse.
pub fn check(b: &[u8]) -> Result<(), String> {
    if b.len() < 512 || b[..8] != SIGNATURE {
        return Ok(());
    }
    let damaged = |what: &str| Err(format!("This workbook is damaged: its {what} points outside the file."));
    let u32_at = |o: usize| b.get(o..o + 4).map(|x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]));
    let size = match u16::from_le_bytes([b[30], b[31]]) {
        9 => 512usize,
        12 => 4096,
        _ => return Ok(()),
    };
    // Sector n starts at (n + 1) * size: the file holds at most this many.
    let sectors = (b.len() / size) as u64;
    let in_file = |id: u32| id >= RESERVED || u64::from(id) < sectors;
    let sector = |id: u32| -> Option<&[u8]> {
        let start = (id as usize).checked_add(1)?.checked_mul(size)?;
        b.get(start..start.checked_add(size)?)
    };
    let entries = |s: &[u8]| s.chunks_exact(4).map(|x| u32::from_le_bytes([x[0], x[1], x[2], x[3]])).collect::<Vec<_>>();

    // The header's counts (calamine reserves room for them) and first sectors.
    let header = |o: usize| u32_at(o).unwrap_or(0);
    let (dir_len, fat_len, mini_fat_len) = (header(40), header(44), header(64));
    if [dir_len, fat_len, mini_fat_len].iter().any(|&n| u64::from(n) > sectors) {
        return damaged("header");
    }
    // calamine reads its DIFAT count from bytes 62..66 (straddling two fields); it only
    // reserves room with it, so a bound on the allocation is enough.
    if header(62) > 1 << 24 {
        return damaged("header");
    }
    let (dir_start, mini_fat_start, difat_start) = (header(48), header(60), header(68));
    let mini_cutoff = header(56);
    if ![dir_start, mini_fat_start, difat_start].into_iter().all(in_file) {
        return damaged("header");
    }

    // The DIFAT: 109 entries in the header, then a chain of sectors, each ending with the next.
    let mut difat = entries(&b[76..512]);
    let mut next = difat_start;
    let mut steps = 0u64;
    while next < RESERVED {
        steps += 1;
        let Some(s) = sector(next).filter(|_| steps <= sectors) else { return damaged("sector table") };
        let mut e = entries(s);
        next = e.pop().unwrap_or(u32::MAX);
        if !in_file(next) {
            return damaged("sector table");
        }
        difat.extend(e);
    }
    // The FAT, whose entries are the chains calamine follows.
    let mut fat = Vec::new();
    for id in difat.into_iter().filter(|&id| id < DIFAT_SECTOR) {
        let Some(s) = sector(id) else { return damaged("sector table") };
        fat.extend(entries(s));
    }
    if !fat.iter().all(|&id| in_file(id)) {
        return damaged("sector table");
    }

    // The directory's entries: the length of each stream (calamine reserves room for it).
    let mut id = dir_start;
    let mut steps = 0u64;
    while id < RESERVED {
        steps += 1;
        let Some(s) = sector(id).filter(|_| steps <= sectors) else { return damaged("directory") };
        for entry in s.chunks_exact(128) {
            let len = if size == 512 {
                u64::from(u32::from_le_bytes([entry[120], entry[121], entry[122], entry[123]]))
            } else {
                u64::from_le_bytes(entry[120..128].try_into().unwrap_or([0xFF; 8]))
            };
            if len > b.len() as u64 {
                return damaged("directory");
            }
            // Where the stream starts: a sector of the file, or of the mini stream (64-byte
            // sectors inside the file) for streams under the cutoff.
            let start = u32::from_le_bytes([entry[116], entry[117], entry[118], entry[119]]);
            let fits = if len < u64::from(mini_cutoff) { u64::from(start) < (b.len() as u64) / 64 } else { in_file(start) };
            if len > 0 && start < RESERVED && !fits {
                return damaged("directory");
            }
        }
        id = fat.get(id as usize).copied().unwrap_or(u32::MAX);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fuzzed_workbook_is_refused_before_calamine_reads_it() {
        let bad = include_bytes!("../../tests/fixtures/fuzz/xlsx/huge-allocation.bin");
        let why = check(bad).unwrap_err();
        assert!(why.starts_with("This workbook is damaged"), "{why}");
    }

    #[test]
    fn a_stream_starting_past_the_end_is_refused() {
        let bad = include_bytes!("../../tests/fixtures/fuzz/xlsx/stream-start-past-the-end.bin");
        assert!(check(bad).unwrap_err().starts_with("This workbook is damaged"));
    }

    #[test]
    fn real_workbooks_and_other_files_pass() {
        let xls = include_bytes!("../../tests/fixtures/odd/export.xls");
        assert_eq!(&xls[..8], &SIGNATURE);
        assert_eq!(check(xls), Ok(()));
        assert_eq!(check(b"email,diagnostic\n"), Ok(()));
        assert_eq!(check(&[0u8; 600]), Ok(()));
    }

    #[test]
    fn a_sector_number_past_the_end_is_refused() {
        let mut b = vec![0u8; 1536];
        b[..8].copy_from_slice(&SIGNATURE);
        b[30] = 9;
        for o in [48, 60, 68] {
            b[o..o + 4].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
        }
        for e in b[76..512].chunks_exact_mut(4) {
            e.copy_from_slice(&u32::MAX.to_le_bytes());
        }
        assert_eq!(check(&b), Ok(()));
        b[76..80].copy_from_slice(&0x0100_0000u32.to_le_bytes());
        assert!(check(&b).is_err());
    }
}
