//! The engine: bytes in, findings out. No I/O, no printing.
//!
//! One keyword automaton over every rule's keywords (ASCII case-insensitive,
//! see `keywords`) finds where rules could match. A rule runs only in windows
//! around its own keyword hits; its definition is parsed and its regex
//! compiled the first time that happens, so start-up never pays for 600
//! regexes and a file without keywords costs one linear pass.

mod allow;
pub mod filters;
mod keywords;
pub mod line_hash;
pub mod lines;

pub use allow::{Allowlist, RuleAllow, path_globs};

use crate::finding::{Finding, normalize_path};
use crate::rules::{DEFAULT_WINDOW, RuleError, RuleSpec};
use globset::GlobSet;
use keywords::KeywordScanner;
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

/// Where a rule's full definition comes from. Built-in rule files are
/// parsed only when one of their rules first has a keyword hit: start-up
/// needs nothing but ids and keywords.
pub enum RuleSource {
    Spec(Box<RuleSpec>),
    /// The rule's file, and its lines there (a byte range).
    Builtin {
        file: usize,
        text: (usize, usize),
    },
}

/// What the engine needs to know about a rule before it ever runs.
pub struct RuleEntry {
    pub id: String,
    pub keywords: Vec<String>,
    pub source: RuleSource,
}

impl RuleEntry {
    pub fn from_spec(spec: RuleSpec) -> RuleEntry {
        RuleEntry {
            id: spec.id().to_string(),
            keywords: spec.keywords.clone(),
            source: RuleSource::Spec(Box::new(spec)),
        }
    }
}

/// Which keyword automaton to build: a DFA scans faster, an NFA builds faster
/// (a few milliseconds less start-up for a pre-commit run on a few files).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefilter {
    Fast,
    QuickStart,
}

/// A rule's definition with what is cheap to derive from it: needed as soon
/// as one of its keywords occurs.
struct Prepared {
    spec: RuleSpec,
    paths: Option<GlobSet>,
    window: usize,
}

impl Prepared {
    fn new(spec: RuleSpec) -> Prepared {
        Prepared {
            paths: if spec.paths.is_empty() {
                None
            } else {
                path_globs(&spec.paths).ok()
            },
            window: spec.window.unwrap_or(DEFAULT_WINDOW).max(16),
            spec,
        }
    }

    fn applies_to(&self, path: &str) -> bool {
        self.paths.as_ref().is_none_or(|set| set.is_match(path))
    }
}

/// A rule's compiled regexes: needed only when it runs on a path it applies to.
struct Matcher {
    regex: Regex,
    allow: Vec<Regex>,
    group: usize,
}

impl Matcher {
    fn new(spec: &RuleSpec) -> Option<Matcher> {
        let regex = compile_pattern(&spec.pattern).ok()?;
        let group = spec.secret_group.unwrap_or_else(|| {
            regex
                .capture_names()
                .position(|n| n == Some("secret"))
                .unwrap_or(usize::from(regex.captures_len() > 1))
        });
        Some(Matcher {
            allow: spec
                .allow
                .iter()
                .filter_map(|a| compile_pattern(a).ok())
                .collect(),
            regex,
            group,
        })
    }
}

struct Rule {
    id: String,
    source: RuleSource,
    prepared: OnceLock<Option<Prepared>>,
    matcher: OnceLock<Option<Matcher>>,
}

/// Compiling this many rules' regexes at once is spread over threads: a
/// pre-commit run on one file meets a few dozen rules and would otherwise
/// spend most of its time compiling them one after the other.
const PARALLEL_COMPILE: usize = 4;

/// The compiled rule set.
pub struct Engine {
    rules: Vec<Rule>,
    keywords: KeywordScanner,
    /// For each automaton pattern, the rules that listed it as a keyword.
    keyword_rules: Vec<Vec<u32>>,
    /// Rules without keywords: they run on every blob (kept few).
    always: Vec<u32>,
    allow: Allowlist,
    /// For each automaton pattern, true if it is one of the policy checks'
    /// hint words (`crate::policy::HINT_KEYWORDS`).
    hint: Vec<bool>,
}

impl Engine {
    /// Builds an engine from complete rule specs (no built-in rules).
    pub fn from_specs(
        specs: Vec<RuleSpec>,
        allow: Allowlist,
        disabled: &[String],
    ) -> Result<Engine, RuleError> {
        Engine::new(
            specs.into_iter().map(RuleEntry::from_spec).collect(),
            allow,
            disabled,
            Prefilter::Fast,
        )
    }

    /// Builds the engine. Later entries with the same id replace earlier ones,
    /// which is how user rules override built-in rules.
    pub fn new(
        entries: Vec<RuleEntry>,
        allow: Allowlist,
        disabled: &[String],
        prefilter: Prefilter,
    ) -> Result<Engine, RuleError> {
        let mut by_id: HashMap<String, usize> = HashMap::new();
        let mut kept: Vec<RuleEntry> = Vec::new();
        for e in entries {
            if disabled.contains(&e.id) {
                continue;
            }
            match by_id.get(&e.id) {
                Some(&i) => kept[i] = e,
                None => {
                    by_id.insert(e.id.clone(), kept.len());
                    kept.push(e);
                }
            }
        }

        let mut keyword_index: HashMap<String, usize> = HashMap::new();
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<u32>> = Vec::new();
        let mut always = Vec::new();
        let mut rules = Vec::with_capacity(kept.len());
        for (i, e) in kept.into_iter().enumerate() {
            if e.keywords.is_empty() {
                always.push(i as u32);
            }
            for kw in &e.keywords {
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
            rules.push(Rule {
                id: e.id,
                source: e.source,
                prepared: OnceLock::new(),
                matcher: OnceLock::new(),
            });
        }
        // The policy checks' hint words ride along in the same pass, so that
        // finding where a large YAML file needs parsing costs nothing extra.
        let mut hint = vec![false; keywords.len()];
        for h in crate::policy::HINT_KEYWORDS {
            let k = h.to_ascii_lowercase();
            let idx = *keyword_index.entry(k.clone()).or_insert_with(|| {
                keywords.push(k);
                keyword_rules.push(Vec::new());
                hint.push(false);
                keywords.len() - 1
            });
            hint[idx] = true;
        }
        let scanner =
            KeywordScanner::new(&keywords, prefilter == Prefilter::QuickStart).map_err(|e| {
                RuleError {
                    file: "<rules>".into(),
                    line: None,
                    column: None,
                    rule_id: None,
                    message: format!("cannot build the keyword automaton: {e}"),
                }
            })?;
        Ok(Engine {
            rules,
            keywords: scanner,
            keyword_rules,
            always,
            allow,
            hint,
        })
    }

    fn prepared(&self, r: u32) -> Option<&Prepared> {
        let rule = &self.rules[r as usize];
        rule.prepared
            .get_or_init(|| {
                let spec = match &rule.source {
                    RuleSource::Spec(s) => (**s).clone(),
                    // Every built-in rule parses alone: the test suite checks it.
                    RuleSource::Builtin { file, text } => {
                        crate::rules::parse_builtin_rule(*file, *text)?
                    }
                };
                Some(Prepared::new(spec))
            })
            .as_ref()
    }

    fn matcher(&self, r: u32) -> Option<&Matcher> {
        self.rules[r as usize]
            .matcher
            .get_or_init(|| Matcher::new(&self.prepared(r)?.spec))
            .as_ref()
    }

    /// Compiles the regexes of `rules` that are not compiled yet, on several
    /// threads when there are enough of them.
    fn compile_all(&self, rules: &[u32]) {
        let pending: Vec<u32> = rules
            .iter()
            .copied()
            .filter(|&r| self.rules[r as usize].matcher.get().is_none())
            .collect();
        if pending.len() < PARALLEL_COMPILE {
            return;
        }
        // Asked once: the standard library reads cgroup files to answer.
        static THREADS: OnceLock<usize> = OnceLock::new();
        let threads = *THREADS.get_or_init(|| {
            std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(4)
        });
        if threads < 2 {
            return;
        }
        let per = pending.len().div_ceil(threads);
        std::thread::scope(|s| {
            for chunk in pending.chunks(per) {
                s.spawn(move || {
                    for &r in chunk {
                        self.matcher(r);
                    }
                });
            }
        });
    }

    /// The definition of a rule, by id (parses its file if needed).
    pub fn rule(&self, id: &str) -> Option<&RuleSpec> {
        let r = self.rules.iter().position(|r| r.id == id)?;
        self.prepared(r as u32).map(|c| &c.spec)
    }

    /// True if the configuration allows `path` for one rule or policy check.
    pub fn rule_path_allowed(&self, rule_id: &str, path: &str) -> bool {
        self.allow.rule_path_allowed(rule_id, &normalize_path(path))
    }

    /// True if the configuration allows this whole path (nothing to scan).
    pub fn path_allowed(&self, path: &str) -> bool {
        self.allow.path_allowed(&normalize_path(path))
    }

    /// Scans one blob. `path` is used for path-scoped rules, allowlists and
    /// fingerprints; the data is never read from disk here.
    pub fn scan(&self, path: &str, data: &[u8]) -> Vec<Finding> {
        self.scan_hinted(path, data, None)
    }

    /// Like [`Engine::scan`], and also collects the offsets where the policy
    /// checks' hint words occur (unsorted) into `hints`.
    pub fn scan_hinted(
        &self,
        path: &str,
        data: &[u8],
        hints: Option<&mut Vec<usize>>,
    ) -> Vec<Finding> {
        let path = normalize_path(path);
        if self.allow.path_allowed(&path) {
            return Vec::new();
        }
        SLOTS.with(|slots| {
            let mut slots = slots.borrow_mut();
            if slots.len() < self.rules.len() {
                slots.resize(self.rules.len(), u32::MAX);
            }
            self.scan_with(&path, data, &mut slots, hints)
        })
    }

    fn scan_with(
        &self,
        path: &str,
        data: &[u8],
        slot: &mut [u32],
        mut hints: Option<&mut Vec<usize>>,
    ) -> Vec<Finding> {
        // Per rule touched, its search windows, merged as hits arrive so that
        // memory stays bounded however many times a keyword occurs. Hits are
        // ordered within each keyword-scan stream, so windows are kept per stream.
        let mut touched: Vec<(u32, StreamWindows)> = Vec::new();
        let mut add = |r: u32, s: usize, e: usize, stream: usize| {
            let Some(w) = self.prepared(r).map(|c| c.window) else {
                return;
            };
            let (ws, we) = (s.saturating_sub(w), (e + w).min(data.len()));
            let k = &mut slot[r as usize];
            if *k == u32::MAX {
                *k = touched.len() as u32;
                touched.push((r, Default::default()));
            }
            let wins = &mut touched[*k as usize].1[stream];
            match wins.last_mut() {
                Some(last) if ws <= last.1 && we >= last.0 => {
                    last.0 = last.0.min(ws);
                    last.1 = last.1.max(we);
                }
                _ => wins.push((ws, we)),
            }
        };
        self.keywords
            .for_each(data, &mut |pattern, start, end, stream| {
                for &r in &self.keyword_rules[pattern] {
                    add(r, start, end, stream);
                }
                if let Some(h) = hints.as_deref_mut()
                    && self.hint[pattern]
                {
                    h.push(start);
                }
            });
        for &r in &self.always {
            add(r, 0, data.len(), 0);
        }
        // Leave the per-thread slot table clean for the next blob.
        for (r, _) in &touched {
            slot[*r as usize] = u32::MAX;
        }
        if touched.is_empty() {
            return Vec::new();
        }
        touched.sort_unstable_by_key(|t| t.0);

        let mut raw: Vec<RawMatch> = Vec::new();
        touched.retain(|(r, _)| {
            self.prepared(*r).is_some_and(|p| {
                p.applies_to(path) && !self.allow.rule_path_allowed(p.spec.id(), path)
            })
        });
        let to_run: Vec<u32> = touched.iter().map(|t| t.0).collect();
        self.compile_all(&to_run);
        for (r, wins) in touched {
            let (Some(rule), Some(matcher)) = (self.prepared(r), self.matcher(r)) else {
                continue;
            };
            let spans = line_windows(data, wins.into_iter().flatten().collect(), rule.window);
            self.run_rule(r, rule, matcher, &spans, data, &mut raw);
        }
        if raw.is_empty() {
            return Vec::new();
        }
        let raw = self.one_finding_per_secret(raw);
        let idx = lines::LineIndex::new(data);
        let mut findings: Vec<Finding> = raw
            .into_iter()
            .filter(|m| !crate::suppress::inline_allowed(data, idx.line_start_of(m.start)))
            .filter_map(|m| {
                Some(idx.finding(&self.prepared(m.rule)?.spec, path, data, m.start, m.end))
            })
            .collect();
        if !findings.is_empty() {
            let wanted: Vec<usize> = findings.iter().map(|f| f.start_line).collect();
            let hashes = line_hash::line_hashes(data, &wanted);
            for f in &mut findings {
                f.line_hash = hashes.get(&f.start_line).cloned();
            }
        }
        findings
    }

    fn run_rule(
        &self,
        r: u32,
        rule: &Prepared,
        matcher: &Matcher,
        spans: &[(usize, usize)],
        data: &[u8],
        out: &mut Vec<RawMatch>,
    ) {
        for &(ws, we) in spans {
            for caps in matcher.regex.captures_iter(&data[ws..we]) {
                let Some(m) = caps.get(matcher.group).or_else(|| caps.get(0)) else {
                    continue;
                };
                let secret = m.as_bytes();
                if !secret.is_empty() && self.accept(rule, matcher, secret) {
                    out.push(RawMatch {
                        rule: r,
                        start: ws + m.start(),
                        end: ws + m.end(),
                    });
                }
            }
        }
    }

    /// One secret is one finding: a generic rule's match is dropped where a
    /// provider rule matched overlapping bytes, and of several provider rules
    /// matching the very same bytes the most severe one is kept.
    fn one_finding_per_secret(&self, mut raw: Vec<RawMatch>) -> Vec<RawMatch> {
        let Some(first) = raw.first().and_then(|m| self.prepared(m.rule)) else {
            return raw;
        };
        let spec = |m: &RawMatch| self.prepared(m.rule).map_or(&first.spec, |c| &c.spec);
        let specific: Vec<(usize, usize)> = raw
            .iter()
            .filter(|m| !spec(m).generic)
            .map(|m| (m.start, m.end))
            .collect();
        raw.retain(|m| {
            !spec(m).generic || !specific.iter().any(|&(s, e)| s < m.end && m.start < e)
        });
        raw.sort_by(|a, b| {
            (
                a.start,
                a.end,
                std::cmp::Reverse(spec(a).severity),
                spec(a).id(),
            )
                .cmp(&(
                    b.start,
                    b.end,
                    std::cmp::Reverse(spec(b).severity),
                    spec(b).id(),
                ))
        });
        raw.dedup_by(|later, first| later.start == first.start && later.end == first.end);
        raw
    }

    fn accept(&self, rule: &Prepared, matcher: &Matcher, secret: &[u8]) -> bool {
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
        if matcher.allow.iter().any(|a| a.is_match(secret)) {
            return false;
        }
        !self.allow.secret_allowed(spec.id(), secret)
    }
}

/// A rule's search windows in one blob, one list per keyword-scan stream.
type StreamWindows = [Vec<(usize, usize)>; keywords::STREAMS];

thread_local! {
    /// Per thread, for each rule, its index in the current blob's list of
    /// touched rules (`u32::MAX`: not touched): reused to avoid an allocation
    /// per file.
    static SLOTS: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
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
fn line_windows(data: &[u8], mut wins: Vec<(usize, usize)>, window: usize) -> Vec<(usize, usize)> {
    // A rule with a small window (a token right after its prefix) gets a
    // small stretch too, or the stretch would dominate its cost.
    let stretch = window.min(128);
    wins.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(wins.len());
    for (mut ws, mut we) in wins {
        let back = ws.saturating_sub(stretch);
        if let Some(p) = memchr::memrchr(b'\n', &data[back..ws]) {
            ws = back + p + 1;
        } else if back == 0 {
            ws = 0;
        }
        let tail_end = (we + stretch).min(data.len());
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
