//! Reading commits and trees from the object database, and the tree diff
//! that says which blobs a commit brings at which paths. Every read returns
//! an error value naming the object: a missing or corrupt object becomes a
//! warning at the caller, never a panic.

use gix::ObjectId;
use gix::bstr::{BString, ByteSlice, ByteVec};
use gix::objs::tree::EntryKind;
use gix::objs::{CommitRef, Find, Kind};

/// What a scan needs to know about a commit.
#[derive(Debug, Clone)]
pub struct CommitData {
    pub tree: ObjectId,
    pub parents: Vec<ObjectId>,
    pub author_name: String,
    pub author_email: String,
    /// Author date, RFC 3339.
    pub date: String,
    /// Committer time, seconds since the epoch (what `--since` compares).
    pub commit_time: i64,
}

/// A blob that a tree holds at `path` and that differs from the old tree's.
#[derive(Debug, Clone)]
pub struct Change {
    pub path: BString,
    pub id: ObjectId,
    /// The blob at the same path in the old tree, if there was one.
    pub old: Option<ObjectId>,
}

/// An object that could not be used, and why.
#[derive(Debug, Clone)]
pub struct ObjectError {
    pub id: ObjectId,
    pub what: String,
}

impl std::fmt::Display for ObjectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "object {}: {}", self.id, self.what)
    }
}

/// Reads an object of the expected kind into `buf`.
pub fn read<'a>(
    repo: &gix::Repository,
    id: &gix::oid,
    kind: Kind,
    buf: &'a mut Vec<u8>,
) -> Result<&'a [u8], ObjectError> {
    let err = |what: String| ObjectError {
        id: id.to_owned(),
        what,
    };
    match repo.objects.try_find(id, buf) {
        Ok(Some(data)) if data.kind == kind => Ok(data.data),
        Ok(Some(data)) => Err(err(format!("is a {}, expected a {kind}", data.kind))),
        Ok(None) => Err(err("missing from the object database".into())),
        Err(e) => Err(err(format!("cannot be read: {e}"))),
    }
}

pub fn read_commit(
    repo: &gix::Repository,
    id: &gix::oid,
    buf: &mut Vec<u8>,
) -> Result<CommitData, ObjectError> {
    let hash = repo.object_hash();
    let data = read(repo, id, Kind::Commit, buf)?;
    let corrupt = |what: String| ObjectError {
        id: id.to_owned(),
        what: format!("corrupt commit: {what}"),
    };
    let c = CommitRef::from_bytes(data, hash).map_err(|e| corrupt(e.to_string()))?;
    let tree = ObjectId::from_hex(c.tree).map_err(|e| corrupt(e.to_string()))?;
    let parents = c
        .parents
        .iter()
        .map(|p| ObjectId::from_hex(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| corrupt(e.to_string()))?;
    // Lenient: a commit with an unparsable identity is still scanned.
    let (author_name, author_email, date) = match c.author() {
        Ok(a) => {
            let a = a.trim();
            let date = a
                .time()
                .map(|t| t.format_or_unix(gix::date::time::format::ISO8601_STRICT))
                .unwrap_or_default();
            (a.name.to_string(), a.email.to_string(), date)
        }
        Err(_) => Default::default(),
    };
    let commit_time = c.committer().map(|s| s.seconds()).unwrap_or(0);
    Ok(CommitData {
        tree,
        parents,
        author_name,
        author_email,
        date,
        commit_time,
    })
}

/// Whether a tree entry is scanned: regular and executable files. Symbolic
/// links (their content is a path) and submodules (a commit of another
/// repository) are not.
fn is_file(kind: EntryKind) -> bool {
    matches!(kind, EntryKind::Blob | EntryKind::BlobExecutable)
}

/// Git's tree order: a tree sorts as if its name ended in `/`.
fn cmp_entries(a: &[u8], a_tree: bool, b: &[u8], b_tree: bool) -> std::cmp::Ordering {
    let common = a.len().min(b.len());
    a[..common].cmp(&b[..common]).then_with(|| {
        let next = |name: &[u8], tree: bool| name.get(common).copied().or(tree.then_some(b'/'));
        next(a, a_tree).cmp(&next(b, b_tree))
    })
}

/// One tree entry as stored (`<mode> <name>\0<id>`), borrowed from a read
/// buffer. Identical bytes mean an unchanged entry, the common case, decided
/// with one compare before anything is parsed.
#[derive(Clone, Copy)]
struct RawEntry<'a> {
    raw: &'a [u8],
    /// Position of the NUL that ends the name.
    nul: usize,
}

/// A parsed tree entry.
struct Entry<'a> {
    raw: RawEntry<'a>,
    name: &'a [u8],
    kind: EntryKind,
    id: &'a gix::oid,
}

impl Entry<'_> {
    fn is_tree(&self) -> bool {
        self.kind == EntryKind::Tree
    }
}

/// Reads entries from a tree's bytes (here rather than through
/// `TreeRefIter`: history scans walk billions of entry bytes, nearly all
/// unchanged). A malformed entry ends the tree with an error for the caller.
struct Entries<'a> {
    data: &'a [u8],
    pos: usize,
    hash_len: usize,
    id: ObjectId,
    error: Option<ObjectError>,
}

impl<'a> Entries<'a> {
    fn new(data: &'a [u8], id: ObjectId, hash: gix::hash::Kind) -> Entries<'a> {
        Entries {
            data,
            pos: 0,
            hash_len: hash.len_in_bytes(),
            id,
            error: None,
        }
    }

    fn fail(&mut self) {
        self.error = Some(ObjectError {
            id: self.id,
            what: format!("corrupt tree: malformed entry at byte {}", self.pos),
        });
        self.pos = self.data.len();
    }

    /// The next entry's bytes, found with one search for its NUL.
    fn next_raw(&mut self) -> Option<RawEntry<'a>> {
        let rest = &self.data[self.pos..];
        if rest.is_empty() {
            return None;
        }
        match memchr::memchr(0, rest) {
            Some(nul) if nul + 1 + self.hash_len <= rest.len() => {
                let raw = &rest[..nul + 1 + self.hash_len];
                self.pos += raw.len();
                Some(RawEntry { raw, nul })
            }
            _ => {
                self.fail();
                None
            }
        }
    }

    /// Advances this tree and `other`, both at an entry boundary, past the
    /// entries they hold byte for byte in common: one bulk compare finds
    /// where they first differ, then only entry ends are looked for.
    fn skip_identical(&mut self, other: &mut Entries<'_>) {
        let common = common_prefix(&self.data[self.pos..], &other.data[other.pos..]);
        let rest = &self.data[self.pos..self.pos + common];
        let mut skip = 0;
        while let Some(nul) = memchr::memchr(0, &rest[skip..]) {
            let end = skip + nul + 1 + self.hash_len;
            if end > rest.len() {
                break;
            }
            skip = end;
        }
        self.pos += skip;
        other.pos += skip;
    }

    fn parse(&mut self, e: RawEntry<'a>) -> Option<Entry<'a>> {
        let sp = memchr::memchr(b' ', &e.raw[..e.nul]);
        let parsed = sp.and_then(|sp| {
            let kind = kind_of(&e.raw[..sp])?;
            (e.nul > sp + 1).then(|| Entry {
                raw: e,
                name: &e.raw[sp + 1..e.nul],
                kind,
                id: gix::oid::from_bytes_unchecked(&e.raw[e.nul + 1..]),
            })
        });
        if parsed.is_none() {
            self.fail();
        }
        parsed
    }

    fn next_entry(&mut self) -> Option<Entry<'a>> {
        let raw = self.next_raw()?;
        self.parse(raw)
    }
}

/// How many leading bytes `a` and `b` share, compared eight at a time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let words = a[..n].chunks_exact(8).zip(b[..n].chunks_exact(8));
    for (i, (x, y)) in words.enumerate() {
        let x = u64::from_le_bytes(x.try_into().unwrap_or_default());
        let y = u64::from_le_bytes(y.try_into().unwrap_or_default());
        if x != y {
            return i * 8 + ((x ^ y).trailing_zeros() / 8) as usize;
        }
    }
    let done = n - n % 8;
    done + a[done..n]
        .iter()
        .zip(&b[done..n])
        .take_while(|(x, y)| x == y)
        .count()
}

/// The kind of entry a tree mode stands for, as git reads modes (old
/// repositories have non-canonical ones such as `100664` or `040000`).
fn kind_of(mode: &[u8]) -> Option<EntryKind> {
    let octal = mode.iter().try_fold(0u32, |acc, &b| {
        (b'0'..=b'7')
            .contains(&b)
            .then(|| (acc << 3) | u32::from(b - b'0'))
    })?;
    Some(match octal & 0o170000 {
        0o040000 => EntryKind::Tree,
        0o120000 => EntryKind::Link,
        0o160000 => EntryKind::Commit,
        0o100000 if octal & 0o111 != 0 => EntryKind::BlobExecutable,
        0o100000 => EntryKind::Blob,
        _ => return None,
    })
}

/// Compares trees and collects the files of the new tree that the old one
/// does not hold with the same content, skipping identical subtrees. Reads
/// go into buffers kept per directory depth and reused across calls, and
/// entries are compared where they lie in those buffers: history scans diff
/// tens of thousands of trees, and most of their entries are unchanged.
#[derive(Default)]
pub struct TreeDiff {
    /// (old, new) read buffers per depth.
    bufs: Vec<(Vec<u8>, Vec<u8>)>,
    prefix: BString,
}

impl TreeDiff {
    /// Appends to `out` what `new` adds relative to `old` (everything when
    /// `old` is `None`). Unreadable trees are passed to `on_error` and
    /// skipped; an unreadable old tree makes everything below it new.
    pub fn diff(
        &mut self,
        repo: &gix::Repository,
        old: Option<ObjectId>,
        new: ObjectId,
        out: &mut Vec<Change>,
        on_error: &mut dyn FnMut(ObjectError),
    ) {
        self.prefix.clear();
        self.rec(repo, 0, old, new, out, on_error);
    }

    fn rec(
        &mut self,
        repo: &gix::Repository,
        depth: usize,
        old: Option<ObjectId>,
        new: ObjectId,
        out: &mut Vec<Change>,
        on_error: &mut dyn FnMut(ObjectError),
    ) {
        if old == Some(new) {
            return;
        }
        if self.bufs.len() <= depth {
            self.bufs.resize_with(depth + 1, Default::default);
        }
        let (mut old_buf, mut new_buf) = std::mem::take(&mut self.bufs[depth]);
        self.rec_with(
            repo,
            depth,
            old,
            new,
            &mut old_buf,
            &mut new_buf,
            out,
            on_error,
        );
        self.bufs[depth] = (old_buf, new_buf);
    }

    #[allow(clippy::too_many_arguments)]
    fn rec_with(
        &mut self,
        repo: &gix::Repository,
        depth: usize,
        old: Option<ObjectId>,
        new: ObjectId,
        old_buf: &mut Vec<u8>,
        new_buf: &mut Vec<u8>,
        out: &mut Vec<Change>,
        on_error: &mut dyn FnMut(ObjectError),
    ) {
        let hash = repo.object_hash();
        let new_data = match read_tree(repo, &new, new_buf) {
            Ok(d) => d,
            Err(e) => return on_error(e),
        };
        let old_data: &[u8] = match old.map(|o| (o, read_tree(repo, &o, old_buf))) {
            Some((_, Ok(d))) => d,
            Some((_, Err(e))) => {
                on_error(e);
                &[]
            }
            None => &[],
        };
        let mut news = Entries::new(new_data, new, hash);
        let mut olds = Entries::new(old_data, old.unwrap_or(new), hash);
        let mut o_raw = olds.next_raw();
        while let Some(n_raw) = news.next_raw() {
            if o_raw.is_some_and(|e| e.raw == n_raw.raw) {
                // In step: a long run of unchanged entries usually follows.
                news.skip_identical(&mut olds);
                o_raw = olds.next_raw();
                continue;
            }
            let Some(n) = news.parse(n_raw) else { break };
            let mut o = o_raw.and_then(|r| olds.parse(r));
            // Entries only in the old tree are deletions: nothing to scan.
            while o
                .as_ref()
                .is_some_and(|e| cmp_entries(e.name, e.is_tree(), n.name, n.is_tree()).is_lt())
            {
                o = olds.next_entry();
            }
            let same = o
                .as_ref()
                .is_some_and(|e| cmp_entries(e.name, e.is_tree(), n.name, n.is_tree()).is_eq());
            let (old_id, old_kind) = match (&o, same) {
                (Some(e), true) => (Some(e.id.to_owned()), Some(e.kind)),
                _ => (None, None),
            };
            o_raw = if same {
                olds.next_raw()
            } else {
                o.map(|e| e.raw)
            };
            if old_id.as_deref() == Some(n.id) {
                continue;
            }
            if !n.is_tree() && !is_file(n.kind) {
                continue;
            }
            let len = self.prefix.len();
            if !self.prefix.is_empty() {
                self.prefix.push_byte(b'/');
            }
            self.prefix.push_str(n.name);
            if n.is_tree() {
                let old_tree = old_id.filter(|_| old_kind == Some(EntryKind::Tree));
                self.rec(repo, depth + 1, old_tree, n.id.to_owned(), out, on_error);
            } else {
                out.push(Change {
                    path: self.prefix.clone(),
                    id: n.id.to_owned(),
                    old: old_id.filter(|_| old_kind.is_some_and(is_file)),
                });
            }
            self.prefix.truncate(len);
        }
        for e in [news.error, olds.error].into_iter().flatten() {
            on_error(e);
        }
    }
}

fn read_tree<'a>(
    repo: &gix::Repository,
    id: &gix::oid,
    buf: &'a mut Vec<u8>,
) -> Result<&'a [u8], ObjectError> {
    if id == ObjectId::empty_tree(repo.object_hash()) {
        return Ok(&[]);
    }
    read(repo, id, Kind::Tree, buf)
}

/// Compares trees recursively (see [`TreeDiff`]) with fresh buffers.
pub fn diff_trees(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: ObjectId,
    out: &mut Vec<Change>,
    on_error: &mut dyn FnMut(ObjectError),
) {
    TreeDiff::default().diff(repo, old, new, out, on_error);
}

/// The file blob at `path` in a tree, if any.
pub fn blob_at(
    repo: &gix::Repository,
    tree: ObjectId,
    path: &[u8],
    buf: &mut Vec<u8>,
) -> Result<Option<ObjectId>, ObjectError> {
    let hash = repo.object_hash();
    let mut current = tree;
    let mut parts = path.split_str("/").peekable();
    while let Some(part) = parts.next() {
        let data = read_tree(repo, &current, buf)?;
        let mut entries = Entries::new(data, current, hash);
        let mut found = None;
        while let Some(e) = entries.next_entry() {
            if e.name == part {
                found = Some((e.kind, e.id.to_owned()));
                break;
            }
        }
        if let Some(err) = entries.error {
            return Err(err);
        }
        let Some((kind, id)) = found else {
            return Ok(None);
        };
        match (
            parts.peek().is_some(),
            kind == EntryKind::Tree,
            is_file(kind),
        ) {
            (true, true, _) => current = id,
            (false, _, true) => return Ok(Some(id)),
            _ => return Ok(None),
        }
    }
    Ok(None)
}

/// Every file blob in a tree, with its path (the staged scan compares the
/// index with HEAD through this).
pub fn flatten_tree(
    repo: &gix::Repository,
    tree: ObjectId,
    on_error: &mut dyn FnMut(ObjectError),
) -> Vec<Change> {
    let mut out = Vec::new();
    diff_trees(repo, None, tree, &mut out, on_error);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::*;

    #[test]
    fn common_prefixes() {
        assert_eq!(common_prefix(b"", b"abc"), 0);
        assert_eq!(common_prefix(b"abcdefghij", b"abcdefghij"), 10);
        assert_eq!(common_prefix(b"abcdefghXj", b"abcdefghij"), 8);
        assert_eq!(common_prefix(b"abcXefghij", b"abcdefghij"), 3);
        assert_eq!(
            common_prefix(b"abcdefghijklmnopq", b"abcdefghijklmnopz"),
            16
        );
    }

    #[test]
    fn modes_are_read_as_git_reads_them() {
        assert_eq!(kind_of(b"40000"), Some(EntryKind::Tree));
        assert_eq!(kind_of(b"040000"), Some(EntryKind::Tree));
        assert_eq!(kind_of(b"100644"), Some(EntryKind::Blob));
        assert_eq!(kind_of(b"100664"), Some(EntryKind::Blob));
        assert_eq!(kind_of(b"100755"), Some(EntryKind::BlobExecutable));
        assert_eq!(kind_of(b"120000"), Some(EntryKind::Link));
        assert_eq!(kind_of(b"160000"), Some(EntryKind::Commit));
        assert_eq!(kind_of(b"9"), None);
        assert_eq!(kind_of(b"200000"), None);
    }

    #[test]
    fn entries_are_parsed_and_malformed_ones_reported() {
        let id = ObjectId::null(gix::hash::Kind::Sha1);
        let mut data = b"100644 a.txt\0".to_vec();
        data.extend_from_slice(&[7u8; 20]);
        data.extend_from_slice(b"40000 dir\0");
        data.extend_from_slice(&[0u8; 20]);
        let mut e = Entries::new(&data, id, gix::hash::Kind::Sha1);
        let first = e.next_entry().unwrap();
        assert_eq!((first.name, first.kind), (&b"a.txt"[..], EntryKind::Blob));
        assert_eq!(first.id.as_bytes(), &[7u8; 20]);
        assert!(e.next_entry().unwrap().is_tree());
        assert!(e.next_entry().is_none() && e.error.is_none());
        let truncated = &data[..40];
        let mut e = Entries::new(truncated, id, gix::hash::Kind::Sha1);
        assert!(e.next_entry().is_some());
        assert!(e.next_entry().is_none() && e.error.is_some());
    }

    #[test]
    fn trees_sort_as_if_followed_by_a_slash() {
        // "a.txt" < "a/" because '.' (0x2e) < '/' (0x2f); "a/" < "a0".
        assert_eq!(cmp_entries(b"a.txt", false, b"a", true), Less);
        assert_eq!(cmp_entries(b"a", true, b"a0", false), Less);
        assert_eq!(cmp_entries(b"a", false, b"a.txt", false), Less);
        assert_eq!(cmp_entries(b"x", false, b"x", false), Equal);
        assert_eq!(cmp_entries(b"x", false, b"x", true), Less);
    }
}
