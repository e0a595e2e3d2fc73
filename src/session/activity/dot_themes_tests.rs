//! A dot vote on a brainstorm's themes: the ballot frozen from the themes at open, dots on
//! theme ids, results and ballot entries naming the themes (renames included), the draft
//! rule, and the JSON shape of `vote_on`.

use serde_json::json;
use uuid::Uuid;

use crate::session::testkit::*;
use crate::session::*;

fn theme(n: u128) -> ThemeId {
    ThemeId(Uuid::from_u128(0xd07_0000 + n))
}

fn on_themes(source: &PromptId, dots: u32, max_per_item: u32) -> Activity {
    Activity::DotVote(DotVote {
        source: source.clone(),
        dots,
        max_per_item,
        vote_on: VoteOn::Themes,
    })
}

fn add_theme(t: &mut TestSession, prompt: &PromptId, id: ThemeId, name: &str, items: &[ItemId]) {
    t.apply(Command::AddTheme {
        prompt: prompt.clone(),
        theme: id,
        name: name.into(),
        items: items.to_vec(),
    });
}

/// A brainstorm sorted into three themes (the third empty), then closed.
fn sorted() -> (TestSession, PromptId) {
    let mut t = TestSession::new();
    let ideas = t.add_open(Activity::default());
    let a = t.submit(person(1), &ideas, "Nuorten ääni");
    let b = t.submit(person(2), &ideas, "Digituki");
    let c = t.submit(person(3), &ideas, "Nuoret mukaan");
    add_theme(&mut t, &ideas, theme(1), "Nuoret", &[a, c]);
    add_theme(&mut t, &ideas, theme(2), "Digi", &[b]);
    add_theme(&mut t, &ideas, theme(3), "Rahoitus", &[]);
    (t, ideas)
}

fn dot(prompt: &PromptId, who: ParticipantId, on: ThemeId) -> Command {
    Command::PlaceDot {
        participant: who,
        prompt_id: prompt.clone(),
        item_id: ItemId(on.0),
    }
}

fn ranking(t: &TestSession, vote: &PromptId) -> (usize, Vec<(String, u32)>) {
    match t.session.results(t.session.prompt(vote).unwrap()) {
        Results::DotVote { voters, ranking } => (
            voters,
            ranking.into_iter().map(|r| (r.text, r.dots)).collect(),
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_ballot_is_the_themes_frozen_at_open_in_the_facilitators_order() {
    let (mut t, ideas) = sorted();
    let vote = t.add_open(on_themes(&ideas, 3, 2));
    let prompt = t.session.prompt(&vote).unwrap().clone();
    let ids: Vec<ItemId> = [1, 2, 3].map(|n| ItemId(theme(n).0)).to_vec();
    assert_eq!(prompt.ballot, ids);
    let entries: Vec<(ItemId, &str)> = t.session.ballot_entries(&prompt);
    assert_eq!(
        entries,
        vec![(ids[0], "Nuoret"), (ids[1], "Digi"), (ids[2], "Rahoitus")]
    );
    // A theme made after the vote opened is not on its ballot.
    add_theme(&mut t, &ideas, theme(4), "Myöhässä", &[]);
    assert_eq!(t.session.prompt(&vote).unwrap().ballot.len(), 3);
    assert!(t.session.theme_on_ballot(&ideas, &theme(1)));
    assert!(!t.session.theme_on_ballot(&ideas, &theme(4)));
}

#[test]
fn dots_go_on_themes_and_results_name_them() {
    let (mut t, ideas) = sorted();
    let vote = t.add_open(on_themes(&ideas, 3, 2));
    t.apply(dot(&vote, person(1), theme(1)));
    t.apply(dot(&vote, person(1), theme(1)));
    t.apply(dot(&vote, person(1), theme(3)));
    t.apply(dot(&vote, person(2), theme(3)));
    // The per-item limit and the budget hold for themes as for items.
    assert_eq!(
        t.refuse(dot(&vote, person(1), theme(1))),
        Rejection::DotBudgetExceeded
    );
    assert_eq!(
        t.refuse(dot(&vote, person(2), theme(4))),
        Rejection::NotOnBallot
    );
    // An item id is not on a ballot of themes.
    let item = t.session.visible_items(&ideas).next().unwrap().id;
    assert_eq!(
        t.refuse(Command::PlaceDot {
            participant: person(2),
            prompt_id: vote.clone(),
            item_id: item,
        }),
        Rejection::NotOnBallot
    );
    assert_eq!(
        ranking(&t, &vote),
        (
            2,
            vec![
                ("Nuoret".into(), 2),
                ("Rahoitus".into(), 2),
                ("Digi".into(), 0)
            ]
        )
    );
    // A rename shows in the results at once; the dots stay.
    t.apply(Command::RenameTheme {
        prompt: ideas.clone(),
        theme: theme(3),
        name: "Rahoitus ja resurssit".into(),
    });
    assert_eq!(ranking(&t, &vote).1[1], ("Rahoitus ja resurssit".into(), 2));
    // Taking a dot back works on theme ids too.
    t.apply(Command::RemoveDot {
        participant: person(2),
        prompt_id: vote.clone(),
        item_id: ItemId(theme(3).0),
    });
    assert_eq!(ranking(&t, &vote).1[0], ("Nuoret".into(), 2));
}

#[test]
fn a_vote_on_themes_needs_a_brainstorm_with_themes() {
    let mut t = TestSession::new();
    let cloud = t.add(Activity::WordCloud(WordCloud::default()));
    let refused = t.refuse(Command::AddPrompt {
        draft: PromptDraft {
            activity: on_themes(&cloud, 3, 1),
            ..draft("Mikä tärkein?")
        },
    });
    assert_eq!(refused.code(), "invalid_prompt");
    // A brainstorm without themes has an empty ballot: it cannot open.
    let ideas = t.add_open(Activity::default());
    t.submit(person(1), &ideas, "Idea");
    let vote = t.add(on_themes(&ideas, 3, 1));
    assert_eq!(
        t.refuse(Command::OpenPrompt { prompt_id: vote }),
        Rejection::EmptyBallot
    );
}

#[test]
fn vote_on_is_omitted_for_items_and_read_as_items_when_absent() {
    let ideas = PromptId("p1".into());
    let items = dot_vote(&ideas, 3, 1);
    let v = serde_json::to_value(&items).unwrap();
    assert!(v.get("vote_on").is_none(), "{v}");
    let themes = serde_json::to_value(on_themes(&ideas, 3, 1)).unwrap();
    assert_eq!(themes["vote_on"], json!("themes"));
    let old: Activity =
        serde_json::from_value(json!({"kind":"dot_vote","source":"p1","dots":3,"max_per_item":1}))
            .unwrap();
    assert_eq!(old, items);
    let bad = serde_json::from_value::<Activity>(
        json!({"kind":"dot_vote","source":"p1","dots":3,"max_per_item":1,"vote_on":"ballot"}),
    );
    assert!(bad.is_err());
}
