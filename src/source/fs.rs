//! Files and directories on disk, walked in parallel with the `ignore` crate
//! (gitignore semantics). The walker is the thread pool: each of its threads
//! reads a file and hands the bytes to the caller's closure.

use super::Messages;
use ignore::{WalkBuilder, WalkState};
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

/// How much of a file's start is checked for a NUL byte (binary detection).
const BINARY_PROBE: usize = 8 * 1024;

#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub no_ignore: bool,
    pub follow_symlinks: bool,
    pub max_file_size: u64,
    pub threads: usize,
}

/// A read buffer larger than this is not kept for the next file.
const KEEP_BUFFER: usize = 16 << 20;

/// Walks `roots` and, for every file, asks `name(path)` how to call it
/// (`None`: skip it unread), then calls `visit(name, bytes)` for the text
/// files, from several threads. Problems are reported to `messages` and the
/// walk goes on.
pub fn walk<N, F>(roots: &[PathBuf], opts: &WalkOptions, name: N, messages: &Messages, visit: F)
where
    N: Fn(&Path) -> Option<String> + Sync,
    F: Fn(&str, &[u8]) + Sync,
{
    let Some((first, rest)) = roots.split_first() else {
        return;
    };
    let mut b = WalkBuilder::new(first);
    for r in rest {
        b.add(r);
    }
    b.hidden(false)
        .parents(!opts.no_ignore)
        .ignore(!opts.no_ignore)
        .git_ignore(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .require_git(false)
        .follow_links(opts.follow_symlinks)
        .threads(opts.threads)
        .filter_entry(|e| e.file_name() != ".git");
    b.build_parallel().run(|| {
        // One buffer per walker thread, reused from file to file: a fresh
        // allocation per file costs page faults that show in the profile.
        let mut buf: Vec<u8> = Vec::new();
        let visit = &visit;
        let name = &name;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    report_walk_error(&err, messages);
                    return WalkState::Continue;
                }
            };
            if let Some(err) = entry.error() {
                report_walk_error(err, messages);
            }
            let is_file = entry.file_type().is_some_and(|t| t.is_file())
                || (entry.depth() == 0 && entry.path().is_file());
            if !is_file {
                return WalkState::Continue;
            }
            let path = entry.path();
            let Some(shown) = name(path) else {
                return WalkState::Continue;
            };
            if read_file(path, opts.max_file_size, messages, &mut buf) {
                visit(&shown, &buf);
            }
            if buf.capacity() > KEEP_BUFFER {
                buf = Vec::new();
            }
            WalkState::Continue
        })
    });
}

fn report_walk_error(err: &ignore::Error, messages: &Messages) {
    // ignore's messages already name the path (and the line of a bad ignore file).
    messages.warn(err.to_string());
}

/// Reads a file into `buf` unless it is too large or binary; failures become
/// warnings. Returns whether `buf` now holds the file's content.
pub fn read_file(path: &Path, max_size: u64, messages: &Messages, buf: &mut Vec<u8>) -> bool {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            messages.warn(format!("{}: cannot read: {e}", path.display()));
            return false;
        }
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > max_size {
        messages.note(format!(
            "{}: skipped: {len} bytes is over --max-file-size ({max_size} bytes)",
            path.display()
        ));
        return false;
    }
    // Read exactly the size stat reported (one read call for most files); a
    // file that shrank meanwhile, or reports no size (procfs), is read to its end.
    // The reused buffer is only zeroed where it grows: read_exact overwrites
    // the rest, so stale bytes never reach the engine.
    buf.resize(len as usize, 0);
    let read = match file.read_exact(buf) {
        Ok(()) if len == 0 => file
            .by_ref()
            .take(max_size + 1)
            .read_to_end(buf)
            .map(|_| ()),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            buf.clear();
            file.rewind()
                .and_then(|()| file.by_ref().take(max_size + 1).read_to_end(buf))
                .map(|_| ())
        }
        other => other,
    };
    if let Err(e) = read {
        messages.warn(format!("{}: cannot read: {e}", path.display()));
        return false;
    }
    if buf.len() as u64 > max_size {
        messages.note(format!(
            "{}: skipped: grew over --max-file-size while being read",
            path.display()
        ));
        return false;
    }
    if is_binary(buf) {
        messages.note(format!("{}: skipped: binary file", path.display()));
        return false;
    }
    true
}

/// A NUL byte near the start means binary, as git and ripgrep decide.
pub fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(BINARY_PROBE)]).is_some()
}
