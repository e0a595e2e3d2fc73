//! Erasure: a withdrawn or erased item leaves no text in the session, its tombstone keeps
//! counts, merges, dots, placements and likes consistent, and rejections change nothing.

use serde_json::json;

use crate::session::testkit::*;
use crate::session::*;

/// Every string in the session's stored shape, so a test can look for a text anywhere.
fn stored_text(s: &Session) -> String {
    to_stored(s).to_string()
}

fn erase(t: &mut TestSession, item: ItemId) -> Applied {
    t.apply(Command::EraseItem { item_id: item })
}

#[test]
fn an_erased_item_leaves_a_tombstone_and_no_text() {
    let mut t = TestSession::new();
    let ideas = t.add_open(Activity::default());
    let (ann, ben) = (pid(), pid());
    let secret = t.submit(ann, &ideas, "Salaisuus 1234");
    let kept = t.submit(ben, &ideas, "Kahvi");
    t.advance(10);
    t.apply(Command::EditItem {
        item_id: secret,
        text: "Toinen salaisuus".into(),
    });
    let applied = erase(&mut t, secret);
    let [Stamped {
        event: Event::ItemErased(gone),
        seq,
    }] = applied.events.as_slice()
    else {
        panic!("{applied:?}")
    };
    assert_eq!(*seq, t.session.seq());
    assert_eq!(
        (gone.id, &gone.prompt_id, gone.erased_by, gone.erased_at),
        (secret, &ideas, ErasedBy::Facilitator, t.now)
    );
    assert!(t.session.is_erased(&secret) && t.session.history_erased(&secret));
    assert!(!t.session.is_erased(&kept) && !t.session.history_erased(&kept));
    assert!(t.session.item(&secret).is_none());
    assert_eq!(t.session.items_for(&ideas).count(), 1);
    assert_eq!(t.session.items_of(&ann).count(), 0);
    let stored = stored_text(&t.session);
    assert!(
        !stored.contains("salaisuus") && !stored.contains("Salaisuus"),
        "{stored}"
    );
    assert!(!format!("{:?}", t.session).contains("alaisuus"));
    // A second erasure changes nothing.
    let seq = t.session.seq();
    assert!(erase(&mut t, secret).events.is_empty());
    assert_eq!(t.session.seq(), seq);
}

#[test]
fn a_participant_withdraws_only_their_own_item_while_the_prompt_is_open() {
    let mut t = TestSession::new();
    let ideas = t.add_open(Activity::default());
    let (ann, ben) = (pid(), pid());
    let mine = t.submit(ann, &ideas, "Oma");
    let withdraw = |participant, item_id| Command::WithdrawItem {
        participant,
        item_id,
    };
    assert_eq!(t.refuse(withdraw(ben, mine)), Rejection::NotYours);
    assert_eq!(t.refuse(withdraw(ann, iid())), Rejection::ItemNotFound);
    t.apply(Command::LockPrompt {
        prompt_id: ideas.clone(),
        locked: true,
    });
    assert_eq!(t.refuse(withdraw(ann, mine)), Rejection::PromptLocked);
    t.apply(Command::LockPrompt {
        prompt_id: ideas.clone(),
        locked: false,
    });
    let applied = t.apply(withdraw(ann, mine));
    assert!(matches!(
        &applied.events[0].event,
        Event::ItemErased(Tombstone {
            erased_by: ErasedBy::Author,
            ..
        })
    ));
    // A resend of the withdrawal is acked and changes nothing; another's is refused.
    assert!(t.apply(withdraw(ann, mine)).events.is_empty());
    assert_eq!(t.refuse(withdraw(ben, mine)), Rejection::ItemNotFound);
    let late = t.submit(ann, &ideas, "Myöhään");
    t.apply(Command::ClosePrompt {
        prompt_id: ideas.clone(),
    });
    assert_eq!(t.refuse(withdraw(ann, late)), Rejection::PromptClosed);
    // The facilitator may still erase it.
    erase(&mut t, late);
    assert!(t.session.is_erased(&late));
}

#[test]
fn a_resend_of_a_withdrawn_item_is_acked_not_stored_again() {
    let mut t = TestSession::new();
    let ideas = t.add_open(Activity::default());
    let ann = pid();
    let item = iid();
    let submit = |participant| Command::Submit {
        participant,
        item_id: item,
        prompt_id: ideas.clone(),
        text: "Kahdesti".into(),
        column: None,
        name: None,
    };
    let first = t.apply(submit(ann)).ack_seq;
    t.apply(Command::WithdrawItem {
        participant: ann,
        item_id: item,
    });
    let again = t.apply(submit(ann));
    assert!(again.events.is_empty());
    assert_eq!(again.ack_seq, first);
    assert!(t.session.item(&item).is_none());
    assert_eq!(t.refuse(submit(pid())), Rejection::ItemIdConflict);
}

#[test]
fn withdrawing_frees_a_word_cloud_answer_and_the_word_leaves_the_counts() {
    let mut t = TestSession::new();
    let cloud = t.add_open(Activity::WordCloud(WordCloud { max_answers: 1 }));
    let ann = pid();
    let word = t.submit(ann, &cloud, "Kiire");
    let again = Command::Submit {
        participant: ann,
        item_id: iid(),
        prompt_id: cloud.clone(),
        text: "Rauha".into(),
        column: None,
        name: None,
    };
    assert_eq!(t.refuse(again.clone()), Rejection::AnswerLimit);
    t.apply(Command::WithdrawItem {
        participant: ann,
        item_id: word,
    });
    let prompt = t.session.prompt(&cloud).unwrap().clone();
    let results = serde_json::to_string(&t.session.results(&prompt)).unwrap();
    assert!(
        !results.contains("Kiire") && !results.contains("kiire"),
        "{results}"
    );
    t.apply(again);
}

#[test]
fn duplicates_of_an_erased_item_stand_on_their_own_again() {
    let mut t = TestSession::new();
    let ideas = t.add_open(Activity::default());
    let (ann, ben, cid) = (pid(), pid(), pid());
    let root = t.submit(ann, &ideas, "Kahvi");
    let dup = t.submit(ben, &ideas, "kahvi!");
    let dup2 = t.submit(cid, &ideas, "KAHVI");
    t.apply(Command::MergeItems {
        into: root,
        items: vec![dup, dup2],
    });
    let applied = erase(&mut t, root);
    let updated: Vec<ItemId> = applied
        .events
        .iter()
        .filter_map(|e| match &e.event {
            Event::ItemUpdated(i) => Some(i.id),
            _ => None,
        })
        .collect();
    assert_eq!(updated, vec![dup, dup2]);
    for id in [dup, dup2] {
        let item = t.session.item(&id).unwrap();
        assert!(item.merged_into.is_none() && item.is_visible());
    }
    assert_eq!(t.session.visible_items(&ideas).count(), 2);
}

#[test]
fn an_erased_duplicate_leaves_its_group_counts_without_it() {
    let mut t = TestSession::new();
    let ideas = add_kind(&mut t.session, Activity::default(), |d| d.wall = true);
    t.apply(Command::OpenPrompt {
        prompt_id: ideas.clone(),
    });
    let (ann, ben, cid) = (pid(), pid(), pid());
    let root = t.submit(ann, &ideas, "Kahvi");
    let dup = t.submit(ben, &ideas, "kahvi!");
    t.apply(Command::Like {
        participant: cid,
        item_id: dup,
        liked: true,
    });
    t.apply(Command::MergeItems {
        into: root,
        items: vec![dup],
    });
    let root_item = t.session.item(&root).unwrap().clone();
    assert_eq!(t.session.merged_count(&root_item), 1);
    assert_eq!(t.session.like_count(&root_item), 1);
    let applied = erase(&mut t, dup);
    assert!(applied
        .events
        .iter()
        .any(|e| matches!(&e.event, Event::ItemUpdated(i) if i.id == root)));
    let root_item = t.session.item(&root).unwrap().clone();
    assert_eq!(t.session.merged_count(&root_item), 0);
    assert_eq!(t.session.like_count(&root_item), 0);
}

#[test]
fn an_erased_ballot_item_gives_its_dots_back_and_leaves_the_ballot() {
    let mut t = TestSession::new();
    let ideas = t.add_open(Activity::default());
    let (ann, ben) = (pid(), pid());
    let gone = t.submit(ann, &ideas, "Pois");
    let stays = t.submit(ann, &ideas, "Jää");
    let vote = t.add_open(dot_vote(&ideas, 3, 2));
    t.place_dot(ben, &vote, gone);
    t.place_dot(ben, &vote, gone);
    t.place_dot(ben, &vote, stays);
    let applied = erase(&mut t, gone);
    assert!(applied
        .events
        .iter()
        .any(|e| e.event == Event::AnswersChanged(vote.clone())));
    let prompt = t.session.prompt(&vote).unwrap().clone();
    assert_eq!(prompt.ballot, vec![stays]);
    let answers = t.session.answers(&vote).unwrap();
    assert_eq!(answers.dots_of(&ben).unwrap().values().sum::<u32>(), 1);
    // The dots came back: two more fit.
    t.place_dot(ben, &vote, stays);
    let Results::DotVote { ranking, voters } = t.session.results(&prompt) else {
        panic!()
    };
    assert_eq!((voters, ranking.len()), (1, 1));
    assert_eq!(
        t.refuse(Command::PlaceDot {
            participant: ben,
            prompt_id: vote.clone(),
            item_id: gone,
        }),
        Rejection::NotOnBallot
    );
}

#[test]
fn an_erased_matrix_item_comes_off_the_matrix() {
    let mut t = TestSession::new();
    let ideas = t.add_open(Activity::default());
    let (ann, ben) = (pid(), pid());
    let gone = t.submit(ann, &ideas, "Pois");
    let matrix: Activity = serde_json::from_value(json!({
        "kind": "matrix", "source": ideas.0,
        "x": {"label": "Hyöty", "low": "", "high": ""},
        "y": {"label": "Vaiva", "low": "", "high": ""}
    }))
    .unwrap();
    let stays = t.submit(ann, &ideas, "Jää");
    let m = t.add_open(matrix);
    for item_id in [gone, stays] {
        t.apply(Command::Place {
            participant: ben,
            prompt_id: m.clone(),
            item_id,
            x: 2,
            y: 3,
        });
    }
    erase(&mut t, gone);
    let places = t.session.answers(&m).unwrap().places_of(&ben).unwrap();
    assert_eq!(places.keys().copied().collect::<Vec<_>>(), vec![stays]);
    let prompt = t.session.prompt(&m).unwrap().clone();
    let results = serde_json::to_string(&t.session.results(&prompt)).unwrap();
    assert!(!results.contains("Pois"), "{results}");
}

#[test]
fn erasing_the_history_keeps_the_current_text() {
    let mut t = TestSession::new();
    let ideas = t.add_open(Activity::default());
    let item = t.submit(pid(), &ideas, "Ensimmäinen");
    t.apply(Command::EditItem {
        item_id: item,
        text: "Toinen".into(),
    });
    assert!(!t.session.history_erased(&item));
    let applied = t.apply(Command::EraseItemHistory { item_id: item });
    assert!(matches!(&applied.events[0].event, Event::ItemUpdated(i) if i.history.is_empty()));
    assert!(t.session.history_erased(&item) && !t.session.is_erased(&item));
    assert_eq!(t.session.item(&item).unwrap().text, "Toinen");
    assert!(!stored_text(&t.session).contains("Ensimmäinen"));
    assert!(t
        .apply(Command::EraseItemHistory { item_id: item })
        .events
        .is_empty());
    assert_eq!(
        t.refuse(Command::EraseItemHistory { item_id: iid() }),
        Rejection::ItemNotFound
    );
}

#[test]
fn tombstones_survive_a_snapshot_and_old_snapshots_have_none() {
    let mut t = TestSession::new();
    let ideas = t.add_open(Activity::default());
    let item = t.submit(pid(), &ideas, "Pois");
    let kept = t.submit(pid(), &ideas, "Jää");
    t.apply(Command::EditItem {
        item_id: kept,
        text: "Jää yhä".into(),
    });
    t.apply(Command::EraseItemHistory { item_id: kept });
    erase(&mut t, item);
    let stored = to_stored(&t.session);
    assert_eq!(stored["tombstones"][0]["id"], json!(item.0));
    assert_eq!(stored["tombstones"][0]["erased_by"], "facilitator");
    assert!(stored["history_erased"].get(kept.0.to_string()).is_some());
    let back = from_stored(stored);
    assert_eq!(back, t.session);
    assert!(back.is_erased(&item) && back.history_erased(&kept));
    // A session without erasures writes neither field (old snapshots stay byte-identical).
    let plain = to_stored(&session());
    assert!(plain.get("tombstones").is_none() && plain.get("history_erased").is_none());
}

#[test]
fn a_snapshot_with_an_item_both_kept_and_erased_is_corrupt() {
    let mut t = TestSession::new();
    let ideas = t.add_open(Activity::default());
    let item = t.submit(pid(), &ideas, "Pois");
    let before = to_stored(&t.session);
    erase(&mut t, item);
    let mut stored = to_stored(&t.session);
    stored["items"] = before["items"].clone();
    let snapshot: crate::store::SnapshotV1 = serde_json::from_value(stored).unwrap();
    assert!(Session::try_from(snapshot).is_err());
}

#[test]
fn replaying_the_commands_rebuilds_the_same_erased_state() {
    let mut t = TestSession::new();
    let ideas = t.add_open(Activity::default());
    let ann = pid();
    let a = t.submit(ann, &ideas, "Yksi");
    t.submit(ann, &ideas, "Kaksi");
    let commands = vec![
        Command::WithdrawItem {
            participant: ann,
            item_id: a,
        },
        Command::EraseItem { item_id: a },
    ];
    let mut replay = t.session.clone();
    for c in &commands {
        t.apply(c.clone());
    }
    for c in &commands {
        replay.apply(c, t.now).unwrap();
    }
    assert_eq!(replay, t.session);
}

/// The JSON export of `s`, as a document.
fn export_doc(s: &Session, at: Millis) -> document::SessionDoc {
    use crate::export::{json, Format, Options, View};
    let view = View::new(s, Format::Json, &Options::default()).unwrap();
    json::document(&view, at)
}

fn import_target() -> ImportTarget {
    ImportTarget {
        slug: None,
        title: None,
        key_hash: "ff".into(),
        now: T0 + 1_000_000,
        salt: [7; 32],
    }
}

#[test]
fn the_json_export_lists_tombstones_without_text_and_an_import_keeps_them() {
    let mut t = TestSession::new();
    let ideas = t.add_open(Activity::default());
    let ann = pid();
    let gone = t.submit(ann, &ideas, "Kanarialintu");
    let kept = t.submit(ann, &ideas, "Jää");
    t.advance(50);
    t.apply(Command::WithdrawItem {
        participant: ann,
        item_id: gone,
    });
    let first = export_doc(&t.session, T0 + 999);
    let text = serde_json::to_string(&first).unwrap();
    assert!(!text.contains("Kanarialintu"), "{text}");
    let erased = serde_json::to_value(&first.prompts[0].erased).unwrap();
    assert_eq!(erased[0]["id"], json!(gone.0));
    assert_eq!(erased[0]["erased_by"], "author");
    let imported = Session::import(first.clone(), import_target()).unwrap();
    assert!(imported.is_erased(&gone) && imported.item(&kept).is_some());
    assert_eq!(export_doc(&imported, T0 + 999), first);
    // A file whose erased id is also an item is refused.
    let mut twice = first.clone();
    twice.prompts[0].erased[0].id = kept;
    assert!(matches!(
        Session::import(twice, import_target()),
        Err(ImportError::DuplicateId(_))
    ));
}

#[test]
fn duplicates_of_an_erased_duplicate_join_what_it_had_joined() {
    let mut t = TestSession::new();
    let ideas = t.add_open(Activity::default());
    let (a, b, c) = (pid(), pid(), pid());
    let root = t.submit(a, &ideas, "Kahvi");
    let middle = t.submit(b, &ideas, "kahvia");
    let leaf = t.submit(c, &ideas, "KAHVI!");
    t.apply(Command::MergeItems {
        into: middle,
        items: vec![leaf],
    });
    t.apply(Command::MergeItems {
        into: root,
        items: vec![middle],
    });
    erase(&mut t, middle);
    assert_eq!(t.session.item(&leaf).unwrap().merged_into, Some(root));
    let root_item = t.session.item(&root).unwrap().clone();
    assert_eq!(t.session.merged_count(&root_item), 1);
    assert_eq!(t.session.visible_items(&ideas).count(), 1);
}

#[test]
fn what_changes_nothing_is_not_journaled_and_leaves_the_state_as_it_was() {
    let mut t = TestSession::new();
    let ideas = t.add_open(Activity::default());
    let item = t.submit(pid(), &ideas, "Ei muokattu");
    let before = t.session.clone();
    // No earlier texts: nothing to erase, no event, and so nothing a replay would miss.
    assert!(t
        .apply(Command::EraseItemHistory { item_id: item })
        .events
        .is_empty());
    assert_eq!(t.session, before);
    assert!(!t.session.history_erased(&item));
}

#[test]
fn the_lookup_indexes_after_erasures_are_those_a_rebuild_makes() {
    let mut t = TestSession::new();
    let ideas = t.add_open(Activity::default());
    let (a, b) = (pid(), pid());
    let mut ids = Vec::new();
    for n in 0..6 {
        let who = if n % 2 == 0 { a } else { b };
        ids.push(t.submit(who, &ideas, &format!("Idea {n}")));
    }
    let cloud = t.add_open(Activity::WordCloud(WordCloud { max_answers: 3 }));
    let word = t.submit(a, &cloud, "Sana");
    t.apply(Command::MergeItems {
        into: ids[0],
        items: vec![ids[1], ids[2]],
    });
    t.apply(Command::MergeItems {
        into: ids[3],
        items: vec![ids[4]],
    });
    for gone in [ids[1], ids[3], word, ids[0]] {
        erase(&mut t, gone);
        let mut rebuilt = t.session.clone();
        rebuilt.reindex();
        let s = &t.session;
        assert_eq!(s.item_index, rebuilt.item_index);
        assert_eq!(s.by_participant, rebuilt.by_participant);
        assert_eq!(s.by_prompt, rebuilt.by_prompt);
        let counted = |m: &std::collections::HashMap<PromptId, usize>| {
            let mut v: Vec<_> = m.iter().filter(|(_, n)| **n > 0).collect();
            v.sort();
            format!("{v:?}")
        };
        assert_eq!(counted(&s.merged_in), counted(&rebuilt.merged_in));
    }
    assert_eq!(t.session.items().len(), 3);
    assert!(t.session.items().iter().all(|i| i.merged_into.is_none()));
}
