//! Every built-in rule is checked against its own examples: each example must
//! produce a finding of that rule, each negative example must not, ids are
//! unique, patterns compile, and keywords are present where the prefilter
//! needs them.

use keywarden::engine::RuleSource;
use keywarden::engine::{Allowlist, Engine};
use keywarden::rules::{
    BUILTIN_RULE_FILES, RuleSpec, builtin_entries, builtin_specs, check_spec, parse_builtin_rule,
    parse_rule_file,
};
use std::collections::HashMap;

fn specs() -> Vec<RuleSpec> {
    builtin_specs().unwrap_or_else(|e| panic!("built-in rules do not load: {e}"))
}

/// A path the rule applies to, for path-scoped rules (`**/.npmrc` -> `.npmrc`).
fn example_path(spec: &RuleSpec) -> String {
    match spec.paths.first() {
        Some(g) => g
            .trim_start_matches("**/")
            .replace("**/", "")
            .replace('*', "example"),
        None => "example.txt".to_string(),
    }
}

#[test]
fn rule_files_parse_and_every_rule_is_valid() {
    let mut errors = Vec::new();
    for (file, text) in BUILTIN_RULE_FILES {
        match parse_rule_file(file, text) {
            Ok(specs) => {
                for s in &specs {
                    if let Err(e) = check_spec(file, s) {
                        errors.push(e.to_string());
                    }
                }
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    assert!(errors.is_empty(), "invalid rules:\n{}", errors.join("\n"));
}

#[test]
fn rule_ids_are_unique() {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for s in specs() {
        *seen.entry(s.id().to_string()).or_default() += 1;
    }
    let dups: Vec<_> = seen
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(id, _)| id)
        .collect();
    assert!(dups.is_empty(), "duplicate rule ids: {dups:?}");
}

#[test]
fn there_are_at_least_300_rules_each_documented_with_examples() {
    let specs = specs();
    assert!(specs.len() >= 300, "only {} rules", specs.len());
    let bad: Vec<_> = specs
        .iter()
        .filter(|s| {
            s.examples.is_empty() || s.description.trim().is_empty() || s.name.trim().is_empty()
        })
        .map(|s| s.id().to_string())
        .collect();
    assert!(
        bad.is_empty(),
        "rules without examples, name or description: {bad:?}"
    );
}

#[test]
fn keywords_cover_every_example() {
    let mut errors = Vec::new();
    for s in specs() {
        if s.keywords.is_empty() {
            errors.push(format!(
                "{}: no keywords (the rule would run on every file)",
                s.id()
            ));
            continue;
        }
        let kws: Vec<String> = s.keywords.iter().map(|k| k.to_ascii_lowercase()).collect();
        for ex in &s.examples {
            let lower = ex.to_ascii_lowercase();
            if !kws.iter().any(|k| lower.contains(k.as_str())) {
                errors.push(format!(
                    "{}: example has none of the keywords: {ex:?}",
                    s.id()
                ));
            }
        }
        for k in &kws {
            if !s
                .examples
                .iter()
                .any(|ex| ex.to_ascii_lowercase().contains(k.as_str()))
            {
                errors.push(format!("{}: keyword {k:?} occurs in no example", s.id()));
            }
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn examples_match_and_negative_examples_do_not() {
    // Each rule runs alone: when several rules match the same bytes the
    // scanner reports one of them, but every rule must match on its own.
    let specs = specs();
    let mut errors = Vec::new();
    for s in &specs {
        let engine =
            Engine::from_specs(vec![s.clone()], Allowlist::default(), &[]).expect("engine builds");
        let path = example_path(s);
        for ex in &s.examples {
            let found = engine.scan(&path, ex.as_bytes());
            if !found.iter().any(|f| f.rule_id == s.id()) {
                errors.push(format!("{}: example not found: {ex:?}", s.id()));
            }
        }
        for ex in &s.negative_examples {
            let found = engine.scan(&path, ex.as_bytes());
            if let Some(f) = found.iter().find(|f| f.rule_id == s.id()) {
                errors.push(format!(
                    "{}: negative example matched ({:?}): {ex:?}",
                    s.id(),
                    f.secret
                ));
            }
        }
    }
    assert!(
        errors.is_empty(),
        "{} problems:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

#[test]
fn start_up_index_agrees_with_the_full_parse() {
    let entries = builtin_entries();
    let specs = specs();
    assert_eq!(
        entries.len(),
        specs.len(),
        "the line scan and the YAML parse see different rule counts"
    );
    for (e, s) in entries.iter().zip(&specs) {
        assert_eq!(e.id, s.id(), "rule order or id differs");
        assert_eq!(e.keywords, s.keywords, "{}: keywords differ", s.id());
        // Each rule parsed alone from its own lines is the same rule.
        let RuleSource::Builtin { file, text, .. } = e.source else {
            panic!("{}: not built in", e.id)
        };
        let alone = parse_builtin_rule(file, text)
            .unwrap_or_else(|| panic!("{}: does not parse alone", e.id));
        assert_eq!(alone.id(), s.id());
        assert_eq!(alone.pattern, s.pattern, "{}", s.id());
        assert_eq!(alone.keywords, s.keywords, "{}", s.id());
        assert_eq!(alone.severity, s.severity, "{}", s.id());
        assert_eq!(alone.window, s.window, "{}", s.id());
        assert_eq!(alone.allow, s.allow, "{}", s.id());
        assert_eq!(alone.paths, s.paths, "{}", s.id());
        assert_eq!(alone.examples, s.examples, "{}", s.id());
        assert_eq!(alone.negative_examples, s.negative_examples, "{}", s.id());
        assert_eq!(alone.description, s.description, "{}", s.id());
    }
}
