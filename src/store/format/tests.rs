//! The persisted formats' own tests: today's bytes, every command's record, the
//! migrations' chain, and the checks that refuse what this build cannot read.

use serde_json::json;

use super::*;
use crate::session::testkit::{self, dot_vote, pid, poll, scale, TestSession};
use crate::session::{Activity, Brainstorm, GroupId, ItemId, ParticipantId, PromptId, ScreenView};

#[test]
fn a_journal_line_of_format_2_ends_in_its_crc() {
    let mut out = Vec::new();
    encode_record(&mut out, 7, 42, &Command::Tick);
    let body = br#"{"v":2,"seq":7,"at":42,"cmd":{"type":"tick"}"#;
    let crc = format!("{:08x}", crc::crc32c(body));
    let expected = format!(
        "{},\"crc\":\"{crc}\"}}\n",
        std::str::from_utf8(body).unwrap()
    );
    assert_eq!(std::str::from_utf8(&out).unwrap(), expected);
    let back = decode_record(&out[..out.len() - 1]).unwrap();
    assert_eq!((back.v, back.seq, back.at), (2, 7, 42));
    assert_eq!(back.cmd, Command::Tick);
}

#[test]
fn a_journal_line_of_format_1_has_no_version_field_and_still_reads() {
    let back = decode_record(br#"{"seq":7,"at":42,"cmd":{"type":"tick"}}"#).unwrap();
    assert_eq!((back.seq, back.at), (7, 42));
    assert_eq!(back.cmd, Command::Tick);
}

#[test]
fn every_flipped_bit_of_a_line_is_caught() {
    let mut line = Vec::new();
    let cmd: Command = serde_json::from_value(json!({"type":"edit_item",
        "item_id":"00000000-0000-0000-0000-000000000002","text":"pieni muutos"}))
    .unwrap();
    encode_record(&mut line, 12, 1_700_000_000_000, &cmd);
    line.pop();
    for byte in 0..line.len() {
        for bit in 0..8 {
            let mut flipped = line.clone();
            flipped[byte] ^= 1 << bit;
            assert!(
                decode_record(&flipped).is_err(),
                "bit {bit} of byte {byte} flipped: {}",
                String::from_utf8_lossy(&flipped)
            );
        }
    }
}

#[test]
fn a_line_of_format_2_without_its_crc_is_refused() {
    let err = decode_record(br#"{"v":2,"seq":1,"at":1,"cmd":{"type":"tick"}}"#).unwrap_err();
    assert!(err.to_string().contains("without its crc"), "{err}");
}

#[test]
fn an_unknown_journal_format_is_refused_not_guessed() {
    let err = decode_record(br#"{"v":9,"seq":1,"at":1,"cmd":{"type":"tick"}}"#).unwrap_err();
    assert!(
        err.to_string().contains("unknown journal format 9"),
        "{err}"
    );
    assert!(decode_record(br#"{"seq":1,"at":1,"cmd":{"type":"nope"}}"#).is_err());
}

#[test]
fn a_newer_snapshot_format_is_refused_as_newer_and_an_unknown_older_one_is_corrupt() {
    // A downgrade: not corrupt (which would rebuild past it and move it aside) but newer.
    let err = decode_snapshot(br#"{"format":2,"session":{}}"#, "snapshot.json").unwrap_err();
    assert!(
        matches!(&err, StoreError::NewerFormat { file, found: 2, known: 1 } if file == "snapshot.json"),
        "{err}"
    );
    let err = decode_meta(br#"{"format":2,"meta":{}}"#, "meta.json").unwrap_err();
    assert!(
        matches!(err, StoreError::NewerFormat { found: 2, .. }),
        "{err}"
    );
    let err = decode_snapshot(br#"{"format":0,"session":{}}"#, "snapshot.json").unwrap_err();
    assert!(
        matches!(&err, StoreError::Corrupt { file: "snapshot.json", reason } if reason == "unknown format 0"),
        "{err}"
    );
    assert!(decode_snapshot(b"{", "snapshot.json").is_err());
    assert_eq!(newer_journal_line(br#"{"v":3,"seq":1}"#), Some(3));
    assert_eq!(newer_journal_line(br#"{"v":2,"seq":1}"#), None);
    assert_eq!(newer_journal_line(br#"{"v":3,"se"#), None);
}

/// A session with something of everything the snapshot holds: groups and members, each
/// kind's prompt and answers, edited, hidden, merged, starred, liked and pending items, a
/// locked prompt with a time box, a dot vote's ballot, and the projector on an old prompt.
fn rich_session() -> Session {
    let mut t = TestSession::new();
    let (ann, ben) = (
        ParticipantId(uuid::Uuid::from_u128(1)),
        ParticipantId(uuid::Uuid::from_u128(2)),
    );
    t.apply(Command::AddGroup {
        translations: Default::default(),
        name: "Punainen".into(),
        color: Some("#cc0000".into()),
    });
    t.apply(Command::AddGroup {
        translations: Default::default(),
        name: "Sininen".into(),
        color: None,
    });
    t.apply(Command::ChooseGroup {
        participant: ann,
        group_id: Some(GroupId("g1".into())),
    });
    let ideas = testkit::add_kind(
        &mut t.session,
        Activity::Brainstorm(Brainstorm {
            columns: vec!["Hyvää".into(), "Kehitettävää".into()],
        }),
        |d| {
            d.wall = true;
            d.premoderation = true;
        },
    );
    t.apply(Command::OpenPrompt {
        prompt_id: ideas.clone(),
    });
    let mut items = Vec::new();
    let texts = [
        (ann, "Kahvi"),
        (ben, "kahvi"),
        (ben, "Aikataulu"),
        (ann, "Tilat"),
    ];
    for (n, (who, text)) in (0u128..).zip(texts.into_iter().chain([(ben, "Odottaa")])) {
        t.advance(1_000);
        let id = ItemId(uuid::Uuid::from_u128(100 + n));
        t.apply(Command::Submit {
            participant: who,
            item_id: id,
            prompt_id: ideas.clone(),
            text: text.into(),
            column: Some((n / 4) as u8),
            name: None,
        });
        if n < 4 {
            t.apply(Command::ApproveItem { item_id: id });
            items.push(id);
        }
    }
    t.apply(Command::EditItem {
        item_id: items[2],
        text: "Aikataulu pitää".into(),
    });
    t.apply(Command::HideItem { item_id: items[3] });
    t.apply(Command::StarItem {
        item_id: items[0],
        starred: true,
    });
    t.apply(Command::Like {
        participant: ben,
        item_id: items[0],
        liked: true,
    });
    t.apply(Command::MergeItems {
        into: items[0],
        items: vec![items[1]],
    });
    let question = t.add_open(poll(3, true, true));
    t.vote(ann, &question, &[0, 2]);
    t.vote(ben, &question, &[1]);
    let rating = t.add_open(scale(2, 5));
    t.apply(Command::Rate {
        participant: ann,
        prompt_id: rating.clone(),
        statement: 1,
        value: 4,
    });
    let vote = t.add_open(dot_vote(&ideas, 3, 2));
    t.place_dot(ann, &vote, items[0]);
    t.place_dot(ann, &vote, items[0]);
    t.place_dot(ben, &vote, items[2]);
    t.apply(Command::AddTime {
        prompt_id: vote.clone(),
        secs: 60,
    });
    t.apply(Command::LockPrompt {
        prompt_id: vote,
        locked: true,
    });
    t.apply(Command::ShowOnScreen {
        view: ScreenView::Prompt { prompt_id: ideas },
    });
    testkit::add(&mut t.session, "Luonnos");
    t.session
}

#[test]
fn a_snapshot_is_written_byte_for_byte_as_format_1_always_was() {
    let session = rich_session();
    // Format 1 as `Session`'s own serde derive wrote it before the store had types of its
    // own: these bytes were written by that derive (and matched the new encoder then).
    let legacy: &[u8] = include_bytes!("testdata/rich-snapshot.json");
    let bytes = encode_snapshot(&session).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        String::from_utf8_lossy(legacy)
    );
    for needle in [
        r#""poll":{"#,
        r#""poll_at":{"#,
        r#""scale":{"#,
        r#""dots":{"#,
        r#""ballot":["#,
        r#""history":["#,
        r#""likes":["#,
        r#""merged_into":""#,
        r#""screen":{"kind":"prompt""#,
        r#""locked":true"#,
        r#""approved":false"#,
    ] {
        assert!(String::from_utf8_lossy(&bytes).contains(needle), "{needle}");
    }
    let back = decode_snapshot(&bytes, "snapshot.json").unwrap();
    assert_eq!(back, session);
    assert_eq!(back.item(&session.items()[0].id), Some(&session.items()[0]));
    assert_eq!(encode_snapshot(&back).unwrap(), bytes);
}

#[test]
fn a_snapshot_from_before_later_fields_still_loads() {
    // The oldest format-1 shape: no groups, members, answers, screen, next_group or time
    // zone, and a prompt with `results` (the old name of `show_results`).
    let old = json!({"format": 1, "session": {
        "meta": {"slug": "vanha", "title": "Vanha", "language": "fi", "created_at": 5, "key_hash": "00"},
        "prompts": [{"id": "p1", "kind": "poll", "title": "K?", "options": ["a", "b"],
                     "results": "hidden", "state": "open", "created_at": 6,
                     "opened_at": 7, "closed_at": null}],
        "items": [], "current": "p1", "seq": 2, "next_prompt": 2}});
    let session = decode_snapshot(old.to_string().as_bytes(), "snapshot.json").unwrap();
    assert_eq!(session.screen(), &ScreenView::Follow);
    assert_eq!(session.meta.time_zone, Default::default());
    assert_eq!(session.seq(), 2);
    let prompt = session.current_prompt().unwrap();
    assert_eq!(
        prompt.draft.show_results,
        crate::session::ResultsVisibility::Hidden
    );
    let written: Value = serde_json::from_slice(&encode_snapshot(&session).unwrap()).unwrap();
    assert_eq!(written["session"]["next_group"], 1);
    assert_eq!(written["session"]["prompts"][0]["show_results"], "hidden");
}

#[test]
fn a_snapshot_with_an_item_twice_is_corrupt() {
    let mut t = TestSession::new();
    let ideas = t.add_open(Activity::default());
    t.submit(pid(), &ideas, "Kahvi");
    let mut snapshot = SnapshotV1::from(&t.session);
    snapshot.items.push(snapshot.items[0].clone());
    let bytes = serde_json::to_vec(&SnapshotFile {
        format: 1,
        session: snapshot,
        last_change_at: None,
    })
    .unwrap();
    let err = decode_snapshot(&bytes, "snapshot.json").unwrap_err();
    assert!(err.to_string().contains("appears twice"), "{err}");
}

/// The `type` names of a `#[serde(tag = "type")]` enum, from the error serde gives for a
/// name no variant has.
fn type_names<T: serde::de::DeserializeOwned + std::fmt::Debug>() -> Vec<String> {
    let err = serde_json::from_value::<T>(json!({"type": "\u{0}"})).unwrap_err();
    let message = err.to_string();
    let list = message
        .split("expected one of ")
        .nth(1)
        .unwrap_or_else(|| panic!("{message}"));
    list.split(", ")
        .map(|name| name.trim_matches('`').to_string())
        .collect()
}

#[test]
fn every_command_round_trips_through_its_record_in_todays_json() {
    let theme = |n: u128| crate::session::ThemeId(uuid::Uuid::from_u128(100 + n));
    let (who, item, prompt) = (
        ParticipantId(uuid::Uuid::from_u128(7)),
        ItemId(uuid::Uuid::from_u128(9)),
        PromptId("p1".into()),
    );
    let commands = [
        Command::AddPrompt {
            draft: testkit::draft("Ideat"),
        },
        Command::UpdatePrompt {
            prompt_id: prompt.clone(),
            draft: testkit::draft("Ideat?"),
        },
        Command::DuplicatePrompt {
            prompt_id: prompt.clone(),
        },
        Command::DeletePrompt {
            prompt_id: prompt.clone(),
        },
        Command::MovePrompt {
            prompt_id: prompt.clone(),
            position: 2,
        },
        Command::ImportAgenda {
            prompts: vec![testkit::draft("A"), testkit::draft("B")],
        },
        Command::OpenPrompt {
            prompt_id: prompt.clone(),
        },
        Command::NextPrompt,
        Command::ClosePrompt {
            prompt_id: prompt.clone(),
        },
        Command::LockPrompt {
            prompt_id: prompt.clone(),
            locked: true,
        },
        Command::AddTime {
            prompt_id: prompt.clone(),
            secs: 60,
        },
        Command::ShowOnScreen {
            view: ScreenView::Prompt {
                prompt_id: prompt.clone(),
            },
        },
        Command::Tick,
        Command::AddGroup {
            translations: Default::default(),
            name: "A".into(),
            color: Some("#112233".into()),
        },
        Command::UpdateGroup {
            translations: Default::default(),
            group_id: GroupId("g1".into()),
            name: "B".into(),
            color: None,
        },
        Command::DeleteGroup {
            group_id: GroupId("g1".into()),
        },
        Command::ChooseGroup {
            participant: who,
            group_id: Some(GroupId("g1".into())),
        },
        Command::Submit {
            participant: who,
            item_id: item,
            prompt_id: prompt.clone(),
            text: "x".into(),
            column: Some(1),
            name: None,
        },
        Command::Submit {
            participant: who,
            item_id: item,
            prompt_id: prompt.clone(),
            text: "Kysymys?".into(),
            column: None,
            name: Some("Maija".into()),
        },
        Command::Vote {
            participant: who,
            prompt_id: prompt.clone(),
            options: vec![0, 2],
        },
        Command::WithdrawVote {
            participant: who,
            prompt_id: prompt.clone(),
        },
        Command::Rate {
            participant: who,
            prompt_id: prompt.clone(),
            statement: 1,
            value: 4,
        },
        Command::PlaceDot {
            participant: who,
            prompt_id: prompt.clone(),
            item_id: item,
        },
        Command::RemoveDot {
            participant: who,
            prompt_id: prompt.clone(),
            item_id: item,
        },
        Command::Place {
            participant: who,
            prompt_id: prompt.clone(),
            item_id: item,
            x: 2,
            y: 5,
        },
        Command::Unplace {
            participant: who,
            prompt_id: prompt.clone(),
            item_id: item,
        },
        Command::Like {
            participant: who,
            item_id: item,
            liked: true,
        },
        Command::HideItem { item_id: item },
        Command::UnhideItem { item_id: item },
        Command::EditItem {
            item_id: item,
            text: "y".into(),
        },
        Command::MergeItems {
            into: item,
            items: vec![ItemId(uuid::Uuid::from_u128(10))],
        },
        Command::UnmergeItem { item_id: item },
        Command::StarItem {
            item_id: item,
            starred: true,
        },
        Command::ApproveItem { item_id: item },
        Command::EraseItem { item_id: item },
        Command::WithdrawItem {
            participant: who,
            item_id: item,
        },
        Command::EraseItemHistory { item_id: item },
        Command::AddTheme {
            prompt: prompt.clone(),
            theme: theme(1),
            name: "Nuoret".into(),
            items: vec![item],
        },
        Command::RenameTheme {
            prompt: prompt.clone(),
            theme: theme(1),
            name: "Digi".into(),
        },
        Command::MergeThemes {
            prompt: prompt.clone(),
            from: theme(1),
            into: theme(2),
        },
        Command::RemoveTheme {
            prompt: prompt.clone(),
            theme: theme(2),
        },
        Command::MoveTheme {
            prompt: prompt.clone(),
            theme: theme(2),
            to: 0,
        },
        Command::SetItemTheme {
            items: vec![item],
            theme: None,
        },
        // Each shape of a move: a group cleared (`null`) is not a group left as it is.
        Command::MoveItem {
            item,
            column: Some(2),
            group: Some(None),
        },
        Command::MoveItem {
            item,
            column: None,
            group: Some(Some(GroupId("g1".into()))),
        },
        Command::MoveItem {
            item,
            column: Some(0),
            group: None,
        },
        Command::SetNotes {
            prompt: prompt.clone(),
            notes: "rivi 1\nrivi 2".into(),
        },
        Command::ShowByTheme {
            prompt: prompt.clone(),
            on: true,
        },
        Command::SetRehearsal { on: true },
        Command::ResetRehearsal,
        Command::MarkAnswered {
            item_id: item,
            answered: true,
        },
        Command::SetLanguages {
            main: crate::session::Language::Fi,
            screen: Some(crate::session::Language::Sv),
        },
    ];
    let names = type_names::<Command>();
    let distinct: std::collections::BTreeSet<_> = commands
        .iter()
        .map(|c| serde_json::to_value(c).unwrap()["type"].clone().to_string())
        .collect();
    assert_eq!(distinct.len(), names.len(), "a command is missing here");
    assert_eq!(type_names::<JournalRecord>(), names);
    for command in commands {
        let record = JournalRecord::from(command.clone());
        // The record's JSON is the command's own (today's journal shape), both ways.
        let json = serde_json::to_value(&record).unwrap();
        assert_eq!(json, serde_json::to_value(&command).unwrap());
        let read: JournalRecord = serde_json::from_value(json).unwrap();
        assert_eq!(Command::from(read), command);
        let mut line = Vec::new();
        encode_record(&mut line, 3, 4, &command);
        let back = decode_record(&line[..line.len() - 1]).unwrap();
        assert_eq!((back.seq, back.at, back.cmd), (3, 4, command));
    }
}

/// Example steps for a format 0 that never shipped: it called `show_results` `results`
/// and put the seq under `last_seq`. Format 1 → 2 example: nothing to change but a marker.
fn zero_to_one(mut v: Value) -> Result<Value, String> {
    let session = v.as_object_mut().ok_or("not an object")?;
    let seq = session.remove("last_seq").ok_or("no last_seq")?;
    session.insert("seq".into(), seq);
    Ok(v)
}

fn one_to_two(mut v: Value) -> Result<Value, String> {
    v["two"] = json!(true);
    Ok(v)
}

#[test]
fn migrations_chain_one_format_at_a_time() {
    let steps: &[(u32, Step)] = &[(1, one_to_two), (0, zero_to_one)];
    let v0 = json!({"last_seq": 4});
    assert_eq!(migrate(v0.clone(), 0, 1, steps), Ok(json!({"seq": 4})));
    assert_eq!(
        migrate(v0.clone(), 0, 2, steps),
        Ok(json!({"seq": 4, "two": true}))
    );
    assert_eq!(migrate(v0.clone(), 2, 2, steps), Ok(v0.clone()));
    // A step that finds the wrong shape, a format with no step, a format from the future.
    assert_eq!(migrate(json!({"seq": 4}), 0, 2, steps), Err(0));
    assert_eq!(migrate(v0.clone(), 0, 2, &[(1, one_to_two)]), Err(0));
    assert_eq!(migrate(v0, 3, 2, steps), Err(3));
}

#[test]
fn todays_formats_have_no_migrations_yet() {
    let v = json!({"seq": 1});
    assert_eq!(migrate_snapshot(v.clone(), SNAPSHOT_FORMAT), Ok(v.clone()));
    assert_eq!(migrate_command(v.clone(), JOURNAL_FORMAT), Ok(v.clone()));
    assert_eq!(
        migrate_snapshot(v.clone(), 0),
        Err("unknown format 0".into())
    );
    assert_eq!(
        migrate_command(v, 0),
        Err("unknown journal format 0".into())
    );
}
