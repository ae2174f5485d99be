//! Reading commits and trees from the object database, and the tree diff
//! that says which blobs a commit brings at which paths. Every read returns
//! an error value naming the object: a missing or corrupt object becomes a
//! warning at the caller, never a panic.

use gix::ObjectId;
use gix::bstr::{BString, ByteSlice, ByteVec};
use gix::objs::tree::EntryKind;
use gix::objs::{CommitRef, Find, Kind, TreeRefIter};

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

/// A tree entry with an owned name, so that trees can be compared while the
/// read buffer is reused.
#[derive(Debug, Clone)]
struct Entry {
    name: BString,
    kind: EntryKind,
    id: ObjectId,
}

impl Entry {
    fn is_tree(&self) -> bool {
        self.kind == EntryKind::Tree
    }

    /// Regular and executable files; symbolic links (their content is a
    /// path) and submodules (a commit in another repository) are not scanned.
    fn is_file(&self) -> bool {
        matches!(self.kind, EntryKind::Blob | EntryKind::BlobExecutable)
    }
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

fn read_tree(
    repo: &gix::Repository,
    id: &gix::oid,
    buf: &mut Vec<u8>,
) -> Result<Vec<Entry>, ObjectError> {
    let hash = repo.object_hash();
    if id == ObjectId::empty_tree(hash) {
        return Ok(Vec::new());
    }
    let data = read(repo, id, Kind::Tree, buf)?;
    TreeRefIter::from_bytes(data, hash)
        .map(|e| {
            e.map(|e| Entry {
                name: e.filename.to_owned(),
                kind: e.mode.kind(),
                id: e.oid.to_owned(),
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ObjectError {
            id: id.to_owned(),
            what: format!("corrupt tree: {e}"),
        })
}

/// Git's tree order: a tree sorts as if its name ended in `/`.
fn cmp_entries(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    let common = a.name.len().min(b.name.len());
    a.name[..common].cmp(&b.name[..common]).then_with(|| {
        let next = |e: &Entry| e.name.get(common).copied().or(e.is_tree().then_some(b'/'));
        next(a).cmp(&next(b))
    })
}

/// Compares trees recursively, skipping identical subtrees, and collects the
/// files of `new` that `old` does not hold with the same content. Unreadable
/// trees are passed to `on_error` and skipped.
pub fn diff_trees(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: ObjectId,
    out: &mut Vec<Change>,
    on_error: &mut dyn FnMut(ObjectError),
) {
    let mut buf = Vec::new();
    let mut prefix = BString::default();
    diff_rec(repo, old, new, &mut prefix, out, &mut buf, on_error);
}

fn diff_rec(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: ObjectId,
    prefix: &mut BString,
    out: &mut Vec<Change>,
    buf: &mut Vec<u8>,
    on_error: &mut dyn FnMut(ObjectError),
) {
    if old == Some(new) {
        return;
    }
    let new_entries = match read_tree(repo, &new, buf) {
        Ok(e) => e,
        Err(e) => return on_error(e),
    };
    let old_entries = match old.map(|o| read_tree(repo, &o, buf)) {
        Some(Ok(e)) => e,
        Some(Err(e)) => {
            // Without the old tree everything in the new one counts as new.
            on_error(e);
            Vec::new()
        }
        None => Vec::new(),
    };
    let mut olds = old_entries.iter().peekable();
    for n in &new_entries {
        // Entries only in the old tree are deletions: nothing to scan.
        while olds
            .peek()
            .is_some_and(|o| cmp_entries(o, n) == std::cmp::Ordering::Less)
        {
            olds.next();
        }
        let same_name = olds
            .peek()
            .filter(|o| cmp_entries(o, n) == std::cmp::Ordering::Equal)
            .copied();
        if same_name.is_some() {
            olds.next();
        }
        if same_name.is_some_and(|o| o.id == n.id) {
            continue;
        }
        let len = prefix.len();
        if !prefix.is_empty() {
            prefix.push_byte(b'/');
        }
        prefix.push_str(&n.name);
        if n.is_tree() {
            let old_tree = same_name.filter(|o| o.is_tree()).map(|o| o.id);
            diff_rec(repo, old_tree, n.id, prefix, out, buf, on_error);
        } else if n.is_file() {
            out.push(Change {
                path: prefix.clone(),
                id: n.id,
                old: same_name.filter(|o| o.is_file()).map(|o| o.id),
            });
        }
        prefix.truncate(len);
    }
}

/// The file blob at `path` in a tree, if any.
pub fn blob_at(
    repo: &gix::Repository,
    tree: ObjectId,
    path: &[u8],
    buf: &mut Vec<u8>,
) -> Result<Option<ObjectId>, ObjectError> {
    let mut current = tree;
    let mut parts = path.split_str("/").peekable();
    while let Some(part) = parts.next() {
        let entries = read_tree(repo, &current, buf)?;
        let Some(e) = entries.iter().find(|e| e.name.as_bytes() == part) else {
            return Ok(None);
        };
        match (parts.peek().is_some(), e.is_tree(), e.is_file()) {
            (true, true, _) => current = e.id,
            (false, _, true) => return Ok(Some(e.id)),
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

    fn e(name: &str, kind: EntryKind) -> Entry {
        Entry {
            name: name.into(),
            kind,
            id: ObjectId::null(gix::hash::Kind::Sha1),
        }
    }

    #[test]
    fn trees_sort_as_if_followed_by_a_slash() {
        use std::cmp::Ordering::*;
        // "a.txt" < "a/" because '.' (0x2e) < '/' (0x2f); "a-b" < "a/".
        assert_eq!(
            cmp_entries(&e("a.txt", EntryKind::Blob), &e("a", EntryKind::Tree)),
            Less
        );
        assert_eq!(
            cmp_entries(&e("a", EntryKind::Tree), &e("a0", EntryKind::Blob)),
            Less
        );
        assert_eq!(
            cmp_entries(&e("a", EntryKind::Blob), &e("a.txt", EntryKind::Blob)),
            Less
        );
        assert_eq!(
            cmp_entries(&e("x", EntryKind::Blob), &e("x", EntryKind::Blob)),
            Equal
        );
    }
}
