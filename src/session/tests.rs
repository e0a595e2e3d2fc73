//! Unit tests of the state machine: each command, each rejection, and that a rejection
//! changes nothing.

use uuid::Uuid;

use super::*;

const T0: Millis = 1_700_000_000_000;

fn session() -> Session {
    Session::new(SessionMeta {
        slug: SessionName::parse("hyvinsivi").unwrap(),
        title: "HYVINSIVI".into(),
        language: Language::Fi,
        created_at: T0,
        key_hash: "00".into(),
    })
}

fn draft(title: &str) -> PromptDraft {
    PromptDraft {
        kind: PromptKind::Brainstorm,
        title: title.into(),
        instructions: "Kirjatkaa yksi taho kerrallaan ja painakaa Lähetä.".into(),
        time_limit_secs: Some(120),
    }
}

fn add(s: &mut Session, title: &str) -> PromptId {
    let applied = s
        .apply(
            &Command::AddPrompt {
                draft: draft(title),
            },
            T0,
        )
        .unwrap();
    match &applied.events[0].event {
        Event::PromptAdded(p) => p.id.clone(),
        other => panic!("unexpected {other:?}"),
    }
}

fn open(s: &mut Session, id: &PromptId) -> Applied {
    s.apply(
        &Command::OpenPrompt {
            prompt_id: id.clone(),
        },
        T0 + 1,
    )
    .unwrap()
}

fn submit(
    s: &mut Session,
    who: ParticipantId,
    item: ItemId,
    prompt: &PromptId,
    text: &str,
) -> Result<Applied, Rejection> {
    s.apply(
        &Command::Submit {
            participant: who,
            item_id: item,
            prompt_id: prompt.clone(),
            text: text.into(),
        },
        T0 + 2,
    )
}

fn pid() -> ParticipantId {
    ParticipantId(Uuid::new_v4())
}

fn iid() -> ItemId {
    ItemId(Uuid::new_v4())
}

/// Applies a command that must be refused, and checks the session did not change.
fn refused(s: &mut Session, command: Command) -> Rejection {
    let before = s.clone();
    let rejection = s.apply(&command, T0 + 5).unwrap_err();
    assert_eq!(*s, before, "a rejected {command:?} changed the session");
    rejection
}

#[test]
fn add_prompt_makes_a_draft_with_sequential_ids() {
    let mut s = session();
    let a = add(&mut s, "Mitä toimijoita tulisi olla verkostossa mukana?");
    let b = add(&mut s, "Toinen");
    assert_eq!(a.0, "p1");
    assert_eq!(b.0, "p2");
    assert_eq!(s.prompts()[0].state, PromptState::Draft);
    assert_eq!(s.prompts()[0].time_limit_secs, Some(120));
    assert_eq!(s.seq(), 2);
    assert!(s.current_prompt().is_none());
}

#[test]
fn invalid_drafts_are_refused() {
    let mut s = session();
    for bad in [
        draft("   "),
        draft(&"x".repeat(501)),
        PromptDraft {
            instructions: "x".repeat(2001),
            ..draft("ok")
        },
        PromptDraft {
            time_limit_secs: Some(5),
            ..draft("ok")
        },
        PromptDraft {
            time_limit_secs: Some(3 * 3600 + 1),
            ..draft("ok")
        },
    ] {
        let r = refused(&mut s, Command::AddPrompt { draft: bad });
        assert_eq!(r.code(), "invalid_prompt");
    }
}

#[test]
fn update_prompt_changes_content_in_any_state() {
    let mut s = session();
    let p = add(&mut s, "Typo");
    open(&mut s, &p);
    let applied = s
        .apply(
            &Command::UpdatePrompt {
                prompt_id: p.clone(),
                draft: draft("Fixed"),
            },
            T0,
        )
        .unwrap();
    assert!(
        matches!(&applied.events[0].event, Event::PromptUpdated(p) if p.title == "Fixed" && p.state == PromptState::Open)
    );
    let r = refused(
        &mut s,
        Command::UpdatePrompt {
            prompt_id: PromptId("p9".into()),
            draft: draft("x"),
        },
    );
    assert_eq!(r, Rejection::PromptNotFound);
}

#[test]
fn delete_prompt_only_for_drafts() {
    let mut s = session();
    let a = add(&mut s, "A");
    let b = add(&mut s, "B");
    open(&mut s, &b);
    let r = refused(
        &mut s,
        Command::DeletePrompt {
            prompt_id: b.clone(),
        },
    );
    assert_eq!(r, Rejection::PromptNotDraft);
    let applied = s
        .apply(
            &Command::DeletePrompt {
                prompt_id: a.clone(),
            },
            T0,
        )
        .unwrap();
    assert_eq!(applied.events[0].event, Event::PromptDeleted(a.clone()));
    assert_eq!(s.prompts().len(), 1);
    // Ids are never reused, so a stale client cannot hit the wrong prompt.
    assert_eq!(add(&mut s, "C").0, "p3");
}

#[test]
fn open_shows_one_prompt_at_a_time() {
    let mut s = session();
    let a = add(&mut s, "A");
    let b = add(&mut s, "B");
    let applied = open(&mut s, &a);
    assert_eq!(applied.events.len(), 1);
    assert_eq!(s.current_prompt().unwrap().id, a);
    let applied = open(&mut s, &b);
    assert_eq!(applied.events.len(), 2);
    assert!(matches!(&applied.events[0].event, Event::PromptClosed(p) if p.id == a));
    assert!(
        matches!(&applied.events[1].event, Event::PromptOpened(p) if p.id == b && p.opened_at == Some(T0 + 1))
    );
    assert_eq!(applied.events[0].seq + 1, applied.events[1].seq);
    assert_eq!(s.prompt(&a).unwrap().state, PromptState::Closed);
    assert_eq!(s.current_prompt().unwrap().id, b);
    let r = refused(
        &mut s,
        Command::OpenPrompt {
            prompt_id: b.clone(),
        },
    );
    assert_eq!(r, Rejection::PromptAlreadyOpen);
    let r = refused(
        &mut s,
        Command::OpenPrompt {
            prompt_id: PromptId("nope".into()),
        },
    );
    assert_eq!(r, Rejection::PromptNotFound);
    // A closed prompt can be opened again ("two more minutes").
    open(&mut s, &a);
    assert_eq!(s.prompt(&a).unwrap().state, PromptState::Open);
}

#[test]
fn close_prompt() {
    let mut s = session();
    let a = add(&mut s, "A");
    let r = refused(
        &mut s,
        Command::ClosePrompt {
            prompt_id: a.clone(),
        },
    );
    assert_eq!(r, Rejection::PromptNotOpen);
    open(&mut s, &a);
    let applied = s
        .apply(
            &Command::ClosePrompt {
                prompt_id: a.clone(),
            },
            T0 + 9,
        )
        .unwrap();
    assert!(
        matches!(&applied.events[0].event, Event::PromptClosed(p) if p.closed_at == Some(T0 + 9))
    );
    // Phones keep showing the closed prompt until the next one opens.
    assert_eq!(s.current_prompt().unwrap().state, PromptState::Closed);
    let r = refused(&mut s, Command::ClosePrompt { prompt_id: a });
    assert_eq!(r, Rejection::PromptClosed);
}

#[test]
fn submit_stores_the_cleaned_item_and_stamps_it() {
    let mut s = session();
    let p = add(&mut s, "A");
    open(&mut s, &p);
    let who = pid();
    let id = iid();
    let applied = submit(&mut s, who, id, &p, "  Äänekoski – yhdyspinnat ✓ \n").unwrap();
    let Event::ItemAdded(item) = &applied.events[0].event else {
        panic!("expected item_added")
    };
    assert_eq!(item.text, "Äänekoski – yhdyspinnat ✓");
    assert_eq!(item.seq, applied.ack_seq);
    assert_eq!(item.seq, s.seq());
    assert_eq!(s.items_of(&who).count(), 1);
    assert_eq!(s.item(&id).unwrap().created_at, T0 + 2);
}

#[test]
fn a_resent_item_is_stored_once_and_acked_with_its_first_seq() {
    let mut s = session();
    let p = add(&mut s, "A");
    open(&mut s, &p);
    let who = pid();
    let id = iid();
    let first = submit(&mut s, who, id, &p, "yksi").unwrap();
    submit(&mut s, pid(), iid(), &p, "toinen").unwrap();
    let again = submit(&mut s, who, id, &p, "yksi").unwrap();
    assert!(again.events.is_empty());
    assert_eq!(again.ack_seq, first.ack_seq);
    assert_eq!(s.items().len(), 2);
    // Even after the prompt closed, a resend of something already stored is acknowledged.
    s.apply(
        &Command::ClosePrompt {
            prompt_id: p.clone(),
        },
        T0,
    )
    .unwrap();
    assert_eq!(
        submit(&mut s, who, id, &p, "yksi").unwrap().ack_seq,
        first.ack_seq
    );
    // Someone else reusing the id is refused.
    let r = refused(
        &mut s,
        Command::Submit {
            participant: pid(),
            item_id: id,
            prompt_id: p,
            text: "x".into(),
        },
    );
    assert_eq!(r, Rejection::ItemIdConflict);
}

#[test]
fn submit_rejections() {
    let mut s = session();
    let draft_only = add(&mut s, "draft");
    let p = add(&mut s, "A");
    open(&mut s, &p);
    let who = pid();
    let cmd = |prompt: &PromptId, text: &str| Command::Submit {
        participant: who,
        item_id: iid(),
        prompt_id: prompt.clone(),
        text: text.into(),
    };
    assert_eq!(refused(&mut s, cmd(&p, " \n ")), Rejection::TextEmpty);
    assert_eq!(
        refused(&mut s, cmd(&p, &"ö".repeat(281))),
        Rejection::TextTooLong { max: 280 }
    );
    assert_eq!(
        refused(&mut s, cmd(&PromptId("p99".into()), "x")),
        Rejection::PromptNotFound
    );
    assert_eq!(
        refused(&mut s, cmd(&draft_only, "x")),
        Rejection::PromptNotOpen
    );
    s.apply(
        &Command::ClosePrompt {
            prompt_id: p.clone(),
        },
        T0,
    )
    .unwrap();
    assert_eq!(refused(&mut s, cmd(&p, "x")), Rejection::PromptClosed);
}

#[test]
fn hide_and_unhide() {
    let mut s = session();
    let p = add(&mut s, "A");
    open(&mut s, &p);
    let id = iid();
    submit(&mut s, pid(), id, &p, "spam").unwrap();
    let applied = s.apply(&Command::HideItem { item_id: id }, T0).unwrap();
    assert!(matches!(&applied.events[0].event, Event::ItemHidden(i) if i.hidden));
    assert!(s.item(&id).unwrap().hidden);
    // Hiding twice is harmless and says nothing new.
    let again = s.apply(&Command::HideItem { item_id: id }, T0).unwrap();
    assert!(again.events.is_empty());
    let applied = s.apply(&Command::UnhideItem { item_id: id }, T0).unwrap();
    assert!(matches!(&applied.events[0].event, Event::ItemUnhidden(i) if !i.hidden));
    let r = refused(&mut s, Command::HideItem { item_id: iid() });
    assert_eq!(r, Rejection::ItemNotFound);
}

#[test]
fn seq_is_gap_free_and_survives_a_serde_round_trip() {
    let mut s = session();
    let p = add(&mut s, "A");
    open(&mut s, &p);
    let who = pid();
    let mut last = s.seq();
    for n in 0..10 {
        let applied = submit(&mut s, who, iid(), &p, &format!("item {n}")).unwrap();
        assert_eq!(applied.events[0].seq, last + 1);
        last = applied.ack_seq;
    }
    let json = serde_json::to_string(&s).unwrap();
    let mut back: Session = serde_json::from_str(&json).unwrap();
    back.reindex();
    assert_eq!(back, s);
    assert_eq!(back.items_of(&who).count(), 10);
}

#[test]
fn replaying_the_same_commands_rebuilds_the_same_session() {
    let who = pid();
    let id = iid();
    let commands = [
        Command::AddPrompt { draft: draft("A") },
        Command::OpenPrompt {
            prompt_id: PromptId("p1".into()),
        },
        Command::Submit {
            participant: who,
            item_id: id,
            prompt_id: PromptId("p1".into()),
            text: "x".into(),
        },
        Command::HideItem { item_id: id },
        Command::ClosePrompt {
            prompt_id: PromptId("p1".into()),
        },
    ];
    let mut a = session();
    let mut b = session();
    for (n, c) in commands.iter().enumerate() {
        a.apply(c, T0 + n as u64).unwrap();
    }
    // The journal holds commands as JSON: replay from that form.
    for (n, c) in commands.iter().enumerate() {
        let json = serde_json::to_string(c).unwrap();
        let back: Command = serde_json::from_str(&json).unwrap();
        b.apply(&back, T0 + n as u64).unwrap();
    }
    assert_eq!(a, b);
}
