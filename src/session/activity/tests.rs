//! The activity seam: the wire and snapshot shapes stay as they were, ballots are one
//! concept, and the core says which results an event changes.

use serde_json::json;

use crate::session::testkit::*;
use crate::session::*;

#[test]
fn a_prompt_still_reads_and_writes_its_kind_flattened() {
    let wire = json!({
        "kind": "poll", "options": ["Kyllä", "Ei"], "multiple": true, "may_change": false,
        "title": "Q", "instructions": "", "time_limit_secs": null, "auto_close": false,
        "per_group": false, "premoderation": false, "wall": false, "show_results": "live",
        "reset_column": false
    });
    let draft: PromptDraft = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(
        draft.activity,
        Activity::Poll(Poll {
            options: vec!["Kyllä".into(), "Ei".into()],
            multiple: true,
            may_change: false,
        })
    );
    assert_eq!(serde_json::to_value(&draft).unwrap(), wire);
    // Defaults still fill what older clients left out.
    let cloud: Activity = serde_json::from_value(json!({"kind": "word_cloud"})).unwrap();
    assert_eq!(cloud, Activity::WordCloud(WordCloud { max_answers: 3 }));
    let plain: Activity = serde_json::from_value(json!({"kind": "brainstorm"})).unwrap();
    assert_eq!(plain, Activity::default());
}

#[test]
fn answers_keep_the_snapshot_shape_and_an_emptied_set_round_trips() {
    let mut t = TestSession::new();
    let (a, b) = (pid(), pid());
    let ideas = t.add_open(Activity::default());
    let idea = t.submit(a, &ideas, "Ohjaamo");
    let question = t.add_open(poll(3, true, true));
    t.vote(a, &question, &[2, 0]);
    t.vote(b, &question, &[1]);
    let withdrawn = t.add_open(poll(2, false, true));
    t.vote(a, &withdrawn, &[1]);
    t.apply(Command::WithdrawVote {
        participant: a,
        prompt_id: withdrawn.clone(),
    });
    t.advance(1000);
    let rated = t.add_open(scale(2, 5));
    t.apply(Command::Rate {
        participant: b,
        prompt_id: rated.clone(),
        statement: 1,
        value: 4,
    });
    let vote = t.add_open(dot_vote(&ideas, 3, 2));
    t.place_dot(a, &vote, idea);
    t.place_dot(a, &vote, idea);

    let snapshot = to_stored(&t.session);
    let now = t.now;
    let voted = T0;
    let (a, b) = (a.0.to_string(), b.0.to_string());
    let idea = idea.0.to_string();
    let mut poll_answers = serde_json::Map::new();
    poll_answers.insert(a.clone(), json!([0, 2]));
    poll_answers.insert(b.clone(), json!([1]));
    let mut poll_at = serde_json::Map::new();
    poll_at.insert(a.clone(), json!(voted));
    poll_at.insert(b.clone(), json!(voted));
    let expected = json!({
        question.0.clone(): {"poll": poll_answers, "poll_at": poll_at},
        withdrawn.0.clone(): {},
        rated.0.clone(): {"scale": {b.clone(): [0, 4]}},
        vote.0.clone(): {"dots": {a.clone(): {idea: 2}}},
    });
    assert_eq!(snapshot["answers"], expected);

    let stored = to_stored(&t.session);
    let mut back = from_stored(stored.clone());
    back.reindex();
    assert_eq!(back, t.session);
    assert_eq!(to_stored(&back).to_string(), stored.to_string());
    // The emptied set read back (kind unknown) still takes the poll's next answer.
    let reopen = Command::OpenPrompt {
        prompt_id: withdrawn.clone(),
    };
    back.apply(&reopen, now).unwrap();
    back.apply(
        &Command::Vote {
            participant: ParticipantId(uuid::Uuid::new_v4()),
            prompt_id: withdrawn.clone(),
            options: vec![0],
        },
        now,
    )
    .unwrap();
    assert_eq!(
        back.results(back.prompt(&withdrawn).unwrap()),
        Results::Poll {
            voters: 1,
            counts: vec![1, 0]
        }
    );
}

#[test]
fn a_ballot_is_named_by_its_source() {
    let mut t = TestSession::new();
    let ideas = t.add(Activity::default());
    let vote = dot_vote(&ideas, 3, 1);
    assert_eq!(vote.ballot_source(), Some(&ideas));
    assert!(vote.has_ballot() && vote.votes_on(&ideas));
    assert!(!vote.takes_items());
    for kind in [Activity::default(), poll(2, false, false), scale(1, 5)] {
        assert_eq!(kind.ballot_source(), None, "{}", kind.kind());
    }
    let mut template = vote.clone();
    *template.ballot_source_mut().unwrap() = PromptId("@0".into());
    assert!(template.votes_on(&PromptId("@0".into())));
}

fn touched(t: &TestSession, event: &Event) -> Vec<PromptId> {
    t.session.results_touched(event).cloned().collect()
}

#[test]
fn the_core_says_which_results_an_event_changes() {
    let mut t = TestSession::new();
    let who = pid();
    let ideas = t.add_open(Activity::default());
    let item = t.submit(who, &ideas, "Ohjaamo");
    let cloud = t.add_open(Activity::WordCloud(WordCloud { max_answers: 3 }));
    let word = t.submit(who, &cloud, "Luottamus");
    let vote = t.add(dot_vote(&ideas, 3, 1));
    let other_vote = t.add(dot_vote(&ideas, 2, 1));
    let unrelated = t.add(Activity::default());
    // A ballot that has not opened takes no dots.
    let early = Command::PlaceDot {
        participant: who,
        prompt_id: vote.clone(),
        item_id: item,
    };
    assert_eq!(t.refuse(early), Rejection::PromptNotOpen);

    // An item of a brainstorm changes the ballots drawn on it, not its own counts.
    let idea = t.session.item(&item).unwrap().clone();
    for event in [
        Event::ItemAdded(idea.clone()),
        Event::ItemHidden(idea.clone()),
        Event::ItemUnhidden(idea.clone()),
        Event::ItemUpdated(idea.clone()),
        Event::ItemLiked(idea.clone()),
    ] {
        assert_eq!(touched(&t, &event), [vote.clone(), other_vote.clone()]);
    }
    // A word cloud counts its own items.
    let word = t.session.item(&word).unwrap().clone();
    assert_eq!(
        touched(&t, &Event::ItemAdded(word)),
        std::slice::from_ref(&cloud)
    );
    // A prompt's own life and answers change its results.
    let prompt = t.session.prompt(&unrelated).unwrap().clone();
    for event in [
        Event::PromptOpened(prompt.clone()),
        Event::PromptUpdated(prompt.clone()),
        Event::PromptClosed(prompt.clone()),
    ] {
        assert_eq!(touched(&t, &event), std::slice::from_ref(&unrelated));
    }
    assert_eq!(
        touched(&t, &Event::AnswersChanged(vote.clone())),
        std::slice::from_ref(&vote)
    );
    // The rest changes no results.
    for event in [
        Event::PromptAdded(prompt),
        Event::PromptDeleted(unrelated.clone()),
        Event::AgendaReordered(vec![ideas.clone()]),
        Event::GroupsChanged(Vec::new()),
        Event::ParticipantGrouped(who, None),
        Event::ScreenChanged(ScreenView::Join),
    ] {
        assert!(touched(&t, &event).is_empty(), "{event:?}");
    }
}

#[test]
fn only_a_brainstorm_leaves_its_results_to_the_clients() {
    let source = PromptId("p1".into());
    let kinds = [
        Activity::default(),
        poll(2, false, false),
        scale(1, 5),
        Activity::WordCloud(WordCloud { max_answers: 3 }),
        dot_vote(&source, 3, 1),
    ];
    let sent: Vec<_> = kinds
        .iter()
        .map(|a| (a.kind(), a.sends_results()))
        .collect();
    assert_eq!(
        sent,
        [
            ("brainstorm", false),
            ("poll", true),
            ("scale", true),
            ("word_cloud", true),
            ("dot_vote", true)
        ]
    );
}
