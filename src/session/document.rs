//! The session document: the versioned schema of a complete session (docs/export-format.md),
//! as the JSON export writes it and an import reads it back ([`parse`], then
//! [`Session::import`](super::Session::import)).
//!
//! Plain data, no I/O: the export builds it from a session (`export::json::document`), the
//! import checks it and builds a session from it. One set of types serves both directions,
//! so what is written is by construction what an import reads. Derived numbers (`results`,
//! an item's `likes` and `dots`) are written for readers and ignored on import, where they
//! are recomputed from the answers.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{
    iso8601, Group, GroupId, ImportError, ItemId, Language, Millis, PromptDraft, PromptId,
    PromptState, Results, SeriesName, SessionName, Theme, ThemeId, TimeZoneName,
};

/// The JSON export's format name.
pub const JSON_FORMAT: &str = "paja-session";
/// Bumped on incompatible changes to the JSON export (2: complete and importable; 3: themes,
/// notes and template refs, which an import must understand to keep them).
pub const JSON_VERSION: u32 = 3;
/// The oldest version an import still reads: version 2 files are version 3 files without
/// themes, notes or template refs, so they read as such.
pub const JSON_VERSION_OLDEST: u32 = 2;

/// Whether an import reads files of `version`.
pub fn reads_version(version: u64) -> bool {
    (u64::from(JSON_VERSION_OLDEST)..=u64::from(JSON_VERSION)).contains(&version)
}

/// A time as ISO 8601 in UTC with milliseconds (`2026-11-23T12:05:00.000Z`); ms since the
/// epoch inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(pub Millis);

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&iso8601(self.0))
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        let at: jiff::Timestamp = raw.parse().map_err(|_| {
            serde::de::Error::custom(format!("{raw:?} is not an ISO 8601 time in UTC"))
        })?;
        Millis::try_from(at.as_millisecond())
            .map(Timestamp)
            .map_err(|_| serde::de::Error::custom(format!("{raw:?} is before 1970")))
    }
}

/// A value derived from the rest of the document: written for readers, skipped on import.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived<T>(pub Option<T>);

impl<T> Default for Derived<T> {
    fn default() -> Self {
        Derived(None)
    }
}

impl<T> Derived<T> {
    fn is_none(&self) -> bool {
        self.0.is_none()
    }
}

impl<T: Serialize> Serialize for Derived<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, T> Deserialize<'de> for Derived<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d)?;
        Ok(Derived(None))
    }
}

/// The whole document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionDoc {
    /// Always [`JSON_FORMAT`].
    pub format: String,
    /// [`JSON_VERSION`].
    pub version: u32,
    /// When the file was written (the only field that differs between two exports of an
    /// unchanged session).
    pub exported_at: Timestamp,
    /// Name, title, language and counters.
    pub session: SessionInfo,
    /// The groups.
    #[serde(default)]
    pub groups: Vec<Group>,
    /// Every participant the document mentions, by pseudonym, with their group.
    #[serde(default)]
    pub participants: Vec<ParticipantDoc>,
    /// The chosen prompts in agenda order, each with its answers and items.
    pub prompts: Vec<PromptDoc>,
}

/// The session itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The short name it had.
    pub slug: SessionName,
    /// The workshop's title.
    pub title: String,
    /// Its default language.
    pub language: Language,
    /// When it was created.
    pub created_at: Timestamp,
    /// The time zone its exports show times in (version 2 files written before it existed:
    /// Europe/Helsinki).
    #[serde(default)]
    pub time_zone: TimeZoneName,
    /// The last event sequence number: an import goes on from here, so a phone that still
    /// remembers a number never sees the count go backwards.
    pub seq: u64,
    /// The prompt the phones show (open, or the one last closed), if it is in the document.
    #[serde(default)]
    pub current_prompt: Option<PromptId>,
    /// The series it was made in, for readers such as the comparison report (version 3;
    /// absent when none). An import does not put the new session in it: a series' key reads
    /// only the sessions made in that series, not copies anyone could import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<SeriesName>,
    /// The session is a rehearsal (written only then). An import starts live.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rehearsal: bool,
    /// The language the projector stacks under the main one (absent when none); an import
    /// keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_language: Option<Language>,
}

/// A participant, known only by pseudonym.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticipantDoc {
    /// `p-1a2b3c4d5e`: the same in every export of the session, never the device id.
    pub pseudonym: String,
    /// The group they picked, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupId>,
}

/// A prompt with its settings, state, answers and items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromptDoc {
    /// `p1`, `p2`, …
    pub id: PromptId,
    /// The content and settings (`kind` and its fields, `title`, …), as on the wire.
    #[serde(flatten)]
    pub draft: PromptDraft,
    /// Draft, open or closed.
    pub state: PromptState,
    /// Read-only for participants for now (open prompts only).
    #[serde(default)]
    pub locked: bool,
    /// When it was added to the agenda.
    pub created_at: Timestamp,
    /// When it was last opened.
    #[serde(default)]
    pub opened_at: Option<Timestamp>,
    /// When it was last closed.
    #[serde(default)]
    pub closed_at: Option<Timestamp>,
    /// When its time box runs out (open prompts with a time box).
    #[serde(default)]
    pub closes_at: Option<Timestamp>,
    /// A dot vote's ballot: item ids of its source prompt, in their frozen order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ballot: Vec<ItemId>,
    /// A brainstorm's themes in the facilitator's order (version 3; absent when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub themes: Vec<Theme>,
    /// The projector lays the prompt out by theme (version 3; absent when not).
    #[serde(default, skip_serializing_if = "is_false")]
    pub by_theme: bool,
    /// The facilitator's notes on it, line breaks kept (version 3; absent when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The results as the session shows them (derived; ignored on import).
    #[serde(default, skip_serializing_if = "Derived::is_none")]
    pub results: Derived<Results>,
    /// Polls, scales and dot votes: each participant's answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<AnswerDoc>,
    /// Brainstorms and word clouds: the items, in the order they arrived.
    #[serde(default)]
    pub items: Vec<ItemDoc>,
    /// Items erased from it: ids and times, never text (absent when none were), so an
    /// import keeps the session's record of them and a resent id is still refused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub erased: Vec<ErasedDoc>,
}

/// An erased item: that it existed, when, and who erased it; never what it said or who sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErasedDoc {
    /// The id it had.
    pub id: ItemId,
    /// The sequence number of its `item_added` event.
    pub seq: u64,
    /// When it had arrived.
    pub created_at: Timestamp,
    /// When it was erased.
    pub erased_at: Timestamp,
    /// `facilitator`, or `author` when its sender withdrew it.
    pub erased_by: super::ErasedBy,
}

/// One participant's answer to a poll (`options`), a scale (`ratings`) or a dot vote (`dots`).
/// Exactly one of its answer fields is given; a kind's export fills its own field and leaves
/// the rest at their defaults (`..AnswerDoc::default()`), so a new kind's field touches no
/// other kind's file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AnswerDoc {
    /// Who answered.
    pub participant: String,
    /// Poll: the chosen option indexes, ascending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<u8>>,
    /// Scale: a rating per statement, 1..=max, 0 where not rated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratings: Option<Vec<u8>>,
    /// Dot vote: dots per ballot item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dots: Option<BTreeMap<ItemId, u32>>,
    /// Matrix: the items placed and where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub places: Option<Vec<super::PlaceDoc>>,
}

impl AnswerDoc {
    /// How many of the answer fields are given (an import accepts exactly one).
    pub fn fields_given(&self) -> usize {
        let given = [
            self.options.is_some(),
            self.ratings.is_some(),
            self.dots.is_some(),
            self.places.is_some(),
        ];
        given.iter().filter(|g| **g).count()
    }
}

/// One item of a brainstorm or word cloud.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemDoc {
    /// The id the device made.
    pub id: ItemId,
    /// The sequence number of its `item_added` event.
    pub seq: u64,
    /// The current text.
    pub text: String,
    /// The sender's pseudonym.
    pub participant: String,
    /// When it arrived.
    pub created_at: Timestamp,
    /// Hidden by the facilitator.
    #[serde(default)]
    pub hidden: bool,
    /// Column index, for brainstorms with columns.
    #[serde(default)]
    pub column: Option<u8>,
    /// The sender's group when it was sent.
    #[serde(default)]
    pub group: Option<GroupId>,
    /// The theme the facilitator put it in, one of its prompt's (version 3; absent when
    /// none; a merged duplicate counts under its root's theme whatever it says here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<ThemeId>,
    /// False while waiting for approval.
    #[serde(default = "yes")]
    pub approved: bool,
    /// Shown large on the projector.
    #[serde(default)]
    pub starred: bool,
    /// Merged as a duplicate into this item.
    #[serde(default)]
    pub merged_into: Option<ItemId>,
    /// Who liked it, by pseudonym.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub liked_by: Vec<String>,
    /// Likes, with those of duplicates merged into it (derived; ignored on import).
    #[serde(default)]
    pub likes: usize,
    /// Dots over every dot vote on its prompt (derived; ignored on import).
    #[serde(default)]
    pub dots: u32,
    /// Earlier texts, oldest first.
    #[serde(default)]
    pub history: Vec<RevisionDoc>,
    /// A question marked answered (questions prompts; absent when not).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub answered: bool,
    /// The name a question was signed with (questions prompts that take names; absent when
    /// none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

fn yes() -> bool {
    true
}

fn is_false(b: &bool) -> bool {
    !b
}

/// An earlier text of an edited item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionDoc {
    /// The text before the edit.
    pub text: String,
    /// When it was replaced.
    pub at: Timestamp,
}

/// A document as the export writes it: pretty-printed, with a final newline.
pub fn to_bytes(doc: &SessionDoc) -> Vec<u8> {
    // Plain data with string keys; writing it into a Vec cannot fail.
    let mut out = serde_json::to_vec_pretty(doc).unwrap_or_default();
    out.push(b'\n');
    out
}

/// Reads an export file: checks that it is a `paja-session` document of a version this Paja
/// reads, then reads the whole of it. Nothing is validated beyond its shape here; that is
/// [`Session::import`]'s job.
pub fn parse(bytes: &[u8]) -> Result<SessionDoc, ImportError> {
    #[derive(Deserialize)]
    struct Header {
        format: Option<serde_json::Value>,
        version: Option<serde_json::Value>,
    }
    let header: Header =
        serde_json::from_slice(bytes).map_err(|e| ImportError::Malformed(e.to_string()))?;
    match header.format {
        Some(serde_json::Value::String(f)) if f == JSON_FORMAT => {}
        Some(serde_json::Value::String(f)) => return Err(ImportError::WrongFormat(f)),
        _ => return Err(ImportError::WrongFormat(String::new())),
    }
    match header.version.as_ref().and_then(serde_json::Value::as_u64) {
        Some(v) if reads_version(v) => {}
        Some(v) => return Err(ImportError::UnsupportedVersion(v)),
        None => return Err(ImportError::UnsupportedVersion(0)),
    }
    serde_json::from_slice(bytes).map_err(|e| ImportError::Malformed(e.to_string()))
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&iso8601(self.0))
    }
}
