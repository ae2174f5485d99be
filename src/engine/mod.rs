//! The engine: bytes in, findings out. No I/O, no printing.
//!
//! One Aho-Corasick automaton over every rule's keywords (ASCII
//! case-insensitive) finds where rules could match. A rule runs only in
//! windows around its own keyword hits, and its regex is compiled the first
//! time that happens, so start-up never pays for 300 regexes and a file
//! without keywords costs one linear pass.

mod allow;
pub mod filters;
mod lines;

pub use allow::{Allowlist, RuleAllow, path_globs};

use crate::finding::{Finding, normalize_path};
use crate::rules::{DEFAULT_WINDOW, RuleError, RuleSpec};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use globset::GlobSet;
use regex::bytes::{Regex, RegexBuilder};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Compiles a rule pattern the way the engine runs it: bytes, Unicode off.
pub fn compile_pattern(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(32 * 1024 * 1024)
        .build()
}

/// A rule ready to run: its spec, and what is compiled from it on first use.
pub struct Rule {
    pub spec: RuleSpec,
    regex: OnceLock<Option<Regex>>,
    allow: OnceLock<Vec<Regex>>,
    paths: Option<GlobSet>,
    window: usize,
    secret_group: OnceLock<usize>,
}

impl Rule {
    fn new(spec: RuleSpec) -> Rule {
        let paths = if spec.paths.is_empty() { None } else { path_globs(&spec.paths).ok() };
        let window = spec.window.unwrap_or(DEFAULT_WINDOW);
        Rule {
            spec,
            regex: OnceLock::new(),
            allow: OnceLock::new(),
            paths,
            window,
            secret_group: OnceLock::new(),
        }
    }

    fn regex(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| compile_pattern(&self.spec.pattern).ok())
            .as_ref()
    }

    fn allow(&self) -> &[Regex] {
        self.allow
            .get_or_init(|| self.spec.allow.iter().filter_map(|a| compile_pattern(a).ok()).collect())
    }

    fn group(&self, re: &Regex) -> usize {
        *self.secret_group.get_or_init(|| {
            if let Some(g) = self.spec.secret_group {
                return g;
            }
            if let Some(i) = re.capture_names().position(|n| n == Some("secret")) {
                return i;
            }
            usize::from(re.captures_len() > 1)
        })
    }

    fn applies_to(&self, path: &str) -> bool {
        self.paths.as_ref().is_none_or(|set| set.is_match(path))
    }
}

/// The compiled rule set.
pub struct Engine {
    rules: Vec<Rule>,
    automaton: AhoCorasick,
    /// For each automaton pattern, the rules that listed it as a keyword.
    keyword_rules: Vec<Vec<u32>>,
    /// Rules without keywords: they run on every blob (kept few).
    always: Vec<u32>,
    allow: Allowlist,
}

impl Engine {
    /// Builds the engine. Later specs with the same id replace earlier ones,
    /// which is how user rules override built-in rules.
    pub fn new(specs: Vec<RuleSpec>, allow: Allowlist, disabled: &[String]) -> Result<Engine, RuleError> {
        let mut by_id: HashMap<String, usize> = HashMap::new();
        let mut kept: Vec<RuleSpec> = Vec::new();
        for spec in specs {
            if disabled.iter().any(|d| d == spec.id()) {
                continue;
            }
            match by_id.get(spec.id()) {
                Some(&i) => kept[i] = spec,
                None => {
                    by_id.insert(spec.id().to_string(), kept.len());
                    kept.push(spec);
                }
            }
        }
        let rules: Vec<Rule> = kept.into_iter().map(Rule::new).collect();

        let mut keyword_index: HashMap<String, usize> = HashMap::new();
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<u32>> = Vec::new();
        let mut always = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            if rule.spec.keywords.is_empty() {
                always.push(i as u32);
            }
            for kw in &rule.spec.keywords {
                let k = kw.to_ascii_lowercase();
                let idx = *keyword_index.entry(k.clone()).or_insert_with(|| {
                    keywords.push(k);
                    keyword_rules.push(Vec::new());
                    keywords.len() - 1
                });
                if !keyword_rules[idx].contains(&(i as u32)) {
                    keyword_rules[idx].push(i as u32);
                }
            }
        }
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&keywords)
            .map_err(|e| RuleError {
                file: "<rules>".into(),
                line: None,
                column: None,
                rule_id: None,
                message: format!("cannot build the keyword automaton: {e}"),
            })?;
        Ok(Engine { rules, automaton, keyword_rules, always, allow })
    }

    pub fn rules(&self) -> impl Iterator<Item = &RuleSpec> {
        self.rules.iter().map(|r| &r.spec)
    }

    pub fn rule(&self, id: &str) -> Option<&RuleSpec> {
        self.rules.iter().map(|r| &r.spec).find(|s| s.id() == id)
    }

    /// True if the configuration allows this whole path (nothing to scan).
    pub fn path_allowed(&self, path: &str) -> bool {
        self.allow.path_allowed(&normalize_path(path))
    }

    /// Scans one blob. `path` is used for path-scoped rules, allowlists and
    /// fingerprints; the data is never read from disk here.
    pub fn scan(&self, path: &str, data: &[u8]) -> Vec<Finding> {
        let path = normalize_path(path);
        if self.allow.path_allowed(&path) {
            return Vec::new();
        }
        // (rule, keyword start, keyword end) for every keyword hit.
        let mut hits: Vec<(u32, usize, usize)> = Vec::new();
        for m in self.automaton.find_overlapping_iter(data) {
            for &r in &self.keyword_rules[m.pattern().as_usize()] {
                hits.push((r, m.start(), m.end()));
            }
        }
        for &r in &self.always {
            hits.push((r, 0, data.len()));
        }
        if hits.is_empty() {
            return Vec::new();
        }
        hits.sort_unstable();

        let mut lines: Option<lines::LineIndex> = None;
        let mut findings = Vec::new();
        let mut i = 0;
        while i < hits.len() {
            let r = hits[i].0;
            let mut j = i;
            while j < hits.len() && hits[j].0 == r {
                j += 1;
            }
            let rule = &self.rules[r as usize];
            if rule.applies_to(&path) && !self.allow.rule_path_allowed(rule.spec.id(), &path) {
                let spans = windows(data, &hits[i..j], rule.window);
                self.run_rule(rule, &path, data, &spans, &mut lines, &mut findings);
            }
            i = j;
        }
        findings
    }

    fn run_rule(
        &self,
        rule: &Rule,
        path: &str,
        data: &[u8],
        spans: &[(usize, usize)],
        lines: &mut Option<lines::LineIndex>,
        out: &mut Vec<Finding>,
    ) {
        let Some(re) = rule.regex() else { return };
        let group = rule.group(re);
        for &(ws, we) in spans {
            let hay = &data[ws..we];
            for caps in re.captures_iter(hay) {
                let Some(m) = caps.get(group).or_else(|| caps.get(0)) else { continue };
                let (start, end) = (ws + m.start(), ws + m.end());
                let secret = m.as_bytes();
                if secret.is_empty() || !self.accept(rule, secret) {
                    continue;
                }
                let idx = lines.get_or_insert_with(|| lines::LineIndex::new(data));
                if crate::suppress::inline_allowed(data, idx.line_start_of(start)) {
                    continue;
                }
                out.push(idx.finding(rule, path, data, start, end));
            }
        }
    }

    fn accept(&self, rule: &Rule, secret: &[u8]) -> bool {
        let spec = &rule.spec;
        if let Some(min) = spec.entropy
            && filters::entropy(secret) < min
        {
            return false;
        }
        if let Some(v) = spec.validate
            && !v.check(secret)
        {
            return false;
        }
        if filters::is_placeholder(secret, spec.generic) {
            return false;
        }
        if rule.allow().iter().any(|a| a.is_match(secret)) {
            return false;
        }
        !self.allow.secret_allowed(spec.id(), secret)
    }
}

/// Merges keyword hits into search windows: `window` bytes either side,
/// stretched to whole lines when the line ends are close, overlaps merged.
/// Every byte is searched at most once per rule, so the work stays linear.
fn windows(data: &[u8], hits: &[(u32, usize, usize)], window: usize) -> Vec<(usize, usize)> {
    const STRETCH: usize = 256;
    let mut out: Vec<(usize, usize)> = Vec::new();
    for &(_, s, e) in hits {
        let mut ws = s.saturating_sub(window);
        let mut we = (e + window).min(data.len());
        if let Some(p) = memchr::memrchr(b'\n', &data[ws.saturating_sub(STRETCH)..ws]) {
            ws = ws.saturating_sub(STRETCH) + p + 1;
        } else if ws <= STRETCH {
            ws = 0;
        }
        let tail_end = (we + STRETCH).min(data.len());
        if let Some(p) = memchr::memchr(b'\n', &data[we..tail_end]) {
            we += p;
        } else if tail_end == data.len() {
            we = data.len();
        }
        match out.last_mut() {
            Some(last) if ws <= last.1 => last.1 = last.1.max(we),
            _ => out.push((ws, we)),
        }
    }
    out
}
