//! Which parts of a large values file need a YAML parse. The engine's
//! keyword pass reports where hint words occur; each hint's line is judged
//! with the same classification the checks use. Only top-level sections
//! with a line that could produce a finding are parsed; lines that are
//! plainly not secrets (references, templates) are marked cleared so that
//! generic credential rules stay quiet there, exactly as after a parse.
//! The test suite checks that large files report what small ones do.

use super::classify::{self, Class, Vocabulary};

/// The file's bytes, and its text when validated up front: a small file is
/// checked as UTF-8 once, cheaper than line by line; a large one is checked
/// only in the lines judged.
#[derive(Clone, Copy)]
struct Text<'a> {
    b: &'a [u8],
    s: Option<&'a str>,
}

impl<'a> Text<'a> {
    fn new(b: &'a [u8]) -> Self {
        let s = if b.len() <= super::WHOLE_PARSE_BYTES {
            std::str::from_utf8(b).ok()
        } else {
            None
        };
        Text { b, s }
    }

    /// The line `a..e` as text; `None` if it is not UTF-8.
    fn line(&self, a: usize, e: usize) -> Option<&'a str> {
        match self.s {
            Some(s) => s.get(a..e),
            None => std::str::from_utf8(self.b.get(a..e)?).ok(),
        }
    }
}

/// What one hint line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Could be a finding: parse its section.
    Parse,
    /// Parse its section only if another line is parsed too.
    ParseWithOthers,
    /// A `secretsFiles:` block in simple block-list form.
    References(Vec<LineReference>),
    /// Not a secret; the byte range of its value is cleared.
    Clear(usize, usize),
    /// Nothing to do.
    Skip,
}

/// What the judgement depends on besides the line.
pub struct Context<'a> {
    pub production: bool,
    pub vocab: &'a Vocabulary,
    /// Last components of `policy.equal` key paths.
    pub equal_keys: &'a [&'a str],
    /// `empty-credential-in-production` is on.
    pub empty_check: bool,
}

/// The result of prefiltering: sections to parse and values to clear.
pub struct Selection {
    pub sections: Vec<(usize, usize)>,
    pub cleared: Vec<(usize, usize)>,
    /// `secretsFiles` entries read from their lines: value span, path, key.
    pub references: Vec<LineReference>,
}

/// A `secretsFiles` list entry found without a parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineReference {
    pub span: (usize, usize),
    pub target: String,
    /// Dotted path of the `secretsFiles` key.
    pub key: String,
}

/// Judges every hint (byte offsets into `data`, sorted here). Anchors and
/// aliases need nothing special: a section that uses an alias defined
/// elsewhere does not parse alone, and the caller then parses the file.
pub fn select(data: &[u8], hints: &mut [usize], cx: &Context<'_>) -> Selection {
    if hints.is_empty() {
        // Nothing to judge, and no UTF-8 pass for it.
        return Selection {
            sections: Vec::new(),
            cleared: Vec::new(),
            references: Vec::new(),
        };
    }
    let t = Text::new(data);
    let b = data;
    let mut sections: Vec<(usize, usize)> = Vec::new();
    let mut deferred: Vec<(usize, usize)> = Vec::new();
    let mut cleared = Vec::new();
    let mut references = Vec::new();
    for_each_hint_line(b, hints, |ls, le, h| match verdict(t, ls, le, h, cx) {
        Verdict::Parse => {
            let section = section_around(b, ls);
            sections.push(section);
            Some(section.1)
        }
        Verdict::ParseWithOthers => {
            deferred.push(section_around(b, ls));
            None
        }
        Verdict::Clear(s, e) => {
            cleared.push((s, e));
            None
        }
        Verdict::References(r) => {
            references.extend(r);
            None
        }
        Verdict::Skip => None,
    });
    // `preserveExistingSecrets: true` matters only next to an inline secret.
    if !sections.is_empty() {
        sections.extend(deferred);
        sections.sort_unstable();
        sections.dedup();
    }
    Selection {
        sections,
        cleared,
        references,
    }
}

/// Which documents of a Kubernetes manifest file need a parse: those with a
/// hint line that a manifest check reads (a `kind:` naming a Secret-like
/// resource, a secret-like key or env `name:` with a value, a URL with
/// credentials). A document without one has nothing for the checks: every
/// kind they look at, and every secret-like key, holds a hint word. Byte
/// ranges, in order.
pub fn select_documents(data: &[u8], hints: &mut [usize], cx: &Context<'_>) -> Vec<(usize, usize)> {
    if hints.is_empty() {
        return Vec::new();
    }
    let t = Text::new(data);
    let mut docs: Vec<(usize, usize)> = Vec::new();
    for_each_hint_line(data, hints, |ls, le, h| {
        manifest_line_matters(t, ls, le, h, cx).then(|| {
            let doc = document_around(data, ls);
            docs.push(doc);
            doc.1
        })
    });
    docs
}

/// Calls `judge(line_start, line_end, hint)` once per line holding a hint,
/// in order (`hints` is sorted here). `judge` returns the end of a range it
/// has chosen to parse, and hints before that end are passed over.
fn for_each_hint_line(
    b: &[u8],
    hints: &mut [usize],
    mut judge: impl FnMut(usize, usize, usize) -> Option<usize>,
) {
    hints.sort_unstable();
    // End of the last line judged: later hints on it are passed over, and
    // the next line's start is searched for from there only.
    let mut last_end: Option<usize> = None;
    let mut skip_to = 0;
    for &h in hints.iter() {
        if h >= b.len() || h < skip_to || last_end.is_some_and(|e| h <= e) {
            continue;
        }
        let from = last_end.unwrap_or(0);
        let ls = memchr::memrchr(b'\n', &b[from..h]).map_or(from, |p| from + p + 1);
        let le = memchr::memchr(b'\n', &b[h..]).map_or(b.len(), |p| h + p);
        last_end = Some(le);
        if let Some(end) = judge(ls, le, h) {
            skip_to = skip_to.max(end);
        }
    }
}

/// The document (between `---` lines, or the file's ends) holding the
/// line that starts at `ls`.
fn document_around(b: &[u8], ls: usize) -> (usize, usize) {
    let is_marker = |i: usize| {
        b[i..].starts_with(b"---")
            && b.get(i + 3)
                .is_none_or(|c| matches!(c, b'\n' | b'\r' | b' ' | b'\t'))
    };
    let mut s = ls;
    while s > 0 && !is_marker(s) {
        s = memchr::memrchr(b'\n', &b[..s - 1]).map_or(0, |p| p + 1);
    }
    let mut e = ls;
    loop {
        e = memchr::memchr(b'\n', &b[e..]).map_or(b.len(), |p| e + p + 1);
        if e >= b.len() || is_marker(e) {
            break;
        }
    }
    (s, e)
}

/// True if the hint at `h` sits in the value of a `key: value` line whose
/// key is not one of `keys_read`, and the value is a plain scalar (not a
/// flow collection, not a URL hint): such a hint says nothing about the
/// line. Bytes only; anything unusual answers false, for the full judgement.
fn hint_in_plain_value(b: &[u8], ls: usize, le: usize, h: usize, keys_read: &[&[u8]]) -> bool {
    if b[h..le].starts_with(b"://") {
        return false;
    }
    let line = &b[ls..h];
    let mut body = line.trim_ascii_start();
    if let Some(rest) = body.strip_prefix(b"- ") {
        body = rest.trim_ascii_start();
    }
    if matches!(body.first(), Some(b'"' | b'\'' | b'{' | b'[' | b'?')) {
        return false;
    }
    let Some(colon) =
        memchr::memchr_iter(b':', body).find(|&c| matches!(body.get(c + 1), Some(b' ' | b'\t')))
    else {
        return false;
    };
    let key = body[..colon].trim_ascii_end();
    let value = body[colon + 1..].trim_ascii_start();
    !keys_read.contains(&key) && !matches!(value.first(), Some(b'{' | b'[' | b'|' | b'>'))
}

/// Judges one hint line of a manifest (see [`select_documents`]).
fn manifest_line_matters(t: Text<'_>, ls: usize, le: usize, h: usize, cx: &Context<'_>) -> bool {
    let b = t.b;
    if b[ls..le].trim_ascii_start().first() == Some(&b'#')
        || hint_in_plain_value(b, ls, le, h, &[b"name", b"kind"])
    {
        return false;
    }
    let Some(line) = t.line(ls, le) else {
        return true;
    };
    if b[h..].starts_with(b"://") {
        return b[h..le].contains(&b'@');
    }
    let body = line.trim_ascii_start();
    let body = body.strip_prefix("- ").unwrap_or(body);
    if body.starts_with(['{', '[']) {
        // A flow collection: keys of its own, judged by a parse.
        return true;
    }
    let body_at = ls + (line.len() - body.len());
    let Some(colon) = key_colon(body) else {
        return false;
    };
    let key = strip_quotes(body[..colon].trim_ascii());
    let rest = strip_comment(&body[colon + 1..]);
    let in_key = h < body_at + colon;
    let v = cx.vocab;
    if key == "kind" {
        return true;
    }
    if !in_key {
        if rest.starts_with(['{', '[']) {
            return true;
        }
        // `- name: DB_PASSWORD`: only an env item with a `value:` matters
        // (`valueFrom.secretKeyRef` is the recommended pattern).
        let value = unquote(rest).unwrap_or(rest);
        return key == "name"
            && classify::is_secret_key(value, &v.extra_keys, &v.ignore_keys)
            && item_has_value(t, ls, le, body_at - ls);
    }
    if !classify::is_secret_key(key, &v.extra_keys, &v.ignore_keys) {
        return false;
    }
    match unquote(rest) {
        // A block scalar, a value on the next lines, anything unusual.
        Some(value) if !value.is_empty() && !value.starts_with(['|', '>', '&', '*', '!']) => {
            matches!(
                classify::classify(key, value, None, v),
                Class::Literal | Class::Weak | Class::Placeholder
            )
        }
        Some("") => !matches!(rest, "\"\"" | "''"),
        _ => true,
    }
}

/// True if the mapping item holding the `name:` line `ls..le` (its key at
/// column `col`) has a `value:` key that is not plainly empty.
fn item_has_value(t: Text<'_>, ls: usize, le: usize, col: usize) -> bool {
    let b = t.b;
    let has_value = |body: &str| {
        let body = body.strip_prefix("- ").unwrap_or(body);
        key_colon(body).is_some_and(|c| {
            strip_quotes(body[..c].trim_ascii()) == "value"
                && !matches!(strip_comment(&body[c + 1..]), "\"\"" | "''" | "~" | "null")
        })
    };
    // Keys of the same item: below, at the same column (deeper lines are
    // their values); above, up to the `- ` line that starts the item.
    for body in children(t, le, col.saturating_sub(1)) {
        // `children` yields subslices of `b`: where this one starts.
        let Some(at) = (body.as_ptr() as usize)
            .checked_sub(b.as_ptr() as usize)
            .filter(|&i| i <= b.len())
        else {
            continue;
        };
        let line_start = memchr::memrchr(b'\n', &b[..at]).map_or(0, |p| p + 1);
        if at - line_start == col && has_value(body) {
            return true;
        }
    }
    if b[ls..le].trim_ascii_start().starts_with(b"- ") {
        // The item starts on this line: nothing above belongs to it.
        return false;
    }
    let mut at = ls;
    while at > 0 {
        let prev = memchr::memrchr(b'\n', &b[..at - 1]).map_or(0, |p| p + 1);
        let Some(line) = t.line(prev, at - 1) else {
            return true;
        };
        at = prev;
        let body = line.trim_ascii_start();
        let ind = line.len() - body.len();
        if body.is_empty() || body.starts_with('#') || ind > col {
            continue;
        }
        if ind == col && has_value(body) {
            return true;
        }
        if ind + 2 == col && body.starts_with("- ") {
            return has_value(body);
        }
        if ind != col {
            return false;
        }
    }
    false
}

/// The top-level section (a column-0 key and everything indented under it)
/// holding the line that starts at `ls`.
fn section_around(b: &[u8], ls: usize) -> (usize, usize) {
    let is_start = |i: usize| {
        b.get(i).is_some_and(|&c| {
            !matches!(
                c,
                b' ' | b'\t' | b'#' | b'\n' | b'\r' | b'-' | b']' | b'}' | b'.'
            )
        })
    };
    let mut s = ls;
    while s > 0 && !is_start(s) {
        s = memchr::memrchr(b'\n', &b[..s - 1]).map_or(0, |p| p + 1);
    }
    let mut e = memchr::memchr(b'\n', &b[ls..]).map_or(b.len(), |p| ls + p + 1);
    while e < b.len() && !is_start(e) {
        e = memchr::memchr(b'\n', &b[e..]).map_or(b.len(), |p| e + p + 1);
    }
    (s, e)
}

/// Judges the line `ls..le` holding a hint at `h`.
fn verdict(t: Text<'_>, ls: usize, le: usize, h: usize, cx: &Context<'_>) -> Verdict {
    let b = t.b;
    // The commonest skips, decided on bytes before any UTF-8 work: comment
    // lines, and hint words inside the plain value of an ordinary key.
    if b[ls..le].trim_ascii_start().first() == Some(&b'#')
        || hint_in_plain_value(b, ls, le, h, &[b"name"])
    {
        return Verdict::Skip;
    }
    // Lines are checked one by one: most of a large file is never looked at.
    let Some(line) = t.line(ls, le) else {
        return Verdict::Parse;
    };
    let body = line.trim_ascii_start();
    if body.starts_with('#') {
        return Verdict::Skip;
    }
    let body = body.strip_prefix("- ").unwrap_or(body);
    let body_at = ls + (line.len() - body.len());
    let Some(colon) = key_colon(body) else {
        // A list item or a continuation line: the checks read only URLs
        // there (secret-like keys are on the lines that name them).
        let url = b[h..].starts_with(b"://") && body.contains('@') && !classify::is_template(body);
        return parse_if(url);
    };
    let key = strip_quotes(body[..colon].trim_ascii());
    let rest = strip_comment(&body[colon + 1..]);
    let value_at = body_at
        + colon
        + 1
        + (body[colon + 1..].len() - body[colon + 1..].trim_ascii_start().len());
    let in_key = h < body_at + colon;
    if b[h..].starts_with(b"://") {
        return if rest.contains('@') && !classify::is_template(rest) {
            Verdict::Parse
        } else {
            Verdict::Skip
        };
    }
    // A flow collection (`db: {password: x}`) holds keys of its own.
    if !in_key && rest.starts_with(['{', '[']) {
        return Verdict::Parse;
    }
    if !in_key && key != "name" {
        return Verdict::Skip;
    }
    if rest.is_empty() {
        // A block key: what matters is below it, and its children carry a
        // hint word of their own, except the `enabled:` switch these read.
        if key == "secretsFiles" {
            let indent = line.len() - line.trim_ascii_start().len();
            return match list_items(t, le, indent) {
                Some(items) => {
                    let key = key_path(t, ls, indent, key);
                    Verdict::References(
                        items
                            .into_iter()
                            .map(|(span, target)| LineReference {
                                span,
                                target,
                                key: key.clone(),
                            })
                            .collect(),
                    )
                }
                None => Verdict::Parse,
            };
        }
        let wanted = match key {
            "externalSecret" | "externalSecrets" => "true",
            "auth" | "authentication" | "security" if cx.production => "false",
            _ => {
                // `password:` with its scalar on the lines below, or a list
                // of values: nothing below names a key to hint at.
                let v = cx.vocab;
                let indent = line.len() - line.trim_ascii_start().len();
                let below_is_value = children(t, le, indent)
                    .next()
                    .is_some_and(|c| c.starts_with("- ") || c == "-" || key_colon(c).is_none());
                return parse_if(
                    below_is_value
                        && (cx.equal_keys.contains(&key)
                            || classify::is_secret_key(key, &v.extra_keys, &v.ignore_keys)),
                );
            }
        };
        return parse_if(child_enabled(
            t,
            le,
            line.len() - line.trim_ascii_start().len(),
            wanted,
        ));
    }
    if matches!(rest, "[]" | "{}") {
        return Verdict::Skip;
    }
    if key == "secretsFiles" || rest.starts_with(['|', '>', '{', '[', '&', '*', '!', '%', '@', '`'])
    {
        return Verdict::Parse;
    }
    let Some(value) = unquote(rest) else {
        return Verdict::Parse;
    };
    let span = || {
        let off = offset_in(rest, value);
        (value_at + off, value_at + off + value.len())
    };
    match key {
        "create" | "createSecret" => {
            let indent = line.len() - line.trim_ascii_start().len();
            return parse_if(value == "false" && !sibling_existing_secret(t, ls, le, indent));
        }
        "usePassword" => return parse_if(cx.production && value == "false"),
        "allowEmptyPassword" => return parse_if(cx.production && value == "true"),
        "preserveExistingSecrets" if value == "true" => return Verdict::ParseWithOthers,
        "preserveExistingSecrets" => return Verdict::Skip,
        "name" => {
            let v = cx.vocab;
            return parse_if(classify::is_secret_key(
                value,
                &v.extra_keys,
                &v.ignore_keys,
            ));
        }
        _ => {}
    }
    if cx.equal_keys.contains(&key) {
        return Verdict::Parse;
    }
    let v = cx.vocab;
    let info = classify::key_info(key);
    if info.is_secret(key, &v.extra_keys, &v.ignore_keys) {
        if has_scheme_separator(value) {
            return Verdict::Parse;
        }
        return match classify::classify_with(info, value, None, v) {
            Class::Literal | Class::Weak => Verdict::Parse,
            Class::Placeholder if cx.production => Verdict::Parse,
            Class::Empty if cx.production && cx.empty_check => Verdict::Parse,
            Class::Empty => Verdict::Skip,
            _ => {
                let (s, e) = span();
                Verdict::Clear(s, e)
            }
        };
    }
    if info.is_non_credential() {
        let (s, e) = span();
        return Verdict::Clear(s, e);
    }
    // A long base64-looking value under any hinted key may wrap a credential.
    parse_if(
        value.len() >= 16
            && value
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=')),
    )
}

/// The lines after `le` that are indented more than `indent`, up to the
/// first that is not (comments and blank lines are passed over).
fn children<'a>(t: Text<'a>, le: usize, indent: usize) -> impl Iterator<Item = &'a str> {
    let b = t.b;
    let mut at = le + 1;
    std::iter::from_fn(move || {
        while at < b.len() {
            let end = memchr::memchr(b'\n', &b[at..]).map_or(b.len(), |p| at + p);
            let line = t.line(at, end).unwrap_or("");
            at = end + 1;
            let body = line.trim_ascii_start();
            if body.is_empty() || body.starts_with('#') {
                continue;
            }
            if line.len() - body.len() <= indent {
                at = b.len();
                return None;
            }
            return Some(body);
        }
        None
    })
}

/// The items of a block list under the line ending at `le` (`- path`, plain
/// or simply quoted), with their byte spans; `None` for any other shape.
fn list_items(t: Text<'_>, le: usize, indent: usize) -> Option<Vec<((usize, usize), String)>> {
    let b = t.b;
    let mut out = Vec::new();
    let mut at = le + 1;
    while at < b.len() {
        let end = memchr::memchr(b'\n', &b[at..]).map_or(b.len(), |p| at + p);
        let line = t.line(at, end)?;
        let body = line.trim_ascii_start();
        let ind = line.len() - body.len();
        if body.is_empty() || body.starts_with('#') {
            at = end + 1;
            continue;
        }
        // A block list may sit at the key's own indentation.
        if ind < indent || (ind == indent && !body.starts_with("- ")) {
            break;
        }
        let item = body.strip_prefix("- ")?;
        let value = unquote(strip_comment(item))?;
        if value.contains(':') || value.starts_with(['{', '[', '&', '*', '|', '>']) {
            return None;
        }
        let off = at + ind + 2 + offset_in(item, value);
        out.push(((off, off + value.len()), value.to_string()));
        at = end + 1;
    }
    Some(out)
}

/// The dotted key path of the key `key` on the line starting at `ls`,
/// indented by `indent`, from the keys above it with less indentation.
fn key_path(t: Text<'_>, ls: usize, indent: usize, key: &str) -> String {
    let b = t.b;
    let mut parts = vec![key.to_string()];
    let mut want = indent;
    let mut at = ls;
    while want > 0 && at > 0 {
        let prev = memchr::memrchr(b'\n', &b[..at - 1]).map_or(0, |p| p + 1);
        let line = t.line(prev, at - 1).unwrap_or("");
        at = prev;
        let body = line.trim_ascii_start();
        let ind = line.len() - body.len();
        if body.is_empty() || body.starts_with('#') || ind >= want {
            continue;
        }
        if let Some(c) = key_colon(body) {
            parts.push(strip_quotes(body[..c].trim_ascii()).to_string());
        }
        want = ind;
    }
    parts.reverse();
    parts.join(".")
}

/// True if a child line of the block is `enabled: <wanted>`.
fn child_enabled(t: Text<'_>, le: usize, indent: usize, wanted: &str) -> bool {
    children(t, le, indent).any(|body| {
        body.strip_prefix("enabled:")
            .is_some_and(|v| strip_quotes(strip_comment(v)) == wanted)
    })
}

/// True if a sibling of the `create:` line at `ls..le` (same indentation,
/// same block) names a non-empty `existingSecret`.
fn sibling_existing_secret(t: Text<'_>, ls: usize, le: usize, indent: usize) -> bool {
    let b = t.b;
    // The block starts after the nearest line above indented less.
    let mut start = ls;
    while start > 0 {
        let prev = memchr::memrchr(b'\n', &b[..start - 1]).map_or(0, |p| p + 1);
        let line = t.line(prev, start - 1).unwrap_or("");
        let body = line.trim_ascii_start();
        if !body.is_empty() && !body.starts_with('#') && line.len() - body.len() < indent {
            break;
        }
        start = prev;
    }
    let before = start.saturating_sub(1);
    let parent_indent = indent.saturating_sub(1);
    children(t, before, parent_indent)
        .chain(children(t, le, parent_indent))
        .any(|body| {
            body.starts_with("existingSecret")
                && body.split_once(':').is_some_and(|(k, v)| {
                    !k.ends_with("Key") && {
                        let v = strip_quotes(strip_comment(v));
                        !v.is_empty() && v != "~" && v != "null"
                    }
                })
        })
}

fn parse_if(cond: bool) -> Verdict {
    if cond { Verdict::Parse } else { Verdict::Skip }
}

/// The `:` that ends a plain or quoted key (followed by a space or the end).
fn key_colon(body: &str) -> Option<usize> {
    let b = body.as_bytes();
    let mut i = 0;
    if let Some(&q) = b.first().filter(|c| **c == b'"' || **c == b'\'') {
        i = 1 + memchr::memchr(q, &b[1..])?;
    }
    while let Some(c) = memchr::memchr(b':', &b[i..]).map(|c| i + c) {
        if c + 1 == b.len() || b[c + 1] == b' ' || b[c + 1] == b'\r' {
            return Some(c);
        }
        i = c + 1;
    }
    None
}

/// Where `part`, a subslice of `whole` (as `unquote` and `strip_comment`
/// return), starts in it; no search needed.
fn offset_in(whole: &str, part: &str) -> usize {
    let off = (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
    if off <= whole.len() { off } else { 0 }
}

/// True if `v` holds `://` (a byte scan: cheaper than a substring searcher
/// on these short values).
fn has_scheme_separator(v: &str) -> bool {
    let b = v.as_bytes();
    memchr::memchr_iter(b':', b).any(|i| b[i + 1..].starts_with(b"//"))
}

/// Quotes around a key or value, removed (YAML whitespace is ASCII, and
/// these run on every hint line: no Unicode tables, no char patterns).
fn strip_quotes(s: &str) -> &str {
    let s = s.strip_prefix(['"', '\'']).unwrap_or(s);
    s.strip_suffix(['"', '\'']).unwrap_or(s)
}

/// The value without a trailing ` # comment`.
fn strip_comment(rest: &str) -> &str {
    let t = rest.trim_ascii();
    if t.starts_with(['"', '\'']) {
        return t;
    }
    // A comment starts at a `#` after whitespace.
    let b = t.as_bytes();
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'#', &b[from..]).map(|i| from + i) {
        if i > 0 && (b[i - 1] == b' ' || b[i - 1] == b'\t') {
            return t[..i].trim_ascii_end();
        }
        from = i + 1;
    }
    t
}

/// A plain or simply quoted scalar's text; `None` when quoting is not
/// simple (escapes, an unterminated quote).
fn unquote(v: &str) -> Option<&str> {
    let v = v.trim_end_matches('\r');
    match v.as_bytes().first() {
        Some(b'"') => {
            let inner = v.strip_prefix('"')?;
            let end = inner.find('"')?;
            let tail = inner[end + 1..].trim();
            (!inner[..end].contains('\\') && (tail.is_empty() || tail.starts_with('#')))
                .then(|| &inner[..end])
        }
        Some(b'\'') => {
            let inner = v.strip_prefix('\'')?;
            let end = inner.find('\'')?;
            let tail = inner[end + 1..].trim();
            (tail.is_empty() || tail.starts_with('#')).then(|| &inner[..end])
        }
        _ => Some(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(line: &str, hint: &str, production: bool) -> Verdict {
        let v = Vocabulary::default();
        let cx = Context {
            production,
            vocab: &v,
            equal_keys: &[],
            empty_check: false,
        };
        let h = line.find(hint).expect("hint in line");
        let ls = line[..h].rfind('\n').map_or(0, |p| p + 1);
        let le = line[h..].find('\n').map_or(line.len(), |p| h + p);
        verdict(Text::new(line.as_bytes()), ls, le, h, &cx)
    }

    #[test]
    fn verdicts() {
        assert_eq!(judge("  password: \"\"", "pass", false), Verdict::Skip);
        assert_eq!(
            judge("  password: hunter2-x", "pass", false),
            Verdict::Parse
        );
        assert_eq!(
            judge("  password: changeme", "pass", false),
            Verdict::Clear(12, 20)
        );
        assert_eq!(judge("  password: changeme", "pass", true), Verdict::Parse);
        assert_eq!(
            judge("  passwordKey: password", "pass", false),
            Verdict::Skip
        );
        assert_eq!(judge("  create: false", "create", false), Verdict::Parse);
        assert_eq!(
            judge(
                "secrets:\n  create: false\n  existingSecret: app\n",
                "create",
                false
            ),
            Verdict::Skip
        );
        assert_eq!(judge("  create: true", "create", false), Verdict::Skip);
        assert_eq!(judge("# password: hunter2", "pass", false), Verdict::Skip);
        assert_eq!(
            // keywarden:allow (fake test data)
            judge("  db: {password: s3cret-X}", "password", false),
            Verdict::Parse
        );
        assert_eq!(
            judge("  auth:\n    enabled: false\n", "auth", true),
            Verdict::Parse
        );
        assert_eq!(
            judge("  auth:\n    enabled: true\n", "auth", true),
            Verdict::Skip
        );
        assert_eq!(
            judge("  auth:\n    enabled: false\n", "auth", false),
            Verdict::Skip
        );
        assert_eq!(
            judge("  url: postgres://a:$(PW)@h", "://", false),
            Verdict::Skip
        );
        assert_eq!(
            // keywarden:allow (fake test data)
            judge("  url: postgres://a:b@h", "://", false),
            Verdict::Parse
        );
        assert_eq!(judge("  token: |", "token", false), Verdict::Parse);
        assert_eq!(
            judge("  imagePullSecrets: []", "Secret", false),
            Verdict::Skip
        );
        assert_eq!(
            judge("    - env/app-secrets.yaml", "secret", false),
            Verdict::Skip
        );
        assert_eq!(
            // keywarden:allow (fake test data)
            judge("    - https://u:p4ss@h/x", "://", false),
            Verdict::Parse
        );
        match judge(
            "heimdall:\n  secretsFiles:\n    - env/a-secrets.yaml\n    - \"env/b.yaml\"\nx: 1\n",
            "secret",
            false,
        ) {
            Verdict::References(r) => {
                let got: Vec<(&str, &str)> = r
                    .iter()
                    .map(|x| (x.target.as_str(), x.key.as_str()))
                    .collect();
                assert_eq!(
                    got,
                    [
                        ("env/a-secrets.yaml", "heimdall.secretsFiles"),
                        ("env/b.yaml", "heimdall.secretsFiles")
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            judge("  - name: DB_PASSWORD", "PASS", false),
            Verdict::Parse
        );
        assert_eq!(
            judge("  initialClusterToken: etcd-x", "Token", false),
            Verdict::Clear(23, 29)
        );
    }
}
