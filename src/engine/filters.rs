//! Filters on a captured secret: entropy and the placeholder list. Cheap,
//! pure checks that keep templates, references and dummy values out of the
//! report.

use aho_corasick::AhoCorasick;
use std::sync::OnceLock;

/// Shannon entropy of `s` in bits per byte (0.0 for an empty slice).
pub fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Substrings that mark a value as a mask, for every rule.
const MASKS: &[&str] = &["xxxx", "****", "....", "\u{2022}\u{2022}"];

/// Template and substitution syntaxes, as (opening, closing): `${VAR}`,
/// `$(VAR)` (Kubernetes), `{{ .Values.x }}` (Helm/Go), `<%= x %>` (ERB),
/// `%(x)s` (Python), `#{x}` (Ruby). A value holds a template only if an
/// opening is later closed, so a random key that happens to contain `%(` or
/// `$(` (Django keys draw from those characters) is still a secret.
const TEMPLATES: &[(&str, &str)] = &[
    ("${", "}"),
    ("$(", ")"),
    ("{{", "}}"),
    ("<%", "%>"),
    ("%(", ")"),
    ("#{", "}"),
];

/// True if `s` holds a template: an opening followed by a name-like body and its closing.
fn has_template(s: &[u8]) -> bool {
    TEMPLATES.iter().any(|(open, close)| {
        let mut from = 0;
        while let Some(i) = memchr::memmem::find(&s[from..], open.as_bytes()) {
            let body_start = from + i + open.len();
            if let Some(j) = memchr::memmem::find(&s[body_start..], close.as_bytes()) {
                let body = &s[body_start..body_start + j];
                // Template bodies are expressions or names, not random punctuation.
                if body
                    .iter()
                    .any(|b| b.is_ascii_alphabetic() || *b == b'.' || *b == b' ')
                    && body
                        .iter()
                        .all(|b| b.is_ascii_alphanumeric() || b"_.-: |\"'()[]$=/,".contains(b))
                {
                    return true;
                }
            }
            from = body_start;
        }
        false
    })
}

/// Words that mark a value of a generic assignment as a placeholder.
const GENERIC_PLACEHOLDER_WORDS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "example",
    "placeholder",
    "dummy",
    "sample",
    "redacted",
    "your_",
    "your-",
    "yourpass",
    "yoursecret",
    "yourtoken",
    "todo",
    "fixme",
    "replace",
    "insert",
    "secret_here",
    "password_here",
    "token_here",
    "notasecret",
    "not_a_secret",
    "not-a-secret",
];

/// Whole values that are never a real secret in a generic assignment.
const GENERIC_PLACEHOLDER_VALUES: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "none",
    "null",
    "nil",
    "true",
    "false",
    "undefined",
    "empty",
    "test",
    "string",
    "value",
    "default",
    "required",
    "optional",
    "disabled",
    "enabled",
    "unknown",
    "hidden",
    "masked",
    "pass",
    "pwd",
];

/// Whole values that documentation and tests use in place of a secret, for
/// every rule (`mysql://user:password@host`, `ftp://foo:bar@…`).
const DUMMY_VALUES: &[&str] = &[
    "password", "passwd", "pass", "pwd", "pw", "secret", "changeme", "test", "testing", "example",
    "foo", "bar", "baz", "qux", "foobar", "abc", "xyz", "user", "username", "admin", "root",
    "guest", "dummy", "fake", "none", "null", "123", "1234", "12345", "123456", "x", "p",
];

static MASK_SEARCH: OnceLock<Option<AhoCorasick>> = OnceLock::new();
static WORD_SEARCH: OnceLock<Option<AhoCorasick>> = OnceLock::new();

/// True if `hay` contains one of `words`, with one automaton per list built
/// on first use: this runs for every candidate secret, and a substring
/// searcher per word and call cost more than the rest of the filter.
fn contains_any(cell: &'static OnceLock<Option<AhoCorasick>>, words: &[&str], hay: &[u8]) -> bool {
    match cell.get_or_init(|| AhoCorasick::new(words).ok()) {
        Some(ac) => ac.is_match(hay),
        // Unreachable for these constant lists; same answer, slower.
        None => words
            .iter()
            .any(|w| memchr::memmem::find(hay, w.as_bytes()).is_some()),
    }
}

/// True if `secret` is a placeholder, template or mask rather than a value.
pub fn is_placeholder(secret: &[u8], generic: bool) -> bool {
    let lower = secret.to_ascii_lowercase();
    if DUMMY_VALUES.iter().any(|v| lower == v.as_bytes()) {
        return true;
    }
    // `{password}` (format strings), `[password]` (syntax in docs), `(...)`.
    if let (Some(&first), Some(&last)) = (secret.first(), secret.last())
        && (matches!((first, last), (b'{', b'}') | (b'[', b']') | (b'(', b')')) || first == b'[')
    {
        return true;
    }
    if contains_any(&MASK_SEARCH, MASKS, &lower) || has_template(secret) {
        return true;
    }
    if secret.len() >= 2 && (secret[0] == b'<' || secret[secret.len() - 1] == b'>') {
        return true;
    }
    // Letters and digits from at most two distinct characters: `aaaaaaaa`, `00000000`, `abababab`.
    let mut seen = [false; 256];
    let mut distinct = 0;
    let mut alnum = 0;
    for &b in &lower {
        if b.is_ascii_alphanumeric() {
            alnum += 1;
            if !seen[b as usize] {
                seen[b as usize] = true;
                distinct += 1;
            }
        }
    }
    if alnum >= 6 && distinct <= 2 {
        return true;
    }
    if !generic {
        return false;
    }
    if contains_any(&WORD_SEARCH, GENERIC_PLACEHOLDER_WORDS, &lower) {
        return true;
    }
    let trimmed = lower.trim_ascii();
    if GENERIC_PLACEHOLDER_VALUES
        .iter()
        .any(|v| trimmed == v.as_bytes())
    {
        return true;
    }
    matches!(secret.first(), Some(b'$' | b'%'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_uniform_and_constant_strings() {
        assert_eq!(entropy(b""), 0.0);
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"0123456789abcdef") - 4.0).abs() < 1e-9);
    }

    #[test]
    fn templates_and_references_are_placeholders_for_every_rule() {
        for s in [
            "$(DB_PASSWORD)",
            "${DB_PASSWORD}",
            "{{ .Values.db.password }}",
            "<password>",
            "xxxxxxxx",
            "********",
            "00000000",
        ] {
            assert!(is_placeholder(s.as_bytes(), false), "{s}");
        }
        assert!(!is_placeholder(b"s3cr3t-Pa55w0rd", false));
        assert!(!is_placeholder(b"s3cret", false));
        // Random keys may contain template openers without being templates.
        assert!(!is_placeholder(b"k9%(x!2p$(q8&=w", false));
        assert!(is_placeholder(b"%(password)s", false));
        assert!(is_placeholder(b"<%= ENV['DB_PASSWORD'] %>", false));
        assert!(is_placeholder(b"prefix-${SUFFIX}", false));
        for s in ["password", "Foo", "{password}", "[password", "admin"] {
            assert!(is_placeholder(s.as_bytes(), false), "{s}");
        }
    }

    #[test]
    fn placeholder_words_only_for_generic_rules() {
        assert!(is_placeholder(b"changeme", true));
        assert!(is_placeholder(b"your_api_key_here", true));
        assert!(is_placeholder(b"$SECRET", true));
        assert!(!is_placeholder(b"AKIAIOSFODNN7EXAMPLE", false));
        assert!(!is_placeholder(b"hunter2-but-longer", true));
    }
}
