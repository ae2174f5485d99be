//! The whole history: every commit reachable from the refs, oldest first,
//! each diffed against its first parent to find the blobs it introduces at
//! each path. A (blob, path) pair is recorded once, for the oldest commit
//! that brought it; a blob is read once however many paths and commits hold
//! it (see `blobs`).

use super::objects::{self, Change, TreeDiff};
use super::{Base, CommitMeta, GitError, Jobs, OidMap, Place};
use crate::source::Messages;
use gix::ObjectId;
use gix::bstr::BString;
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::sync::Mutex;

/// Commits diffed in a row by one worker: long enough that a commit's
/// parent was usually just diffed by the same worker (its trees cached).
const DIFF_CHUNK: usize = 64;

pub(crate) struct History {
    pub commits: Vec<CommitMeta>,
    pub jobs: Jobs,
    pub truncated: bool,
    /// The commit `--branch` resolved to.
    pub tip: Option<ObjectId>,
}

pub(crate) fn collect(
    repo: &gix::Repository,
    branch: Option<&str>,
    since: Option<i64>,
    max_commits: Option<usize>,
    messages: &Messages,
) -> Result<History, GitError> {
    let (tips, tip) = match branch {
        Some(spec) => {
            let id = super::range::resolve_commit(repo, spec)?;
            (vec![id], Some(id))
        }
        None => (all_ref_tips(repo, messages)?, None),
    };
    let shallow: HashSet<ObjectId> = repo
        .shallow_commits()
        .ok()
        .flatten()
        .map(|c| c.iter().copied().collect())
        .unwrap_or_default();
    let mut warned: HashSet<ObjectId> = HashSet::new();

    // Walk every reachable commit once.
    // Boundary commits (outside `--since` or `--max-commits`) are read for
    // their tree only: their content counts as already there.
    let mut nodes: Vec<CommitMeta> = Vec::new();
    let mut in_scope: Vec<bool> = Vec::new();
    let mut index: OidMap<u32> = OidMap::default();
    let mut stack: Vec<ObjectId> = tips;
    let mut buf = Vec::new();
    let mut truncated = false;
    while let Some(id) = stack.pop() {
        if index.contains_key(&id) {
            continue;
        }
        let data = match objects::read_commit(repo, &id, &mut buf) {
            Ok(d) => d,
            Err(e) => {
                if warned.insert(e.id) {
                    messages.warn(format!("{e}; the history behind it is not scanned"));
                }
                continue;
            }
        };
        let wanted = since.is_none_or(|s| data.commit_time >= s);
        let is_shallow = shallow.contains(&id);
        truncated |= is_shallow;
        // Past a boundary commit there is nothing to scan; past a shallow
        // one there is nothing to read.
        if wanted && !is_shallow {
            stack.extend(data.parents.iter().copied());
        }
        index.insert(id, nodes.len() as u32);
        nodes.push(CommitMeta { id, data });
        in_scope.push(wanted);
    }

    let order = topological_order(&nodes, &index);
    if let Some(max) = max_commits {
        let mut kept = 0;
        for &i in order.iter().rev() {
            let scoped = &mut in_scope[i as usize];
            if *scoped {
                *scoped = kept < max;
                kept += 1;
            }
        }
    }

    // What each commit brings relative to its first parent, in parallel:
    // each worker diffs a run of consecutive commits, whose trees it has just
    // read (and cached) as the previous commit's.
    let scoped: Vec<u32> = order
        .iter()
        .copied()
        .filter(|&i| in_scope[i as usize])
        .collect();
    let shared = repo.clone().into_sync();
    let warned = Mutex::new(warned);
    let newest_first: Vec<u32> = scoped.iter().rev().copied().collect();
    let mut diffs: Vec<Vec<Change>> = newest_first
        .par_chunks(DIFF_CHUNK)
        .map_init(
            || {
                let mut local = shared.to_thread_local();
                super::prepare_handle(&mut local);
                (local, TreeDiff::default())
            },
            |(local, differ), chunk| {
                chunk
                    .iter()
                    .map(|&i| {
                        let n = &nodes[i as usize];
                        let parent_tree = n
                            .data
                            .parents
                            .first()
                            .and_then(|p| index.get(p))
                            .map(|&p| nodes[p as usize].data.tree);
                        let mut changes = Vec::new();
                        differ.diff(local, parent_tree, n.data.tree, &mut changes, &mut |e| {
                            if warned.lock().is_ok_and(|mut w| w.insert(e.id)) {
                                messages.warn(format!("{e}; the files below it are not scanned"));
                            }
                        });
                        changes
                    })
                    .collect::<Vec<_>>()
            },
        )
        .flatten_iter()
        .collect();
    diffs.reverse();

    // Oldest first: a (blob, path) pair belongs to the first commit that has it.
    let mut commits: Vec<CommitMeta> = Vec::with_capacity(scoped.len());
    let mut jobs = Jobs::default();
    let mut paths: foldhash::HashMap<BString, u32> = foldhash::HashMap::default();
    let mut path_names: Vec<String> = Vec::new();
    let mut seen: foldhash::HashSet<(ObjectId, u32)> = foldhash::HashSet::default();
    // Each commit is moved out once: `scoped` holds no index twice.
    let mut nodes: Vec<Option<CommitMeta>> = nodes.into_iter().map(Some).collect();
    for (&i, changes) in scoped.iter().zip(diffs) {
        let commit_index = commits.len() as u32;
        for c in changes {
            let next = path_names.len() as u32;
            let p = *paths.entry(c.path).or_insert_with_key(|k| {
                path_names.push(String::from_utf8_lossy(k).into_owned());
                next
            });
            if seen.insert((c.id, p)) {
                jobs.add(
                    c.id,
                    Place {
                        path: path_names[p as usize].clone(),
                        commit: Some(commit_index),
                        base: Base::Whole,
                    },
                );
            }
        }
        if let Some(n) = nodes[i as usize].take() {
            commits.push(n);
        }
    }
    Ok(History {
        commits,
        jobs,
        truncated,
        tip,
    })
}

/// The commits the refs point at: branches, tags (peeled), remote-tracking
/// branches and anything else under `refs/`, plus a detached HEAD. Refs to
/// something other than a commit are skipped.
pub(crate) fn all_ref_tips(
    repo: &gix::Repository,
    messages: &Messages,
) -> Result<Vec<ObjectId>, GitError> {
    let platform = repo
        .references()
        .map_err(|e| GitError::Repository(format!("cannot read references: {e}")))?;
    let refs = platform
        .all()
        .map_err(|e| GitError::Repository(format!("cannot read references: {e}")))?;
    let mut tips = Vec::new();
    for r in refs {
        let mut r = match r {
            Ok(r) => r,
            Err(e) => {
                messages.warn(format!("cannot read a reference: {e}"));
                continue;
            }
        };
        let name = r.name().as_bstr().to_string();
        match r.peel_to_id() {
            Ok(id) => tips.push((name, id.detach())),
            Err(e) => messages.warn(format!("{name}: cannot be resolved: {e}; skipped")),
        }
    }
    if let Ok(id) = repo.head_id() {
        tips.push(("HEAD".into(), id.detach()));
    }
    let mut out = Vec::new();
    for (name, id) in tips {
        match repo.try_find_header(id) {
            Ok(Some(h)) if h.kind() == gix::objs::Kind::Commit => out.push(id),
            Ok(Some(h)) => messages.note(format!("{name}: points at a {}, skipped", h.kind())),
            Ok(None) => messages.warn(format!("{name}: object {id} is missing; skipped")),
            Err(e) => messages.warn(format!("{name}: object {id} cannot be read: {e}; skipped")),
        }
    }
    // Stack order: walk the refs in name order, deterministically.
    out.reverse();
    Ok(out)
}

/// Parents before children; among commits ready at the same time, the
/// oldest committer date first (ties by id), so that "the oldest commit that
/// introduced a blob" is well defined across unrelated branches.
pub(crate) fn topological_order(nodes: &[CommitMeta], index: &OidMap<u32>) -> Vec<u32> {
    let n = nodes.len();
    let mut pending = vec![0u32; n];
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (i, node) in nodes.iter().enumerate() {
        let mut parents: Vec<u32> = node
            .data
            .parents
            .iter()
            .filter_map(|p| index.get(p).copied())
            .collect();
        parents.sort_unstable();
        parents.dedup();
        pending[i] = parents.len() as u32;
        for p in parents {
            children[p as usize].push(i as u32);
        }
    }
    let key = |i: u32| {
        let m = &nodes[i as usize];
        Reverse((m.data.commit_time, m.id, i))
    };
    let mut ready: BinaryHeap<_> = (0..n as u32)
        .filter(|&i| pending[i as usize] == 0)
        .map(key)
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse((_, _, i))) = ready.pop() {
        order.push(i);
        for &c in &children[i as usize] {
            pending[c as usize] -= 1;
            if pending[c as usize] == 0 {
                ready.push(key(c));
            }
        }
    }
    order
}
