//! Series on disk: `<data-dir>/series/<name>/series.json`, one file a series, written
//! atomically (temporary file, fsync, rename, fsync the directory) on every change.
//!
//! ```text
//! <data-dir>/series/<name>/series.json   {"format":"paja-series","version":1,"series":{…}}
//! ```
//!
//! Beside `sessions/` (like `trash/`), so no session name can ever take a series' place, and
//! a series and a session may share a name. Creating the series' directory is the atomic
//! claim on its name; a directory without its file (a creation cut short by a crash, never
//! answered) is removed at the next start. Backups copy the whole data directory, series
//! included.

use std::io;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{write_atomically, Store, StoreError};
use crate::series::Series;
use crate::session::{Millis, PromptDraft, SeriesName, SessionName};

/// The series file's format name.
pub const SERIES_FORMAT: &str = "paja-series";
/// The series file's version written now, checked on load.
pub const SERIES_VERSION: u32 = 1;

const SERIES_FILE: &str = "series.json";

/// `series.json`: the format, its version and the series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesFile {
    /// Always [`SERIES_FORMAT`].
    pub format: String,
    /// [`SERIES_VERSION`].
    pub version: u32,
    /// The series.
    pub series: SeriesV1,
}

/// A series, field by field, as version 1 stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesV1 {
    /// Its name.
    pub name: SeriesName,
    /// Its title.
    pub title: String,
    /// SHA-256 of the series key, hex.
    pub key_hash: String,
    /// When it was created, ms since the epoch.
    pub created_at: Millis,
    /// The agenda template: drafts with `@N` sources and unique template refs.
    #[serde(default)]
    pub agenda: Vec<PromptDraft>,
    /// The sessions made from it, oldest first.
    #[serde(default)]
    pub sessions: Vec<SessionName>,
}

impl From<Series> for SeriesV1 {
    fn from(s: Series) -> Self {
        Self {
            name: s.name,
            title: s.title,
            key_hash: s.key_hash,
            created_at: s.created_at,
            agenda: s.agenda,
            sessions: s.sessions,
        }
    }
}

impl From<SeriesV1> for Series {
    fn from(s: SeriesV1) -> Self {
        Self {
            name: s.name,
            title: s.title,
            key_hash: s.key_hash,
            created_at: s.created_at,
            agenda: s.agenda,
            sessions: s.sessions,
        }
    }
}

/// A series as the bytes of its file.
pub fn encode_series(series: &Series) -> io::Result<Vec<u8>> {
    let mut out = serde_json::to_vec_pretty(&SeriesFile {
        format: SERIES_FORMAT.to_owned(),
        version: SERIES_VERSION,
        series: series.clone().into(),
    })
    .map_err(io::Error::other)?;
    out.push(b'\n');
    Ok(out)
}

/// A series file's bytes as the series; another format or a newer version is refused.
pub fn decode_series(bytes: &[u8]) -> Result<Series, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt {
        file: SERIES_FILE,
        reason,
    };
    let file: SeriesFile = serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
    if file.format != SERIES_FORMAT || file.version != SERIES_VERSION {
        return Err(corrupt(format!(
            "{} version {} is not {SERIES_FORMAT} version {SERIES_VERSION}",
            file.format, file.version
        )));
    }
    Ok(file.series.into())
}

impl Store {
    /// `<data dir>/series`.
    fn series_root(&self) -> PathBuf {
        self.sessions.parent().map_or_else(
            || self.sessions.join("..").join("series"),
            |d| d.join("series"),
        )
    }

    /// Stores a new series; [`StoreError::Exists`] when its name is taken.
    pub fn create_series(&self, series: &Series) -> Result<(), StoreError> {
        self.fault.check()?;
        let root = self.series_root();
        let fs = &*self.fs;
        fs.create_dir_all(&root)?;
        let dir = root.join(series.name.as_str());
        match fs.create_dir(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(StoreError::Exists),
            Err(e) => return Err(e.into()),
        }
        let written = encode_series(series)
            .and_then(|bytes| write_atomically(fs, &dir, SERIES_FILE, &bytes))
            .and_then(|()| fs.sync_dir(&root));
        if let Err(e) = written {
            // Leave nothing behind to block the name.
            let _ = fs.remove_dir_all(&dir);
            return Err(e.into());
        }
        Ok(())
    }

    /// Replaces a stored series' file with `series` (atomically: the old or the new, whole).
    pub fn save_series(&self, series: &Series) -> io::Result<()> {
        self.fault.check()?;
        let dir = self.series_root().join(series.name.as_str());
        write_atomically(&*self.fs, &dir, SERIES_FILE, &encode_series(series)?)
    }

    /// Every stored series. An unreadable one is logged and skipped (its files stay for a
    /// person to look at); a directory whose creation never finished is removed.
    pub fn load_series(&self) -> io::Result<Vec<Series>> {
        let root = self.series_root();
        if !self.fs.is_dir(&root) {
            return Ok(Vec::new());
        }
        let mut all = Vec::new();
        for (name, is_dir) in self.fs.list(&root)? {
            if !is_dir || name.ends_with(".tmp") {
                continue;
            }
            let dir = root.join(&name);
            let file = dir.join(SERIES_FILE);
            if !self.fs.exists(&file) {
                tracing::warn!(series = name, "a series' creation was cut short; removed");
                self.fs.remove_dir_all(&dir)?;
                continue;
            }
            match self
                .fs
                .read(&file)
                .map_err(StoreError::from)
                .and_then(|b| decode_series(&b))
            {
                Ok(series) if series.name.as_str() == name => all.push(series),
                Ok(_) => tracing::error!(
                    series = name,
                    "series file names another series; not served"
                ),
                Err(error) => {
                    tracing::error!(series = name, %error, "could not load series; not served")
                }
            }
        }
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(name: &str) -> Series {
        Series {
            name: SessionName::parse(name).unwrap(),
            title: "HYVINSIVI 2018".into(),
            key_hash: "ab".repeat(32),
            created_at: 1_527_146_102_123,
            agenda: crate::series::checked_agenda(
                &SessionName::parse(name).unwrap(),
                &[serde_json::from_value(
                    serde_json::json!({"kind":"brainstorm","title":"Mitkä kysymykset?"}),
                )
                .unwrap()],
            )
            .unwrap(),
            sessions: vec![SessionName::parse("rovaniemi").unwrap()],
        }
    }

    #[test]
    fn a_series_is_stored_beside_the_sessions_and_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut hyvinsivi = series("hyvinsivi");
        store.create_series(&hyvinsivi).unwrap();
        assert!(matches!(
            store.create_series(&hyvinsivi),
            Err(StoreError::Exists)
        ));
        hyvinsivi
            .sessions
            .push(SessionName::parse("seinajoki").unwrap());
        store.save_series(&hyvinsivi).unwrap();
        assert_eq!(store.load_series().unwrap(), [hyvinsivi.clone()]);
        // Not a session: listing sessions never sees it.
        assert!(store.list().unwrap().is_empty());
        let text =
            std::fs::read_to_string(dir.path().join("series/hyvinsivi/series.json")).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["format"], "paja-series");
        assert_eq!(json["version"], 1);
        assert_eq!(json["series"]["agenda"][0]["template"], "p1");
        assert_eq!(
            json["series"]["sessions"],
            serde_json::json!(["rovaniemi", "seinajoki"])
        );
    }

    #[test]
    fn an_unfinished_series_is_removed_and_a_newer_format_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        std::fs::create_dir_all(dir.path().join("series/kesken")).unwrap();
        assert!(store.load_series().unwrap().is_empty());
        assert!(!dir.path().join("series/kesken").exists());
        let mut bytes: serde_json::Value =
            serde_json::from_slice(&encode_series(&series("uusi")).unwrap()).unwrap();
        bytes["version"] = 2.into();
        assert!(matches!(
            decode_series(&serde_json::to_vec(&bytes).unwrap()),
            Err(StoreError::Corrupt { .. })
        ));
    }
}
