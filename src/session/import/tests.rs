//! Import: round trips through the export, and every inconsistency refused with its code.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::*;
use crate::export::json;
use crate::export::{Format, Options, PromptSelector, View};
use crate::session::document::{self as doc, ItemDoc};

const T0: Millis = 1_700_000_000_000;
const LATER: Millis = T0 + 400 * 24 * 3600 * 1000;

fn run(s: &mut Session, at: Millis, command: Command) -> Applied {
    crate::session::testkit::accept(s, &command, at)
}

fn draft(activity: Activity, title: &str) -> PromptDraft {
    PromptDraft {
        translations: Default::default(),
        activity,
        title: title.into(),
        instructions: String::new(),
        time_limit_secs: None,
        auto_close: false,
        per_group: false,
        premoderation: false,
        wall: false,
        show_results: ResultsVisibility::Live,
        reset_column: false,
        template: None,
    }
}

fn add(s: &mut Session, at: Millis, draft: PromptDraft) -> PromptId {
    match &run(s, at, Command::AddPrompt { draft }).events[0].event {
        Event::PromptAdded(p) => p.id.clone(),
        other => panic!("unexpected {other:?}"),
    }
}

fn item(
    s: &mut Session,
    at: Millis,
    who: ParticipantId,
    prompt: &PromptId,
    text: &str,
    column: Option<u8>,
) -> ItemId {
    let id = ItemId(Uuid::new_v4());
    run(
        s,
        at,
        Command::Submit {
            participant: who,
            item_id: id,
            prompt_id: prompt.clone(),
            text: text.into(),
            column,
            name: None,
        },
    );
    id
}

/// A workshop with every activity, groups, hidden, edited, merged, starred, liked and
/// unapproved items, answers of every kind, a deleted prompt, a draft and a locked open
/// prompt with added time.
fn workshop() -> Session {
    let mut s = crate::session::testkit::session_titled("HYVINSIVI – työpaja", T0);
    let t = |n: u64| T0 + n * 1000;
    run(
        &mut s,
        t(1),
        Command::AddGroup {
            translations: Default::default(),
            name: "Toimijat ja verkostot".into(),
            color: Some("#1f77b4".into()),
        },
    );
    run(
        &mut s,
        t(1),
        Command::AddGroup {
            translations: Default::default(),
            name: "Digitaalisuus".into(),
            color: None,
        },
    );
    let [a, b, c, d] = [0; 4].map(|_| ParticipantId(Uuid::new_v4()));
    for (who, g) in [(a, "g1"), (b, "g1"), (c, "g2")] {
        run(
            &mut s,
            t(2),
            Command::ChooseGroup {
                participant: who,
                group_id: Some(GroupId(g.into())),
            },
        );
    }
    let brainstorm = add(
        &mut s,
        t(3),
        PromptDraft {
            wall: true,
            ..draft(
                Activity::Brainstorm(Brainstorm {
                    columns: vec!["Toimivat nyt".into(), "Eivät toimi".into()],
                }),
                "Yhdyspinnat",
            )
        },
    );
    let gone = add(&mut s, t(3), draft(Activity::default(), "Poistetaan"));
    run(&mut s, t(3), Command::DeletePrompt { prompt_id: gone });
    let cloud = add(
        &mut s,
        t(4),
        draft(
            Activity::WordCloud(WordCloud { max_answers: 3 }),
            "Yksi sana",
        ),
    );
    let poll = add(
        &mut s,
        t(4),
        draft(
            Activity::Poll(Poll {
                options: vec!["Kunta".into(), "Järjestö".into(), "Muu".into()],
                multiple: true,
                may_change: true,
            }),
            "Sektori?",
        ),
    );
    let scale = add(
        &mut s,
        t(4),
        draft(
            Activity::Scale(Scale {
                statements: vec!["Yhteistyö toimii".into(), "Tieto kulkee".into()],
                max: 5,
                min_label: "ei lainkaan".into(),
                max_label: "erittäin hyvin".into(),
            }),
            "Arvioi",
        ),
    );
    let vote = add(
        &mut s,
        t(4),
        draft(
            Activity::DotVote(DotVote {
                source: brainstorm.clone(),
                dots: 3,
                max_per_item: 2,
                vote_on: VoteOn::Items,
            }),
            "Tärkeimmät",
        ),
    );
    let _draft = add(&mut s, t(4), draft(Activity::default(), "Myöhemmin"));
    let moderated = add(
        &mut s,
        t(4),
        PromptDraft {
            per_group: true,
            premoderation: true,
            time_limit_secs: Some(300),
            auto_close: true,
            ..draft(Activity::default(), "Ryhmissä")
        },
    );

    run(
        &mut s,
        t(10),
        Command::OpenPrompt {
            prompt_id: brainstorm.clone(),
        },
    );
    let x = item(
        &mut s,
        t(11),
        a,
        &brainstorm,
        "Äänekoski – yhdyspinnat ✓",
        Some(0),
    );
    let y = item(
        &mut s,
        t(12),
        b,
        &brainstorm,
        "\"quoted, with comma\"",
        Some(1),
    );
    let dup = item(
        &mut s,
        t(13),
        c,
        &brainstorm,
        "äänekoski yhdyspinnat",
        Some(0),
    );
    let hidden = item(&mut s, t(14), d, &brainstorm, "asiaton", Some(1));
    let z = item(
        &mut s,
        t(15),
        a,
        &brainstorm,
        "rivi yksi\nrivi kaksi",
        Some(1),
    );
    run(
        &mut s,
        t(16),
        Command::EditItem {
            item_id: z,
            text: "rivi yksi; rivi kaksi".into(),
        },
    );
    run(
        &mut s,
        t(17),
        Command::EditItem {
            item_id: z,
            text: "Rivi yksi; rivi kaksi".into(),
        },
    );
    run(&mut s, t(18), Command::HideItem { item_id: hidden });
    run(
        &mut s,
        t(19),
        Command::MergeItems {
            into: x,
            items: vec![dup],
        },
    );
    run(
        &mut s,
        t(20),
        Command::StarItem {
            item_id: y,
            starred: true,
        },
    );
    run(
        &mut s,
        t(21),
        Command::Like {
            participant: b,
            item_id: x,
            liked: true,
        },
    );
    run(
        &mut s,
        t(21),
        Command::Like {
            participant: c,
            item_id: x,
            liked: true,
        },
    );
    run(
        &mut s,
        t(21),
        Command::Like {
            participant: a,
            item_id: y,
            liked: true,
        },
    );

    run(
        &mut s,
        t(30),
        Command::OpenPrompt {
            prompt_id: cloud.clone(),
        },
    );
    item(&mut s, t(31), a, &cloud, "Yhteistyö", None);
    item(&mut s, t(31), b, &cloud, "yhteistyö", None);
    item(&mut s, t(31), b, &cloud, "Luottamus", None);

    run(
        &mut s,
        t(40),
        Command::OpenPrompt {
            prompt_id: poll.clone(),
        },
    );
    run(
        &mut s,
        t(41),
        Command::Vote {
            participant: a,
            prompt_id: poll.clone(),
            options: vec![2, 0],
        },
    );
    run(
        &mut s,
        t(41),
        Command::Vote {
            participant: b,
            prompt_id: poll.clone(),
            options: vec![1],
        },
    );
    run(
        &mut s,
        t(42),
        Command::Vote {
            participant: b,
            prompt_id: poll.clone(),
            options: vec![0],
        },
    );

    run(
        &mut s,
        t(50),
        Command::OpenPrompt {
            prompt_id: scale.clone(),
        },
    );
    run(
        &mut s,
        t(51),
        Command::Rate {
            participant: a,
            prompt_id: scale.clone(),
            statement: 0,
            value: 4,
        },
    );
    run(
        &mut s,
        t(51),
        Command::Rate {
            participant: a,
            prompt_id: scale.clone(),
            statement: 1,
            value: 2,
        },
    );
    run(
        &mut s,
        t(51),
        Command::Rate {
            participant: c,
            prompt_id: scale.clone(),
            statement: 1,
            value: 5,
        },
    );

    run(
        &mut s,
        t(60),
        Command::OpenPrompt {
            prompt_id: vote.clone(),
        },
    );
    for (who, on) in [(a, x), (a, x), (a, y), (b, y), (d, z)] {
        run(
            &mut s,
            t(61),
            Command::PlaceDot {
                participant: who,
                prompt_id: vote.clone(),
                item_id: on,
            },
        );
    }
    run(
        &mut s,
        t(62),
        Command::RemoveDot {
            participant: d,
            prompt_id: vote.clone(),
            item_id: z,
        },
    );
    run(
        &mut s,
        t(62),
        Command::PlaceDot {
            participant: d,
            prompt_id: vote.clone(),
            item_id: z,
        },
    );
    run(&mut s, t(63), Command::ClosePrompt { prompt_id: vote });

    run(
        &mut s,
        t(70),
        Command::OpenPrompt {
            prompt_id: moderated.clone(),
        },
    );
    let waiting = item(&mut s, t(71), a, &moderated, "odottaa", None);
    let approved = item(&mut s, t(72), c, &moderated, "hyväksytty", None);
    run(&mut s, t(73), Command::ApproveItem { item_id: approved });
    let _ = waiting;
    run(
        &mut s,
        t(74),
        Command::AddTime {
            prompt_id: moderated.clone(),
            secs: 60,
        },
    );
    run(
        &mut s,
        t(75),
        Command::LockPrompt {
            prompt_id: moderated,
            locked: true,
        },
    );
    s
}

fn doc_of(s: &Session, options: &Options) -> SessionDoc {
    let view = View::new(s, Format::Json, options).unwrap();
    json::document(&view, LATER)
}

fn target(slug: Option<&str>) -> ImportTarget {
    ImportTarget {
        slug: slug.map(|s| SessionName::parse(s).unwrap()),
        title: None,
        key_hash: "ff".into(),
        now: LATER,
        salt: [7; 32],
    }
}

fn import(doc: SessionDoc) -> Result<Session, ImportError> {
    Session::import(doc, target(None))
}

#[test]
fn export_import_export_is_identical() {
    let original = workshop();
    let first = doc_of(&original, &Options::default());
    let bytes = doc::to_bytes(&first);
    let imported = import(doc::parse(&bytes).unwrap()).unwrap();
    let second = doc_of(&imported, &Options::default());
    assert_eq!(second, first);
    assert_eq!(doc::to_bytes(&second), bytes, "byte for byte");

    // What the document cannot show is the same too: the agenda's state and answers.
    assert_eq!(imported.prompts(), original.prompts());
    assert_eq!(imported.seq(), original.seq());
    assert_eq!(imported.current_prompt(), original.current_prompt());
    for p in original.prompts() {
        assert_eq!(imported.results(p), original.results(p), "{}", p.id);
    }
    // Only the key, the ids and the import time are new.
    assert_eq!(imported.meta.key_hash, "ff");
    assert_eq!(imported.imported_at(), Some(LATER));
    assert_eq!(
        imported.last_activity(),
        LATER,
        "retention counts from the import"
    );
    assert!(imported
        .participants()
        .is_disjoint(&original.participants()));
    assert_eq!(imported.participants().len(), original.participants().len());
}

#[test]
fn a_renamed_import_keeps_the_pseudonyms_and_goes_on_working() {
    let original = workshop();
    let first = doc_of(&original, &Options::default());
    let mut imported = Session::import(
        first.clone(),
        ImportTarget {
            title: Some("Uusi otsikko".into()),
            ..target(Some("toinen"))
        },
    )
    .unwrap();
    assert_eq!(imported.meta.slug.as_str(), "toinen");
    assert_eq!(imported.meta.title, "Uusi otsikko");
    let second = doc_of(&imported, &Options::default());
    assert_eq!(second.participants, first.participants);
    assert_eq!(second.prompts, first.prompts);

    // A newcomer answers the open prompt; the facilitator adds a prompt with a fresh id.
    let newcomer = ParticipantId(Uuid::new_v4());
    run(
        &mut imported,
        LATER,
        Command::ChooseGroup {
            participant: newcomer,
            group_id: Some(GroupId("g2".into())),
        },
    );
    run(
        &mut imported,
        LATER,
        Command::LockPrompt {
            prompt_id: PromptId("p8".into()),
            locked: false,
        },
    );
    item(
        &mut imported,
        LATER,
        newcomer,
        &PromptId("p8".into()),
        "uusi",
        None,
    );
    let next = add(&mut imported, LATER, draft(Activity::default(), "Lisää"));
    assert_eq!(next.0, "p9");
    run(
        &mut imported,
        LATER,
        Command::AddGroup {
            translations: Default::default(),
            name: "Kolmas".into(),
            color: None,
        },
    );
    assert_eq!(imported.groups()[2].id.0, "g3");
    assert!(imported.pseudonym(&newcomer).starts_with("p-"));
    assert_eq!(imported.seq(), original.seq() + 5);
}

#[test]
fn the_same_file_twice_gives_unrelated_participant_ids() {
    let doc = doc_of(&workshop(), &Options::default());
    let one = Session::import(doc.clone(), target(None)).unwrap();
    let two = Session::import(
        doc,
        ImportTarget {
            salt: [8; 32],
            ..target(None)
        },
    )
    .unwrap();
    assert!(one.participants().is_disjoint(&two.participants()));
}

#[test]
fn an_export_without_hidden_items_imports_as_the_session_without_them() {
    let original = workshop();
    let options = Options {
        hidden: Some(false),
        ..Options::default()
    };
    let doc = doc_of(&original, &options);
    let imported = import(doc.clone()).unwrap();
    assert!(imported.items().iter().all(|i| !i.hidden));
    assert_eq!(imported.items().len(), original.items().len() - 1);
    assert_eq!(doc_of(&imported, &options).prompts.len(), doc.prompts.len());
}

#[test]
fn an_export_of_some_prompts_imports_if_dot_votes_come_with_their_source() {
    let original = workshop();
    let some = |sel: &[&str]| Options {
        prompts: Some(sel.iter().map(|s| PromptSelector::parse(s)).collect()),
        ..Options::default()
    };
    let imported = import(doc_of(&original, &some(&["p1", "p6"]))).unwrap();
    assert_eq!(imported.prompts().len(), 2);
    assert!(
        imported.current_prompt().is_none(),
        "p8 was current and is not in"
    );
    let err = import(doc_of(&original, &some(&["p6"]))).unwrap_err();
    assert_eq!(err.code(), "dot_vote_source_missing");
}

fn refused(change: impl FnOnce(&mut SessionDoc)) -> ImportError {
    let mut doc = doc_of(&workshop(), &Options::default());
    change(&mut doc);
    import(doc).unwrap_err()
}

fn prompt<'a>(doc: &'a mut SessionDoc, id: &str) -> &'a mut doc::PromptDoc {
    doc.prompts.iter_mut().find(|p| p.id.0 == id).unwrap()
}

fn first_item(doc: &mut SessionDoc) -> &mut ItemDoc {
    &mut prompt(doc, "p1").items[0]
}

#[test]
fn the_file_itself_is_checked_first() {
    assert_eq!(
        doc::parse(b"{\"format\":").unwrap_err().code(),
        "invalid_document"
    );
    assert_eq!(doc::parse(b"[1,2]").unwrap_err().code(), "wrong_format");
    assert_eq!(doc::parse(b"{}").unwrap_err().code(), "wrong_format");
    assert_eq!(
        doc::parse(br#"{"format":"paja-agenda","version":1,"prompts":[]}"#).unwrap_err(),
        ImportError::WrongFormat("paja-agenda".into())
    );
    let v1 = doc::parse(br#"{"format":"paja-session","version":1}"#).unwrap_err();
    assert_eq!(v1, ImportError::UnsupportedVersion(1));
    assert!(v1.to_string().contains("individual answers"));
    assert_eq!(
        doc::parse(br#"{"format":"paja-session","version":4}"#)
            .unwrap_err()
            .code(),
        "unsupported_version"
    );
    let mut bytes = doc::to_bytes(&doc_of(&workshop(), &Options::default()));
    let text = String::from_utf8(bytes.clone()).unwrap();
    let broken = text.replacen("\"created_at\": \"2023", "\"created_at\": \"yesterday", 1);
    let err = doc::parse(broken.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "invalid_document");
    assert!(err.to_string().contains("yesterday"), "{err}");
    bytes.truncate(bytes.len() / 2);
    assert_eq!(doc::parse(&bytes).unwrap_err().code(), "invalid_document");
}

/// One way to spoil a valid document.
type Change = Box<dyn FnOnce(&mut SessionDoc)>;

#[test]
fn every_inconsistency_is_refused_with_its_code() {
    let cases: Vec<(&str, Change)> = vec![
        (
            "wrong_format",
            Box::new(|d| d.format = "paja-agenda".into()),
        ),
        ("unsupported_version", Box::new(|d| d.version = 1)),
        (
            "invalid_title",
            Box::new(|d| d.session.title = "x".repeat(201)),
        ),
        (
            "too_many",
            Box::new(|d| {
                let g = d.groups[0].clone();
                d.groups = (1..=31)
                    .map(|n| Group {
                        id: GroupId(format!("g{n}")),
                        ..g.clone()
                    })
                    .collect();
            }),
        ),
        (
            "invalid_id",
            Box::new(|d| d.prompts[0].id = PromptId("x1".into())),
        ),
        (
            "invalid_id",
            Box::new(|d| d.prompts[6].id = PromptId("p4294967295".into())),
        ),
        ("too_many", Box::new(|d| d.session.seq = u64::MAX)),
        (
            "invalid_id",
            Box::new(|d| d.groups[0].id = GroupId("g01".into())),
        ),
        (
            "invalid_id",
            Box::new(|d| d.participants[0].pseudonym = "<script>".into()),
        ),
        (
            "duplicate_id",
            Box::new(|d| d.prompts[1].id = d.prompts[0].id.clone()),
        ),
        (
            "duplicate_id",
            Box::new(|d| d.groups[1].id = d.groups[0].id.clone()),
        ),
        (
            "duplicate_id",
            Box::new(|d| d.participants[1].pseudonym = d.participants[0].pseudonym.clone()),
        ),
        (
            "duplicate_id",
            Box::new(|d| {
                let id = prompt(d, "p1").items[0].id;
                prompt(d, "p3").items[0].id = id;
            }),
        ),
        ("invalid_group", Box::new(|d| d.groups[0].name = " ".into())),
        (
            "invalid_group",
            Box::new(|d| d.groups[0].color = Some("red".into())),
        ),
        (
            "unknown_group",
            Box::new(|d| d.participants[0].group = Some(GroupId("g9".into()))),
        ),
        (
            "unknown_group",
            Box::new(|d| first_item(d).group = Some(GroupId("g9".into()))),
        ),
        (
            "unknown_participant",
            Box::new(|d| first_item(d).participant = "p-0000000000".into()),
        ),
        (
            "unknown_participant",
            Box::new(|d| prompt(d, "p4").answers[0].participant = "p-0000000000".into()),
        ),
        (
            "invalid_prompt",
            Box::new(|d| d.prompts[0].draft.title = String::new()),
        ),
        (
            "invalid_prompt",
            Box::new(|d| {
                if let Activity::DotVote(DotVote { source, .. }) =
                    &mut prompt(d, "p6").draft.activity
                {
                    *source = PromptId("p4".into());
                }
            }),
        ),
        (
            "dot_vote_source_missing",
            Box::new(|d| d.prompts.retain(|p| p.id.0 != "p1")),
        ),
        (
            "invalid_state",
            Box::new(|d| prompt(d, "p4").state = PromptState::Open),
        ),
        (
            "invalid_state",
            Box::new(|d| prompt(d, "p7").answers = prompt(d, "p4").answers.clone()),
        ),
        ("invalid_state", Box::new(|d| prompt(d, "p3").locked = true)),
        (
            "invalid_state",
            Box::new(|d| d.session.current_prompt = Some(PromptId("p1".into()))),
        ),
        (
            "unknown_prompt",
            Box::new(|d| d.session.current_prompt = Some(PromptId("p99".into()))),
        ),
        (
            "invalid_item",
            Box::new(|d| first_item(d).text = "x".repeat(281)),
        ),
        (
            "invalid_item",
            Box::new(|d| prompt(d, "p3").items[0].text = "x".repeat(41)),
        ),
        (
            "invalid_item",
            Box::new(|d| first_item(d).text = "\u{0} ".into()),
        ),
        ("invalid_item", Box::new(|d| first_item(d).column = Some(2))),
        ("invalid_item", Box::new(|d| first_item(d).column = None)),
        (
            "invalid_item",
            Box::new(|d| {
                first_item(d).history.push(doc::RevisionDoc {
                    text: String::new(),
                    at: doc::Timestamp(T0),
                })
            }),
        ),
        ("invalid_item", Box::new(|d| first_item(d).seq = 10_000)),
        (
            "invalid_item",
            Box::new(|d| {
                let author = first_item(d).participant.clone();
                first_item(d).liked_by = vec![author];
            }),
        ),
        (
            "invalid_item",
            Box::new(|d| {
                let mut item = prompt(d, "p3").items[0].clone();
                item.id = ItemId(Uuid::new_v4());
                prompt(d, "p4").items.push(item);
            }),
        ),
        (
            "unknown_item",
            Box::new(|d| first_item(d).merged_into = Some(ItemId(Uuid::new_v4()))),
        ),
        (
            "invalid_merge",
            Box::new(|d| {
                let id = first_item(d).id;
                first_item(d).merged_into = Some(id);
            }),
        ),
        (
            "invalid_merge",
            Box::new(|d| {
                // x ← dup exists; make x point back at dup: a cycle.
                let dup = prompt(d, "p1")
                    .items
                    .iter()
                    .find(|i| i.merged_into.is_some())
                    .unwrap()
                    .id;
                first_item(d).merged_into = Some(dup);
            }),
        ),
        (
            "invalid_merge",
            Box::new(|d| first_item(d).merged_into = Some(prompt(d, "p3").items[0].id)),
        ),
        (
            "unknown_item",
            Box::new(|d| prompt(d, "p6").ballot.push(ItemId(Uuid::new_v4()))),
        ),
        (
            "unknown_item",
            Box::new(|d| {
                let other = prompt(d, "p3").items[0].id;
                prompt(d, "p6").ballot.push(other);
            }),
        ),
        (
            "unknown_item",
            Box::new(|d| {
                let a = &mut prompt(d, "p6").answers[0];
                a.dots = Some(BTreeMap::from([(ItemId(Uuid::new_v4()), 1)]));
            }),
        ),
        (
            "invalid_answer",
            Box::new(|d| prompt(d, "p4").answers[0].options = Some(vec![3])),
        ),
        (
            "invalid_answer",
            Box::new(|d| prompt(d, "p4").answers[0].options = Some(vec![2, 0])),
        ),
        (
            "invalid_answer",
            Box::new(|d| prompt(d, "p4").answers[0].ratings = Some(vec![1, 1])),
        ),
        (
            "invalid_answer",
            Box::new(|d| prompt(d, "p5").answers[0].ratings = Some(vec![6, 0])),
        ),
        (
            "invalid_answer",
            Box::new(|d| prompt(d, "p5").answers[0].ratings = Some(vec![1])),
        ),
        (
            "invalid_answer",
            Box::new(|d| {
                let a = &mut prompt(d, "p6").answers[0];
                let on = *a.dots.as_ref().unwrap().keys().next().unwrap();
                a.dots = Some(BTreeMap::from([(on, 3)]));
            }),
        ),
        (
            "invalid_answer",
            Box::new(|d| {
                let answer = prompt(d, "p4").answers[0].clone();
                prompt(d, "p4").answers.push(answer);
            }),
        ),
        (
            "invalid_answer",
            Box::new(|d| {
                let answer = prompt(d, "p4").answers[0].clone();
                prompt(d, "p5").answers.push(answer);
            }),
        ),
    ];
    for (code, change) in cases {
        let err = refused(change);
        assert_eq!(err.code(), code, "{err}");
    }
}

#[test]
fn a_word_cloud_holds_no_more_answers_each_than_it_allows() {
    let err = refused(|d| {
        let p = prompt(d, "p3");
        let mut extra = p.items[2].clone();
        for n in 0..3 {
            extra.id = ItemId(Uuid::new_v4());
            extra.text = format!("sana {n}");
            p.items.push(extra.clone());
        }
    });
    assert_eq!(err.code(), "invalid_item");
}

#[test]
fn old_snapshots_load_without_the_import_fields() {
    let s = workshop();
    let mut value = crate::session::testkit::to_stored(&s);
    assert!(value.get("pseudonyms").is_none() && value.get("imported_at").is_none());
    value.as_object_mut().unwrap().remove("next_group");
    let mut back = crate::session::testkit::from_stored(value);
    back.reindex();
    assert_eq!(
        back.pseudonym(&s.items()[0].participant),
        s.pseudonym(&s.items()[0].participant)
    );
    let imported = import(doc_of(&s, &Options::default())).unwrap();
    let mut again =
        crate::session::testkit::from_stored(crate::session::testkit::to_stored(&imported));
    again.reindex();
    assert_eq!(again, imported);
}
