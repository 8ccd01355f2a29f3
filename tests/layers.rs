//! The modules form layers (see `src/lib.rs`): each may use only the layers below it. This test
//! reads every `crate::<module>` path in the sources of each top-level module and fails when
//! one points sideways or up, so that a dependency cycle cannot come back unnoticed.

use std::collections::BTreeMap;
use std::path::Path;

/// Each top-level module and its layer (lower layers know nothing of higher ones).
const LAYERS: &[(&str, u8)] = &[
    ("smtp", 0),
    ("text", 0),
    ("model", 1),
    ("knowledge", 2),
    ("classify", 3),
    ("email", 4),
    ("paste", 5),
    ("batch", 5),
    ("reference", 5),
    ("ui", 6),
];

fn layer(m: &str) -> Option<u8> {
    LAYERS.iter().find(|(n, _)| *n == m).map(|(_, l)| *l)
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src is readable").flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level modules a source file names with `crate::x`, or with as many `super::` as
/// it takes to reach the crate root (comments skipped). `depth` is the file's module depth
/// (`src/email/mod.rs` is 1, `src/email/formats/helpers.rs` is 3).
fn uses(text: &str, depth: usize) -> Vec<String> {
    let mut out = vec![];
    let to_root = "super::".repeat(depth);
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        if depth > 0 {
            let mut rest = code;
            while let Some(i) = rest.find(&to_root) {
                let after = &rest[i + to_root.len()..];
                // More supers than the depth would not compile; fewer stay inside the module.
                if !after.starts_with("super::") && (i < 7 || &rest[i - 7..i] != "super::") {
                    let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    if !name.is_empty() {
                        out.push(name);
                    }
                }
                rest = after;
            }
        }
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + 7..];
            let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                out.push(name);
            }
            rest = &after[..];
        }
        // `use crate::{a, b::c}`
        if let Some(i) = code.find("crate::{") {
            for part in code[i + 8..].split(['}', ',']) {
                let name: String = part.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        }
    }
    out
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    sources(&src, &mut files);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut wrong = vec![];
    for f in &files {
        let rel = f.strip_prefix(&src).expect("under src");
        let first = rel.components().next().expect("a path").as_os_str().to_string_lossy().into_owned();
        let module = first.trim_end_matches(".rs").to_string();
        // The crate root, the binaries and the CLI sit above every module.
        let Some(own) = layer(&module) else { continue };
        *seen.entry(module.clone()).or_default() += 1;
        let text = std::fs::read_to_string(f).expect("readable");
        let parts = rel.components().count();
        let depth = if rel.ends_with("mod.rs") { parts - 1 } else { parts };
        for dep in uses(&text, depth) {
            if dep == module {
                continue;
            }
            match layer(&dep) {
                Some(l) if l < own => {}
                Some(l) => wrong.push(format!("{}: uses crate::{dep} (layer {l}) from {module} (layer {own})", rel.display())),
                None => wrong.push(format!("{}: uses crate::{dep}, which is in no layer (add it to LAYERS and to src/lib.rs)", rel.display())),
            }
        }
    }
    for (m, _) in LAYERS {
        assert!(seen.contains_key(*m), "module {m} has no source file: is LAYERS out of date?");
    }
    assert!(wrong.is_empty(), "dependencies that point sideways or up:\n{}", wrong.join("\n"));
}

#[test]
fn the_check_sees_a_violation() {
    // The reader finds both forms of path, so the test above cannot pass by reading nothing.
    assert_eq!(uses("use crate::classify::Classifier;\nlet x = crate::email::analyze_file(b, s); // crate::ui", 1), vec!["classify", "email"]);
    assert_eq!(uses("use crate::{model::Id, smtp};", 1), vec!["model", "smtp"]);
    // From src/email/mod.rs, `super::paste` is the crate's paste module; from a file two
    // levels down, `super::super::paste` is.
    assert_eq!(uses("use super::paste::analyze;", 1), vec!["paste"]);
    assert_eq!(uses("use super::super::paste::analyze;\nuse super::dsn;", 2), vec!["paste"]);
}
