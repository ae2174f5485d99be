//! `synchronized-secrets-differ` in git scans. Two key paths that
//! `policy.equal` declares equal can only disagree within one tree, so the
//! values are compared in the state a scan ends in: the index for
//! `--staged`, the range's head for `--range`, and the tip of every scanned
//! ref for history (what a deploy from that ref would use). For `--staged`
//! and `--range`, a pair that already differed before (in HEAD, or in the
//! range's base) is not blamed on the change.

use super::{Mode, objects};
use crate::engine::Engine;
use crate::finding::{Finding, Origin};
use crate::policy::{FileContext, FileKind, Policy};
use crate::source::Messages;
use gix::ObjectId;
use gix::bstr::BString;

/// One tree to compare in: its files and, for a commit, who made it.
struct State {
    files: Vec<(BString, ObjectId)>,
    origin: Option<Origin>,
}

/// The findings of the check for the states `mode` ends in; none unless
/// `policy.equal` is configured and the check is enabled.
pub(crate) fn findings(
    repo: &gix::Repository,
    policy: Option<&Policy>,
    engine: &Engine,
    mode: &Mode,
    messages: &Messages,
) -> Vec<Finding> {
    let Some(policy) = policy.filter(|p| p.compares_values()) else {
        return Vec::new();
    };
    let (finals, bases) = states(repo, mode, messages);
    let before: std::collections::HashSet<String> = bases
        .iter()
        .flat_map(|s| compare(repo, policy, engine, s, messages))
        .map(|f| f.fingerprint)
        .collect();
    finals
        .iter()
        .flat_map(|s| compare(repo, policy, engine, s, messages))
        .filter(|f| !before.contains(&f.fingerprint))
        .collect()
}

/// The check's findings within one state.
fn compare(
    repo: &gix::Repository,
    policy: &Policy,
    engine: &Engine,
    state: &State,
    messages: &Messages,
) -> Vec<Finding> {
    let mut observed = Vec::new();
    let mut buf = Vec::new();
    for (path, id) in &state.files {
        let path = path.to_string();
        let kind = policy.kind(&path);
        if !matches!(kind, FileKind::Values { .. }) {
            continue;
        }
        let data = match objects::read(repo, id, gix::objs::Kind::Blob, &mut buf) {
            Ok(d) => d,
            Err(e) => {
                messages.warn(e.to_string());
                continue;
            }
        };
        observed.extend(
            policy
                .check(
                    &path,
                    data,
                    engine,
                    FileContext {
                        kind: Some(kind),
                        ..FileContext::default()
                    },
                )
                .observed,
        );
    }
    let mut out = policy.finish(&observed);
    for f in &mut out {
        f.origin = state.origin.clone();
    }
    out
}

/// The states a scan ends in, and the ones it started from (whose
/// differences are not the change's doing).
fn states(repo: &gix::Repository, mode: &Mode, messages: &Messages) -> (Vec<State>, Vec<State>) {
    let resolve = |spec: &str| super::range::resolve_commit(repo, spec).ok();
    let (tips, base_tips): (Vec<ObjectId>, Vec<ObjectId>) = match mode {
        Mode::Staged { .. } => {
            let base = resolve("HEAD").into_iter().collect();
            let finals = index_state(repo, messages).into_iter().collect();
            return (finals, commit_states(repo, base, messages));
        }
        Mode::Range { spec, .. } => {
            let (base, head) = spec.split_once("..").unwrap_or(("", spec));
            let head = if head.is_empty() { "HEAD" } else { head };
            (
                resolve(head).into_iter().collect(),
                resolve(base).into_iter().collect(),
            )
        }
        Mode::History {
            branch: Some(b), ..
        } => (resolve(b).into_iter().collect(), Vec::new()),
        Mode::History { branch: None, .. } => (
            super::history::all_ref_tips(repo, messages).unwrap_or_default(),
            Vec::new(),
        ),
    };
    (
        commit_states(repo, tips, messages),
        commit_states(repo, base_tips, messages),
    )
}

/// The trees of commits (each distinct tree once).
fn commit_states(repo: &gix::Repository, tips: Vec<ObjectId>, messages: &Messages) -> Vec<State> {
    let mut seen_trees = std::collections::HashSet::new();
    let mut buf = Vec::new();
    let mut out = Vec::new();
    for tip in tips {
        let commit = match objects::read_commit(repo, &tip, &mut buf) {
            Ok(c) => c,
            Err(e) => {
                messages.warn(e.to_string());
                continue;
            }
        };
        if !seen_trees.insert(commit.tree) {
            continue;
        }
        let files = objects::flatten_tree(repo, commit.tree, &mut |e| messages.warn(e.to_string()))
            .into_iter()
            .map(|c| (c.path, c.id))
            .collect();
        out.push(State {
            files,
            origin: Some(Origin {
                commit: tip.to_string(),
                author_name: commit.author_name,
                author_email: commit.author_email,
                date: commit.date,
            }),
        });
    }
    out
}

/// The index as the next commit will have it.
fn index_state(repo: &gix::Repository, messages: &Messages) -> Option<State> {
    let index = match repo.index_or_empty() {
        Ok(i) => i,
        Err(e) => {
            messages.warn(format!("cannot read the index: {e}"));
            return None;
        }
    };
    let files = index
        .entries()
        .iter()
        .map(|e| (e.path(&index).to_owned(), e.id))
        .collect();
    Some(State {
        files,
        origin: None,
    })
}
