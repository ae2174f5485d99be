//! Suppression: inline allow comments and baselines. Config allowlists live
//! in the engine (`engine::Allowlist`) because they act before a finding
//! exists.

mod baseline;

pub use baseline::{Baseline, BaselineError};

/// Markers that suppress findings on their line (or the next one). Besides
/// our own, those of gitleaks and detect-secrets, so that teams switching
/// tools do not have to edit every marker.
const MARKERS: &[&[u8]] = &[
    b"keywarden:allow",
    b"gitleaks:allow",
    b"pragma: allowlist secret",
    // Seen in Helm values files in the wild (`password: x  # nosecret`).
    b"# nosecret",
];

/// Comment leaders for "allow the next line" markers standing on their own line.
const COMMENT_LEADERS: &[&[u8]] = &[
    b"#", b"//", b"--", b";", b"/*", b"*", b"<!--", b"%", b"'", b"{{/*",
];

/// True if the line starting at `line_start` carries a marker, or the line
/// above it is a comment carrying one. A marker at the end of a line of code
/// only covers that line, so it cannot hide a secret added below it later.
pub fn inline_allowed(data: &[u8], line_start: usize) -> bool {
    let line_end =
        memchr::memchr(b'\n', &data[line_start..]).map_or(data.len(), |p| line_start + p);
    if has_marker(&data[line_start..line_end]) {
        return true;
    }
    if line_start == 0 {
        return false;
    }
    let prev_end = line_start - 1;
    let prev_start = memchr::memrchr(b'\n', &data[..prev_end]).map_or(0, |p| p + 1);
    let prev = data[prev_start..prev_end].trim_ascii();
    COMMENT_LEADERS.iter().any(|c| prev.starts_with(c)) && has_marker(prev)
}

fn has_marker(line: &[u8]) -> bool {
    MARKERS
        .iter()
        .any(|m| memchr::memmem::find(line, m).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_line_marker() {
        let d = b"a\ntoken = 'x' # keywarden:allow\nb";
        assert!(inline_allowed(d, 2));
        assert!(!inline_allowed(d, 32));
    }

    #[test]
    fn comment_line_above_covers_next_line_only() {
        let d = b"// gitleaks:allow\nsecret\nsecret2";
        assert!(inline_allowed(d, 18));
        assert!(!inline_allowed(d, 25));
        let code_above = b"x = 1 # keywarden:allow\nsecret";
        assert!(!inline_allowed(code_above, 24));
    }
}
