//! A bounds check of an `.xls` file's compound-file (OLE) tables before calamine reads it.
//!
//! calamine 0.27 trusts the numbers in those tables: it grows a buffer to the offset a sector
//! number names and reserves room for the counts and stream lengths the header gives. A
//! damaged 5 KB file made it ask for 930 GB (found by fuzzing; the input is
//! `tests/fixtures/fuzz/xlsx/huge-allocation.bin`), and on wasm32 a 64-bit stream length would
//! panic. calamine 0.32 and later check the sector numbers themselves, but they bring a second,
//! newer `zip` crate and another deflate back end into both builds; until this crate moves to
//! that `zip`, every number calamine follows is checked here against the file's own size.
//!
//! calamine parses every sheet of an `.xls` when it opens it, so the check goes on into the
//! workbook stream: it follows each sector chain as calamine will (refusing chains that loop,
//! run into a free sector or leave the table), takes out the `Workbook` stream, and walks its
//! BIFF records for the numbers calamine reserves room by (the DIMENSIONS range, the shared
//! string count), the sheet offsets it slices at, the record lengths it indexes without a
//! check, and the cells' bounding box, which calamine turns into one dense grid.

const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
/// Sector numbers from here up are markers (free, end of chain, FAT or DIFAT sector).
const RESERVED: u32 = 0xFFFF_FFFA;
const DIFAT_SECTOR: u32 = 0xFFFF_FFFC;
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
/// The most cells one sheet's grid may hold: 65,536 rows by 256 columns, the most an `.xls`
/// sheet can have. calamine makes one dense grid of a sheet's cells, and reserves the
/// DIMENSIONS range.
pub const MAX_CELLS: u64 = 1 << 24;

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

    // A chain as calamine follows it: from `start`, through the table, to the end-of-chain
    // marker. calamine indexes the table with every id before that marker, and reads the
    // sector (or mini sector) it names; an id past either, or a loop, is refused.
    let chain = |start: u32, table: &[u32], units: u64| -> Option<Vec<u32>> {
        let mut ids = Vec::new();
        let mut id = start;
        while id != END_OF_CHAIN {
            if ids.len() as u64 >= units || u64::from(id) >= units {
                return None;
            }
            ids.push(id);
            id = *table.get(id as usize)?;
        }
        Some(ids)
    };
    let read = |ids: &[u32], len: usize| -> Vec<u8> {
        let mut out = Vec::new();
        for &id in ids {
            let start = (id as usize + 1) * size;
            out.extend_from_slice(&b[start.min(b.len())..(start + size).min(b.len())]);
        }
        if len > 0 {
            out.truncate(len);
        }
        out
    };

    // The directory: entries of 128 bytes (calamine slices each whole).
    let Some(ids) = chain(dir_start, &fat, sectors) else { return damaged("directory") };
    let dir = read(&ids, dir_len as usize * size);
    if dir.is_empty() || dir.len() % 128 != 0 {
        return damaged("directory");
    }
    struct Entry {
        name: Vec<u16>,
        start: u32,
        len: u64,
    }
    let mut dirs = Vec::new();
    for entry in dir.chunks_exact(128) {
        let len = if size == 512 {
            u64::from(u32::from_le_bytes([entry[120], entry[121], entry[122], entry[123]]))
        } else {
            u64::from_le_bytes(entry[120..128].try_into().unwrap_or([0xFF; 8]))
        };
        if len > b.len() as u64 {
            return damaged("directory");
        }
        let start = u32::from_le_bytes([entry[116], entry[117], entry[118], entry[119]]);
        let name = entry[..64].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).take_while(|&c| c != 0).collect();
        dirs.push(Entry { name, start, len });
    }

    // The mini stream (in the root entry's chain) and its table, read when the header counts
    // any mini table sector.
    let (mini_fat, mini_stream) = if mini_fat_len > 0 {
        let Some(ids) = chain(dirs[0].start, &fat, sectors) else { return damaged("mini stream") };
        let stream = read(&ids, dirs[0].len as usize);
        let Some(ids) = chain(mini_fat_start, &fat, sectors) else { return damaged("mini stream") };
        (entries(&read(&ids, mini_fat_len as usize * size)), stream)
    } else {
        (Vec::new(), Vec::new())
    };

    // The workbook stream: in the mini stream under 4,096 bytes (calamine's cutoff), else in
    // the file's sectors.
    let named = |n: &str| dirs.iter().find(|d| String::from_utf16_lossy(&d.name) == n);
    let Some(wb) = named("Workbook").or_else(|| named("Book")) else { return Ok(()) };
    let stream = if wb.len < 4096 {
        let units = (mini_stream.len() as u64).div_ceil(64);
        let Some(ids) = chain(wb.start, &mini_fat, units) else { return damaged("workbook stream") };
        let mut out = Vec::new();
        for id in ids {
            let at = id as usize * 64;
            out.extend_from_slice(&mini_stream[at..(at + 64).min(mini_stream.len())]);
        }
        if wb.len > 0 {
            out.truncate(wb.len as usize);
        }
        out
    } else {
        let Some(ids) = chain(wb.start, &fat, sectors) else { return damaged("workbook stream") };
        read(&ids, wb.len as usize)
    };
    check_biff(&stream)
}

/// One BIFF record as calamine's record reader gives it: the type, the data, and the data of
/// the CONTINUE records after it.
struct Record<'a> {
    typ: u16,
    data: &'a [u8],
    more: Vec<&'a [u8]>,
}

/// The records from `at`, until the stream ends, a length runs past it (calamine stops there
/// with an error) or an EOF record.
fn records(stream: &[u8], at: usize) -> Vec<Record<'_>> {
    let mut out = Vec::new();
    let mut rest = &stream[at.min(stream.len())..];
    fn next<'a>(rest: &mut &'a [u8]) -> Option<(u16, &'a [u8])> {
        let typ = u16::from_le_bytes([*rest.first()?, *rest.get(1)?]);
        let len = usize::from(u16::from_le_bytes([*rest.get(2)?, *rest.get(3)?]));
        let data = rest.get(4..4 + len)?;
        *rest = &rest[4 + len..];
        Some((typ, data))
    }
    while let Some((typ, data)) = next(&mut rest) {
        let mut more = Vec::new();
        while rest.len() > 4 && rest[..2] == [0x3C, 0x00] {
            match next(&mut rest) {
                Some((_, d)) => more.push(d),
                None => break,
            }
        }
        let eof = typ == 0x000A;
        out.push(Record { typ, data, more });
        if eof {
            break;
        }
    }
    out
}

/// The workbook stream's records, checked where calamine 0.27 trusts them.
fn check_biff(stream: &[u8]) -> Result<(), String> {
    let damaged = |what: &str| Err(format!("This workbook is damaged: {what}."));
    let u16_at = |d: &[u8], o: usize| d.get(o..o + 2).map(|x| u16::from_le_bytes([x[0], x[1]]));
    let u32_at = |d: &[u8], o: usize| d.get(o..o + 4).map(|x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]));
    let mut sheets = Vec::new();
    for r in records(stream, 0) {
        let d = r.data;
        // Records whose first field calamine reads without a length check.
        let min = match r.typ {
            0x002F | 0x0042 | 0x0022 | 0x0809 | 0x0017 => 2,
            0x0085 => 8,
            0x0018 => 14,
            _ => 0,
        };
        if d.len() < min {
            return damaged("a record is shorter than its fields");
        }
        match r.typ {
            0x0085 => sheets.push(u32_at(d, 0).unwrap_or(0) as usize),
            // A defined name: its name and formula lie inside the record.
            0x0018 => {
                let cch = usize::from(d[3]);
                let cce = usize::from(u16_at(d, 4).unwrap_or(0));
                if 15 + cch > d.len() || cce > d.len() {
                    return damaged("a defined name is longer than its record");
                }
                let rgce = &d[d.len() - cce..];
                let need = match rgce.first() {
                    Some(0x3a | 0x5a | 0x7a) => 7,
                    Some(0x3b | 0x5b | 0x7b) => 11,
                    Some(0x3c | 0x5c | 0x7c | 0x3d | 0x5d | 0x7d) => 3,
                    _ => 0,
                };
                if rgce.len() < need {
                    return damaged("a defined name's formula is cut short");
                }
            }
            // ExternSheet: calamine reads 6 bytes from every entry it takes.
            0x0017 => {
                let count = usize::from(u16_at(d, 0).unwrap_or(0));
                let body = d.len() - 2;
                if count > body / 6 && body % 6 != 0 {
                    return damaged("a sheet reference is cut short");
                }
            }
            0x00FC => check_sst(&r)?,
            _ => {}
        }
    }
    for pos in sheets {
        if pos > stream.len() {
            return damaged("a sheet starts past the end of the workbook");
        }
        // The cells in the order calamine gathers them, for the grid it makes of them.
        let (mut rows, mut cols) = ((u32::MAX, 0u32), (u32::MAX, 0u32));
        let mut last_row = 0;
        let mut formula_at = (0, 0);
        let mut cell = |row: u32, col: u32| -> bool {
            let in_order = row >= last_row;
            last_row = row;
            rows = (rows.0.min(row), rows.1.max(row));
            cols = (cols.0.min(col), cols.1.max(col));
            in_order
        };
        for r in records(stream, pos) {
            let d = r.data;
            let at = |o| u32::from(u16_at(d, o).unwrap_or(0));
            let ok = match r.typ {
                0x0200 => {
                    let dims = match d.len() {
                        10 => Some((at(0), at(2), at(4), at(6))),
                        14 => Some((u32_at(d, 0).unwrap_or(0), u32_at(d, 4).unwrap_or(0), at(8), at(10))),
                        _ => None,
                    };
                    match dims {
                        Some((rf, rl, cf, cl)) if rl >= 1 && cl >= 1 => {
                            rl - 1 >= rf && cl - 1 >= cf && u64::from(rl - rf) * u64::from(cl - cf) <= MAX_CELLS
                        }
                        _ => true,
                    }
                }
                0x0203 if d.len() >= 14 => cell(at(0), at(2)),
                0x0204 | 0x0205 | 0x027E | 0x00FD if d.len() >= 6 => cell(at(0), at(2)),
                0x0006 if d.len() >= 20 => {
                    formula_at = (at(0), at(2));
                    cell(at(0), at(2))
                }
                0x0207 => cell(formula_at.0, formula_at.1),
                0x00BD if d.len() >= 6 => {
                    let (first, last) = (at(2), u32::from(u16_at(d, d.len() - 2).unwrap_or(0)));
                    last >= first && cell(at(0), first) && cell(at(0), last)
                }
                0x00E5 => {
                    let count = at(0) as usize;
                    d.len() >= 2 && count < 8192 && d.len() >= 2 + 8 * count
                }
                _ => true,
            };
            if !ok {
                return damaged("a sheet's cells are out of order or out of range");
            }
        }
        if rows.0 <= rows.1 && u64::from(rows.1 - rows.0 + 1) * u64::from(cols.1 - cols.0 + 1) > MAX_CELLS {
            return damaged("a sheet's cells span more than an .xls sheet can hold");
        }
    }
    Ok(())
}

/// The shared strings as calamine reads them: a count it reserves room for, then strings
/// that may run on into CONTINUE records.
fn check_sst(r: &Record<'_>) -> Result<(), String> {
    let damaged = || Err("This workbook is damaged: its shared strings are cut short.".to_string());
    let d = r.data;
    if d.len() < 8 {
        return Ok(()); // calamine refuses it
    }
    let count = i32::from_le_bytes([d[4], d[5], d[6], d[7]]);
    let total: usize = d.len() + r.more.iter().map(|m| m.len()).sum::<usize>();
    // Each string takes at least 3 bytes.
    if count < 0 || count as usize > total / 3 {
        return damaged();
    }
    // Walk the strings: a part is the current record, then each CONTINUE in turn.
    let mut parts = r.more.iter().copied();
    let mut cur = &d[8..];
    for _ in 0..count {
        if cur.is_empty() {
            match parts.next() {
                Some(p) => cur = p,
                None => return Ok(()), // calamine stops with an error
            }
        }
        if cur.len() < 3 {
            return Ok(());
        }
        let mut cch = usize::from(u16::from_le_bytes([cur[0], cur[1]]));
        let flags = cur[2];
        cur = &cur[3..];
        let mut extra = 0usize;
        if flags & 0x8 != 0 {
            let Some(x) = cur.get(..2) else { return damaged() };
            extra += 4 * usize::from(u16::from_le_bytes([x[0], x[1]]));
            cur = &cur[2..];
        }
        if flags & 0x4 != 0 {
            let Some(x) = cur.get(..4) else { return damaged() };
            let n = i32::from_le_bytes([x[0], x[1], x[2], x[3]]);
            if n < 0 {
                return damaged();
            }
            extra += n as usize;
            cur = &cur[4..];
        }
        // The characters, one or two bytes each, continued with a new flags byte.
        let mut wide = flags & 0x1 != 0;
        while cch > 0 {
            let width = if wide { 2 } else { 1 };
            let n = (cur.len() / width).min(cch);
            cur = &cur[n * width..];
            cch -= n;
            if cch > 0 {
                match parts.next() {
                    Some(p) if !p.is_empty() => {
                        wide = p[0] & 0x1 != 0;
                        cur = &p[1..];
                    }
                    Some(_) => return damaged(),
                    None => return Ok(()),
                }
            }
        }
        // The runs and extension are skipped across parts.
        while extra > 0 {
            if cur.is_empty() {
                match parts.next() {
                    Some(p) => cur = p,
                    None => return Ok(()),
                }
                continue;
            }
            let n = extra.min(cur.len());
            cur = &cur[n..];
            extra -= n;
        }
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
        // Its tables stay inside it; it has no directory, which calamine refuses too.
        assert!(check(&b).unwrap_err().contains("directory"));
        b[76..80].copy_from_slice(&0x0100_0000u32.to_le_bytes());
        assert!(check(&b).unwrap_err().contains("sector table"));
    }

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut r = typ.to_le_bytes().to_vec();
        r.extend((data.len() as u16).to_le_bytes());
        r.extend(data);
        r
    }

    /// A workbook stream: BOF, one BoundSheet pointing at the sheet, EOF; then the sheet's
    /// records and EOF.
    fn workbook(sheet: &[Vec<u8>]) -> Vec<u8> {
        let bof = record(0x0809, &[0x00, 0x06, 0x05, 0x00]);
        let bound_len = 4 + 8 + 1;
        let pos = (bof.len() + bound_len + 4) as u32;
        let mut bound = pos.to_le_bytes().to_vec();
        bound.extend([0, 0, 1, 0, b'S']);
        let mut s = [bof, record(0x0085, &bound), record(0x000A, &[])].concat();
        assert_eq!(s.len() as u32, pos);
        for r in sheet {
            s.extend(r);
        }
        s.extend(record(0x000A, &[]));
        s
    }

    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend(col.to_le_bytes());
        d.extend([0u8; 10]);
        record(0x0203, &d)
    }

    #[test]
    fn a_sheet_claiming_billions_of_cells_is_refused() {
        let bad = include_bytes!("../../tests/fixtures/fuzz/xlsx/xls-dimensions-billions-of-cells.bin");
        let why = check(bad).unwrap_err();
        assert!(why.starts_with("This workbook is damaged"), "{why}");
    }

    #[test]
    fn cells_far_apart_are_refused_before_calamine_makes_a_grid_of_them() {
        assert_eq!(check_biff(&workbook(&[number(0, 0), number(400, 20)])), Ok(()));
        let far = check_biff(&workbook(&[number(0, 0), number(65_535, 65_535)])).unwrap_err();
        assert!(far.contains("span more than"), "{far}");
        // calamine takes the first and last cell's rows as the grid's: rows going back would
        // underflow its size.
        let back = check_biff(&workbook(&[number(9, 0), number(2, 0)])).unwrap_err();
        assert!(back.contains("out of order"), "{back}");
    }

    #[test]
    fn a_dimensions_range_ending_before_it_starts_is_refused() {
        let dims = |rf: u32, rl: u32| {
            let mut d = rf.to_le_bytes().to_vec();
            d.extend(rl.to_le_bytes());
            d.extend([0, 0, 3, 0, 0, 0]);
            record(0x0200, &d)
        };
        assert_eq!(check_biff(&workbook(&[dims(0, 10)])), Ok(()));
        assert!(check_biff(&workbook(&[dims(20, 10)])).is_err());
        assert!(check_biff(&workbook(&[dims(0, 40_000_000)])).is_err());
    }

    #[test]
    fn short_records_and_shared_strings_calamine_would_index_past_are_refused() {
        // A BoundSheet too short for its name.
        let s = [record(0x0809, &[0, 6, 5, 0]), record(0x0085, &[0, 0, 0, 0, 0]), record(0x000A, &[])].concat();
        assert!(check_biff(&s).is_err());
        // Shared strings claiming a billion entries in 12 bytes.
        let mut sst = vec![0u8; 4];
        sst.extend(1_000_000_000i32.to_le_bytes());
        sst.extend([1, 0, 0, b'a']);
        assert!(check_biff(&[record(0x00FC, &sst), record(0x000A, &[])].concat()).is_err());
        // One rich string whose run count is missing.
        let mut sst = vec![0u8; 4];
        sst.extend(1i32.to_le_bytes());
        sst.extend([0, 0, 0x08]);
        assert!(check_biff(&[record(0x00FC, &sst), record(0x000A, &[])].concat()).is_err());
        // A well-formed one passes.
        let mut sst = vec![0u8; 4];
        sst.extend(1i32.to_le_bytes());
        sst.extend([2, 0, 0, b'h', b'i']);
        assert_eq!(check_biff(&[record(0x00FC, &sst), record(0x000A, &[])].concat()), Ok(()));
    }

    #[test]
    fn a_sheet_offset_past_the_stream_is_refused() {
        let mut s = workbook(&[]);
        s[12..16].copy_from_slice(&10_000u32.to_le_bytes());
        assert!(check_biff(&s).unwrap_err().contains("past the end"));
    }
}
