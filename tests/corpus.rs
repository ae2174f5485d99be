//! Real code nobody here wrote must not trip the provider rules: the sources
//! of this crate's own dependencies (always in the cargo registry after a
//! build) are scanned, and only generic assignment rules may report anything.

mod util;

use serde_json::Value;
use std::collections::HashSet;
use std::path::PathBuf;
use util::{keywarden, stdout_of};

/// Crates this project depends on, so they are present wherever it builds.
const CRATES: &[&str] = &[
    "regex-syntax-",
    "regex-automata-",
    "aho-corasick-",
    "clap_builder-",
    "clap_derive-",
    "serde_json-",
    "serde_core-",
    "miette-",
    "ignore-",
    "globset-",
    "memchr-",
    "sha2-",
    "crc32fast-",
    "jsonschema-",
    "insta-",
    "tempfile-",
    "assert_cmd-",
    "serde-saphyr-",
    "predicates-",
];

fn registry_dirs() -> Vec<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(src) = home.map(|h| h.join("registry/src")) else {
        return Vec::new();
    };
    let mut dirs = Vec::new();
    for index in std::fs::read_dir(src).into_iter().flatten().flatten() {
        for krate in std::fs::read_dir(index.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = krate.file_name().to_string_lossy().into_owned();
            if CRATES.iter().any(|c| name.starts_with(c)) {
                dirs.push(krate.path());
            }
        }
    }
    dirs.sort();
    dirs
}

#[test]
fn dependency_sources_produce_no_provider_rule_findings() {
    let dirs = registry_dirs();
    if dirs.len() < 10 {
        eprintln!(
            "skipped: cargo registry sources not found ({} crates)",
            dirs.len()
        );
        return;
    }
    let here = std::env::temp_dir();
    let (rules, _, _) = stdout_of(keywarden(&here).args(["rules", "--format", "json"]));
    let rules: Vec<Value> = serde_json::from_str(&rules).unwrap();
    let generic: HashSet<String> = rules
        .iter()
        .filter(|r| r["generic"] == true)
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();

    let (out, err, _) = stdout_of(
        keywarden(&here)
            .args(["scan", "--no-config", "--format", "json"])
            .args(&dirs),
    );
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    let files = doc["summary"]["files"].as_u64().unwrap();
    assert!(files >= 300, "only {files} files scanned");
    let provider: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !generic.contains(f["rule_id"].as_str().unwrap()))
        .map(|f| format!("{}:{} {}", f["path"], f["start_line"], f["rule_id"]))
        .collect();
    assert!(
        provider.is_empty(),
        "{} provider-rule findings in {files} files of real code:\n{}",
        provider.len(),
        provider.join("\n")
    );
}
