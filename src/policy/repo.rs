//! Repository checks on secrets files: which names mean "this file holds
//! secrets", whether a file's content really does, and the findings for one
//! that is tracked by git, not covered by `.gitignore`, or readable by others.
//! Pure: the caller (`source::repo`) enumerates files, the index and modes.

use super::classify::{self, Class, Vocabulary};
use super::{Policy, yaml};
use crate::engine::lines::LineIndex;
use crate::finding::{Finding, fingerprint};

/// Where a secrets file stands with git.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// In the index: committed (or about to be).
    Tracked,
    /// Untracked and not matched by any committed `.gitignore`.
    NotIgnored,
    /// Untracked and ignored.
    Ignored,
}

/// True if the file name says it holds secrets (`.env`, `*-secrets.yaml`,
/// `id_rsa`, `*.pem`…). `rel` is `/`-separated, relative to the repository.
pub fn is_secrets_file_name(rel: &str) -> bool {
    if rel.split('/').any(|c| c == "templates") {
        return false;
    }
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    const SAFE_ENV: &[&str] = &[
        ".env.example",
        ".env.sample",
        ".env.template",
        ".env.dist",
        ".env.defaults",
        ".env.schema",
    ];
    if SAFE_ENV.contains(&lower.as_str())
        || lower.ends_with(".example")
        || lower.ends_with(".sample")
        || lower.ends_with(".template")
    {
        return false;
    }
    let stem_yaml = lower
        .strip_suffix(".yaml")
        .or_else(|| lower.strip_suffix(".yml"));
    lower == ".env"
        || lower.starts_with(".env.")
        || lower.ends_with(".env")
        || lower == ".envrc"
        || lower == ".k8s-tokens"
        || (lower.ends_with("tokens") && rel.split('/').any(|c| c == "local"))
        || stem_yaml.is_some_and(|s| s.contains("secrets") || s == "secret")
        || lower.ends_with(".dec")
        || matches!(
            lower.as_str(),
            "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "credentials.json" | "kubeconfig"
        )
        || lower.ends_with(".kubeconfig")
        || lower.ends_with(".pem")
        || lower.ends_with(".key")
        || lower.ends_with(".p12")
        || lower.ends_with(".pfx")
        || lower.ends_with(".jks")
        || lower.ends_with(".tfvars")
}

/// True if a secrets-named file's content holds secrets. Safe content:
/// SOPS-encrypted, sealed or external-secret resources, a `kind: Secret`
/// (reported by committed-kubernetes-secret instead), a public certificate,
/// or nothing but empty values, templates and references.
pub fn content_is_secret(rel: &str, data: &[u8], vocab: &Vocabulary) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    if name.ends_with(".p12") || name.ends_with(".pfx") || name.ends_with(".jks") {
        return !data.is_empty();
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return !data.is_empty();
    };
    if name.ends_with(".pem") || name.ends_with(".key") || name.starts_with("id_") {
        return text.contains("PRIVATE KEY");
    }
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        return yaml_has_secret(text, vocab);
    }
    if name.ends_with(".json") || name.contains("kubeconfig") {
        return !text.trim().is_empty() && !text.contains("\"sops\"");
    }
    // .env-style and .tfvars: `KEY=value` / `key = "value"` lines.
    text.lines().any(|line| {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') || l.starts_with("//") {
            return false;
        }
        let l = l.strip_prefix("export ").unwrap_or(l);
        let Some((k, v)) = l.split_once('=') else {
            // A token file holds bare tokens.
            return name.contains("token");
        };
        let k = k.trim();
        let v = v.trim().trim_matches(['"', '\'']);
        let secret_key = classify::is_secret_key(k, &vocab.extra_keys, &vocab.ignore_keys);
        let class = classify::classify(k, v, None, vocab);
        let literal = matches!(class, Class::Literal | Class::Weak);
        // In a .env file any literal may be a secret; in .tfvars only under
        // secret-like names.
        literal && (secret_key || !name.ends_with(".tfvars"))
    })
}

fn yaml_has_secret(text: &str, vocab: &Vocabulary) -> bool {
    let Ok(docs) = yaml::load(text) else {
        // Not YAML we can read: assume the name tells the truth.
        return !text.trim().is_empty();
    };
    docs.iter().any(|d| {
        if yaml::is_sops(d) {
            return false;
        }
        let kind = yaml::get(d, "kind").and_then(|k| yaml::scalar_text(k).map(|s| s.into_owned()));
        if kind.is_some() && yaml::get(d, "apiVersion").is_some() {
            // Manifests: Secrets are reported by committed-kubernetes-secret,
            // sealed and external ones are safe.
            return false;
        }
        has_literal(d, vocab)
    })
}

fn has_literal(node: &yaml::Node<'_>, vocab: &Vocabulary) -> bool {
    yaml::entries(node).into_iter().any(|(k, v)| {
        if yaml::is_mapping(v) {
            return has_literal(v, vocab);
        }
        if let Some(items) = yaml::sequence(v) {
            return items.iter().any(|i| has_literal(i, vocab));
        }
        let Some(t) = yaml::scalar_text(v) else {
            return false;
        };
        classify::is_secret_key(k, &vocab.extra_keys, &vocab.ignore_keys)
            && classify::classify(k, &t, None, vocab).is_committed()
    })
}

impl Policy {
    /// True if any repository check is enabled.
    pub fn repo_checks_active(&self) -> bool {
        [
            "secrets-file-tracked",
            "secrets-file-not-ignored",
            "secrets-file-permissions",
        ]
        .iter()
        .any(|c| self.severity(c).is_some())
    }

    /// The vocabulary for content checks.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocab
    }

    /// The repository finding for one secrets file, if any. `mode` is the
    /// Unix permission bits where the platform has them.
    pub fn secrets_file_finding(
        &self,
        rel: &str,
        status: Status,
        mode: Option<u32>,
        data: &[u8],
    ) -> Option<Finding> {
        let (check, message) = match status {
            Status::Tracked => (
                "secrets-file-tracked",
                format!("secrets file {rel} is tracked by git"),
            ),
            Status::NotIgnored => (
                "secrets-file-not-ignored",
                format!(
                    "secrets file {rel} is not covered by .gitignore: the next `git add .` commits it"
                ),
            ),
            Status::Ignored => match mode {
                Some(m) if m & 0o077 != 0 => (
                    "secrets-file-permissions",
                    format!(
                        "{rel} is mode {:04o}; secrets files should be 0600",
                        m & 0o7777
                    ),
                ),
                _ => return None,
            },
        };
        let severity = self.severity(check)?;
        let spec = super::catalog::check(check)?;
        let first_line = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
        let end = std::str::from_utf8(&data[..first_line]).map_or(0, |_| first_line);
        let lines = LineIndex::new(data);
        let mut f = lines.finding_for(&spec.id, &spec.name, severity, rel, data, 0, end);
        f.fingerprint = fingerprint(&spec.id, rel, rel.as_bytes());
        f.secret = String::from_utf8_lossy(&data[..end]).into_owned();
        f.message = Some(message);
        f.sensitive = true;
        f.line_hash = crate::engine::line_hash::line_hashes(data, &[1])
            .get(&1)
            .cloned();
        Some(f)
    }
}

/// A secrets file named in a values file (`secretsFiles: [env/x.yaml]`).
#[derive(Debug, Clone)]
pub struct Reference {
    /// The values file, as reported.
    pub from: String,
    /// The path as written, relative to the chart directory.
    pub target: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_file_names() {
        for p in [
            ".env",
            "app/.env.production",
            "prod.env",
            ".envrc",
            "heimdall/env/heimdall-secrets.yaml",
            "secrets.yaml",
            "local/.k8s-tokens",
            "certs/tls.key",
            "id_rsa",
            "secrets.yaml.dec",
            "infra/prod.tfvars",
        ] {
            assert!(is_secrets_file_name(p), "{p}");
        }
        for p in [
            ".env.example",
            "chart/templates/secrets.yaml",
            "id_rsa.pub",
            "values.yaml",
            "README.md",
        ] {
            assert!(!is_secrets_file_name(p), "{p}");
        }
    }

    #[test]
    fn content_safety() {
        let v = Vocabulary::default();
        // keywarden:allow (fake test data)
        assert!(content_is_secret(".env", b"DB_PASSWORD=hunter2-real\n", &v));
        assert!(!content_is_secret(
            ".env",
            b"# nothing\nDB_PASSWORD=\nX=${Y}\n",
            &v
        ));
        assert!(content_is_secret(
            "a-secrets.yaml",
            b"api:\n  token: t0k-abc-123\n",
            &v
        ));
        assert!(!content_is_secret(
            "a-secrets.yaml",
            b"api:\n  token: \"\"\n",
            &v
        ));
        assert!(!content_is_secret(
            "s-secrets.yaml",
            b"password: ENC[AES256_GCM,data:x]\nsops:\n  mac: ENC[x]\n",
            &v
        ));
        assert!(!content_is_secret(
            "tls.pem",
            b"-----BEGIN CERTIFICATE-----\n",
            &v
        ));
        assert!(content_is_secret(
            "tls.key",
            b"-----BEGIN PRIVATE KEY-----\n",
            &v
        ));
    }
}
