//! The wire format pinned with JSON literals: decoding client frames, and what the welcome and
//! event frames show each role.

use super::*;
use crate::session::testkit::session_titled;
use crate::session::{Command, Event, ParticipantId, PromptId, ScreenView, Session, Stamped};
use serde_json::json;
use uuid::Uuid;

#[test]
fn frames_decode_from_the_documented_json() {
    let hello = ClientMessage::decode(
        r#"{"type":"hello","role":"participant","participant_id":"6f1c1f0e-8a4b-4d57-9a56-1a1e7c9e2b10","last_seq":0}"#,
    )
    .unwrap();
    assert!(matches!(
        hello,
        ClientMessage::Hello(Hello {
            role: Role::Participant,
            participant_id: Some(_),
            ..
        })
    ));
    let submit = ClientMessage::decode(
        r#"{"type":"submit","id":"0b7e4a52-3f0c-4c7e-9d8a-2f5b8c1d9e01","prompt_id":"p1","text":"Ohjaamo","column":1}"#,
    )
    .unwrap();
    assert!(matches!(
        submit,
        ClientMessage::Participant { id: Some(ref id), action: ParticipantAction::Submit { column: Some(1), .. } }
            if id == "0b7e4a52-3f0c-4c7e-9d8a-2f5b8c1d9e01"
    ));
    let add = ClientMessage::decode(
        r#"{"type":"add_prompt","id":"r1","prompt":{"kind":"poll","title":"Sektori?","options":["Kunta","Maakunta"]}}"#,
    )
    .unwrap();
    assert!(matches!(
        add,
        ClientMessage::Facilitator {
            action: FacilitatorAction::AddPrompt { .. },
            ..
        }
    ));
    let next = ClientMessage::decode(r#"{"type":"next_prompt","id":"r2"}"#).unwrap();
    assert!(matches!(
        next,
        ClientMessage::Facilitator {
            action: FacilitatorAction::NextPrompt,
            ..
        }
    ));
}

#[test]
fn decode_errors_are_told_apart() {
    assert_eq!(
        ClientMessage::decode("{nope").unwrap_err().code,
        "invalid_json"
    );
    assert_eq!(
        ClientMessage::decode("[1,2]").unwrap_err().code,
        "invalid_json"
    );
    assert_eq!(
        ClientMessage::decode(r#"[{"type":"ping"}]"#)
            .unwrap_err()
            .code,
        "invalid_json"
    );
    // A `type` that is not a string is an unknown type, and the id still comes back.
    for (frame, id) in [
        (r#"{"type":5,"id":3}"#, Some("3")),
        (r#"{"type":null,"id":"a"}"#, Some("a")),
        (r#"{"type":["ping"],"id":"b"}"#, Some("b")),
        (r#"{"type":{"x":1},"id":1.5}"#, None),
    ] {
        let e = ClientMessage::decode(frame).unwrap_err();
        assert_eq!((e.code, e.id.as_deref()), ("unknown_type", id), "{frame}");
    }
    let e = ClientMessage::decode(r#"{"type":"fly","id":"r1"}"#).unwrap_err();
    assert_eq!((e.code, e.id.as_deref()), ("unknown_type", Some("r1")));
    assert_eq!(
        ClientMessage::decode(r#"{"x":1}"#).unwrap_err().code,
        "unknown_type"
    );
    // Internal commands are not on the wire.
    assert_eq!(
        ClientMessage::decode(r#"{"type":"tick"}"#)
            .unwrap_err()
            .code,
        "unknown_type"
    );
    let e =
        ClientMessage::decode(r#"{"type":"submit","id":"not-a-uuid","prompt_id":"p1","text":"x"}"#)
            .unwrap_err();
    assert_eq!(e.code, "invalid_message");
    let e =
        ClientMessage::decode(r#"{"type":"vote","prompt_id":"p1","options":[300]}"#).unwrap_err();
    assert_eq!(e.code, "invalid_message");
}

#[test]
fn show_on_screen_is_a_staff_command() {
    let shown = ClientMessage::decode(
        r#"{"type":"show_on_screen","id":"r9","view":{"kind":"prompt","prompt_id":"p1"}}"#,
    )
    .unwrap();
    assert!(matches!(
        shown,
        ClientMessage::Facilitator {
            action: FacilitatorAction::ShowOnScreen {
                view: ScreenView::Prompt { ref prompt_id }
            },
            ..
        } if prompt_id.0 == "p1"
    ));
    // A malformed one is still the facilitator's: a phone gets `forbidden` for it.
    let e =
        ClientMessage::decode(r#"{"type":"show_on_screen","view":{"kind":"all"}}"#).unwrap_err();
    assert_eq!(
        (e.code, e.for_role),
        ("invalid_message", Some(Role::Facilitator))
    );
}

#[test]
fn a_phone_is_told_how_long_its_poll_answer_may_still_change() {
    use crate::session::POLL_GRACE_MS;
    let mut s = session_titled("Kysely", 1);
    let who = ParticipantId(Uuid::nil());
    for c in [
        json!({"type":"add_prompt","prompt":{"kind":"poll","title":"Sektori?","options":["Kunta","Järjestö"]}}),
        json!({"type":"open_prompt","prompt_id":"p1"}),
        json!({"type":"vote","participant":who,"prompt_id":"p1","options":[1]}),
    ] {
        s.apply(&serde_json::from_value(c).unwrap(), 1000).unwrap();
    }
    let mine = |now| {
        let w: serde_json::Value =
            serde_json::from_str(&welcome(&s, Role::Participant, Some(&who), 1, now)).unwrap();
        w["mine"].clone()
    };
    assert_eq!(mine(1500)["poll"], json!([1]));
    assert_eq!(mine(1500)["poll_until"], json!(1000 + POLL_GRACE_MS));
    // Once the window is over, the phone is not offered a change.
    assert!(mine(1000 + POLL_GRACE_MS).get("poll_until").is_none());

    let taken_back =
        ClientMessage::decode(r#"{"type":"withdraw_vote","id":"w1","prompt_id":"p1"}"#).unwrap();
    let ClientMessage::Participant { id, action } = taken_back else {
        panic!("not a participant's action");
    };
    assert_eq!(id.as_deref(), Some("w1"));
    assert_eq!(
        action.into_command(who),
        Command::WithdrawVote {
            participant: who,
            prompt_id: PromptId("p1".into())
        }
    );
}

/// A session with a closed poll (`show_results` as given) with one vote, then an open
/// brainstorm with one item, and the poll on the projector.
fn poll_on_screen(show_results: &str) -> Session {
    let mut s = session_titled("Aamu", 1);
    let who = ParticipantId(Uuid::nil());
    let commands = [
        json!({"type":"add_prompt","prompt":{"kind":"poll","title":"Sektori?","options":["Kunta","Järjestö"],"show_results":show_results}}),
        json!({"type":"add_prompt","prompt":{"kind":"brainstorm","title":"Ideat"}}),
        json!({"type":"open_prompt","prompt_id":"p1"}),
        json!({"type":"vote","participant":who,"prompt_id":"p1","options":[1]}),
        json!({"type":"open_prompt","prompt_id":"p2"}),
        json!({"type":"submit","participant":who,"item_id":Uuid::from_u128(7),"prompt_id":"p2","text":"Kirjasto"}),
        json!({"type":"show_on_screen","view":{"kind":"prompt","prompt_id":"p1"}}),
    ];
    for c in commands {
        s.apply(&serde_json::from_value(c).unwrap(), 2).unwrap();
    }
    s
}

fn frames_of_last_event(s: &Session) -> Frames {
    let stamped = Stamped {
        seq: s.seq(),
        event: Event::ScreenChanged(s.screen().clone()),
    };
    event_frames(&stamped, s, 3)
}

#[test]
fn screen_changed_tells_the_console_the_view_and_the_projector_its_stage() {
    let s = poll_on_screen("live");
    let frames = frames_of_last_event(&s);
    assert!(frames.participant.is_none());
    let staff: serde_json::Value = serde_json::from_str(&frames.facilitator.unwrap()).unwrap();
    assert_eq!(
        staff,
        json!({"type":"screen_changed","seq":s.seq(),"view":{"kind":"prompt","prompt_id":"p1"}})
    );
    let screen: serde_json::Value = serde_json::from_str(&frames.screen.unwrap()).unwrap();
    assert_eq!(screen["view"], json!({"kind":"prompt","prompt_id":"p1"}));
    assert_eq!(screen["prompt"]["id"], "p1");
    assert_eq!(screen["prompt"]["state"], "closed");
    assert_eq!(screen["items"], json!([]));
    assert_eq!(
        screen["results"],
        json!({"p1":{"kind":"poll","voters":1,"counts":[0,1]}})
    );
    // The welcome of a projector that opens now shows the same.
    let w: serde_json::Value =
        serde_json::from_str(&welcome(&s, Role::Screen, None, 0, 3)).unwrap();
    assert_eq!(w["screen"], screen["view"]);
    assert_eq!(w["prompt"], screen["prompt"]);
    assert_eq!(w["items"], screen["items"]);
    assert_eq!(w["results"], screen["results"]);
    // The console's welcome keeps the current prompt and says what the projector shows;
    // a phone's welcome does neither.
    let staff: serde_json::Value =
        serde_json::from_str(&welcome(&s, Role::Facilitator, None, 0, 3)).unwrap();
    assert_eq!(staff["prompt"]["id"], "p2");
    assert_eq!(staff["screen"], screen["view"]);
    let phone: serde_json::Value = serde_json::from_str(&welcome(
        &s,
        Role::Participant,
        Some(&ParticipantId(Uuid::nil())),
        0,
        3,
    ))
    .unwrap();
    assert_eq!(phone["prompt"]["id"], "p2");
    assert!(phone.get("screen").is_none());
    assert_eq!(phone["results"], json!({}));
}

#[test]
fn the_projector_gets_only_results_the_prompt_lets_it_see() {
    for (setting, public) in [("live", true), ("after_close", true), ("hidden", false)] {
        let mut s = poll_on_screen(setting);
        let poll = s.prompts()[0].clone();
        assert_eq!(sees_results(&s, &poll, Role::Screen), public, "{setting}");
        assert!(sees_results(&s, &poll, Role::Facilitator));
        // Phones have the current prompt, not the projector's.
        assert!(!sees_results(&s, &poll, Role::Participant));
        let screen: serde_json::Value =
            serde_json::from_str(&frames_of_last_event(&s).screen.unwrap()).unwrap();
        let w: serde_json::Value =
            serde_json::from_str(&welcome(&s, Role::Screen, None, 0, 3)).unwrap();
        assert_eq!(screen["results"].get("p1").is_some(), public, "{setting}");
        assert_eq!(w["results"].get("p1").is_some(), public, "{setting}");
        // Off the stage again, the poll's results are the console's only.
        s.apply(
            &serde_json::from_value(json!({"type":"show_on_screen","view":{"kind":"follow"}}))
                .unwrap(),
            4,
        )
        .unwrap();
        assert!(!sees_results(&s, &poll, Role::Screen));
    }
}

#[test]
fn the_join_page_keeps_the_current_prompt_on_the_stage_without_authors() {
    let mut s = poll_on_screen("live");
    s.apply(
        &serde_json::from_value(json!({"type":"show_on_screen","view":{"kind":"join"}})).unwrap(),
        4,
    )
    .unwrap();
    let frames = frames_of_last_event(&s);
    let screen: serde_json::Value = serde_json::from_str(&frames.screen.unwrap()).unwrap();
    assert_eq!(screen["view"], json!({"kind":"join"}));
    assert_eq!(screen["prompt"]["id"], "p2");
    assert_eq!(screen["items"][0]["text"], "Kirjasto");
    assert!(screen["items"][0].get("author").is_none());
    assert!(screen["items"][0].get("history").is_none());
    // No prompt opened yet: the stage is empty.
    let mut fresh = Session::new(s.meta.clone());
    fresh
        .apply(
            &serde_json::from_value(json!({"type":"show_on_screen","view":{"kind":"join"}}))
                .unwrap(),
            4,
        )
        .unwrap();
    let screen: serde_json::Value =
        serde_json::from_str(&frames_of_last_event(&fresh).screen.unwrap()).unwrap();
    assert_eq!(
        screen,
        json!({"type":"screen_changed","seq":1,"view":{"kind":"join"},"prompt":null,"items":[],"results":{}})
    );
}

#[test]
fn server_frames_match_the_documented_json() {
    let ack = ServerMessage::Ack {
        id: Some("abc".into()),
        seq: 7,
    };
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&ack.to_json()).unwrap(),
        json!({"type":"ack","id":"abc","seq":7})
    );
    let numbered = ServerMessage::Ack {
        id: RequestId::from_json(&json!(42)),
        seq: 8,
    };
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&numbered.to_json()).unwrap(),
        json!({"type":"ack","id":42,"seq":8})
    );
    let err = ServerMessage::Error {
        id: None,
        code: "prompt_closed",
        message: "this prompt is closed".into(),
    };
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&err.to_json()).unwrap(),
        json!({"type":"error","code":"prompt_closed","message":"this prompt is closed"})
    );
}

#[test]
fn the_facilitator_welcome_carries_the_newest_items_and_pages_reach_the_rest() {
    let mut s = session_titled("Iso", 1);
    let prompt = json!({"type":"add_prompt","prompt":{"kind":"brainstorm","title":"Ideat"}});
    s.apply(&serde_json::from_value(prompt).unwrap(), 1)
        .unwrap();
    let open = json!({"type":"open_prompt","prompt_id":"p1"});
    s.apply(&serde_json::from_value(open).unwrap(), 1).unwrap();
    let total = WELCOME_ITEMS_MAX + ITEMS_PAGE_MAX + 7;
    for n in 0..total {
        let submit = Command::Submit {
            participant: ParticipantId(Uuid::new_v4()),
            item_id: crate::session::ItemId(Uuid::new_v4()),
            prompt_id: PromptId("p1".into()),
            text: format!("idea {n}"),
            column: None,
            name: None,
        };
        s.apply(&submit, 2).unwrap();
    }
    let json = |text: String| serde_json::from_str::<serde_json::Value>(&text).unwrap();
    let texts = |v: &serde_json::Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["text"].as_str().unwrap().to_owned())
            .collect()
    };
    let first_frame = json(welcome(&s, Role::Facilitator, None, 0, 3));
    let first = texts(&first_frame);
    assert_eq!(first.len(), WELCOME_ITEMS_MAX);
    assert_eq!(
        first.last().map(String::as_str),
        Some(format!("idea {}", total - 1).as_str())
    );
    let mut before = first_frame["items_before"].as_u64();
    let mut all = first;
    let mut pages = 0;
    while let Some(cursor) = before {
        let page = json(items_page(&s, Some("i".into()), cursor));
        assert_eq!(page["type"], "items");
        assert_eq!(page["id"], "i");
        let mut older = texts(&page);
        older.append(&mut all);
        all = older;
        before = page["items_before"].as_u64();
        pages += 1;
    }
    assert_eq!(pages, 2);
    let expected: Vec<String> = (0..total).map(|n| format!("idea {n}")).collect();
    assert_eq!(all, expected, "every item once, in order");
    // The projector's and the phone's welcomes have no cursor.
    let screen = json(welcome(&s, Role::Screen, None, 0, 3));
    assert!(screen.get("items_before").is_none());
    assert_eq!(
        texts(&screen).len(),
        total,
        "the projector's is not bounded (see docs)"
    );
}

#[test]
fn rehearsal_and_its_reset_reach_every_role_and_every_welcome() {
    let mut s = session_titled("Harjoitus", 1);
    let last = |s: &mut Session, command: Command| {
        let applied = s.apply(&command, 2).unwrap();
        event_frames(&applied.events[0], s, 3)
    };
    let on = last(&mut s, Command::SetRehearsal { on: true });
    for frame in [on.participant, on.screen, on.facilitator] {
        let frame: serde_json::Value = serde_json::from_str(&frame.unwrap()).unwrap();
        assert_eq!(frame, json!({"type":"rehearsal","seq":1,"on":true}));
    }
    let reset = last(&mut s, Command::ResetRehearsal);
    for frame in [reset.participant, reset.screen, reset.facilitator] {
        let frame: serde_json::Value = serde_json::from_str(&frame.unwrap()).unwrap();
        assert_eq!(frame, json!({"type":"session_reset","seq":2}));
    }
    for role in [Role::Participant, Role::Screen, Role::Facilitator] {
        let w: serde_json::Value = serde_json::from_str(&welcome(&s, role, None, 0, 3)).unwrap();
        assert_eq!(w["session"]["rehearsal"], true);
        assert_eq!(w["session"]["last_reset"], 2);
    }
    // A session that never rehearsed says nothing of it.
    let plain = session_titled("Seminaari", 1);
    let w: serde_json::Value =
        serde_json::from_str(&welcome(&plain, Role::Participant, None, 0, 3)).unwrap();
    assert!(w["session"].get("rehearsal").is_none());
    assert!(w["session"].get("last_reset").is_none());
}

/// Prompts in several languages on the wire (docs/protocol.md, "Prompts in several
/// languages"): a prompt's and a group's translations as every role sees them, and
/// `languages_changed` to everyone, with the welcome's `session` after it.
#[test]
fn translations_and_languages_changed_match_the_documented_json() {
    let mut s = session_titled("Aamu", 1);
    for c in [
        json!({"type":"add_group","name":"Keskusta","translations":{"sv":"Centrum"}}),
        json!({"type":"add_prompt","prompt":{"kind":"poll","title":"Mikä on tärkeintä?",
            "options":["Asuminen","Liikenne"],
            "translations":{"sv":{"title":"Vad är viktigast?","options":["Boende",""]}}}}),
        json!({"type":"open_prompt","prompt_id":"p1"}),
    ] {
        s.apply(&serde_json::from_value(c).unwrap(), 2).unwrap();
    }
    for role in [Role::Participant, Role::Screen, Role::Facilitator] {
        let w: serde_json::Value = serde_json::from_str(&welcome(&s, role, None, 0, 3)).unwrap();
        assert_eq!(
            w["prompt"]["translations"],
            json!({"sv":{"title":"Vad är viktigast?","options":["Boende",""]}}),
            "{role:?}"
        );
        assert_eq!(
            w["groups"],
            json!([{"id":"g1","name":"Keskusta","color":null,"translations":{"sv":"Centrum"}}])
        );
        assert_eq!(
            w["session"],
            json!({"slug":s.meta.slug.as_str(),"title":"Aamu","language":"fi"})
        );
    }
    let applied = s
        .apply(
            &serde_json::from_value(json!({"type":"set_languages","main":"fi","screen":"sv"}))
                .unwrap(),
            4,
        )
        .unwrap();
    let frames = event_frames(&applied.events[0], &s, 4);
    let expected =
        json!({"type":"languages_changed","seq":s.seq(),"language":"fi","screen_language":"sv"});
    for frame in [frames.participant, frames.screen, frames.facilitator] {
        let frame: serde_json::Value = serde_json::from_str(&frame.expect("everyone")).unwrap();
        assert_eq!(frame, expected);
    }
    let w: serde_json::Value =
        serde_json::from_str(&welcome(&s, Role::Screen, None, 0, 5)).unwrap();
    assert_eq!(w["session"]["screen_language"], "sv");
}
