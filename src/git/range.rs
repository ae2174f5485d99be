//! `A..B`: the commits reachable from B and not from A (what a pull request
//! or a push brings). Each commit's changed files are scanned and only the
//! lines it adds count, so a secret already on the base is not blamed. A
//! merge commit adds only what none of its parents had: the side branch's
//! own commits are in the range and report its lines themselves.

use super::history::topological_order;
use super::objects::{self, Change};
use super::{Base, CommitMeta, GitError, Jobs, OidMap, Place};
use crate::source::Messages;
use gix::ObjectId;
use std::collections::HashSet;

pub(crate) struct Range {
    pub commits: Vec<CommitMeta>,
    pub jobs: Jobs,
    pub head: ObjectId,
}

/// Resolves a revision (`main`, `origin/main`, `v1.2`, `HEAD~3`, a full or
/// abbreviated id) to a commit.
pub(crate) fn resolve_commit(repo: &gix::Repository, spec: &str) -> Result<ObjectId, GitError> {
    let err = |detail: String| GitError::Revision {
        spec: spec.to_string(),
        detail,
    };
    let id = repo
        .rev_parse_single(spec)
        .map_err(|e| err(e.to_string()))?;
    let object = id
        .object()
        .map_err(|e| err(format!("object {id} is not in this repository: {e}")))?;
    let commit = object
        .peel_to_commit()
        .map_err(|e| err(format!("does not name a commit: {e}")))?;
    Ok(commit.id)
}

pub(crate) fn collect(
    repo: &gix::Repository,
    spec: &str,
    whole_files: bool,
    messages: &Messages,
) -> Result<Range, GitError> {
    let Some((base_spec, head_spec)) = spec.split_once("..") else {
        return Err(GitError::Revision {
            spec: spec.to_string(),
            detail: "expected a range BASE..HEAD".into(),
        });
    };
    if head_spec.starts_with('.') {
        return Err(GitError::Revision {
            spec: spec.to_string(),
            detail: "symmetric ranges (A...B) are not supported; use BASE..HEAD".into(),
        });
    }
    let head_spec = if head_spec.is_empty() {
        "HEAD"
    } else {
        head_spec
    };
    let head = resolve_commit(repo, head_spec)?;
    let base = if base_spec.is_empty() {
        resolve_commit(repo, "HEAD")?
    } else {
        resolve_commit(repo, base_spec).map_err(|e| match e {
            GitError::Revision { spec, detail } if is_shallow(repo) => GitError::Revision {
                detail: format!(
                    "{detail} (this is a shallow clone: fetch the base commit, e.g. `fetch-depth: 0` with actions/checkout)"
                ),
                spec,
            },
            e => e,
        })?
    };

    let walk = repo
        .rev_walk([head])
        .with_hidden([base])
        .all()
        .map_err(|e| GitError::Repository(format!("cannot walk {spec}: {e}")))?;
    let mut ids = Vec::new();
    for info in walk {
        match info {
            Ok(info) => ids.push(info.id),
            Err(e) => {
                messages.warn(format!(
                    "walking {spec}: {e}; the commits behind it are not scanned"
                ));
                break;
            }
        }
    }

    let mut buf = Vec::new();
    let mut commits = Vec::new();
    let mut index = OidMap::default();
    for id in ids {
        match objects::read_commit(repo, &id, &mut buf) {
            Ok(data) => {
                index.insert(id, commits.len() as u32);
                commits.push(CommitMeta { id, data });
            }
            Err(e) => messages.warn(format!("{e}; its changes are not scanned")),
        }
    }
    let order = topological_order(&commits, &index);
    let commits: Vec<CommitMeta> = order.iter().map(|&i| commits[i as usize].clone()).collect();

    let mut warned = HashSet::new();
    let mut warn = |e: objects::ObjectError| {
        if warned.insert(e.id) {
            messages.warn(format!("{e}; the files below it are not scanned"));
        }
    };
    let mut jobs = Jobs::default();
    let mut changes: Vec<Change> = Vec::new();
    for (ci, c) in commits.iter().enumerate() {
        let parent_trees: Vec<Option<ObjectId>> = c
            .data
            .parents
            .iter()
            .map(|p| match objects::read_commit(repo, p, &mut buf) {
                Ok(d) => Some(d.tree),
                Err(e) => {
                    warn(e);
                    None
                }
            })
            .collect();
        changes.clear();
        objects::diff_trees(
            repo,
            parent_trees.first().copied().flatten(),
            c.data.tree,
            &mut changes,
            &mut warn,
        );
        for ch in changes.drain(..) {
            // What every other parent holds at this path: a file taken
            // unchanged from one of them is not new in the merge.
            let mut olds = vec![ch.old];
            let mut from_a_parent = false;
            for tree in parent_trees.iter().skip(1) {
                let old = match tree {
                    Some(t) => objects::blob_at(repo, *t, &ch.path, &mut buf).unwrap_or_else(|e| {
                        warn(e);
                        None
                    }),
                    None => None,
                };
                from_a_parent |= old == Some(ch.id);
                olds.push(old);
            }
            if from_a_parent {
                continue;
            }
            let base = if whole_files {
                Base::Whole
            } else {
                Base::Olds(olds)
            };
            jobs.add(
                ch.id,
                Place {
                    path: ch.path.to_string(),
                    commit: Some(ci as u32),
                    base,
                },
            );
        }
    }
    Ok(Range {
        commits,
        jobs,
        head,
    })
}

fn is_shallow(repo: &gix::Repository) -> bool {
    repo.is_shallow().unwrap_or(false)
}
