//! Span-exact YAML for the policy checks: documents loaded with saphyr
//! (alias expansion capped against alias bombs, duplicate keys tolerated as
//! Helm does), mappings read with `<<` merge keys applied, and saphyr's
//! character-based positions turned into byte offsets.

use saphyr::{MarkedYaml, Scalar, ScanError, YamlData, YamlLoader};
use saphyr_parser::{Marker, Parser, ScalarStyle};

pub type Node<'a> = MarkedYaml<'a>;

/// A document that does not parse, with its 1-based position.
#[derive(Debug, Clone)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parses every document of `text`.
pub fn load(text: &str) -> Result<Vec<Node<'_>>, ParseError> {
    let mut parser = Parser::new_from_str(text);
    let mut loader: YamlLoader<'_, Node<'_>> = YamlLoader::default();
    loader.allow_duplicate_keys(true);
    // Real values files never need more; an alias bomb stops here.
    loader.alias_limit(50_000);
    let err = |e: &ScanError| ParseError {
        line: e.marker().line(),
        column: e.marker().col() + 1,
        message: e.info().to_string(),
    };
    if let Err(e) = parser.load(&mut loader, true) {
        return Err(err(&e));
    }
    if let Some(e) = loader.error() {
        return Err(err(e));
    }
    Ok(loader.into_documents())
}

/// Byte offsets of a text's lines, to turn saphyr markers (1-based line,
/// 0-based character column) into byte offsets.
pub struct Positions<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Positions { text, line_starts }
    }

    /// Byte offset of a marker.
    pub fn offset(&self, m: &Marker) -> usize {
        let Some(&start) = self.line_starts.get(m.line().saturating_sub(1)) else {
            return self.text.len();
        };
        let line = &self.text[start..];
        start
            + line
                .char_indices()
                .nth(m.col())
                .map_or(line.len(), |(i, _)| i)
    }

    /// The byte range of a scalar's value: quotes excluded, and only the
    /// first line of a multi-line scalar.
    pub fn value_span(&self, node: &Node<'_>) -> (usize, usize) {
        let start = self.offset(&node.span.start);
        let mut end = self.offset(&node.span.end).max(start);
        let raw = &self.text[start..end];
        if let Some(nl) = raw.find('\n') {
            end = start + nl;
        }
        let raw = &self.text[start..end];
        let mut s = start;
        if let Some(q) = raw.chars().next().filter(|c| *c == '"' || *c == '\'') {
            if let Some(close) = closing_quote(&raw[1..], q) {
                return (start + 1, start + 1 + close);
            }
            s += 1;
        }
        // Trailing spaces before a comment are not part of a plain scalar.
        while end > s && self.text.as_bytes()[end - 1] == b' ' {
            end -= 1;
        }
        (s, end.max(s))
    }
}

/// Offset of the quote that closes a quoted scalar (`\"` escapes in
/// double quotes, `''` in single quotes).
fn closing_quote(rest: &str, q: char) -> Option<usize> {
    let b = rest.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if q == '"' => i += 2,
            b'\'' if q == '\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == q as u8 => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// A scalar's value as text: strings as they are, numbers and booleans as
/// written; `None` for null, mappings and sequences.
pub fn scalar_text<'n>(node: &'n Node<'_>) -> Option<std::borrow::Cow<'n, str>> {
    match &node.data {
        YamlData::Value(Scalar::String(s)) => Some(std::borrow::Cow::Borrowed(s.as_ref())),
        YamlData::Value(Scalar::Integer(i)) => Some(i.to_string().into()),
        YamlData::Value(Scalar::FloatingPoint(f)) => Some(f.to_string().into()),
        YamlData::Value(Scalar::Boolean(b)) => Some(b.to_string().into()),
        YamlData::Representation(s, ScalarStyle::Plain, _) => Some(std::borrow::Cow::Borrowed(s)),
        YamlData::Representation(s, _, _) => Some(std::borrow::Cow::Borrowed(s)),
        _ => None,
    }
}

/// True for null and for empty or blank strings.
pub fn is_empty(node: &Node<'_>) -> bool {
    match &node.data {
        YamlData::Value(Scalar::Null) => true,
        YamlData::Value(Scalar::String(s)) => s.trim().is_empty(),
        YamlData::Mapping(m) => m.is_empty(),
        YamlData::Sequence(s) => s.is_empty(),
        _ => false,
    }
}

pub fn as_bool(node: &Node<'_>) -> Option<bool> {
    match &node.data {
        YamlData::Value(Scalar::Boolean(b)) => Some(*b),
        YamlData::Value(Scalar::String(s)) => match s.as_ref() {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

pub fn is_mapping(node: &Node<'_>) -> bool {
    matches!(node.data, YamlData::Mapping(_))
}

pub fn sequence<'n, 'a>(node: &'n Node<'a>) -> Option<&'n [Node<'a>]> {
    match &node.data {
        YamlData::Sequence(s) => Some(s),
        _ => None,
    }
}

/// A mapping's entries with string keys, `<<` merge keys applied (the
/// mapping's own keys win over merged ones, earlier merges over later).
pub fn entries<'n, 'a>(node: &'n Node<'a>) -> Vec<(&'n str, &'n Node<'a>)> {
    let YamlData::Mapping(map) = &node.data else {
        return Vec::new();
    };
    let mut own: Vec<(&'n str, &'n Node<'a>)> = Vec::with_capacity(map.len());
    let mut merged: Vec<(&'n str, &'n Node<'a>)> = Vec::new();
    for (k, v) in map {
        let Some(key) = key_text(k) else { continue };
        if key == "<<" {
            let sources: Vec<&Node<'a>> = match &v.data {
                YamlData::Sequence(s) => s.iter().collect(),
                _ => vec![v],
            };
            for src in sources {
                for (mk, mv) in entries(src) {
                    if !merged.iter().any(|(k, _)| *k == mk) {
                        merged.push((mk, mv));
                    }
                }
            }
        } else {
            own.push((key, v));
        }
    }
    for (k, v) in merged {
        if !own.iter().any(|(ok, _)| *ok == k) {
            own.push((k, v));
        }
    }
    own
}

fn key_text<'n>(k: &'n Node<'_>) -> Option<&'n str> {
    match &k.data {
        YamlData::Value(Scalar::String(s)) => Some(s.as_ref()),
        YamlData::Representation(s, _, _) => Some(s.as_ref()),
        _ => None,
    }
}

/// The value of `key` in a mapping.
pub fn get<'n, 'a>(node: &'n Node<'a>, key: &str) -> Option<&'n Node<'a>> {
    entries(node)
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// The value at a dotted path of keys.
pub fn get_path<'n, 'a>(node: &'n Node<'a>, path: &[&str]) -> Option<&'n Node<'a>> {
    let mut cur = node;
    for p in path {
        cur = get(cur, p)?;
    }
    Some(cur)
}

/// True if the document is SOPS-encrypted: a top-level `sops:` mapping with
/// its `mac` or `lastmodified` metadata.
pub fn is_sops(doc: &Node<'_>) -> bool {
    get(doc, "sops").is_some_and(|s| get(s, "mac").is_some() || get(s, "lastmodified").is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_bytes_and_exclude_quotes() {
        // keywarden:allow (fake test data)
        let text = "é: x\npassword: \"s3cr\u{e9}t\"  # c\nother: plain  \n";
        let docs = load(text).expect("parses");
        let pos = Positions::new(text);
        let pw = get(&docs[0], "password").expect("key");
        let (s, e) = pos.value_span(pw);
        assert_eq!(&text[s..e], "s3cr\u{e9}t");
        let other = get(&docs[0], "other").expect("key");
        let (s, e) = pos.value_span(other);
        assert_eq!(&text[s..e], "plain");
    }

    #[test]
    fn merge_keys_apply_and_own_keys_win() {
        let text = "base: &b\n  password: a\n  user: u\nc:\n  <<: *b\n  user: mine\n";
        let docs = load(text).expect("parses");
        let c = get(&docs[0], "c").expect("c");
        let e = entries(c);
        let keys: Vec<&str> = e.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["user", "password"]);
        assert_eq!(
            scalar_text(get(c, "user").expect("user")).as_deref(),
            Some("mine")
        );
    }

    #[test]
    fn alias_bomb_is_an_error_not_a_hang() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let err = load(&text).expect_err("alias expansion is capped");
        assert!(err.message.contains("alias"), "{}", err.message);
    }

    #[test]
    fn malformed_yaml_reports_line_and_column() {
        let err = load("a: [1\nb: 2\n").expect_err("malformed");
        assert_eq!(err.line, 2);
    }
}
