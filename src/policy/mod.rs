//! Secret-handling policy for Helm values files and Kubernetes manifests:
//! checks over parsed YAML with exact spans, reported as ordinary findings.
//! Like the engine, this is pure: path and bytes in, findings out.
//!
//! Which file gets which checks:
//! - Helm templates (under `templates/`) are not YAML to the checks;
//! - values files (`values*.yaml`, configurable) get the values checks;
//! - other YAML holding `kind:` and `apiVersion:` gets the manifest checks.

pub mod catalog;
mod classify;
mod manifests;
mod prefilter;
pub mod repo;
mod sink;
mod url;
mod values;
mod yaml;

pub use classify::Vocabulary;

use crate::engine::{Engine, lines::LineIndex, path_globs};
use crate::finding::{Finding, Severity, fingerprint};
use globset::GlobSet;
use sink::Cx;
use std::collections::{BTreeMap, HashSet};
use yaml::Positions;

/// Files larger than this are left to the credential rules.
pub const MAX_POLICY_BYTES: usize = 8 << 20;

/// What of a file to parse.
enum Plan {
    Whole,
    /// A values file's top-level sections (byte ranges).
    Sections(Vec<(usize, usize)>),
    /// A manifest file's documents (byte ranges).
    Documents(Vec<(usize, usize)>),
}

/// A values file or manifest with a line worth checking is parsed whole up
/// to this size, and by top-level sections or documents beyond it (the
/// prefilter also validates UTF-8 once per file up to this size).
pub const WHOLE_PARSE_BYTES: usize = 16 << 10;

/// Words that every finding of the values checks has on a line of its
/// top-level section (a secret-like key, `create:`, a URL, `existingSecret`,
/// an `auth:` block…). They ride along in the engine's keyword pass, so they
/// are chosen to be rare in ordinary code: `apikey`, not `key`.
pub const HINT_KEYWORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "passcode",
    "pwd",
    "pass:",
    "pass\"",
    "pass'",
    "secret",
    "token",
    "credential",
    "dsn",
    "connectionstring",
    "_key",
    "_keys",
    "-key",
    "apikey",
    "accesskey",
    "privatekey",
    "signingkey",
    "encryptionkey",
    "masterkey",
    "authkey",
    "accountkey",
    "licensekey",
    "licencekey",
    "sessionkey",
    "sharedkey",
    "clientkey",
    "appkey",
    "servicekey",
    "hmackey",
    "jwtkey",
    "cookiekey",
    "cryptokey",
    "cipherkey",
    "aeskey",
    "sshkey",
    "deploykey",
    "adminkey",
    "rootkey",
    "writekey",
    "readkey",
    "create:",
    "createsecret",
    "://",
    "auth:",
    "authentication:",
    "security:",
    "dockerconfig",
    "dockercfg",
    "sops:",
];

/// The `policy:` section of `.keywarden.yaml`.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicySpec {
    /// Globs of values files (default: `values*.yaml`, `*.values.yaml`,
    /// `values/*.yaml`, `my-values*.yaml`, `secrets.yaml`, `*-secrets.yaml`).
    pub values_files: Vec<String>,
    /// Globs of production files (default: a `prod`/`production` path token).
    pub production: Vec<String>,
    /// Extra secret-like key names, and names that are never secrets (`*` is a wildcard).
    pub secret_keys: SecretKeysSpec,
    /// Extra placeholder values.
    pub placeholders: Vec<String>,
    /// Pairs (or groups) of dotted key paths that must hold the same value.
    pub equal: Vec<Vec<String>>,
    /// Per check (id or code): `enabled`, `severity`.
    pub checks: BTreeMap<String, CheckSetting>,
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecretKeysSpec {
    pub extra: Vec<String>,
    pub ignore: Vec<String>,
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckSetting {
    pub enabled: Option<bool>,
    pub severity: Option<Severity>,
}

/// What a path is to the policy checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Values {
        production: bool,
        /// A file meant to hold the secrets (`env/app-secrets.yaml`, kept
        /// out of git): only hygiene checks apply to its values.
        secrets_file: bool,
    },
    /// YAML that may hold Kubernetes manifests.
    Yaml { production: bool },
    /// Not for the policy checks (templates, non-YAML).
    Other,
}

/// The configured policy checks.
pub struct Policy {
    values_globs: Option<GlobSet>,
    production_globs: Option<GlobSet>,
    vocab: Vocabulary,
    equal: Vec<Vec<String>>,
    /// Enabled checks and their severity.
    active: BTreeMap<&'static str, Severity>,
}

/// What checking one file produced.
#[derive(Default)]
pub struct FileReport {
    pub findings: Vec<Finding>,
    /// YAML that does not parse, as `path:line:col: message`.
    pub warnings: Vec<Notification>,
    /// Things worth saying in verbose mode.
    pub notes: Vec<String>,
    /// Values at paths named in `policy.equal`, compared once all files are read.
    pub observed: Vec<Observed>,
    /// Values the checks read and found not to be secrets (references,
    /// templates, placeholders, known non-credential keys, sealed data), as
    /// (line, first column, last column): a generic credential rule's match
    /// there is a false alarm.
    pub cleared: Vec<(usize, usize, usize)>,
    /// More such values, as byte ranges found without a parse; positioned
    /// by [`FileReport::cleared_positions`] only when a credential finding
    /// needs comparing with them.
    pub cleared_spans: Vec<(usize, usize)>,
    /// Secrets files named by this values file (`secretsFiles`).
    pub references: Vec<repo::Reference>,
}

impl FileReport {
    /// True if some value was found not to be a secret.
    pub fn has_cleared(&self) -> bool {
        !self.cleared.is_empty() || !self.cleared_spans.is_empty()
    }

    /// Moves this report's findings into the credential rules' findings for
    /// the same bytes `data`, one finding per problem (see
    /// [`merge_overlapping`]).
    pub fn merge_into(&mut self, engine: &Engine, credential: &mut Vec<Finding>, data: &[u8]) {
        let mut own = std::mem::take(&mut self.findings);
        if own.is_empty() && (credential.is_empty() || !self.has_cleared()) {
            return;
        }
        merge_overlapping(engine, credential, &mut own, &self.cleared_positions(data));
        credential.extend(own);
    }

    /// Every cleared value as (line, first column, last column) in `data`,
    /// the bytes this report was made from.
    pub fn cleared_positions(&self, data: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut out = line_cols(data, &self.cleared_spans);
        out.extend_from_slice(&self.cleared);
        out
    }
}

/// Given a values file and a `secretsFiles` entry, the path to report when
/// that file does not exist and no committed `.gitignore` would cover it.
pub type MissingReference<'a> = dyn Fn(&str, &str) -> Option<String> + Sync + 'a;

/// Loads a chart's default values on demand.
pub type ChartLookup<'a> = dyn Fn() -> Option<std::sync::Arc<ChartDefaults>> + Sync + 'a;

/// What the caller knows about a file beyond its bytes (all optional).
#[derive(Default)]
pub struct FileContext<'a> {
    /// The engine's hint word offsets (see [`Policy::wants_hints`]).
    pub hints: Option<&'a mut Vec<usize>>,
    /// Loads the chart's default values (see [`Policy::wants_chart_defaults`]);
    /// called only when a finding can use them.
    pub chart: Option<&'a ChartLookup<'a>>,
    /// For a secrets file named by this values file: the path to report
    /// when it does not exist and no committed `.gitignore` would cover it.
    pub missing_reference: Option<&'a MissingReference<'a>>,
    /// The file's [`Policy::kind`], when the caller already worked it out.
    pub kind: Option<FileKind>,
}

/// What a chart's default `values.yaml` (next to `Chart.yaml`) offers: the
/// dotted paths of its `existingSecret*` keys.
#[derive(Debug, Default, Clone)]
pub struct ChartDefaults {
    offers: Vec<String>,
}

impl ChartDefaults {
    /// Reads the offers from the default values' text; unparsable defaults offer nothing.
    pub fn from_values(text: &str) -> ChartDefaults {
        let mut offers = Vec::new();
        if let Ok(docs) = yaml::load(text) {
            for d in &docs {
                values::existing_secret_offers(d, &mut Vec::new(), &mut offers);
            }
        }
        ChartDefaults { offers }
    }

    /// The `existingSecret` key offered for a block or the nearest block above it.
    fn offer_for(&self, block: &[String]) -> Option<String> {
        (1..=block.len()).rev().find_map(|n| {
            let prefix = block[..n].join(".");
            self.offers
                .iter()
                .find(|o| o.rsplit_once('.').is_some_and(|(b, _)| b == prefix))
                .cloned()
        })
    }
}

/// A problem with a file that is not a finding (YAML that does not parse):
/// printed to stderr and listed in SARIF `toolExecutionNotifications`.
#[derive(Debug, Clone)]
pub struct Notification {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for Notification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path, self.line, self.column, self.message
        )
    }
}

/// A value seen at a key path that `policy.equal` names.
#[derive(Debug, Clone)]
pub struct Observed {
    pub key: String,
    pub value: String,
    /// The finding to report if the value differs from its partner's.
    pub finding: Finding,
}

impl Policy {
    /// Builds the policy from configuration; `disabled` and `only` come from
    /// `disable:` and `--disable-rule`/`--rule` (ids or codes).
    pub fn new(spec: &PolicySpec, disabled: &[String], only: &[String]) -> Result<Policy, String> {
        let globs = |g: &[String], what: &str| -> Result<Option<GlobSet>, String> {
            if g.is_empty() {
                Ok(None)
            } else {
                path_globs(g)
                    .map(Some)
                    .map_err(|e| format!("policy.{what}: {e}"))
            }
        };
        for id in spec.checks.keys() {
            if catalog::check(id).is_none() {
                return Err(format!(
                    "policy.checks: unknown check `{id}` (see `keywarden rules`)"
                ));
            }
        }
        for group in &spec.equal {
            if group.len() < 2 {
                return Err("policy.equal: each entry lists at least two key paths".into());
            }
        }
        let mut active = BTreeMap::new();
        for c in catalog::checks() {
            let setting = spec
                .checks
                .iter()
                .find(|(k, _)| catalog::check(k).is_some_and(|x| x.id == c.id))
                .map(|(_, s)| s);
            let named = |list: &[String]| {
                list.iter()
                    .any(|d| d == &c.id || d.eq_ignore_ascii_case(&c.code))
            };
            let mut on = setting.and_then(|s| s.enabled).unwrap_or(c.enabled);
            if named(disabled) {
                on = false;
            }
            if !only.is_empty() {
                on = named(only);
            }
            if on {
                let sev = setting.and_then(|s| s.severity).unwrap_or(c.severity);
                active.insert(c.id.as_str(), sev);
            }
        }
        Ok(Policy {
            values_globs: globs(&spec.values_files, "values_files")?,
            production_globs: globs(&spec.production, "production")?,
            vocab: Vocabulary {
                extra_keys: spec.secret_keys.extra.clone(),
                ignore_keys: spec.secret_keys.ignore.clone(),
                placeholders: spec.placeholders.clone(),
            },
            equal: spec.equal.clone(),
            active,
        })
    }

    /// True if `policy.equal` pairs are configured and their check is on.
    pub fn compares_values(&self) -> bool {
        !self.equal.is_empty() && self.active.contains_key("synchronized-secrets-differ")
    }

    /// True if no check is enabled.
    pub fn is_inert(&self) -> bool {
        self.active.is_empty()
    }

    /// What `path` (normalized, `/`-separated) is to the checks.
    pub fn kind(&self, path: &str) -> FileKind {
        // Called for every file scanned: no allocation, cheap rejections first.
        let name = memchr::memrchr(b'/', path.as_bytes()).map_or(path, |i| &path[i + 1..]);
        let ends_with = |s: &str, suffix: &str| {
            s.len() >= suffix.len()
                && s.as_bytes()[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
        };
        let starts_with = |s: &str, prefix: &str| {
            s.len() >= prefix.len()
                && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        };
        let stem = if ends_with(name, ".yaml") {
            &name[..name.len() - 5]
        } else if ends_with(name, ".yml") {
            &name[..name.len() - 4]
        } else {
            return FileKind::Other;
        };
        // A `templates` directory: compared at each `/`, not byte by byte.
        let p = path.as_bytes();
        if p.starts_with(b"templates/")
            || memchr::memchr_iter(b'/', p).any(|i| p[i + 1..].starts_with(b"templates/"))
        {
            return FileKind::Other;
        }
        let production = match &self.production_globs {
            Some(g) => g.is_match(path),
            None => path
                .as_bytes()
                .split(|c| matches!(c, b'/' | b'-' | b'_' | b'.'))
                .any(|t| t.eq_ignore_ascii_case(b"prod") || t.eq_ignore_ascii_case(b"production")),
        };
        let secrets_file = stem.eq_ignore_ascii_case("secrets")
            || ends_with(stem, "-secrets")
            || ends_with(stem, "_secrets");
        let values = match &self.values_globs {
            Some(g) => g.is_match(path),
            None => {
                starts_with(stem, "values")
                    || ends_with(stem, ".values")
                    // heimdall-style `env/app-secrets.yaml`, passed with -f
                    || secrets_file
                    || starts_with(stem, "my-values")
                    || path
                        .rsplit('/')
                        .nth(1)
                        .is_some_and(|d| d.eq_ignore_ascii_case("values"))
            }
        };
        if values {
            FileKind::Values {
                production,
                secrets_file,
            }
        } else {
            FileKind::Yaml { production }
        }
    }

    /// True if checking a file of this kind wants its chart's default
    /// values (a production values file).
    pub fn wants_chart_defaults(&self, kind: FileKind) -> bool {
        !self.active.is_empty()
            && matches!(
                kind,
                FileKind::Values {
                    production: true,
                    secrets_file: false
                }
            )
    }

    /// True if checking a file of this kind and `len` bytes can use the
    /// engine's hint offsets to parse only part of it. Every values file and
    /// manifest can: a YAML parse costs some 25 times what the keyword pass
    /// does per byte, and most files need none (a CRD, a Deployment whose
    /// env comes from `secretKeyRef`).
    pub fn wants_hints(&self, kind: FileKind, len: usize) -> bool {
        len <= MAX_POLICY_BYTES
            && !self.active.is_empty()
            // `policy.equal` and extra secret keys may name keys no hint word covers.
            && self.equal.is_empty()
            && self.vocab.extra_keys.is_empty()
            && matches!(kind, FileKind::Values { .. } | FileKind::Yaml { .. })
    }

    /// Runs the checks that apply to one file. `hints` are the engine's hint
    /// word offsets, when it collected them.
    pub fn check(
        &self,
        path: &str,
        data: &[u8],
        engine: &Engine,
        fcx: FileContext<'_>,
    ) -> FileReport {
        let FileContext {
            hints,
            chart,
            missing_reference,
            kind,
        } = fcx;
        let mut report = FileReport::default();
        if self.active.is_empty() {
            return report;
        }
        let kind = kind.unwrap_or_else(|| self.kind(path));
        if kind == FileKind::Other {
            return report;
        }
        if data.len() > MAX_POLICY_BYTES {
            report.notes.push(format!(
                "{path}: policy checks skipped: larger than {} MiB (credential rules still ran)",
                MAX_POLICY_BYTES >> 20
            ));
            return report;
        }
        // Only YAML that could hold a manifest is parsed outside values files.
        if let FileKind::Yaml { .. } = kind
            && (memchr::memmem::find(data, b"kind:").is_none()
                || memchr::memmem::find(data, b"apiVersion").is_none())
        {
            return report;
        }
        // Judge the hint lines first; parse nothing when none could be a
        // finding, and in a large file only the values file's top-level
        // sections or the manifest's documents that could. A small file with
        // something to check is parsed whole, so a syntax error anywhere in
        // it is reported.
        let mut cleared = Vec::new();
        let mut line_refs = Vec::new();
        let plan = match hints {
            Some(h) => {
                let equal_keys: Vec<&str> = self
                    .equal
                    .iter()
                    .flatten()
                    .filter_map(|k| k.rsplit('.').next())
                    .collect();
                let pcx = prefilter::Context {
                    production: matches!(
                        kind,
                        FileKind::Values {
                            production: true,
                            ..
                        }
                    ),
                    vocab: &self.vocab,
                    equal_keys: &equal_keys,
                    empty_check: self.active.contains_key("empty-credential-in-production"),
                };
                if let FileKind::Values { .. } = kind {
                    let sel = prefilter::select(data, h, &pcx);
                    cleared = sel.cleared;
                    line_refs = sel.references;
                    Plan::Sections(sel.sections)
                } else {
                    Plan::Documents(prefilter::select_documents(data, h, &pcx))
                }
            }
            None => Plan::Whole,
        };
        let handled: Vec<usize> = line_refs.iter().map(|r| r.span.0).collect();
        for r in line_refs {
            self.line_reference(path, data, engine, &r, missing_reference, &mut report);
        }
        if matches!(&plan, Plan::Sections(v) | Plan::Documents(v) if v.is_empty()) {
            // Nothing to parse: only cleared values to record, positioned
            // without validating or indexing the whole file.
            report.cleared_spans = cleared;
            return report;
        }
        // YAML is UTF-8; anything else is left to the credential rules.
        let Ok(text) = std::str::from_utf8(data) else {
            return report;
        };
        let parsed = match plan {
            _ if data.len() <= WHOLE_PARSE_BYTES => yaml::load(text),
            Plan::Whole => yaml::load(text),
            Plan::Sections(sel) => {
                yaml::load_sections(text, &sel).map_or_else(|| yaml::load(text), Ok)
            }
            Plan::Documents(docs) => yaml::load_documents(text, &docs),
        };
        let docs = match parsed {
            Ok(d) => d,
            Err(e) => {
                // Helm-templated YAML outside templates/ is expected not to parse.
                if !text.contains("{{") {
                    report.warnings.push(Notification {
                        path: path.to_string(),
                        line: e.line,
                        column: e.column,
                        message: format!(
                            "YAML does not parse ({}); policy checks skipped, credential rules still ran",
                            e.message
                        ),
                    });
                }
                return report;
            }
        };
        if docs.is_empty() {
            report.cleared_spans = cleared;
            return report;
        }
        let mut cx = Cx {
            policy: self,
            engine,
            path,
            text,
            pos: Positions::new(text),
            lines: std::cell::OnceCell::new(),
            chart,
            missing_reference,
            production: matches!(
                kind,
                FileKind::Values {
                    production: true,
                    ..
                } | FileKind::Yaml { production: true }
            ),
            secrets_file: matches!(
                kind,
                FileKind::Values {
                    secrets_file: true,
                    ..
                }
            ),
            handled_references: handled,
            seen: HashSet::new(),
            report: &mut report,
        };
        cx.report.cleared_spans = cleared;
        for doc in &docs {
            if yaml::is_sops(doc) {
                continue;
            }
            match kind {
                FileKind::Values { .. } => values::check(&mut cx, doc),
                _ => manifests::check(&mut cx, doc),
            }
        }
        report
    }

    /// A `secretsFiles` entry read from its line: recorded, and reported if
    /// it is missing and would not be ignored.
    fn line_reference(
        &self,
        path: &str,
        data: &[u8],
        engine: &Engine,
        r: &prefilter::LineReference,
        missing: Option<&MissingReference<'_>>,
        report: &mut FileReport,
    ) {
        report.references.push(repo::Reference {
            from: path.to_string(),
            target: r.target.clone(),
        });
        let Some(rel) = missing.and_then(|f| f(path, &r.target)) else {
            return;
        };
        let Some(spec) = catalog::check("secrets-file-not-ignored") else {
            return;
        };
        let Some(sev) = self.severity(&spec.id) else {
            return;
        };
        let lines = LineIndex::new(data);
        if crate::suppress::inline_allowed(data, lines.line_start_of(r.span.0))
            || engine.rule_path_allowed(&spec.id, path)
        {
            return;
        }
        let mut f = lines.finding_for(&spec.id, &spec.name, sev, path, data, r.span.0, r.span.1);
        f.fingerprint = fingerprint(&spec.id, path, r.target.as_bytes());
        f.sensitive = false;
        f.message = Some(format!(
            "{rel} (from {}) is not covered by .gitignore: once created, the next `git add .` commits it",
            r.key
        ));
        f.line_hash = crate::engine::line_hash::line_hashes(data, &[f.start_line])
            .get(&f.start_line)
            .cloned();
        report.findings.push(f);
    }

    /// Compares the values seen at `policy.equal` paths across all files.
    pub fn finish(&self, observed: &[Observed]) -> Vec<Finding> {
        let mut out = Vec::new();
        if !self.active.contains_key("synchronized-secrets-differ") {
            return out;
        }
        for group in &self.equal {
            let seen: Vec<&Observed> = group
                .iter()
                .filter_map(|k| observed.iter().find(|o| &o.key == k))
                .collect();
            let Some(first) = seen.first() else { continue };
            for other in seen.iter().skip(1) {
                if other.value != first.value {
                    let mut f = other.finding.clone();
                    f.message = Some(format!(
                        "{} and {} must be equal (policy.equal) but differ ({} in {})",
                        other.key, first.key, first.key, first.finding.path
                    ));
                    out.push(f);
                }
            }
        }
        out
    }

    fn severity(&self, id: &str) -> Option<Severity> {
        self.active.get(id).copied()
    }
}

/// (line, first column, end column) of sorted single-line byte ranges,
/// counting newlines once across the text.
fn line_cols(b: &[u8], ranges: &[(usize, usize)]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::with_capacity(ranges.len());
    let (mut line, mut line_start, mut at) = (1, 0, 0);
    for &(s, e) in ranges {
        if s < at {
            continue;
        }
        for nl in memchr::memchr_iter(b'\n', &b[at..s]) {
            line += 1;
            line_start = at + nl + 1;
        }
        at = s;
        let col = |o: usize| {
            b[line_start..o]
                .iter()
                .filter(|&&c| c & 0b1100_0000 != 0b1000_0000)
                .count()
                + 1
        };
        out.push((line, col(s), col(e)));
    }
    out
}

/// Decodes standard base64 (padded or not) into UTF-8 text.
fn decode_base64(v: &str) -> Option<String> {
    use base64::Engine as _;
    let t = v.trim();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(t)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(t))
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// One-problem-one-finding: where a policy finding about a value and a
/// credential-rule finding cover the same bytes, keep the more specific one
/// (a provider rule names the credential; the policy names the key path
/// better than a generic password rule).
pub fn merge_overlapping(
    engine: &Engine,
    credential: &mut Vec<Finding>,
    policy: &mut Vec<Finding>,
    cleared: &[(usize, usize, usize)],
) {
    const VALUE_CHECKS: &[&str] = &[
        "plaintext-secret-in-values",
        "weak-or-default-password",
        "credentials-in-url",
        "committed-kubernetes-secret",
        "secret-in-configmap-or-env",
    ];
    let overlaps = |a: &Finding, b: &Finding| {
        a.start_line == b.start_line
            && a.start_column < b.end_column.max(b.start_column + 1)
            && b.start_column < a.end_column.max(a.start_column + 1)
    };
    let generic = |f: &Finding| engine.rule(&f.rule_id).is_none_or(|r| r.generic);
    // A committed Secret is decoded by the policy check, which says more than
    // any rule reading its base64.
    let supersedes = |p: &Finding, c: &Finding| {
        VALUE_CHECKS.contains(&p.rule_id.as_str())
            && (generic(c) || p.rule_id == "committed-kubernetes-secret")
    };
    credential.retain(|c| !policy.iter().any(|p| supersedes(p, c) && overlaps(c, p)));
    credential.retain(|c| {
        !(generic(c)
            && cleared.iter().any(|&(l, s, e)| {
                c.start_line == l && c.start_column < e.max(s + 1) && s < c.end_column
            }))
    });
    policy.retain(|p| {
        !(VALUE_CHECKS.contains(&p.rule_id.as_str())
            && p.rule_id != "committed-kubernetes-secret"
            && credential.iter().any(|c| !generic(c) && overlaps(c, p)))
    });
}
