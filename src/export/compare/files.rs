//! The offline comparison (`paja report a.json b.json …`): sessions read from their JSON
//! exports (`paja-session` documents, through the same parse and checks as an import), so that
//! seminars held on different servers combine into one report. Nothing is stored.

use std::path::{Path, PathBuf};

use crate::export::ExportError;
use crate::session::{document, ImportError, ImportTarget, Language, Millis, Session};

use super::{render, CompareOptions, Format};

/// Largest export file read, in bytes: far above any seminar's export (a guard against
/// pointing the command at the wrong file), as for `paja import`.
pub const REPORT_FILE_MAX_BYTES: u64 = 512 * 1024 * 1024;

/// Why the offline comparison could not be made; each names the file it is about.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// No file was named.
    #[error("name at least one JSON export (paja export --format json)")]
    NoFiles,
    /// The file could not be read.
    #[error("{file}: {source}")]
    Unreadable {
        /// The file.
        file: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is far larger than an export.
    #[error("{file}: larger than {} MB; not a Paja export", REPORT_FILE_MAX_BYTES / 1024 / 1024)]
    TooLarge {
        /// The file.
        file: PathBuf,
    },
    /// The file is not a session export this Paja reads.
    #[error("{file}: {error} ({})", error.code())]
    NotAnExport {
        /// The file.
        file: PathBuf,
        /// What is wrong with it.
        error: ImportError,
    },
    /// The report could not be rendered (an unknown time zone, a workbook failure).
    #[error("{error} ({code})", error = .0, code = .0.code())]
    Export(#[from] ExportError),
}

impl ReportError {
    /// The error's stable code, for scripts.
    pub fn code(&self) -> &'static str {
        match self {
            ReportError::NoFiles => "no_files",
            ReportError::Unreadable { .. } => "unreadable_file",
            ReportError::TooLarge { .. } => "file_too_large",
            ReportError::NotAnExport { error, .. } => error.code(),
            ReportError::Export(e) => e.code(),
        }
    }
}

/// A session read from its JSON export. Participants keep their pseudonyms; the fresh ids
/// behind them are derived from the file's place (`n`), so the same files give the same
/// report.
pub fn read_export(file: &Path, n: usize, now: Millis) -> Result<Session, ReportError> {
    let unreadable = |source| ReportError::Unreadable {
        file: file.to_owned(),
        source,
    };
    let size = std::fs::metadata(file).map_err(unreadable)?.len();
    if size > REPORT_FILE_MAX_BYTES {
        return Err(ReportError::TooLarge {
            file: file.to_owned(),
        });
    }
    let bytes = std::fs::read(file).map_err(unreadable)?;
    let not_export = |error| ReportError::NotAnExport {
        file: file.to_owned(),
        error,
    };
    let doc = document::parse(&bytes).map_err(not_export)?;
    let mut salt = [0u8; 32];
    salt[..8].copy_from_slice(&(n as u64).to_le_bytes());
    let target = ImportTarget {
        slug: None,
        title: None,
        key_hash: String::new(),
        now,
        salt,
    };
    Session::import(doc, target).map_err(not_export)
}

/// The comparison of the sessions in `files` (in that order), in `format`.
///
/// `language` overrides `options.lang`; without it the report speaks the first session's
/// language, so a Swedish study's exports give a Swedish report without `--lang sv`.
pub fn report_files(
    files: &[PathBuf],
    options: &CompareOptions,
    language: Option<Language>,
    format: Format,
    now: Millis,
) -> Result<Vec<u8>, ReportError> {
    if files.is_empty() {
        return Err(ReportError::NoFiles);
    }
    let sessions = files
        .iter()
        .enumerate()
        .map(|(n, file)| read_export(file, n, now))
        .collect::<Result<Vec<Session>, ReportError>>()?;
    let refs: Vec<&Session> = sessions.iter().collect();
    let mut options = options.clone();
    if let Some(first) = sessions.first() {
        options.lang = language.unwrap_or(first.meta.language);
    }
    Ok(render(&refs, &options, format)?)
}
