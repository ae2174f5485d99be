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

/// The text with every top-level section that holds none of the `hints`
/// (byte offsets) reduced to its newlines, or `None` when the whole text must
/// be parsed: anchors or merge keys may tie sections together, and flow or
/// block content at column 0 does not split into sections.
pub fn select_sections(text: &str, hints: &mut [usize]) -> Option<String> {
    let b = text.as_bytes();
    if memchr::memchr(b'*', b).is_some_and(|_| has_alias(b))
        || memchr::memmem::find(b, b"<<").is_some()
    {
        return None;
    }
    hints.sort_unstable();
    // Section starts: lines beginning with a key at column 0.
    let is_start = |i: usize| {
        b.get(i).is_some_and(|&c| {
            !matches!(c, b' ' | b'\t' | b'#' | b'\n' | b'\r' | b'-' | b']' | b'}')
        })
    };
    let mut keep: Vec<(usize, usize)> = Vec::new();
    for &h in hints.iter() {
        if keep.last().is_some_and(|&(_, e)| h < e) || !hint_counts(b, h) {
            continue;
        }
        let mut s = memchr::memrchr(b'\n', &b[..h.min(b.len())]).map_or(0, |p| p + 1);
        while s > 0 && !is_start(s) {
            s = memchr::memrchr(b'\n', &b[..s - 1]).map_or(0, |p| p + 1);
        }
        let mut e = memchr::memchr(b'\n', &b[h..]).map_or(b.len(), |p| h + p + 1);
        while e < b.len() && !is_start(e) {
            e = memchr::memchr(b'\n', &b[e..]).map_or(b.len(), |p| e + p + 1);
        }
        keep.push((s, e));
    }
    let mut out = String::with_capacity(text.len() / 4);
    let mut at = 0;
    for (s, e) in keep {
        out.extend(std::iter::repeat_n(
            '\n',
            memchr::memchr_iter(b'\n', &b[at..s]).count(),
        ));
        out.push_str(&text[s..e]);
        at = e;
    }
    Some(out)
}

/// A hint word counts where a check could look at it: in a key, in a URL,
/// or in the `name:` of an env list entry; not in comments or other values.
fn hint_counts(b: &[u8], h: usize) -> bool {
    let ls = memchr::memrchr(b'\n', &b[..h]).map_or(0, |p| p + 1);
    let line = &b[ls..];
    let indent = line
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t'))
        .count();
    let body = &line[indent..];
    if body.first() == Some(&b'#') {
        return false;
    }
    if b[h..].starts_with(b"://") {
        return true;
    }
    let body = body.strip_prefix(b"- ").unwrap_or(body);
    let key_end = memchr::memchr(b':', body).map_or(body.len(), |p| p);
    let key_start = ls + (line.len() - body.len());
    if body.starts_with(b"name:") {
        return true;
    }
    if h >= key_start + key_end {
        return false;
    }
    let key = std::str::from_utf8(&body[..key_end])
        .unwrap_or_default()
        .trim()
        .trim_matches(['"', '\'']);
    relevant_key(key)
}

/// Keys some check looks at, or whose block it looks into.
fn relevant_key(key: &str) -> bool {
    const EXACT: &[&str] = &[
        "auth",
        "authentication",
        "security",
        "create",
        "createSecret",
        "usePassword",
        "allowEmptyPassword",
        "sops",
        "dockerconfigjson",
        ".dockerconfigjson",
        ".dockercfg",
    ];
    if EXACT.contains(&key) {
        return true;
    }
    super::classify::words(key).iter().any(|w| {
        matches!(
            w.as_str(),
            "password"
                | "passwd"
                | "pwd"
                | "pass"
                | "passphrase"
                | "secret"
                | "secrets"
                | "token"
                | "tokens"
                | "credential"
                | "credentials"
                | "dsn"
                | "key"
                | "keys"
                | "apikey"
                | "accesskey"
                | "secretkey"
                | "privatekey"
        )
    })
}

/// An alias (`*name`) after `: `, `- `, `[` or `,`, as opposed to `*` in text.
fn has_alias(b: &[u8]) -> bool {
    memchr::memchr_iter(b'*', b).any(|i| {
        i > 0
            && matches!(b[i - 1], b' ' | b'[' | b',')
            && b.get(i + 1)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
            && (i < 2 || matches!(b[i - 2], b':' | b'-' | b' ' | b'[' | b','))
    })
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
    fn selected_sections_keep_line_numbers() {
        let text = "a:\n  x: 1\n# c\nb:\n  password: p\n  y: 2\nc:\n  z: 3\n";
        let hit = text.find("password").expect("hint");
        let masked = select_sections(text, &mut [hit]).expect("selects");
        assert_eq!(masked, "\n\n\nb:\n  password: p\n  y: 2\n");
        let docs = load(&masked).expect("parses");
        let pw = get_path(&docs[0], &["b", "password"]).expect("found");
        assert_eq!(pw.span.start.line(), 5);
        assert!(get(&docs[0], "a").is_none());
        // Aliases tie sections together: parse everything.
        assert!(select_sections("a: &x 1\nb: *x\n", &mut [0]).is_none());
    }

    #[test]
    fn malformed_yaml_reports_line_and_column() {
        let err = load("a: [1\nb: 2\n").expect_err("malformed");
        assert_eq!(err.line, 2);
    }
}
