//! Helpers shared by the integration tests.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::Path;

/// A fake GitHub token with a valid checksum, assembled at run time so that
/// this source file itself holds no token for scanners to find.
pub fn github_token() -> String {
    format!("{}_{}", "ghp", "FAKEfake0123456789abcdefFAKE0115a2dJ")
}

/// A fake Stripe-style live secret key, assembled at run time.
pub fn stripe_key() -> String {
    format!("{}_{}_{}", "sk", "live", "FAKE0123456789abcdefFAKE")
}

/// The keywarden binary, run in `dir`, with a clean environment for colours.
pub fn keywarden(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("keywarden").expect("binary is built");
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS");
    c
}

pub fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("create dirs");
    }
    std::fs::write(p, content).expect("write file");
}

pub fn stdout_of(c: &mut Command) -> (String, String, i32) {
    let out = c.output().expect("runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// Errors of a SARIF document against the official 2.1.0 schema (a copy in
/// tests/fixtures, so the check runs without ../shared).
pub fn sarif_schema_errors(doc: &serde_json::Value) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("tests/fixtures/sarif-schema-2.1.0.json"))
        .expect("schema fixture is readable");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}
