//! `paja restore`: an archive extracted beside the target (`<data-dir>.restoring`), every
//! session in it loaded through [`Store::load`] and matched against the manifest, and only
//! then renamed into place. A bad archive leaves nothing half-restored.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;

use super::{Manifest, BACKUP_FORMAT, BACKUP_VERSION, MANIFEST};
use crate::session::{SeriesName, SessionName};
use crate::store::series::decode_series;
use crate::store::Store;

/// What a restore (or a check) found in the archive.
#[derive(Debug)]
pub struct Restored {
    /// The archive's manifest; every session in it loaded at its seq.
    pub manifest: Manifest,
}

/// Restores the archive at `archive` (`-`: standard input) into `data_dir`, which must be
/// missing or empty.
pub fn restore(archive: &Path, data_dir: &Path) -> Result<Restored, String> {
    // `data/` and `data` alike: the staging directory is a sibling, never inside.
    let data_dir: PathBuf = data_dir.components().collect();
    let data_dir = data_dir.as_path();
    let occupied = match std::fs::read_dir(data_dir) {
        Ok(mut entries) => entries.next().is_some(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(format!("{}: {e}", data_dir.display())),
    };
    if occupied {
        return Err(format!(
            "{} is not empty; restore only into an empty or missing directory: stop the server, move {} aside, restore, start",
            data_dir.display(),
            data_dir.display()
        ));
    }
    let mut staging = data_dir.as_os_str().to_owned();
    staging.push(".restoring");
    let staging = PathBuf::from(staging);
    if staging.exists() {
        return Err(format!(
            "{} exists (a restore cut short?); remove it and run the restore again",
            staging.display()
        ));
    }
    let result = extract_and_verify(archive, &staging).and_then(|restored| {
        move_into_place(&staging, data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
        Ok(restored)
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// Checks an archive as a restore would (extracted into a temporary directory, every session
/// loaded), then removes what it extracted.
pub fn check(archive: &Path) -> Result<Restored, String> {
    let scratch = std::env::temp_dir().join(format!(
        "paja-backup-check-{}-{}",
        std::process::id(),
        crate::clock::Clock::system().now_ms()
    ));
    let result = extract_and_verify(archive, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn extract_and_verify(archive: &Path, into: &Path) -> Result<Restored, String> {
    let name = archive.display().to_string();
    let reader: Box<dyn Read> = if archive == Path::new("-") {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(archive).map_err(|e| format!("{name}: {e}"))?)
    };
    let manifest = extract(reader, into).map_err(|e| format!("{name}: {e}"))?;
    verify(&manifest, into).map_err(|e| format!("{name}: {e}"))?;
    Ok(Restored { manifest })
}

/// Extracts the archive's entries under `into`, refusing any path that is not a session's or
/// a series' file; returns the manifest (the first entry).
fn extract(reader: impl Read, into: &Path) -> Result<Manifest, String> {
    let mut archive = tar::Archive::new(GzDecoder::new(io::BufReader::new(reader)));
    let mut manifest = None;
    let bad = |e: io::Error| format!("not a readable backup archive ({e})");
    for entry in archive.entries().map_err(bad)? {
        let mut entry = entry.map_err(bad)?;
        let path = entry.path().map_err(bad)?.to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(bad)?;
        if manifest.is_none() {
            if path != MANIFEST {
                return Err(format!("not a Paja backup: no {MANIFEST} first"));
            }
            manifest = Some(parse_manifest(&bytes)?);
            continue;
        }
        if !entry.header().entry_type().is_file() {
            return Err(format!("{path}: not a regular file"));
        }
        let target = into.join(checked_path(&path)?);
        let dir = target.parent().ok_or("bad path")?;
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut file = File::create(&target).map_err(|e| format!("{}: {e}", target.display()))?;
        file.write_all(&bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("{}: {e}", target.display()))?;
    }
    let manifest = manifest.ok_or("an empty archive")?;
    std::fs::create_dir_all(into.join("sessions")).map_err(|e| e.to_string())?;
    Ok(manifest)
}

fn parse_manifest(bytes: &[u8]) -> Result<Manifest, String> {
    let manifest: Manifest =
        serde_json::from_slice(bytes).map_err(|e| format!("unreadable {MANIFEST}: {e}"))?;
    if manifest.format != BACKUP_FORMAT {
        return Err(format!(
            "not a Paja backup ({MANIFEST} format {:?})",
            manifest.format
        ));
    }
    if manifest.version > BACKUP_VERSION {
        return Err(format!(
            "backup version {} was written by a newer Paja ({}); this one reads up to version {BACKUP_VERSION}",
            manifest.version, manifest.paja_version
        ));
    }
    Ok(manifest)
}

/// `sessions/<slug>/<file>` or `series/<name>/series.json`, with valid names and a plain file
/// name: nothing in an archive can write outside the target directory.
fn checked_path(path: &str) -> Result<PathBuf, String> {
    let parts: Vec<&str> = path.split('/').collect();
    let plain = |f: &str| {
        !f.is_empty() && f != "." && f != ".." && !f.contains('\\') && !f.starts_with('.')
    };
    let ok = match parts.as_slice() {
        ["sessions", slug, file] => SessionName::parse(slug).is_ok() && plain(file),
        ["series", name, "series.json"] => SeriesName::parse(name).is_ok(),
        _ => false,
    };
    if !ok {
        return Err(format!("{path}: not a Paja session's or series' file"));
    }
    Ok(parts.iter().collect())
}

/// Loads every session under `dir` and matches the manifest: the same sessions, each at its seq;
/// every series readable.
fn verify(manifest: &Manifest, dir: &Path) -> Result<(), String> {
    let store = Store::open(dir).map_err(|e| e.to_string())?;
    let found: BTreeSet<String> = store
        .list()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    let listed: BTreeSet<String> = manifest.sessions.iter().map(|s| s.name.clone()).collect();
    if found != listed {
        return Err(format!(
            "the sessions in the archive ({}) are not the manifest's ({})",
            found.len(),
            listed.len()
        ));
    }
    for entry in &manifest.sessions {
        let slug = SessionName::parse(&entry.name).map_err(|e| e.to_string())?;
        let (session, _files) = store
            .load(&slug)
            .map_err(|e| format!("session {slug} does not load: {e}"))?;
        if session.seq() != entry.seq {
            return Err(format!(
                "session {slug} loads at seq {}, the manifest says {}",
                session.seq(),
                entry.seq
            ));
        }
    }
    for name in &manifest.series {
        let path = dir.join("series").join(name).join("series.json");
        let bytes = std::fs::read(&path).map_err(|e| format!("series {name}: {e}"))?;
        decode_series(&bytes).map_err(|e| format!("series {name}: {e}"))?;
    }
    Ok(())
}

/// Renames the staged directory to `data_dir`; into an existing empty one (a mount point, a
/// systemd state directory), its entries one by one, so the directory itself keeps its owner.
fn move_into_place(staging: &Path, data_dir: &Path) -> io::Result<()> {
    if !data_dir.exists() {
        return std::fs::rename(staging, data_dir);
    }
    for entry in std::fs::read_dir(staging)? {
        let entry = entry?;
        std::fs::rename(entry.path(), data_dir.join(entry.file_name()))?;
    }
    std::fs::remove_dir(staging)
}
