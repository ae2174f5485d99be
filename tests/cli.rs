//! End-to-end behaviour of `keywarden scan` and `keywarden rules`: the real
//! binary against real files in temporary directories.

mod util;

use serde_json::Value;
use tempfile::TempDir;
use util::{github_token, keywarden, stdout_of, write};

fn json_of(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

fn findings(doc: &Value) -> &Vec<Value> {
    doc["findings"].as_array().expect("findings array")
}

#[test]
fn finds_a_token_redacts_it_and_exits_1() {
    let d = TempDir::new().unwrap();
    let tok = github_token();
    write(
        d.path(),
        "src/app.py",
        format!("import os\nTOKEN = \"{tok}\"\n"),
    );
    let (out, err, code) = stdout_of(keywarden(d.path()).args(["scan", "."]));
    assert_eq!(code, 1, "stdout: {out}\nstderr: {err}");
    assert!(out.contains("github-pat-classic"), "{out}");
    assert!(out.contains("src/app.py:2:10"), "{out}");
    assert!(out.contains("ghp_…"), "{out}");
    assert!(!out.contains(&tok), "secret leaked: {out}");
    assert!(out.contains("1 finding (1 high)"), "{out}");
}

#[test]
fn clean_directory_exits_0() {
    let d = TempDir::new().unwrap();
    write(d.path(), "README.md", "# nothing here\npassword = \"\"\n");
    let (out, _, code) = stdout_of(keywarden(d.path()).args(["scan"]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("no findings"), "{out}");
}

#[test]
fn json_report_has_version_fields_and_hides_secret_unless_asked() {
    let d = TempDir::new().unwrap();
    let tok = github_token();
    write(d.path(), "a.env", format!("GH={tok}\n"));
    let (out, _, code) = stdout_of(keywarden(d.path()).args(["scan", ".", "--format", "json"]));
    assert_eq!(code, 1);
    let doc = json_of(&out);
    assert_eq!(doc["version"], 1);
    let f = &findings(&doc)[0];
    assert_eq!(f["rule_id"], "github-pat-classic");
    assert_eq!(f["path"], "a.env");
    assert_eq!(f["start_line"], 1);
    assert_eq!(f["start_column"], 4);
    assert_eq!(f["end_column"], 4 + tok.len() as u64);
    assert_eq!(f["severity"], "high");
    assert_eq!(f["redacted"], "ghp_…");
    assert!(f.get("secret").is_none());
    assert_eq!(f["fingerprint"].as_str().unwrap().len(), 32);
    assert!(!out.contains(&tok));

    let (out, _, _) =
        stdout_of(keywarden(d.path()).args(["scan", ".", "--format", "json", "--show-secrets"]));
    assert_eq!(findings(&json_of(&out))[0]["secret"], tok.as_str());
}

#[test]
fn github_format_emits_workflow_commands() {
    let d = TempDir::new().unwrap();
    write(d.path(), "x.txt", format!("t = {}\n", github_token()));
    let (out, _, code) = stdout_of(keywarden(d.path()).args(["scan", ".", "--format", "github"]));
    assert_eq!(code, 1);
    assert!(
        out.starts_with("::error file=x.txt,line=1,col=5,endLine=1,endColumn=45,title=GitHub personal access token (classic) (github-pat-classic)::"),
        "{out}"
    );
    assert!(!out.contains(&github_token()));
}

#[test]
fn gitignored_files_are_skipped_unless_named_or_no_ignore() {
    let d = TempDir::new().unwrap();
    write(d.path(), ".gitignore", "secret.txt\n");
    write(d.path(), "secret.txt", format!("t = {}\n", github_token()));
    let (_, _, code) = stdout_of(keywarden(d.path()).args(["scan", "."]));
    assert_eq!(code, 0, "ignored file must not be scanned in a walk");
    let (_, _, code) = stdout_of(keywarden(d.path()).args(["scan", "secret.txt"]));
    assert_eq!(
        code, 1,
        "a file named on the command line is always scanned"
    );
    let (_, _, code) = stdout_of(keywarden(d.path()).args(["scan", ".", "--no-ignore"]));
    assert_eq!(code, 1);
}

#[test]
fn hidden_files_are_scanned_but_not_dot_git() {
    let d = TempDir::new().unwrap();
    write(d.path(), ".git/config", format!("t = {}\n", github_token()));
    let (_, _, code) = stdout_of(keywarden(d.path()).args(["scan", "."]));
    assert_eq!(code, 0, ".git must not be scanned");
    write(d.path(), ".env", format!("T={}\n", github_token()));
    let (out, _, code) = stdout_of(keywarden(d.path()).args(["scan", ".", "--format", "json"]));
    assert_eq!(code, 1);
    assert_eq!(findings(&json_of(&out))[0]["path"], ".env");
}

#[test]
fn inline_allow_markers_suppress_same_line_and_comment_line_above() {
    let d = TempDir::new().unwrap();
    let t = github_token();
    write(
        d.path(),
        "a.py",
        format!(
            "a = '{t}'  # keywarden:allow\nb = '{t}'  # gitleaks:allow\nc = '{t}'  # pragma: allowlist secret\n# keywarden:allow\nd = '{t}'\ne = '{t}'\n"
        ),
    );
    let (out, _, code) = stdout_of(keywarden(d.path()).args(["scan", ".", "--format", "json"]));
    assert_eq!(code, 1);
    let f = findings(&json_of(&out)).clone();
    assert_eq!(f.len(), 1, "{out}");
    assert_eq!(f[0]["start_line"], 6);
}

#[test]
fn baseline_round_trip_stores_no_secret() {
    let d = TempDir::new().unwrap();
    let t = github_token();
    write(d.path(), "old.txt", format!("t = {t}\n"));
    let (_, _, code) =
        stdout_of(keywarden(d.path()).args(["scan", ".", "--write-baseline", "base.json"]));
    assert_eq!(code, 1, "writing a baseline still reports");
    let base = std::fs::read_to_string(d.path().join("base.json")).unwrap();
    assert!(
        !base.contains(&t) && !base.contains("FAKEfake"),
        "baseline holds the secret: {base}"
    );
    assert!(base.contains("github-pat-classic") && base.contains("old.txt"));

    // Moving the secret to another line keeps it baselined; a new one is reported.
    write(d.path(), "old.txt", format!("\n\n\nt = {t}\n"));
    let (out, _, code) =
        stdout_of(keywarden(d.path()).args(["scan", ".", "--baseline", "base.json"]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 in the baseline"), "{out}");
    write(d.path(), "new.txt", format!("t = {t}\n"));
    let (out, _, code) = stdout_of(keywarden(d.path()).args([
        "scan",
        ".",
        "--baseline",
        "base.json",
        "--format",
        "json",
    ]));
    assert_eq!(code, 1);
    let f = findings(&json_of(&out)).clone();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["path"], "new.txt");
}

#[test]
fn invalid_baseline_is_exit_2_with_location() {
    let d = TempDir::new().unwrap();
    write(
        d.path(),
        "base.json",
        "{\"version\": 1,\n \"findings\": [oops]}",
    );
    let (_, err, code) =
        stdout_of(keywarden(d.path()).args(["scan", ".", "--baseline", "base.json"]));
    assert_eq!(code, 2);
    assert!(err.contains("base.json:2:"), "{err}");
}

#[test]
fn config_allowlists_paths_secrets_stopwords_and_per_rule() {
    let d = TempDir::new().unwrap();
    let t = github_token();
    write(d.path(), "fixtures/a.txt", format!("t = {t}\n"));
    write(d.path(), "src/b.txt", "password = \"Tr0ub4dor&3-dummy\"\n");
    write(d.path(), "docs/c.md", "password = \"Zq8-real-looking\"\n"); // keywarden:allow (test data)
    write(
        d.path(),
        ".keywarden.yaml",
        "allow:\n  paths: [fixtures/]\n  stopwords: [dummy]\n  rules:\n    generic-password:\n      paths: ['docs/**']\n",
    );
    let (out, err, code) = stdout_of(keywarden(d.path()).args(["scan", ".", "--format", "json"]));
    assert_eq!(code, 0, "{out}{err}");
    // Explicitly named files obey the config's path allowlist too (pre-commit passes files).
    let (_, _, code) = stdout_of(keywarden(d.path()).args(["scan", "fixtures/a.txt"]));
    assert_eq!(code, 0);
    let (_, _, code) =
        stdout_of(keywarden(d.path()).args(["scan", "--no-config", "fixtures/a.txt"]));
    assert_eq!(code, 1);

    write(
        d.path(),
        ".keywarden.yaml",
        "allow:\n  secrets: ['^ghp_FAKE']\n",
    );
    let (_, _, code) = stdout_of(keywarden(d.path()).args(["scan", "fixtures"]));
    assert_eq!(code, 0);

    // The unverified-format companion rule matches the same token: disable both.
    write(
        d.path(),
        ".keywarden.yaml",
        "disable: [github-pat-classic, github-token-unverified]\n",
    );
    let (_, _, code) = stdout_of(keywarden(d.path()).args(["scan", "fixtures"]));
    assert_eq!(code, 0);
}

#[test]
fn config_with_unknown_key_or_bad_yaml_is_exit_2_with_location() {
    let d = TempDir::new().unwrap();
    write(d.path(), ".keywarden.yaml", "allow:\n  pathz: [x]\n");
    let (_, err, code) = stdout_of(keywarden(d.path()).args(["scan", "."]));
    assert_eq!(code, 2);
    assert!(err.contains(".keywarden.yaml:2:"), "{err}");
    assert!(err.contains("pathz"), "{err}");

    write(d.path(), ".keywarden.yaml", "allow: [unclosed\n");
    let (_, err, code) = stdout_of(keywarden(d.path()).args(["scan", "."]));
    assert_eq!(code, 2);
    assert!(err.contains(".keywarden.yaml:"), "{err}");
}

#[test]
fn user_rules_add_override_and_report_invalid_regex_with_line_and_id() {
    let d = TempDir::new().unwrap();
    write(d.path(), "a.txt", "internal = ACME-1234567890abcdef\n");
    write(
        d.path(),
        ".keywarden.yaml",
        "rules:\n  - id: acme-token\n    name: ACME token\n    severity: critical\n    keywords: [acme-]\n    pattern: '\\b(ACME-[0-9a-f]{16})\\b'\n    examples: ['ACME-1234567890abcdef']\n",
    );
    let (out, err, code) = stdout_of(keywarden(d.path()).args(["scan", ".", "--format", "json"]));
    assert_eq!(code, 1, "{err}");
    assert_eq!(findings(&json_of(&out))[0]["rule_id"], "acme-token");
    assert_eq!(findings(&json_of(&out))[0]["severity"], "critical");

    write(
        d.path(),
        ".keywarden.yaml",
        "# user rules\nrules:\n  - id: broken-rule\n    name: Broken\n    severity: high\n    keywords: [x]\n    pattern: '(unclosed'\n",
    );
    let (_, err, code) = stdout_of(keywarden(d.path()).args(["scan", "."]));
    assert_eq!(code, 2);
    assert!(err.contains(".keywarden.yaml:3"), "{err}");
    assert!(err.contains("broken-rule"), "{err}");
    assert!(err.contains("invalid pattern"), "{err}");

    // A user rule with a built-in id replaces it: here it never matches (and
    // the unverified-format companion rule is disabled).
    write(
        d.path(),
        ".keywarden.yaml",
        "disable: [github-token-unverified]\nrules:\n  - id: github-pat-classic\n    name: off\n    severity: low\n    keywords: [ghp_]\n    pattern: 'ghp_NEVER'\n",
    );
    write(d.path(), "b.txt", format!("t = {}\n", github_token()));
    let (_, _, code) = stdout_of(keywarden(d.path()).args(["scan", "b.txt"]));
    assert_eq!(code, 0);
}

#[test]
fn fail_on_and_exit_zero_control_the_exit_code() {
    let d = TempDir::new().unwrap();
    write(d.path(), "a.txt", format!("t = {}\n", github_token()));
    let (_, _, code) = stdout_of(keywarden(d.path()).args(["scan", ".", "--fail-on", "critical"]));
    assert_eq!(code, 0, "a high finding does not fail --fail-on critical");
    let (_, _, code) = stdout_of(keywarden(d.path()).args(["scan", ".", "--fail-on", "high"]));
    assert_eq!(code, 1);
    let (out, _, code) = stdout_of(keywarden(d.path()).args(["scan", ".", "--exit-zero"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("github-pat-classic"),
        "findings are still reported"
    );
}

#[test]
fn missing_path_and_bad_arguments_are_exit_2() {
    let d = TempDir::new().unwrap();
    let (_, err, code) = stdout_of(keywarden(d.path()).args(["scan", "nope"]));
    assert_eq!(code, 2);
    assert!(err.contains("nope: no such file or directory"), "{err}");
    let (_, _, code) = stdout_of(keywarden(d.path()).args(["scan", "--format", "xml"]));
    assert_eq!(code, 2);
    let (_, err, code) =
        stdout_of(keywarden(d.path()).args(["scan", ".", "--rule", "no-such-rule"]));
    assert_eq!(code, 2);
    assert!(err.contains("no-such-rule"), "{err}");
}

#[test]
fn stdin_is_scanned_with_a_chosen_name() {
    let d = TempDir::new().unwrap();
    let (out, _, code) = stdout_of(
        keywarden(d.path())
            .args([
                "scan",
                "-",
                "--stdin-filename",
                "pasted.txt",
                "--format",
                "json",
            ])
            .write_stdin(format!("x {}\n", github_token())),
    );
    assert_eq!(code, 1);
    assert_eq!(findings(&json_of(&out))[0]["path"], "pasted.txt");
}

#[test]
fn only_and_disabled_rules() {
    let d = TempDir::new().unwrap();
    // keywarden:allow (test data on the next line)
    let content = format!("t = {}\npassword = \"Xk9-fake-Pw!\"\n", github_token());
    write(d.path(), "a.txt", content);
    let (out, _, _) = stdout_of(keywarden(d.path()).args([
        "scan",
        ".",
        "--format",
        "json",
        "--rule",
        "generic-password",
    ]));
    let f = findings(&json_of(&out)).clone();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["rule_id"], "generic-password");
    let (out, _, _) = stdout_of(keywarden(d.path()).args([
        "scan",
        ".",
        "--format",
        "json",
        "--disable-rule",
        "generic-password",
    ]));
    let f = findings(&json_of(&out)).clone();
    assert!(f.iter().all(|f| f["rule_id"] != "generic-password"));
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let d = TempDir::new().unwrap();
    for i in 0..60 {
        let content = format!("{i}\nt = {}\npassword = \"Fk-{i}-Xz9q\"\n", github_token()); // keywarden:allow
        write(d.path(), &format!("d{}/f{i}.txt", i % 7), content);
    }
    let run = |threads: &str| {
        stdout_of(keywarden(d.path()).args([
            "scan",
            ".",
            "--format",
            "sarif",
            "--threads",
            threads,
        ]))
        .0
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("8"));
}

#[test]
fn rules_command_lists_and_explains() {
    let d = TempDir::new().unwrap();
    let (out, _, code) = stdout_of(keywarden(d.path()).args(["rules"]));
    assert_eq!(code, 0);
    assert!(
        out.lines().count() >= 300,
        "{} rules listed",
        out.lines().count()
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("github-pat-classic ") && l.contains("high"))
    );
    let (out, _, code) = stdout_of(keywarden(d.path()).args(["rules", "github-pat-classic"]));
    assert_eq!(code, 0);
    for part in ["What it finds", "How to fix", "References", "Examples"] {
        assert!(out.contains(part), "{part} missing:\n{out}");
    }
    let (out, _, code) = stdout_of(keywarden(d.path()).args(["rules", "--format", "json"]));
    assert_eq!(code, 0);
    assert!(json_of(&out).as_array().unwrap().len() >= 300);
    let (_, err, code) = stdout_of(keywarden(d.path()).args(["rules", "github-pat"]));
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule id `github-pat`"), "{err}");
}
