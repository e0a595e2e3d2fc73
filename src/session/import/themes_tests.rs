//! Import of themes, item themes, the by-theme layout and notes (version 3): the round trip
//! keeps them, every rule of the live commands is checked with a typed error, and version 2
//! files (without any of them) still import.

use super::*;
use crate::export::fixture::{self, theme};
use crate::export::{json, Format, Options, View};
use crate::session::document::{self as doc, PromptDoc};

const LATER: Millis = fixture::REPORT_T0 + 86_400_000;

fn themed() -> Session {
    fixture::themed_report_workshop().session
}

fn doc_of(s: &Session) -> SessionDoc {
    let view = View::new(s, Format::Json, &Options::default()).expect("view");
    json::document(&view, LATER)
}

fn import(doc: SessionDoc) -> Result<Session, ImportError> {
    Session::import(
        doc,
        ImportTarget {
            slug: None,
            title: None,
            key_hash: "ff".into(),
            now: LATER,
            salt: [9; 32],
        },
    )
}

fn brainstorm(d: &mut SessionDoc) -> &mut PromptDoc {
    &mut d.prompts[0]
}

/// The code `change` makes the themed workshop's import fail with.
fn refused(change: impl FnOnce(&mut SessionDoc)) -> String {
    let mut d = doc_of(&themed());
    change(&mut d);
    import(d).expect_err("refused").code().to_owned()
}

#[test]
fn themes_item_themes_by_theme_and_notes_survive_the_round_trip() {
    let original = themed();
    let first = doc_of(&original);
    let bytes = doc::to_bytes(&first);
    let imported = import(doc::parse(&bytes).expect("parse")).expect("import");
    assert_eq!(doc::to_bytes(&doc_of(&imported)), bytes, "byte for byte");
    let p1 = &original.prompts()[0].id;
    assert_eq!(imported.themes(p1), original.themes(p1));
    assert!(imported.prompts()[0].by_theme);
    assert_eq!(imported.notes(p1), original.notes(p1));
    assert_eq!(imported.all_notes().len(), 2);
    for item in original.items_for(p1) {
        let back = imported.item(&item.id).expect("item");
        assert_eq!(
            (back.theme, imported.theme_of(back)),
            (item.theme, original.theme_of(item))
        );
    }
}

#[test]
fn a_version_2_file_imports_without_themes_and_exports_as_version_3() {
    let plain = fixture::report_workshop().session;
    let mut v2 = doc_of(&plain);
    v2.version = 2;
    let bytes = doc::to_bytes(&v2);
    assert!(!String::from_utf8_lossy(&bytes).contains("\"theme"));
    let imported = import(doc::parse(&bytes).expect("a version 2 file parses")).expect("import");
    let again = doc_of(&imported);
    assert_eq!(again.version, doc::JSON_VERSION);
    assert_eq!(
        SessionDoc {
            version: 2,
            ..again
        },
        v2
    );
    assert!(imported.prompts().iter().all(|p| p.themes.is_empty()));
    assert!(imported.all_notes().is_empty());
}

/// One way to spoil a valid document.
type Change = Box<dyn FnOnce(&mut SessionDoc)>;

#[test]
fn themes_a_facilitator_could_not_make_are_refused_with_their_codes() {
    let cases: Vec<(&str, Change)> = vec![
        (
            "invalid_theme",
            Box::new(|d| {
                // The poll gets the brainstorm's themes.
                let themes = brainstorm(d).themes.clone();
                d.prompts[1].themes = themes;
            }),
        ),
        ("invalid_theme", Box::new(|d| d.prompts[1].by_theme = true)),
        (
            "invalid_theme",
            Box::new(|d| brainstorm(d).themes[0].name = "x".repeat(THEME_NAME_MAX + 1)),
        ),
        (
            "invalid_theme",
            Box::new(|d| brainstorm(d).themes[1].name = " \u{7} ".into()),
        ),
        (
            "too_many",
            Box::new(|d| {
                brainstorm(d).themes = (1..=THEMES_MAX as u128 + 1)
                    .map(|n| Theme {
                        id: theme(100 + n),
                        name: format!("Teema {n}"),
                    })
                    .collect();
                for item in &mut brainstorm(d).items {
                    item.theme = None;
                }
            }),
        ),
        (
            "duplicate_id",
            Box::new(|d| brainstorm(d).themes[2].id = theme(1)),
        ),
        (
            "unknown_theme",
            Box::new(|d| brainstorm(d).items[4].theme = Some(theme(99))),
        ),
        (
            "unknown_theme",
            Box::new(|d| {
                // A word cloud's item in the brainstorm's theme.
                let cloud = d
                    .prompts
                    .iter_mut()
                    .find(|p| !p.items.is_empty() && p.themes.is_empty());
                cloud.expect("a word cloud").items[0].theme = Some(theme(1));
            }),
        ),
        (
            "invalid_prompt",
            Box::new(|d| d.prompts[1].notes = Some("ä".repeat(NOTES_MAX + 1))),
        ),
    ];
    for (n, (code, change)) in cases.into_iter().enumerate() {
        assert_eq!(refused(change), code, "case {n}");
    }
}

#[test]
fn names_and_notes_are_cleaned_as_typed_and_blank_notes_are_none() {
    let mut d = doc_of(&themed());
    brainstorm(&mut d).themes[0].name = "  Nuoret\u{7}  ".into();
    brainstorm(&mut d).notes = Some("  \n \n".into());
    d.prompts[1].notes = Some("\u{1b}Kunta\n\nmukana  ".into());
    let imported = import(d).expect("import");
    let p1 = &imported.prompts()[0].id;
    assert_eq!(imported.themes(p1)[0].name, "Nuoret");
    assert_eq!(imported.notes(p1), None);
    assert_eq!(
        imported.notes(&imported.prompts()[1].id),
        Some("Kunta\n\nmukana")
    );
}

#[test]
fn a_template_ref_and_a_vote_on_themes_survive_the_round_trip() {
    let mut w = fixture::themed_report_workshop();
    let mut parts = w.session.to_parts();
    parts.prompts[0].draft.template = Some("p1".into());
    w.session = Session::from_parts(parts);
    let source = w.session.prompts()[0].id.clone();
    let vote = w.add_open(
        "Mikä teema on tärkein?",
        Activity::DotVote(DotVote {
            source,
            dots: 3,
            max_per_item: 2,
            vote_on: VoteOn::Themes,
        }),
    );
    for (who, on) in [(0, 1), (0, 1), (1, 2)] {
        w.apply(Command::PlaceDot {
            participant: fixture::person(who),
            prompt_id: vote.clone(),
            item_id: ItemId(theme(on).0),
        });
    }
    w.apply(Command::ClosePrompt { prompt_id: vote });
    let bytes = doc::to_bytes(&doc_of(&w.session));
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("\"template\": \"p1\""), "{text}");
    let imported = import(doc::parse(&bytes).expect("parse")).expect("import");
    assert_eq!(doc::to_bytes(&doc_of(&imported)), bytes, "byte for byte");
    assert_eq!(imported.prompts()[0].draft.template.as_deref(), Some("p1"));

    // A theme on the ballot must be one of the source's.
    let mut d = doc::parse(&bytes).expect("parse");
    let ballot = d.prompts.last_mut().expect("the vote");
    assert_eq!(ballot.ballot.len(), 3, "the source's three themes");
    ballot.ballot[0] = ItemId(theme(99).0);
    assert_eq!(import(d).expect_err("refused").code(), "unknown_item");
    let mut d = doc::parse(&bytes).expect("parse");
    brainstorm(&mut d).draft.template = Some("ei kelpaa!".into());
    assert_eq!(import(d).expect_err("refused").code(), "invalid_prompt");
}
