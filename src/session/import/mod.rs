//! Import: a session rebuilt from its JSON export (docs/export-format.md).
//!
//! An import file is untrusted input: it may come from anyone who can reach the start page.
//! [`Session::import`] therefore checks everything a live session guarantees by construction
//! (the same text limits and counts, ids that exist, merges without cycles, answers that fit
//! their prompt) and either builds the whole session or refuses with one typed
//! [`ImportError`]; nothing is half-imported.
//!
//! Participants arrive as pseudonyms only. Each gets a fresh [`ParticipantId`] derived from a
//! random salt the caller supplies (so ids are unguessable, yet the function stays pure), and
//! the session keeps its pseudonym, so exports and the console show the same names as before,
//! even under a new session name.
//!
//! The import runs in stages, each refusing with the first problem it finds: [`parse`]
//! checks the envelope (format, version, counts, title) and the shape of ids; [`check`]
//! walks the document in dependency order (groups, participants, prompts, their themes and
//! notes ([`themes`]), items, merges, ballots and answers), with each activity's own rules in
//! its file under [`super::activity`]; [`build`] assembles the session from what passed.

mod build;
mod check;
mod parse;
mod themes;

use super::document::{SessionDoc, JSON_VERSION};
use super::*;

/// Most participants an import may name: far above any seminar, a bound on memory.
pub const IMPORT_MAX_PARTICIPANTS: usize = 100_000;
/// Most earlier texts (edit history entries) an import may hold, over all items.
pub const IMPORT_MAX_REVISIONS: usize = MAX_ITEMS;
/// Longest pseudonym accepted, in characters (Paja writes 12: `p-1a2b3c4d5e`).
pub const PSEUDONYM_MAX: usize = 32;
/// Highest number in an imported prompt or group id: far above any real session, and far
/// enough below `u32::MAX` that the ids made after the import never wrap.
pub const IMPORT_MAX_ID_NUMBER: u32 = 999_999_999;
/// Highest sequence number an import may carry: the largest integer a browser's JSON numbers
/// hold exactly, so the count can go on without overflow or rounding on the phones.
pub const IMPORT_MAX_SEQ: u64 = (1 << 53) - 1;

/// Why an export file could not be imported. Each has a stable [`ImportError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Not JSON, or not the shape of the schema (the message says where).
    #[error("the file is not a valid Paja session export: {0}")]
    Malformed(String),
    /// JSON, but not a `paja-session` document (an agenda template, say).
    #[error("the file is not a Paja session export (its format is {0:?}, not \"paja-session\")")]
    WrongFormat(String),
    /// A version this Paja does not read.
    #[error("{}", unsupported_version(*.0))]
    UnsupportedVersion(u64),
    /// More of something than a session may hold.
    #[error("too many {what} (at most {max})")]
    TooMany {
        /// Prompts, items, groups, participants or revisions.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// The session title is empty or too long.
    #[error("the session title must be 1–{SESSION_TITLE_MAX} characters")]
    InvalidTitle,
    /// An id that is not of the form Paja makes (`p3`, `g2`, a pseudonym of a–z, 0–9, `-`).
    #[error("{0:?} is not a valid id here")]
    InvalidId(String),
    /// Two prompts, groups, items or participants share an id.
    #[error("the id {0:?} is used twice")]
    DuplicateId(String),
    /// A prompt's settings are out of bounds.
    #[error("prompt {prompt}: {reason}")]
    InvalidPrompt {
        /// Which prompt.
        prompt: String,
        /// What is wrong.
        reason: String,
    },
    /// A dot vote's source prompt is not in the file (pick it too when exporting some prompts).
    #[error("prompt {prompt}: its dot vote's source {source_prompt} is not in the file")]
    DotVoteSourceMissing {
        /// The dot vote.
        prompt: String,
        /// The prompt it votes on.
        source_prompt: String,
    },
    /// A prompt's state does not hold together (an open prompt never opened, two open…).
    #[error("prompt {prompt}: {reason}")]
    InvalidState {
        /// Which prompt.
        prompt: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A reference to a prompt that is not in the file.
    #[error("no prompt {0} in the file")]
    UnknownPrompt(String),
    /// A reference to a group that is not in the file.
    #[error("no group {0} in the file")]
    UnknownGroup(String),
    /// A pseudonym that is not in the file's participant list.
    #[error("no participant {0} in the file's participants")]
    UnknownParticipant(String),
    /// A reference (a merge, a ballot entry, a dot) to an item that is not where it should be.
    #[error("{referrer}: no item {item} there")]
    UnknownItem {
        /// The item named.
        item: String,
        /// Who names it (`item …: merged_into`, `prompt …: ballot`, …).
        referrer: String,
    },
    /// An item that does not fit its prompt (text, column, group, likes).
    #[error("item {item}: {reason}")]
    InvalidItem {
        /// Which item.
        item: String,
        /// What is wrong.
        reason: String,
    },
    /// A merge into another prompt's item, into itself, or in a cycle.
    #[error("item {0}: invalid merge")]
    InvalidMerge(String),
    /// A group's name or colour is out of bounds.
    #[error("group {group}: {reason}")]
    InvalidGroup {
        /// Which group.
        group: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A theme a facilitator could not have made: on a prompt that is not a brainstorm, or a
    /// name empty or too long.
    #[error("prompt {prompt}: theme {theme}: {reason}")]
    InvalidTheme {
        /// Which prompt.
        prompt: String,
        /// Which theme (its id).
        theme: String,
        /// What is wrong.
        reason: String,
    },
    /// An item in a theme its prompt does not have.
    #[error("item {item}: its prompt has no theme {theme}")]
    UnknownTheme {
        /// Which item.
        item: String,
        /// The theme it names.
        theme: String,
    },
    /// An answer that its prompt would not have accepted.
    #[error("prompt {prompt}: the answer of {participant}: {reason}")]
    InvalidAnswer {
        /// Which prompt.
        prompt: String,
        /// Whose answer.
        participant: String,
        /// What is wrong.
        reason: &'static str,
    },
}

fn unsupported_version(version: u64) -> String {
    match version {
        0 => "the file has no version".to_owned(),
        1 => "this is a version 1 export, which holds results but not the individual answers; \
              it cannot be imported (export the session again from a Paja that writes version 2)"
            .to_owned(),
        v => format!("version {v} exports are newer than this Paja reads (version {JSON_VERSION}); update Paja"),
    }
}

impl ImportError {
    /// The stable code, for HTTP and the command line.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Malformed(_) => "invalid_document",
            ImportError::WrongFormat(_) => "wrong_format",
            ImportError::UnsupportedVersion(_) => "unsupported_version",
            ImportError::TooMany { .. } => "too_many",
            ImportError::InvalidTitle => "invalid_title",
            ImportError::InvalidId(_) => "invalid_id",
            ImportError::DuplicateId(_) => "duplicate_id",
            ImportError::InvalidPrompt { .. } => "invalid_prompt",
            ImportError::DotVoteSourceMissing { .. } => "dot_vote_source_missing",
            ImportError::InvalidState { .. } => "invalid_state",
            ImportError::UnknownPrompt(_) => "unknown_prompt",
            ImportError::UnknownGroup(_) => "unknown_group",
            ImportError::UnknownParticipant(_) => "unknown_participant",
            ImportError::UnknownItem { .. } => "unknown_item",
            ImportError::InvalidItem { .. } => "invalid_item",
            ImportError::InvalidMerge(_) => "invalid_merge",
            ImportError::InvalidGroup { .. } => "invalid_group",
            ImportError::InvalidAnswer { .. } => "invalid_answer",
            ImportError::InvalidTheme { .. } => "invalid_theme",
            ImportError::UnknownTheme { .. } => "unknown_theme",
        }
    }
}

/// What the importing side decides: the name, the key, the time and the randomness.
#[derive(Debug, Clone)]
pub struct ImportTarget {
    /// A new short name; `None`: the one in the file.
    pub slug: Option<SessionName>,
    /// A new title; `None`: the one in the file.
    pub title: Option<String>,
    /// SHA-256 of the new facilitator key, hex (the old key is never in an export).
    pub key_hash: String,
    /// When the import happens.
    pub now: Millis,
    /// Random bytes from which participants' fresh ids are derived.
    pub salt: [u8; 32],
}

impl Session {
    /// Rebuilds a session from its export, under `target`'s name, title and key.
    ///
    /// Everything is checked before anything is built; see the module's documentation.
    /// Derived numbers in the file (results, like and dot counts) are ignored.
    pub fn import(doc: SessionDoc, target: ImportTarget) -> Result<Session, ImportError> {
        let item_count = parse::envelope(&doc)?;
        let title = parse::title(&doc, &target)?;
        let mut importer = check::Importer::new(&doc, &target.salt);
        importer.groups()?;
        importer.participants()?;
        importer.prompts()?;
        importer.themes()?;
        importer.items(item_count)?;
        importer.merges()?;
        importer.answers()?;
        Ok(importer.build(title, &target))
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod themes_tests;
