//! The Q&A's rules: names only when allowed, one highlight at a time, answered questions,
//! upvotes as likes (merged duplicates count once per person), the draft rules, and that
//! every rejection changes nothing.

use crate::session::testkit::*;
use crate::session::*;

fn questions(names: bool) -> Activity {
    Activity::Questions(Questions { names })
}

fn ask(who: ParticipantId, prompt: &PromptId, text: &str, name: Option<&str>) -> Command {
    Command::Submit {
        participant: who,
        item_id: iid(),
        prompt_id: prompt.clone(),
        text: text.into(),
        column: None,
        name: name.map(Into::into),
    }
}

fn item_id(command: &Command) -> ItemId {
    match command {
        Command::Submit { item_id, .. } => *item_id,
        other => panic!("not a submit: {other:?}"),
    }
}

fn like(who: ParticipantId, item: ItemId, liked: bool) -> Command {
    Command::Like {
        participant: who,
        item_id: item,
        liked,
    }
}

fn star(item: ItemId, starred: bool) -> Command {
    Command::StarItem {
        item_id: item,
        starred,
    }
}

fn answered(item: ItemId, answered: bool) -> Command {
    Command::MarkAnswered {
        item_id: item,
        answered,
    }
}

#[test]
fn the_wall_is_always_on_and_a_questions_prompt_is_never_per_group() {
    let mut t = TestSession::new();
    let p = t.add(questions(false));
    assert!(
        t.session.prompt(&p).unwrap().draft.wall,
        "phones see the questions"
    );
    let r = t.refuse(Command::AddPrompt {
        draft: PromptDraft {
            per_group: true,
            ..PromptDraft {
                activity: questions(false),
                ..draft("Kysymykset")
            }
        },
    });
    assert_eq!(r.code(), "invalid_prompt");
}

#[test]
fn a_name_is_taken_only_when_the_prompt_allows_it() {
    let mut t = TestSession::new();
    let anonymous = t.add_open(questions(false));
    let who = person(1);
    let named = ask(who, &anonymous, "Miten rahoitus jatkuu?", Some("Maija"));
    assert_eq!(t.refuse(named), Rejection::NamesOff);
    // An empty (or blank) name is none, also where names are off.
    let blank = ask(who, &anonymous, "Miten rahoitus jatkuu?", Some("  "));
    let id = item_id(&blank);
    t.apply(blank);
    assert_eq!(t.session.item(&id).unwrap().author_name, None);

    let mut t = TestSession::new();
    let signed = t.add_open(questions(true));
    let long = "x".repeat(QUESTION_NAME_MAX + 1);
    let too_long = ask(who, &signed, "Kysymys?", Some(&long));
    assert_eq!(t.refuse(too_long), Rejection::InvalidName);
    let ok = ask(who, &signed, "Kysymys?", Some("  Maija Meikäläinen "));
    let id = item_id(&ok);
    t.apply(ok);
    let item = t.session.item(&id).unwrap();
    assert_eq!(item.author_name.as_deref(), Some("Maija Meikäläinen"));
    let view = crate::protocol::ItemView::new(&t.session, item, crate::protocol::Role::Screen);
    assert_eq!(
        serde_json::to_value(&view).unwrap()["name"],
        "Maija Meikäläinen"
    );
    // A name on a brainstorm's item is refused.
    let b = t.add_open(Activity::default());
    let on_brainstorm = ask(who, &b, "idea", Some("Maija"));
    assert_eq!(t.refuse(on_brainstorm), Rejection::NamesOff);
}

#[test]
fn a_question_is_at_most_300_characters_and_has_no_column() {
    let mut t = TestSession::new();
    let p = t.add_open(questions(false));
    let long = ask(person(1), &p, &"k".repeat(QUESTION_TEXT_MAX + 1), None);
    assert!(matches!(t.refuse(long), Rejection::TextTooLong { .. }));
    let fits = ask(person(1), &p, &"k".repeat(QUESTION_TEXT_MAX), None);
    t.apply(fits);
    let mut in_column = ask(person(1), &p, "Sarakkeeseen?", None);
    if let Command::Submit { column, .. } = &mut in_column {
        *column = Some(0);
    }
    assert_eq!(t.refuse(in_column), Rejection::InvalidColumn);
}

#[test]
fn one_question_is_highlighted_at_a_time() {
    let mut t = TestSession::new();
    let p = t.add_open(questions(false));
    let a = t.submit(person(1), &p, "Ensimmäinen?");
    let b = t.submit(person(2), &p, "Toinen?");
    t.apply(star(a, true));
    let applied = t.apply(star(b, true));
    assert!(
        !t.session.item(&a).unwrap().starred,
        "the previous one went out"
    );
    assert!(t.session.item(&b).unwrap().starred);
    assert_eq!(applied.events.len(), 2, "both changes are told");
    // A brainstorm may star many.
    let bs = t.add_open(Activity::default());
    let x = t.submit(person(1), &bs, "x");
    let y = t.submit(person(1), &bs, "y");
    t.apply(star(x, true));
    t.apply(star(y, true));
    assert!(t.session.item(&x).unwrap().starred && t.session.item(&y).unwrap().starred);
}

#[test]
fn marking_answered_unhighlights_and_only_questions_are_answered() {
    let mut t = TestSession::new();
    let p = t.add_open(questions(false));
    let a = t.submit(person(1), &p, "Milloin?");
    t.apply(star(a, true));
    t.apply(answered(a, true));
    let item = t.session.item(&a).unwrap();
    assert!(
        item.answered && !item.starred && item.is_visible(),
        "answered stays visible"
    );
    assert!(
        t.apply(answered(a, true)).events.is_empty(),
        "again changes nothing"
    );
    t.apply(answered(a, false));
    assert!(!t.session.item(&a).unwrap().answered);
    match t.session.results(t.session.prompt(&p).unwrap()) {
        Results::Questions { total, answered } => assert_eq!((total, answered), (1, 0)),
        other => panic!("{other:?}"),
    }
    // Not a question: refused, nothing changes.
    let bs = t.add_open(Activity::default());
    let x = t.submit(person(1), &bs, "x");
    assert_eq!(t.refuse(answered(x, true)), Rejection::WrongActivity);
    assert_eq!(t.refuse(answered(iid(), true)), Rejection::ItemNotFound);
}

#[test]
fn upvotes_are_likes_one_each_retractable_never_ones_own() {
    let mut t = TestSession::new();
    let p = t.add_open(questions(false));
    let a = t.submit(person(1), &p, "Kysymys?");
    t.apply(like(person(2), a, true));
    assert!(
        t.apply(like(person(2), a, true)).events.is_empty(),
        "one vote each"
    );
    t.apply(like(person(3), a, true));
    assert_eq!(t.session.like_count(t.session.item(&a).unwrap()), 2);
    t.apply(like(person(3), a, false));
    assert_eq!(t.session.like_count(t.session.item(&a).unwrap()), 1);
    assert_eq!(t.refuse(like(person(1), a, true)), Rejection::OwnItem);
}

#[test]
fn a_merged_duplicates_votes_count_once_per_person() {
    let mut t = TestSession::new();
    let p = t.add_open(questions(false));
    let a = t.submit(person(1), &p, "Miten rahoitus jatkuu?");
    let b = t.submit(person(2), &p, "Rahoitus jatkossa?");
    for who in [3, 4] {
        t.apply(like(person(who), a, true));
    }
    for who in [4, 5] {
        t.apply(like(person(who), b, true));
    }
    t.apply(Command::MergeItems {
        into: a,
        items: vec![b],
    });
    assert_eq!(t.session.like_count(t.session.item(&a).unwrap()), 3);
}

#[test]
fn pre_moderated_questions_wait_for_approval() {
    let mut t = TestSession::new();
    let p = add_kind(&mut t.session, questions(false), |d| d.premoderation = true);
    t.apply(Command::OpenPrompt {
        prompt_id: p.clone(),
    });
    let a = t.submit(person(1), &p, "Odottaako tämä?");
    assert!(!t.session.item(&a).unwrap().is_visible());
    assert_eq!(t.refuse(like(person(2), a, true)), Rejection::ItemNotFound);
    t.apply(Command::ApproveItem { item_id: a });
    t.apply(like(person(2), a, true));
}

#[test]
fn answered_and_the_name_survive_a_snapshot() {
    let mut t = TestSession::new();
    let p = t.add_open(questions(true));
    let c = ask(person(1), &p, "Kysymys?", Some("Maija"));
    let id = item_id(&c);
    t.apply(c);
    t.apply(answered(id, true));
    let stored = to_stored(&t.session);
    let item = &stored["items"][0];
    assert_eq!(item["answered"], true);
    assert_eq!(item["author_name"], "Maija");
    assert_eq!(from_stored(stored), t.session);
}

#[test]
fn a_withdrawn_question_takes_its_name_with_it() {
    let mut t = TestSession::new();
    let p = t.add_open(questions(true));
    let c = ask(person(1), &p, "Kysymys?", Some("Maija Meikäläinen"));
    let id = item_id(&c);
    t.apply(c);
    t.apply(Command::WithdrawItem {
        participant: person(1),
        item_id: id,
    });
    let stored = serde_json::to_string(&to_stored(&t.session)).unwrap();
    assert!(!stored.contains("Maija"), "{stored}");
}

#[test]
fn an_agenda_template_carries_the_kind_and_its_setting() {
    let mut t = TestSession::new();
    let p = t.add(questions(true));
    let json = serde_json::to_value(&t.session.prompt(&p).unwrap().draft).unwrap();
    assert_eq!(
        (&json["kind"], &json["names"]),
        (&"questions".into(), &true.into())
    );
    let mut other = TestSession::new();
    let template: PromptDraft = serde_json::from_value(serde_json::json!({
        "kind": "questions", "title": "Kysymykset alustajalle", "names": true
    }))
    .unwrap();
    other.apply(Command::ImportAgenda {
        prompts: vec![template],
    });
    let imported = &other.session.prompts()[0].draft;
    assert_eq!(imported.activity, questions(true));
    assert!(imported.wall);
    // Without the setting: anonymous only, and `names` is not written.
    let plain = serde_json::to_value(PromptDraft {
        activity: questions(false),
        ..draft("Q")
    })
    .unwrap();
    assert!(plain.get("names").is_none());
}

/// The console offers a questions prompt as a ballot's source ("which three questions should
/// the panel take?"): a dot vote and a matrix on it take its visible questions, in order, and
/// leave out the hidden and the merged ones, as they would a brainstorm's items.
#[test]
fn a_dot_vote_or_a_matrix_on_questions_takes_the_visible_questions() {
    let mut t = TestSession::new();
    let asked = t.add_open(questions(false));
    let (a, b) = (person(1), person(2));
    let first = t.submit(a, &asked, "Miten hanke rahoitetaan?");
    let hidden = t.submit(b, &asked, "Asiaton kysymys");
    let twin = t.submit(b, &asked, "Mistä rahat tulevat?");
    let last = t.submit(a, &asked, "Kuka päättää?");
    t.apply(Command::HideItem { item_id: hidden });
    t.apply(Command::MergeItems {
        into: first,
        items: vec![twin],
    });
    t.apply(Command::ClosePrompt {
        prompt_id: asked.clone(),
    });

    let vote = t.add_open(dot_vote(&asked, 3, 2));
    assert_eq!(t.session.prompt(&vote).unwrap().ballot, vec![first, last]);
    t.place_dot(b, &vote, first);
    t.place_dot(a, &vote, last);
    t.place_dot(a, &vote, first);
    let Results::DotVote { voters, ranking } = t.session.results(t.session.prompt(&vote).unwrap())
    else {
        panic!("a dot vote's results");
    };
    assert_eq!(voters, 2);
    assert_eq!(
        ranking.first().map(|r| (r.item_id, r.dots)),
        Some((first, 2))
    );
    let r = t.refuse(Command::PlaceDot {
        participant: a,
        prompt_id: vote.clone(),
        item_id: hidden,
    });
    assert_eq!(r, Rejection::NotOnBallot);

    let placed = t.add_open(Activity::Matrix(Matrix {
        source: asked.clone(),
        x: Box::new(Axis {
            label: "Tärkeys".into(),
            low: "vähän".into(),
            high: "paljon".into(),
        }),
        y: Box::new(Axis {
            label: "Kiire".into(),
            low: "ei".into(),
            high: "heti".into(),
        }),
    }));
    assert_eq!(t.session.prompt(&placed).unwrap().ballot, vec![first, last]);
}
