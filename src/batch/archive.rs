//! Archives of exports: a zip's entries are fed to the session one after the other, each as a
//! file of its own (Mailchimp exports a zip of CSVs).

use super::session::Session;
use super::input::Format;

/// Streams a file (or a zip's entries) into the session, in chunks: the file is never held
/// whole. `name` is shown in the report.
pub fn feed_reader<R: std::io::Read>(s: &mut Session, name: &str, mut r: R, chunk: usize) -> std::io::Result<()> {
    s.begin_file(name);
    let mut buf = vec![0u8; chunk.max(4096)];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        s.feed(&buf[..n]);
    }
    s.end_file();
    Ok(())
}

/// Feeds every file entry of a zip archive (e.g. a Mailchimp export) into the session.
pub fn feed_zip<R: std::io::Read + std::io::Seek>(s: &mut Session, name: &str, r: R, chunk: usize) -> std::io::Result<()> {
    let mut zip = match zip::ZipArchive::new(r) {
        Ok(z) => z,
        Err(e) => {
            s.begin_file(name);
            s.end_file();
            if let Some(f) = s.files.last_mut() {
                f.format = Format::Zip;
                f.format_label = Format::Zip.label().into();
                f.problem = Some(format!("This zip archive cannot be read: {e}."));
            }
            return Ok(());
        }
    };
    for i in 0..zip.len() {
        let entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                s.begin_file(&format!("{name} (entry {})", i + 1));
                s.end_file();
                if let Some(f) = s.files.last_mut() {
                    f.problem = Some(format!("This entry cannot be read: {e}."));
                }
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let entry_name = format!("{name}/{}", entry.name());
        let base = entry.name().rsplit('/').next().unwrap_or("");
        if base.starts_with('.') || entry.name().starts_with("__MACOSX") {
            continue;
        }
        feed_reader(s, &entry_name, entry, chunk)?;
    }
    Ok(())
}
