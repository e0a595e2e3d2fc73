//! The matrix's rules: its settings, placing and moving, what it refuses (changing nothing),
//! merged items, the numbers, which events touch its results, and its snapshot shape.

use serde_json::json;

use crate::session::testkit::*;
use crate::session::*;

fn axis(label: &str, low: &str, high: &str) -> Axis {
    Axis {
        label: label.into(),
        low: low.into(),
        high: high.into(),
    }
}

fn matrix(source: &PromptId) -> Activity {
    Activity::Matrix(Matrix {
        source: source.clone(),
        x: Box::new(axis("Vaikutus", "pieni", "suuri")),
        y: Box::new(axis("Toteutettavuus", "vaikea", "helppo")),
    })
}

fn place(who: ParticipantId, prompt: &PromptId, item: ItemId, x: u8, y: u8) -> Command {
    Command::Place {
        participant: who,
        prompt_id: prompt.clone(),
        item_id: item,
        x,
        y,
    }
}

fn unplace(who: ParticipantId, prompt: &PromptId, item: ItemId) -> Command {
    Command::Unplace {
        participant: who,
        prompt_id: prompt.clone(),
        item_id: item,
    }
}

/// Ideas "A", "B", "C" from one participant and an open matrix on them.
fn workshop() -> (TestSession, PromptId, PromptId, [ItemId; 3]) {
    let mut t = TestSession::new();
    let author = pid();
    let ideas = t.add_open(Activity::default());
    let items = ["A", "B", "C"].map(|text| t.submit(author, &ideas, text));
    let m = t.add_open(matrix(&ideas));
    (t, ideas, m, items)
}

fn items(t: &TestSession, m: &PromptId) -> (usize, Vec<Placed>) {
    match t.session.results(t.session.prompt(m).unwrap()) {
        Results::Matrix {
            participants,
            items,
        } => (participants, items),
        other => panic!("{other:?}"),
    }
}

#[test]
fn settings_read_flattened_and_validate() {
    let wire = json!({"kind":"matrix","source":"p2",
        "x":{"label":" Vaikutus ","low":"pieni","high":"suuri"},
        "y":{"label":"Toteutettavuus"}});
    let a: Activity = serde_json::from_value(wire).unwrap();
    let Activity::Matrix(m) = a.validate().unwrap() else {
        panic!("not a matrix")
    };
    assert_eq!(*m.x, axis("Vaikutus", "pieni", "suuri"));
    assert_eq!(*m.y, axis("Toteutettavuus", "", ""));
    assert_eq!(a.kind(), "matrix");
    assert!(a.has_ballot() && !a.takes_items());

    let source = PromptId("p1".into());
    for (x, y) in [
        (axis("", "a", "b"), axis("Y", "", "")),
        (axis(&"x".repeat(61), "", ""), axis("Y", "", "")),
        (axis("X", &"x".repeat(41), ""), axis("Y", "", "")),
        (axis("X", "", ""), axis("Y", "", &"y".repeat(41))),
    ] {
        let bad = Activity::Matrix(Matrix {
            source: source.clone(),
            x: Box::new(x),
            y: Box::new(y),
        });
        assert!(matches!(bad.validate(), Err(Rejection::InvalidPrompt(_))));
    }
}

#[test]
fn the_source_must_be_an_earlier_item_prompt_and_per_group_is_refused() {
    let mut t = TestSession::new();
    let poll_id = t.add(poll(2, false, false));
    let ideas = t.add(Activity::default());
    let refused = |t: &mut TestSession, draft: PromptDraft| t.refuse(Command::AddPrompt { draft });
    let d = |activity| PromptDraft {
        activity,
        ..draft("Q")
    };
    assert!(matches!(
        refused(&mut t, d(matrix(&poll_id))),
        Rejection::InvalidPrompt(_)
    ));
    assert!(matches!(
        refused(&mut t, d(matrix(&PromptId("p99".into())))),
        Rejection::InvalidPrompt(_)
    ));
    let mut grouped = d(matrix(&ideas));
    grouped.per_group = true;
    assert!(matches!(
        refused(&mut t, grouped),
        Rejection::InvalidPrompt(_)
    ));
    // Opening with nothing to place is refused, as a dot vote's empty ballot.
    let m = t.add(matrix(&ideas));
    assert_eq!(
        t.refuse(Command::OpenPrompt { prompt_id: m }),
        Rejection::EmptyBallot
    );
}

#[test]
fn placing_moving_and_unplacing() {
    let (mut t, _, m, [a, b, _]) = workshop();
    let who = pid();
    let applied = t.apply(place(who, &m, a, 4, 2));
    assert!(matches!(applied.events[0].event, Event::AnswersChanged(ref p) if *p == m));
    t.apply(place(who, &m, b, 1, 5));
    // Placing at the same spot again changes nothing; elsewhere moves it.
    assert!(t.apply(place(who, &m, a, 4, 2)).events.is_empty());
    t.apply(place(who, &m, a, 5, 5));
    let mine = t.session.answers(&m).unwrap().places_of(&who).unwrap();
    assert_eq!(mine.get(&a), Some(&[5, 5]));
    assert_eq!(mine.get(&b), Some(&[1, 5]));

    t.apply(unplace(who, &m, a));
    // Taking back what is not placed changes nothing.
    assert!(t.apply(unplace(who, &m, a)).events.is_empty());
    t.apply(unplace(who, &m, b));
    assert!(t.session.answers(&m).unwrap().is_empty());
    assert_eq!(items(&t, &m).0, 0);
}

#[test]
fn refusals_change_nothing() {
    let (mut t, ideas, m, [a, _, _]) = workshop();
    let who = pid();
    t.apply(place(who, &m, a, 3, 3));
    for (x, y) in [(0, 3), (6, 3), (3, 0), (3, 6)] {
        assert_eq!(t.refuse(place(who, &m, a, x, y)), Rejection::InvalidChoice);
    }
    // An item that is not on the ballot.
    assert_eq!(
        t.refuse(place(who, &m, iid(), 2, 2)),
        Rejection::NotOnBallot
    );
    assert_eq!(t.refuse(unplace(who, &m, iid())), Rejection::NotOnBallot);
    // Not a prompt.
    let nowhere = PromptId("p99".into());
    assert_eq!(
        t.refuse(place(who, &nowhere, a, 2, 2)),
        Rejection::PromptNotFound
    );
    // Locked, then closed.
    t.apply(Command::LockPrompt {
        prompt_id: m.clone(),
        locked: true,
    });
    assert_eq!(t.refuse(place(who, &m, a, 2, 2)), Rejection::PromptLocked);
    t.apply(Command::ClosePrompt {
        prompt_id: m.clone(),
    });
    assert_eq!(t.refuse(place(who, &m, a, 2, 2)), Rejection::PromptClosed);
    assert_eq!(t.refuse(unplace(who, &m, a)), Rejection::PromptClosed);
    // A draft is not open.
    let draft = t.add(matrix(&ideas));
    assert_eq!(
        t.refuse(place(who, &draft, a, 2, 2)),
        Rejection::PromptNotOpen
    );
    // An open prompt of another kind.
    t.apply(Command::OpenPrompt {
        prompt_id: ideas.clone(),
    });
    assert_eq!(
        t.refuse(place(who, &ideas, a, 2, 2)),
        Rejection::WrongActivity
    );
    assert_eq!(t.refuse(unplace(who, &ideas, a)), Rejection::WrongActivity);
}

#[test]
fn results_are_means_and_population_spreads_in_ballot_order() {
    let (mut t, _, m, [a, b, c]) = workshop();
    let (p, q, r) = (pid(), pid(), pid());
    t.apply(place(p, &m, a, 1, 5));
    t.apply(place(q, &m, a, 3, 5));
    t.apply(place(r, &m, a, 5, 2));
    t.apply(place(p, &m, c, 4, 4));
    let (participants, placed) = items(&t, &m);
    assert_eq!(participants, 3);
    let ids: Vec<ItemId> = placed.iter().map(|i| i.item_id).collect();
    assert_eq!(ids, [a, b, c]);
    let first = &placed[0];
    assert_eq!((first.text.as_str(), first.n), ("A", 3));
    assert_eq!(first.x, Some(3.0));
    assert_eq!(first.y, Some(4.0));
    // Population sd: sqrt(((1-3)² + 0 + (5-3)²) / 3) and sqrt((1 + 1 + 4) / 3).
    assert!((first.sx.unwrap() - (8.0f64 / 3.0).sqrt()).abs() < 1e-12);
    assert!((first.sy.unwrap() - 2.0f64.sqrt()).abs() < 1e-12);
    assert_eq!(
        (placed[1].n, placed[1].x, placed[1].sx),
        (0, None, None),
        "nobody placed B"
    );
    assert_eq!((placed[2].x, placed[2].sy), (Some(4.0), Some(0.0)));
    let wire = serde_json::to_value(t.session.results(t.session.prompt(&m).unwrap())).unwrap();
    assert_eq!(wire["kind"], "matrix");
    assert_eq!(wire["participants"], 3);
    assert_eq!(
        wire["items"][1],
        json!({"item_id": b, "text": "B", "n": 0,
        "x": null, "y": null, "sx": null, "sy": null})
    );
}

#[test]
fn merged_items_count_for_their_root_once_per_participant() {
    let (mut t, _, m, [a, b, c]) = workshop();
    let (p, q) = (pid(), pid());
    t.apply(place(p, &m, a, 1, 1));
    t.apply(place(p, &m, b, 3, 3));
    t.apply(place(q, &m, b, 5, 5));
    t.apply(Command::MergeItems {
        into: a,
        items: vec![b],
    });
    let (_, placed) = items(&t, &m);
    // B is gone from the results; p counts once at the mean of their two placements.
    assert_eq!(placed.iter().map(|i| i.item_id).collect::<Vec<_>>(), [a, c]);
    assert_eq!(
        (placed[0].n, placed[0].x, placed[0].y),
        (2, Some(3.5), Some(3.5))
    );
    // A merged item cannot be placed any more, but can be taken off.
    assert_eq!(t.refuse(place(q, &m, b, 2, 2)), Rejection::NotOnBallot);
    t.apply(unplace(q, &m, b));
    let (_, placed) = items(&t, &m);
    assert_eq!((placed[0].n, placed[0].x), (1, Some(2.0)));
    // Unmerged, it is its own again.
    t.apply(Command::UnmergeItem { item_id: b });
    let (_, placed) = items(&t, &m);
    assert_eq!(placed.len(), 3);
    assert_eq!((placed[1].n, placed[1].x), (1, Some(3.0)));
}

#[test]
fn item_events_on_the_source_touch_the_matrix_results() {
    let (t, _, m, [a, _, _]) = workshop();
    let idea = t.session.item(&a).unwrap().clone();
    for event in [
        Event::ItemUpdated(idea.clone()),
        Event::ItemHidden(idea.clone()),
        Event::ItemAdded(idea),
    ] {
        let touched: Vec<&PromptId> = t.session.results_touched(&event).collect();
        assert_eq!(touched, [&m]);
    }
    let placed = Event::AnswersChanged(m.clone());
    assert_eq!(t.session.results_touched(&placed).collect::<Vec<_>>(), [&m]);
}

#[test]
fn placements_survive_the_snapshot_shape() {
    let (mut t, _, m, [a, b, _]) = workshop();
    let who = pid();
    t.apply(place(who, &m, a, 2, 4));
    t.apply(place(who, &m, b, 5, 1));
    let stored = serde_json::to_value(&t.session).unwrap();
    assert_eq!(
        stored["answers"][&m.0],
        json!({"places": {who.0.to_string(): {a.to_string(): [2, 4], b.to_string(): [5, 1]}}})
    );
    let back: Session = serde_json::from_value(stored).unwrap();
    assert_eq!(back, t.session);
}
