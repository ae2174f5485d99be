//! Report formats: human diagnostics (snapshots), SARIF against the official
//! 2.1.0 schema and GitHub's rules, and JSON.

mod util;

use serde_json::Value;
use std::path::Path;
use tempfile::TempDir;
use util::{github_token, keywarden, stdout_of, write};

const FIXTURES: &str = "tests/fixtures/diagnostics";

/// The fixtures are files of this repository: whether git tracks them
/// depends on how the source was obtained, so the repository checks are off
/// here (tests/policy.rs covers them).
const NO_REPO_CHECKS: &[&str] = &[
    "--disable-rule",
    "secrets-file-tracked",
    "--disable-rule",
    "secrets-file-not-ignored",
];

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn human_diagnostics_snapshot() {
    let (out, err, code) = stdout_of(
        keywarden(repo_root())
            .args(["scan", FIXTURES, "--no-config"])
            .args(NO_REPO_CHECKS),
    );
    assert_eq!(code, 1, "{err}");
    // The timing in the summary line varies; everything else is fixed.
    let stable: String = out
        .lines()
        .map(|l| {
            if l.starts_with("keywarden: ") {
                l.split(" scanned in ").next().unwrap_or(l)
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(stable);
}

#[test]
fn human_output_never_contains_secrets() {
    let (out, _, _) = stdout_of(keywarden(repo_root()).args(["scan", FIXTURES, "--no-config"]));
    assert!(!out.contains(&github_token()));
    assert!(
        !out.contains("Tr0ub4dor-FAKE-pw") && !out.contains("s3cret-FAKE"),
        "{out}"
    );
}

fn sarif_of(dir: &Path, args: &[&str]) -> Value {
    let (out, err, _) = stdout_of(
        keywarden(dir)
            .args(["scan", "--format", "sarif"])
            .args(args),
    );
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("SARIF is not JSON ({e}): {out}\n{err}"))
}

/// The GitHub code-scanning rules from ../shared/sarif/GITHUB.md that the
/// schema does not express.
fn github_rule_errors(doc: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    if doc["$schema"] != "https://json.schemastore.org/sarif-2.1.0.json" {
        errs.push("$schema".into());
    }
    let run = &doc["runs"][0];
    let driver = &run["tool"]["driver"];
    if driver["name"] != "keywarden" {
        errs.push("driver name".into());
    }
    let rules = driver["rules"].as_array().cloned().unwrap_or_default();
    for r in &rules {
        for key in ["shortDescription", "fullDescription", "help"] {
            if r[key]["text"].as_str().is_none_or(str::is_empty) {
                errs.push(format!("rule {} lacks {key}.text", r["id"]));
            }
        }
        let sev: f64 = r["properties"]["security-severity"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or(-1.0);
        if !(0.1..=10.0).contains(&sev) {
            errs.push(format!("rule {} security-severity {sev}", r["id"]));
        }
        if !r["properties"]["tags"]
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t == "security"))
        {
            errs.push(format!("rule {} lacks the security tag", r["id"]));
        }
    }
    for res in run["results"].as_array().cloned().unwrap_or_default() {
        let idx = res["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
        if rules.get(idx).map(|r| &r["id"]) != Some(&res["ruleId"]) {
            errs.push(format!("ruleIndex/ruleId disagree: {}", res["ruleId"]));
        }
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap_or("");
        if uri.is_empty()
            || uri.starts_with('/')
            || uri.contains("://")
            || uri.starts_with("./")
            || uri.contains("..")
        {
            errs.push(format!("uri not repo-relative: {uri}"));
        }
        if loc["region"]["startLine"].as_u64().unwrap_or(0) < 1 {
            errs.push("startLine".into());
        }
        if res["partialFingerprints"]["keywarden/v1"]
            .as_str()
            .is_none_or(str::is_empty)
        {
            errs.push("partialFingerprints".into());
        }
        let line_hash = res["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .unwrap_or("");
        if !line_hash.split_once(':').is_some_and(|(h, n)| {
            !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()) && n.parse::<u32>().is_ok()
        }) {
            errs.push(format!("primaryLocationLineHash {line_hash:?}"));
        }
    }
    errs
}

#[test]
fn sarif_validates_against_the_schema_and_github_rules() {
    let args: Vec<&str> = [FIXTURES, "--no-config"]
        .into_iter()
        .chain(NO_REPO_CHECKS.iter().copied())
        .collect();
    let doc = sarif_of(repo_root(), &args);
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 7);
    let errs = util::sarif_schema_errors(&doc);
    assert!(errs.is_empty(), "schema errors: {errs:#?}");
    let errs = github_rule_errors(&doc);
    assert!(errs.is_empty(), "GitHub rule errors: {errs:#?}");
    let text = doc.to_string();
    assert!(!text.contains(&github_token()), "SARIF leaks the secret");
    assert_eq!(
        doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "tests/fixtures/diagnostics/app.py"
    );
}

#[test]
fn sarif_of_a_clean_scan_has_an_empty_results_array() {
    let d = TempDir::new().unwrap();
    write(d.path(), "ok.txt", "nothing\n");
    let doc = sarif_of(d.path(), &["."]);
    assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
    assert!(util::sarif_schema_errors(&doc).is_empty());
}

#[test]
fn sarif_uris_are_percent_encoded_and_relative() {
    let d = TempDir::new().unwrap();
    write(
        d.path(),
        "dir with space/é.txt",
        format!("t = {}\n", github_token()),
    );
    let doc = sarif_of(d.path(), &["."]);
    let uri = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "dir%20with%20space/%C3%A9.txt");
    assert!(util::sarif_schema_errors(&doc).is_empty());
}

/// The shared validator checks the schema copy that upload-sarif uses too.
/// It lives in ../shared, which exists in CI but not on a user's machine.
#[test]
fn sarif_passes_the_shared_github_validator_when_available() {
    let validator = repo_root().join("../shared/sarif/validate.py");
    if !validator.exists() {
        eprintln!("skipped: {} not present", validator.display());
        return;
    }
    let has_jsonschema = std::process::Command::new("python3")
        .args(["-c", "import jsonschema"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_jsonschema {
        eprintln!("skipped: python3 jsonschema not installed");
        return;
    }
    let d = TempDir::new().unwrap();
    let sarif = d.path().join("out.sarif");
    let (_, err, code) = stdout_of(keywarden(repo_root()).args([
        "scan",
        FIXTURES,
        "--no-config",
        "--format",
        "sarif",
        "-o",
        sarif.to_str().unwrap(),
    ]));
    assert_eq!(code, 1, "{err}");
    // --src recomputes every primaryLocationLineHash from the files, as
    // upload-sarif would; --strict turns warnings into failures.
    let out = std::process::Command::new("python3")
        .arg(&validator)
        .args(["--strict", "--src"])
        .arg(repo_root())
        .arg(&sarif)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "validate.py failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// YAML that does not parse is a tool notification in SARIF, not a result.
#[test]
fn sarif_lists_yaml_parse_problems_as_notifications() {
    let d = TempDir::new().unwrap();
    // A block scalar under a secret-like key makes the checks parse the file.
    write(
        d.path(),
        "chart/values.yaml",
        "a: [1\nb:\n  token: |\n    ${API_TOKEN}\n",
    );
    let doc = sarif_of(d.path(), &["."]);
    assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
    let notes = &doc["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(notes.as_array().map(Vec::len), Some(1), "{notes}");
    let loc = &notes[0]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "chart/values.yaml");
    assert_eq!(loc["region"]["startLine"], 2);
    assert!(
        notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("does not parse")
    );
    let errs = util::sarif_schema_errors(&doc);
    assert!(errs.is_empty(), "schema errors: {errs:#?}");
}
