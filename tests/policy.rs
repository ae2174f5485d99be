//! Helm/Kubernetes policy checks, run through the real binary: every check's
//! documented example and counter-example, a snapshot of each diagnostic,
//! fixture charts modelled on real ones, configuration and hostile YAML.

mod util;

use keywarden::policy::catalog;
use serde_json::Value;
use std::path::Path;
use tempfile::TempDir;
use util::{keywarden, stdout_of, write};

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs a JSON scan; returns (findings, stderr, exit code).
fn scan_json(dir: &Path, args: &[&str]) -> (Vec<Value>, String, i32) {
    let (out, err, code) = stdout_of(keywarden(dir).args(["scan", "--format", "json"]).args(args));
    let doc: Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}\n{err}"));
    let findings = doc["findings"].as_array().cloned().unwrap_or_default();
    (findings, err, code)
}

/// (path, line, rule) of each finding.
fn summary(findings: &[Value]) -> Vec<(String, u64, String)> {
    findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_string(),
                f["start_line"].as_u64().unwrap_or_default(),
                f["rule_id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// A configuration that enables `id` when it is off by default, and
/// declares the pair the synchronized-secrets example uses.
fn config_for(id: &str) -> String {
    let mut cfg = format!("policy:\n  checks:\n    {id}: {{ enabled: true }}\n");
    if id == "synchronized-secrets-differ" {
        cfg.push_str("  equal:\n    - [a.jwtSecret, b.jwtSecret]\n");
    }
    cfg
}

fn stable_human(out: &str) -> String {
    out.lines()
        .map(|l| {
            if l.starts_with("keywarden: ") {
                l.split(" scanned in ").next().unwrap_or(l)
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn catalog_parses_and_ids_are_unique() {
    let n = catalog::parse_catalog().expect("checks.yaml parses");
    assert!(n >= 14, "{n} checks");
    let mut ids: Vec<&str> = catalog::checks().iter().map(|c| c.id.as_str()).collect();
    ids.extend(catalog::checks().iter().map(|c| c.code.as_str()));
    let before = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), before, "duplicate check ids or codes");
    // No policy id may shadow a credential rule.
    let rules = keywarden::rules::builtin_specs().expect("rules parse");
    for c in catalog::checks() {
        assert!(
            !rules.iter().any(|r| r.id() == c.id),
            "{} is also a rule id",
            c.id
        );
    }
}

/// Runs `git` in `dir` with a fixed identity and no user configuration.
fn git(dir: &Path, args: &[&str]) {
    let st = std::process::Command::new("git")
        .args(["-c", "user.name=T", "-c", "user.email=t@example.invalid"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .status()
        .expect("git runs");
    assert!(st.success(), "git {args:?}");
}

/// The repository checks need a git work tree in a given state.
fn prepare_repository(dir: &Path, check: &str, file: &str) {
    if !check.starts_with("secrets-file-") {
        return;
    }
    git(dir, &["init", "-q"]);
    match check {
        "secrets-file-tracked" => git(dir, &["add", file]),
        "secrets-file-permissions" => {
            write(dir, ".gitignore", format!("{file}\n"));
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let p = dir.join(file);
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
            }
        }
        _ => {}
    }
}

/// Each check's example is reported by that check (and its diagnostic is
/// snapshotted); its `instead` is reported by nothing at all.
#[test]
fn every_check_reports_its_example_and_not_its_counter_example() {
    for check in catalog::checks() {
        let d = TempDir::new().unwrap();
        write(d.path(), ".keywarden.yaml", config_for(&check.id));
        write(d.path(), &check.file, &check.example);
        prepare_repository(d.path(), &check.id, &check.file);
        let (findings, err, code) = scan_json(d.path(), &["."]);
        let hits: Vec<&Value> = findings
            .iter()
            .filter(|f| f["rule_id"] == check.id.as_str())
            .collect();
        assert!(
            !hits.is_empty(),
            "{}: example not reported: {:?}\n{err}",
            check.id,
            summary(&findings)
        );
        let failing = findings.iter().any(|f| f["severity"] != "info");
        assert_eq!(code, i32::from(failing), "{}: exit code", check.id);
        for h in &hits {
            assert!(h["message"].as_str().is_some_and(|m| !m.is_empty()));
            assert_eq!(h["path"], check.file.as_str());
        }

        let (out, _, _) = stdout_of(keywarden(d.path()).args(["scan", "."]));
        insta::assert_snapshot!(format!("check_{}", check.id), stable_human(&out));

        let clean = TempDir::new().unwrap();
        write(clean.path(), ".keywarden.yaml", config_for(&check.id));
        write(clean.path(), &check.file, &check.instead);
        prepare_repository(clean.path(), &check.id, &check.file);
        let (findings, err, code) = scan_json(clean.path(), &["."]);
        assert!(
            findings.is_empty(),
            "{}: counter-example reported: {:?}\n{err}",
            check.id,
            summary(&findings)
        );
        assert_eq!(code, 0);
    }
}

#[test]
fn rules_command_documents_policy_checks_by_id_and_code() {
    let (out, _, code) = stdout_of(keywarden(repo_root()).args(["rules", "KW-HELM-001"]));
    assert_eq!(code, 0);
    for part in [
        "plaintext-secret-in-values (KW-HELM-001)",
        "What it does",
        "Why is this bad?",
        "Example",
        "Use instead",
        "How to fix",
    ] {
        assert!(out.contains(part), "missing {part:?} in:\n{out}");
    }
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    for c in catalog::checks() {
        let row = format!("| `{}` | {} | {}", c.id, c.code, c.severity);
        assert!(readme.contains(&row), "README policy table lacks {row:?}");
    }
    let (list, _, _) = stdout_of(keywarden(repo_root()).args(["rules"]));
    for c in catalog::checks() {
        assert!(list.contains(&c.id), "{} not listed", c.id);
    }
    let (json, _, _) = stdout_of(keywarden(repo_root()).args([
        "rules",
        "--format",
        "json",
        "empty-credential-in-production",
    ]));
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["kind"], "policy");
    assert_eq!(v["code"], "KW-HELM-008");
}

#[test]
fn realistic_clean_chart_has_zero_findings() {
    let (findings, err, code) =
        scan_json(repo_root(), &["tests/fixtures/policy/clean", "--no-config"]);
    assert!(findings.is_empty(), "{:?}\n{err}", summary(&findings));
    assert_eq!(code, 0);
    assert!(err.is_empty(), "{err}");
}

#[test]
fn llmtrace_style_chart() {
    let (findings, _, code) = scan_json(
        repo_root(),
        &["tests/fixtures/policy/llmtrace", "--no-config"],
    );
    assert_eq!(code, 1);
    let p = "tests/fixtures/policy/llmtrace/";
    let got = summary(&findings);
    let want = vec![
        (
            format!("{p}values-dev.yaml"),
            3,
            "plaintext-secret-in-values".to_string(),
        ),
        (
            format!("{p}values.yaml"),
            2,
            "existing-secret-not-set".to_string(),
        ),
        // A provider rule names the URL's credential; the policy check yields to it.
        (
            format!("{p}values.yaml"),
            4,
            "postgres-connection-url".to_string(),
        ),
        (
            format!("{p}values.yaml"),
            10,
            "weak-or-default-password".to_string(),
        ),
    ];
    assert_eq!(got, want);
    // The span is the value, not the key.
    let dev = &findings[0];
    assert_eq!(dev["start_column"], 13);
    assert_eq!(dev["end_column"], 29);
}

#[test]
fn manifests_secrets_configmaps_and_env() {
    let (findings, _, _) = scan_json(
        repo_root(),
        &["tests/fixtures/policy/manifests", "--no-config"],
    );
    let p = "tests/fixtures/policy/manifests/";
    let got = summary(&findings);
    let want: Vec<(String, u64, String)> = [
        ("secret.yaml", 7, "committed-kubernetes-secret"),
        ("secret.yaml", 15, "committed-kubernetes-secret"),
        ("secret.yaml", 15, "secret-value-whitespace"),
        ("worker.yaml", 6, "secret-in-configmap-or-env"),
        ("worker.yaml", 22, "secret-in-configmap-or-env"),
        ("worker.yaml", 24, "amqp-connection-url"),
    ]
    .iter()
    .map(|(f, l, r)| (format!("{p}{f}"), *l, r.to_string()))
    .collect();
    assert_eq!(got, want);
    // The base64 value is decoded and the credential rules run on it.
    let msg = findings[0]["message"].as_str().unwrap();
    assert!(msg.contains("github-pat-classic"), "{msg}");
    assert!(
        !serde_json::to_string(&findings)
            .unwrap()
            .contains("ghp_FAKE"),
        "decoded secret leaked"
    );
}

#[test]
fn configuration_tunes_the_checks() {
    let d = TempDir::new().unwrap();
    write(
        d.path(),
        "deploy/values.yaml",
        // keywarden:allow (fake test data)
        "app:\n  adminPin: abc-def-ghi-123\n  password: set-by-ci\n  token: s3cr3t-t0ken-value\n",
    );
    // Defaults: the token is reported, the DSN key is not secret-like, the
    // password is a literal.
    let (f, _, _) = scan_json(d.path(), &["."]);
    let rules: Vec<_> = summary(&f).into_iter().map(|s| (s.1, s.2)).collect();
    assert_eq!(
        rules,
        [
            (3, "plaintext-secret-in-values".to_string()),
            (4, "plaintext-secret-in-values".to_string())
        ]
    );

    write(
        d.path(),
        ".keywarden.yaml",
        "policy:\n  secret_keys: { extra: [adminPin] }\n  placeholders: [set-by-ci]\n  checks:\n    KW-HELM-001: { severity: low }\n",
    );
    let (f, _, _) = scan_json(d.path(), &["."]);
    let got: Vec<_> = f
        .iter()
        .map(|x| (x["start_line"].as_u64().unwrap(), x["severity"].clone()))
        .collect();
    assert_eq!(got, [(2, "low".into()), (4, "low".into())]);

    // Disabled by id or by code, from the config or the command line.
    write(d.path(), ".keywarden.yaml", "disable: [KW-HELM-001]\n");
    let (f, _, _) = scan_json(d.path(), &["."]);
    assert!(
        !summary(&f)
            .iter()
            .any(|s| s.2 == "plaintext-secret-in-values")
    );
    let (f, _, _) = scan_json(d.path(), &[".", "--no-config", "--no-policy"]);
    assert!(!summary(&f).iter().any(|s| s.2.contains("values")));
    let (f, _, _) = scan_json(
        d.path(),
        &[".", "--no-config", "--rule", "plaintext-secret-in-values"],
    );
    assert!(
        summary(&f)
            .iter()
            .all(|s| s.2 == "plaintext-secret-in-values")
    );
    assert_eq!(f.len(), 2);
}

#[test]
fn values_and_production_globs_are_configurable() {
    let d = TempDir::new().unwrap();
    write(
        d.path(),
        "env/live.yaml",
        "redis:\n  auth:\n    enabled: false\n",
    );
    let (f, _, _) = scan_json(d.path(), &["."]);
    assert!(f.is_empty(), "{:?}", summary(&f));
    write(
        d.path(),
        ".keywarden.yaml",
        "policy:\n  values_files: [\"env/*.yaml\"]\n  production: [\"env/live.yaml\"]\n",
    );
    let (f, _, _) = scan_json(d.path(), &["."]);
    assert_eq!(summary(&f)[0].2, "auth-disabled-in-production");
}

#[test]
fn production_is_a_path_token() {
    let d = TempDir::new().unwrap();
    let body = "grafana:\n  adminPassword: changeme\n";
    for p in [
        "values-prod.yaml",
        "values.production.yaml",
        "environments/production/values.yaml",
        "prod/values.yaml",
    ] {
        write(d.path(), p, body);
    }
    for p in [
        "values-staging.yaml",
        "values-dev.yaml",
        "product/values.yaml",
    ] {
        write(d.path(), p, body);
    }
    let (f, _, _) = scan_json(d.path(), &["."]);
    let mut paths: Vec<String> = summary(&f).into_iter().map(|s| s.0).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "environments/production/values.yaml",
            "prod/values.yaml",
            "values-prod.yaml",
            "values.production.yaml"
        ]
    );
}

#[test]
fn anchors_merge_keys_and_multi_documents() {
    let d = TempDir::new().unwrap();
    write(
        d.path(),
        "values.yaml",
        // keywarden:allow (fake test data)
        "defaults: &db\n  password: anch0red-Secret-9\n  existingSecret: \"\"\napi:\n  <<: *db\n  user: api\nworker:\n  db: *db\n",
    );
    let (f, _, _) = scan_json(d.path(), &["."]);
    // The anchored scalar is reported once, at the anchor.
    assert_eq!(
        summary(&f),
        [(
            "values.yaml".to_string(),
            2,
            "plaintext-secret-in-values".to_string()
        )]
    );
}

#[test]
fn inline_markers_and_baselines_apply_to_policy_findings() {
    let d = TempDir::new().unwrap();
    write(
        d.path(),
        "values.yaml",
        "a:\n  # keywarden:allow\n  password: first-Literal-77\nb:\n  password: second-Literal-88\n",
    );
    let (f, _, _) = scan_json(d.path(), &["."]);
    assert_eq!(summary(&f).len(), 1);
    let base = d.path().join("baseline.json");
    let (_, _, code) = stdout_of(keywarden(d.path()).args([
        "scan",
        ".",
        "--write-baseline",
        base.to_str().unwrap(),
    ]));
    assert_eq!(code, 1);
    let text = std::fs::read_to_string(&base).unwrap();
    assert!(
        !text.contains("second-Literal-88"),
        "baseline stores a value"
    );
    let (f, _, code) = scan_json(d.path(), &[".", "--baseline", base.to_str().unwrap()]);
    assert!(f.is_empty());
    assert_eq!(code, 0);
}

#[test]
fn malformed_yaml_is_a_warning_with_position_and_credentials_still_run() {
    let d = TempDir::new().unwrap();
    write(
        d.path(),
        "values.yaml",
        format!("a: [1\nb:\n  token: {}\n", util::github_token()),
    );
    let (f, err, code) = scan_json(d.path(), &["."]);
    assert!(
        err.contains("values.yaml:2:") && err.contains("does not parse"),
        "{err}"
    );
    assert_eq!(summary(&f)[0].2, "github-pat-classic");
    assert_eq!(code, 1);
}

#[test]
fn helm_templates_are_never_parsed_or_warned_about() {
    let d = TempDir::new().unwrap();
    write(
        d.path(),
        "chart/templates/secret.yaml",
        "apiVersion: v1\nkind: Secret\ndata:\n  password: {{ .Values.password | b64enc }}\n",
    );
    // A templated file outside templates/ that does not parse: no warning.
    write(
        d.path(),
        "chart/values.yaml",
        "{{- if .Values.x }}\npassword: \"\"\n{{- end }}\n",
    );
    let (f, err, code) = scan_json(d.path(), &["."]);
    assert!(f.is_empty(), "{:?}", summary(&f));
    assert!(err.is_empty(), "{err}");
    assert_eq!(code, 0);
}

#[test]
fn alias_bomb_and_invalid_utf8_do_not_hang_or_crash() {
    let d = TempDir::new().unwrap();
    let mut bomb =
        String::from("a0: &a0 [\"x\", \"x\", \"x\", \"x\", \"x\", \"x\", \"x\", \"x\"]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    // A secret-like key makes the checks read the file.
    bomb.push_str("a12:\n  password: *a11\n");
    write(d.path(), "values.yaml", &bomb);
    write(
        d.path(),
        "values-bin.yaml",
        b"password: \xff\xfe\x00\n".as_slice(),
    );
    write(
        d.path(),
        "values-latin1.yaml",
        b"password: caf\xe9-s3cret-99\n".as_slice(),
    );
    let started = std::time::Instant::now();
    let (_, err, code) = stdout_of(keywarden(d.path()).args(["scan", "."]));
    assert!(started.elapsed().as_secs() < 20);
    assert!(
        err.contains("values.yaml:") && err.contains("alias"),
        "{err}"
    );
    assert!(code == 0 || code == 1, "{code}: {err}");
}

#[test]
fn unknown_check_in_config_is_a_clear_error() {
    let d = TempDir::new().unwrap();
    write(
        d.path(),
        ".keywarden.yaml",
        "policy:\n  checks:\n    KW-HELM-999: { enabled: true }\n",
    );
    let (_, err, code) = stdout_of(keywarden(d.path()).args(["scan", "."]));
    assert_eq!(code, 2);
    assert!(
        err.contains("KW-HELM-999") && err.contains(".keywarden.yaml"),
        "{err}"
    );
}

#[test]
fn synchronized_secrets_across_files() {
    let d = TempDir::new().unwrap();
    write(
        d.path(),
        ".keywarden.yaml",
        "policy:\n  equal:\n    - [trustgate.global.env.SERVER_SECRET_KEY, controlPlane.secrets.TRUSTGATE_JWT_SECRET]\n",
    );
    write(
        d.path(),
        "trustgate/values.yaml",
        "trustgate:\n  global:\n    env:\n      SERVER_SECRET_KEY: \"{{ .Values.k }}\"\n",
    );
    write(
        d.path(),
        "control/values.yaml",
        "controlPlane:\n  secrets:\n    TRUSTGATE_JWT_SECRET: \"{{ .Values.k }}\"\n",
    );
    let (f, _, _) = scan_json(d.path(), &["."]);
    assert!(f.is_empty(), "{:?}", summary(&f));
    write(
        d.path(),
        "env/a-secrets.yaml",
        "trustgate:\n  global:\n    env:\n      SERVER_SECRET_KEY: one-Value-1234\n",
    );
    write(
        d.path(),
        "env/b-secrets.yaml",
        "controlPlane:\n  secrets:\n    TRUSTGATE_JWT_SECRET: two-Value-5678\n",
    );
    write(
        d.path(),
        ".keywarden.yaml",
        "policy:\n  values_files: [\"env/*-secrets.yaml\"]\n  equal:\n    - [trustgate.global.env.SERVER_SECRET_KEY, controlPlane.secrets.TRUSTGATE_JWT_SECRET]\n",
    );
    let (f, _, _) = scan_json(d.path(), &["env"]);
    let sync: Vec<_> = summary(&f)
        .into_iter()
        .filter(|s| s.2 == "synchronized-secrets-differ")
        .collect();
    assert_eq!(sync.len(), 1, "{:?}", summary(&f));
}

/// Large values files are parsed only where a hint word occurs; findings and
/// their positions must be the same as for a full parse.
#[test]
fn large_values_files_report_the_same_as_small_ones() {
    let d = TempDir::new().unwrap();
    let mut body = String::new();
    for i in 0..400 {
        body.push_str(&format!(
            "## @param block{i}.enabled Enable the auth worker report export\nblock{i}:\n  enabled: true\n  labels: {{app: auth}}\n\n"
        ));
    }
    // keywarden:allow (fake test data)
    let tail = "secrets:\n  create: false\n  existingSecret: \"\"\nredis:\n  auth:\n    username: app\n    password: l4rge-File-Secret-1\nenv:\n  NATS_URL: nats://w:n4ts-Pa55-w0rd@nats:4222\n";
    let big = format!("{body}{tail}");
    assert!(big.len() > 20_000);
    write(d.path(), "big/values.yaml", &big);
    write(d.path(), "small/values.yaml", tail);
    let (f, _, _) = scan_json(d.path(), &["."]);
    let offset = body.lines().count() as u64;
    let rows: Vec<(String, u64, String)> = summary(&f);
    let big_rows: Vec<(u64, String)> = rows
        .iter()
        .filter(|r| r.0 == "big/values.yaml")
        .map(|r| (r.1 - offset, r.2.clone()))
        .collect();
    let small_rows: Vec<(u64, String)> = rows
        .iter()
        .filter(|r| r.0 == "small/values.yaml")
        .map(|r| (r.1, r.2.clone()))
        .collect();
    assert_eq!(big_rows.len(), 3, "{rows:?}");
    assert_eq!(big_rows, small_rows);
}

/// heimdall-style chart: `secretsFiles` resolved from the chart directory,
/// with and without the `.gitignore` entry; tracked, untracked and ignored
/// secrets files; permissions.
#[test]
fn repository_checks_follow_git_and_gitignore() {
    let d = TempDir::new().unwrap();
    let p = d.path();
    git(p, &["init", "-q"]);
    write(
        p,
        "heimdall/Chart.yaml",
        "apiVersion: v2\nname: heimdall\nversion: 1.0.0\n",
    );
    write(
        p,
        "heimdall/values.yaml",
        "heimdall:\n  existingSecret: \"\"\n  secretsFiles:\n    - env/heimdall-secrets.yaml\n    - env/other-secrets.yaml\n",
    );
    write(
        p,
        "heimdall/env/heimdall-secrets.yaml",
        // keywarden:allow (fake test data)
        "JWT_SECRET: 9f8e7d6c5b4a3928aa\n",
    );
    write(
        p,
        "heimdall/templates/secrets.yaml",
        "apiVersion: v1\nkind: Secret\n",
    );
    write(p, ".env.example", "DB_PASSWORD=\n");
    write(
        p,
        "sealed-secrets.yaml",
        "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nspec:\n  encryptedData:\n    a: AgB\n",
    );
    let rows = |p: &Path| -> Vec<(String, u64, String)> {
        let (f, _, _) = scan_json(p, &["."]);
        summary(&f)
            .into_iter()
            .filter(|r| r.2.starts_with("secrets-file-"))
            .collect()
    };
    assert_eq!(
        rows(p),
        [
            (
                "heimdall/env/heimdall-secrets.yaml".to_string(),
                1,
                "secrets-file-not-ignored".to_string()
            ),
            (
                "heimdall/values.yaml".to_string(),
                5,
                "secrets-file-not-ignored".to_string()
            ),
        ]
    );

    // With the .gitignore entry: covered, and only loose permissions remain.
    write(p, ".gitignore", "heimdall/env/*-secrets.yaml\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let f = p.join("heimdall/env/heimdall-secrets.yaml");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert_eq!(
            rows(p),
            [(
                "heimdall/env/heimdall-secrets.yaml".to_string(),
                1,
                "secrets-file-permissions".to_string()
            )]
        );
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(rows(p).is_empty());
    }

    // Committed anyway (force-added): tracked, whatever .gitignore says.
    git(p, &["add", "-f", "heimdall/env/heimdall-secrets.yaml"]);
    assert_eq!(
        rows(p),
        [(
            "heimdall/env/heimdall-secrets.yaml".to_string(),
            1,
            "secrets-file-tracked".to_string()
        )]
    );
    // A pre-commit run names the staged file: still caught.
    let (f, _, code) = scan_json(p, &["heimdall/env/heimdall-secrets.yaml"]);
    assert_eq!(code, 1);
    assert!(summary(&f).iter().any(|r| r.2 == "secrets-file-tracked"));
}

#[test]
fn repository_checks_stay_quiet_outside_git() {
    let d = TempDir::new().unwrap();
    // keywarden:allow (fake test data)
    write(d.path(), ".env", "DB_PASSWORD=hunter2-local-pw\n");
    let (f, _, _) = scan_json(d.path(), &["."]);
    assert!(!summary(&f).iter().any(|r| r.2.starts_with("secrets-file-")));
}

/// Every values-file check's example, padded past the size where only hinted
/// sections are parsed, reports exactly what the small file reports.
#[test]
fn large_files_agree_with_small_files_for_every_values_check() {
    let mut padding = String::new();
    for i in 0..500 {
        padding.push_str(&format!(
            "## @param pad{i}.enabled Enable the auth report worker\npad{i}:\n  enabled: true\n  labels: {{app: auth}}\n\n"
        ));
    }
    let offset = padding.lines().count() as u64;
    for check in catalog::checks() {
        if !check.file.starts_with("values") {
            continue;
        }
        // keywarden:allow (fake test data)
        let anchors = "defaults: &db\n  password: anch0red-Secret-9\napi:\n  <<: *db\nworker:\n  db: *db\n  token: \"\"\n".to_string();
        for body in [&check.example, &check.instead, &anchors] {
            let d = TempDir::new().unwrap();
            write(d.path(), ".keywarden.yaml", config_for(&check.id));
            write(d.path(), &format!("small/{}", check.file), body);
            write(
                d.path(),
                &format!("big/{}", check.file),
                format!("{padding}{body}"),
            );
            // Scanned apart: policy.equal compares values across one scan's files.
            let rows = |dir: &str, shift: u64| -> Vec<(u64, String)> {
                let (f, _, _) = scan_json(d.path(), &[dir]);
                summary(&f)
                    .into_iter()
                    .map(|r| (r.1 - shift, r.2))
                    .collect()
            };
            assert_eq!(rows("big", offset), rows("small", 0), "{}", check.id);
        }
    }
}

/// A production values file with a literal where the chart's defaults offer
/// an existingSecret says so.
#[test]
fn production_literal_names_the_existing_secret_the_chart_offers() {
    let d = TempDir::new().unwrap();
    write(
        d.path(),
        "chart/Chart.yaml",
        "apiVersion: v2\nname: app\nversion: 1.0.0\n",
    );
    write(
        d.path(),
        "chart/values.yaml",
        "postgresql:\n  auth:\n    password: \"\"\n    existingSecret: \"\"\n",
    );
    write(
        d.path(),
        "chart/env/values-production.yaml",
        // keywarden:allow (fake test data)
        "postgresql:\n  auth:\n    password: pr0d-Literal-Pw-42\n",
    );
    let (f, _, _) = scan_json(d.path(), &["."]);
    let hit = f
        .iter()
        .find(|x| x["rule_id"] == "plaintext-secret-in-values")
        .expect("reported");
    assert_eq!(hit["severity"], "critical");
    let msg = hit["message"].as_str().unwrap();
    assert!(
        msg.contains("offer postgresql.auth.existingSecret"),
        "{msg}"
    );
}

/// In a large values file `secretsFiles` is read from its lines, not parsed:
/// same finding, same place, same key path.
#[test]
fn secrets_files_references_in_large_values_files() {
    let d = TempDir::new().unwrap();
    let p = d.path();
    git(p, &["init", "-q"]);
    write(
        p,
        "app/Chart.yaml",
        "apiVersion: v2\nname: app\nversion: 1.0.0\n",
    );
    let mut body = String::new();
    for i in 0..900 {
        body.push_str(&format!("pad{i}:\n  enabled: true\n"));
    }
    let offset = body.lines().count() as u64;
    body.push_str(
        "app:\n  secretsFiles:\n    - env/app-secrets.yaml  # created by generate-secrets.sh\n",
    );
    assert!(body.len() > 16 << 10);
    write(p, "app/values.yaml", &body);
    let (f, _, _) = scan_json(p, &["."]);
    let hit = f
        .iter()
        .find(|x| x["rule_id"] == "secrets-file-not-ignored")
        .unwrap_or_else(|| panic!("{:?}", summary(&f)));
    assert_eq!(hit["path"], "app/values.yaml");
    assert_eq!(hit["start_line"].as_u64(), Some(offset + 3));
    assert_eq!(hit["start_column"], 7);
    let msg = hit["message"].as_str().unwrap();
    assert!(
        msg.contains("app/env/app-secrets.yaml (from app.secretsFiles)"),
        "{msg}"
    );
    write(p, ".gitignore", "app/env/\n");
    let (f, _, _) = scan_json(p, &["."]);
    assert!(f.is_empty(), "{:?}", summary(&f));
}

#[test]
fn nosecret_comments_and_oversized_files() {
    let d = TempDir::new().unwrap();
    // keywarden:allow (fake test data)
    write(
        d.path(),
        "values.yaml",
        "a:\n  password: inline-Literal-55  # nosecret\n",
    );
    let (f, _, _) = scan_json(d.path(), &["."]);
    assert!(f.is_empty(), "{:?}", summary(&f));

    // 50 MB of values: the credential rules read it, the policy checks skip
    // it with a note, and nothing hangs.
    let mut big = String::with_capacity(50 << 20);
    while big.len() < 50 << 20 {
        big.push_str("block:\n  enabled: true\n  password: \"\"\n");
    }
    write(d.path(), "values.yaml", &big);
    let started = std::time::Instant::now();
    let (out, err, code) =
        stdout_of(keywarden(d.path()).args(["scan", ".", "-v", "--max-file-size", "100M"]));
    assert!(
        started.elapsed().as_secs() < 60,
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("policy checks skipped: larger than 8 MiB"),
        "{err}"
    );
}

/// The prefilter (hint lines judged one by one, then nothing, a whole small
/// file or a large file's sections parsed) must report exactly what a full
/// parse of the file reports: every values check's example and
/// counter-example, the fixture charts, and shapes that are awkward for a
/// line-based judgement, each as written and padded past the size where
/// only sections are parsed. Run in process, through the same calls the
/// scanner makes, so the full parse can be asked for.
#[test]
fn prefiltered_values_files_report_what_a_full_parse_reports() {
    use keywarden::engine::{Engine, Prefilter};
    use keywarden::policy::{FileContext, Policy};

    let engine = Engine::new(
        keywarden::rules::builtin_entries(),
        Default::default(),
        &[],
        Prefilter::Fast,
    )
    .expect("engine");
    let run = |policy: &Policy, path: &str, data: &[u8], hinted: bool| {
        let kind = policy.kind(path);
        let hinted = hinted && policy.wants_hints(kind, data.len());
        let mut hints = Vec::new();
        let mut found = engine.scan_hinted(path, data, hinted.then_some(&mut hints));
        let mut report = policy.check(
            path,
            data,
            &engine,
            FileContext {
                hints: hinted.then_some(&mut hints),
                kind: Some(kind),
                ..FileContext::default()
            },
        );
        report.merge_into(&engine, &mut found, data);
        let mut rows: Vec<_> = found
            .iter()
            .map(|f| {
                (
                    f.start_line,
                    f.start_column,
                    f.end_column,
                    f.rule_id.clone(),
                    f.message.clone(),
                )
            })
            .collect();
        rows.sort();
        (rows, hinted)
    };
    let mut padding = String::new();
    for i in 0..500 {
        padding.push_str(&format!(
            "## @param pad{i}.enabled Enable the auth report worker\npad{i}:\n  enabled: true\n  labels: {{app: auth}}\n\n"
        ));
    }
    let pad_lines = padding.lines().count();
    // A CRD-sized document ahead of a manifest's own.
    let mut crd = String::from(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: things.example.com\nspec:\n  schema:\n    properties:\n",
    );
    for i in 0..400 {
        crd.push_str(&format!(
            "      field{i}:\n        description: see secretRef and the password docs\n        type: string\n"
        ));
    }
    let crd_lines = crd.lines().count();

    let mut cases: Vec<(String, String, String)> = Vec::new(); // (config, file name, body)
    for check in catalog::checks() {
        if !check.file.starts_with("values") {
            continue;
        }
        for body in [&check.example, &check.instead] {
            cases.push((config_for(&check.id), check.file.clone(), body.clone()));
        }
    }
    // Shapes that are awkward for a line-based judgement, one file each.
    let prefilter_fixtures = repo_root().join("tests/fixtures/prefilter");
    for entry in walk_files(&prefilter_fixtures.join("values")) {
        let body = std::fs::read_to_string(&entry).unwrap();
        for name in ["values.yaml", "values-production.yaml"] {
            cases.push((String::new(), name.to_string(), body.clone()));
        }
    }
    let fixtures = repo_root().join("tests/fixtures/policy");
    for entry in walk_files(&fixtures) {
        let name = entry.file_name().unwrap().to_string_lossy().to_string();
        let under_templates = entry.components().any(|c| c.as_os_str() == "templates");
        if name.ends_with(".yaml") && !under_templates && name != "Chart.yaml" {
            let body = std::fs::read_to_string(&entry).unwrap();
            cases.push((String::new(), name, body));
        }
    }
    // Manifests: every check's example and counter-example.
    for check in catalog::checks() {
        if check.file.starts_with("values") || !check.file.ends_with(".yaml") {
            continue;
        }
        for body in [&check.example, &check.instead] {
            cases.push((config_for(&check.id), check.file.clone(), body.clone()));
        }
    }
    for entry in walk_files(&prefilter_fixtures.join("manifests")) {
        let body = std::fs::read_to_string(&entry).unwrap();
        cases.push((String::new(), "deploy.yaml".to_string(), body));
    }
    let (mut checked_hinted, mut with_findings) = (0, 0);
    for (cfg, name, body) in &cases {
        let spec = keywarden::config::parse("test config", cfg).expect("config");
        let policy = Policy::new(&spec.policy, &[], &[]).expect("policy");
        let manifest = !name.starts_with("values") && body.contains("kind:");
        let padded = if manifest {
            format!("{crd}---\n{body}")
        } else {
            format!("{padding}{body}")
        };
        let shift = if manifest { crd_lines + 1 } else { pad_lines };
        for (text, shift) in [(body.clone(), 0), (padded, shift)] {
            let path = format!("chart/{name}");
            let (full, _) = run(&policy, &path, text.as_bytes(), false);
            let (pre, hinted) = run(&policy, &path, text.as_bytes(), true);
            checked_hinted += usize::from(hinted);
            with_findings += usize::from(!full.is_empty());
            assert_eq!(pre, full, "{name} (+{shift} lines):\n{body}");
        }
    }
    assert!(checked_hinted > cases.len(), "the prefilter was exercised");
    // Both sides empty would agree trivially: most cases must report.
    assert!(
        with_findings > cases.len(),
        "{with_findings} of {} runs report",
        2 * cases.len()
    );
}

fn walk_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}
