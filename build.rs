//! Prepares the knowledge when the crate is built, into OUT_DIR: trains the word model
//! (src/classify/words.rs) from the working part of the labelled corpus (tests/corpus/working/)
//! and the examples of the knowledge's rules, never from the sealed part; extracts the
//! prefilter literals of the built-in patterns; writes the data files as JSON.

#[path = "src/classify/words.rs"]
#[allow(dead_code)]
mod words;

// The prefilter literals of the built-in patterns, which the classifier would otherwise
// extract at every start-up.
#[path = "src/classify/literals.rs"]
#[allow(dead_code)]
mod literals;

use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut examples: Vec<(String, String)> = vec![];
    let corpus = root.join("tests/corpus/working");
    println!("cargo:rerun-if-changed={}", corpus.display());
    if let Ok(rd) = std::fs::read_dir(&corpus) {
        let mut files: Vec<_> = rd.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "jsonl")).collect();
        files.sort();
        for f in files {
            println!("cargo:rerun-if-changed={}", f.display());
            let text = std::fs::read_to_string(&f).expect("corpus file");
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let v: serde_json::Value = serde_json::from_str(line).expect("corpus entry is JSON");
                if let (Some(t), Some(c)) = (v["text"].as_str(), v["category"].as_str()) {
                    examples.push((t.to_string(), c.to_string()));
                }
            }
        }
    }
    // One pass over the knowledge's data files, each parsed once: the rules' examples (for the
    // word model), the prefilter literals of every pattern the classifier prefilters (rules,
    // providers' markers, platforms' labels; see src/classify/literals.rs), and the file as
    // the JSON the app and the CLI read at start-up (parsing TOML was most of building the
    // knowledge; the test-suite still reads the TOML, checking every entry and naming its line).
    let data = root.join("src/knowledge/data");
    println!("cargo:rerun-if-changed={}", data.display());
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let json_dir = out.join("knowledge");
    std::fs::create_dir_all(&json_dir).expect("OUT_DIR/knowledge");
    let mut files: Vec<_> = std::fs::read_dir(&data).expect("knowledge data").flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect();
    files.sort();
    let mut table: Vec<((u64, u32), Option<Vec<Vec<u8>>>)> = vec![];
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
        let text = std::fs::read_to_string(&f).expect("knowledge file");
        // A file that is not TOML fails the test-suite (which names its line); here it is empty.
        let v = text.parse::<toml::Table>().unwrap_or_default();
        let tables = |name: &str| v.get(name).and_then(|t| t.as_array()).into_iter().flatten();
        for r in tables("rule") {
            if let Some(p) = r.get("pattern").and_then(|p| p.as_str()) {
                table.push((literals::key(p), literals::required_literals(p)));
            }
            let Some(cat) = r.get("category").and_then(|c| c.as_str()) else { continue };
            for ex in r.get("examples").and_then(|e| e.as_array()).into_iter().flatten() {
                if let Some(t) = ex.as_str() {
                    examples.push((t.to_string(), cat.to_string()));
                }
            }
        }
        let markers = tables("provider").flat_map(|p| p.get("markers").and_then(|m| m.as_array()).into_iter().flatten());
        let labels = tables("label").filter_map(|l| l.get("pattern"));
        for p in markers.chain(labels).filter_map(|p| p.as_str()) {
            table.push((literals::key(p), literals::required_literals(p)));
        }
        let name = f.file_stem().expect("a file name").to_string_lossy().to_string();
        let json = serde_json::to_string(&v).expect("TOML values are JSON values");
        std::fs::write(json_dir.join(format!("{name}.json")), json).expect("write the JSON knowledge");
    }
    let model = words::WordModel::train(&examples, 2);
    std::fs::write(out.join("word_model.bin"), model.to_bytes()).expect("write the model");
    table.sort_by(|a, b| a.0.cmp(&b.0));
    table.dedup_by(|a, b| a.0 == b.0);
    let mut code = String::from("pub(super) static LITERALS: &[Entry] = &[\n");
    for ((h, n), lits) in &table {
        let lits = match lits {
            None => "None".to_string(),
            Some(ls) => format!("Some(&[{}])", ls.iter().map(|l| format!("&{l:?}")).collect::<Vec<_>>().join(", ")),
        };
        code.push_str(&format!("    (({h}, {n}), {lits}),\n"));
    }
    code.push_str("];\n");
    std::fs::write(out.join("rule_literals.rs"), code).expect("write the literal table");
}
