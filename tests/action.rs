//! The composite GitHub Action (action.yml + scripts/github-action.sh), run
//! offline by ../shared/github/run_composite.py the way a runner would, on
//! real repositories in temporary directories with this build's binary.
//! ../shared exists in CI but not on a user's machine, and the emulator
//! needs PyYAML: where either is missing these tests say so and skip.

mod util;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;
use util::write;

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn emulator() -> Option<PathBuf> {
    let script = repo_root().join("../shared/github/run_composite.py");
    if !script.exists() {
        eprintln!("skipped: {} not present", script.display());
        return None;
    }
    let has_yaml = Command::new("python3")
        .args(["-c", "import yaml"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_yaml {
        eprintln!("skipped: python3 has no PyYAML (pip install pyyaml)");
        return None;
    }
    Some(script)
}

macro_rules! require_emulator {
    () => {
        match emulator() {
            Some(e) => e,
            None => return,
        }
    };
}

/// A distinct fake Stripe live key, assembled at run time.
fn key(n: u32) -> String {
    format!("{}_{}_FAKE{n:02}23456789abcdefFAKE", "sk", "live")
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_DATE", "2024-05-01T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-05-01T12:00:00Z")
        .args([
            "-c",
            "user.name=Dev",
            "-c",
            "user.email=dev@example.invalid",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn commit(dir: &Path, msg: &str) -> String {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--no-verify", "-m", msg]);
    git(dir, &["rev-parse", "HEAD"])
}

/// A repository whose `main` has an old secret, and a branch `feature` with
/// `files` added over two commits. Returns (dir, base sha, head sha).
fn pr_repo(files: &[(&str, String)]) -> (TempDir, String, String) {
    let d = TempDir::new().unwrap();
    git(d.path(), &["init", "-q"]);
    write(d.path(), "old.env", format!("OLD={}\n", key(1)));
    write(d.path(), "README.md", "demo\n");
    let base = commit(d.path(), "base");
    git(d.path(), &["checkout", "-q", "-b", "feature"]);
    for (path, content) in files {
        write(d.path(), path, content);
    }
    commit(d.path(), "add files");
    write(d.path(), "README.md", "demo, edited\n");
    let head = commit(d.path(), "edit readme");
    (d, base, head)
}

fn event(dir: &Path, template: &str, base: &str, head: &str) -> PathBuf {
    let text = std::fs::read_to_string(repo_root().join("../shared/github").join(template))
        .expect("event template")
        .replace("__BASE_SHA__", base)
        .replace("__HEAD_SHA__", head);
    let path = dir.join("event.json");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs the action; returns (emulator exit code, report).
fn run_action(
    emulator: &Path,
    workspace: &Path,
    event_name: &str,
    event: Option<&Path>,
    inputs: &[&str],
) -> (i32, Value, String) {
    let scratch = TempDir::new().unwrap();
    let report = scratch.path().join("report.json");
    let mut cmd = Command::new("python3");
    cmd.arg(emulator)
        .arg("--action")
        .arg(repo_root())
        .arg("--workspace")
        .arg(workspace)
        .args(["--event-name", event_name])
        .arg("--env")
        .arg(format!("KEYWARDEN_BIN={}", env!("CARGO_BIN_EXE_keywarden")))
        .arg("--report")
        .arg(&report)
        .current_dir(scratch.path());
    if let Some(e) = event {
        cmd.arg("--event").arg(e);
    }
    for i in inputs {
        cmd.args(["--input", i]);
    }
    let out = cmd.output().expect("python3 runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap_or_default())
        .unwrap_or_else(|e| panic!("no report ({e}): {stderr}"));
    (out.status.code().unwrap_or(-1), doc, stderr)
}

#[test]
fn a_pull_request_that_adds_a_secret_fails_with_annotation_summary_and_sarif() {
    let emu = require_emulator!();
    let (repo, base, head) = pr_repo(&[("config/new.env", format!("NEW={}\n", key(2)))]);
    let ev = event(repo.path(), "event-pull_request.json", &base, &head);
    let (code, report, stderr) = run_action(&emu, repo.path(), "pull_request", Some(&ev), &[]);
    assert_eq!(code, 1, "the step must fail: {report:#}\n{stderr}");
    assert_eq!(report["status"], "failure");
    assert_eq!(report["outputs"]["findings"], "1", "{report:#}");
    assert_eq!(report["outputs"]["exit-code"], "1");
    assert_eq!(report["outputs"]["sarif-file"], "keywarden.sarif");

    // Only the head's new secret: the one already on main is not blamed.
    let ann = report["annotations"].as_array().unwrap();
    assert_eq!(ann.len(), 1, "{ann:#?}");
    assert_eq!(ann[0]["file"], "config/new.env");
    assert_eq!(ann[0]["line"], 1);
    let summary = report["summary"].as_str().unwrap();
    assert!(summary.contains("config/new.env:1"), "{summary}");
    assert!(summary.contains("stripe-secret-key-live"), "{summary}");

    let text = report.to_string();
    assert!(
        !text.contains(&key(2)) && !text.contains(&key(1)),
        "secret leaked"
    );
    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(repo.path().join("keywarden.sarif")).unwrap(),
    )
    .unwrap();
    assert!(util::sarif_schema_errors(&sarif).is_empty());
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);
    assert!(!sarif.to_string().contains(&key(2)));
}

#[test]
fn a_clean_pull_request_passes_with_an_empty_sarif() {
    let emu = require_emulator!();
    let (repo, base, head) = pr_repo(&[("docs/guide.md", "nothing secret\n".to_string())]);
    let ev = event(repo.path(), "event-pull_request.json", &base, &head);
    let (code, report, stderr) = run_action(&emu, repo.path(), "pull_request", Some(&ev), &[]);
    assert_eq!(code, 0, "{report:#}\n{stderr}");
    assert_eq!(report["outputs"]["findings"], "0");
    assert_eq!(report["outputs"]["exit-code"], "0");
    assert!(
        report["summary"]
            .as_str()
            .unwrap()
            .contains("No secrets found")
    );
    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(repo.path().join("keywarden.sarif")).unwrap(),
    )
    .unwrap();
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
    assert!(util::sarif_schema_errors(&sarif).is_empty());
}

#[test]
fn a_shallow_checkout_without_the_base_asks_for_fetch_depth_0() {
    let emu = require_emulator!();
    let (repo, base, head) = pr_repo(&[("new.env", format!("NEW={}\n", key(2)))]);
    let clones = TempDir::new().unwrap();
    let url = format!("file://{}", repo.path().display());
    git(
        clones.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "feature", &url, "shallow",
        ],
    );
    let ws = clones.path().join("shallow");
    let ev = event(clones.path(), "event-pull_request.json", &base, &head);
    let (code, report, _) = run_action(&emu, &ws, "pull_request", Some(&ev), &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["outputs"]["exit-code"], "2");
    let ann = report["annotations"].as_array().unwrap();
    assert_eq!(ann.len(), 1, "{ann:#?}");
    assert_eq!(ann[0]["level"], "error");
    assert!(
        ann[0]["message"]
            .as_str()
            .unwrap()
            .contains("fetch-depth: 0"),
        "{ann:#?}"
    );
}

#[test]
fn hostile_file_names_and_inputs_execute_nothing() {
    let emu = require_emulator!();
    let name = "x $(touch pwned) `touch pwned2`;%0A,name.env";
    let (repo, base, head) = pr_repo(&[(name, format!("NEW={}\n", key(2)))]);
    let ev = event(repo.path(), "event-pull_request.json", &base, &head);
    let (code, report, stderr) = run_action(
        &emu,
        repo.path(),
        "pull_request",
        Some(&ev),
        &["args=--disable-rule $(touch pwned3)", "fail-on=high"],
    );
    // The bogus rule id is an error (exit 2), never a command.
    assert_eq!(report["outputs"]["exit-code"], "2", "{report:#}\n{stderr}");
    assert_eq!(code, 1);
    let (code, report, stderr) = run_action(
        &emu,
        repo.path(),
        "pull_request",
        Some(&ev),
        &["fail-on=high"],
    );
    assert_eq!(code, 1, "{report:#}\n{stderr}");
    let ann = report["annotations"].as_array().unwrap();
    assert_eq!(ann[0]["file"], name, "{ann:#?}");
    for f in ["pwned", "pwned2", "pwned3"] {
        assert!(!repo.path().join(f).exists(), "{f} was created");
    }
}

#[test]
fn without_a_range_the_checked_out_files_are_scanned() {
    let emu = require_emulator!();
    let (repo, _, head) = pr_repo(&[("docs/guide.md", "nothing secret\n".to_string())]);
    // A new branch is pushed: `before` is all zeros, so there is no range.
    let ev = event(
        repo.path(),
        "event-push.json",
        "0000000000000000000000000000000000000000",
        &head,
    );
    // (Policy checks would also flag the tracked .env file: credentials only here.)
    let (code, report, stderr) =
        run_action(&emu, repo.path(), "push", Some(&ev), &["args=--no-policy"]);
    assert_eq!(code, 1, "{report:#}\n{stderr}");
    assert_eq!(report["outputs"]["findings"], "1");
    assert_eq!(report["annotations"][0]["file"], "old.env");
    // A manual run scans the files; with fail-on=critical a high finding
    // is reported but does not fail the step.
    write(
        repo.path(),
        "docs/token.txt",
        format!("t = {}\n", util::github_token()),
    );
    let (code, report, _) = run_action(
        &emu,
        repo.path(),
        "workflow_dispatch",
        None,
        &[
            "fail-on=critical",
            "sarif-file=",
            "args=--no-policy --disable-rule stripe-secret-key-live",
        ],
    );
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["outputs"]["findings"], "1");
    assert_eq!(report["outputs"]["sarif-file"], "");
    assert_eq!(report["annotations"][0]["file"], "docs/token.txt");
    let (code, report, _) = run_action(
        &emu,
        repo.path(),
        "workflow_dispatch",
        None,
        &["args=--rule jwt-signed", "mode=scan"],
    );
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["outputs"]["findings"], "0");
}
