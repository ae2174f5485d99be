//! Non-fatal problems met during a scan (unreadable files, skipped binaries):
//! printed to stderr as they happen, counted, never aborting the scan.

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Messages {
    verbose: bool,
    quiet: bool,
    warnings: AtomicUsize,
    lock: Mutex<()>,
}

impl Messages {
    pub fn new(verbose: bool, quiet: bool) -> Messages {
        Messages {
            verbose,
            quiet,
            warnings: AtomicUsize::new(0),
            lock: Mutex::new(()),
        }
    }

    /// Something the user should know: the scan is incomplete for this item.
    pub fn warn(&self, msg: impl AsRef<str>) {
        self.warnings.fetch_add(1, Ordering::Relaxed);
        if !self.quiet {
            self.print("warning", msg.as_ref());
        }
    }

    /// Something skipped on purpose (binary, too large): shown with `--verbose`.
    pub fn note(&self, msg: impl AsRef<str>) {
        if self.verbose && !self.quiet {
            self.print("note", msg.as_ref());
        }
    }

    pub fn warnings(&self) -> usize {
        self.warnings.load(Ordering::Relaxed)
    }

    fn print(&self, level: &str, msg: &str) {
        let _guard = self.lock.lock();
        let _ = writeln!(std::io::stderr().lock(), "keywarden: {level}: {msg}");
    }
}
