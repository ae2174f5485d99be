//! Reporters: they only format findings. One `Format` enum maps to one
//! writer; whole-document formats (JSON, SARIF) are written at the end.

mod github;
pub mod human;
mod json;
mod sarif;

use crate::finding::{Finding, Severity, redact};
use crate::rules::RuleSpec;
use crate::scan::ScanOutcome;
use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Graphical diagnostics with the source line, secret redacted (default).
    Human,
    /// One versioned JSON document (see docs/json-format.md).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…`), one per finding.
    Github,
}

/// What reporters need besides the findings.
pub struct ReportContext<'a> {
    pub outcome: &'a ScanOutcome,
    /// Looks up a rule's metadata by id (for SARIF rule descriptors and help).
    pub rule: &'a dyn Fn(&str) -> Option<&'a RuleSpec>,
    pub show_secrets: bool,
    pub color: bool,
    pub width: usize,
}

impl ReportContext<'_> {
    /// The secret as it may be printed: redacted unless `--show-secrets`.
    pub fn shown_secret(&self, f: &Finding) -> String {
        if self.show_secrets || !f.sensitive {
            f.secret.clone()
        } else {
            redact(&f.secret)
        }
    }
}

pub fn write(format: Format, ctx: &ReportContext<'_>, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::write(ctx, out),
        Format::Json => json::write(ctx, out),
        Format::Sarif => sarif::write(ctx, out),
        Format::Github => github::write(ctx, out),
    }
}

/// Human diagnostics without the summary line (`--quiet`).
pub fn write_findings_only(ctx: &ReportContext<'_>, out: &mut dyn Write) -> io::Result<()> {
    human::write_findings(ctx, out)
}

/// The finding's message: a policy check's own, else "<rule name> found".
pub fn message(f: &Finding) -> String {
    f.message
        .clone()
        .unwrap_or_else(|| format!("{} found", f.rule_name))
}

/// Counts findings per severity, most severe first, omitting zeros.
pub fn severity_counts(findings: &[Finding]) -> Vec<(Severity, usize)> {
    Severity::ALL
        .iter()
        .map(|&s| (s, findings.iter().filter(|f| f.severity == s).count()))
        .filter(|&(_, n)| n > 0)
        .collect()
}

/// The first sentence of a text, for one-line help.
pub fn first_sentence(text: &str) -> &str {
    let t = text.trim();
    let b = t.as_bytes();
    // A sentence ends at ". " before a capital letter ("e.g. x" and "..." do not end one).
    for i in 1..b.len().saturating_sub(2) {
        if b[i] == b'.' && b[i + 1] == b' ' && b[i + 2].is_ascii_uppercase() && b[i - 1] != b'.' {
            return &t[..=i];
        }
    }
    t
}
