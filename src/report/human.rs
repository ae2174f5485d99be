//! Human-readable diagnostics rendered by miette: the source line with the
//! secret redacted and underlined, the rule, and what to do about it.

use super::{ReportContext, first_sentence, severity_counts};
use crate::finding::{Finding, Severity};
use crate::rules::RuleSpec;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::io::{self, Write};

pub fn write(ctx: &ReportContext<'_>, out: &mut dyn Write) -> io::Result<()> {
    write_findings(ctx, out)?;
    writeln!(out, "{}", summary_line(ctx))
}

pub fn write_findings(ctx: &ReportContext<'_>, out: &mut dyn Write) -> io::Result<()> {
    let theme = if ctx.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(ctx.width)
        .with_links(false);
    for f in &ctx.outcome.findings {
        let diag = FindingDiagnostic::new(ctx, f, (ctx.rule)(&f.rule_id));
        let mut rendered = String::new();
        if handler.render_report(&mut rendered, &diag).is_err() {
            // Rendering cannot fail on our own data; fall back to one plain line anyway.
            rendered = format!(
                "{}:{}:{}: {} [{}]\n",
                f.path, f.start_line, f.start_column, f.rule_name, f.rule_id
            );
        }
        if let Some(line) = origin_line(f) {
            // miette's report ends with a newline; the origin goes right under it.
            writeln!(out, "{}\n  {line}", rendered.trim_end())?;
            writeln!(out)?;
        } else {
            writeln!(out, "{rendered}")?;
        }
    }
    Ok(())
}

/// `introduced in abc1234 by Name <email> on 2024-05-01`, for git findings.
pub fn origin_line(f: &Finding) -> Option<String> {
    let o = f.origin.as_ref()?;
    let short = o.commit.get(..7).unwrap_or(&o.commit);
    let day = o.date.get(..10).unwrap_or(&o.date);
    Some(format!(
        "introduced in {short} by {} <{}> on {day}",
        o.author_name, o.author_email
    ))
}

/// `12 files (34.5 KB) scanned in 0.01s: 2 findings (1 critical, 1 high)`.
pub fn summary_line(ctx: &ReportContext<'_>) -> String {
    let o = ctx.outcome;
    let (one, many) = if o.git.is_some() {
        ("blob", "blobs")
    } else {
        ("file", "files")
    };
    let files = if o.files == 1 { one } else { many };
    let commits = match &o.git {
        Some(g) if g.commits > 0 => format!(
            " from {} commit{}",
            g.commits,
            if g.commits == 1 { "" } else { "s" }
        ),
        _ => String::new(),
    };
    let mut s = format!(
        "keywarden: {} {files} ({}){commits} scanned in {:.2}s: ",
        o.files,
        human_bytes(o.bytes),
        o.elapsed.as_secs_f64()
    );
    let n = o.findings.len();
    if n == 0 {
        s.push_str("no findings");
    } else {
        let parts: Vec<String> = severity_counts(&o.findings)
            .iter()
            .map(|(sev, c)| format!("{c} {sev}"))
            .collect();
        s.push_str(&format!(
            "{n} finding{} ({})",
            if n == 1 { "" } else { "s" },
            parts.join(", ")
        ));
    }
    if o.baselined > 0 {
        s.push_str(&format!("; {} in the baseline", o.baselined));
    }
    s
}

fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

struct FindingDiagnostic {
    message: String,
    code: String,
    severity: miette::Severity,
    help: String,
    label: String,
    source: Snippet,
    span: SourceSpan,
}

impl FindingDiagnostic {
    fn new(ctx: &ReportContext<'_>, f: &Finding, spec: Option<&RuleSpec>) -> FindingDiagnostic {
        let shown = ctx.shown_secret(f);
        let (s, e) = f.context_span;
        let text = format!("{}{}{}", &f.context[..s], shown, &f.context[e..]);
        let span = SourceSpan::new(s.into(), shown.len());
        let help = spec
            .map_or("Remove the secret and rotate it.", |r| {
                first_sentence(r.remediation())
            })
            .to_string();
        FindingDiagnostic {
            message: super::message(f),
            code: format!("{} ({})", f.rule_id, f.severity),
            severity: match f.severity {
                Severity::Critical | Severity::High => miette::Severity::Error,
                Severity::Medium | Severity::Low => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            },
            help,
            label: format!(
                "{} {}",
                f.severity,
                if !f.sensitive {
                    "setting"
                } else if f.end_line > f.start_line {
                    "secret (multi-line)"
                } else {
                    "secret"
                }
            ),
            source: Snippet {
                name: f.path.clone(),
                text,
                first_line: f.context_first_line,
                primary: (s, shown.len(), f.start_line, f.start_column),
            },
            span,
        }
    }
}

impl fmt::Debug for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic {}

impl Diagnostic for FindingDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(self.label.clone()), self.span),
        )))
    }
}

/// The lines around a finding, standing in for the whole file: line numbers
/// are shifted to where the snippet really starts, and the secret's own
/// position (for the `path:line:col` header) is the finding's.
struct Snippet {
    name: String,
    text: String,
    first_line: usize,
    /// (offset, length, line, column) of the secret.
    primary: (usize, usize, usize, usize),
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        let (off, len, line, col) = self.primary;
        let (line0, col0) =
            if span.offset() == off && span.len() == len && before == 0 && after == 0 {
                (line - 1, col - 1)
            } else {
                (inner.line() + self.first_line - 1, inner.column())
            };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            line0,
            col0,
            inner.line_count(),
        )))
    }
}
