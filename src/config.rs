//! `.keywarden.yaml`: discovery, parsing (unknown keys are errors, with
//! file:line:col), and conversion into the engine's allowlists and rules.
//!
//! ```yaml
//! allow:
//!   paths: ["tests/fixtures/**"]   # never scanned, even when named on the command line
//!   secrets: ["^AKIA[A-Z0-9]{12}TEST$"]
//!   stopwords: [dummy]
//!   rules:
//!     generic-password: { paths: ["docs/**"] }
//! disable: [jwt]
//! rules: []                        # extra rules, same format as rules/*.yaml
//! ```

use crate::engine::{Allowlist, RuleAllow, compile_pattern, path_globs as globs};
use crate::rules::{self, RuleError, RuleSpec};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File names looked for at the repository root, in order.
pub const CONFIG_NAMES: &[&str] = &[".keywarden.yaml", ".keywarden.yml"];

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfigFile {
    pub allow: AllowSpec,
    pub disable: Vec<String>,
    pub rules: Vec<RuleSpec>,
    pub policy: crate::policy::PolicySpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AllowSpec {
    pub paths: Vec<String>,
    pub secrets: Vec<String>,
    pub stopwords: Vec<String>,
    pub rules: BTreeMap<String, RuleAllowSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuleAllowSpec {
    pub paths: Vec<String>,
    pub secrets: Vec<String>,
    pub stopwords: Vec<String>,
}

/// A loaded configuration and where it came from.
#[derive(Debug, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    pub file: ConfigFile,
}

/// Finds the configuration in `root` (the repository root).
pub fn discover(root: &Path) -> Option<PathBuf> {
    CONFIG_NAMES
        .iter()
        .map(|n| root.join(n))
        .find(|p| p.is_file())
}

/// Reads and checks a configuration file.
pub fn load(path: &Path) -> Result<Config, RuleError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| RuleError {
        file: shown.clone(),
        line: None,
        column: None,
        rule_id: None,
        message: format!("cannot read configuration: {e}"),
    })?;
    let file = parse(&shown, &text)?;
    Ok(Config {
        path: Some(path.to_path_buf()),
        file,
    })
}

/// Parses configuration text; `name` is used in error messages.
pub fn parse(name: &str, text: &str) -> Result<ConfigFile, RuleError> {
    if text.trim().is_empty() {
        return Ok(ConfigFile::default());
    }
    let file: ConfigFile = serde_saphyr::from_str(text).map_err(|e| rules::yaml_error(name, &e))?;
    for spec in &file.rules {
        rules::check_spec(name, spec)?;
    }
    Ok(file)
}

impl Config {
    fn name(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "<config>".into(), |p| p.display().to_string())
    }

    /// Compiles the allowlists. Errors name the config file and the bad entry.
    pub fn allowlist(&self) -> Result<Allowlist, RuleError> {
        let name = self.name();
        let a = &self.file.allow;
        let global = rule_allow(&name, None, &a.paths, &a.secrets, &a.stopwords)?;
        let mut rules = std::collections::HashMap::new();
        for (id, r) in &a.rules {
            rules.insert(
                id.clone(),
                rule_allow(&name, Some(id), &r.paths, &r.secrets, &r.stopwords)?,
            );
        }
        Ok(Allowlist { global, rules })
    }
}

fn rule_allow(
    file: &str,
    rule_id: Option<&str>,
    paths: &[String],
    secrets: &[String],
    stopwords: &[String],
) -> Result<RuleAllow, RuleError> {
    let err = |message: String| RuleError {
        file: file.to_string(),
        line: None,
        column: None,
        rule_id: rule_id.map(str::to_string),
        message,
    };
    let paths = if paths.is_empty() {
        None
    } else {
        Some(globs(paths).map_err(|e| err(format!("allow: {e}")))?)
    };
    let secrets = secrets
        .iter()
        .map(|s| {
            compile_pattern(s).map_err(|e| err(format!("allow: invalid secret pattern {s:?}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RuleAllow {
        paths,
        secrets,
        stopwords: stopwords.iter().map(|s| s.to_ascii_lowercase()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_an_error_with_a_line() {
        let e = parse("c.yaml", "allow:\n  pathz: []\n").unwrap_err();
        assert_eq!(e.file, "c.yaml");
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.message.contains("pathz"), "{e}");
    }

    #[test]
    fn invalid_user_rule_names_line_and_id() {
        let text = "rules:\n  - id: my-rule\n    name: Mine\n    severity: high\n    keywords: [x]\n    pattern: '(unclosed'\n";
        let e = parse("c.yaml", text).unwrap_err();
        assert_eq!(e.rule_id.as_deref(), Some("my-rule"));
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("invalid pattern"), "{e}");
    }

    #[test]
    fn globs_match_at_any_depth_and_under_directories() {
        let g = globs(&["fixtures/".into(), "*.pem".into(), "docs/**".into()]).unwrap();
        assert!(g.is_match("tests/fixtures/a.txt"));
        assert!(g.is_match("a/b/key.pem"));
        assert!(g.is_match("docs/x/y.md"));
        assert!(!g.is_match("src/main.rs"));
    }
}
