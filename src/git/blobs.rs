//! Reads each blob once, in parallel, passes it to [`super::analyze`] and
//! turns what comes back into findings with their origin, keeping only
//! those on added lines where a place asks for that. Blobs are never all in
//! memory at once: each worker holds the one it is scanning.

use super::objects::{self, ObjectError};
use super::{AddedLines, Base, BlobJob, CommitMeta, Place, analyze};
use crate::engine::Engine;
use crate::finding::{Finding, Origin};
use crate::source::Messages;
use crate::source::fs::is_binary;
use gix::objs::Kind;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

pub(crate) struct Context<'a> {
    pub engine: &'a Engine,
    pub policy: Option<&'a crate::policy::Policy>,
    pub messages: &'a Messages,
    pub max_file_size: u64,
    pub commits: &'a [CommitMeta],
}

pub(crate) struct Scanned {
    /// Each finding with the order of its commit (oldest first; the index is 0).
    pub findings: Vec<(Finding, u32)>,
    pub blobs: u64,
    pub bytes: u64,
}

/// Per-worker state: a thread-local repository handle (its own object and
/// delta caches) and read buffers reused from blob to blob.
struct Worker {
    repo: gix::Repository,
    buf: Vec<u8>,
    old_buf: Vec<u8>,
}

/// A read buffer larger than this is not kept for the next blob.
const KEEP_BUFFER: usize = 16 << 20;

pub(crate) fn scan_blobs(
    ctx: &Context<'_>,
    repo: gix::Repository,
    mut jobs: Vec<BlobJob>,
) -> Scanned {
    pack_order(&repo, &mut jobs);
    let repo = repo.into_sync();
    let blobs = AtomicU64::new(0);
    let bytes = AtomicU64::new(0);
    let work = || {
        jobs.par_iter()
            .map_init(
                || {
                    let mut local = repo.to_thread_local();
                    super::prepare_handle(&mut local);
                    Worker {
                        repo: local,
                        buf: Vec::new(),
                        old_buf: Vec::new(),
                    }
                },
                |w, job| {
                    let found = scan_job(ctx, w, job, &blobs, &bytes);
                    if w.buf.capacity() > KEEP_BUFFER {
                        w.buf = Vec::new();
                    }
                    found
                },
            )
            .flatten_iter()
            .collect::<Vec<_>>()
    };
    let findings = work();
    Scanned {
        findings,
        blobs: blobs.into_inner(),
        bytes: bytes.into_inner(),
    }
}

/// Sorts blobs by where they lie in their pack. Git stores a file's
/// versions as chains of deltas; reading them in pack order finds each
/// delta's base freshly decoded in the cache instead of re-inflating the
/// whole chain, which is most of the cost of reading history. Loose objects
/// and anything not found go last, in their original order.
///
/// Asking for each blob's location inflates its entry (to learn its size),
/// a few microseconds per blob. With many blobs (a history scan), the first
/// blob found in a pack names that pack, whose whole index is then matched
/// against the blobs (both sorted by id), some tens of nanoseconds per entry.
fn pack_order(repo: &gix::Repository, jobs: &mut Vec<BlobJob>) {
    use gix::odb::pack::Find;
    let mut handle = repo.objects.clone();
    // Required by `location_by_oid`: pack ids must stay valid meanwhile.
    handle.prevent_pack_unload();
    handle.ignore_replacements = true;
    let whole_index = handle
        .packed_object_count()
        .is_ok_and(|n| (jobs.len() as u64).saturating_mul(INDEX_ENTRIES_PER_LOOKUP) >= n);
    let mut buf = Vec::new();
    let mut by_id: Vec<u32> = (0..jobs.len() as u32).collect();
    by_id.sort_unstable_by_key(|&i| jobs[i as usize].id);
    let mut keys: Vec<Option<(u32, u64)>> = vec![None; jobs.len()];
    let mut packs_read: Vec<u32> = Vec::new();
    let mut unknown = 0u64;
    for i in 0..jobs.len() {
        if keys[i].is_some() {
            continue;
        }
        let Ok(Some(l)) = (*handle).location_by_oid(&jobs[i].id, &mut buf) else {
            unknown += 1;
            keys[i] = Some((u32::MAX, unknown));
            continue;
        };
        keys[i] = Some((l.pack_id, l.pack_offset));
        if !whole_index || packs_read.contains(&l.pack_id) {
            continue;
        }
        packs_read.push(l.pack_id);
        let Ok(Some(mut entries)) = (*handle).pack_offsets_and_oid(l.pack_id) else {
            continue;
        };
        if !entries.is_sorted_by(|a, b| a.1 <= b.1) {
            entries.sort_unstable_by_key(|e| e.1);
        }
        let mut entries = entries.iter().peekable();
        for &j in &by_id {
            let id = &jobs[j as usize].id;
            while entries.next_if(|e| e.1 < *id).is_some() {}
            match entries.peek() {
                Some(e) if e.1 == *id => {
                    keys[j as usize].get_or_insert((l.pack_id, e.0));
                }
                Some(_) => {}
                None => break,
            }
        }
    }
    let mut keyed: Vec<((u32, u64), BlobJob)> = keys
        .into_iter()
        .map(|k| k.unwrap_or((u32::MAX, u64::MAX)))
        .zip(jobs.drain(..))
        .collect();
    keyed.sort_unstable_by_key(|(k, _)| *k);
    jobs.extend(keyed.into_iter().map(|(_, j)| j));
}

/// Reading this many pack index entries costs about as much as one
/// location lookup.
const INDEX_ENTRIES_PER_LOOKUP: u64 = 50;

fn scan_job(
    ctx: &Context<'_>,
    w: &mut Worker,
    job: &BlobJob,
    blobs: &AtomicU64,
    bytes: &AtomicU64,
) -> Vec<(Finding, u32)> {
    // The path the blob is scanned under first: its oldest place that the
    // configuration does not allow wholesale.
    let Some(primary) = job
        .places
        .iter()
        .position(|p| !ctx.engine.path_allowed(&p.path))
    else {
        return Vec::new();
    };
    let first = &job.places[primary];
    match w.repo.try_find_header(job.id) {
        Ok(Some(h)) if h.size() > ctx.max_file_size => {
            ctx.messages.note(format!(
                "{} (blob {}): skipped: {} bytes is over --max-file-size ({} bytes)",
                first.path,
                job.id,
                h.size(),
                ctx.max_file_size
            ));
            return Vec::new();
        }
        _ => {}
    }
    let data = match objects::read(&w.repo, &job.id, Kind::Blob, &mut w.buf) {
        Ok(d) => d,
        Err(e) => {
            ctx.messages
                .warn(format!("{}: {e}; not scanned", first.path));
            return Vec::new();
        }
    };
    if is_binary(data) {
        ctx.messages.note(format!(
            "{} (blob {}): skipped: binary file",
            first.path, job.id
        ));
        return Vec::new();
    }
    blobs.fetch_add(1, Ordering::Relaxed);
    bytes.fetch_add(data.len() as u64, Ordering::Relaxed);

    let found = analyze(ctx.engine, ctx.policy, &first.path, data, ctx.messages);
    let mut out = Vec::new();
    for (i, place) in job.places.iter().enumerate().skip(primary) {
        let same_path = place.path == first.path;
        let findings = if i == primary || same_path {
            found.clone()
        } else if !found.is_empty() || base_name(&place.path) != base_name(&first.path) {
            // Fingerprints, allowlists and path-scoped rules depend on the
            // path. A blob with nothing found that only moved to another
            // directory is not scanned again: path-scoped rules look at
            // file names.
            analyze(ctx.engine, ctx.policy, &place.path, data, ctx.messages)
        } else {
            Vec::new()
        };
        if findings.is_empty() {
            continue;
        }
        let added = match added_lines(ctx, &w.repo, &mut w.old_buf, place, data) {
            Some(a) => a,
            None => continue,
        };
        let order = place.commit.unwrap_or(0);
        for mut f in findings {
            if let Some(a) = &added
                && !a.touches(f.start_line, f.end_line)
            {
                continue;
            }
            f.origin = place.commit.map(|c| origin(&ctx.commits[c as usize]));
            out.push((f, order));
        }
    }
    out
}

/// `Some(None)`: every finding counts; `Some(Some(lines))`: only those on
/// these lines; `None`: nothing at this place is new.
fn added_lines(
    ctx: &Context<'_>,
    repo: &gix::Repository,
    old_buf: &mut Vec<u8>,
    place: &Place,
    data: &[u8],
) -> Option<Option<AddedLines>> {
    let Base::Olds(olds) = &place.base else {
        return Some(None);
    };
    let mut added: Option<AddedLines> = None;
    for old in olds {
        let lines = match old {
            None => AddedLines::all(),
            Some(id) => match objects::read(repo, id, Kind::Blob, old_buf) {
                Ok(old_data) => AddedLines::between(old_data, data),
                Err(e) => {
                    warn_old(ctx, place, &e);
                    AddedLines::all()
                }
            },
        };
        added = Some(match added {
            None => lines,
            Some(a) => a.intersect(&lines),
        });
    }
    match added {
        Some(a) if a.is_empty() => None,
        a => Some(a),
    }
}

fn warn_old(ctx: &Context<'_>, place: &Place, e: &ObjectError) {
    ctx.messages.warn(format!(
        "{}: previous version unreadable ({e}); all its lines are treated as added",
        place.path
    ));
}

fn origin(c: &CommitMeta) -> Origin {
    Origin {
        commit: c.id.to_string(),
        author_name: c.data.author_name.clone(),
        author_email: c.data.author_email.clone(),
        date: c.data.date.clone(),
    }
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}
