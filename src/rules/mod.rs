//! Rule definitions: the YAML format (`docs/rule-format.md`), the built-in
//! rule files embedded at build time, and loading/validation of user rules.

pub mod docs;
mod validate;

pub use validate::Validator;

use crate::finding::Severity;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::fmt;

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Default number of bytes either side of a keyword hit that a pattern searches.
pub const DEFAULT_WINDOW: usize = 256;

/// One rule as written in YAML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: Spanned<String>,
    pub name: String,
    pub severity: Severity,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub pattern: String,
    #[serde(default)]
    pub secret_group: Option<usize>,
    #[serde(default)]
    pub entropy: Option<f64>,
    #[serde(default)]
    pub validate: Option<Validator>,
    #[serde(default)]
    pub allow: Vec<String>,
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub window: Option<usize>,
    #[serde(default)]
    pub generic: bool,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub remediation: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub negative_examples: Vec<String>,
    /// For policy checks (not written in rule files): the check's short code.
    #[serde(skip)]
    pub policy: Option<String>,
}

impl RuleSpec {
    pub fn id(&self) -> &str {
        &self.id.value
    }

    pub fn remediation(&self) -> &str {
        self.remediation.as_deref().unwrap_or(
            "Revoke or rotate the credential at its provider, remove it from the file (and from \
             git history if it was committed), and load it at run time from a secret store or \
             an environment variable instead.",
        )
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    rules: Vec<RuleSpec>,
}

/// A rule file or rule that could not be loaded, with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleError {
    pub file: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub rule_id: Option<String>,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if let Some(id) = &self.rule_id {
            write!(f, ": rule `{id}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for RuleError {}

/// Parses the built-in rule files. They are checked by the test suite, so an
/// error here is a build defect; it is still reported, not panicked on.
pub fn builtin_specs() -> Result<Vec<RuleSpec>, RuleError> {
    let mut out = Vec::new();
    for (file, text) in BUILTIN_RULE_FILES {
        out.extend(parse_rule_file(file, text)?);
    }
    Ok(out)
}

/// Ids and keywords of every built-in rule, read from the rule files with a
/// line scan instead of a YAML parse: this is all start-up needs, and it
/// costs a fraction of a millisecond where parsing 400+ rules costs ten.
/// The test suite checks that it agrees with the full parse.
pub fn builtin_entries() -> Vec<crate::engine::RuleEntry> {
    let mut out: Vec<crate::engine::RuleEntry> = Vec::new();
    for (file, (_, text)) in BUILTIN_RULE_FILES.iter().enumerate() {
        let mut offset = 0;
        let first_in_file = out.len();
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            if let Some(id) = line.strip_prefix("  - id:") {
                if out.len() > first_in_file
                    && let Some(prev) = out.last_mut()
                {
                    set_end(prev, start);
                }
                out.push(crate::engine::RuleEntry {
                    id: unquote(id.trim()),
                    keywords: Vec::new(),
                    source: crate::engine::RuleSource::Builtin {
                        file,
                        text: (start, text.len()),
                    },
                });
            } else if let Some(list) = line.trim_start().strip_prefix("keywords:")
                && out.len() > first_in_file
                && let Some(last) = out.last_mut()
            {
                last.keywords = flow_list(list.trim());
            }
        }
    }
    out
}

fn set_end(entry: &mut crate::engine::RuleEntry, end: usize) {
    if let crate::engine::RuleSource::Builtin { text, .. } = &mut entry.source {
        text.1 = end;
    }
}

/// Parses one built-in rule from its own lines of its file, so that a scan
/// that needs one rule of a large file does not parse the whole file.
pub fn parse_builtin_rule(file: usize, range: (usize, usize)) -> Option<RuleSpec> {
    let (name, text) = BUILTIN_RULE_FILES.get(file)?;
    let snippet = text.get(range.0..range.1)?;
    parse_rule_file(name, &format!("rules:\n{snippet}"))
        .ok()?
        .into_iter()
        .next()
}

/// Items of a one-line YAML flow sequence: `[a, 'b c', "d "]`. Spaces
/// inside quotes are kept; around plain items they are trimmed.
fn flow_list(s: &str) -> Vec<String> {
    fn finish(cur: &mut String, quoted: &mut Option<(usize, usize)>, items: &mut Vec<String>) {
        let item = match quoted.take() {
            Some((start, end)) => {
                let (head, rest) = cur.split_at(start);
                let (mid, tail) = rest.split_at(end - start);
                format!("{}{mid}{}", head.trim_start(), tail.trim_end())
            }
            None => cur.trim().to_string(),
        };
        cur.clear();
        if !item.is_empty() {
            items.push(item);
        }
    }
    let inner = s
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(s);
    let mut items = Vec::new();
    let mut cur = String::new();
    // Byte range of `cur` that was written inside quotes.
    let mut quoted: Option<(usize, usize)> = None;
    let mut quote: Option<char> = None;
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                quoted = Some((quoted.map_or(cur.len(), |q| q.0), cur.len()));
            }
            (Some('\''), '\'') if chars.peek() == Some(&'\'') => {
                chars.next();
                cur.push('\'');
            }
            (Some('"'), '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(q), c) if c == q => {
                quote = None;
                if let Some(r) = quoted.as_mut() {
                    r.1 = cur.len();
                }
            }
            (None, ',') => finish(&mut cur, &mut quoted, &mut items),
            (_, c) => cur.push(c),
        }
    }
    finish(&mut cur, &mut quoted, &mut items);
    items
}

fn unquote(s: &str) -> String {
    flow_list(s).into_iter().next().unwrap_or_default()
}

/// Parses one rule file (a map with a `rules:` list).
pub fn parse_rule_file(file: &str, text: &str) -> Result<Vec<RuleSpec>, RuleError> {
    let parsed: RuleFile = serde_saphyr::from_str(text).map_err(|e| yaml_error(file, &e))?;
    Ok(parsed.rules)
}

/// Turns a serde-saphyr error into a [`RuleError`] with its location.
pub fn yaml_error(file: &str, e: &serde_saphyr::Error) -> RuleError {
    let loc = e.location();
    let message = first_line(&e.to_string());
    RuleError {
        file: file.to_string(),
        line: loc.as_ref().map(|l| l.line()).filter(|&l| l > 0),
        column: loc.as_ref().map(|l| l.column()).filter(|&c| c > 0),
        rule_id: None,
        message,
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).trim().to_string()
}

/// Checks what YAML cannot: ids, severities, regexes, globs. Used for user
/// rules at start-up and for built-in rules by the test suite.
pub fn check_spec(file: &str, spec: &RuleSpec) -> Result<(), RuleError> {
    let err = |message: String| RuleError {
        file: file.to_string(),
        line: Some(spec.id.referenced.line()).filter(|&l| l > 0),
        column: None,
        rule_id: Some(spec.id().to_string()),
        message,
    };
    let id = spec.id();
    let kebab = !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if !kebab {
        return Err(err(
            "id must be kebab-case (lowercase letters, digits and '-')".into(),
        ));
    }
    let re = crate::engine::compile_pattern(&spec.pattern)
        .map_err(|e| err(format!("invalid pattern: {e}")))?;
    let groups = re.captures_len();
    if let Some(g) = spec.secret_group
        && g >= groups
    {
        return Err(err(format!(
            "secret_group {g} but the pattern has {} group(s)",
            groups - 1
        )));
    }
    for a in &spec.allow {
        crate::engine::compile_pattern(a)
            .map_err(|e| err(format!("invalid allow pattern {a:?}: {e}")))?;
    }
    crate::engine::path_globs(&spec.paths).map_err(err)?;
    if spec.keywords.iter().any(|k| k.is_empty()) {
        return Err(err("empty keyword".into()));
    }
    if let Some(e) = spec.entropy
        && !(0.0..=8.0).contains(&e)
    {
        return Err(err(format!("entropy {e} is outside 0.0-8.0 bits per byte")));
    }
    Ok(())
}
