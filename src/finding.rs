//! What a scan produces: findings, their severity, and their fingerprints.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::fmt;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// GitHub code scanning's `security-severity` (0.1-10.0): >= 9.0 shows as
    /// critical, >= 7.0 high, >= 4.0 medium, else low.
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "3.0",
            Severity::Info => "0.1",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One secret (or policy violation) at one place.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule_id: String,
    pub rule_name: String,
    pub severity: Severity,
    /// Path as shown to the user: forward slashes, no leading `./`.
    pub path: String,
    /// 1-based; columns count characters (Unicode scalar values), not bytes.
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// The matched secret. Kept in memory only; printed only with `--show-secrets`.
    pub secret: String,
    pub fingerprint: String,
    /// The whole source line(s) holding the secret, for diagnostics, and the
    /// secret's byte range within it.
    pub context: String,
    pub context_span: (usize, usize),
    /// Line number of the first line of `context`.
    pub context_first_line: usize,
    /// GitHub's `primaryLocationLineHash` of the start line (see `engine::line_hash`).
    pub line_hash: Option<String>,
    /// A message specific to this finding (policy checks name the key path:
    /// "plaintext secret at postgresql.auth.password"); `None` for credential
    /// rules, whose message is "<rule name> found".
    pub message: Option<String>,
    /// False for policy findings that point at a setting rather than a secret
    /// (`create: false`): their text is shown as is, never redacted.
    pub sensitive: bool,
    /// Where a finding read from git history came from; `None` for files on disk.
    pub origin: Option<Origin>,
}

/// The commit that introduced a finding's blob at its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Full hex object id of the commit.
    pub commit: String,
    pub author_name: String,
    pub author_email: String,
    /// Author date, RFC 3339 (`2024-05-01T12:00:00+02:00`).
    pub date: String,
}

impl Finding {
    /// Sort key that makes output deterministic whatever the thread count.
    pub fn sort_key(&self) -> (&str, usize, usize, &str) {
        (
            &self.path,
            self.start_line,
            self.start_column,
            &self.rule_id,
        )
    }
}

/// Normalizes a path for display and fingerprinting: forward slashes, no `./`.
/// Borrows when there is nothing to change, as for nearly every walked file.
pub fn normalize_path(path: &str) -> Cow<'_, str> {
    let p: Cow<'_, str> = if path.contains('\\') {
        Cow::Owned(path.replace('\\', "/"))
    } else {
        Cow::Borrowed(path)
    };
    let trimmed = {
        let mut s: &str = &p;
        while let Some(rest) = s.strip_prefix("./") {
            s = rest;
        }
        s.len()
    };
    match p {
        Cow::Borrowed(b) => Cow::Borrowed(&b[b.len() - trimmed..]),
        Cow::Owned(o) => Cow::Owned(o[o.len() - trimmed..].to_string()),
    }
}

/// Stable, line-independent fingerprint: SHA-256 of (rule id, path, secret).
/// Moving a secret within its file keeps the fingerprint; editing it does not.
pub fn fingerprint(rule_id: &str, path: &str, secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0]);
    h.update(normalize_path(path).as_bytes());
    h.update([0]);
    h.update(secret);
    let digest = h.finalize();
    let mut out = String::with_capacity(32);
    for b in &digest[..16] {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The redacted form of a secret: its first 4 characters, then `…`.
pub fn redact(secret: &str) -> String {
    let mut chars = secret.chars();
    let head: String = chars.by_ref().take(4).collect();
    if chars.next().is_none() && secret.chars().count() <= 4 {
        // Too short to show any of it.
        return "…".to_string();
    }
    format!("{head}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_leading_dot_slash_and_is_stable() {
        assert_eq!(
            fingerprint("r", "./a/b", b"s"),
            fingerprint("r", "a/b", b"s")
        );
        assert_ne!(fingerprint("r", "a/b", b"s"), fingerprint("r", "a/c", b"s"));
        assert_eq!(fingerprint("r", "a", b"s").len(), 32);
    }

    #[test]
    fn redaction_keeps_four_characters() {
        assert_eq!(redact("ghp_abcdef"), "ghp_…");
        assert_eq!(redact("abc"), "…");
        assert_eq!(redact("pässwörd"), "päss…");
    }
}
