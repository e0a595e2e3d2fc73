//! `paja backup` and `paja restore`: one `.tar.gz` of every session and series in a data
//! directory, taken while a server runs on it, without stopping it and without its help.
//!
//! ```text
//! paja-backup.json                 the manifest (first): format, version, created_at, sessions' seqs
//! sessions/<slug>/<file>           each session's files, as one consistent state
//! series/<name>/series.json        each series
//! ```
//!
//! Each session directory is read (snapshot, then segments, then the live journal) and checked
//! ([`chain`]): the files must parse, the journal lines must pass their checksums and form an
//! unbroken seq run from the snapshot's; a torn last line (a write in flight, never
//! acknowledged) is cut. A rotation during the read breaks the run, and the session is read
//! again. So a backup holds, for every session, everything acknowledged before it began.
//!
//! | module    | its job                                                            |
//! |-----------|--------------------------------------------------------------------|
//! | `mod.rs`  | the manifest, the archive written through a staging file           |
//! | `chain`   | one session read consistently; the seq chain check                 |
//! | `restore` | an archive checked, extracted beside the target, loaded, renamed   |

pub mod chain;
mod restore;

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};

pub use restore::{check, restore, Restored};

use crate::clock::Millis;
use crate::store::series::decode_series;

/// The manifest's file name, the archive's first entry.
pub const MANIFEST: &str = "paja-backup.json";
/// The manifest's `format`.
pub const BACKUP_FORMAT: &str = "paja-backup";
/// The archive layout's version written now; restore refuses a newer one.
pub const BACKUP_VERSION: u32 = 1;

/// A test hook: milliseconds each session's first read waits between its snapshot and its
/// journals, so that a test's rotations surely fall into the window the chain check guards.
pub const STALL_ENV: &str = "PAJA_BACKUP_STALL_MS";

/// What an archive holds, written first so a reader knows it before the files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`BACKUP_FORMAT`].
    pub format: String,
    /// [`BACKUP_VERSION`].
    pub version: u32,
    /// When the backup began, ms since the epoch.
    pub created_at: Millis,
    /// The Paja that wrote it.
    pub paja_version: String,
    /// Its commit, when the build knew it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Every session in the archive with the seq its files reach.
    pub sessions: Vec<SessionEntry>,
    /// Every series' name.
    #[serde(default)]
    pub series: Vec<String>,
}

/// One session in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionEntry {
    /// Its short name (its directory).
    pub name: String,
    /// The last seq its files hold.
    pub seq: u64,
}

/// What a backup wrote.
#[derive(Debug)]
pub struct Report {
    /// The manifest written.
    pub manifest: Manifest,
    /// Sessions left out and why (deleted meanwhile, a creation that never finished).
    pub skipped: Vec<(String, String)>,
    /// Session reads found broken by a concurrent rotation and done again.
    pub rereads: u32,
}

/// Why a backup failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// Reading the data directory or writing the archive failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// A session never read as one consistent state.
    #[error(
        "session {name}: no consistent copy after several reads ({reason}); nothing was written"
    )]
    Inconsistent {
        /// The session.
        name: String,
        /// What the last read found.
        reason: String,
    },
}

/// Backs up `data_dir` into `out` (`-`: standard output), atomically: the file appears whole
/// or not at all.
pub fn backup(data_dir: &Path, out: &Path, now: Millis) -> Result<Report, BackupError> {
    if !data_dir.join("sessions").is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{} holds no Paja sessions", data_dir.display()),
        )
        .into());
    }
    let to_stdout = out == Path::new("-");
    let staging_dir = match out
        .parent()
        .filter(|p| !to_stdout && !p.as_os_str().is_empty())
    {
        Some(dir) => dir.to_path_buf(),
        None if to_stdout => std::env::temp_dir(),
        None => PathBuf::from("."),
    };
    let stem = out
        .file_name()
        .map_or("paja-backup".into(), |n| n.to_string_lossy());
    let body_path = staging_dir.join(format!(".{stem}.{}.body", std::process::id()));
    let result = (|| {
        let report = stage_body(data_dir, &body_path, now)?;
        let manifest = &report.manifest;
        if to_stdout {
            drop(write_archive(manifest, &body_path, io::stdout().lock())?);
        } else {
            let partial = staging_dir.join(format!(".{stem}.{}.partial", std::process::id()));
            let file = private_file(&partial)?;
            let written = write_archive(manifest, &body_path, file)
                .and_then(|file| file.sync_all())
                .and_then(|()| std::fs::rename(&partial, out));
            if written.is_err() {
                let _ = std::fs::remove_file(&partial);
            }
            written?;
        }
        Ok(report)
    })();
    let _ = std::fs::remove_file(&body_path);
    result
}

/// Writes every session and series into an uncompressed tar at `body`; returns the manifest
/// of what it holds. (The manifest must come first in the archive, and is known only now.)
fn stage_body(data_dir: &Path, body: &Path, now: Millis) -> Result<Report, BackupError> {
    let stall = std::env::var(STALL_ENV)
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(Duration::ZERO, Duration::from_millis);
    let mut rereads = 0;
    let mut tar = tar::Builder::new(io::BufWriter::new(private_file(body)?));
    let mut manifest = Manifest {
        format: BACKUP_FORMAT.to_owned(),
        version: BACKUP_VERSION,
        created_at: now,
        paja_version: env!("CARGO_PKG_VERSION").to_owned(),
        commit: option_env!("PAJA_COMMIT").map(str::to_owned),
        sessions: Vec::new(),
        series: Vec::new(),
    };
    let mut skipped = Vec::new();
    for name in dir_names(&data_dir.join("sessions"))? {
        match chain::read_session(&data_dir.join("sessions").join(&name), stall) {
            Ok(chain::Read::Copied(copy)) => {
                rereads += copy.rereads;
                for (file, bytes) in &copy.files {
                    append(&mut tar, &format!("sessions/{name}/{file}"), bytes, now)?;
                }
                manifest.sessions.push(SessionEntry {
                    name,
                    seq: copy.seq,
                });
            }
            Ok(chain::Read::Skipped(why)) => skipped.push((name, why)),
            Err(reason) => return Err(BackupError::Inconsistent { name, reason }),
        }
    }
    let series_root = data_dir.join("series");
    if series_root.is_dir() {
        for name in dir_names(&series_root)? {
            let bytes = match std::fs::read(series_root.join(&name).join("series.json")) {
                Ok(bytes) => bytes,
                // A creation in progress (or never finished): nothing acknowledged.
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e.into()),
            };
            decode_series(&bytes).map_err(|e| BackupError::Inconsistent {
                name: format!("series {name}"),
                reason: e.to_string(),
            })?;
            append(&mut tar, &format!("series/{name}/series.json"), &bytes, now)?;
            manifest.series.push(name);
        }
    }
    tar.into_inner()?.flush()?;
    Ok(Report {
        manifest,
        skipped,
        rereads,
    })
}

/// The manifest, then the staged entries, gzipped onto `out`.
fn write_archive<W: Write>(manifest: &Manifest, body: &Path, out: W) -> io::Result<W> {
    let mut tar = tar::Builder::new(GzEncoder::new(out, flate2::Compression::default()));
    let json = serde_json::to_vec_pretty(manifest).map_err(io::Error::other)?;
    append(&mut tar, MANIFEST, &json, manifest.created_at)?;
    let mut staged = tar::Archive::new(io::BufReader::new(File::open(body)?));
    for entry in staged.entries()? {
        let mut entry = entry?;
        let header = entry.header().clone();
        tar.append(&header, &mut entry)?;
    }
    let mut out = tar.into_inner()?.finish()?;
    out.flush()?;
    Ok(out)
}

/// One regular file entry, owner-only readable (a backup holds personal data).
fn append<W: Write>(
    tar: &mut tar::Builder<W>,
    path: &str,
    bytes: &[u8],
    now: Millis,
) -> io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(now / 1000);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, path, bytes)
}

/// A new file only its owner can read: a backup holds personal data, whatever the umask.
fn private_file(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// The names of the directories in `dir` that are no temporary ones, sorted.
fn dir_names(dir: &Path) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if let Ok(name) = entry.file_name().into_string() {
            if entry.file_type()?.is_dir() && !name.ends_with(".tmp") && !name.starts_with('.') {
                names.push(name);
            }
        }
    }
    names.sort();
    Ok(names)
}

#[cfg(test)]
mod chain_tests;
