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

/// Parses the given sections of `text` alone and joins them into one
/// mapping document, with positions as in the whole text. `None` if a
/// section does not parse alone (the caller then parses everything).
pub fn load_sections<'a>(text: &'a str, sections: &[(usize, usize)]) -> Option<Vec<Node<'a>>> {
    let mut root: saphyr::AnnotatedMapping<'a, Node<'a>> = Default::default();
    let mut line = 0;
    let mut at = 0;
    // Adjacent sections are parsed together: fewer, larger parses.
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(sections.len());
    for &(s, e) in sections {
        match merged.last_mut() {
            Some(last) if last.1 >= s => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    for (s, e) in merged {
        line += memchr::memchr_iter(b'\n', &text.as_bytes()[at..s]).count();
        at = s;
        let mut docs = load(&text[s..e]).ok()?;
        if docs.len() != 1 {
            return None;
        }
        let mut doc = docs.pop()?;
        shift(&mut doc, line, s);
        match doc.data {
            YamlData::Mapping(m) => root.extend(m),
            _ => return None,
        }
    }
    let mut node = MarkedYaml::value_from_str("");
    node.data = YamlData::Mapping(root);
    Some(vec![node])
}

/// Parses the given documents of `text` (byte ranges between `---`
/// markers) alone, with positions as in the whole text; a parse error's
/// line is the whole text's too.
pub fn load_documents<'a>(
    text: &'a str,
    ranges: &[(usize, usize)],
) -> Result<Vec<Node<'a>>, ParseError> {
    let mut out = Vec::with_capacity(ranges.len());
    let (mut line, mut at) = (0, 0);
    for &(s, e) in ranges {
        line += memchr::memchr_iter(b'\n', &text.as_bytes()[at..s]).count();
        at = s;
        let docs = load(&text[s..e]).map_err(|mut err| {
            err.line += line;
            err
        })?;
        for mut doc in docs {
            shift(&mut doc, line, s);
            out.push(doc);
        }
    }
    Ok(out)
}

/// Moves a parsed section's positions to where it sits in the whole text
/// (`index` counts characters there, so it is only approximate; nothing
/// here reads it).
fn shift(node: &mut Node<'_>, lines: usize, offset: usize) {
    let m = |k: &Marker| Marker::new(k.index() + offset, k.line() + lines, k.col());
    node.span = saphyr_parser::Span::new(m(&node.span.start), m(&node.span.end));
    match &mut node.data {
        YamlData::Sequence(items) => items.iter_mut().for_each(|i| shift(i, lines, offset)),
        YamlData::Mapping(map) => {
            let old = std::mem::take(map);
            for (mut k, mut v) in old {
                shift(&mut k, lines, offset);
                shift(&mut v, lines, offset);
                map.insert(k, v);
            }
        }
        _ => {}
    }
}

/// Turns saphyr markers (1-based line, 0-based character column, character
/// index) into byte offsets. In ASCII text (nearly every values file) the
/// character index is the byte offset; otherwise a line table is built, once.
pub struct Positions<'a> {
    text: &'a str,
    ascii: bool,
    line_starts: std::cell::OnceCell<Vec<usize>>,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a str) -> Self {
        Positions {
            text,
            ascii: text.is_ascii(),
            line_starts: std::cell::OnceCell::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut v = vec![0];
            v.extend(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1));
            v
        })
    }

    /// Byte offset of a marker.
    pub fn offset(&self, m: &Marker) -> usize {
        if self.ascii {
            return m.index().min(self.text.len());
        }
        let Some(&start) = self.line_starts().get(m.line().saturating_sub(1)) else {
            return self.text.len();
        };
        let line = &self.text[start..];
        start
            + line
                .char_indices()
                .nth(m.col())
                .map_or(line.len(), |(i, _)| i)
    }

    /// 1-based line and character columns of the byte range `s..e` on the
    /// line of `node`.
    pub fn line_cols(&self, node: &Node<'_>, (s, e): (usize, usize)) -> (usize, usize, usize) {
        let m = &node.span.start;
        let line_start = if self.ascii {
            self.offset(m).saturating_sub(m.col())
        } else {
            self.line_starts()
                .get(m.line().saturating_sub(1))
                .copied()
                .unwrap_or(0)
        };
        let col = |o: usize| {
            self.text
                .get(line_start..o.max(line_start))
                .map_or(1, |t| t.chars().count() + 1)
        };
        (m.line(), col(s), col(e))
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
        let s = text.find("b:").expect("section");
        let e = text.find("c:").expect("next");
        let docs = load_sections(text, &[(s, e)]).expect("parses");
        let pw = get_path(&docs[0], &["b", "password"]).expect("found");
        assert_eq!(pw.span.start.line(), 5);
        assert!(get(&docs[0], "a").is_none());
    }

    #[test]
    fn malformed_yaml_reports_line_and_column() {
        let err = load("a: [1\nb: 2\n").expect_err("malformed");
        assert_eq!(err.line, 2);
    }
}
