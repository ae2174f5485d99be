//! Runs a scan: sources feed the engine, findings are collected, sorted and
//! filtered through the baseline. Printing is left to `report`.

use crate::engine::Engine;
use crate::finding::{Finding, normalize_path};
use crate::policy::{ChartDefaults, FileContext, Notification, Policy};
use crate::source::Messages;
use crate::source::fs::{self, WalkOptions};
use crate::source::repo::WorkTree;
use crate::suppress::Baseline;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What to scan.
pub struct ScanRequest {
    /// Files and directories; `-` is stdin.
    pub paths: Vec<PathBuf>,
    /// Paths in findings are made relative to this directory when under it.
    pub root: PathBuf,
    pub walk: WalkOptions,
    /// Name under which stdin content is reported.
    pub stdin_name: String,
}

#[derive(Debug, Default)]
pub struct ScanOutcome {
    pub findings: Vec<Finding>,
    pub files: u64,
    pub bytes: u64,
    pub baselined: usize,
    pub elapsed: Duration,
    /// Set by git scans: commits scanned and where the scan was done.
    pub git: Option<crate::git::GitInfo>,
    /// Problems with files that are not findings (YAML that does not parse).
    pub notifications: Vec<Notification>,
}

pub fn run(
    engine: &Engine,
    policy: Option<&Policy>,
    req: &ScanRequest,
    baseline: Option<&Baseline>,
    messages: &Messages,
) -> ScanOutcome {
    let started = Instant::now();
    let found = Mutex::new(Vec::new());
    let files = AtomicU64::new(0);
    let bytes = AtomicU64::new(0);
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = absolute(&cwd, &req.root);

    let observed = Mutex::new(Vec::new());
    let notifications = Mutex::new(Vec::new());
    let charts = ChartCache::default();
    let references = Mutex::new(Vec::new());
    // The git work trees the scanned paths are in, for the repository checks.
    let trees: std::sync::OnceLock<Vec<WorkTree>> = std::sync::OnceLock::new();
    let repo_checks_on = policy.is_some_and(Policy::repo_checks_active);
    let work_trees = || trees.get_or_init(|| discover_trees(&req.paths, &cwd, messages));
    let missing_reference = |from: &str, target: &str| -> Option<String> {
        // Outside any work tree there is no `.gitignore` to check against.
        if work_trees().is_empty() {
            return None;
        }
        let from_abs = absolute(&cwd, &root.join(from));
        let target = lexical_normal(&chart_dir(&from_abs).join(target));
        let wt = work_trees().iter().find(|t| target.starts_with(&t.root))?;
        if target.exists() {
            return None;
        }
        let rel = wt.relative(&target)?;
        (!wt.is_ignored(&rel, false)).then_some(rel)
    };
    let scan_blob = |shown: &str, data: &[u8]| {
        files.fetch_add(1, Ordering::Relaxed);
        bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
        let kind = policy.map(|p| p.kind(shown));
        let want = policy
            .zip(kind)
            .is_some_and(|(p, k)| p.wants_hints(k, data.len()));
        // Values files hold dozens of hint words: no regrowing from empty.
        let mut hints = Vec::with_capacity(if want { 128 } else { 0 });
        let mut f = engine.scan_hinted(shown, data, want.then_some(&mut hints));
        if let Some(p) = policy {
            let chart_of = || charts.defaults_for(&absolute(&cwd, &root.join(shown)));
            let fcx = FileContext {
                hints: want.then_some(&mut hints),
                chart: kind
                    .is_some_and(|k| p.wants_chart_defaults(k))
                    .then_some(&chart_of as _),
                missing_reference: repo_checks_on.then_some(&missing_reference as _),
                kind,
            };
            let mut report = p.check(shown, data, engine, fcx);
            for n in &report.notes {
                messages.note(n);
            }
            if !report.warnings.is_empty() {
                for w in &report.warnings {
                    messages.warn(w.to_string());
                }
                if let Ok(mut n) = notifications.lock() {
                    n.append(&mut report.warnings);
                }
            }
            if !report.observed.is_empty()
                && let Ok(mut o) = observed.lock()
            {
                o.append(&mut report.observed);
            }
            if !report.references.is_empty()
                && let Ok(mut r) = references.lock()
            {
                r.append(&mut report.references);
            }
            report.merge_into(engine, &mut f, data);
        }
        if !f.is_empty()
            && let Ok(mut all) = found.lock()
        {
            all.extend(f);
        }
    };

    let mut roots = Vec::new();
    for p in &req.paths {
        if p.as_os_str() == "-" {
            let mut data = Vec::new();
            match std::io::stdin().lock().read_to_end(&mut data) {
                Ok(_) if fs::is_binary(&data) => messages.note("<stdin>: skipped: binary input"),
                Ok(_) => scan_blob(&req.stdin_name, &data),
                Err(e) => messages.warn(format!("<stdin>: cannot read: {e}")),
            }
        } else if p.symlink_metadata().is_err() {
            messages.warn(format!("{}: no such file or directory", p.display()));
        } else if p.is_file() {
            // Named files are always scanned (unless allowlisted), even if ignored.
            let shown = display_path(&cwd, &root, p);
            if engine.path_allowed(&shown) {
                continue;
            }
            let mut data = Vec::new();
            if fs::read_file(p, req.walk.max_file_size, messages, &mut data) {
                scan_blob(&shown, &data);
            }
        } else {
            roots.push(p.clone());
        }
    }
    // Display names are computed once per walk root and extended per file,
    // not rebuilt from the absolute path for each of thousands of files.
    let prefixes: Vec<(PathBuf, String)> = roots
        .iter()
        .map(|r| (r.clone(), display_path(&cwd, &root, r)))
        .collect();
    let name = |p: &Path| {
        let shown = prefixes
            .iter()
            .find_map(|(r, shown)| {
                let rest = p.strip_prefix(r).ok()?.to_str()?;
                Some(join_display(shown, rest))
            })
            .unwrap_or_else(|| display_path(&cwd, &root, p));
        (!engine.path_allowed(&shown)).then_some(shown)
    };
    fs::walk(&roots, &req.walk, name, messages, |shown, data| {
        scan_blob(shown, data)
    });

    let mut findings = found.into_inner().unwrap_or_default();
    if let Some(p) = policy {
        findings.extend(p.finish(&observed.into_inner().unwrap_or_default()));
        let refs = references.into_inner().unwrap_or_default();
        if repo_checks_on {
            findings.extend(repo_checks(
                p,
                engine,
                work_trees(),
                &roots,
                &root,
                &cwd,
                &refs,
                req,
                messages,
            ));
        }
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let before = findings.len();
    if let Some(b) = baseline {
        findings.retain(|f| !b.contains(f));
    }
    ScanOutcome {
        baselined: before - findings.len(),
        findings,
        files: files.into_inner(),
        bytes: bytes.into_inner(),
        elapsed: started.elapsed(),
        git: None,
        notifications: {
            let mut n = notifications.into_inner().unwrap_or_default();
            n.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
            n
        },
    }
}

/// The git work trees holding the scanned paths (each once).
fn discover_trees(paths: &[PathBuf], cwd: &Path, messages: &Messages) -> Vec<WorkTree> {
    let mut out: Vec<WorkTree> = Vec::new();
    for p in paths.iter().filter(|p| p.as_os_str() != "-") {
        let abs = absolute(cwd, p);
        let dir = if abs.is_dir() {
            abs.as_path()
        } else {
            abs.parent().unwrap_or(&abs)
        };
        if out.iter().any(|t| dir.starts_with(&t.root)) {
            continue;
        }
        match WorkTree::discover(dir) {
            Ok(Some(wt)) => out.push(wt),
            Ok(None) => {}
            Err(e) => messages.warn(e),
        }
    }
    out
}

/// The repository checks (secrets files tracked, not ignored, readable by
/// others) for the walked directories and named files that are in a git
/// work tree, and for existing files that values files name in `secretsFiles`.
#[allow(clippy::too_many_arguments)]
fn repo_checks(
    policy: &Policy,
    engine: &Engine,
    trees: &[WorkTree],
    roots: &[PathBuf],
    root: &Path,
    cwd: &Path,
    references: &[crate::policy::repo::Reference],
    req: &ScanRequest,
    messages: &Messages,
) -> Vec<Finding> {
    use crate::policy::repo::{self, Status};
    use crate::source::repo::mode;
    let mut out = Vec::new();
    if trees.is_empty() {
        // Outside git there is nothing tracked and no `.gitignore` to judge.
        return out;
    }
    let mut seen = std::collections::HashSet::new();
    let vocab = policy.vocabulary();
    let max = req.walk.max_file_size;
    let tree_of = |p: &Path| trees.iter().find(|t| p.starts_with(&t.root));
    let mut judge = |path: &Path, out: &mut Vec<Finding>| {
        let Some(wt) = tree_of(path) else { return };
        let Some(rel) = wt.relative(path) else { return };
        let shown = display_path(cwd, root, path);
        if !seen.insert(shown.clone()) || engine.path_allowed(&shown) {
            return;
        }
        let status = if wt.is_tracked(&rel) {
            Status::Tracked
        } else if wt.is_ignored(&rel, false) {
            Status::Ignored
        } else {
            Status::NotIgnored
        };
        let mut data = Vec::new();
        if !fs::read_file(path, max, messages, &mut data)
            || !repo::content_is_secret(&rel, &data, vocab)
        {
            return;
        }
        if let Some(f) = policy.secrets_file_finding(&shown, status, mode(path), &data) {
            out.push(f);
        }
    };
    // Named files (a pre-commit run passes the staged ones) are judged too.
    for p in req.paths.iter().filter(|p| p.is_file()) {
        let abs = absolute(cwd, p);
        let named = tree_of(&abs)
            .and_then(|wt| wt.relative(&abs))
            .is_some_and(|rel| repo::is_secrets_file_name(&rel));
        if named {
            judge(&abs, &mut out);
        }
    }
    for dir in roots {
        let dir = absolute(cwd, dir);
        let Some(wt) = tree_of(&dir) else { continue };
        for (path, _) in wt.find_files(&dir, repo::is_secrets_file_name) {
            judge(&path, &mut out);
        }
    }
    for r in references {
        let from = absolute(cwd, &root.join(&r.from));
        let target = lexical_normal(&chart_dir(&from).join(&r.target));
        if target.is_file() {
            judge(&target, &mut out);
        }
    }
    out
}

/// Charts' default values, read once per chart directory.
#[derive(Default)]
struct ChartCache {
    by_dir: Mutex<std::collections::HashMap<PathBuf, Option<std::sync::Arc<ChartDefaults>>>>,
}

impl ChartCache {
    /// The defaults of the chart holding `values_file`: `values.yaml` next
    /// to the nearest `Chart.yaml` above it.
    fn defaults_for(&self, values_file: &Path) -> Option<std::sync::Arc<ChartDefaults>> {
        let dir = values_file
            .parent()?
            .ancestors()
            .find(|d| d.join("Chart.yaml").is_file())?
            .to_path_buf();
        if let Ok(cache) = self.by_dir.lock()
            && let Some(hit) = cache.get(&dir)
        {
            return hit.clone();
        }
        let defaults = std::fs::read_to_string(dir.join("values.yaml"))
            .ok()
            .map(|t| std::sync::Arc::new(ChartDefaults::from_values(&t)));
        if let Ok(mut cache) = self.by_dir.lock() {
            cache.insert(dir, defaults.clone());
        }
        defaults
    }
}

/// The chart directory of a values file: the nearest directory above it
/// holding `Chart.yaml`, else its own directory.
fn chart_dir(values_file: &Path) -> PathBuf {
    let own = values_file.parent().unwrap_or(values_file);
    own.ancestors()
        .find(|d| d.join("Chart.yaml").is_file())
        .unwrap_or(own)
        .to_path_buf()
}

/// `a/b/../c` → `a/c`, without touching the filesystem.
fn lexical_normal(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Joins a root's display name and a path below it with `/`.
fn join_display(shown_root: &str, rest: &str) -> String {
    let rest = if std::path::MAIN_SEPARATOR == '/' {
        rest.to_string()
    } else {
        rest.replace(std::path::MAIN_SEPARATOR, "/")
    };
    if rest.is_empty() {
        shown_root.to_string()
    } else if shown_root.is_empty() || shown_root == "." {
        rest
    } else {
        format!("{}/{rest}", shown_root.trim_end_matches('/'))
    }
}

/// `path` relative to `root` when it is under it, else as given; forward slashes.
pub fn display_path(cwd: &Path, root: &Path, path: &Path) -> String {
    let abs = absolute(cwd, path);
    let shown = match abs.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => path.to_path_buf(),
    };
    normalize_path(&shown.to_string_lossy()).into_owned()
}

/// Lexically absolute path: joined to `cwd`, `.` and `..` resolved, links not followed.
pub fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The directory that paths are shown relative to and the config is found
/// in: the git work tree holding the first path, else the current directory.
pub fn find_root(cwd: &Path, first: Option<&Path>) -> PathBuf {
    let start = match first {
        Some(p) if p.as_os_str() != "-" => absolute(cwd, p),
        _ => cwd.to_path_buf(),
    };
    let start_dir = if start.is_file() {
        start.parent().map(Path::to_path_buf).unwrap_or(start)
    } else {
        start
    };
    let mut dir = Some(start_dir.as_path());
    while let Some(d) = dir {
        if d.join(".git").exists() {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    cwd.to_path_buf()
}
