//! Trains the word model (src/classify/words.rs) when the crate is built: from the working part
//! of the labelled corpus (tests/corpus/working/) and the examples of the knowledge's rules,
//! never from the sealed part. The model is written to OUT_DIR and compiled in.

#[path = "src/classify/words.rs"]
#[allow(dead_code)]
mod words;

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
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
        let text = std::fs::read_to_string(&f).expect("rules file");
        let Ok(v) = text.parse::<toml::Table>() else { continue };
        for r in v.get("rule").and_then(|r| r.as_array()).into_iter().flatten() {
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
}
