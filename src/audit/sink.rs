//! Where audit lines go: a file opened for appending (created with mode 0600), or stderr. Each
//! line is one `write` of the whole line, so lines from concurrent calls never interleave and,
//! with `O_APPEND`, always land at the end, also after the file was truncated.

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Mutex;

use crate::config::AuditLog;

pub(super) enum Sink {
    Stderr,
    /// The file at `path`; `None` until it opens.
    File {
        path: PathBuf,
        file: Mutex<Option<File>>,
    },
}

impl Sink {
    pub(super) fn new(target: &AuditLog) -> Self {
        match target {
            AuditLog::Stderr => Sink::Stderr,
            AuditLog::File(path) => Sink::File {
                path: path.clone(),
                file: Mutex::new(None),
            },
        }
    }

    pub(super) fn is_file(&self) -> bool {
        matches!(self, Sink::File { .. })
    }

    /// Opens the file if it is not open yet.
    pub(super) fn open(&self) -> io::Result<()> {
        if let Sink::File { path, file } = self {
            let mut file = lock(file);
            if file.is_none() {
                *file = Some(open(path)?);
            }
        }
        Ok(())
    }

    /// Opens the file at its path afresh (after it was moved away); the old one is closed.
    pub(super) fn reopen(&self) -> io::Result<()> {
        if let Sink::File { path, file } = self {
            let fresh = open(path);
            let mut file = lock(file);
            // A path that cannot be opened now leaves the trail closed: refused, not lost.
            *file = None;
            *file = Some(fresh?);
        }
        Ok(())
    }

    /// Writes `line` whole and flushes it to the operating system.
    pub(super) fn write(&self, line: &[u8]) -> io::Result<()> {
        match self {
            Sink::Stderr => {
                let mut stderr = io::stderr().lock();
                stderr.write_all(line)?;
                stderr.flush()
            }
            Sink::File { path, file } => {
                let mut file = lock(file);
                if file.is_none() {
                    *file = Some(open(path)?);
                }
                let Some(open) = file.as_mut() else {
                    return Err(io::Error::other("the audit log is not open"));
                };
                open.write_all(line)?;
                open.flush()
            }
        }
    }
}

fn open(path: &PathBuf) -> io::Result<File> {
    let mut options = File::options();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// The lock, also after a panic elsewhere poisoned it (the file handle stays sound).
fn lock(file: &Mutex<Option<File>>) -> std::sync::MutexGuard<'_, Option<File>> {
    file.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
