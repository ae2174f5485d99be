//! Git sources: the whole history, a commit range, or the staged index, read
//! with gitoxide (no `git` process, no patch text). Each mode turns the
//! repository into a list of blobs to scan, each blob with the places
//! (path, introducing commit, what it replaced) where it appeared; then
//! [`scan_blobs`] reads every blob once, in parallel, and hands it to
//! [`analyze`], the single place where git content meets the analyzers.

mod added_lines;
mod blobs;
mod equal;
mod history;
mod objects;
mod range;
mod staged;

pub use added_lines::AddedLines;

use crate::engine::Engine;
use crate::finding::Finding;
use crate::policy::Policy;
use crate::scan::ScanOutcome;
use crate::source::Messages;
use crate::suppress::Baseline;
use gix::ObjectId;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Every blob read from git goes through here: it is the one call from the
/// git sources into the analyzers, the credential rules and the policy
/// checks that read content (the repository checks look at the work tree
/// and do not run on history). YAML that does not parse in some old commit
/// is a verbose note, not a warning.
pub fn analyze(
    engine: &Engine,
    policy: Option<&Policy>,
    path: &str,
    data: &[u8],
    messages: &Messages,
) -> Vec<Finding> {
    let Some(p) = policy else {
        return engine.scan(path, data);
    };
    let mut hints = Vec::new();
    let kind = p.kind(path);
    let want = p.wants_hints(kind, data.len());
    let mut found = engine.scan_hinted(path, data, want.then_some(&mut hints));
    let fcx = crate::policy::FileContext {
        hints: want.then_some(&mut hints),
        kind: Some(kind),
        ..Default::default()
    };
    let mut report = p.check(path, data, engine, fcx);
    for w in &report.warnings {
        messages.note(w.to_string());
    }
    report.merge_into(engine, &mut found, data);
    found
}

/// Which part of the repository to scan.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Every commit reachable from every ref (or from `branch`).
    History {
        branch: Option<String>,
        /// Only commits whose committer date is at or after this (epoch seconds).
        since: Option<i64>,
        /// Only the newest this many commits.
        max_commits: Option<usize>,
    },
    /// The commits in `A..B`; only lines they add are reported.
    Range { spec: String, whole_files: bool },
    /// The index against HEAD; only lines it adds are reported.
    Staged { whole_files: bool },
}

#[derive(Debug, Clone)]
pub struct GitRequest {
    /// A directory inside the repository (or the repository itself).
    pub repo: PathBuf,
    pub mode: Mode,
    pub max_file_size: u64,
    pub threads: usize,
}

/// What a git scan adds to the report: where the scan was done.
#[derive(Debug, Clone, Default)]
pub struct GitInfo {
    /// Commits whose changes were scanned.
    pub commits: u64,
    /// The commit the scan describes (HEAD, the branch tip, or B of A..B).
    pub revision: Option<String>,
    /// The current branch, when HEAD is on one.
    pub branch: Option<String>,
    /// `remote.origin.url` as a credential-free absolute URI, when configured.
    pub repository_uri: Option<String>,
    /// A shallow clone: history before its boundary is not there.
    pub truncated: bool,
}

/// Why a git scan could not be done at all (exit code 2).
#[derive(Debug)]
pub enum GitError {
    NotARepository { path: PathBuf, detail: String },
    Revision { spec: String, detail: String },
    Repository(String),
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::NotARepository { path, detail } => {
                write!(f, "{}: not a git repository ({detail})", path.display())
            }
            GitError::Revision { spec, detail } => {
                write!(f, "cannot resolve revision `{spec}`: {detail}")
            }
            GitError::Repository(msg) => f.write_str(msg),
        }
    }
}

/// A commit as shown in findings' origins.
#[derive(Debug, Clone)]
pub(crate) struct CommitMeta {
    pub id: ObjectId,
    pub data: objects::CommitData,
}

/// How to decide which findings of a blob at a place to report.
#[derive(Debug, Clone)]
pub(crate) enum Base {
    /// All of them (history: the blob is new at this path).
    Whole,
    /// Only those on lines added relative to each of these old versions
    /// (one per parent; `None`: no file there, so every line is added).
    Olds(Vec<Option<ObjectId>>),
}

/// One appearance of a blob: at `path`, brought by commit `commit` (an index
/// into the commit list; `None` for the index).
#[derive(Debug, Clone)]
pub(crate) struct Place {
    pub path: String,
    pub commit: Option<u32>,
    pub base: Base,
}

/// A blob to read once, and everywhere it appeared, oldest first.
#[derive(Debug, Clone)]
pub(crate) struct BlobJob {
    pub id: ObjectId,
    pub places: Vec<Place>,
}

/// A map keyed by object id, hashed with the id's own first bytes.
pub(crate) type OidMap<V> = gix::hashtable::HashMap<ObjectId, V>;

/// Collects blob jobs keyed by object id, in first-seen order.
#[derive(Default)]
pub(crate) struct Jobs {
    index: OidMap<usize>,
    pub list: Vec<BlobJob>,
}

impl Jobs {
    pub fn add(&mut self, id: ObjectId, place: Place) {
        let i = *self.index.entry(id).or_insert_with(|| {
            self.list.push(BlobJob {
                id,
                places: Vec::new(),
            });
            self.list.len() - 1
        });
        self.list[i].places.push(place);
    }
}

/// Sets up an object handle for reading history. Objects are read as
/// stored: replace refs (`refs/replace/`) are not applied, so that what is
/// scanned is what a clone holds. A memory-capped cache of decoded delta
/// bases replaces gix's default of 64 entries, as git's
/// `core.deltaBaseCacheLimit` does. Called once per thread.
pub(crate) fn prepare_handle(repo: &mut gix::Repository) {
    repo.objects.ignore_replacements = true;
    repo.objects.set_pack_cache(|| {
        Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
            DELTA_BASE_CACHE,
        ))
    });
    repo.object_cache_size(None);
}

/// Bytes of decoded delta bases kept per thread.
const DELTA_BASE_CACHE: usize = 16 << 20;

/// Opens the repository that holds `path` (searching upwards, as git does).
pub fn open(path: &Path) -> Result<gix::Repository, GitError> {
    if !path.exists() {
        return Err(GitError::NotARepository {
            path: path.to_path_buf(),
            detail: "no such file or directory".into(),
        });
    }
    gix::discover(path).map_err(|e| GitError::NotARepository {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })
}

/// The directory where paths are rooted and the configuration is looked
/// for: the work tree, or the git directory of a bare repository.
pub fn root_of(repo: &gix::Repository) -> PathBuf {
    repo.workdir()
        .unwrap_or_else(|| repo.git_dir())
        .to_path_buf()
}

/// Runs a git scan. `Err` only when nothing could be scanned; unreadable
/// objects are warnings in `messages` and the scan goes on.
pub fn run(
    engine: &Engine,
    policy: Option<&Policy>,
    req: &GitRequest,
    baseline: Option<&Baseline>,
    messages: &Messages,
) -> Result<ScanOutcome, GitError> {
    if req.threads == 0 {
        return run_here(engine, policy, req, baseline, messages);
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(req.threads)
        .build()
        .map_err(|e| GitError::Repository(format!("cannot start {} threads: {e}", req.threads)))?
        .install(|| run_here(engine, policy, req, baseline, messages))
}

fn run_here(
    engine: &Engine,
    policy: Option<&Policy>,
    req: &GitRequest,
    baseline: Option<&Baseline>,
    messages: &Messages,
) -> Result<ScanOutcome, GitError> {
    let started = Instant::now();
    let mut repo = open(&req.repo)?;
    prepare_handle(&mut repo);
    let mut info = GitInfo {
        repository_uri: remote_uri(&repo),
        branch: repo
            .head_name()
            .ok()
            .flatten()
            .map(|n| n.shorten().to_string()),
        revision: repo.head_id().ok().map(|id| id.to_string()),
        ..GitInfo::default()
    };
    let (commits, jobs) = match &req.mode {
        Mode::History {
            branch,
            since,
            max_commits,
        } => {
            let h = history::collect(&repo, branch.as_deref(), *since, *max_commits, messages)?;
            info.truncated = h.truncated;
            if branch.is_some() {
                info.revision = h.tip.map(|t| t.to_string());
                info.branch = branch.clone();
            }
            (h.commits, h.jobs)
        }
        Mode::Range { spec, whole_files } => {
            let r = range::collect(&repo, spec, *whole_files, messages)?;
            info.revision = Some(r.head.to_string());
            (r.commits, r.jobs)
        }
        Mode::Staged { whole_files } => {
            let jobs = staged::collect(&repo, *whole_files, messages)?;
            (Vec::new(), jobs)
        }
    };
    info.commits = commits.len() as u64;
    if info.truncated {
        messages.warn(
            "shallow clone: history before the shallow boundary is not in this repository and was not scanned",
        );
    }
    let ctx = blobs::Context {
        engine,
        policy,
        messages,
        max_file_size: req.max_file_size,
        commits: &commits,
    };
    // Values that policy.equal pairs are compared within the final state(s).
    let compared = equal::findings(&repo, policy, engine, &req.mode, messages);
    let mut scanned = blobs::scan_blobs(&ctx, repo, jobs.list);
    scanned
        .findings
        .extend(compared.into_iter().map(|f| (f, 0)));
    let (findings, baselined) = finish(scanned.findings, baseline);
    Ok(ScanOutcome {
        findings,
        files: scanned.blobs,
        bytes: scanned.bytes,
        baselined,
        elapsed: started.elapsed(),
        git: Some(info),
        notifications: Vec::new(),
    })
}

/// One secret is reported once: among findings with the same fingerprint
/// (rule, path, secret) only those from the oldest introduction are kept, so
/// a secret added in one commit and carried by every later version of its
/// file is blamed on that commit alone. Then sorted, then the baseline.
fn finish(found: Vec<(Finding, u32)>, baseline: Option<&Baseline>) -> (Vec<Finding>, usize) {
    let mut oldest: HashMap<&str, u32> = HashMap::new();
    for (f, order) in &found {
        let e = oldest.entry(f.fingerprint.as_str()).or_insert(*order);
        *e = (*e).min(*order);
    }
    let keep: Vec<bool> = found
        .iter()
        .map(|(f, order)| oldest.get(f.fingerprint.as_str()) == Some(order))
        .collect();
    let mut findings: Vec<Finding> = found
        .into_iter()
        .zip(keep)
        .filter_map(|((f, _), k)| k.then_some(f))
        .collect();
    findings.sort_by(|a, b| {
        let origin = |f: &Finding| {
            f.origin
                .as_ref()
                .map(|o| (o.date.clone(), o.commit.clone()))
        };
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| origin(a).cmp(&origin(b)))
    });
    findings.dedup_by(|a, b| {
        a.sort_key() == b.sort_key() && a.fingerprint == b.fingerprint && a.origin == b.origin
    });
    let before = findings.len();
    if let Some(b) = baseline {
        findings.retain(|f| !b.contains(f));
    }
    let baselined = before - findings.len();
    (findings, baselined)
}

/// `remote.origin.url` (or the only remote's) as an absolute URI without
/// credentials, for SARIF's `versionControlProvenance`. Read from the
/// repository's configuration only: no network.
fn remote_uri(repo: &gix::Repository) -> Option<String> {
    let config = repo.config_snapshot();
    let url = config.string("remote.origin.url").or_else(|| {
        let names = repo.remote_names();
        let only = names.iter().next().filter(|_| names.len() == 1)?;
        config.string(format!("remote.{only}.url").as_str())
    })?;
    to_uri(&url.to_string())
}

/// Turns a git remote URL into an absolute URI with the user information
/// removed (it may hold a token): `https://tok@host/o/r` becomes
/// `https://host/o/r`, `git@host:o/r.git` becomes `ssh://host/o/r.git`.
/// Local paths give `None`: they mean nothing to a SARIF consumer.
pub fn to_uri(url: &str) -> Option<String> {
    let url = url.trim();
    if let Some((scheme, rest)) = url.split_once("://") {
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            || scheme == "file"
        {
            return None;
        }
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let host = authority.rsplit('@').next().unwrap_or(authority);
        if host.is_empty() {
            return None;
        }
        return Some(format!("{scheme}://{host}{path}"));
    }
    // scp-like syntax: [user@]host:path, where host has no slash.
    let (authority, path) = url.split_once(':')?;
    if authority.contains('/') || path.starts_with("//") {
        return None;
    }
    let host = authority.rsplit('@').next().unwrap_or(authority);
    if host.is_empty() || path.is_empty() {
        return None;
    }
    Some(format!("ssh://{host}/{}", path.trim_start_matches('/')))
}

#[cfg(test)]
mod tests {
    use super::to_uri;

    #[test]
    fn remote_urls_become_credential_free_uris() {
        // Assembled, so that the self-scan does not take it for a real credential URL.
        let with_token = format!("https://user:{}@github.com/o/r.git", "tok");
        assert_eq!(
            to_uri(&with_token).as_deref(),
            Some("https://github.com/o/r.git")
        );
        assert_eq!(
            to_uri("git@github.com:o/r.git").as_deref(),
            Some("ssh://github.com/o/r.git")
        );
        assert_eq!(
            to_uri("ssh://git@host:22/o/r").as_deref(),
            Some("ssh://host:22/o/r")
        );
        assert_eq!(to_uri("/srv/git/r.git"), None);
        assert_eq!(to_uri("file:///srv/git/r.git"), None);
        assert_eq!(to_uri("../r"), None);
    }
}
