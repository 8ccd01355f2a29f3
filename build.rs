//! Trains the word model (src/classify/words.rs) when the crate is built: from the working part
//! of the labelled corpus (tests/corpus/working/) and the examples of the knowledge's rules,
//! never from the sealed part. The model is written to OUT_DIR and compiled in.

#[path = "src/classify/words.rs"]
#[allow(dead_code)]
mod words;

// Also extracts the prefilter literals of every built-in rule pattern (src/classify/literals.rs),
// which the classifier would otherwise do at every start-up.
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
    let data = root.join("src/knowledge/data");
    println!("cargo:rerun-if-changed={}", data.display());
    let mut files: Vec<_> = std::fs::read_dir(&data).expect("knowledge data").flatten().map(|e| e.path()).filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("rules_"))).collect();
    files.sort();
    let mut table: Vec<((u64, u32), Option<Vec<Vec<u8>>>)> = vec![];
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
        let text = std::fs::read_to_string(&f).expect("rules file");
        let Ok(v) = text.parse::<toml::Table>() else { continue };
        for r in v.get("rule").and_then(|r| r.as_array()).into_iter().flatten() {
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
    }
    let model = words::WordModel::train(&examples, 2);
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("word_model.bin");
    std::fs::write(out, model.to_bytes()).expect("write the model");
    // The other patterns the classifier prefilters the same way: providers' markers and
    // platforms' labels.
    for f in std::fs::read_dir(&data).expect("knowledge data").flatten().map(|e| e.path()) {
        let Ok(v) = std::fs::read_to_string(&f).unwrap_or_default().parse::<toml::Table>() else { continue };
        let strings = |table: &str, key: &str| -> Vec<String> {
            let mut out = vec![];
            for t in v.get(table).and_then(|t| t.as_array()).into_iter().flatten() {
                match t.get(key) {
                    Some(toml::Value::String(s)) => out.push(s.clone()),
                    Some(toml::Value::Array(a)) => out.extend(a.iter().filter_map(|x| x.as_str().map(str::to_string))),
                    _ => {}
                }
            }
            out
        };
        for p in strings("provider", "markers").into_iter().chain(strings("label", "pattern")) {
            table.push((literals::key(&p), literals::required_literals(&p)));
        }
    }
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
    std::fs::write(Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("rule_literals.rs"), code).expect("write the literal table");
    // The knowledge's data files as JSON, which the app and the CLI read at start-up: parsing
    // them as TOML was most of building the knowledge (the test-suite still reads the TOML,
    // checking every entry and naming its line).
    let json_dir = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("knowledge");
    std::fs::create_dir_all(&json_dir).expect("OUT_DIR/knowledge");
    for f in std::fs::read_dir(&data).expect("knowledge data").flatten().map(|e| e.path()) {
        if f.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&f).expect("knowledge file");
        // A file that is not TOML fails the test-suite (which names its line); here it is empty.
        let table = text.parse::<toml::Table>().unwrap_or_default();
        let json = serde_json::to_string(&table).expect("TOML values are JSON values");
        let name = f.file_stem().expect("a file name").to_string_lossy().to_string();
        std::fs::write(json_dir.join(format!("{name}.json")), json).expect("write the JSON knowledge");
    }
}
