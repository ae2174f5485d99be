//! Allowlists from the configuration: paths, secret regexes and stopwords,
//! globally and per rule.

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;
use std::collections::HashMap;

/// What one allowlist entry allows.
#[derive(Default)]
pub struct RuleAllow {
    pub paths: Option<GlobSet>,
    pub secrets: Vec<Regex>,
    /// Lowercase; a secret containing one is allowed.
    pub stopwords: Vec<String>,
}

impl RuleAllow {
    fn path_allowed(&self, path: &str) -> bool {
        self.paths.as_ref().is_some_and(|g| g.is_match(path))
    }

    fn secret_allowed(&self, secret: &[u8]) -> bool {
        if self.secrets.iter().any(|r| r.is_match(secret)) {
            return true;
        }
        if self.stopwords.is_empty() {
            return false;
        }
        let lower = secret.to_ascii_lowercase();
        self.stopwords
            .iter()
            .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
    }
}

/// The global allowlist plus one per rule id.
#[derive(Default)]
pub struct Allowlist {
    pub global: RuleAllow,
    pub rules: HashMap<String, RuleAllow>,
}

impl Allowlist {
    pub fn path_allowed(&self, path: &str) -> bool {
        self.global.path_allowed(path)
    }

    pub fn rule_path_allowed(&self, rule_id: &str, path: &str) -> bool {
        self.rules
            .get(rule_id)
            .is_some_and(|a| a.path_allowed(path))
    }

    pub fn secret_allowed(&self, rule_id: &str, secret: &[u8]) -> bool {
        self.global.secret_allowed(secret)
            || self
                .rules
                .get(rule_id)
                .is_some_and(|a| a.secret_allowed(secret))
    }
}

/// Builds a glob set with gitignore-like conveniences: a pattern without a
/// `/` matches at any depth, and a directory pattern matches what is under it.
pub fn path_globs(patterns: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let p = p.trim_start_matches("./");
        let mut variants = vec![p.trim_end_matches('/').to_string()];
        if !p.contains('/') || (p.ends_with('/') && !p.trim_end_matches('/').contains('/')) {
            variants.push(format!("**/{}", p.trim_end_matches('/')));
        }
        for v in variants.clone() {
            variants.push(format!("{v}/**"));
        }
        for v in variants {
            let g = Glob::new(&v).map_err(|e| format!("invalid path glob {p:?}: {e}"))?;
            b.add(g);
        }
    }
    b.build().map_err(|e| e.to_string())
}
