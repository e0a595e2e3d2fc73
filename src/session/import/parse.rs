//! The first stage: the envelope (format, version, counts that bound every later check, the
//! title) and the shape of the ids the later stages read.

use sha2::{Digest, Sha256};

use super::{ImportError, ImportTarget, IMPORT_MAX_ID_NUMBER, IMPORT_MAX_PARTICIPANTS};
use super::{IMPORT_MAX_REVISIONS, IMPORT_MAX_SEQ, PSEUDONYM_MAX};
use crate::session::document::{reads_version, SessionDoc, JSON_FORMAT};
use crate::session::*;

/// Checks the format, the version and the counts; returns the number of items.
pub(super) fn envelope(doc: &SessionDoc) -> Result<usize, ImportError> {
    if doc.format != JSON_FORMAT {
        return Err(ImportError::WrongFormat(doc.format.clone()));
    }
    if !reads_version(u64::from(doc.version)) {
        return Err(ImportError::UnsupportedVersion(u64::from(doc.version)));
    }
    // Counts first: they bound the work of every later check.
    if doc.prompts.len() > MAX_PROMPTS {
        return Err(too_many("prompts", MAX_PROMPTS));
    }
    if doc.groups.len() > MAX_GROUPS {
        return Err(too_many("groups", MAX_GROUPS));
    }
    if doc.participants.len() > IMPORT_MAX_PARTICIPANTS {
        return Err(too_many("participants", IMPORT_MAX_PARTICIPANTS));
    }
    let item_count: usize = doc.prompts.iter().map(|p| p.items.len()).sum();
    if item_count > MAX_ITEMS {
        return Err(too_many("items", MAX_ITEMS));
    }
    let revisions: usize = doc
        .prompts
        .iter()
        .flat_map(|p| &p.items)
        .map(|i| i.history.len())
        .sum();
    if revisions > IMPORT_MAX_REVISIONS {
        return Err(too_many("revisions", IMPORT_MAX_REVISIONS));
    }
    if doc.session.seq > IMPORT_MAX_SEQ {
        return Err(too_many("events (seq)", IMPORT_MAX_SEQ as usize));
    }

    Ok(item_count)
}

/// The session's title: the target's, else the file's, cleaned.
pub(super) fn title(doc: &SessionDoc, target: &ImportTarget) -> Result<String, ImportError> {
    let title = target.title.as_deref().unwrap_or(&doc.session.title);
    clean_text(title, SESSION_TITLE_MAX).map_err(|_| ImportError::InvalidTitle)
}

/// The number in an id of the form `<prefix><n>` (`p12` → 12), n ≥ 1 without leading zeros.
pub(super) fn id_number(id: &str, prefix: char) -> Option<u32> {
    let digits = id.strip_prefix(prefix)?;
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n <= IMPORT_MAX_ID_NUMBER)
}

pub(super) fn valid_pseudonym(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= PSEUDONYM_MAX
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A fresh participant id for `pseudonym`: unguessable without the salt, distinct per
/// pseudonym.
pub(super) fn fresh_id(salt: &[u8; 32], pseudonym: &str) -> ParticipantId {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(pseudonym.as_bytes());
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    ParticipantId(uuid::Builder::from_random_bytes(bytes).into_uuid())
}

pub(super) fn too_many(what: &'static str, max: usize) -> ImportError {
    ImportError::TooMany { what, max }
}
