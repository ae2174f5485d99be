//! The JSON report: one versioned document (schema in docs/json-format.md).

use super::{ReportContext, severity_counts};
use crate::finding::Origin;
use serde_json::{Map, Value, json};
use std::io::{self, Write};

/// Bumped on any incompatible change to the document's shape.
pub const JSON_VERSION: u32 = 1;

pub fn write(ctx: &ReportContext<'_>, out: &mut dyn Write) -> io::Result<()> {
    let o = ctx.outcome;
    let findings: Vec<Value> = o
        .findings
        .iter()
        .map(|f| {
            let mut m = Map::new();
            m.insert("rule_id".into(), json!(f.rule_id));
            m.insert("rule_name".into(), json!(f.rule_name));
            m.insert("severity".into(), json!(f.severity));
            m.insert("path".into(), json!(f.path));
            m.insert("start_line".into(), json!(f.start_line));
            m.insert("start_column".into(), json!(f.start_column));
            m.insert("end_line".into(), json!(f.end_line));
            m.insert("end_column".into(), json!(f.end_column));
            m.insert("fingerprint".into(), json!(f.fingerprint));
            if let Some(msg) = &f.message {
                m.insert("message".into(), json!(msg));
            }
            m.insert("redacted".into(), json!(ctx.shown_secret(f)));
            if ctx.show_secrets {
                m.insert("secret".into(), json!(f.secret));
            }
            if let Some(o) = &f.origin {
                m.insert("origin".into(), origin(o, &f.path));
            }
            Value::Object(m)
        })
        .collect();
    let by_severity: Map<String, Value> = severity_counts(&o.findings)
        .into_iter()
        .map(|(s, n)| (s.to_string(), json!(n)))
        .collect();
    let mut doc = json!({
        "version": JSON_VERSION,
        "tool": { "name": "keywarden", "version": env!("CARGO_PKG_VERSION") },
        "summary": {
            "files": o.files,
            "bytes": o.bytes,
            "findings": o.findings.len(),
            "by_severity": by_severity,
            "baselined": o.baselined,
            "elapsed_ms": o.elapsed.as_millis() as u64,
        },
        "findings": findings,
    });
    if let Some(g) = &o.git {
        doc["summary"]["commits"] = json!(g.commits);
        doc["git"] = json!({
            "revision": g.revision,
            "branch": g.branch,
            "repository_uri": g.repository_uri,
            "truncated": g.truncated,
        });
    }
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// Where a git finding came from: the commit that introduced its blob at its path.
fn origin(o: &Origin, path: &str) -> Value {
    json!({
        "commit": o.commit,
        "author_name": o.author_name,
        "author_email": o.author_email,
        "date": o.date,
        "path": path,
    })
}
