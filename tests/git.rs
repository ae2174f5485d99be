//! `keywarden git`: the real binary against real repositories built in
//! temporary directories with the `git` command line (fixed identities and
//! dates, no system or user configuration).

mod util;

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use tempfile::TempDir;
use util::{keywarden, stdout_of, write};

/// A distinct fake Stripe live key per `n`, assembled at run time so that
/// this file holds no key for the self-scan to find.
fn key(n: u32) -> String {
    format!("{}_{}_FAKE{n:02}23456789abcdefFAKE", "sk", "live")
}

struct Repo {
    dir: TempDir,
    /// Commits made so far: each gets a later fixed date.
    clock: std::cell::Cell<u32>,
}

impl Repo {
    fn new() -> Repo {
        let r = Repo {
            dir: TempDir::new().unwrap(),
            clock: std::cell::Cell::new(0),
        };
        r.git(&["init", "-q", "-b", "main"]);
        r
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn cmd(&self, dir: &Path) -> Command {
        let mut c = Command::new("git");
        c.current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("HOME", self.path())
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .env("GIT_COMMITTER_DATE", "2024-04-30T12:00:00+02:00")
            .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
            .args([
                "-c",
                "user.name=Test",
                "-c",
                "user.email=test@example.invalid",
            ]);
        c
    }

    fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.cmd(dir).args(args).output().expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn git(&self, args: &[&str]) -> String {
        self.git_in(self.path(), args)
    }

    fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        write(self.path(), rel, content);
    }

    /// Commits everything in the work tree as `who` on a fixed date
    /// (2024-05-01 plus one day per commit); returns the commit id.
    fn commit(&self, msg: &str, who: &str) -> String {
        self.git(&["add", "-A"]);
        self.commit_staged(msg, who)
    }

    fn commit_staged(&self, msg: &str, who: &str) -> String {
        let day = self.clock.get() + 1;
        self.clock.set(day);
        let date = format!("2024-05-{day:02}T12:00:00+02:00");
        let email = format!("{}@example.invalid", who.to_lowercase());
        let out = self
            .cmd(self.path())
            .env("GIT_AUTHOR_NAME", who)
            .env("GIT_AUTHOR_EMAIL", &email)
            .env("GIT_COMMITTER_NAME", who)
            .env("GIT_COMMITTER_EMAIL", &email)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .args(["commit", "-q", "--allow-empty", "--no-verify", "-m", msg])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.git(&["rev-parse", "HEAD"])
    }

    /// Runs `keywarden git` with JSON output; returns (document, stderr, exit code).
    fn scan(&self, args: &[&str]) -> (Value, String, i32) {
        let (out, err, code) = stdout_of(
            keywarden(self.path())
                .env("HOME", self.path())
                .args(["git", "--format", "json"])
                .args(args),
        );
        let doc = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {out}\nstderr: {err}"));
        (doc, err, code)
    }
}

fn findings(doc: &Value) -> Vec<Value> {
    doc["findings"].as_array().cloned().unwrap_or_default()
}

/// (path, start_line, commit) of every finding, in report order.
fn places(doc: &Value) -> Vec<(String, u64, String)> {
    findings(doc)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").to_string(),
                f["start_line"].as_u64().unwrap_or(0),
                f["origin"]["commit"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_secret_kept_for_many_commits_is_attributed_to_the_commit_that_added_it() {
    let r = Repo::new();
    r.write("README.md", "hello\n");
    r.commit("init", "Zed");
    r.write("config/app.env", format!("A=1\nSTRIPE={}\n", key(1)));
    let c1 = r.commit("add config", "Alice");
    r.write("config/app.env", format!("A=2\nSTRIPE={}\nB=3\n", key(1)));
    r.commit("tweak", "Bob");
    r.write("README.md", "hello again\n");
    r.commit("docs", "Carol");

    let (doc, err, code) = r.scan(&[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(places(&doc), vec![("config/app.env".into(), 2, c1.clone())]);
    let o = &findings(&doc)[0]["origin"];
    assert_eq!(o["author_name"], "Alice");
    assert_eq!(o["author_email"], "alice@example.invalid");
    assert_eq!(o["date"], "2024-05-02T12:00:00+02:00");
    assert_eq!(o["path"], "config/app.env");
    assert_eq!(doc["summary"]["commits"], 4);
    assert!(!doc.to_string().contains(&key(1)), "secret printed");

    // The human report says where it came from.
    let (out, _, code) = stdout_of(keywarden(r.path()).args(["git", "."]));
    assert_eq!(code, 1);
    let line = format!(
        "introduced in {} by Alice <alice@example.invalid> on 2024-05-02",
        &c1[..7]
    );
    assert!(out.contains(&line), "{out}");
    assert!(out.contains("from 4 commits"), "{out}");
}

#[test]
fn secrets_in_deleted_files_side_branches_and_tags_are_found() {
    let r = Repo::new();
    r.write("gone.env", format!("K={}\n", key(1)));
    let c_gone = r.commit("leak", "Alice");
    std::fs::remove_file(r.path().join("gone.env")).unwrap();
    let base = r.commit("remove the leak", "Alice");

    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("side.env", format!("K={}\n", key(2)));
    let c_side = r.commit("side", "Bob");

    r.git(&["checkout", "-q", "--detach", &base]);
    r.write("tagged.env", format!("K={}\n", key(3)));
    let c_tag = r.commit("tagged only", "Carol");
    r.git(&["tag", "-a", "-m", "release", "v1"]);
    r.git(&["checkout", "-q", "main"]);

    let (doc, err, code) = r.scan(&[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        places(&doc),
        vec![
            ("gone.env".into(), 1, c_gone.clone()),
            ("side.env".into(), 1, c_side),
            ("tagged.env".into(), 1, c_tag),
        ]
    );

    // --branch limits the walk to one ref's history.
    let (doc, err, _) = r.scan(&["--branch", "main"]);
    assert_eq!(places(&doc), vec![("gone.env".into(), 1, c_gone)], "{err}");
    let (doc, _, _) = r.scan(&["--branch", "v1"]);
    assert_eq!(findings(&doc).len(), 2);
}

#[test]
fn the_same_blob_at_two_paths_is_read_once_and_reported_at_both() {
    let r = Repo::new();
    let content = format!("K={}\n", key(1));
    r.write("a/one.env", &content);
    let c1 = r.commit("one", "Alice");
    r.write("b/two.env", &content);
    let c2 = r.commit("copy", "Bob");

    let (doc, err, code) = r.scan(&[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        places(&doc),
        vec![("a/one.env".into(), 1, c1), ("b/two.env".into(), 1, c2)]
    );
    // One blob holds the secret; with the README-less tree that is all there is.
    assert_eq!(doc["summary"]["files"], 1);
}

#[test]
fn since_and_max_commits_limit_the_history() {
    let r = Repo::new();
    r.write("old.env", format!("K={}\n", key(1)));
    r.commit("old", "Alice");
    r.write("mid.txt", "x\n");
    r.commit("mid", "Alice");
    r.write("new.env", format!("K={}\n", key(2)));
    let c3 = r.commit("new", "Bob");

    let (doc, _, _) = r.scan(&["--since", "2024-05-02"]);
    assert_eq!(places(&doc), vec![("new.env".into(), 1, c3.clone())]);
    assert_eq!(doc["summary"]["commits"], 2);
    let (doc, _, _) = r.scan(&["--max-commits", "1"]);
    assert_eq!(places(&doc), vec![("new.env".into(), 1, c3)]);
    assert_eq!(doc["summary"]["commits"], 1);
}

#[test]
fn staged_reports_only_added_lines_unless_whole_files() {
    let r = Repo::new();
    r.write("app.env", format!("OLD={}\n", key(1)));
    r.commit("base", "Alice");
    r.write("app.env", format!("OLD={}\nNEW={}\n", key(1), key(2)));
    r.write("fresh.env", format!("F={}\n", key(3)));
    r.git(&["add", "-A"]);
    // Unstaged edits are not what will be committed: not scanned.
    r.write("fresh.env", "F=$(FROM_ENV)\n");
    r.write("unstaged.env", format!("U={}\n", key(4)));

    let (doc, err, code) = r.scan(&["--staged"]);
    assert_eq!(code, 1, "{err}");
    let got: Vec<(String, u64)> = places(&doc).into_iter().map(|(p, l, _)| (p, l)).collect();
    assert_eq!(got, vec![("app.env".into(), 2), ("fresh.env".into(), 1)]);
    assert!(findings(&doc).iter().all(|f| f.get("origin").is_none()));

    let (doc, _, _) = r.scan(&["--staged", "--whole-files"]);
    let got: Vec<(String, u64)> = places(&doc).into_iter().map(|(p, l, _)| (p, l)).collect();
    assert_eq!(
        got,
        vec![
            ("app.env".into(), 1),
            ("app.env".into(), 2),
            ("fresh.env".into(), 1)
        ]
    );

    // Nothing staged: nothing to report.
    r.git(&["reset", "-q"]);
    let (doc, err, code) = r.scan(&["--staged"]);
    assert_eq!((code, findings(&doc).len()), (0, 0), "{err}");
}

#[test]
fn staged_works_before_the_first_commit() {
    let r = Repo::new();
    let (doc, err, code) = r.scan(&["--staged"]);
    assert_eq!((code, findings(&doc).len()), (0, 0), "{err}");
    r.write("first.env", format!("K={}\n", key(1)));
    r.git(&["add", "first.env"]);
    let (doc, err, code) = r.scan(&["--staged"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(findings(&doc)[0]["path"], "first.env");
}

/// `git commit -a` and `git commit PATH` give hooks a temporary index
/// through GIT_INDEX_FILE: that index is the one to scan.
#[test]
fn staged_reads_the_index_named_by_git_index_file() {
    let r = Repo::new();
    r.write("a.txt", "clean\n");
    r.commit("base", "Alice");
    r.write("a.txt", format!("clean\nK={}\n", key(1)));
    let alt = r.path().join(".git/alt-index");
    std::fs::copy(r.path().join(".git/index"), &alt).unwrap();
    let out = r
        .cmd(r.path())
        .env("GIT_INDEX_FILE", &alt)
        .args(["add", "a.txt"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let (doc, _, code) = r.scan(&["--staged"]);
    assert_eq!(
        (code, findings(&doc).len()),
        (0, 0),
        "default index is clean"
    );
    let (out, err, code) = stdout_of(
        keywarden(r.path())
            .env("GIT_INDEX_FILE", &alt)
            .args(["git", "--staged"]),
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("a.txt:2:"), "{out}");
}

#[test]
fn range_reports_what_the_branch_adds_and_not_the_base() {
    let r = Repo::new();
    r.write("settings.env", format!("OLD={}\n", key(1)));
    let base = r.commit("base with an old secret", "Alice");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("settings.env", format!("OLD={}\nX=1\n", key(1)));
    r.commit("touch the file", "Bob");
    r.write("new.env", format!("NEW={}\n", key(2)));
    let c_new = r.commit("add a secret", "Bob");
    r.write("new.env", "NEW=$(FROM_ENV)\n");
    let head = r.commit("remove it again", "Bob");

    let range = format!("{base}..{head}");
    let (doc, err, code) = r.scan(&["--range", &range]);
    assert_eq!(code, 1, "{err}");
    // Removed again at the head, but it is in the pushed history.
    assert_eq!(places(&doc), vec![("new.env".into(), 1, c_new)]);
    assert_eq!(doc["summary"]["commits"], 3);
    // Ref names work too.
    let (doc2, _, _) = r.scan(&["--range", "main..feature"]);
    assert_eq!(places(&doc2), places(&doc));

    // --whole-files blames every finding in a changed file on the range.
    let (doc, _, _) = r.scan(&["--range", &range, "--whole-files"]);
    assert_eq!(findings(&doc).len(), 2);

    // A range with nothing new is clean.
    let (doc, err, code) = r.scan(&["--range", "feature..main"]);
    assert_eq!((code, findings(&doc).len()), (0, 0), "{err}");
}

#[test]
fn range_over_merges_reports_each_secret_once() {
    let r = Repo::new();
    r.write("base.txt", "base\n");
    let base = r.commit("base", "Alice");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("feature.env", format!("F={}\n", key(1)));
    let c_feature = r.commit("feature secret", "Bob");
    r.git(&["checkout", "-q", "main"]);
    r.write("main.env", format!("M={}\n", key(2)));
    let c_main = r.commit("main secret", "Carol");
    r.git(&["checkout", "-q", "feature"]);
    // A merge that also adds a line of its own (an "evil" merge).
    r.git(&["merge", "-q", "--no-ff", "--no-commit", "main"]);
    r.write("feature.env", format!("F={}\nE={}\n", key(1), key(3)));
    r.git(&["add", "-A"]);
    let merge = r.commit_staged("merge main", "Dave");

    let (doc, err, code) = r.scan(&["--range", &format!("{base}..{merge}")]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        places(&doc),
        vec![
            ("feature.env".into(), 1, c_feature),
            ("feature.env".into(), 2, merge.clone()),
            ("main.env".into(), 1, c_main.clone()),
        ]
    );
    // From main's point of view the merge brings the feature's work only.
    let (doc, _, _) = r.scan(&["--range", &format!("{c_main}..{merge}")]);
    let commits: Vec<String> = places(&doc).into_iter().map(|p| p.2).collect();
    assert_eq!(commits.len(), 2);
    assert!(!commits.contains(&c_main));
}

#[test]
fn a_shallow_clone_is_scanned_as_far_as_it_goes() {
    let r = Repo::new();
    r.write("old.env", format!("K={}\n", key(1)));
    r.commit("old", "Alice");
    r.write("later.env", format!("K={}\n", key(2)));
    r.commit("later", "Bob");
    r.write("tip.txt", "tip\n");
    r.commit("tip", "Carol");

    let clone = TempDir::new().unwrap();
    let url = format!("file://{}", r.path().display());
    r.git_in(
        clone.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let shallow = clone.path().join("shallow");
    let (out, err, code) = stdout_of(keywarden(&shallow).args(["git", "--format", "json"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("shallow"), "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    // Both secrets are in the one commit there is, which gets the blame.
    assert_eq!(findings(&doc).len(), 2);
    assert_eq!(doc["git"]["truncated"], true);
    assert_eq!(doc["summary"]["commits"], 1);

    // A base that the clone does not have: exit 2 with advice.
    let (_, err, code) = stdout_of(keywarden(&shallow).args(["git", "--range", "HEAD~2..HEAD"]));
    assert_eq!(code, 2);
    assert!(err.contains("fetch-depth: 0"), "{err}");
}

#[test]
fn missing_and_corrupt_objects_are_warnings_naming_the_object() {
    let r = Repo::new();
    r.write("ok.env", format!("K={}\n", key(1)));
    r.write("missing.env", format!("K={}\n", key(2)));
    r.write("garbled.env", format!("K={}\n", key(3)));
    r.commit("three files", "Alice");
    let object_file = |name: &str| {
        let id = r.git(&["rev-parse", &format!("HEAD:{name}")]);
        (
            r.path().join(".git/objects").join(&id[..2]).join(&id[2..]),
            id,
        )
    };
    let (missing, missing_id) = object_file("missing.env");
    let (garbled, garbled_id) = object_file("garbled.env");
    std::fs::remove_file(&missing).unwrap();
    let mut perms = std::fs::metadata(&garbled).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&garbled, perms).unwrap();
    std::fs::write(&garbled, b"not zlib at all").unwrap();

    let (doc, err, code) = r.scan(&[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(places(&doc).len(), 1, "{err}");
    assert_eq!(findings(&doc)[0]["path"], "ok.env");
    assert!(err.contains(&missing_id), "{err}");
    assert!(err.contains(&garbled_id), "{err}");
    assert!(err.contains("warning"), "{err}");
}

#[test]
fn not_a_repository_or_a_bad_revision_is_exit_2() {
    let d = TempDir::new().unwrap();
    let (_, err, code) = stdout_of(keywarden(d.path()).args(["git", "."]));
    assert_eq!(code, 2);
    assert!(err.contains("not a git repository"), "{err}");
    let (_, err, code) = stdout_of(keywarden(d.path()).args(["git", "no/such/dir"]));
    assert_eq!(code, 2, "{err}");

    let r = Repo::new();
    r.write("a.txt", "a\n");
    r.commit("a", "Alice");
    for bad in ["nope..HEAD", "HEAD", "HEAD...HEAD"] {
        let (_, err, code) = stdout_of(keywarden(r.path()).args(["git", "--range", bad]));
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains("keywarden: error:"), "{err}");
    }
    let (_, err, code) = stdout_of(keywarden(r.path()).args(["git", "--branch", "nope"]));
    assert_eq!(code, 2, "{err}");
}

#[test]
fn allowlists_inline_markers_baselines_and_binaries_apply_to_history() {
    let r = Repo::new();
    r.write(".keywarden.yaml", "allow:\n  paths: [\"fixtures/**\"]\n");
    r.write("fixtures/fake.env", format!("K={}\n", key(1)));
    r.write(
        "marked.py",
        format!("# keywarden:allow\nK = \"{}\"\n", key(2)),
    );
    r.write(
        "blob.bin",
        [b"K=".as_slice(), key(3).as_bytes(), b"\0\0"].concat(),
    );
    r.write("real.env", format!("K={}\n", key(4)));
    r.commit("mixed", "Alice");

    let (doc, err, code) = r.scan(&[]);
    assert_eq!(code, 1, "{err}");
    let got: Vec<String> = places(&doc).into_iter().map(|p| p.0).collect();
    assert_eq!(got, vec!["real.env".to_string()]);

    let baseline = r.path().join(".git/kw-baseline.json");
    let b = baseline.to_str().unwrap();
    let (_, _, code) = r.scan(&["--write-baseline", b]);
    assert_eq!(code, 1);
    let (doc, err, code) = r.scan(&["--baseline", b]);
    assert_eq!((code, findings(&doc).len()), (0, 0), "{err}");
    assert_eq!(doc["summary"]["baselined"], 1);
}

#[test]
fn sarif_carries_origins_and_version_control_provenance() {
    let r = Repo::new();
    r.write("app.env", format!("K={}\n", key(1)));
    let c1 = r.commit("leak", "Alice");
    let sarif = |r: &Repo| -> Value {
        let (out, err, _) = stdout_of(keywarden(r.path()).args(["git", "--format", "sarif"]));
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"))
    };

    // Without a remote there is no repositoryUri, which the schema requires:
    // no provenance at all.
    let doc = sarif(&r);
    assert!(
        util::sarif_schema_errors(&doc).is_empty(),
        "{:#?}",
        util::sarif_schema_errors(&doc)
    );
    assert!(doc["runs"][0].get("versionControlProvenance").is_none());
    let props = &doc["runs"][0]["results"][0]["properties"];
    assert_eq!(props["commit"], c1.as_str());
    assert_eq!(props["author_name"], "Alice");
    assert_eq!(props["author_email"], "alice@example.invalid");
    assert_eq!(props["date"], "2024-05-01T12:00:00+02:00");
    assert_eq!(props["path"], "app.env");

    // A remote URL with credentials in it: they never reach the report.
    let url = format!(
        "https://user:{}@git.example.invalid/team/app.git",
        "hunter2"
    );
    r.git(&["remote", "add", "origin", &url]);
    let doc = sarif(&r);
    assert!(
        util::sarif_schema_errors(&doc).is_empty(),
        "{:#?}",
        util::sarif_schema_errors(&doc)
    );
    let vcp = &doc["runs"][0]["versionControlProvenance"][0];
    assert_eq!(
        vcp["repositoryUri"],
        "https://git.example.invalid/team/app.git"
    );
    assert_eq!(vcp["revisionId"], c1.as_str());
    assert_eq!(vcp["branch"], "main");
    assert!(!doc.to_string().contains("hunter2"));
    assert!(!doc.to_string().contains(&key(1)));
}

/// Moving a file (or a whole directory) brings its blobs to new paths: the
/// move is where the secret appears at the new path, and the original
/// commit keeps the old one. Both are reported, each with its fingerprint.
#[test]
fn a_moved_secret_is_reported_at_both_paths() {
    let r = Repo::new();
    r.write("old/dir/app.env", format!("K={}\n", key(1)));
    r.write("old/dir/notes.txt", "plain\n");
    let c1 = r.commit("add", "Alice");
    r.git(&["mv", "old", "new"]);
    let c2 = r.commit_staged("move the directory", "Bob");
    r.git(&["mv", "new/dir/app.env", "new/dir/prod.env"]);
    let c3 = r.commit_staged("rename the file", "Carol");

    let (doc, err, code) = r.scan(&[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        places(&doc),
        vec![
            ("new/dir/app.env".into(), 1, c2),
            ("new/dir/prod.env".into(), 1, c3),
            ("old/dir/app.env".into(), 1, c1),
        ]
    );
    let fps: std::collections::HashSet<String> = findings(&doc)
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(fps.len(), 3);
}

/// The policy checks that read content run on git blobs too: history,
/// ranges and staged files; the repository checks (about the work tree) do not.
#[test]
fn policy_checks_run_on_history_ranges_and_staged_blobs() {
    let r = Repo::new();
    let literal = format!("{}-{}", "dev-password", "123");
    r.write(
        "chart/values.yaml",
        format!("database:\n  password: {literal}\nsecrets:\n  create: false\n"),
    );
    let c1 = r.commit("chart with a literal", "Alice");
    r.write(
        "chart/values.yaml",
        "database:\n  password: \"\"\n  existingSecret: app-db\nsecrets:\n  create: false\n  existingSecret: app\n",
    );
    let c2 = r.commit("use existingSecret", "Bob");

    let ids = |doc: &Value| -> Vec<(String, String)> {
        findings(doc)
            .iter()
            .map(|f| {
                (
                    f["rule_id"].as_str().unwrap_or("").to_string(),
                    f["origin"]["commit"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let (doc, err, code) = r.scan(&[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        ids(&doc),
        [
            ("plaintext-secret-in-values".to_string(), c1.clone()),
            ("existing-secret-not-set".to_string(), c1.clone()),
        ]
    );
    // Without the policy checks, the generic password rule is what remains.
    let (doc, _, _) = r.scan(&["--no-policy"]);
    let rules: Vec<String> = ids(&doc).into_iter().map(|(id, _)| id).collect();
    assert_eq!(rules, ["generic-password-unquoted"]);
    // The fix alone adds nothing to report.
    let (doc, _, code) = r.scan(&["--range", &format!("{c1}..{c2}")]);
    assert_eq!(code, 0, "{doc}");

    // Staged: only what the commit adds.
    r.write(
        "chart/values-prod.yaml",
        "redis:\n  auth:\n    enabled: false\n",
    );
    r.git(&["add", "chart/values-prod.yaml"]);
    let (doc, _, code) = r.scan(&["--staged"]);
    assert_eq!(code, 1);
    let rules: Vec<String> = ids(&doc).into_iter().map(|(id, _)| id).collect();
    assert_eq!(rules, ["auth-disabled-in-production"]);
}

/// `policy.equal` pairs are compared within the tree a git scan ends in: the
/// tip of each ref, the range's head, or the index.
#[test]
fn synchronized_secrets_are_compared_in_the_final_trees() {
    let r = Repo::new();
    r.write(
        ".keywarden.yaml",
        "policy:\n  equal:\n    - [a.env.JWT_KEY, b.secrets.JWT_KEY]\n",
    );
    r.write(
        "a/values.yaml",
        "a:\n  env:\n    JWT_KEY: \"{{ .Values.k }}\"\n",
    );
    r.write(
        "b/values.yaml",
        "b:\n  secrets:\n    JWT_KEY: \"{{ .Values.k }}\"\n",
    );
    let c1 = r.commit("templated", "Alice");
    let one = format!("{}-{}", "first", "Value-1234");
    let two = format!("{}-{}", "second", "Value-5678");
    r.write("a/values.yaml", format!("a:\n  env:\n    JWT_KEY: {one}\n"));
    r.write(
        "b/values.yaml",
        format!("b:\n  secrets:\n    JWT_KEY: {two}\n"),
    );
    let c2 = r.commit("literals that differ", "Bob");

    let sync = |doc: &Value| -> Vec<(String, String)> {
        findings(doc)
            .iter()
            .filter(|f| f["rule_id"] == "synchronized-secrets-differ")
            .map(|f| {
                (
                    f["path"].as_str().unwrap_or("").to_string(),
                    f["origin"]["commit"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let (doc, err, _) = r.scan(&[]);
    assert_eq!(sync(&doc).len(), 1, "{doc}\n{err}");
    assert_eq!(sync(&doc)[0].1, c2);
    let (doc, _, _) = r.scan(&["--range", &format!("{c1}..{c2}")]);
    assert_eq!(sync(&doc).len(), 1, "{doc}");

    // Staging the same value on both sides makes the next commit consistent.
    r.write(
        "b/values.yaml",
        format!("b:\n  secrets:\n    JWT_KEY: {one}\n"),
    );
    r.git(&["add", "b/values.yaml"]);
    let (doc, _, _) = r.scan(&["--staged"]);
    assert!(sync(&doc).is_empty(), "{doc}");
    // Staging another differing value: the pair already differed in HEAD,
    // so the next commit is not blamed for it.
    r.write(
        "b/values.yaml",
        format!("b:\n  secrets:\n    JWT_KEY: {two}-x\n"),
    );
    r.git(&["add", "b/values.yaml"]);
    let (doc, _, _) = r.scan(&["--staged"]);
    assert!(sync(&doc).is_empty(), "{doc}");
    // A range whose base already had the difference does not report it.
    r.git(&["commit", "-q", "--no-verify", "-m", "still differs"]);
    let (doc, _, _) = r.scan(&["--range", &format!("{c2}..HEAD")]);
    assert!(sync(&doc).is_empty(), "{doc}");
}
