//! Themes, moving items and notes: every rule and rejection, retries, replay through the
//! journal's form, and the snapshot round trip.

use serde_json::json;
use uuid::Uuid;

use crate::session::testkit::*;
use crate::session::*;

fn theme(n: u128) -> ThemeId {
    ThemeId(Uuid::from_u128(0x7e4e_0000 + n))
}

/// An open brainstorm with three items from three people.
fn wall() -> (TestSession, PromptId, [ItemId; 3]) {
    let mut t = TestSession::new();
    let ideas = t.add_open(Activity::default());
    let a = t.submit(person(1), &ideas, "Nuorten ääni");
    let b = t.submit(person(2), &ideas, "Digituki");
    let c = t.submit(person(3), &ideas, "Nuoret mukaan");
    (t, ideas, [a, b, c])
}

fn add_theme(prompt: &PromptId, id: ThemeId, name: &str, items: &[ItemId]) -> Command {
    Command::AddTheme {
        prompt: prompt.clone(),
        theme: id,
        name: name.into(),
        items: items.to_vec(),
    }
}

fn set_theme(items: &[ItemId], theme: Option<ThemeId>) -> Command {
    Command::SetItemTheme {
        items: items.to_vec(),
        theme,
    }
}

fn theme_of(t: &TestSession, item: &ItemId) -> Option<ThemeId> {
    t.session.theme_of(t.session.item(item).unwrap())
}

fn updated_items(applied: &Applied) -> Vec<ItemId> {
    applied
        .events
        .iter()
        .filter_map(|s| match &s.event {
            Event::ItemUpdated(i) => Some(i.id),
            _ => None,
        })
        .collect()
}

#[test]
fn a_new_theme_takes_its_items_at_once_and_a_resend_changes_nothing() {
    let (mut t, ideas, [a, _, c]) = wall();
    let applied = t.apply(add_theme(&ideas, theme(1), "  Nuoret\u{0} ", &[a, c]));
    let Event::PromptUpdated(prompt) = &applied.events[0].event else {
        panic!("{applied:?}")
    };
    assert_eq!(
        prompt.themes,
        [Theme {
            id: theme(1),
            name: "Nuoret".into()
        }]
    );
    assert_eq!(updated_items(&applied), [a, c]);
    assert_eq!(t.session.themes(&ideas).len(), 1);
    assert_eq!(t.session.theme(&ideas, &theme(1)).unwrap().name, "Nuoret");
    assert_eq!(
        (theme_of(&t, &a), theme_of(&t, &c)),
        (Some(theme(1)), Some(theme(1)))
    );
    // The ack was lost: the same command again is acknowledged and changes nothing.
    let seq = t.session.seq();
    let again = t.apply(add_theme(&ideas, theme(1), "Nuoret", &[a, c]));
    assert!(again.events.is_empty());
    assert_eq!((again.ack_seq, t.session.seq()), (seq, seq));
    // The same id under another name is a clash.
    assert_eq!(
        t.refuse(add_theme(&ideas, theme(1), "Digi", &[])),
        Rejection::ThemeExists
    );
}

#[test]
fn adding_a_theme_is_refused_for_what_does_not_fit() {
    let (mut t, ideas, [a, ..]) = wall();
    let poll = t.add(poll(2, false, false));
    let other = t.add(Activity::default());
    let missing = PromptId("p99".into());
    assert_eq!(
        t.refuse(add_theme(&missing, theme(1), "X", &[])),
        Rejection::PromptNotFound
    );
    assert_eq!(
        t.refuse(add_theme(&poll, theme(1), "X", &[])),
        Rejection::NotThemable
    );
    assert_eq!(
        t.refuse(add_theme(&ideas, theme(1), " \u{0} ", &[])),
        Rejection::TextEmpty
    );
    assert_eq!(
        t.refuse(add_theme(&ideas, theme(1), &"x".repeat(81), &[])),
        Rejection::TextTooLong {
            max: THEME_NAME_MAX
        }
    );
    assert_eq!(
        t.refuse(add_theme(&ideas, theme(1), "X", &[iid()])),
        Rejection::ItemNotFound
    );
    // An item of another prompt is not one of this prompt's.
    assert_eq!(
        t.refuse(add_theme(&other, theme(1), "X", &[a])),
        Rejection::ItemNotFound
    );
    let many: Vec<ItemId> = (0..=THEME_ITEMS_MAX).map(|_| a).collect();
    assert_eq!(
        t.refuse(add_theme(&ideas, theme(1), "X", &many)),
        Rejection::TooManyItems { max: 500 }
    );
    // A theme id is one theme in the whole session.
    t.apply(add_theme(&other, theme(1), "X", &[]));
    assert_eq!(
        t.refuse(add_theme(&ideas, theme(1), "X", &[])),
        Rejection::ThemeExists
    );
}

#[test]
fn a_prompt_has_at_most_sixty_themes() {
    let (mut t, ideas, _) = wall();
    for n in 0..THEMES_MAX as u128 {
        t.apply(add_theme(&ideas, theme(n), &format!("T{n}"), &[]));
    }
    assert_eq!(
        t.refuse(add_theme(&ideas, theme(999), "Yksi liikaa", &[])),
        Rejection::TooManyThemes
    );
}

#[test]
fn rename_keeps_items_and_only_changes_the_name() {
    let (mut t, ideas, [a, ..]) = wall();
    t.apply(add_theme(&ideas, theme(1), "Nuoret", &[a]));
    let rename = |name: &str| Command::RenameTheme {
        prompt: ideas.clone(),
        theme: theme(1),
        name: name.into(),
    };
    let applied = t.apply(rename(" Nuoret ja perheet "));
    assert!(matches!(
        applied.events[..],
        [Stamped {
            event: Event::PromptUpdated(_),
            ..
        }]
    ));
    assert_eq!(t.session.themes(&ideas)[0].name, "Nuoret ja perheet");
    assert_eq!(theme_of(&t, &a), Some(theme(1)));
    assert!(t.apply(rename("Nuoret ja perheet")).events.is_empty());
    assert_eq!(t.refuse(rename("")), Rejection::TextEmpty);
    assert_eq!(
        t.refuse(Command::RenameTheme {
            prompt: ideas.clone(),
            theme: theme(2),
            name: "X".into(),
        }),
        Rejection::UnknownTheme
    );
}

#[test]
fn merging_moves_the_items_and_removes_the_theme() {
    let (mut t, ideas, [a, b, c]) = wall();
    t.apply(add_theme(&ideas, theme(1), "Nuoret", &[a]));
    t.apply(add_theme(&ideas, theme(2), "Nuoriso", &[c]));
    t.apply(add_theme(&ideas, theme(3), "Digi", &[b]));
    let merge = |from, into| Command::MergeThemes {
        prompt: ideas.clone(),
        from,
        into,
    };
    let applied = t.apply(merge(theme(2), theme(1)));
    assert_eq!(updated_items(&applied), [c]);
    let ids: Vec<ThemeId> = t.session.themes(&ideas).iter().map(|t| t.id).collect();
    assert_eq!(ids, [theme(1), theme(3)]);
    assert_eq!(
        [a, b, c].map(|i| theme_of(&t, &i)),
        [Some(theme(1)), Some(theme(3)), Some(theme(1))]
    );
    // Retried after it went through: `from` is gone.
    assert_eq!(t.refuse(merge(theme(2), theme(1))), Rejection::UnknownTheme);
    assert_eq!(t.refuse(merge(theme(1), theme(9))), Rejection::UnknownTheme);
    assert!(t.apply(merge(theme(1), theme(1))).events.is_empty());
}

#[test]
fn removing_a_theme_leaves_its_items_unthemed() {
    let (mut t, ideas, [a, b, _]) = wall();
    t.apply(add_theme(&ideas, theme(1), "Nuoret", &[a, b]));
    let remove = Command::RemoveTheme {
        prompt: ideas.clone(),
        theme: theme(1),
    };
    let applied = t.apply(remove.clone());
    assert_eq!(updated_items(&applied), [a, b]);
    assert!(t.session.themes(&ideas).is_empty());
    assert_eq!(t.session.items_for(&ideas).count(), 3);
    assert_eq!((theme_of(&t, &a), theme_of(&t, &b)), (None, None));
    assert_eq!(t.refuse(remove), Rejection::UnknownTheme);
}

#[test]
fn themes_are_reordered_and_an_index_past_the_end_means_last() {
    let (mut t, ideas, _) = wall();
    for n in 1..=3 {
        t.apply(add_theme(&ideas, theme(n), &format!("T{n}"), &[]));
    }
    let to = |id, to| Command::MoveTheme {
        prompt: ideas.clone(),
        theme: id,
        to,
    };
    let order = |t: &TestSession| -> Vec<ThemeId> {
        t.session.themes(&ideas).iter().map(|t| t.id).collect()
    };
    t.apply(to(theme(3), 0));
    assert_eq!(order(&t), [theme(3), theme(1), theme(2)]);
    t.apply(to(theme(3), 99));
    assert_eq!(order(&t), [theme(1), theme(2), theme(3)]);
    assert!(t.apply(to(theme(1), 0)).events.is_empty());
    assert_eq!(t.refuse(to(theme(7), 0)), Rejection::UnknownTheme);
}

#[test]
fn items_are_put_in_and_taken_out_of_themes() {
    let (mut t, ideas, [a, b, c]) = wall();
    t.apply(add_theme(&ideas, theme(1), "Nuoret", &[]));
    let applied = t.apply(set_theme(&[a, c, a], Some(theme(1))));
    assert_eq!(updated_items(&applied), [a, c], "each once");
    assert!(t
        .apply(set_theme(&[a, c], Some(theme(1))))
        .events
        .is_empty());
    assert!(t.apply(set_theme(&[], None)).events.is_empty());
    let applied = t.apply(set_theme(&[a, b], None));
    assert_eq!(updated_items(&applied), [a]);
    assert_eq!(
        t.refuse(set_theme(&[b], Some(theme(2)))),
        Rejection::UnknownTheme
    );
    assert_eq!(t.refuse(set_theme(&[iid()], None)), Rejection::ItemNotFound);
    // All of one prompt: an item of another is refused, and nothing changes.
    let other = t.add_open(Activity::default());
    let elsewhere = t.submit(person(4), &other, "Muualla");
    assert_eq!(
        t.refuse(set_theme(&[c, elsewhere], Some(theme(1)))),
        Rejection::ItemNotFound
    );
    let cloud = t.add_open(Activity::WordCloud(WordCloud::default()));
    let word = t.submit(person(5), &cloud, "sana");
    assert_eq!(t.refuse(set_theme(&[word], None)), Rejection::NotThemable);
}

#[test]
fn a_duplicate_is_read_in_its_roots_theme() {
    let (mut t, ideas, [a, b, c]) = wall();
    t.apply(add_theme(&ideas, theme(1), "Nuoret", &[b]));
    t.apply(add_theme(&ideas, theme(2), "Digi", &[]));
    t.apply(Command::MergeItems {
        into: a,
        items: vec![c],
    });
    // c kept its own (none) but is read as a's; theming a tells the console about c too.
    assert_eq!(theme_of(&t, &c), None);
    let applied = t.apply(set_theme(&[a], Some(theme(2))));
    assert_eq!(updated_items(&applied), [a, c]);
    assert_eq!(theme_of(&t, &c), Some(theme(2)));
    // Naming the duplicate themes its root.
    t.apply(set_theme(&[c], Some(theme(1))));
    assert_eq!(
        (theme_of(&t, &a), theme_of(&t, &c)),
        (Some(theme(1)), Some(theme(1)))
    );
    // A themed item merged into a root reads the root's theme (exports agree with the wall).
    t.apply(set_theme(&[b], Some(theme(2))));
    t.apply(Command::MergeItems {
        into: a,
        items: vec![b],
    });
    assert_eq!(theme_of(&t, &b), Some(theme(1)));
    // Unmerged, it is its own again.
    t.apply(Command::UnmergeItem { item_id: b });
    assert_eq!(theme_of(&t, &b), Some(theme(2)));
}

#[test]
fn a_removed_theme_is_named_by_no_item_even_a_duplicate() {
    let (mut t, ideas, [a, b, _]) = wall();
    t.apply(add_theme(&ideas, theme(1), "Nuoret", &[b]));
    t.apply(Command::MergeItems {
        into: a,
        items: vec![b],
    });
    t.apply(Command::RemoveTheme {
        prompt: ideas.clone(),
        theme: theme(1),
    });
    t.apply(Command::UnmergeItem { item_id: b });
    assert_eq!(theme_of(&t, &b), None);
}

#[test]
fn the_projector_lays_out_by_theme_on_request() {
    let (mut t, ideas, _) = wall();
    let show = |on| Command::ShowByTheme {
        prompt: ideas.clone(),
        on,
    };
    let applied = t.apply(show(true));
    assert!(matches!(&applied.events[0].event, Event::PromptUpdated(p) if p.by_theme));
    assert!(t.apply(show(true)).events.is_empty());
    t.apply(show(false));
    assert!(!t.session.prompt(&ideas).unwrap().by_theme);
    let poll = t.add(poll(2, false, false));
    assert_eq!(
        t.refuse(Command::ShowByTheme {
            prompt: poll,
            on: true
        }),
        Rejection::NotThemable
    );
}

#[test]
fn a_theme_on_a_frozen_ballot_is_renamed_but_not_removed_or_merged() {
    let (mut t, ideas, [a, ..]) = wall();
    t.apply(add_theme(&ideas, theme(1), "Nuoret", &[a]));
    t.apply(add_theme(&ideas, theme(2), "Digi", &[]));
    let vote = t.add_open(dot_vote(&ideas, 3, 3));
    // A vote on themes freezes theme ids in its ballot (the words branch opens it so).
    let mut stored = to_stored(&t.session);
    let at = stored["prompts"]
        .as_array()
        .unwrap()
        .iter()
        .position(|p| p["id"] == json!(vote.0))
        .unwrap();
    stored["prompts"][at]["ballot"] = json!([theme(1)]);
    t.session = from_stored(stored);
    assert!(t.session.theme_on_ballot(&ideas, &theme(1)));
    assert!(!t.session.theme_on_ballot(&ideas, &theme(2)));
    let remove = Command::RemoveTheme {
        prompt: ideas.clone(),
        theme: theme(1),
    };
    assert_eq!(t.refuse(remove), Rejection::ThemeOnBallot);
    let merge = Command::MergeThemes {
        prompt: ideas.clone(),
        from: theme(1),
        into: theme(2),
    };
    assert_eq!(t.refuse(merge), Rejection::ThemeOnBallot);
    // Merging another theme into it is fine; so is renaming it, and the vote hears of it.
    t.apply(Command::MergeThemes {
        prompt: ideas.clone(),
        from: theme(2),
        into: theme(1),
    });
    let applied = t.apply(Command::RenameTheme {
        prompt: ideas.clone(),
        theme: theme(1),
        name: "Nuoret ja perheet".into(),
    });
    let updated: Vec<&PromptId> = applied
        .events
        .iter()
        .filter_map(|s| match &s.event {
            Event::PromptUpdated(p) => Some(&p.id),
            _ => None,
        })
        .collect();
    assert_eq!(updated, [&ideas, &vote]);
}

#[test]
fn an_item_moves_to_another_column_or_group() {
    let mut t = TestSession::new();
    let columns = Activity::Brainstorm(Brainstorm {
        columns: vec!["Kunta".into(), "Järjestö".into(), "Muu".into()],
    });
    let ideas = t.add_open(columns);
    t.apply(Command::AddGroup {
        translations: Default::default(),
        name: "Pöytä 1".into(),
        color: None,
    });
    let item = iid();
    t.apply(Command::Submit {
        participant: person(1),
        item_id: item,
        prompt_id: ideas.clone(),
        text: "Nuorisotyö".into(),
        column: Some(0),
        name: None,
    });
    let moved = |column, group| Command::MoveItem {
        item,
        column,
        group,
    };
    let g1 = GroupId("g1".into());
    let applied = t.apply(moved(Some(2), Some(Some(g1.clone()))));
    assert_eq!(updated_items(&applied), [item]);
    let now = t.session.item(&item).unwrap();
    assert_eq!((now.column, now.group.as_ref()), (Some(2), Some(&g1)));
    // A field left out stays; `null` clears the group.
    t.apply(moved(None, Some(None)));
    let now = t.session.item(&item).unwrap();
    assert_eq!((now.column, now.group.as_ref()), (Some(2), None));
    assert!(t.apply(moved(Some(2), None)).events.is_empty());
    assert_eq!(t.refuse(moved(Some(3), None)), Rejection::InvalidColumn);
    assert_eq!(
        t.refuse(moved(None, Some(Some(GroupId("g9".into()))))),
        Rejection::GroupNotFound
    );
    assert_eq!(
        t.refuse(Command::MoveItem {
            item: iid(),
            column: None,
            group: None
        }),
        Rejection::ItemNotFound
    );
    // A brainstorm without columns has none to move to.
    let plain = t.add_open(Activity::default());
    let loose = t.submit(person(2), &plain, "Ilman saraketta");
    assert_eq!(
        t.refuse(Command::MoveItem {
            item: loose,
            column: Some(0),
            group: None
        }),
        Rejection::InvalidColumn
    );
}

#[test]
fn a_per_group_items_group_move_keeps_a_group_and_refreshes_the_walls() {
    let mut t = TestSession::new();
    for name in ["A", "B"] {
        t.apply(Command::AddGroup {
            translations: Default::default(),
            name: name.into(),
            color: None,
        });
    }
    let ideas = add_kind(&mut t.session, Activity::default(), |d| {
        d.per_group = true;
        d.wall = true;
    });
    t.apply(Command::OpenPrompt {
        prompt_id: ideas.clone(),
    });
    t.apply(Command::ChooseGroup {
        participant: person(1),
        group_id: Some(GroupId("g1".into())),
    });
    let item = t.submit(person(1), &ideas, "Ryhmässä");
    let to = |group| Command::MoveItem {
        item,
        column: None,
        group: Some(group),
    };
    assert_eq!(t.refuse(to(None)), Rejection::GroupRequired);
    let applied = t.apply(to(Some(GroupId("g2".into()))));
    let kinds: Vec<bool> = applied
        .events
        .iter()
        .map(|s| matches!(s.event, Event::PromptUpdated(_)))
        .collect();
    assert_eq!(kinds, [false, true], "item_updated, then the walls anew");
}

#[test]
fn notes_are_cleaned_kept_per_prompt_and_cleared_when_blank() {
    let (mut t, ideas, _) = wall();
    let notes = |text: &str| Command::SetNotes {
        prompt: ideas.clone(),
        notes: text.into(),
    };
    let applied = t.apply(notes("  Nuoret puuttuvat.\r\n\nDigi!\u{0} "));
    let [Stamped {
        event: Event::NotesChanged(prompt, text),
        ..
    }] = applied.events.as_slice()
    else {
        panic!("{applied:?}")
    };
    assert_eq!(
        (prompt, text.as_str()),
        (&ideas, "Nuoret puuttuvat.\n\nDigi!")
    );
    assert_eq!(t.session.notes(&ideas), Some("Nuoret puuttuvat.\n\nDigi!"));
    assert!(t
        .apply(notes("Nuoret puuttuvat.\n\nDigi!"))
        .events
        .is_empty());
    assert_eq!(
        t.refuse(notes(&"x".repeat(NOTES_MAX + 1))),
        Rejection::TextTooLong { max: NOTES_MAX }
    );
    assert_eq!(
        t.refuse(Command::SetNotes {
            prompt: PromptId("p9".into()),
            notes: "x".into()
        }),
        Rejection::PromptNotFound
    );
    t.apply(notes(" \u{0} "));
    assert_eq!(t.session.notes(&ideas), None);
    assert!(t.session.all_notes().is_empty());
}

#[test]
fn a_deleted_draft_takes_its_themes_and_notes_along() {
    let mut t = TestSession::new();
    let draft = t.add(Activity::default());
    t.apply(add_theme(&draft, theme(1), "Nuoret", &[]));
    t.apply(Command::SetNotes {
        prompt: draft.clone(),
        notes: "Muistiin".into(),
    });
    t.apply(Command::DeletePrompt {
        prompt_id: draft.clone(),
    });
    assert!(t.session.themes(&draft).is_empty() && t.session.notes(&draft).is_none());
    // A theme id of a deleted prompt is free again.
    let again = t.add(Activity::default());
    t.apply(add_theme(&again, theme(1), "Nuoret", &[]));
}

#[test]
fn a_draft_that_stops_being_a_brainstorm_drops_its_themes() {
    let mut t = TestSession::new();
    let p = t.add(Activity::default());
    t.apply(add_theme(&p, theme(1), "Nuoret", &[]));
    t.apply(Command::ShowByTheme {
        prompt: p.clone(),
        on: true,
    });
    let mut d = draft("Kysely");
    d.activity = poll(2, false, false);
    t.apply(Command::UpdatePrompt {
        prompt_id: p.clone(),
        draft: d,
    });
    let prompt = t.session.prompt(&p).unwrap();
    assert!(prompt.themes.is_empty() && !prompt.by_theme);
}

#[test]
fn erasing_a_themed_item_leaves_the_theme() {
    let (mut t, ideas, [a, ..]) = wall();
    t.apply(add_theme(&ideas, theme(1), "Nuoret", &[a]));
    t.apply(Command::EraseItem { item_id: a });
    assert_eq!(t.session.themes(&ideas).len(), 1);
    assert_eq!(t.refuse(set_theme(&[a], None)), Rejection::ItemNotFound);
}

/// The whole feature as a script, for replay and the snapshot.
fn script(ideas: &PromptId, [a, b, c]: [ItemId; 3]) -> Vec<serde_json::Value> {
    vec![
        json!({"type":"add_theme","prompt":ideas,"theme":theme(1),"name":" Nuoret\u{0}",
            "items":[a, c]}),
        json!({"type":"add_theme","prompt":ideas,"theme":theme(2),"name":"Digi"}),
        json!({"type":"set_item_theme","items":[b],"theme":theme(2)}),
        json!({"type":"rename_theme","prompt":ideas,"theme":theme(2),"name":"Digituki\u{7}"}),
        json!({"type":"move_theme","prompt":ideas,"theme":theme(2),"to":0}),
        json!({"type":"add_theme","prompt":ideas,"theme":theme(3),"name":"Muut","items":[c]}),
        json!({"type":"merge_themes","prompt":ideas,"from":theme(3),"into":theme(1)}),
        json!({"type":"show_by_theme","prompt":ideas,"on":true}),
        json!({"type":"set_notes","prompt":ideas,"notes":" Rivi 1\n\u{0}Rivi 2 "}),
        json!({"type":"add_theme","prompt":ideas,"theme":theme(4),"name":"Pois"}),
        json!({"type":"remove_theme","prompt":ideas,"theme":theme(4)}),
    ]
}

#[test]
fn replaying_the_journaled_form_rebuilds_the_same_state() {
    let (mut t, ideas, items) = wall();
    let mut replayed = t.session.clone();
    for (n, step) in script(&ideas, items).into_iter().enumerate() {
        let command: Command = serde_json::from_value(step).unwrap();
        t.apply(command.clone());
        // What the journal holds: the kept form, through its record's JSON.
        let record = crate::store::JournalRecord::from(command.normalized());
        let line = serde_json::to_string(&record).unwrap();
        let read: crate::store::JournalRecord = serde_json::from_str(&line).unwrap();
        accept(&mut replayed, &Command::from(read), t.now);
        assert_eq!(replayed, t.session, "step {n}");
    }
    assert_eq!(t.session.themes(&ideas)[0].name, "Digituki");
}

#[test]
fn themes_notes_and_by_theme_survive_the_snapshot() {
    let (mut t, ideas, items) = wall();
    for step in script(&ideas, items) {
        t.apply(serde_json::from_value(step).unwrap());
    }
    let stored = to_stored(&t.session);
    let prompt = &stored["prompts"][0];
    assert_eq!(prompt["by_theme"], json!(true));
    assert_eq!(
        prompt["themes"],
        json!([{"id":theme(2),"name":"Digituki"},{"id":theme(1),"name":"Nuoret"}])
    );
    assert_eq!(stored["items"][0]["theme"], json!(theme(1)));
    assert_eq!(stored["notes"], json!({ideas.0.clone(): "Rivi 1\nRivi 2"}));
    let back = from_stored(stored);
    assert_eq!(back, t.session);
    // A session without any of it stores none of the new keys (older readers see no change).
    let (plain, _, _) = wall();
    let plain = to_stored(&plain.session);
    assert!(plain.get("notes").is_none());
    assert!(plain["prompts"][0].get("themes").is_none());
    assert!(plain["prompts"][0].get("by_theme").is_none());
    assert!(plain["items"][0].get("theme").is_none());
}
