//! SARIF 2.1.0 for GitHub code scanning (what GitHub reads is listed in
//! ../shared/sarif/GITHUB.md). Built with `serde_json` rather than a SARIF
//! crate: we emit a small, fixed subset, and the schema test guards it.

use super::{ReportContext, first_sentence};
use crate::finding::{Finding, Severity};
use crate::git::GitInfo;
use crate::rules::RuleSpec;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{self, Write};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// GitHub rejects longer descriptions.
const MAX_DESCRIPTION: usize = 1024;

pub fn write(ctx: &ReportContext<'_>, out: &mut dyn Write) -> io::Result<()> {
    // Rule descriptors for every rule with a result, in id order.
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &ctx.outcome.findings {
        index.insert(&f.rule_id, 0);
    }
    let ids: Vec<&str> = index.keys().copied().collect();
    for (i, id) in ids.iter().enumerate() {
        index.insert(id, i);
    }
    let rules: Vec<Value> = ids
        .iter()
        .map(|id| {
            let sample = ctx.outcome.findings.iter().find(|f| f.rule_id == *id);
            descriptor(id, (ctx.rule)(id), sample)
        })
        .collect();
    let results: Vec<Value> = ctx
        .outcome
        .findings
        .iter()
        .map(|f| result(ctx, f, index[f.rule_id.as_str()]))
        .collect();
    let mut doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "keywarden",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The repository root." } } },
            "results": results,
        }],
    });
    // Files that could not be read as YAML: not results, but worth knowing.
    let notes: Vec<Value> = ctx
        .outcome
        .notifications
        .iter()
        .map(|n| {
            json!({
                "level": "warning",
                "message": { "text": n.message },
                "locations": [{ "physicalLocation": {
                    "artifactLocation": { "uri": encode_uri_path(&n.path), "uriBaseId": "%SRCROOT%" },
                    "region": { "startLine": n.line.max(1), "startColumn": n.column.max(1) },
                }}],
            })
        })
        .collect();
    doc["runs"][0]["invocations"] = json!([{
        "executionSuccessful": true,
        "toolExecutionNotifications": notes,
    }]);
    if let Some(p) = ctx.outcome.git.as_ref().and_then(provenance) {
        doc["runs"][0]["versionControlProvenance"] = json!([p]);
    }
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

fn descriptor(id: &str, spec: Option<&RuleSpec>, sample: Option<&Finding>) -> Value {
    let name = spec
        .map(|s| s.name.clone())
        .or_else(|| sample.map(|f| f.rule_name.clone()))
        .unwrap_or_else(|| id.to_string());
    let severity = spec
        .map(|s| s.severity)
        .or_else(|| sample.map(|f| f.severity))
        .unwrap_or(Severity::Medium);
    let description = spec
        .map(|s| s.description.trim().to_string())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| name.clone());
    let remediation = spec.map_or("Remove the secret and rotate it.", RuleSpec::remediation);
    let mut markdown = format!("**{name}**\n\n{description}\n\n**How to fix:** {remediation}\n");
    let references = spec.map(|s| s.references.as_slice()).unwrap_or_default();
    if !references.is_empty() {
        markdown.push_str("\n**References:**\n");
        for r in references {
            markdown.push_str(&format!("- <{r}>\n"));
        }
    }
    let mut tags = vec!["security".to_string(), "secret".to_string()];
    if let Some(s) = spec {
        for t in &s.tags {
            if !tags.contains(t) {
                tags.push(t.clone());
            }
        }
    }
    tags.truncate(10);
    let precision = match spec {
        Some(s) if s.validate.is_some() => "very-high",
        Some(s) if s.generic => "medium",
        _ => "high",
    };
    json!({
        "id": id,
        "name": pascal_case(id),
        "shortDescription": { "text": truncate(&name, MAX_DESCRIPTION) },
        "fullDescription": { "text": truncate(&description, MAX_DESCRIPTION) },
        "defaultConfiguration": { "level": level(severity) },
        "help": { "text": format!("{description}\n\nHow to fix: {remediation}"), "markdown": markdown },
        "properties": {
            "tags": tags,
            "precision": precision,
            "security-severity": severity.security_severity(),
        },
    })
}

fn result(ctx: &ReportContext<'_>, f: &Finding, rule_index: usize) -> Value {
    let shown = ctx.shown_secret(f);
    let remedy = first_sentence(
        (ctx.rule)(&f.rule_id).map_or("Remove it and rotate it.", RuleSpec::remediation),
    );
    let text = match &f.message {
        Some(m) => format!("{m}. {remedy}"),
        None => format!("{} found: {shown}. {remedy}", f.rule_name),
    };
    json!({
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": text },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": encode_uri_path(&f.path), "uriBaseId": "%SRCROOT%" },
                "region": {
                    "startLine": f.start_line,
                    "startColumn": f.start_column,
                    "endLine": f.end_line,
                    "endColumn": f.end_column,
                },
            },
        }],
        "partialFingerprints": partial_fingerprints(f),
        "properties": properties(f),
    })
}

/// The severity, and for git findings the commit that introduced the secret.
fn properties(f: &Finding) -> Value {
    let mut p = json!({ "severity": f.severity });
    if let Some(o) = &f.origin {
        p["commit"] = json!(o.commit);
        p["author_name"] = json!(o.author_name);
        p["author_email"] = json!(o.author_email);
        p["date"] = json!(o.date);
        p["path"] = json!(f.path);
    }
    p
}

/// `versionControlDetails` requires `repositoryUri`: without a remote URL
/// in the repository's configuration there is nothing to say.
fn provenance(g: &GitInfo) -> Option<Value> {
    let uri = g.repository_uri.as_ref()?;
    let mut v = json!({ "repositoryUri": uri });
    if let Some(r) = &g.revision {
        v["revisionId"] = json!(r);
    }
    if let Some(b) = &g.branch {
        v["branch"] = json!(b);
    }
    Some(v)
}

/// Our own line-independent fingerprint, and GitHub's line hash computed the
/// way upload-sarif computes it (so both agree, and API uploads get it too).
fn partial_fingerprints(f: &Finding) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("keywarden/v1".into(), json!(f.fingerprint));
    if let Some(h) = &f.line_hash {
        m.insert("primaryLocationLineHash".into(), json!(h));
    }
    Value::Object(m)
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "note",
    }
}

fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max - 3;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// Percent-encodes a relative path for a URI, keeping `/` as the separator.
pub fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_paths_are_percent_encoded() {
        assert_eq!(encode_uri_path("a dir/é.txt"), "a%20dir/%C3%A9.txt");
        assert_eq!(pascal_case("github-pat-classic"), "GithubPatClassic");
    }
}
