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
        // Per rule touched, its search windows, merged as hits arrive so that
        // memory stays bounded however many times a keyword occurs.
        let mut slot: Vec<u32> = vec![u32::MAX; self.rules.len()];
        let mut touched: Vec<(u32, Vec<(usize, usize)>)> = Vec::new();
        let mut add = |r: u32, s: usize, e: usize| {
            let w = self.rules[r as usize].window;
            let (ws, we) = (s.saturating_sub(w), (e + w).min(data.len()));
            let k = &mut slot[r as usize];
            if *k == u32::MAX {
                *k = touched.len() as u32;
                touched.push((r, vec![(ws, we)]));
                return;
            }
            let wins = &mut touched[*k as usize].1;
            match wins.last_mut() {
                Some(last) if ws <= last.1 && we >= last.0 => {
                    last.0 = last.0.min(ws);
                    last.1 = last.1.max(we);
                }
                _ => wins.push((ws, we)),
            }
        };
        for m in self.automaton.find_overlapping_iter(data) {
            for &r in &self.keyword_rules[m.pattern().as_usize()] {
                add(r, m.start(), m.end());
            }
        }
        for &r in &self.always {
            add(r, 0, data.len());
        }
        if touched.is_empty() {
            return Vec::new();
        }
        touched.sort_unstable_by_key(|t| t.0);

        let mut raw: Vec<RawMatch> = Vec::new();
        for (r, wins) in touched {
            let rule = &self.rules[r as usize];
            if rule.applies_to(&path) && !self.allow.rule_path_allowed(rule.spec.id(), &path) {
                let spans = line_windows(data, wins);
                self.run_rule(r, &spans, data, &mut raw);
            }
        }
        if raw.is_empty() {
            return Vec::new();
        }
        let raw = self.one_finding_per_secret(raw);
        let idx = lines::LineIndex::new(data);
        raw.into_iter()
            .filter(|m| !crate::suppress::inline_allowed(data, idx.line_start_of(m.start)))
            .map(|m| idx.finding(&self.rules[m.rule as usize], &path, data, m.start, m.end))
            .collect()
    }

    fn run_rule(&self, r: u32, spans: &[(usize, usize)], data: &[u8], out: &mut Vec<RawMatch>) {
        let rule = &self.rules[r as usize];
        let Some(re) = rule.regex() else { return };
        let group = rule.group(re);
        for &(ws, we) in spans {
            for caps in re.captures_iter(&data[ws..we]) {
                let Some(m) = caps.get(group).or_else(|| caps.get(0)) else { continue };
                let secret = m.as_bytes();
                if !secret.is_empty() && self.accept(rule, secret) {
                    out.push(RawMatch { rule: r, start: ws + m.start(), end: ws + m.end() });
                }
            }
        }
    }

    /// One secret is one finding: a generic rule's match is dropped where a
    /// provider rule matched overlapping bytes, and of several provider rules
    /// matching the very same bytes the most severe one is kept.
    fn one_finding_per_secret(&self, mut raw: Vec<RawMatch>) -> Vec<RawMatch> {
        let spec = |m: &RawMatch| &self.rules[m.rule as usize].spec;
        let specific: Vec<(usize, usize)> =
            raw.iter().filter(|m| !spec(m).generic).map(|m| (m.start, m.end)).collect();
        raw.retain(|m| !spec(m).generic || !specific.iter().any(|&(s, e)| s < m.end && m.start < e));
        raw.sort_by(|a, b| {
            (a.start, a.end, std::cmp::Reverse(spec(a).severity), spec(a).id())
                .cmp(&(b.start, b.end, std::cmp::Reverse(spec(b).severity), spec(b).id()))
        });
        raw.dedup_by(|later, first| later.start == first.start && later.end == first.end);
        raw
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

/// A match that passed the rule's filters, before suppression and line numbers.
struct RawMatch {
    rule: u32,
    start: usize,
    end: usize,
}

/// Stretches search windows to whole lines when the line ends are close
/// (so `^`/`$` anchored patterns work) and merges overlaps. Every byte is
/// searched at most once per rule, so the work stays linear.
fn line_windows(data: &[u8], mut wins: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    const STRETCH: usize = 128;
    wins.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(wins.len());
    for (mut ws, mut we) in wins {
        let back = ws.saturating_sub(STRETCH);
        if let Some(p) = memchr::memrchr(b'\n', &data[back..ws]) {
            ws = back + p + 1;
        } else if back == 0 {
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
