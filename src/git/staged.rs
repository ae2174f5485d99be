//! What the next commit would add: the index compared with HEAD's tree.
//! New and modified files are scanned from their staged blobs (not from the
//! work tree, which may hold unstaged edits); by default only the lines the
//! commit adds are reported. A repository without commits compares with an
//! empty tree. The index file is the one git points hooks at
//! (`GIT_INDEX_FILE`, as during `git commit -a`), else `.git/index`.

use super::objects;
use super::{Base, GitError, Jobs, Place};
use crate::source::Messages;
use gix::ObjectId;
use gix::bstr::BString;
use gix::index::entry::{Flags, Mode, Stage};
use std::collections::{HashMap, HashSet};

pub(crate) fn collect(
    repo: &gix::Repository,
    whole_files: bool,
    messages: &Messages,
) -> Result<Jobs, GitError> {
    let index = repo
        .index_or_empty()
        .map_err(|e| GitError::Repository(format!("cannot read the index: {e}")))?;
    let head_tree = head_tree(repo)?;
    let mut warned = HashSet::new();
    let head_files: HashMap<BString, ObjectId> = match head_tree {
        Some(tree) => objects::flatten_tree(repo, tree, &mut |e| {
            if warned.insert(e.id) {
                messages.warn(format!(
                    "{e}; files below it are compared as if new in HEAD"
                ));
            }
        })
        .into_iter()
        .map(|c| (c.path, c.id))
        .collect(),
        None => HashMap::new(),
    };
    let mut jobs = Jobs::default();
    let mut unmerged = HashSet::new();
    for entry in index.entries() {
        let path = entry.path(&index);
        if entry.stage() != Stage::Unconflicted {
            if unmerged.insert(path.to_owned()) {
                messages.warn(format!("{path}: unmerged (conflict); not scanned"));
            }
            continue;
        }
        // Only files: symbolic links hold a path, submodules a commit id of
        // another repository; an intent-to-add entry has no content yet.
        if !matches!(entry.mode, Mode::FILE | Mode::FILE_EXECUTABLE)
            || entry.flags.contains(Flags::INTENT_TO_ADD)
        {
            continue;
        }
        let old = head_files.get(path).copied();
        if old == Some(entry.id) {
            continue;
        }
        let base = if whole_files {
            Base::Whole
        } else {
            Base::Olds(vec![old])
        };
        jobs.add(
            entry.id,
            Place {
                path: path.to_string(),
                commit: None,
                base,
            },
        );
    }
    Ok(jobs)
}

/// HEAD's tree, or `None` before the first commit.
fn head_tree(repo: &gix::Repository) -> Result<Option<ObjectId>, GitError> {
    let head = repo
        .head()
        .map_err(|e| GitError::Repository(format!("cannot read HEAD: {e}")))?;
    if head.is_unborn() {
        return Ok(None);
    }
    let id = repo
        .head_tree_id()
        .map_err(|e| GitError::Repository(format!("cannot read HEAD's tree: {e}")))?;
    Ok(Some(id.detach()))
}
