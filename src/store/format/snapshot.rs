//! The snapshot's format 1 as types of its own: `snapshot.json` and `imported.json` hold
//! `{"format":1,"session":`[`SnapshotV1`]`}`, and `meta.json` holds `{"format":1,"meta":`
//! [`MetaV1`]`}`.
//!
//! These structs spell out, field by field, the JSON that `Session`'s serde derive wrote
//! before they existed (the golden files in `tests/fixtures/golden/` hold it), with every
//! `#[serde(default)]` that lets an older file of the same format load: a snapshot from
//! before groups, the projector's screen choice or the time zone existed. The domain may
//! now change its layout freely; only `From<&Session>` and `TryFrom<SnapshotV1>` follow
//! it. Small leaf values whose JSON is the wire's too (ids, [`PromptDraft`] with its
//! flattened activity, [`ScreenView`], [`PromptState`], [`Revision`]) are reused as they are.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use crate::session::{
    AnswerSet, DotAnswers, ErasedBy, Group, GroupId, Item, ItemId, Language, MatrixAnswers, Millis,
    ParticipantId, PollAnswers, Position, Prompt, PromptDraft, PromptId, PromptState, Rehearsal,
    Revision, ScaleAnswers, ScreenView, Session, SessionMeta, SessionName, SessionParts, Theme,
    ThemeId, TimeZoneName, Tombstone,
};

/// A session's whole state as format 1 stores it. Field order is the file's key order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotV1 {
    /// Name, title, language, key hash.
    pub meta: MetaV1,
    /// The agenda, in order.
    pub prompts: Vec<PromptV1>,
    /// Every item, in the order they were accepted.
    pub items: Vec<ItemV1>,
    /// The groups (absent in snapshots from before groups).
    #[serde(default)]
    pub groups: Vec<GroupV1>,
    /// Which group each participant picked.
    #[serde(default)]
    pub members: BTreeMap<ParticipantId, GroupId>,
    /// Poll, scale and dot-vote answers per prompt.
    #[serde(default)]
    pub answers: BTreeMap<PromptId, AnswersV1>,
    /// The prompt phones show now.
    pub current: Option<PromptId>,
    /// What the projector shows; absent before the facilitator could choose (following).
    #[serde(default)]
    pub screen: ScreenView,
    /// The language the projector stacks under the main one; written only when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_language: Option<Language>,
    /// The last sequence number handed out.
    pub seq: u64,
    /// The number in the next prompt id.
    pub next_prompt: u32,
    /// The number in the next group id (1 before groups existed).
    #[serde(default = "one")]
    pub next_group: u32,
    /// An imported session's pseudonyms, by participant; written only when there are any.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pseudonyms: BTreeMap<ParticipantId, String>,
    /// When the session was imported; written only for imported sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported_at: Option<Millis>,
    /// What is left of erased items (no text); written only when one was erased, so
    /// snapshots from before erasure load unchanged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tombstones: Vec<TombstoneV1>,
    /// Items whose earlier texts were erased, with when; written only when there are any.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub history_erased: BTreeMap<ItemId, Millis>,
    /// The facilitator's notes per prompt; written only when there are any.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub notes: BTreeMap<PromptId, String>,
    /// Whether the session is a rehearsal and when it was last reset; written only for a
    /// session that ever was one.
    #[serde(default, skip_serializing_if = "RehearsalV1::is_default")]
    pub rehearsal: RehearsalV1,
}

/// A session's rehearsal state (see `session::rehearsal`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RehearsalV1 {
    /// Every view is marked as a rehearsal.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub on: bool,
    /// The seq of the last reset's event; nothing older is kept on disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reset: Option<u64>,
}

impl RehearsalV1 {
    fn is_default(&self) -> bool {
        *self == RehearsalV1::default()
    }
}

impl From<Rehearsal> for RehearsalV1 {
    fn from(r: Rehearsal) -> Self {
        Self {
            on: r.on,
            last_reset: r.last_reset,
        }
    }
}

impl From<RehearsalV1> for Rehearsal {
    fn from(r: RehearsalV1) -> Self {
        Self {
            on: r.on,
            last_reset: r.last_reset,
        }
    }
}

/// An erased item's tombstone: ids and times, never text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TombstoneV1 {
    /// The erased item's id.
    pub id: ItemId,
    /// The prompt it answered.
    pub prompt_id: PromptId,
    /// Who sent it.
    pub participant: ParticipantId,
    /// When it had been accepted.
    pub created_at: Millis,
    /// The seq of its `item_added`.
    pub seq: u64,
    /// `facilitator` or `author`.
    pub erased_by: ErasedBy,
    /// When it was erased.
    pub erased_at: Millis,
}

impl From<Tombstone> for TombstoneV1 {
    fn from(t: Tombstone) -> Self {
        Self {
            id: t.id,
            prompt_id: t.prompt_id,
            participant: t.participant,
            created_at: t.created_at,
            seq: t.seq,
            erased_by: t.erased_by,
            erased_at: t.erased_at,
        }
    }
}

impl From<TombstoneV1> for Tombstone {
    fn from(t: TombstoneV1) -> Self {
        Self {
            id: t.id,
            prompt_id: t.prompt_id,
            participant: t.participant,
            created_at: t.created_at,
            seq: t.seq,
            erased_by: t.erased_by,
            erased_at: t.erased_at,
        }
    }
}

fn one() -> u32 {
    1
}

fn yes() -> bool {
    true
}

/// The session's meta, in the snapshot and in `meta.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetaV1 {
    /// The short name in every URL.
    pub slug: SessionName,
    /// The workshop's title.
    pub title: String,
    /// Default UI language.
    pub language: Language,
    /// When it was created.
    pub created_at: Millis,
    /// SHA-256 of the facilitator key, hex.
    pub key_hash: String,
    /// The exports' time zone (absent before it existed: Helsinki's).
    #[serde(default)]
    pub time_zone: TimeZoneName,
    /// The series it was made in (absent: none, as for every session made before series).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<SessionName>,
}

/// A prompt: its id and life, with its draft's fields (and the activity's) flattened in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromptV1 {
    /// `p1`, `p2`, …
    pub id: PromptId,
    /// The content and settings, flattened (`kind`, the kind's fields, `title`, …).
    #[serde(flatten)]
    pub draft: PromptDraft,
    /// Draft, open or closed.
    pub state: PromptState,
    /// Read-only for participants.
    #[serde(default)]
    pub locked: bool,
    /// When it was added.
    pub created_at: Millis,
    /// When it was last opened.
    pub opened_at: Option<Millis>,
    /// When it was last closed.
    pub closed_at: Option<Millis>,
    /// When its time box runs out.
    #[serde(default)]
    pub closes_at: Option<Millis>,
    /// A dot vote's frozen ballot; written only when there is one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ballot: Vec<ItemId>,
    /// A brainstorm's themes in order; written only when there are any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub themes: Vec<ThemeV1>,
    /// Laid out by theme on the projector; written only when set.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_theme: bool,
}

/// A theme of a brainstorm prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThemeV1 {
    /// Made by the console.
    pub id: ThemeId,
    /// Its name.
    pub name: String,
}

/// A participant's item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemV1 {
    /// Made by the participant's device.
    pub id: ItemId,
    /// The prompt it answers.
    pub prompt_id: PromptId,
    /// Who sent it.
    pub participant: ParticipantId,
    /// The current text.
    pub text: String,
    /// When the server accepted it.
    pub created_at: Millis,
    /// Off the projector.
    pub hidden: bool,
    /// The seq of its `item_added` event.
    pub seq: u64,
    /// Its column.
    #[serde(default)]
    pub column: Option<u8>,
    /// The sender's group when it was sent.
    #[serde(default)]
    pub group: Option<GroupId>,
    /// Earlier texts; written only when edited.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Revision>,
    /// The item it is merged into.
    #[serde(default)]
    pub merged_into: Option<ItemId>,
    /// Shown large on the projector.
    #[serde(default)]
    pub starred: bool,
    /// False while awaiting approval (absent before premoderation: approved).
    #[serde(default = "yes")]
    pub approved: bool,
    /// Who liked it; written only when someone did.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub likes: BTreeSet<ParticipantId>,
    /// The theme it was put in; written only when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<ThemeId>,
    /// A question marked answered; written only when it is.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub answered: bool,
    /// The optional name a question was signed with; written only when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
}

/// A group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupV1 {
    /// `g1`, `g2`, …
    pub id: GroupId,
    /// Its name.
    pub name: String,
    /// Optional `#rrggbb`.
    #[serde(default)]
    pub color: Option<String>,
    /// Its name in other languages; written only when there are any.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<Language, String>,
}

/// One prompt's answers in their long-standing shape: `{poll, poll_at}` for a poll,
/// `{scale}` for a scale, `{dots}` for a dot vote, empty maps left out (so an empty set is
/// `{}` and says no kind).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AnswersV1 {
    /// A poll's chosen options, per participant.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub poll: BTreeMap<ParticipantId, Vec<u8>>,
    /// When each poll answer was given (for the withdrawal grace).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub poll_at: BTreeMap<ParticipantId, Millis>,
    /// A scale's ratings, per participant.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scale: BTreeMap<ParticipantId, Vec<u8>>,
    /// A dot vote's dots, per participant and item.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dots: BTreeMap<ParticipantId, BTreeMap<ItemId, u32>>,
    /// A matrix's placements, per participant and item: `[x, y]`, each 1..=5.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub places: BTreeMap<ParticipantId, BTreeMap<ItemId, Position>>,
}

impl From<&Session> for SnapshotV1 {
    fn from(session: &Session) -> Self {
        let parts = session.to_parts();
        Self {
            meta: parts.meta.into(),
            prompts: parts.prompts.into_iter().map(PromptV1::from).collect(),
            items: parts.items.into_iter().map(ItemV1::from).collect(),
            groups: parts.groups.into_iter().map(GroupV1::from).collect(),
            members: parts.members,
            answers: parts
                .answers
                .into_iter()
                .map(|(id, set)| (id, set.into()))
                .collect(),
            current: parts.current,
            screen: parts.screen,
            screen_language: parts.screen_language,
            seq: parts.seq,
            next_prompt: parts.next_prompt,
            next_group: parts.next_group,
            pseudonyms: parts.pseudonyms,
            imported_at: parts.imported_at,
            tombstones: parts
                .tombstones
                .into_iter()
                .map(TombstoneV1::from)
                .collect(),
            history_erased: parts.history_erased,
            notes: parts.notes,
            rehearsal: parts.rehearsal.into(),
        }
    }
}

impl TryFrom<SnapshotV1> for Session {
    type Error = String;

    /// Builds the session (reindexed). Refuses a snapshot whose item ids repeat: the item
    /// index would silently point at one of them, so it is corrupt, and the store rebuilds
    /// the session from its journal instead.
    fn try_from(snapshot: SnapshotV1) -> Result<Self, String> {
        let mut ids = HashSet::with_capacity(snapshot.items.len());
        if let Some(twice) = snapshot.items.iter().find(|i| !ids.insert(i.id)) {
            return Err(format!("item {} appears twice", twice.id));
        }
        if let Some(both) = snapshot.tombstones.iter().find(|t| !ids.insert(t.id)) {
            return Err(format!("item {} is both kept and erased", both.id));
        }
        Ok(Session::from_parts(SessionParts {
            meta: snapshot.meta.into(),
            prompts: snapshot.prompts.into_iter().map(Prompt::from).collect(),
            items: snapshot.items.into_iter().map(Item::from).collect(),
            groups: snapshot.groups.into_iter().map(Group::from).collect(),
            members: snapshot.members,
            answers: snapshot
                .answers
                .into_iter()
                .map(|(id, set)| (id, set.into()))
                .collect(),
            current: snapshot.current,
            screen: snapshot.screen,
            screen_language: snapshot.screen_language,
            seq: snapshot.seq,
            next_prompt: snapshot.next_prompt,
            next_group: snapshot.next_group,
            pseudonyms: snapshot.pseudonyms,
            imported_at: snapshot.imported_at,
            tombstones: snapshot
                .tombstones
                .into_iter()
                .map(Tombstone::from)
                .collect(),
            history_erased: snapshot.history_erased,
            notes: snapshot.notes,
            rehearsal: snapshot.rehearsal.into(),
        }))
    }
}

impl From<SessionMeta> for MetaV1 {
    fn from(m: SessionMeta) -> Self {
        Self {
            slug: m.slug,
            title: m.title,
            language: m.language,
            created_at: m.created_at,
            key_hash: m.key_hash,
            time_zone: m.time_zone,
            series: m.series,
        }
    }
}

impl From<MetaV1> for SessionMeta {
    fn from(m: MetaV1) -> Self {
        Self {
            slug: m.slug,
            title: m.title,
            language: m.language,
            created_at: m.created_at,
            key_hash: m.key_hash,
            time_zone: m.time_zone,
            series: m.series,
        }
    }
}

impl From<Prompt> for PromptV1 {
    fn from(p: Prompt) -> Self {
        Self {
            id: p.id,
            draft: p.draft,
            state: p.state,
            locked: p.locked,
            created_at: p.created_at,
            opened_at: p.opened_at,
            closed_at: p.closed_at,
            closes_at: p.closes_at,
            ballot: p.ballot,
            themes: p.themes.into_iter().map(ThemeV1::from).collect(),
            by_theme: p.by_theme,
        }
    }
}

impl From<PromptV1> for Prompt {
    fn from(p: PromptV1) -> Self {
        Self {
            id: p.id,
            draft: p.draft,
            state: p.state,
            locked: p.locked,
            created_at: p.created_at,
            opened_at: p.opened_at,
            closed_at: p.closed_at,
            closes_at: p.closes_at,
            ballot: p.ballot,
            themes: p.themes.into_iter().map(Theme::from).collect(),
            by_theme: p.by_theme,
        }
    }
}

impl From<Theme> for ThemeV1 {
    fn from(t: Theme) -> Self {
        Self {
            id: t.id,
            name: t.name,
        }
    }
}

impl From<ThemeV1> for Theme {
    fn from(t: ThemeV1) -> Self {
        Self {
            id: t.id,
            name: t.name,
        }
    }
}

impl From<Item> for ItemV1 {
    fn from(i: Item) -> Self {
        Self {
            id: i.id,
            prompt_id: i.prompt_id,
            participant: i.participant,
            text: i.text,
            created_at: i.created_at,
            hidden: i.hidden,
            seq: i.seq,
            column: i.column,
            group: i.group,
            history: i.history,
            merged_into: i.merged_into,
            starred: i.starred,
            approved: i.approved,
            likes: i.likes,
            theme: i.theme,
            answered: i.answered,
            author_name: i.author_name,
        }
    }
}

impl From<ItemV1> for Item {
    fn from(i: ItemV1) -> Self {
        Self {
            id: i.id,
            prompt_id: i.prompt_id,
            participant: i.participant,
            text: i.text,
            created_at: i.created_at,
            hidden: i.hidden,
            seq: i.seq,
            column: i.column,
            group: i.group,
            history: i.history,
            merged_into: i.merged_into,
            starred: i.starred,
            approved: i.approved,
            likes: i.likes,
            theme: i.theme,
            answered: i.answered,
            author_name: i.author_name,
        }
    }
}

impl From<Group> for GroupV1 {
    fn from(g: Group) -> Self {
        Self {
            id: g.id,
            name: g.name,
            color: g.color,
            translations: g.translations,
        }
    }
}

impl From<GroupV1> for Group {
    fn from(g: GroupV1) -> Self {
        Self {
            id: g.id,
            name: g.name,
            color: g.color,
            translations: g.translations,
        }
    }
}

impl From<AnswerSet> for AnswersV1 {
    /// Each kind into its own fields; no `_` arm, so a new kind of answers does not compile
    /// until it has a stored shape.
    fn from(set: AnswerSet) -> Self {
        match set {
            AnswerSet::Poll(a) => Self {
                poll: a.chosen,
                poll_at: a.at,
                ..Self::default()
            },
            AnswerSet::Scale(a) => Self {
                scale: a.ratings,
                ..Self::default()
            },
            AnswerSet::DotVote(a) => Self {
                dots: a.placed,
                ..Self::default()
            },
            AnswerSet::Matrix(a) => Self {
                places: a.placed,
                ..Self::default()
            },
        }
    }
}

impl From<AnswersV1> for AnswerSet {
    /// The kind is the one whose fields are there. An empty set (`{}`) reads as an empty
    /// poll's: the session treats an empty set of another kind as no answers, and replaces
    /// it on the first answer.
    fn from(s: AnswersV1) -> Self {
        if !s.scale.is_empty() {
            AnswerSet::Scale(ScaleAnswers { ratings: s.scale })
        } else if !s.dots.is_empty() {
            AnswerSet::DotVote(DotAnswers { placed: s.dots })
        } else if !s.places.is_empty() {
            AnswerSet::Matrix(MatrixAnswers { placed: s.places })
        } else {
            AnswerSet::Poll(PollAnswers {
                chosen: s.poll,
                at: s.poll_at,
            })
        }
    }
}
