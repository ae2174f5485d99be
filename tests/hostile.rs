//! Hostile input: binary files, invalid UTF-8, huge single-line files,
//! symlink loops, unreadable and vanished files, broken ignore files. Each
//! gets a clear message naming the file, no panic, and the rest of the scan
//! completes with the right exit code.

mod util;

use tempfile::TempDir;
use util::{github_token, keywarden, stdout_of, write};

fn assert_no_panic(err: &str) {
    assert!(!err.contains("panicked"), "panic: {err}");
}

#[test]
fn binary_files_are_skipped_with_a_note_in_verbose_mode() {
    let d = TempDir::new().unwrap();
    let mut bin = b"\x7fELF\0\0\0".to_vec();
    bin.extend_from_slice(github_token().as_bytes());
    write(d.path(), "app.bin", bin);
    write(d.path(), "ok.txt", format!("t = {}\n", github_token()));
    let (out, err, code) =
        stdout_of(keywarden(d.path()).args(["scan", ".", "-v", "--format", "json"]));
    assert_eq!(code, 1);
    assert!(err.contains("app.bin: skipped: binary file"), "{err}");
    assert!(out.contains("ok.txt") && !out.contains("app.bin"), "{out}");
}

#[test]
fn invalid_utf8_is_scanned_as_bytes() {
    let d = TempDir::new().unwrap();
    let mut data = b"\xff\xfe caf\xe9 ".to_vec();
    data.extend_from_slice(github_token().as_bytes());
    data.extend_from_slice(b" \xc3\x28\n");
    write(d.path(), "latin1.txt", data);
    let (out, err, code) = stdout_of(keywarden(d.path()).args(["scan", "."]));
    assert_no_panic(&err);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("latin1.txt:1:"), "{out}");
}

#[test]
fn huge_single_line_file_is_skipped_by_default_and_scanned_when_allowed() {
    let d = TempDir::new().unwrap();
    let mut data = vec![b'.'; 100 * 1024 * 1024];
    let tok = github_token();
    let at = 50 * 1024 * 1024;
    data[at] = b' ';
    data[at + 1..at + 1 + tok.len()].copy_from_slice(tok.as_bytes());
    data[at + 1 + tok.len()] = b' ';
    write(d.path(), "huge.txt", &data);
    drop(data);
    let (_, err, code) = stdout_of(keywarden(d.path()).args(["scan", ".", "-v"]));
    assert_eq!(code, 0);
    assert!(
        err.contains("huge.txt: skipped:") && err.contains("--max-file-size"),
        "{err}"
    );
    let (out, err, code) = stdout_of(keywarden(d.path()).args([
        "scan",
        ".",
        "--max-file-size",
        "200M",
        "--format",
        "json",
    ]));
    assert_no_panic(&err);
    assert_eq!(code, 1, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["findings"][0]["start_line"], 1);
    assert_eq!(doc["findings"][0]["start_column"], at as u64 + 2);
}

#[cfg(unix)]
#[test]
fn symlink_loop_is_reported_and_the_scan_goes_on() {
    let d = TempDir::new().unwrap();
    std::fs::create_dir_all(d.path().join("a/b")).unwrap();
    std::os::unix::fs::symlink("..", d.path().join("a/b/up")).unwrap();
    write(d.path(), "a/key.txt", format!("t = {}\n", github_token()));
    // Without following links, the loop is never entered.
    let (_, err, code) = stdout_of(keywarden(d.path()).args(["scan", "."]));
    assert_eq!(code, 1, "{err}");
    let (out, err, code) =
        stdout_of(keywarden(d.path()).args(["scan", ".", "--follow-symlinks", "--format", "json"]));
    assert_no_panic(&err);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("warning") && err.contains("loop"), "{err}");
    assert!(out.contains("a/key.txt"), "{out}");
}

#[cfg(unix)]
#[test]
fn dangling_symlink_and_unreadable_file_are_warnings() {
    use std::os::unix::fs::PermissionsExt;
    let d = TempDir::new().unwrap();
    std::os::unix::fs::symlink("vanished.txt", d.path().join("gone.txt")).unwrap();
    write(d.path(), "locked.txt", "x");
    std::fs::set_permissions(
        d.path().join("locked.txt"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    write(d.path(), "ok.txt", format!("t = {}\n", github_token()));
    let (out, err, code) = stdout_of(keywarden(d.path()).args(["scan", ".", "--follow-symlinks"]));
    assert_no_panic(&err);
    assert_eq!(code, 1, "findings still decide the exit code: {err}");
    assert!(err.contains("gone.txt"), "{err}");
    assert!(out.contains("ok.txt"), "{out}");
    // Root reads anything; the permission half only holds for other users.
    let readable_anyway = std::fs::read(d.path().join("locked.txt")).is_ok();
    if !readable_anyway {
        assert!(err.contains("locked.txt: cannot read"), "{err}");
    }
    // A named file that is unreadable is a warning too, not a crash.
    let (_, err, code) = stdout_of(keywarden(d.path()).args(["scan", "gone.txt", "ok.txt"]));
    assert_no_panic(&err);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("gone.txt"), "{err}");
}

#[test]
fn broken_gitignore_is_a_warning_naming_the_file_and_line() {
    let d = TempDir::new().unwrap();
    write(d.path(), ".gitignore", "ok-pattern\n{unclosed,group\n");
    write(d.path(), "a.txt", format!("t = {}\n", github_token()));
    let (out, err, code) = stdout_of(keywarden(d.path()).args(["scan", "."]));
    assert_no_panic(&err);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains(".gitignore") && err.contains("line 2"),
        "{err}"
    );
}

#[test]
fn file_vanishing_mid_walk_is_a_warning() {
    // Many files, one of which is deleted by a concurrent thread while the
    // scan runs; whichever way the race goes, no panic and a valid exit code.
    let d = TempDir::new().unwrap();
    for i in 0..2000 {
        write(d.path(), &format!("f{i}.txt"), format!("line {i}\n"));
    }
    let victim = d.path().join("f1999.txt");
    let child = keywarden(d.path()).args(["scan", "."]).output();
    let _ = std::fs::remove_file(victim);
    let out = child.unwrap();
    assert!(
        matches!(out.status.code(), Some(0)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn malformed_rules_file_in_config_never_panics() {
    let d = TempDir::new().unwrap();
    for (i, cfg) in [
        "rules: 5\n",
        "rules:\n  - id: 'Bad Id'\n    name: x\n    severity: high\n    pattern: 'x'\n",
        "rules:\n  - id: ok\n    name: x\n    severity: extreme\n    pattern: 'x'\n",
        "rules:\n  - id: ok\n    name: x\n    severity: high\n    pattern: '(a)'\n    secret_group: 4\n",
        "\u{0}\u{1}garbage: [\n",
    ]
    .iter()
    .enumerate()
    {
        write(d.path(), ".keywarden.yaml", cfg);
        let (_, err, code) = stdout_of(keywarden(d.path()).args(["scan", "."]));
        assert_no_panic(&err);
        assert_eq!(code, 2, "case {i}: {err}");
        assert!(err.contains(".keywarden.yaml"), "case {i}: {err}");
    }
}
