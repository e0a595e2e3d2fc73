//! The journal line's format 1: `{"seq":N,"at":ms,"cmd":`[`JournalRecord`]`}` (with `"v"`
//! only from format 2 on), and the record enum that spells out each command's JSON.
//!
//! [`JournalRecord`] mirrors `session::Command` variant by variant, with the serde shape
//! today's journals hold. Both conversions are exhaustive matches generated from the one
//! list below, with no catch-all arm: a new command does not compile until it has a
//! record here, so a command can never reach the journal in a shape nobody decided on.
//! Field values whose JSON is the wire's too (ids, [`PromptDraft`], [`ScreenView`]) are
//! reused as they are.

use serde::{Deserialize, Serialize};

use crate::session::{Command, GroupId, ItemId, Millis, ParticipantId, PromptDraft, PromptId};
use crate::session::{Language, NameTranslations, ScreenView, ThemeId};

/// One journal line: a record, when it was applied, and the seq it led to.
///
/// Lines of format 1 carry no `v`, so the field is written only for later formats and a
/// line without it reads as format 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalLine<C> {
    /// The line's format; 1 when absent.
    #[serde(default = "journal_v1", skip_serializing_if = "is_journal_v1")]
    pub v: u32,
    /// The session's seq after applying `cmd`.
    pub seq: u64,
    /// The time it was applied with.
    pub at: Millis,
    /// The command, as a [`JournalRecord`] on disk and a `Command` once read.
    pub cmd: C,
}

fn journal_v1() -> u32 {
    1
}

fn is_journal_v1(v: &u32) -> bool {
    *v == 1
}

/// Declares [`JournalRecord`] with the given variants, and its conversions to and from
/// `Command`, whose variants must have the same names and fields.
macro_rules! journal_records {
    ($(
        $(#[$variant_attr:meta])*
        $variant:ident $({ $( $(#[$field_attr:meta])* $field:ident : $ty:ty ),* $(,)? })?
    ),* $(,)?) => {
        /// A journal line's command in format 1: `{"type":"add_prompt","prompt":{…}}`, … .
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "type", rename_all = "snake_case")]
        pub enum JournalRecord {
            $(
                $(#[$variant_attr])*
                $variant $({ $(
                    #[doc = concat!("The command's `", stringify!($field), "`.")]
                    $(#[$field_attr])* $field: $ty
                ),* })?,
            )*
        }

        impl From<Command> for JournalRecord {
            fn from(cmd: Command) -> Self {
                match cmd {
                    $( Command::$variant $({ $($field),* })? => Self::$variant $({ $($field),* })?, )*
                }
            }
        }

        impl From<JournalRecord> for Command {
            fn from(record: JournalRecord) -> Self {
                match record {
                    $( JournalRecord::$variant $({ $($field),* })? => Command::$variant $({ $($field),* })?, )*
                }
            }
        }
    };
}

journal_records! {
    /// See [`Command::AddPrompt`].
    AddPrompt {
        #[serde(rename = "prompt")]
        draft: PromptDraft,
    },
    /// See [`Command::UpdatePrompt`].
    UpdatePrompt {
        prompt_id: PromptId,
        #[serde(rename = "prompt")]
        draft: PromptDraft,
    },
    /// See [`Command::DuplicatePrompt`].
    DuplicatePrompt { prompt_id: PromptId },
    /// See [`Command::DeletePrompt`].
    DeletePrompt { prompt_id: PromptId },
    /// See [`Command::MovePrompt`].
    MovePrompt { prompt_id: PromptId, position: usize },
    /// See [`Command::ImportAgenda`].
    ImportAgenda { prompts: Vec<PromptDraft> },
    /// See [`Command::OpenPrompt`].
    OpenPrompt { prompt_id: PromptId },
    /// See [`Command::NextPrompt`].
    NextPrompt,
    /// See [`Command::ClosePrompt`].
    ClosePrompt { prompt_id: PromptId },
    /// See [`Command::LockPrompt`].
    LockPrompt { prompt_id: PromptId, locked: bool },
    /// See [`Command::AddTime`].
    AddTime { prompt_id: PromptId, secs: u32 },
    /// See [`Command::ShowOnScreen`].
    ShowOnScreen { view: ScreenView },
    /// See [`Command::Tick`].
    Tick,
    /// See [`Command::AddGroup`].
    AddGroup {
        name: String,
        #[serde(default)]
        color: Option<String>,
        #[serde(default, skip_serializing_if = "NameTranslations::is_empty")]
        translations: NameTranslations,
    },
    /// See [`Command::UpdateGroup`].
    UpdateGroup {
        group_id: GroupId,
        name: String,
        #[serde(default)]
        color: Option<String>,
        #[serde(default, skip_serializing_if = "NameTranslations::is_empty")]
        translations: NameTranslations,
    },
    /// See [`Command::DeleteGroup`].
    DeleteGroup { group_id: GroupId },
    /// See [`Command::ChooseGroup`].
    ChooseGroup {
        participant: ParticipantId,
        group_id: Option<GroupId>,
    },
    /// See [`Command::Submit`].
    Submit {
        participant: ParticipantId,
        item_id: ItemId,
        prompt_id: PromptId,
        text: String,
        #[serde(default)]
        column: Option<u8>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// See [`Command::Vote`].
    Vote {
        participant: ParticipantId,
        prompt_id: PromptId,
        options: Vec<u8>,
    },
    /// See [`Command::WithdrawVote`].
    WithdrawVote {
        participant: ParticipantId,
        prompt_id: PromptId,
    },
    /// See [`Command::Rate`].
    Rate {
        participant: ParticipantId,
        prompt_id: PromptId,
        statement: u8,
        value: u8,
    },
    /// See [`Command::PlaceDot`].
    PlaceDot {
        participant: ParticipantId,
        prompt_id: PromptId,
        item_id: ItemId,
    },
    /// See [`Command::RemoveDot`].
    RemoveDot {
        participant: ParticipantId,
        prompt_id: PromptId,
        item_id: ItemId,
    },
    /// See [`Command::Place`].
    Place {
        participant: ParticipantId,
        prompt_id: PromptId,
        item_id: ItemId,
        x: u8,
        y: u8,
    },
    /// See [`Command::Unplace`].
    Unplace {
        participant: ParticipantId,
        prompt_id: PromptId,
        item_id: ItemId,
    },
    /// See [`Command::Like`].
    Like {
        participant: ParticipantId,
        item_id: ItemId,
        liked: bool,
    },
    /// See [`Command::HideItem`].
    HideItem { item_id: ItemId },
    /// See [`Command::UnhideItem`].
    UnhideItem { item_id: ItemId },
    /// See [`Command::EditItem`].
    EditItem { item_id: ItemId, text: String },
    /// See [`Command::MergeItems`].
    MergeItems { into: ItemId, items: Vec<ItemId> },
    /// See [`Command::UnmergeItem`].
    UnmergeItem { item_id: ItemId },
    /// See [`Command::StarItem`].
    StarItem { item_id: ItemId, starred: bool },
    /// See [`Command::ApproveItem`].
    ApproveItem { item_id: ItemId },
    /// See [`Command::EraseItem`].
    EraseItem { item_id: ItemId },
    /// See [`Command::WithdrawItem`].
    WithdrawItem { participant: ParticipantId, item_id: ItemId },
    /// See [`Command::EraseItemHistory`].
    EraseItemHistory { item_id: ItemId },
    /// See [`Command::AddTheme`].
    AddTheme {
        prompt: PromptId,
        theme: ThemeId,
        name: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        items: Vec<ItemId>,
    },
    /// See [`Command::RenameTheme`].
    RenameTheme { prompt: PromptId, theme: ThemeId, name: String },
    /// See [`Command::MergeThemes`].
    MergeThemes { prompt: PromptId, from: ThemeId, into: ThemeId },
    /// See [`Command::RemoveTheme`].
    RemoveTheme { prompt: PromptId, theme: ThemeId },
    /// See [`Command::MoveTheme`].
    MoveTheme { prompt: PromptId, theme: ThemeId, to: usize },
    /// See [`Command::SetItemTheme`].
    SetItemTheme { items: Vec<ItemId>, theme: Option<ThemeId> },
    /// See [`Command::MoveItem`].
    MoveItem {
        item: ItemId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        column: Option<u8>,
        #[serde(
            default,
            deserialize_with = "crate::session::deserialize_present",
            skip_serializing_if = "Option::is_none"
        )]
        group: Option<Option<GroupId>>,
    },
    /// See [`Command::SetNotes`].
    SetNotes { prompt: PromptId, notes: String },
    /// See [`Command::ShowByTheme`].
    ShowByTheme { prompt: PromptId, on: bool },
    /// See [`Command::SetRehearsal`].
    SetRehearsal { on: bool },
    /// See [`Command::ResetRehearsal`].
    ResetRehearsal,
    /// See [`Command::MarkAnswered`].
    MarkAnswered { item_id: ItemId, answered: bool },
    /// See [`Command::SetLanguages`].
    SetLanguages {
        main: Language,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        screen: Option<Language>,
    },
}
