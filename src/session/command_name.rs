//! A command's wire name (its `type`), for counting commands by type in `/metrics`: a
//! `&'static str` from a fixed set, so counting allocates nothing and the label stays bounded.

use super::Command;

impl Command {
    /// The `type` this command has on the wire and in the journal (`submit`, `add_prompt`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Command::AddPrompt { .. } => "add_prompt",
            Command::UpdatePrompt { .. } => "update_prompt",
            Command::DuplicatePrompt { .. } => "duplicate_prompt",
            Command::DeletePrompt { .. } => "delete_prompt",
            Command::MovePrompt { .. } => "move_prompt",
            Command::ImportAgenda { .. } => "import_agenda",
            Command::OpenPrompt { .. } => "open_prompt",
            Command::NextPrompt => "next_prompt",
            Command::ClosePrompt { .. } => "close_prompt",
            Command::LockPrompt { .. } => "lock_prompt",
            Command::AddTime { .. } => "add_time",
            Command::ShowOnScreen { .. } => "show_on_screen",
            Command::Tick => "tick",
            Command::AddGroup { .. } => "add_group",
            Command::UpdateGroup { .. } => "update_group",
            Command::DeleteGroup { .. } => "delete_group",
            Command::ChooseGroup { .. } => "choose_group",
            Command::Submit { .. } => "submit",
            Command::Vote { .. } => "vote",
            Command::WithdrawVote { .. } => "withdraw_vote",
            Command::Rate { .. } => "rate",
            Command::PlaceDot { .. } => "place_dot",
            Command::RemoveDot { .. } => "remove_dot",
            Command::Place { .. } => "place",
            Command::Unplace { .. } => "unplace",
            Command::Like { .. } => "like",
            Command::HideItem { .. } => "hide_item",
            Command::UnhideItem { .. } => "unhide_item",
            Command::EditItem { .. } => "edit_item",
            Command::MergeItems { .. } => "merge_items",
            Command::UnmergeItem { .. } => "unmerge_item",
            Command::StarItem { .. } => "star_item",
            Command::ApproveItem { .. } => "approve_item",
            Command::EraseItem { .. } => "erase_item",
            Command::WithdrawItem { .. } => "withdraw_item",
            Command::EraseItemHistory { .. } => "erase_item_history",
            Command::AddTheme { .. } => "add_theme",
            Command::RenameTheme { .. } => "rename_theme",
            Command::MergeThemes { .. } => "merge_themes",
            Command::RemoveTheme { .. } => "remove_theme",
            Command::MoveTheme { .. } => "move_theme",
            Command::SetItemTheme { .. } => "set_item_theme",
            Command::MoveItem { .. } => "move_item",
            Command::SetNotes { .. } => "set_notes",
            Command::ShowByTheme { .. } => "show_by_theme",
            Command::SetRehearsal { .. } => "set_rehearsal",
            Command::ResetRehearsal => "reset_rehearsal",
            Command::MarkAnswered { .. } => "mark_answered",
            Command::SetLanguages { .. } => "set_languages",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names are serde's tags: a few commands of each shape, serialized.
    #[test]
    fn names_are_the_serialized_types() {
        let commands = [
            serde_json::json!({"type": "next_prompt"}),
            serde_json::json!({"type": "tick"}),
            serde_json::json!({"type": "close_prompt", "prompt_id": "p1"}),
            serde_json::json!({"type": "add_prompt", "prompt": {"kind": "brainstorm", "title": "?"}}),
            serde_json::json!({"type": "erase_item_history", "item_id": uuid::Uuid::nil()}),
        ];
        for json in commands {
            let command: Command = serde_json::from_value(json.clone()).unwrap();
            let back = serde_json::to_value(&command).unwrap();
            assert_eq!(back["type"], command.name(), "{json}");
        }
        assert_eq!(Command::Tick.name(), "tick");
        assert_eq!(Command::NextPrompt.name(), "next_prompt");
    }
}
