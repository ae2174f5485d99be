//! GitHub Actions workflow commands: one `::error` (or `::warning`/`::notice`)
//! annotation per finding, pointing at its exact span.

use super::ReportContext;
use crate::finding::Severity;
use std::io::{self, Write};

pub fn write(ctx: &ReportContext<'_>, out: &mut dyn Write) -> io::Result<()> {
    for f in &ctx.outcome.findings {
        let level = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium | Severity::Low => "warning",
            Severity::Info => "notice",
        };
        let title = format!("{} ({})", f.rule_name, f.rule_id);
        let message = match &f.message {
            Some(m) => format!("{m} [{} severity]", f.severity),
            None => format!(
                "{}: {} [{} severity]",
                f.rule_name,
                ctx.shown_secret(f),
                f.severity
            ),
        };
        writeln!(
            out,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&f.path),
            f.start_line,
            f.start_column,
            f.end_line,
            f.end_column,
            escape_property(&title),
            escape_data(&message),
        )?;
    }
    Ok(())
}

/// Escaping for the message part of a workflow command.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping for a property value (also `:` and `,`, which delimit properties).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn properties_escape_delimiters() {
        assert_eq!(super::escape_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
    }
}
