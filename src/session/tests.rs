//! Unit tests of the state machine: each command, each rejection, and that a rejection
//! changes nothing.

use super::testkit::*;
use super::*;

#[test]
fn add_prompt_makes_a_draft_with_sequential_ids() {
    let mut s = session();
    let a = add(&mut s, "Mitä toimijoita tulisi olla verkostossa mukana?");
    let b = add(&mut s, "Toinen");
    assert_eq!(a.0, "p1");
    assert_eq!(b.0, "p2");
    assert_eq!(s.prompts()[0].state, PromptState::Draft);
    assert_eq!(s.prompts()[0].draft.time_limit_secs, Some(120));
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
        matches!(&applied.events[0].event, Event::PromptUpdated(p) if p.draft.title == "Fixed" && p.state == PromptState::Open)
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
            column: None,
            name: None,
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
        column: None,
        name: None,
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
    let mut back = from_stored(to_stored(&s));
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
            column: None,
            name: None,
        },
        Command::HideItem { item_id: id },
        Command::ClosePrompt {
            prompt_id: PromptId("p1".into()),
        },
        Command::AddPrompt { draft: draft("B") },
        Command::OpenPrompt {
            prompt_id: PromptId("p2".into()),
        },
        Command::ShowOnScreen {
            view: ScreenView::Prompt {
                prompt_id: PromptId("p1".into()),
            },
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
    assert_eq!(
        b.screen(),
        &ScreenView::Prompt {
            prompt_id: PromptId("p1".into())
        }
    );
}

// ---- Workshop activities -------------------------------------------------------------

#[test]
fn columns_take_one_valid_column_per_item() {
    let mut s = session();
    let p = add_kind(
        &mut s,
        Activity::Brainstorm(Brainstorm {
            columns: vec!["Toimii nyt".into(), "Ei toimi, mutta pitäisi".into()],
        }),
        |_| {},
    );
    open(&mut s, &p);
    let who = pid();
    let id = item_in(&mut s, who, &p, "Ohjaamo", Some(1)).unwrap();
    assert_eq!(s.item(&id).unwrap().column, Some(1));
    for column in [None, Some(2)] {
        let r = refused(
            &mut s,
            Command::Submit {
                participant: who,
                item_id: iid(),
                prompt_id: p.clone(),
                text: "x".into(),
                column,
                name: None,
            },
        );
        assert_eq!(r, Rejection::InvalidColumn);
    }
    let plain = add_kind(&mut s, Activity::default(), |_| {});
    open(&mut s, &plain);
    let r = refused(
        &mut s,
        Command::Submit {
            participant: who,
            item_id: iid(),
            prompt_id: plain,
            text: "x".into(),
            column: Some(0),
            name: None,
        },
    );
    assert_eq!(r, Rejection::InvalidColumn);
    let seven = PromptDraft {
        activity: Activity::Brainstorm(Brainstorm {
            columns: (0..7).map(|i| i.to_string()).collect(),
        }),
        ..draft("x")
    };
    assert_eq!(
        refused(&mut s, Command::AddPrompt { draft: seven }).code(),
        "invalid_prompt"
    );
    match s.results(s.prompt(&p).unwrap()) {
        Results::Brainstorm { columns, total, .. } => assert_eq!((columns, total), (vec![0, 1], 1)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn groups_are_chosen_recorded_and_required_per_group() {
    let mut s = session();
    s.apply(
        &Command::AddGroup {
            translations: Default::default(),
            name: "Digitaalisuus".into(),
            color: Some("#0a7cff".into()),
        },
        T0,
    )
    .unwrap();
    s.apply(
        &Command::AddGroup {
            translations: Default::default(),
            name: "Järjestöt ja yritykset".into(),
            color: None,
        },
        T0,
    )
    .unwrap();
    assert_eq!(s.groups().len(), 2);
    let g1 = GroupId("g1".into());
    assert_eq!(
        refused(
            &mut s,
            Command::AddGroup {
                translations: Default::default(),
                name: "x".into(),
                color: Some("blue".into())
            }
        )
        .code(),
        "invalid_group"
    );
    assert_eq!(
        refused(
            &mut s,
            Command::AddGroup {
                translations: Default::default(),
                name: " ".into(),
                color: None
            }
        )
        .code(),
        "invalid_group"
    );
    let p = add_kind(&mut s, Activity::default(), |d| d.per_group = true);
    open(&mut s, &p);
    let who = pid();
    assert_eq!(
        item_in(&mut s, who, &p, "x", None),
        Err(Rejection::GroupRequired)
    );
    assert_eq!(
        refused(
            &mut s,
            Command::ChooseGroup {
                participant: who,
                group_id: Some(GroupId("g9".into()))
            }
        ),
        Rejection::GroupNotFound
    );
    s.apply(
        &Command::ChooseGroup {
            participant: who,
            group_id: Some(g1.clone()),
        },
        T0,
    )
    .unwrap();
    assert_eq!(s.group_of(&who), Some(&g1));
    let id = item_in(&mut s, who, &p, "Tiedolla johtaminen", None).unwrap();
    assert_eq!(s.item(&id).unwrap().group, Some(g1.clone()));
    // The group keeps its items, so it cannot vanish under them.
    assert_eq!(
        refused(
            &mut s,
            Command::DeleteGroup {
                group_id: g1.clone()
            }
        ),
        Rejection::GroupInUse
    );
    s.apply(
        &Command::UpdateGroup {
            translations: Default::default(),
            group_id: g1.clone(),
            name: "Digi".into(),
            color: None,
        },
        T0,
    )
    .unwrap();
    assert_eq!(s.groups()[0].name, "Digi");
    s.apply(
        &Command::DeleteGroup {
            group_id: GroupId("g2".into()),
        },
        T0,
    )
    .unwrap();
    assert_eq!(s.groups().len(), 1);
    // Changing group is allowed; the next item records the new one.
    s.apply(
        &Command::ChooseGroup {
            participant: who,
            group_id: None,
        },
        T0,
    )
    .unwrap();
    assert_eq!(s.group_of(&who), None);
    assert_eq!(
        refused(
            &mut s,
            Command::UpdateGroup {
                translations: Default::default(),
                group_id: GroupId("g2".into()),
                name: "x".into(),
                color: None
            }
        ),
        Rejection::GroupNotFound
    );
}

#[test]
fn polls_single_multiple_and_changing_answers() {
    let mut s = session();
    let single = add_kind(&mut s, poll(7, false, false), |_| {});
    open(&mut s, &single);
    let (a, b) = (pid(), pid());
    let vote = |who, options: Vec<u8>| Command::Vote {
        participant: who,
        prompt_id: single.clone(),
        options,
    };
    s.apply(&vote(a, vec![2]), T0).unwrap();
    s.apply(&vote(b, vec![2]), T0).unwrap();
    for bad in [vec![], vec![7], vec![1, 2], vec![2, 2]] {
        assert_eq!(refused(&mut s, vote(pid(), bad)), Rejection::InvalidChoice);
    }
    // Past the grace window the answer is final.
    assert_eq!(
        refused_at(&mut s, vote(a, vec![3]), T0 + POLL_GRACE_MS),
        Rejection::AlreadyAnswered
    );
    // The same answer again is harmless.
    assert!(s.apply(&vote(a, vec![2]), T0).unwrap().events.is_empty());
    match s.results(s.prompt(&single).unwrap()) {
        Results::Poll { voters, counts } => {
            assert_eq!(voters, 2);
            assert_eq!(counts, vec![0, 0, 2, 0, 0, 0, 0]);
        }
        other => panic!("{other:?}"),
    }
    let multi = add_kind(&mut s, poll(3, true, true), |_| {});
    open(&mut s, &multi);
    let mvote = |options: Vec<u8>| Command::Vote {
        participant: a,
        prompt_id: multi.clone(),
        options,
    };
    s.apply(&mvote(vec![0, 2]), T0).unwrap();
    s.apply(&mvote(vec![1]), T0).unwrap();
    match s.results(s.prompt(&multi).unwrap()) {
        Results::Poll { counts, .. } => assert_eq!(counts, vec![0, 1, 0]),
        other => panic!("{other:?}"),
    }
    s.apply(
        &Command::ClosePrompt {
            prompt_id: multi.clone(),
        },
        T0,
    )
    .unwrap();
    assert_eq!(refused(&mut s, mvote(vec![0])), Rejection::PromptClosed);
    assert_eq!(
        refused(
            &mut s,
            Command::Vote {
                participant: a,
                prompt_id: single.clone(),
                options: vec![1]
            }
        ),
        Rejection::PromptClosed
    );
    assert_eq!(
        refused(
            &mut s,
            Command::AddPrompt {
                draft: PromptDraft {
                    activity: poll(1, false, false),
                    ..draft("x")
                }
            }
        )
        .code(),
        "invalid_prompt"
    );
    assert_eq!(
        refused(
            &mut s,
            Command::AddPrompt {
                draft: PromptDraft {
                    activity: poll(13, false, false),
                    ..draft("x")
                }
            }
        )
        .code(),
        "invalid_prompt"
    );
}

#[test]
fn scales_give_distribution_and_mean() {
    let mut s = session();
    let p = add_kind(
        &mut s,
        Activity::Scale(Scale {
            statements: vec!["Yhteistyö toimii".into(), "Tieto kulkee".into()],
            max: 5,
            min_label: "Huonosti".into(),
            max_label: "Hyvin".into(),
        }),
        |_| {},
    );
    open(&mut s, &p);
    let rate = |who, statement, value| Command::Rate {
        participant: who,
        prompt_id: p.clone(),
        statement,
        value,
    };
    let (a, b) = (pid(), pid());
    s.apply(&rate(a, 0, 2), T0).unwrap();
    s.apply(&rate(b, 0, 5), T0).unwrap();
    s.apply(&rate(b, 1, 4), T0).unwrap();
    s.apply(&rate(a, 0, 3), T0).unwrap(); // changed
    for (statement, value) in [(2, 3), (0, 0), (0, 6)] {
        assert_eq!(
            refused(&mut s, rate(a, statement, value)),
            Rejection::InvalidChoice
        );
    }
    match s.results(s.prompt(&p).unwrap()) {
        Results::Scale { statements } => {
            assert_eq!(statements[0].counts, vec![0, 0, 1, 0, 1]);
            assert_eq!(statements[0].n, 2);
            assert_eq!(statements[0].mean, Some(4.0));
            assert_eq!(statements[1].n, 1);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        refused(
            &mut s,
            Command::AddPrompt {
                draft: PromptDraft {
                    activity: Activity::Scale(Scale {
                        statements: vec!["x".into()],
                        max: 11,
                        min_label: String::new(),
                        max_label: String::new()
                    }),
                    ..draft("x")
                }
            }
        )
        .code(),
        "invalid_prompt"
    );
}

#[test]
fn word_cloud_limits_answers_and_normalises_words() {
    let mut s = session();
    let p = add_kind(
        &mut s,
        Activity::WordCloud(WordCloud { max_answers: 3 }),
        |_| {},
    );
    open(&mut s, &p);
    let (a, b) = (pid(), pid());
    for text in ["Yhteistyö", "luottamus", "Äänekoski"] {
        item_in(&mut s, a, &p, text, None).unwrap();
    }
    assert_eq!(
        item_in(&mut s, a, &p, "neljäs", None),
        Err(Rejection::AnswerLimit)
    );
    assert_eq!(
        item_in(&mut s, b, &p, &"x".repeat(41), None),
        Err(Rejection::TextTooLong { max: 40 })
    );
    item_in(&mut s, b, &p, "  yhteistyö ", None).unwrap();
    match s.results(s.prompt(&p).unwrap()) {
        Results::WordCloud {
            participants,
            words,
        } => {
            assert_eq!(participants, 2);
            assert_eq!(
                words[0],
                WordCount {
                    text: "yhteistyö".into(),
                    count: 2
                }
            );
            assert!(words.iter().any(|w| w.text == "äänekoski"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn dot_voting_budget_limits_take_back_and_frozen_ballot() {
    let mut s = session();
    let source = add_kind(&mut s, Activity::default(), |_| {});
    open(&mut s, &source);
    let author = pid();
    let ids: Vec<ItemId> = (0..4)
        .map(|n| item_in(&mut s, author, &source, &format!("Kysymys {n}"), None).unwrap())
        .collect();
    s.apply(&Command::HideItem { item_id: ids[3] }, T0).unwrap();
    let vote_on = |source: &PromptId| {
        Activity::DotVote(DotVote {
            source: source.clone(),
            dots: 3,
            max_per_item: 2,
            vote_on: VoteOn::Items,
        })
    };
    // The source must be an item prompt of this session.
    let poll_id = add_kind(&mut s, poll(2, false, false), |_| {});
    for bad in [PromptId("p99".into()), poll_id] {
        assert_eq!(
            refused(
                &mut s,
                Command::AddPrompt {
                    draft: PromptDraft {
                        activity: vote_on(&bad),
                        ..draft("x")
                    }
                }
            )
            .code(),
            "invalid_prompt"
        );
    }
    let vote = add_kind(&mut s, vote_on(&source), |_| {});
    // While the vote is a draft, its source cannot be deleted (it is not a draft anyway).
    open(&mut s, &vote);
    let ballot = s.prompt(&vote).unwrap().ballot.clone();
    assert_eq!(
        ballot,
        ids[..3].to_vec(),
        "hidden items are not on the ballot"
    );
    let who = pid();
    let place = |item| Command::PlaceDot {
        participant: who,
        prompt_id: vote.clone(),
        item_id: item,
    };
    s.apply(&place(ids[0]), T0).unwrap();
    s.apply(&place(ids[0]), T0).unwrap();
    assert_eq!(refused(&mut s, place(ids[0])), Rejection::ItemDotLimit);
    assert_eq!(refused(&mut s, place(ids[3])), Rejection::NotOnBallot);
    s.apply(&place(ids[1]), T0).unwrap();
    assert_eq!(refused(&mut s, place(ids[2])), Rejection::DotBudgetExceeded);
    // Take one back and spend it elsewhere.
    s.apply(
        &Command::RemoveDot {
            participant: who,
            prompt_id: vote.clone(),
            item_id: ids[0],
        },
        T0,
    )
    .unwrap();
    s.apply(&place(ids[2]), T0).unwrap();
    assert_eq!(
        refused(
            &mut s,
            Command::RemoveDot {
                participant: pid(),
                prompt_id: vote.clone(),
                item_id: ids[0]
            }
        ),
        Rejection::NoDotHere
    );
    match s.results(s.prompt(&vote).unwrap()) {
        Results::DotVote { voters, ranking } => {
            assert_eq!(voters, 1);
            let dots: Vec<u32> = ranking.iter().map(|r| r.dots).collect();
            assert_eq!(dots, vec![1, 1, 1]);
        }
        other => panic!("{other:?}"),
    }
    // Merging duplicates combines their dots.
    s.apply(
        &Command::MergeItems {
            into: ids[0],
            items: vec![ids[1]],
        },
        T0,
    )
    .unwrap();
    match s.results(s.prompt(&vote).unwrap()) {
        Results::DotVote { ranking, .. } => {
            assert_eq!(ranking.len(), 2);
            assert_eq!((ranking[0].item_id, ranking[0].dots), (ids[0], 2));
        }
        other => panic!("{other:?}"),
    }
    // ids[1] was merged away after the ballot froze: its dot can be taken back, not placed.
    let on_merged = |place: bool| {
        let (participant, prompt_id, item_id) = (who, vote.clone(), ids[1]);
        if place {
            Command::PlaceDot {
                participant,
                prompt_id,
                item_id,
            }
        } else {
            Command::RemoveDot {
                participant,
                prompt_id,
                item_id,
            }
        }
    };
    assert_eq!(refused(&mut s, on_merged(true)), Rejection::NotOnBallot);
    s.apply(&on_merged(false), T0).unwrap();
    s.apply(
        &Command::ClosePrompt {
            prompt_id: vote.clone(),
        },
        T0,
    )
    .unwrap();
    assert_eq!(
        refused(
            &mut s,
            Command::RemoveDot {
                participant: who,
                prompt_id: vote.clone(),
                item_id: ids[2]
            }
        ),
        Rejection::PromptClosed
    );
    // An empty source makes no ballot.
    let empty = add_kind(&mut s, Activity::default(), |_| {});
    let vote2 = add_kind(&mut s, vote_on(&empty), |_| {});
    assert_eq!(
        refused(&mut s, Command::OpenPrompt { prompt_id: vote2 }),
        Rejection::EmptyBallot
    );
    assert_eq!(
        refused(&mut s, Command::DeletePrompt { prompt_id: empty }),
        Rejection::PromptInUse
    );
}

#[test]
fn timers_close_auto_prompts_at_zero_and_take_added_time() {
    let mut s = session();
    let p = add_kind(&mut s, Activity::default(), |d| {
        d.time_limit_secs = Some(120);
        d.auto_close = true;
    });
    let manual = add_kind(&mut s, Activity::default(), |d| {
        d.time_limit_secs = Some(60)
    });
    s.apply(
        &Command::OpenPrompt {
            prompt_id: p.clone(),
        },
        T0,
    )
    .unwrap();
    assert_eq!(s.prompt(&p).unwrap().closes_at, Some(T0 + 120_000));
    assert_eq!(s.next_deadline(), Some(T0 + 120_000));
    assert!(s
        .apply(&Command::Tick, T0 + 119_999)
        .unwrap()
        .events
        .is_empty());
    s.apply(
        &Command::AddTime {
            prompt_id: p.clone(),
            secs: 30,
        },
        T0 + 100_000,
    )
    .unwrap();
    assert_eq!(s.next_deadline(), Some(T0 + 150_000));
    assert!(s
        .apply(&Command::Tick, T0 + 149_000)
        .unwrap()
        .events
        .is_empty());
    let closed = s.apply(&Command::Tick, T0 + 150_000).unwrap();
    assert!(matches!(&closed.events[0].event, Event::PromptClosed(q) if q.id == p));
    assert_eq!(s.next_deadline(), None);
    assert_eq!(
        refused(
            &mut s,
            Command::AddTime {
                prompt_id: p.clone(),
                secs: 30
            }
        ),
        Rejection::PromptNotOpen
    );
    // Without auto-close, zero only shows on the countdown.
    s.apply(
        &Command::OpenPrompt {
            prompt_id: manual.clone(),
        },
        T0,
    )
    .unwrap();
    assert!(s
        .apply(&Command::Tick, T0 + 10_000_000)
        .unwrap()
        .events
        .is_empty());
    assert_eq!(
        refused(
            &mut s,
            Command::AddTime {
                prompt_id: manual,
                secs: 0
            }
        ),
        Rejection::InvalidTime
    );
}

#[test]
fn agenda_reorder_duplicate_next_and_templates() {
    let mut s = session();
    let a = add(&mut s, "A");
    let b = add(&mut s, "B");
    let c = add(&mut s, "C");
    s.apply(
        &Command::MovePrompt {
            prompt_id: c.clone(),
            position: 0,
        },
        T0,
    )
    .unwrap();
    let order: Vec<&str> = s.prompts().iter().map(|p| p.id.0.as_str()).collect();
    assert_eq!(order, ["p3", "p1", "p2"]);
    let dup = s
        .apply(
            &Command::DuplicatePrompt {
                prompt_id: a.clone(),
            },
            T0,
        )
        .unwrap();
    assert!(matches!(&dup.events[1].event, Event::AgendaReordered(o) if o.len() == 4));
    let order: Vec<&str> = s.prompts().iter().map(|p| p.id.0.as_str()).collect();
    assert_eq!(order, ["p3", "p1", "p4", "p2"]);
    assert_eq!(s.prompt(&PromptId("p4".into())).unwrap().draft.title, "A");
    // Next opens the first draft, then the one after the current.
    s.apply(&Command::NextPrompt, T0).unwrap();
    assert_eq!(s.current_prompt().unwrap().id, c);
    s.apply(&Command::NextPrompt, T0).unwrap();
    assert_eq!(s.current_prompt().unwrap().id, a);
    s.apply(&Command::NextPrompt, T0).unwrap();
    s.apply(&Command::NextPrompt, T0).unwrap();
    assert_eq!(s.current_prompt().unwrap().id, b);
    assert_eq!(
        refused(&mut s, Command::NextPrompt),
        Rejection::NoNextPrompt
    );
    // An opened prompt keeps its activity (answers must keep their meaning).
    let r = refused(
        &mut s,
        Command::UpdatePrompt {
            prompt_id: b.clone(),
            draft: PromptDraft {
                activity: poll(2, false, false),
                ..draft("B")
            },
        },
    );
    assert_eq!(r, Rejection::PromptNotDraft);

    // A template with a dot vote on an earlier prompt imports into a new session.
    let mut t = session();
    let src = add(&mut t, "Kysymykset");
    add_kind(
        &mut t,
        Activity::DotVote(DotVote {
            source: src,
            dots: 3,
            max_per_item: 1,
            vote_on: VoteOn::Items,
        }),
        |_| {},
    );
    let template = t.agenda_template();
    assert_eq!(
        template[1].activity,
        Activity::DotVote(DotVote {
            source: PromptId("@0".into()),
            dots: 3,
            max_per_item: 1,
            vote_on: VoteOn::Items,
        })
    );
    let mut fresh = session();
    add(&mut fresh, "Alku");
    let imported = fresh
        .apply(
            &Command::ImportAgenda {
                prompts: template.clone(),
            },
            T0,
        )
        .unwrap();
    assert_eq!(imported.events.len(), 2);
    assert_eq!(
        fresh.prompts()[2].draft.activity,
        Activity::DotVote(DotVote {
            source: PromptId("p2".into()),
            dots: 3,
            max_per_item: 1,
            vote_on: VoteOn::Items,
        })
    );
    // A broken template changes nothing.
    let mut bad = template;
    bad[1].activity = Activity::DotVote(DotVote {
        source: PromptId("@5".into()),
        dots: 3,
        max_per_item: 1,
        vote_on: VoteOn::Items,
    });
    assert_eq!(
        refused(&mut fresh, Command::ImportAgenda { prompts: bad }).code(),
        "invalid_prompt"
    );
}

#[test]
fn moderation_edit_merge_star_premoderation_lock() {
    let mut s = session();
    let p = add_kind(&mut s, Activity::default(), |d| {
        d.premoderation = true;
        d.wall = true;
    });
    open(&mut s, &p);
    let (a, b) = (pid(), pid());
    let x = item_in(&mut s, a, &p, "Nuorisotoimi", None).unwrap();
    let y = item_in(&mut s, b, &p, "nuorisotoimi!", None).unwrap();
    assert!(!s.item(&x).unwrap().approved && !s.item(&x).unwrap().is_visible());
    assert_eq!(s.visible_items(&p).count(), 0);
    // Not visible yet: nobody can like it.
    assert_eq!(
        refused(
            &mut s,
            Command::Like {
                participant: b,
                item_id: x,
                liked: true
            }
        ),
        Rejection::ItemNotFound
    );
    s.apply(&Command::ApproveItem { item_id: x }, T0).unwrap();
    s.apply(&Command::ApproveItem { item_id: y }, T0).unwrap();
    assert_eq!(s.visible_items(&p).count(), 2);
    // Likes: others' items only, toggled.
    s.apply(
        &Command::Like {
            participant: b,
            item_id: x,
            liked: true,
        },
        T0,
    )
    .unwrap();
    assert_eq!(
        refused(
            &mut s,
            Command::Like {
                participant: a,
                item_id: x,
                liked: true
            }
        ),
        Rejection::OwnItem
    );
    s.apply(
        &Command::Like {
            participant: a,
            item_id: y,
            liked: true,
        },
        T0,
    )
    .unwrap();
    // Edit keeps the original.
    s.apply(
        &Command::EditItem {
            item_id: y,
            text: "Nuorisotoimi".into(),
        },
        T0 + 7,
    )
    .unwrap();
    let edited = s.item(&y).unwrap();
    assert_eq!(
        edited.history,
        vec![Revision {
            text: "nuorisotoimi!".into(),
            at: T0 + 7
        }]
    );
    // Merge: the duplicate stays, traceable; likes combine.
    assert_eq!(
        refused(
            &mut s,
            Command::MergeItems {
                into: x,
                items: vec![x]
            }
        ),
        Rejection::InvalidMerge
    );
    assert_eq!(
        refused(
            &mut s,
            Command::MergeItems {
                into: x,
                items: vec![]
            }
        ),
        Rejection::InvalidMerge
    );
    s.apply(
        &Command::MergeItems {
            into: x,
            items: vec![y],
        },
        T0,
    )
    .unwrap();
    assert_eq!(s.item(&y).unwrap().merged_into, Some(x));
    assert_eq!(s.visible_items(&p).count(), 1);
    assert_eq!(s.like_count(s.item(&x).unwrap()), 2);
    assert_eq!(s.merged_count(s.item(&x).unwrap()), 1);
    assert_eq!(
        refused(
            &mut s,
            Command::MergeItems {
                into: y,
                items: vec![x]
            }
        ),
        Rejection::InvalidMerge
    );
    s.apply(&Command::UnmergeItem { item_id: y }, T0).unwrap();
    assert_eq!(s.visible_items(&p).count(), 2);
    // The counts follow unmerging, and a reload rebuilds what they rest on.
    let x_item = s.item(&x).unwrap();
    assert_eq!(s.merged_count(x_item), 0);
    assert_eq!(s.like_count(x_item), x_item.likes.len());
    let merge = Command::MergeItems {
        into: x,
        items: vec![y],
    };
    s.apply(&merge, T0).unwrap();
    let mut reloaded = from_stored(to_stored(&s));
    reloaded.reindex();
    assert_eq!(reloaded.merged_count(reloaded.item(&x).unwrap()), 1);
    assert_eq!(reloaded.like_count(reloaded.item(&x).unwrap()), 2);
    s.apply(&Command::UnmergeItem { item_id: y }, T0).unwrap();
    // Star.
    s.apply(
        &Command::StarItem {
            item_id: x,
            starred: true,
        },
        T0,
    )
    .unwrap();
    assert!(s.item(&x).unwrap().starred);
    // Lock: read-only for participants, until unlocked.
    s.apply(
        &Command::LockPrompt {
            prompt_id: p.clone(),
            locked: true,
        },
        T0,
    )
    .unwrap();
    assert_eq!(
        item_in(&mut s, a, &p, "x", None),
        Err(Rejection::PromptLocked)
    );
    assert_eq!(
        refused(
            &mut s,
            Command::Like {
                participant: a,
                item_id: y,
                liked: false
            }
        ),
        Rejection::PromptLocked
    );
    s.apply(
        &Command::LockPrompt {
            prompt_id: p.clone(),
            locked: false,
        },
        T0,
    )
    .unwrap();
    item_in(&mut s, a, &p, "taas auki", None).unwrap();
}

#[test]
fn answers_of_the_wrong_kind_are_refused() {
    let mut s = session();
    let brainstorm = add(&mut s, "B");
    let p = add_kind(&mut s, poll(2, false, false), |_| {});
    open(&mut s, &p);
    assert_eq!(
        item_in(&mut s, pid(), &p, "x", None),
        Err(Rejection::WrongActivity)
    );
    open(&mut s, &brainstorm);
    assert_eq!(
        refused(
            &mut s,
            Command::Vote {
                participant: pid(),
                prompt_id: brainstorm.clone(),
                options: vec![0]
            }
        ),
        Rejection::WrongActivity
    );
    assert_eq!(
        refused(
            &mut s,
            Command::Rate {
                participant: pid(),
                prompt_id: brainstorm.clone(),
                statement: 0,
                value: 1
            }
        ),
        Rejection::WrongActivity
    );
    let id = item_in(&mut s, pid(), &brainstorm, "x", None).unwrap();
    assert_eq!(
        refused(
            &mut s,
            Command::PlaceDot {
                participant: pid(),
                prompt_id: brainstorm.clone(),
                item_id: id
            }
        ),
        Rejection::WrongActivity
    );
    assert_eq!(
        refused(
            &mut s,
            Command::Like {
                participant: pid(),
                item_id: id,
                liked: true
            }
        ),
        Rejection::WallOff
    );
}

// ---- What the projector shows ---------------------------------------------------------

fn show(s: &mut Session, view: ScreenView) -> Result<Applied, Rejection> {
    s.apply(&Command::ShowOnScreen { view }, T0 + 3)
}

fn on_screen(id: &PromptId) -> ScreenView {
    ScreenView::Prompt {
        prompt_id: id.clone(),
    }
}

#[test]
fn the_screen_follows_the_current_prompt_by_default() {
    let mut s = session();
    assert_eq!(s.screen(), &ScreenView::Follow);
    assert!(s.screen_prompt().is_none());
    let a = add(&mut s, "A");
    open(&mut s, &a);
    assert_eq!(s.screen_prompt().unwrap().id, a);
}

#[test]
fn the_join_page_goes_on_and_off_with_one_event_each() {
    let mut s = session();
    let a = add(&mut s, "A");
    open(&mut s, &a);
    let applied = show(&mut s, ScreenView::Join).unwrap();
    assert_eq!(applied.events.len(), 1);
    assert_eq!(
        applied.events[0].event,
        Event::ScreenChanged(ScreenView::Join)
    );
    assert_eq!(applied.ack_seq, s.seq());
    assert_eq!(s.screen(), &ScreenView::Join);
    // The current prompt stays on the stage beneath the join page.
    assert_eq!(s.screen_prompt().unwrap().id, a);
    // Phones are not affected.
    assert_eq!(s.current_prompt().unwrap().id, a);
    // Asking for what is already shown changes nothing and is acked with the current seq.
    let seq = s.seq();
    let again = show(&mut s, ScreenView::Join).unwrap();
    assert!(again.events.is_empty());
    assert_eq!((again.ack_seq, s.seq()), (seq, seq));
    let back = show(&mut s, ScreenView::Follow).unwrap();
    assert_eq!(
        back.events[0].event,
        Event::ScreenChanged(ScreenView::Follow)
    );
    assert!(show(&mut s, ScreenView::Follow).unwrap().events.is_empty());
    // The join page is there before any prompt was opened, too.
    let mut fresh = session();
    show(&mut fresh, ScreenView::Join).unwrap();
    assert_eq!(fresh.screen(), &ScreenView::Join);
    assert!(fresh.screen_prompt().is_none());
}

#[test]
fn an_earlier_closed_prompt_goes_back_on_screen_while_phones_keep_the_current_one() {
    let mut s = session();
    let a = add(&mut s, "Aamun kysely");
    let b = add(&mut s, "Keskustelu");
    open(&mut s, &a);
    open(&mut s, &b);
    assert_eq!(s.prompt(&a).unwrap().state, PromptState::Closed);
    let applied = show(&mut s, on_screen(&a)).unwrap();
    assert_eq!(applied.events.len(), 1);
    assert_eq!(applied.events[0].event, Event::ScreenChanged(on_screen(&a)));
    assert_eq!(s.screen_prompt().unwrap().id, a);
    assert_eq!(s.current_prompt().unwrap().id, b);
    assert!(show(&mut s, on_screen(&a)).unwrap().events.is_empty());
    // Closing the current prompt leaves the projector where it is.
    s.apply(
        &Command::ClosePrompt {
            prompt_id: b.clone(),
        },
        T0 + 4,
    )
    .unwrap();
    assert_eq!(s.screen(), &on_screen(&a));
    // The open prompt may be shown too; from the join page, say.
    show(&mut s, ScreenView::Join).unwrap();
    open(&mut s, &b);
    show(&mut s, on_screen(&a)).unwrap();
    assert_eq!(s.screen_prompt().unwrap().id, a);
}

#[test]
fn showing_the_current_prompt_is_following_it() {
    let mut s = session();
    let a = add(&mut s, "A");
    open(&mut s, &a);
    show(&mut s, ScreenView::Join).unwrap();
    let applied = show(&mut s, on_screen(&a)).unwrap();
    assert_eq!(
        applied.events[0].event,
        Event::ScreenChanged(ScreenView::Follow)
    );
    assert_eq!(s.screen(), &ScreenView::Follow);
    // Already following: nothing to change.
    assert!(show(&mut s, on_screen(&a)).unwrap().events.is_empty());
}

#[test]
fn opening_a_prompt_puts_the_screen_back_to_following() {
    let mut s = session();
    let a = add(&mut s, "A");
    let b = add(&mut s, "B");
    let c = add(&mut s, "C");
    open(&mut s, &a);
    open(&mut s, &b);
    show(&mut s, on_screen(&a)).unwrap();
    // Next: the open prompt closes, the next opens, and the projector follows it.
    let applied = s.apply(&Command::NextPrompt, T0 + 6).unwrap();
    let events: Vec<&Event> = applied.events.iter().map(|e| &e.event).collect();
    assert!(matches!(events[0], Event::PromptClosed(p) if p.id == b));
    assert!(matches!(events[1], Event::PromptOpened(p) if p.id == c));
    assert_eq!(events[2], &Event::ScreenChanged(ScreenView::Follow));
    assert_eq!(events.len(), 3);
    assert_eq!(applied.ack_seq, applied.events[2].seq);
    assert_eq!(s.screen_prompt().unwrap().id, c);
    // From the join page as well, and when reopening the prompt that was on screen.
    show(&mut s, ScreenView::Join).unwrap();
    let applied = open(&mut s, &a);
    assert_eq!(
        applied.events.last().unwrap().event,
        Event::ScreenChanged(ScreenView::Follow)
    );
    show(&mut s, on_screen(&c)).unwrap();
    open(&mut s, &c);
    assert_eq!(s.screen(), &ScreenView::Follow);
    // Already following: opening adds no screen event.
    let d = add(&mut s, "D");
    let applied = open(&mut s, &d);
    assert!(!applied
        .events
        .iter()
        .any(|e| matches!(e.event, Event::ScreenChanged(_))));
}

#[test]
fn drafts_and_unknown_prompts_cannot_be_shown() {
    let mut s = session();
    let a = add(&mut s, "A");
    let draft_prompt = add(&mut s, "Luonnos");
    open(&mut s, &a);
    show(&mut s, ScreenView::Join).unwrap();
    let r = refused(
        &mut s,
        Command::ShowOnScreen {
            view: on_screen(&draft_prompt),
        },
    );
    assert_eq!(r, Rejection::DraftNotShowable);
    assert_eq!(r.code(), "draft_not_showable");
    let r = refused(
        &mut s,
        Command::ShowOnScreen {
            view: on_screen(&PromptId("p99".into())),
        },
    );
    assert_eq!(r, Rejection::PromptNotFound);
    assert_eq!(s.screen(), &ScreenView::Join);
}

#[test]
fn the_prompt_on_screen_cannot_be_deleted_so_the_view_never_dangles() {
    // Only drafts are deleted and drafts are never shown: a view naming a prompt always
    // finds it.
    let mut s = session();
    let a = add(&mut s, "A");
    let b = add(&mut s, "B");
    open(&mut s, &a);
    open(&mut s, &b);
    show(&mut s, on_screen(&a)).unwrap();
    let r = refused(
        &mut s,
        Command::DeletePrompt {
            prompt_id: a.clone(),
        },
    );
    assert_eq!(r, Rejection::PromptNotDraft);
    assert_eq!(s.screen_prompt().unwrap().id, a);
}

#[test]
fn the_view_is_in_snapshots_and_old_snapshots_follow() {
    let mut s = session();
    let a = add(&mut s, "A");
    let b = add(&mut s, "B");
    open(&mut s, &a);
    open(&mut s, &b);
    show(&mut s, on_screen(&a)).unwrap();
    let json = to_stored(&s);
    assert_eq!(
        json["screen"],
        serde_json::json!({"kind":"prompt","prompt_id":"p1"})
    );
    let mut back = from_stored(json.clone());
    back.reindex();
    assert_eq!(back, s);
    // A snapshot written before the projector's view existed.
    let mut old = json;
    old.as_object_mut().unwrap().remove("screen");
    let old = from_stored(old);
    assert_eq!(old.screen(), &ScreenView::Follow);
    assert_eq!(old.screen_prompt().unwrap().id, b);
}

#[test]
fn the_show_on_screen_command_reads_its_documented_json() {
    let cases = [
        (
            r#"{"type":"show_on_screen","view":{"kind":"follow"}}"#,
            ScreenView::Follow,
        ),
        (
            r#"{"type":"show_on_screen","view":{"kind":"join"}}"#,
            ScreenView::Join,
        ),
        (
            r#"{"type":"show_on_screen","view":{"kind":"prompt","prompt_id":"p3"}}"#,
            on_screen(&PromptId("p3".into())),
        ),
    ];
    for (json, view) in cases {
        let command: Command = serde_json::from_str(json).unwrap();
        assert_eq!(command, Command::ShowOnScreen { view });
        assert_eq!(
            serde_json::to_value(&command).unwrap(),
            serde_json::from_str::<serde_json::Value>(json).unwrap()
        );
    }
    for bad in [
        r#"{"type":"show_on_screen"}"#,
        r#"{"type":"show_on_screen","view":{"kind":"prompt"}}"#,
        r#"{"type":"show_on_screen","view":{"kind":"everything"}}"#,
        r#"{"type":"show_on_screen","view":"join"}"#,
    ] {
        assert!(serde_json::from_str::<Command>(bad).is_err(), "{bad}");
    }
}

/// The voters of a poll and its counts per option.
fn poll_counts(s: &Session, id: &PromptId) -> (usize, Vec<usize>) {
    match s.results(s.prompt(id).unwrap()) {
        Results::Poll { voters, counts } => (voters, counts),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_final_poll_answer_can_be_changed_or_withdrawn_for_a_few_seconds() {
    let mut s = session();
    let poll_id = add_kind(&mut s, poll(3, false, false), |_| {});
    open(&mut s, &poll_id);
    let a = pid();
    let vote = |options: Vec<u8>| Command::Vote {
        participant: a,
        prompt_id: poll_id.clone(),
        options,
    };
    let withdraw = Command::WithdrawVote {
        participant: a,
        prompt_id: poll_id.clone(),
    };
    let at = T0 + 1000;
    s.apply(&vote(vec![0]), at).unwrap();
    let p = s.prompt(&poll_id).unwrap().clone();
    assert_eq!(s.poll_grace_until(&p, &a), Some(at + POLL_GRACE_MS));

    // A mistap fixed within the window: the new answer counts, and its own window starts.
    let changed = s.apply(&vote(vec![2]), at + POLL_GRACE_MS - 1).unwrap();
    assert_eq!(changed.events.len(), 1);
    assert_eq!(poll_counts(&s, &poll_id), (1, vec![0, 0, 1]));
    let at = at + POLL_GRACE_MS - 1;
    assert_eq!(s.poll_grace_until(&p, &a), Some(at + POLL_GRACE_MS));

    // Withdrawn within the window: no answer, no voter; a resend of it changes nothing.
    s.apply(&withdraw, at + POLL_GRACE_MS - 1).unwrap();
    assert_eq!(poll_counts(&s, &poll_id), (0, vec![0, 0, 0]));
    assert_eq!(s.poll_grace_until(&p, &a), None);
    let again = s.apply(&withdraw, at + POLL_GRACE_MS * 5).unwrap();
    assert!(again.events.is_empty());

    // A vote after a withdrawal is a new vote; once its window is over, it is final: neither
    // changed nor withdrawn, and the refusal changes nothing.
    let at = T0 + 60_000;
    s.apply(&vote(vec![1]), at).unwrap();
    assert_eq!(
        refused_at(&mut s, vote(vec![0]), at + POLL_GRACE_MS),
        Rejection::AlreadyAnswered
    );
    assert_eq!(
        refused_at(&mut s, withdraw.clone(), at + POLL_GRACE_MS),
        Rejection::AlreadyAnswered
    );
    assert_eq!(poll_counts(&s, &poll_id), (1, vec![0, 1, 0]));
    // The same answer again is still harmless after the window.
    assert!(s
        .apply(&vote(vec![1]), at + POLL_GRACE_MS * 2)
        .unwrap()
        .events
        .is_empty());

    // Replaying the same commands at the same times rebuilds the same state.
    let mut replay = session();
    let poll_again = add_kind(&mut replay, poll(3, false, false), |_| {});
    open(&mut replay, &poll_again);
    assert_eq!(poll_again, poll_id);
    for (command, now) in [
        (vote(vec![0]), T0 + 1000),
        (vote(vec![2]), T0 + 1000 + POLL_GRACE_MS - 1),
        (withdraw.clone(), T0 + 1000 + 2 * POLL_GRACE_MS - 2),
        (vote(vec![1]), T0 + 60_000),
    ] {
        replay.apply(&command, now).unwrap();
    }
    assert_eq!(replay.answers(&poll_id), s.answers(&poll_id));
}

#[test]
fn a_changeable_poll_answer_can_be_withdrawn_any_time_while_open() {
    let mut s = session();
    let poll_id = add_kind(&mut s, poll(3, true, true), |_| {});
    open(&mut s, &poll_id);
    let a = pid();
    s.apply(
        &Command::Vote {
            participant: a,
            prompt_id: poll_id.clone(),
            options: vec![0, 1],
        },
        T0,
    )
    .unwrap();
    // No grace window to show: the answer may change as long as the poll is open.
    assert_eq!(s.poll_grace_until(s.prompt(&poll_id).unwrap(), &a), None);
    let withdraw = Command::WithdrawVote {
        participant: a,
        prompt_id: poll_id.clone(),
    };
    s.apply(&withdraw, T0 + 3_600_000).unwrap();
    assert_eq!(poll_counts(&s, &poll_id), (0, vec![0, 0, 0]));
    // Only while the poll is open, and only on polls.
    s.apply(
        &Command::Vote {
            participant: a,
            prompt_id: poll_id.clone(),
            options: vec![2],
        },
        T0,
    )
    .unwrap();
    s.apply(
        &Command::LockPrompt {
            prompt_id: poll_id.clone(),
            locked: true,
        },
        T0,
    )
    .unwrap();
    assert_eq!(refused(&mut s, withdraw.clone()), Rejection::PromptLocked);
    s.apply(
        &Command::ClosePrompt {
            prompt_id: poll_id.clone(),
        },
        T0,
    )
    .unwrap();
    assert_eq!(refused(&mut s, withdraw), Rejection::PromptClosed);
    let ideas = add(&mut s, "Ideoita");
    open(&mut s, &ideas);
    assert_eq!(
        refused(
            &mut s,
            Command::WithdrawVote {
                participant: a,
                prompt_id: ideas,
            }
        ),
        Rejection::WrongActivity
    );
}

#[test]
fn reset_column_is_kept_only_for_brainstorms_with_columns() {
    let with = |activity: Activity| PromptDraft {
        activity,
        reset_column: true,
        ..draft("Toimijat")
    };
    let columns = Activity::Brainstorm(Brainstorm {
        columns: vec!["Kunta".into(), "Järjestöt".into()],
    });
    assert!(validate_draft(&with(columns)).unwrap().reset_column);
    assert!(
        !validate_draft(&with(Activity::default()))
            .unwrap()
            .reset_column
    );
    assert!(
        !validate_draft(&with(poll(2, false, false)))
            .unwrap()
            .reset_column
    );
    // Absent from older snapshots and clients: off.
    let old: PromptDraft =
        serde_json::from_str(r#"{"kind":"brainstorm","title":"T","columns":["A","B"]}"#).unwrap();
    assert!(!old.reset_column);
}
