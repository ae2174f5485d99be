//! The pre-commit hooks, run by the real `pre-commit` tool against real git
//! repositories in temporary directories. `.ci/run` installs pre-commit; where
//! it is missing these tests say so and skip.

mod util;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;
use util::{github_token, write};

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The pre-commit executable: `$KEYWARDEN_PRE_COMMIT`, or `pre-commit` on PATH.
fn pre_commit() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KEYWARDEN_PRE_COMMIT") {
        return Some(PathBuf::from(p));
    }
    let ok = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then(|| PathBuf::from("pre-commit"))
}

macro_rules! require_pre_commit {
    () => {
        match pre_commit() {
            Some(p) => p,
            None => {
                eprintln!("skipped: pre-commit is not installed (pip install pre-commit, or set KEYWARDEN_PRE_COMMIT)");
                return;
            }
        }
    };
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn git(dir: &Path, args: &[&str]) -> Output {
    run(Command::new("git").current_dir(dir).args(args))
}

/// A throw-away git repository with an identity and one commit.
fn temp_repo() -> TempDir {
    let d = TempDir::new().unwrap();
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["config", "user.name", "t"],
        &["config", "user.email", "t@example.invalid"],
        &["config", "commit.gpgsign", "false"],
    ] {
        assert!(git(d.path(), args).status.success());
    }
    write(d.path(), "README.md", "hello\n");
    git(d.path(), &["add", "-A"]);
    assert!(
        git(d.path(), &["commit", "-qm", "init", "--no-verify"])
            .status
            .success()
    );
    d
}

#[test]
fn hook_manifest_is_valid() {
    let pc = require_pre_commit!();
    let out = run(Command::new(&pc)
        .arg("validate-manifest")
        .arg(repo_root().join(".pre-commit-hooks.yaml")));
    assert!(out.status.success(), "{}", text(&out));
}

/// The `language: rust` hook: pre-commit builds keywarden with `cargo install`
/// from this checkout and runs it on every file.
#[test]
fn rust_hook_builds_and_blocks_a_secret() {
    let pc = require_pre_commit!();
    let repo = temp_repo();
    let home = TempDir::new().unwrap();
    write(
        repo.path(),
        "config/leak.env",
        format!("GH_TOKEN={}\n", github_token()),
    );
    git(repo.path(), &["add", "-A"]);
    let out = run(Command::new(&pc)
        .current_dir(repo.path())
        .env("PRE_COMMIT_HOME", home.path())
        .args([
            "try-repo",
            repo_root().to_str().unwrap(),
            "keywarden",
            "--all-files",
        ]));
    let t = text(&out);
    assert!(!out.status.success(), "the hook must fail:\n{t}");
    assert!(
        t.contains("config/leak.env"),
        "finding must name the file:\n{t}"
    );
    assert!(t.contains("github-pat-classic"), "{t}");
    assert!(!t.contains(&github_token()), "secret printed:\n{t}");
}

/// The commit flow through an installed git hook, with the binary built by
/// this test run (`language: system`, so no install step).
#[test]
fn commit_flow_blocks_staged_secrets_only() {
    let pc = require_pre_commit!();
    let repo = temp_repo();
    let dir = repo.path();
    let home = TempDir::new().unwrap();
    let bin = env!("CARGO_BIN_EXE_keywarden");
    write(
        dir,
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: local\n    hooks:\n      - id: keywarden\n        name: keywarden\n        entry: {bin} scan\n        language: system\n        types: [text]\n"
        ),
    );
    write(dir, ".keywarden.yaml", "allow:\n  paths: [fixtures/]\n");
    git(dir, &["add", "-A"]);
    assert!(
        git(dir, &["commit", "-qm", "cfg", "--no-verify"])
            .status
            .success()
    );
    let out = run(Command::new(&pc)
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", home.path())
        .arg("install"));
    assert!(out.status.success(), "{}", text(&out));
    let commit = |msg: &str| {
        let o = run(Command::new("git")
            .current_dir(dir)
            .env("PRE_COMMIT_HOME", home.path())
            .args(["commit", "-qm", msg]));
        (o.status.success(), text(&o))
    };
    let secret = format!("token = {}\n", github_token());

    // A clean file commits.
    write(dir, "clean.txt", "nothing to see\n");
    git(dir, &["add", "clean.txt"]);
    let (ok, t) = commit("clean");
    assert!(ok, "clean commit refused:\n{t}");

    // A: staged clean content, unstaged secret: the commit succeeds and the
    // unstaged change survives.
    write(dir, "a.txt", "v1\n");
    git(dir, &["add", "a.txt"]);
    write(dir, "a.txt", format!("v1\n{secret}"));
    let (ok, t) = commit("A");
    assert!(ok, "unstaged content was scanned:\n{t}");
    assert!(
        std::fs::read_to_string(dir.join("a.txt"))
            .unwrap()
            .contains("token =")
    );
    git(dir, &["checkout", "-q", "a.txt"]);

    // B: staged secret, unstaged fix: refused, with the finding redacted.
    write(dir, "b.env", &secret);
    git(dir, &["add", "b.env"]);
    write(dir, "b.env", "token = $(FROM_ENV)\n");
    let (ok, t) = commit("B");
    assert!(!ok, "staged secret committed");
    assert!(t.contains("b.env") && t.contains("ghp_…"), "{t}");
    assert!(!t.contains(&github_token()), "secret printed:\n{t}");
    assert!(
        std::fs::read_to_string(dir.join("b.env"))
            .unwrap()
            .contains("FROM_ENV"),
        "unstaged fix lost"
    );
    git(dir, &["reset", "-q", "--hard"]);

    // C: many files are split over parallel invocations; a secret in any chunk fails the commit.
    for i in 0..1500 {
        write(dir, &format!("many/m_{i}.txt"), format!("f{i}\n"));
    }
    write(dir, "many/m_1499.txt", &secret);
    git(dir, &["add", "-A"]);
    let (ok, t) = commit("C");
    assert!(
        !ok,
        "secret in a later chunk missed:\n{}",
        &t[..t.len().min(2000)]
    );
    git(dir, &["reset", "-q", "--hard"]);
    let _ = std::fs::remove_dir_all(dir.join("many"));

    // D: the repository's allowlist applies to the files pre-commit names.
    write(dir, "fixtures/fake.txt", &secret);
    git(dir, &["add", "-A"]);
    let (ok, t) = commit("D");
    assert!(ok, "allowlisted path blocked the commit:\n{t}");
}

/// The `keywarden-staged` hook: `keywarden git --staged` with no file
/// names. A line already committed is not blamed on the next commit; a
/// staged secret is refused even when the work tree no longer has it.
#[test]
fn staged_hook_blocks_only_what_the_commit_adds() {
    let pc = require_pre_commit!();
    let repo = temp_repo();
    let dir = repo.path();
    let home = TempDir::new().unwrap();
    let bin = env!("CARGO_BIN_EXE_keywarden");
    // The manifest entry, run as `language: system` with this test's binary:
    // the same entry words and pass_filenames as .pre-commit-hooks.yaml.
    let manifest = std::fs::read_to_string(repo_root().join(".pre-commit-hooks.yaml")).unwrap();
    let hook = manifest
        .split("- id: ")
        .find(|h| h.starts_with("keywarden-staged"))
        .expect("keywarden-staged hook in the manifest");
    assert!(hook.contains("entry: keywarden git --staged"), "{hook}");
    assert!(hook.contains("pass_filenames: false"), "{hook}");
    write(
        dir,
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: local\n    hooks:\n      - id: keywarden-staged\n        name: keywarden-staged\n        entry: {bin} git --staged\n        language: system\n        pass_filenames: false\n        always_run: true\n"
        ),
    );
    let secret = format!("token = {}\n", github_token());
    // An old secret, committed before the hook existed.
    write(dir, "legacy.env", &secret);
    git(dir, &["add", "-A"]);
    assert!(
        git(dir, &["commit", "-qm", "cfg", "--no-verify"])
            .status
            .success()
    );
    let out = run(Command::new(&pc)
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", home.path())
        .arg("install"));
    assert!(out.status.success(), "{}", text(&out));
    let commit = |msg: &str| {
        let o = run(Command::new("git")
            .current_dir(dir)
            .env("PRE_COMMIT_HOME", home.path())
            .args(["commit", "-qm", msg]));
        (o.status.success(), text(&o))
    };

    // Editing the file that holds the old secret: only the added line counts.
    write(dir, "legacy.env", format!("{secret}other = 1\n"));
    git(dir, &["add", "legacy.env"]);
    let (ok, t) = commit("edit legacy");
    assert!(ok, "an old secret was blamed on the commit:\n{t}");

    // A new secret is refused, redacted.
    write(dir, "new.env", &secret);
    git(dir, &["add", "new.env"]);
    let (ok, t) = commit("new secret");
    assert!(!ok, "staged secret committed:\n{t}");
    assert!(t.contains("new.env") && t.contains("ghp_…"), "{t}");
    assert!(!t.contains(&github_token()), "secret printed:\n{t}");
    git(dir, &["reset", "-q", "new.env"]);
    std::fs::remove_file(dir.join("new.env")).unwrap();

    // A clean commit goes through.
    write(dir, "clean.txt", "nothing to see\n");
    git(dir, &["add", "clean.txt"]);
    let (ok, t) = commit("clean");
    assert!(ok, "clean commit refused:\n{t}");
}
