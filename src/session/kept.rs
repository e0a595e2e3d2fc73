//! [`Command::normalized`]: a command as the session keeps it, for the journal.
//!
//! The session cleans what it is given (trims, drops control characters, checks lengths)
//! and keeps only the cleaned form; the journal must hold that form too, never the raw
//! client frame. Otherwise `"x"` followed by 2,600 NUL characters is kept as `x` but costs
//! 15.8 KB of journal (each NUL is a six-byte `\u{0}` escape), forever, in every archived
//! segment. The cleaning here is the session's own (`clean_text`, `validate_draft`,
//! `check_group`), and it is idempotent, so replaying a normalized command reaches the same
//! state as applying the raw one did.

use super::groups::check_group;
use super::{clean_text, validate_draft, validate_names, Command, PromptDraft};

impl Command {
    /// This command as the session kept it, to journal once it was accepted: every text
    /// cleaned as the session cleans it, so a journal line is bounded by what the session
    /// stores (plus ids and numbers). A command the session would refuse comes back as it is.
    pub fn normalized(mut self) -> Command {
        match &mut self {
            Command::Submit { text, .. } | Command::EditItem { text, .. } => clean(text),
            Command::AddGroup {
                name,
                color,
                translations,
            }
            | Command::UpdateGroup {
                name,
                color,
                translations,
                ..
            } => {
                if let Ok((cleaned, _)) = check_group(name, color) {
                    *name = cleaned;
                }
                if let Ok(cleaned) = validate_names(translations) {
                    *translations = cleaned;
                }
            }
            Command::AddPrompt { draft } | Command::UpdatePrompt { draft, .. } => {
                clean_draft(draft)
            }
            Command::ImportAgenda { prompts } => prompts.iter_mut().for_each(clean_draft),
            Command::AddTheme { name, .. } | Command::RenameTheme { name, .. } => clean(name),
            // Blank notes are kept as none.
            Command::SetNotes { notes, .. } => {
                *notes = clean_text(notes, usize::MAX).unwrap_or_default()
            }
            _ => {}
        }
        self
    }
}

/// Cleans `text` in place; the length limit is the session's business (it already said yes).
fn clean(text: &mut String) {
    if let Ok(cleaned) = clean_text(text, usize::MAX) {
        *text = cleaned;
    }
}

fn clean_draft(draft: &mut PromptDraft) {
    if let Ok(cleaned) = validate_draft(draft) {
        *draft = cleaned;
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn command(value: serde_json::Value) -> Command {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_submission_is_journaled_as_the_session_keeps_it() {
        let raw = format!("  x{}\u{7}\r ", "\0".repeat(2600));
        let submit = command(json!({
            "type":"submit","participant":"00000000-0000-0000-0000-000000000001",
            "item_id":"00000000-0000-0000-0000-000000000002","prompt_id":"p1","text":raw
        }));
        let Command::Submit { text, .. } = submit.normalized() else {
            panic!("still a submission")
        };
        assert_eq!(text, "x");
    }

    #[test]
    fn replaying_the_kept_command_reaches_the_same_state() {
        let messy = json!({"kind":"poll","title":" Mikä?\u{0} ","instructions":"\u{1}ohje ",
            "options":[" a\u{0}","b "]});
        let script = [
            json!({"type":"add_prompt","prompt":messy}),
            json!({"type":"add_prompt","prompt":{"kind":"brainstorm","title":"Ideat"}}),
            json!({"type":"open_prompt","prompt_id":"p2"}),
            json!({"type":"add_group","name":" Ryhmä\u{0} ","color":"#aabbcc"}),
            json!({"type":"submit","participant":"00000000-0000-0000-0000-000000000001",
                "item_id":"00000000-0000-0000-0000-000000000002","prompt_id":"p2",
                "text":format!("x{}", "\0".repeat(2600))}),
            json!({"type":"edit_item","item_id":"00000000-0000-0000-0000-000000000002",
                "text":" \u{7}uusi\u{200b} "}),
        ];
        let mut raw = crate::session::testkit::session();
        let mut kept = raw.clone();
        for (at, cmd) in script.into_iter().enumerate() {
            let cmd = command(cmd);
            raw.apply(&cmd, at as u64).unwrap();
            kept.apply(&cmd.normalized(), at as u64).unwrap();
            assert_eq!(kept, raw, "step {at}");
        }
    }

    #[test]
    fn normalizing_twice_changes_nothing() {
        let draft = json!({"kind":"poll","title":" Mikä?\u{0} ","instructions":"\u{1}ohje ",
            "options":[" a\u{0}","b "]});
        for cmd in [
            json!({"type":"add_prompt","prompt":draft}),
            json!({"type":"import_agenda","prompts":[draft, draft]}),
            json!({"type":"add_group","name":" Ryhmä\u{0} ","color":"#aabbcc"}),
            json!({"type":"edit_item","item_id":"00000000-0000-0000-0000-000000000002","text":"\u{0}a\u{200b}"}),
            json!({"type":"add_theme","prompt":"p1","theme":"00000000-0000-0000-0000-000000000003",
                "name":" Nuoret\u{0} "}),
            json!({"type":"rename_theme","prompt":"p1","theme":"00000000-0000-0000-0000-000000000003",
                "name":"\u{7}Digi "}),
            json!({"type":"set_notes","prompt":"p1","notes":" rivi 1\r\nrivi 2\u{0} "}),
            json!({"type":"set_notes","prompt":"p1","notes":" \u{0}\u{0} "}),
        ] {
            let once = command(cmd.clone()).normalized();
            assert_ne!(once, command(cmd.clone()), "{cmd} is cleaned");
            assert_eq!(once.clone().normalized(), once, "{cmd}");
        }
    }
}
