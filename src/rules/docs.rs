//! Rule documentation printed by `keywarden rules [ID]`, generated from the
//! same YAML the engine runs, so docs cannot drift from behaviour.

use super::RuleSpec;
use serde_json::json;
use std::io::{self, Write};

/// One line per rule: id, severity, name.
pub fn write_list<'a>(
    specs: impl Iterator<Item = &'a RuleSpec>,
    as_json: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    if as_json {
        let list: Vec<_> = specs.map(summary_json).collect();
        serde_json::to_writer_pretty(&mut *out, &list)?;
        return writeln!(out);
    }
    for s in specs {
        writeln!(out, "{:<44} {:<8} {}", s.id(), s.severity, s.name)?;
    }
    Ok(())
}

fn summary_json(s: &RuleSpec) -> serde_json::Value {
    json!({
        "id": s.id(),
        "name": s.name,
        "severity": s.severity,
        "tags": s.tags,
        "keywords": s.keywords,
        "generic": s.generic,
        "kind": if s.policy.is_some() { "policy" } else { "credential" },
        "code": s.policy,
    })
}

/// Everything about one rule: what it finds, why it matters, how to fix,
/// references and examples.
pub fn write_rule(s: &RuleSpec, as_json: bool, out: &mut dyn Write) -> io::Result<()> {
    if as_json {
        let mut v = summary_json(s);
        v["description"] = json!(s.description.trim());
        v["remediation"] = json!(s.remediation());
        v["references"] = json!(s.references);
        v["pattern"] = json!(s.pattern);
        v["examples"] = json!(s.examples);
        v["negative_examples"] = json!(s.negative_examples);
        serde_json::to_writer_pretty(&mut *out, &v)?;
        return writeln!(out);
    }
    if s.policy.is_some() {
        return write_check(s, out);
    }
    writeln!(out, "{} — {}", s.id(), s.name)?;
    writeln!(out, "severity: {}", s.severity)?;
    if !s.tags.is_empty() {
        writeln!(out, "tags: {}", s.tags.join(", "))?;
    }
    if !s.keywords.is_empty() {
        writeln!(out, "keywords: {}", s.keywords.join(", "))?;
    }
    if !s.paths.is_empty() {
        writeln!(out, "only in: {}", s.paths.join(", "))?;
    }
    writeln!(out, "\nWhat it finds\n  {}", wrap(s.description.trim()))?;
    writeln!(out, "\nHow to fix\n  {}", wrap(s.remediation().trim()))?;
    if !s.references.is_empty() {
        writeln!(out, "\nReferences")?;
        for r in &s.references {
            writeln!(out, "  - {r}")?;
        }
    }
    writeln!(out, "\nPattern\n  {}", s.pattern)?;
    if !s.examples.is_empty() {
        writeln!(out, "\nExamples (fake values)")?;
        for e in &s.examples {
            writeln!(out, "  {}", e.trim_end().replace('\n', "\n  "))?;
        }
    }
    if !s.negative_examples.is_empty() {
        writeln!(out, "\nNot reported")?;
        for e in &s.negative_examples {
            writeln!(out, "  {}", e.trim_end().replace('\n', "\n  "))?;
        }
    }
    Ok(())
}

/// A policy check, in the shape of ruff's rule pages: what it does, why it
/// is bad, an example, and what to use instead.
fn write_check(s: &RuleSpec, out: &mut dyn Write) -> io::Result<()> {
    let code = s.policy.as_deref().unwrap_or_default();
    writeln!(out, "{} ({code}) — {}", s.id(), s.name)?;
    writeln!(out, "severity: {} · policy check", s.severity)?;
    if s.tags.iter().any(|t| t == "off-by-default") {
        writeln!(
            out,
            "off by default: enable with `policy: {{ checks: {{ {}: {{ enabled: true }} }} }}`",
            s.id()
        )?;
    }
    let (what, why) = s
        .description
        .split_once("\n\nWhy is this bad? ")
        .unwrap_or((s.description.as_str(), ""));
    writeln!(out, "\nWhat it does\n  {}", wrap(what.trim()))?;
    if !why.is_empty() {
        writeln!(out, "\nWhy is this bad?\n  {}", wrap(why.trim()))?;
    }
    for (title, blocks) in [
        ("Example", &s.examples),
        ("Use instead", &s.negative_examples),
    ] {
        for e in blocks.iter() {
            writeln!(out, "\n{title}\n  {}", e.trim_end().replace('\n', "\n  "))?;
        }
    }
    writeln!(out, "\nHow to fix\n  {}", wrap(s.remediation().trim()))?;
    if !s.references.is_empty() {
        writeln!(out, "\nReferences")?;
        for r in &s.references {
            writeln!(out, "  - {r}")?;
        }
    }
    Ok(())
}

/// Wraps prose at about 88 columns with a two-space indent.
fn wrap(text: &str) -> String {
    let mut out = String::new();
    let mut col = 0;
    for word in text.split_whitespace() {
        if col > 0 && col + word.len() > 86 {
            out.push_str("\n  ");
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += word.len();
    }
    out
}
