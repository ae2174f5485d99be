//! The policy checks' metadata (`checks.yaml`): ids, codes, severities and
//! ruff-style documentation. Reporters and `keywarden rules` see each check
//! as a [`RuleSpec`], so policy findings are documented like credential rules.

use crate::finding::Severity;
use crate::rules::RuleSpec;
use serde::Deserialize;
use serde_saphyr::{Location, Spanned};
use std::sync::OnceLock;

const CHECKS_YAML: &str = include_str!("checks.yaml");

/// One policy check as documented in `checks.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    pub id: String,
    /// Stable short code (`KW-HELM-001`), accepted wherever an id is.
    pub code: String,
    pub name: String,
    pub severity: Severity,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// File name the examples are checked as.
    pub file: String,
    pub what: String,
    pub why: String,
    pub example: String,
    pub instead: String,
    pub remediation: String,
    #[serde(default)]
    pub references: Vec<String>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    checks: Vec<CheckSpec>,
}

/// Every policy check, in catalog order. The file is embedded and checked
/// by the test suite; if it were ever broken, policy checks are just absent.
pub fn checks() -> &'static [CheckSpec] {
    static CHECKS: OnceLock<Vec<CheckSpec>> = OnceLock::new();
    CHECKS.get_or_init(|| {
        serde_saphyr::from_str::<CheckFile>(CHECKS_YAML)
            .map(|f| f.checks)
            .unwrap_or_default()
    })
}

/// Parses the catalog, reporting errors (for the test suite).
pub fn parse_catalog() -> Result<usize, String> {
    serde_saphyr::from_str::<CheckFile>(CHECKS_YAML)
        .map(|f| f.checks.len())
        .map_err(|e| e.to_string())
}

/// A check by id or code.
pub fn check(id: &str) -> Option<&'static CheckSpec> {
    checks()
        .iter()
        .find(|c| c.id == id || c.code.eq_ignore_ascii_case(id))
}

/// The checks as rule specs, for reporters and `keywarden rules`.
pub fn rule_specs() -> &'static [RuleSpec] {
    static SPECS: OnceLock<Vec<RuleSpec>> = OnceLock::new();
    SPECS.get_or_init(|| checks().iter().map(to_rule_spec).collect())
}

fn to_rule_spec(c: &CheckSpec) -> RuleSpec {
    let at = Location::UNKNOWN;
    let mut tags = vec!["policy".to_string(), c.code.clone()];
    if !c.enabled {
        tags.push("off-by-default".into());
    }
    RuleSpec {
        id: Spanned::new(c.id.clone(), at, at),
        name: c.name.clone(),
        severity: c.severity,
        keywords: Vec::new(),
        pattern: String::new(),
        secret_group: None,
        entropy: None,
        validate: None,
        allow: Vec::new(),
        paths: Vec::new(),
        window: None,
        generic: false,
        tags,
        description: format!("{}\n\nWhy is this bad? {}", c.what.trim(), c.why.trim()),
        remediation: Some(c.remediation.trim().to_string()),
        references: c.references.clone(),
        examples: vec![c.example.clone()],
        negative_examples: vec![c.instead.clone()],
        policy: Some(c.code.clone()),
    }
}
