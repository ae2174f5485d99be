//! Line and column arithmetic, done only for blobs that have findings.

use crate::finding::{Finding, fingerprint};
use crate::rules::RuleSpec;

/// Bytes of context kept either side of a secret on very long lines.
const CONTEXT_BYTES: usize = 160;

pub struct LineIndex {
    /// Offsets of every `\n`.
    newlines: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(data: &[u8]) -> LineIndex {
        LineIndex {
            newlines: memchr::memchr_iter(b'\n', data).collect(),
            len: data.len(),
        }
    }

    /// 0-based line holding `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&p| p < offset)
    }

    fn line_start(&self, line: usize) -> usize {
        if line == 0 {
            0
        } else {
            self.newlines[line - 1] + 1
        }
    }

    fn line_end(&self, line: usize) -> usize {
        self.newlines.get(line).copied().unwrap_or(self.len)
    }

    /// 1-based line and character column of a byte offset.
    pub fn line_col(&self, data: &[u8], offset: usize) -> (usize, usize) {
        let l = self.line_of(offset);
        (l + 1, column(data, self.line_start(l), offset))
    }

    pub fn line_start_of(&self, offset: usize) -> usize {
        self.line_start(self.line_of(offset))
    }

    pub fn finding(
        &self,
        spec: &RuleSpec,
        path: &str,
        data: &[u8],
        start: usize,
        end: usize,
    ) -> Finding {
        self.finding_for(spec.id(), &spec.name, spec.severity, path, data, start, end)
    }

    /// A finding of rule `id` for the bytes `start..end` of `data`.
    #[allow(clippy::too_many_arguments)]
    pub fn finding_for(
        &self,
        id: &str,
        name: &str,
        severity: crate::finding::Severity,
        path: &str,
        data: &[u8],
        start: usize,
        end: usize,
    ) -> Finding {
        let sl = self.line_of(start);
        // A match ending right after a newline ends on the line before it.
        let el = self.line_of(end.saturating_sub(1).max(start));
        let start_column = column(data, self.line_start(sl), start);
        let end_column = column(data, self.line_start(el), end);

        let mut cs = self.line_start(sl).max(start.saturating_sub(CONTEXT_BYTES));
        while cs < start && is_continuation(data[cs]) {
            cs += 1;
        }
        let mut line_end = self.line_end(el);
        if line_end > end && data[line_end - 1] == b'\r' {
            line_end -= 1;
        }
        let mut ce = line_end.max(end).min(end + CONTEXT_BYTES);
        while ce > end && ce < data.len() && is_continuation(data[ce]) {
            ce -= 1;
        }
        let before = String::from_utf8_lossy(&data[cs..start]);
        let secret = String::from_utf8_lossy(&data[start..end]);
        let after = String::from_utf8_lossy(&data[end..ce]);
        let span = (before.len(), before.len() + secret.len());
        let context = format!("{before}{secret}{after}");

        Finding {
            rule_id: id.to_string(),
            rule_name: name.to_string(),
            severity,
            path: path.to_string(),
            start_line: sl + 1,
            start_column,
            end_line: el + 1,
            end_column,
            fingerprint: fingerprint(id, path, &data[start..end]),
            secret: secret.into_owned(),
            context,
            context_span: span,
            context_first_line: sl + 1,
            line_hash: None,
            message: None,
            sensitive: true,
            origin: None,
        }
    }
}

fn is_continuation(b: u8) -> bool {
    b & 0b1100_0000 == 0b1000_0000
}

/// 1-based column of `offset` counted in characters from `line_start`.
fn column(data: &[u8], line_start: usize, offset: usize) -> usize {
    data[line_start..offset]
        .iter()
        .filter(|&&b| !is_continuation(b))
        .count()
        + 1
}
