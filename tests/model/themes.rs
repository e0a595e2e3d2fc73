//! Themes, moved items and notes in the model: the commands [`Op::Theme`](super::ops::Op)
//! stands for, and the invariants they must keep (every item's theme is one of its prompt's,
//! only brainstorms have themes, a theme id is one theme, notes are bounded and of a prompt).

use std::collections::BTreeSet;

use paja::session::*;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use uuid::Uuid;

/// Theme names: plain, with a control character, Finnish, blank (refused), too long (refused).
const NAMES: &[&str] = &[
    "Nuoret",
    "Digi\u{0}",
    "Yhteistyö ja luottamus",
    "  ",
    "Muut",
];

/// Notes: plain, several lines, blank (clears them).
const NOTES: &[&str] = &["Nuoret puuttuivat.", " rivi 1\r\nrivi 2\u{7} ", "   "];

/// One of a few theme ids, so that commands mostly name one that exists.
fn theme(n: u8) -> ThemeId {
    ThemeId(Uuid::from_u128(0x7e4e_0000 + u128::from(n % 8)))
}

fn name(n: u8) -> String {
    match NAMES.get(usize::from(n) % (NAMES.len() + 1)) {
        Some(name) => (*name).to_owned(),
        None => "x".repeat(THEME_NAME_MAX + 1),
    }
}

/// The command `kind` stands for, on `prompt` and its `items` (which may be unknown); a
/// theme to change is mostly one of the prompt's `existing` themes.
pub fn command(
    prompt: PromptId,
    existing: &[ThemeId],
    items: Vec<ItemId>,
    kind: u8,
    a: u8,
    b: u8,
) -> Command {
    let known = |n: u8| match existing.len() {
        len if len > 0 && n < 200 => existing[usize::from(n) % len],
        _ => theme(n),
    };
    let first = items
        .first()
        .copied()
        .unwrap_or(ItemId(Uuid::from_u128(u128::MAX)));
    match kind % 9 {
        0 => Command::AddTheme {
            prompt,
            theme: theme(a),
            name: name(b),
            items,
        },
        1 => Command::RenameTheme {
            prompt,
            theme: known(a),
            name: name(b),
        },
        2 => Command::MergeThemes {
            prompt,
            from: known(a),
            into: known(b),
        },
        3 => Command::RemoveTheme {
            prompt,
            theme: known(a),
        },
        4 => Command::MoveTheme {
            prompt,
            theme: known(a),
            to: usize::from(b % 4),
        },
        5 => Command::SetItemTheme {
            items,
            theme: (!b.is_multiple_of(4)).then(|| known(a)),
        },
        6 => Command::MoveItem {
            item: first,
            column: (!a.is_multiple_of(3)).then_some(b % 3),
            group: match b % 3 {
                0 => None,
                1 => Some(None),
                _ => Some(Some(GroupId(format!("g{}", 1 + a % 2)))),
            },
        },
        7 => Command::SetNotes {
            prompt,
            notes: NOTES[usize::from(a) % NOTES.len()].to_owned(),
        },
        _ => Command::ShowByTheme {
            prompt,
            on: a.is_multiple_of(2),
        },
    }
}

/// The invariants of themes and notes.
pub fn check(s: &Session) -> Result<(), TestCaseError> {
    let mut ids = BTreeSet::new();
    for prompt in s.prompts() {
        let brainstorm = matches!(prompt.draft.activity, Activity::Brainstorm(_));
        prop_assert!(brainstorm || (prompt.themes.is_empty() && !prompt.by_theme));
        prop_assert!(prompt.themes.len() <= THEMES_MAX);
        for t in &prompt.themes {
            prop_assert!(ids.insert(t.id), "theme {} twice", t.id);
            prop_assert!(!t.name.is_empty() && t.name.chars().count() <= THEME_NAME_MAX);
        }
    }
    for item in s.items() {
        if let Some(t) = item.theme {
            prop_assert!(
                s.theme(&item.prompt_id, &t).is_some(),
                "item {} names a theme its prompt lacks",
                item.id
            );
        }
        let read = s.theme_of(item);
        let root = s.item(&s.merge_root(&item.id)).map(|r| r.theme);
        prop_assert_eq!(Some(read), root, "a duplicate reads its root's theme");
    }
    for (prompt, notes) in s.all_notes() {
        prop_assert!(s.prompt(prompt).is_some(), "notes of a gone prompt");
        prop_assert!(!notes.is_empty() && notes.chars().count() <= NOTES_MAX);
    }
    Ok(())
}
