//! Rehearsal: the mark, and a reset that keeps exactly what the facilitator prepared.

use super::testkit::{self, person, TestSession};
use super::*;

/// A rehearsed session: a brainstorm with items, likes and a theme, a poll with votes, a dot
/// vote on the brainstorm, groups with members, notes, and the projector on an old prompt.
fn rehearsed() -> (TestSession, PromptId, PromptId) {
    let mut t = TestSession::new();
    t.apply(Command::AddGroup {
        name: "Pohjois-Savo".into(),
        color: None,
        translations: Default::default(),
    });
    t.apply(Command::SetRehearsal { on: true });
    let ideas = t.add_open(Activity::Brainstorm(Brainstorm::default()));
    t.apply(Command::SetNotes {
        prompt: ideas.clone(),
        notes: "Kysy nuorista.".into(),
    });
    t.apply(Command::ChooseGroup {
        participant: person(1),
        group_id: Some(GroupId("g1".into())),
    });
    t.submit(person(1), &ideas, "kanaria 7f3a");
    t.submit(person(2), &ideas, "toinen");
    let erased = t.submit(person(2), &ideas, "poistettu");
    t.apply(Command::EraseItem { item_id: erased });
    let poll = t.add_open(testkit::poll(3, false, false));
    t.vote(person(3), &poll, &[1]);
    (t, ideas, poll)
}

#[test]
fn the_mark_is_set_and_cleared_and_says_so_once() {
    let mut t = TestSession::new();
    let on = t.apply(Command::SetRehearsal { on: true });
    assert_eq!(on.events.len(), 1);
    assert!(matches!(on.events[0].event, Event::RehearsalChanged(true)));
    assert!(t.session.rehearsal().on);
    assert!(t
        .apply(Command::SetRehearsal { on: true })
        .events
        .is_empty());
    t.apply(Command::SetRehearsal { on: false });
    assert!(!t.session.rehearsal().on);
}

#[test]
fn a_live_session_cannot_be_reset() {
    let (mut t, _, _) = rehearsed();
    t.apply(Command::SetRehearsal { on: false });
    assert_eq!(t.refuse(Command::ResetRehearsal), Rejection::NotRehearsing);
    assert_eq!(Rejection::NotRehearsing.code(), "not_rehearsing");
}

#[test]
fn a_reset_removes_every_answer_and_participant_and_keeps_the_agenda() {
    let (mut t, ideas, poll) = rehearsed();
    let before = t.session.clone();
    let seq = t.session.seq();
    let applied = t.apply(Command::ResetRehearsal);
    assert_eq!(applied.events.len(), 1);
    assert!(matches!(applied.events[0].event, Event::SessionReset));
    assert_eq!(applied.events[0].seq, seq + 1, "seqs go on, gap-free");
    let s = &t.session;
    assert_eq!(s.rehearsal().last_reset, Some(seq + 1));
    assert!(s.rehearsal().on, "still a rehearsal: it can be tried again");
    assert!(s.items().is_empty());
    assert!(s.tombstones().is_empty(), "not even what was erased");
    assert!(s.participants().is_empty());
    assert_eq!(s.members().count(), 0);
    assert!(s.current_prompt().is_none());
    assert_eq!(s.screen(), &ScreenView::Follow);
    // The agenda: the same prompts, drafts again, with the same content and notes.
    assert_eq!(s.prompts().len(), before.prompts().len());
    for (now, was) in s.prompts().iter().zip(before.prompts()) {
        assert_eq!(now.id, was.id);
        assert_eq!(now.draft, was.draft);
        assert_eq!(now.state, PromptState::Draft);
        assert_eq!(now.opened_at, None);
        assert_eq!(now.closed_at, None);
        assert_eq!(now.created_at, was.created_at);
    }
    assert_eq!(s.groups(), before.groups());
    assert_eq!(s.notes(&ideas), before.notes(&ideas));
    assert_eq!(s.meta, before.meta);
    // It runs again from the start: open, answer, as on the day.
    t.apply(Command::OpenPrompt {
        prompt_id: poll.clone(),
    });
    t.vote(person(3), &poll, &[2]);
    t.apply(Command::OpenPrompt {
        prompt_id: ideas.clone(),
    });
    t.submit(person(1), &ideas, "uusi");
    assert_eq!(t.session.items().len(), 1);
}

#[test]
fn a_reset_survives_the_snapshot_format() {
    let (mut t, _, _) = rehearsed();
    t.apply(Command::ResetRehearsal);
    let back = testkit::from_stored(testkit::to_stored(&t.session));
    assert_eq!(back, t.session);
    assert_eq!(back.rehearsal(), t.session.rehearsal());
    // A session that never rehearsed writes nothing of it.
    let plain = TestSession::new();
    assert!(testkit::to_stored(&plain.session)
        .get("rehearsal")
        .is_none());
}
