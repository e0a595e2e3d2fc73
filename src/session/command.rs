//! [`Command`]: a change the facilitator, a participant or the clock asks for. The wire has
//! its own types (`protocol::FacilitatorAction`, `ParticipantAction`) and the journal its own
//! record (`store::format::JournalRecord`, which must match every variant); the serde shape
//! kept here is the journal's, so tests can write commands as the JSON they are stored as.

use serde::{Deserialize, Serialize};

use super::types::*;
use super::{NameTranslations, PromptDraft, ScreenView, ThemeId};

/// A change the facilitator, a participant or the clock asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Put a new draft prompt at the end of the agenda.
    AddPrompt {
        /// Its content.
        #[serde(rename = "prompt")]
        draft: PromptDraft,
    },
    /// Change a prompt. Drafts change freely; once opened, only wording, time and display
    /// settings change (never the activity, so answers keep their meaning).
    UpdatePrompt {
        /// Which prompt.
        prompt_id: PromptId,
        /// Its new content.
        #[serde(rename = "prompt")]
        draft: PromptDraft,
    },
    /// Copy a prompt as a new draft right after it.
    DuplicatePrompt {
        /// Which prompt.
        prompt_id: PromptId,
    },
    /// Remove a draft prompt from the agenda.
    DeletePrompt {
        /// Which prompt.
        prompt_id: PromptId,
    },
    /// Move a prompt to a new place in the agenda (0 = first).
    MovePrompt {
        /// Which prompt.
        prompt_id: PromptId,
        /// Its new index.
        position: usize,
    },
    /// Append a saved agenda (a template). A dot vote's `source` of `@N` means the N-th
    /// prompt of this import (0-based).
    ImportAgenda {
        /// The drafts, in order.
        prompts: Vec<PromptDraft>,
    },
    /// Show a prompt on every phone and accept answers; closes the prompt open before it.
    OpenPrompt {
        /// Which prompt.
        prompt_id: PromptId,
    },
    /// Open the next draft after the current prompt in agenda order.
    NextPrompt,
    /// Stop accepting answers for a prompt.
    ClosePrompt {
        /// Which prompt.
        prompt_id: PromptId,
    },
    /// Make an open prompt read-only for participants, or writable again.
    LockPrompt {
        /// Which prompt.
        prompt_id: PromptId,
        /// Locked or not.
        locked: bool,
    },
    /// Give an open prompt more time (starts a countdown if it had none).
    AddTime {
        /// Which prompt.
        prompt_id: PromptId,
        /// Seconds to add, 1 to 3600.
        secs: u32,
    },
    /// Choose what the projector shows: the current prompt, the join page, or an earlier
    /// prompt. Opening a prompt sets it back to following.
    ShowOnScreen {
        /// The new view.
        view: ScreenView,
    },
    /// The clock: close every auto-closing prompt whose time is up.
    Tick,
    /// Add a group.
    AddGroup {
        /// Its name.
        name: String,
        /// Optional `#rrggbb`.
        #[serde(default)]
        color: Option<String>,
        /// Its name in other languages.
        #[serde(default, skip_serializing_if = "NameTranslations::is_empty")]
        translations: NameTranslations,
    },
    /// Rename or recolour a group.
    UpdateGroup {
        /// Which group.
        group_id: GroupId,
        /// New name.
        name: String,
        /// New colour.
        #[serde(default)]
        color: Option<String>,
        /// New names in other languages (replacing the earlier ones).
        #[serde(default, skip_serializing_if = "NameTranslations::is_empty")]
        translations: NameTranslations,
    },
    /// Remove a group nobody's item belongs to.
    DeleteGroup {
        /// Which group.
        group_id: GroupId,
    },
    /// A participant picks (or leaves) a group.
    ChooseGroup {
        /// Who.
        participant: ParticipantId,
        /// The group, or none.
        group_id: Option<GroupId>,
    },
    /// A participant's item for a brainstorm or word cloud.
    Submit {
        /// Who sends it.
        participant: ParticipantId,
        /// The device-made id that makes a resend harmless.
        item_id: ItemId,
        /// The prompt it answers.
        prompt_id: PromptId,
        /// The raw text.
        text: String,
        /// The column, when the brainstorm has columns.
        #[serde(default)]
        column: Option<u8>,
        /// The optional name on a question (questions prompts that take names).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// A participant answers a poll.
    Vote {
        /// Who.
        participant: ParticipantId,
        /// Which poll.
        prompt_id: PromptId,
        /// Chosen option indexes.
        options: Vec<u8>,
    },
    /// A participant takes back their poll answer: any time on a poll with `may_change`,
    /// otherwise within [`POLL_GRACE_MS`] of voting. Without an answer it changes nothing.
    WithdrawVote {
        /// Who.
        participant: ParticipantId,
        /// Which poll.
        prompt_id: PromptId,
    },
    /// A participant rates one statement of a scale.
    Rate {
        /// Who.
        participant: ParticipantId,
        /// Which scale.
        prompt_id: PromptId,
        /// Statement index.
        statement: u8,
        /// 1..=N.
        value: u8,
    },
    /// A participant puts one dot on an item of a dot vote.
    PlaceDot {
        /// Who.
        participant: ParticipantId,
        /// Which vote.
        prompt_id: PromptId,
        /// Which ballot item.
        item_id: ItemId,
    },
    /// A participant takes one dot back.
    RemoveDot {
        /// Who.
        participant: ParticipantId,
        /// Which vote.
        prompt_id: PromptId,
        /// Which ballot item.
        item_id: ItemId,
    },
    /// A participant places a ballot item on a matrix, or moves it.
    Place {
        /// Who.
        participant: ParticipantId,
        /// Which matrix.
        prompt_id: PromptId,
        /// Which ballot item.
        item_id: ItemId,
        /// Horizontal position, 1..=5.
        x: u8,
        /// Vertical position, 1..=5.
        y: u8,
    },
    /// A participant takes a placement back.
    Unplace {
        /// Who.
        participant: ParticipantId,
        /// Which matrix.
        prompt_id: PromptId,
        /// Which ballot item.
        item_id: ItemId,
    },
    /// A participant likes (or un-likes) an item on the wall.
    Like {
        /// Who.
        participant: ParticipantId,
        /// Which item.
        item_id: ItemId,
        /// Like or take it back.
        liked: bool,
    },
    /// Take an item off the projector (kept, and in exports with `hidden`).
    HideItem {
        /// Which item.
        item_id: ItemId,
    },
    /// Put a hidden item back.
    UnhideItem {
        /// Which item.
        item_id: ItemId,
    },
    /// Correct an item's text; the earlier text is kept in its history.
    EditItem {
        /// Which item.
        item_id: ItemId,
        /// The new text.
        text: String,
    },
    /// Merge duplicates into one item: their likes and dots count for it, and they stay
    /// traceable (each keeps `merged_into`).
    MergeItems {
        /// The item that stays.
        into: ItemId,
        /// The duplicates.
        items: Vec<ItemId>,
    },
    /// Undo a merge for one item.
    UnmergeItem {
        /// Which item.
        item_id: ItemId,
    },
    /// Show an item large on the projector, or stop.
    StarItem {
        /// Which item.
        item_id: ItemId,
        /// Starred or not.
        starred: bool,
    },
    /// Let a pre-moderated item through to the projector and the wall.
    ApproveItem {
        /// Which item.
        item_id: ItemId,
    },
    /// The facilitator erases an item for good: its text and history leave the session, a
    /// tombstone without text stays (see `session::erase`). Any item, at any time.
    EraseItem {
        /// Which item.
        item_id: ItemId,
    },
    /// A participant takes back their own item, while its prompt takes answers.
    WithdrawItem {
        /// Who.
        participant: ParticipantId,
        /// Which item (theirs).
        item_id: ItemId,
    },
    /// The facilitator drops an edited item's earlier texts; its current text stays.
    EraseItemHistory {
        /// Which item.
        item_id: ItemId,
    },
    /// Give a brainstorm a new theme at the end of its themes, with `items` put in it at
    /// once. A resend (same id, same name) is acknowledged and changes nothing.
    AddTheme {
        /// Which brainstorm.
        prompt: PromptId,
        /// Made by the console.
        theme: ThemeId,
        /// Its name.
        name: String,
        /// Items of the prompt to put in it (at most `THEME_ITEMS_MAX`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        items: Vec<ItemId>,
    },
    /// Rename a theme (also one on a dot vote's ballot).
    RenameTheme {
        /// Its brainstorm.
        prompt: PromptId,
        /// Which theme.
        theme: ThemeId,
        /// The new name.
        name: String,
    },
    /// Move the items of `from` into `into` and remove `from`.
    MergeThemes {
        /// Their brainstorm.
        prompt: PromptId,
        /// The theme that goes.
        from: ThemeId,
        /// The theme that stays.
        into: ThemeId,
    },
    /// Remove a theme; its items stay, unthemed.
    RemoveTheme {
        /// Its brainstorm.
        prompt: PromptId,
        /// Which theme.
        theme: ThemeId,
    },
    /// Move a theme to a new place among its prompt's themes (0 = first).
    MoveTheme {
        /// Its brainstorm.
        prompt: PromptId,
        /// Which theme.
        theme: ThemeId,
        /// Its new index.
        to: usize,
    },
    /// Put items (of one brainstorm) in a theme, or take them out of theirs.
    SetItemTheme {
        /// Which items (at most `THEME_ITEMS_MAX`).
        items: Vec<ItemId>,
        /// The theme, or none.
        theme: Option<ThemeId>,
    },
    /// Move an item to another column and/or group; a field left out stays as it is.
    MoveItem {
        /// Which item.
        item: ItemId,
        /// The new column, when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        column: Option<u8>,
        /// The new group (`null`: none), when given.
        #[serde(
            default,
            deserialize_with = "super::arrange::deserialize_present",
            skip_serializing_if = "Option::is_none"
        )]
        group: Option<Option<GroupId>>,
    },
    /// The facilitator's notes on a prompt (empty: none).
    SetNotes {
        /// Which prompt.
        prompt: PromptId,
        /// The whole text.
        notes: String,
    },
    /// Lay a brainstorm out by theme on the projector, or not.
    ShowByTheme {
        /// Which brainstorm.
        prompt: PromptId,
        /// By theme or not.
        on: bool,
    },
    /// Mark the session as a rehearsal (every view says so), or as live again.
    SetRehearsal {
        /// Rehearsal or not.
        on: bool,
    },
    /// Reset a rehearsal: every answer, item, vote and participant leaves the session and
    /// its files; the agenda (back to drafts), groups, notes and settings stay (see
    /// `session::rehearsal`). Refused unless the session is a rehearsal.
    ResetRehearsal,
    /// Mark a question answered (it moves below the unanswered ones and stays visible) or
    /// not; answering unhighlights it. Only items of a questions prompt.
    MarkAnswered {
        /// Which question.
        item_id: ItemId,
        /// Answered or not.
        answered: bool,
    },
    /// The session's languages: the main one (the prompts' own texts are in it, and it is
    /// the default UI language) and the one the projector stacks under it (None: main only).
    SetLanguages {
        /// The main language.
        main: Language,
        /// The projector's second language.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        screen: Option<Language>,
    },
}
