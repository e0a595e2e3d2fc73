//! What the facilitator may do over the websocket: the wire form of the staff commands.
//!
//! [`session::Command`](crate::session::Command) is also the journal record and holds
//! commands nobody may send (the clock's `Tick`, participants' actions with a `participant`
//! field the server fills in). A frame becomes a command only through
//! [`FacilitatorAction::into_command`] or [`ParticipantAction::into_command`]
//! (crate::protocol::ParticipantAction), so an internal command cannot come in from the wire:
//! there is no variant to decode it into.

use serde::Deserialize;

use crate::session::{
    Command, GroupId, ItemId, Language, NameTranslations, PromptDraft, PromptId, ScreenView,
    ThemeId,
};

/// What the facilitator's console may send (besides `hello` and `ping`); the same fields, by
/// the same names, as the [`Command`] each becomes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FacilitatorAction {
    /// See [`Command::AddPrompt`].
    AddPrompt {
        /// Its content.
        #[serde(rename = "prompt")]
        draft: PromptDraft,
    },
    /// See [`Command::UpdatePrompt`].
    UpdatePrompt {
        /// Which prompt.
        prompt_id: PromptId,
        /// Its new content.
        #[serde(rename = "prompt")]
        draft: PromptDraft,
    },
    /// See [`Command::DuplicatePrompt`].
    DuplicatePrompt {
        /// Which prompt.
        prompt_id: PromptId,
    },
    /// See [`Command::DeletePrompt`].
    DeletePrompt {
        /// Which prompt.
        prompt_id: PromptId,
    },
    /// See [`Command::MovePrompt`].
    MovePrompt {
        /// Which prompt.
        prompt_id: PromptId,
        /// Its new index.
        position: usize,
    },
    /// See [`Command::ImportAgenda`].
    ImportAgenda {
        /// The drafts, in order.
        prompts: Vec<PromptDraft>,
    },
    /// See [`Command::OpenPrompt`].
    OpenPrompt {
        /// Which prompt.
        prompt_id: PromptId,
    },
    /// See [`Command::NextPrompt`].
    NextPrompt,
    /// See [`Command::ClosePrompt`].
    ClosePrompt {
        /// Which prompt.
        prompt_id: PromptId,
    },
    /// See [`Command::LockPrompt`].
    LockPrompt {
        /// Which prompt.
        prompt_id: PromptId,
        /// Locked or not.
        locked: bool,
    },
    /// See [`Command::AddTime`].
    AddTime {
        /// Which prompt.
        prompt_id: PromptId,
        /// Seconds to add, 1 to 3600.
        secs: u32,
    },
    /// See [`Command::ShowOnScreen`].
    ShowOnScreen {
        /// The new view.
        view: ScreenView,
    },
    /// See [`Command::AddGroup`].
    AddGroup {
        /// Its name.
        name: String,
        /// Optional `#rrggbb`.
        #[serde(default)]
        color: Option<String>,
        /// Its name in other languages.
        #[serde(default)]
        translations: NameTranslations,
    },
    /// See [`Command::UpdateGroup`].
    UpdateGroup {
        /// Which group.
        group_id: GroupId,
        /// New name.
        name: String,
        /// New colour.
        #[serde(default)]
        color: Option<String>,
        /// New names in other languages.
        #[serde(default)]
        translations: NameTranslations,
    },
    /// See [`Command::DeleteGroup`].
    DeleteGroup {
        /// Which group.
        group_id: GroupId,
    },
    /// See [`Command::HideItem`].
    HideItem {
        /// Which item.
        item_id: ItemId,
    },
    /// See [`Command::UnhideItem`].
    UnhideItem {
        /// Which item.
        item_id: ItemId,
    },
    /// See [`Command::EditItem`].
    EditItem {
        /// Which item.
        item_id: ItemId,
        /// The new text.
        text: String,
    },
    /// See [`Command::MergeItems`].
    MergeItems {
        /// The item that stays.
        into: ItemId,
        /// The duplicates.
        items: Vec<ItemId>,
    },
    /// See [`Command::UnmergeItem`].
    UnmergeItem {
        /// Which item.
        item_id: ItemId,
    },
    /// See [`Command::StarItem`].
    StarItem {
        /// Which item.
        item_id: ItemId,
        /// Starred or not.
        starred: bool,
    },
    /// See [`Command::ApproveItem`].
    ApproveItem {
        /// Which item.
        item_id: ItemId,
    },
    /// See [`Command::EraseItem`]: irreversible, the console confirms first.
    EraseItem {
        /// Which item.
        item_id: ItemId,
    },
    /// See [`Command::EraseItemHistory`].
    EraseItemHistory {
        /// Which item.
        item_id: ItemId,
    },
    /// See [`Command::AddTheme`].
    AddTheme {
        /// Which brainstorm.
        prompt: PromptId,
        /// Made by the console.
        theme: ThemeId,
        /// Its name.
        name: String,
        /// Items to put in it at once.
        #[serde(default)]
        items: Vec<ItemId>,
    },
    /// See [`Command::RenameTheme`].
    RenameTheme {
        /// Its brainstorm.
        prompt: PromptId,
        /// Which theme.
        theme: ThemeId,
        /// The new name.
        name: String,
    },
    /// See [`Command::MergeThemes`].
    MergeThemes {
        /// Their brainstorm.
        prompt: PromptId,
        /// The theme that goes.
        from: ThemeId,
        /// The theme that stays.
        into: ThemeId,
    },
    /// See [`Command::RemoveTheme`].
    RemoveTheme {
        /// Its brainstorm.
        prompt: PromptId,
        /// Which theme.
        theme: ThemeId,
    },
    /// See [`Command::MoveTheme`].
    MoveTheme {
        /// Its brainstorm.
        prompt: PromptId,
        /// Which theme.
        theme: ThemeId,
        /// Its new index.
        to: usize,
    },
    /// See [`Command::SetItemTheme`].
    SetItemTheme {
        /// Which items.
        items: Vec<ItemId>,
        /// The theme, or none.
        theme: Option<ThemeId>,
    },
    /// See [`Command::MoveItem`].
    MoveItem {
        /// Which item.
        item: ItemId,
        /// The new column, when given.
        #[serde(default)]
        column: Option<u8>,
        /// The new group (`null`: none), when given.
        #[serde(default, deserialize_with = "crate::session::deserialize_present")]
        group: Option<Option<GroupId>>,
    },
    /// See [`Command::SetNotes`].
    SetNotes {
        /// Which prompt.
        prompt: PromptId,
        /// The whole text.
        notes: String,
    },
    /// See [`Command::ShowByTheme`].
    ShowByTheme {
        /// Which brainstorm.
        prompt: PromptId,
        /// By theme or not.
        on: bool,
    },
    /// See [`Command::SetRehearsal`].
    SetRehearsal {
        /// Rehearsal or not.
        on: bool,
    },
    /// See [`Command::ResetRehearsal`].
    ResetRehearsal,
    /// See [`Command::MarkAnswered`].
    MarkAnswered {
        /// Which question.
        item_id: ItemId,
        /// Answered or not.
        answered: bool,
    },
    /// See [`Command::SetLanguages`].
    SetLanguages {
        /// The main language.
        main: Language,
        /// The projector's second language (absent or null: none).
        #[serde(default)]
        screen: Option<Language>,
    },
}

impl FacilitatorAction {
    /// The session command it asks for.
    pub fn into_command(self) -> Command {
        use FacilitatorAction as A;
        match self {
            A::AddPrompt { draft } => Command::AddPrompt { draft },
            A::UpdatePrompt { prompt_id, draft } => Command::UpdatePrompt { prompt_id, draft },
            A::DuplicatePrompt { prompt_id } => Command::DuplicatePrompt { prompt_id },
            A::DeletePrompt { prompt_id } => Command::DeletePrompt { prompt_id },
            A::MovePrompt {
                prompt_id,
                position,
            } => Command::MovePrompt {
                prompt_id,
                position,
            },
            A::ImportAgenda { prompts } => Command::ImportAgenda { prompts },
            A::OpenPrompt { prompt_id } => Command::OpenPrompt { prompt_id },
            A::NextPrompt => Command::NextPrompt,
            A::ClosePrompt { prompt_id } => Command::ClosePrompt { prompt_id },
            A::LockPrompt { prompt_id, locked } => Command::LockPrompt { prompt_id, locked },
            A::AddTime { prompt_id, secs } => Command::AddTime { prompt_id, secs },
            A::ShowOnScreen { view } => Command::ShowOnScreen { view },
            A::AddGroup {
                name,
                color,
                translations,
            } => Command::AddGroup {
                name,
                color,
                translations,
            },
            A::UpdateGroup {
                group_id,
                name,
                color,
                translations,
            } => Command::UpdateGroup {
                group_id,
                name,
                color,
                translations,
            },
            A::SetLanguages { main, screen } => Command::SetLanguages { main, screen },
            A::DeleteGroup { group_id } => Command::DeleteGroup { group_id },
            A::HideItem { item_id } => Command::HideItem { item_id },
            A::UnhideItem { item_id } => Command::UnhideItem { item_id },
            A::EditItem { item_id, text } => Command::EditItem { item_id, text },
            A::MergeItems { into, items } => Command::MergeItems { into, items },
            A::UnmergeItem { item_id } => Command::UnmergeItem { item_id },
            A::StarItem { item_id, starred } => Command::StarItem { item_id, starred },
            A::ApproveItem { item_id } => Command::ApproveItem { item_id },
            A::EraseItem { item_id } => Command::EraseItem { item_id },
            A::EraseItemHistory { item_id } => Command::EraseItemHistory { item_id },
            A::SetRehearsal { on } => Command::SetRehearsal { on },
            A::ResetRehearsal => Command::ResetRehearsal,
            A::MarkAnswered { item_id, answered } => Command::MarkAnswered { item_id, answered },
            other => other.into_theme_command(),
        }
    }

    /// The themes' actions (see [`Self::into_command`]).
    fn into_theme_command(self) -> Command {
        use FacilitatorAction as A;
        match self {
            A::AddTheme {
                prompt,
                theme,
                name,
                items,
            } => Command::AddTheme {
                prompt,
                theme,
                name,
                items,
            },
            A::RenameTheme {
                prompt,
                theme,
                name,
            } => Command::RenameTheme {
                prompt,
                theme,
                name,
            },
            A::MergeThemes { prompt, from, into } => Command::MergeThemes { prompt, from, into },
            A::RemoveTheme { prompt, theme } => Command::RemoveTheme { prompt, theme },
            A::MoveTheme { prompt, theme, to } => Command::MoveTheme { prompt, theme, to },
            A::SetItemTheme { items, theme } => Command::SetItemTheme { items, theme },
            A::MoveItem {
                item,
                column,
                group,
            } => Command::MoveItem {
                item,
                column,
                group,
            },
            A::SetNotes { prompt, notes } => Command::SetNotes { prompt, notes },
            A::ShowByTheme { prompt, on } => Command::ShowByTheme { prompt, on },
            other => unreachable!("{other:?} is not a themes action"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::client::variant_names;
    use serde_json::json;

    /// Every facilitator action decodes to the same command the journal holds for it: the
    /// wire enum and the command agree on names and fields.
    #[test]
    fn each_action_becomes_the_command_of_the_same_json() {
        let frames = [
            json!({"type":"add_prompt","prompt":{"kind":"poll","title":"Sektori?","options":["Kunta","Muu"]}}),
            json!({"type":"update_prompt","prompt_id":"p1","prompt":{"kind":"brainstorm","title":"Ideat"}}),
            json!({"type":"duplicate_prompt","prompt_id":"p1"}),
            json!({"type":"delete_prompt","prompt_id":"p1"}),
            json!({"type":"move_prompt","prompt_id":"p1","position":2}),
            json!({"type":"import_agenda","prompts":[{"kind":"brainstorm","title":"Ideat"}]}),
            json!({"type":"open_prompt","prompt_id":"p1"}),
            json!({"type":"next_prompt"}),
            json!({"type":"close_prompt","prompt_id":"p1"}),
            json!({"type":"lock_prompt","prompt_id":"p1","locked":true}),
            json!({"type":"add_time","prompt_id":"p1","secs":60}),
            json!({"type":"show_on_screen","view":{"kind":"join"}}),
            json!({"type":"add_group","name":"A","translations":{"sv":"Å"}}),
            json!({"type":"update_group","group_id":"g1","name":"B","color":"#112233"}),
            json!({"type":"delete_group","group_id":"g1"}),
            json!({"type":"hide_item","item_id":uuid::Uuid::nil()}),
            json!({"type":"unhide_item","item_id":uuid::Uuid::nil()}),
            json!({"type":"edit_item","item_id":uuid::Uuid::nil(),"text":"x"}),
            json!({"type":"merge_items","into":uuid::Uuid::nil(),"items":[uuid::Uuid::from_u128(1)]}),
            json!({"type":"unmerge_item","item_id":uuid::Uuid::nil()}),
            json!({"type":"star_item","item_id":uuid::Uuid::nil(),"starred":true}),
            json!({"type":"approve_item","item_id":uuid::Uuid::nil()}),
            json!({"type":"erase_item","item_id":uuid::Uuid::nil()}),
            json!({"type":"erase_item_history","item_id":uuid::Uuid::nil()}),
            json!({"type":"add_theme","prompt":"p1","theme":uuid::Uuid::nil(),"name":"Nuoret",
                "items":[uuid::Uuid::from_u128(1)]}),
            json!({"type":"rename_theme","prompt":"p1","theme":uuid::Uuid::nil(),"name":"Digi"}),
            json!({"type":"merge_themes","prompt":"p1","from":uuid::Uuid::nil(),
                "into":uuid::Uuid::from_u128(2)}),
            json!({"type":"remove_theme","prompt":"p1","theme":uuid::Uuid::nil()}),
            json!({"type":"move_theme","prompt":"p1","theme":uuid::Uuid::nil(),"to":0}),
            json!({"type":"set_item_theme","items":[uuid::Uuid::nil()],"theme":null}),
            json!({"type":"move_item","item":uuid::Uuid::nil(),"column":2,"group":null}),
            json!({"type":"set_notes","prompt":"p1","notes":"Puhuttiin nuorista."}),
            json!({"type":"show_by_theme","prompt":"p1","on":true}),
            json!({"type":"set_rehearsal","on":true}),
            json!({"type":"reset_rehearsal"}),
            json!({"type":"mark_answered","item_id":uuid::Uuid::nil(),"answered":true}),
            json!({"type":"set_languages","main":"fi","screen":"sv"}),
        ];
        assert_eq!(frames.len(), variant_names::<FacilitatorAction>().len());
        for frame in frames {
            let action: FacilitatorAction = serde_json::from_value(frame.clone()).unwrap();
            let command: Command = serde_json::from_value(frame.clone()).unwrap();
            assert_eq!(action.into_command(), command, "{frame}");
        }
    }

    #[test]
    fn internal_and_participant_commands_are_not_facilitator_actions() {
        let names = variant_names::<FacilitatorAction>();
        assert!(names.contains(&"add_prompt") && names.contains(&"approve_item"));
        for internal in ["tick", "submit", "vote", "choose_group", "like", "withdraw"] {
            assert!(!names.contains(&internal), "{internal}");
        }
    }
}
