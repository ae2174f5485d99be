//! Where the findings of one file go: `Cx` holds the file, maps saphyr
//! positions to byte spans, applies inline suppression and configured
//! severities, and builds the findings the checks report.

use super::yaml::{Node, Positions};
use super::{ChartLookup, FileReport, MissingReference, Observed, Policy, catalog, repo};
use crate::engine::{Engine, lines::LineIndex};
use crate::finding::{Severity, fingerprint};
use std::collections::HashSet;

/// Checks whose span is a setting (`create: false`) or a single character,
/// not a secret value: shown as is, never redacted.
const SETTING_CHECKS: &[&str] = &[
    "unencoded-password-in-url",
    "secrets-file-not-ignored",
    "existing-secret-not-set",
    "inline-secret-with-existing-secret",
    "auth-disabled-in-production",
    "empty-credential-in-production",
    "external-secret-incomplete",
];

/// State for checking one file: where findings go and how spans map.
pub(super) struct Cx<'p, 'a> {
    pub(super) policy: &'p Policy,
    pub(super) engine: &'p Engine,
    pub(super) path: &'a str,
    pub(super) text: &'a str,
    pub(super) pos: Positions<'a>,
    /// Built on the first finding.
    pub(super) lines: std::cell::OnceCell<LineIndex>,
    /// The chart's default values, for production values files.
    pub(super) chart: Option<&'p ChartLookup<'p>>,
    pub(super) missing_reference: Option<&'p MissingReference<'p>>,
    /// `secretsFiles` entries already handled from their lines.
    pub(super) handled_references: Vec<usize>,
    pub(super) production: bool,
    pub(super) secrets_file: bool,
    /// Value spans already reported per check, so an aliased value is reported once.
    pub(super) seen: HashSet<(&'static str, usize)>,
    pub(super) report: &'p mut FileReport,
}

impl Cx<'_, '_> {
    /// Reports `check` at a byte range, unless suppressed inline.
    pub(super) fn emit(
        &mut self,
        check: &'static str,
        (start, end): (usize, usize),
        secret: &str,
        message: String,
        severity: Option<Severity>,
    ) {
        let Some(base) = self.policy.severity(check) else {
            return;
        };
        if !self.seen.insert((check, start)) {
            return;
        }
        let data = self.text.as_bytes();
        let lines = self.lines.get_or_init(|| LineIndex::new(data));
        if crate::suppress::inline_allowed(data, lines.line_start_of(start)) {
            return;
        }
        if self.engine.rule_path_allowed(check, self.path) {
            return;
        }
        let Some(spec) = catalog::check(check) else {
            return;
        };
        // A configured severity wins over the production bump.
        let configured = self.policy_severity_configured(check);
        let severity = if configured {
            base
        } else {
            severity.unwrap_or(base)
        };
        let mut f = lines.finding_for(&spec.id, &spec.name, severity, self.path, data, start, end);
        // The fingerprint covers the value (or, for settings, the key path).
        f.fingerprint = fingerprint(&spec.id, self.path, secret.as_bytes());
        if SETTING_CHECKS.contains(&check) {
            f.sensitive = false;
        } else {
            f.secret = secret.to_string();
        }
        f.message = Some(message);
        f.line_hash = crate::engine::line_hash::line_hashes(data, &[f.start_line])
            .get(&f.start_line)
            .cloned();
        self.report.findings.push(f);
    }

    pub(super) fn policy_severity_configured(&self, check: &str) -> bool {
        self.policy.severity(check) != catalog::check(check).map(|c| c.severity)
    }

    /// Marks a value as read and found not to be a secret.
    pub(super) fn clear(&mut self, node: &Node<'_>) {
        let span = self.pos.value_span(node);
        let cols = self.pos.line_cols(node, span);
        self.report.cleared.push(cols);
    }

    /// Reports at a node's value span.
    pub(super) fn emit_at(
        &mut self,
        check: &'static str,
        node: &Node<'_>,
        secret: &str,
        message: String,
        severity: Option<Severity>,
    ) {
        let span = self.pos.value_span(node);
        self.emit(check, span, secret, message, severity);
    }

    /// The byte range of `part` inside a scalar node, when the source text
    /// holds it verbatim; else the scalar's span.
    pub(super) fn sub_span(
        &self,
        node: &Node<'_>,
        value: &str,
        part: (usize, usize),
    ) -> (usize, usize) {
        let (s, e) = self.pos.value_span(node);
        let raw = &self.text[s..e];
        if raw == value {
            (s + part.0, s + part.1)
        } else if let Some(i) = raw.find(&value[part.0..part.1]) {
            (s + i, s + i + (part.1 - part.0))
        } else {
            (s, e)
        }
    }

    /// Credential rules run over decoded text: the ids of the rules that match.
    pub(super) fn credential_rules_in(&self, decoded: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .engine
            .scan(self.path, decoded.as_bytes())
            .into_iter()
            .map(|f| f.rule_id)
            .collect();
        names.dedup();
        names
    }

    /// Records a secrets file named by a values file, and reports it if it
    /// does not exist and would not be ignored once created.
    pub(super) fn reference(&mut self, node: &Node<'_>, target: &str, key: &str) {
        if self
            .handled_references
            .contains(&self.pos.value_span(node).0)
        {
            return;
        }
        self.report.references.push(repo::Reference {
            from: self.path.to_string(),
            target: target.to_string(),
        });
        if let Some(rel) = self.missing_reference.and_then(|f| f(self.path, target)) {
            self.emit_at(
                "secrets-file-not-ignored",
                node,
                target,
                format!(
                    "{rel} (from {key}) is not covered by .gitignore: once created, the next `git add .` commits it"
                ),
                None,
            );
        }
    }

    /// Records a value at a `policy.equal` path.
    pub(super) fn observe(&mut self, key: &str, node: &Node<'_>, value: &str) {
        if !self.policy.equal.iter().flatten().any(|k| k == key) {
            return;
        }
        let Some(spec) = catalog::check("synchronized-secrets-differ") else {
            return;
        };
        let Some(sev) = self.policy.severity(&spec.id) else {
            return;
        };
        let (s, e) = self.pos.value_span(node);
        let data = self.text.as_bytes();
        let lines = self.lines.get_or_init(|| LineIndex::new(data));
        let mut f = lines.finding_for(&spec.id, &spec.name, sev, self.path, data, s, e);
        f.fingerprint = fingerprint(&spec.id, self.path, key.as_bytes());
        f.secret = value.to_string();
        self.report.observed.push(Observed {
            key: key.to_string(),
            value: value.to_string(),
            finding: f,
        });
    }
}
