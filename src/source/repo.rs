//! What the repository checks need from disk and git: the files under a
//! directory whose names say they hold secrets (ignored ones included), which
//! of them git tracks (the index, read with gix), which committed `.gitignore`
//! covers them, and their permission bits.

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A git work tree and what is known about its files.
pub struct WorkTree {
    pub root: PathBuf,
    tracked: HashSet<String>,
    /// One matcher per directory that has a `.gitignore` (by relative dir).
    ignores: std::sync::Mutex<HashMap<String, Option<Gitignore>>>,
}

/// Directories never worth descending into when looking for secrets files.
const HEAVY_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "target",
    ".venv",
    "venv",
    "__pycache__",
    ".terraform",
    ".tox",
    ".mypy_cache",
    ".gradle",
];

impl WorkTree {
    /// The work tree holding `dir`, if it is in one. Errors reading the
    /// index are returned as text for a warning.
    pub fn discover(dir: &Path) -> Result<Option<WorkTree>, String> {
        let Ok(repo) = gix::discover(dir) else {
            return Ok(None);
        };
        let Some(root) = repo.workdir().map(Path::to_path_buf) else {
            return Ok(None);
        };
        let index = repo
            .index_or_empty()
            .map_err(|e| format!("{}: cannot read the git index: {e}", root.display()))?;
        let tracked = index
            .entries()
            .iter()
            .map(|e| e.path(&index).to_string())
            .collect();
        Ok(Some(WorkTree {
            root,
            tracked,
            ignores: std::sync::Mutex::new(HashMap::new()),
        }))
    }

    /// `path` relative to the work tree, `/`-separated.
    pub fn relative(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.root).ok()?;
        let s = rel.to_str()?.replace('\\', "/");
        Some(s.trim_start_matches("./").to_string())
    }

    pub fn is_tracked(&self, rel: &str) -> bool {
        self.tracked.contains(rel)
    }

    /// True if a committed `.gitignore` (any level, git's precedence: the
    /// deepest match wins, a directory match covers what is below it) ignores `rel`.
    pub fn is_ignored(&self, rel: &str, is_dir: bool) -> bool {
        let parts: Vec<&str> = rel.split('/').collect();
        // A path is ignored if it, or any directory above it, is.
        for depth in 1..parts.len() {
            if self.matched(&parts[..depth].join("/"), true) == Some(true) {
                return true;
            }
        }
        self.matched(rel, is_dir) == Some(true)
    }

    /// The deepest `.gitignore` verdict for exactly `rel`.
    fn matched(&self, rel: &str, is_dir: bool) -> Option<bool> {
        let parts: Vec<&str> = rel.split('/').collect();
        let mut verdict = None;
        for depth in 0..parts.len() {
            let dir = parts[..depth].join("/");
            let Some(gi) = self.gitignore(&dir) else {
                continue;
            };
            let m = gi.matched(self.root.join(rel), is_dir);
            if m.is_ignore() {
                verdict = Some(true);
            } else if m.is_whitelist() {
                verdict = Some(false);
            }
        }
        verdict
    }

    fn gitignore(&self, dir: &str) -> Option<Gitignore> {
        let mut cache = self.ignores.lock().ok()?;
        cache
            .entry(dir.to_string())
            .or_insert_with(|| {
                let d = self.root.join(dir);
                let file = d.join(".gitignore");
                if !file.is_file() {
                    return None;
                }
                let mut b = GitignoreBuilder::new(&d);
                // A broken line is skipped, as git does; the rest still applies.
                let _ = b.add(&file);
                b.build().ok()
            })
            .clone()
    }

    /// Files under `dir` (ignored ones included) whose relative path passes
    /// `wanted`. Heavy dependency and build directories are skipped.
    pub fn find_files(&self, dir: &Path, wanted: impl Fn(&str) -> bool) -> Vec<(PathBuf, String)> {
        let mut out = Vec::new();
        let walker = ignore::WalkBuilder::new(dir)
            .standard_filters(false)
            .hidden(false)
            .follow_links(false)
            .filter_entry(|e| {
                !(e.file_type().is_some_and(|t| t.is_dir())
                    && e.file_name()
                        .to_str()
                        .is_some_and(|n| HEAVY_DIRS.contains(&n)))
            })
            .build();
        for entry in walker.flatten() {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            if let Some(rel) = self.relative(entry.path())
                && wanted(&rel)
            {
                out.push((entry.path().to_path_buf(), rel));
            }
        }
        out
    }
}

/// Unix permission bits of a file, `None` elsewhere.
pub fn mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).ok().map(|m| m.permissions().mode())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}
