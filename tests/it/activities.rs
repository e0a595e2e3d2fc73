//! Workshop activities over real websockets: columns, groups, polls, scales, word clouds,
//! dot-voting, timers, the agenda, moderation, the wall, presence, and what the facilitator
//! puts on the projector.

use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{add_and_open, add_prompt, ask, command, ok, Client, TestServer};

/// Frames until (and with) the first `screen_changed`.
async fn until_screen_changed(client: &mut Client) -> (Value, Vec<Value>) {
    let mut before = Vec::new();
    loop {
        let frame = client.next().await.expect("open");
        if frame["type"] == "screen_changed" {
            return (frame, before);
        }
        before.push(frame);
    }
}

/// Checks that no item the projector got carries its author or history.
fn anonymous(items: &Value) {
    for item in items.as_array().expect("items") {
        assert!(item.get("author").is_none(), "{item}");
        assert!(item.get("history").is_none(), "{item}");
    }
}

async fn refused(phone: &mut Client, frame: Value, code: &str) {
    let reply = ask(phone, frame.clone()).await;
    assert_eq!(reply["type"], "error", "{frame} → {reply}");
    assert_eq!(reply["code"], code, "{frame} → {reply}");
}

/// The next `results` frame for `prompt`.
async fn results(client: &mut Client, prompt: &str) -> Value {
    loop {
        let frame = client.until("results").await;
        if frame["prompt_id"] == prompt {
            return frame["results"].clone();
        }
    }
}

/// Reads `results` frames until one satisfies `done`.
async fn results_until(client: &mut Client, prompt: &str, done: impl Fn(&Value) -> bool) -> Value {
    loop {
        let r = results(client, prompt).await;
        if done(&r) {
            return r;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn columns_groups_and_presence_per_group() {
    let server = TestServer::start().await;
    let key = server.create_session("ryhmat").await;
    let (mut fac, _) = server.facilitator("ryhmat", &key).await;
    let (_, groups) = command(
        &mut fac,
        json!({"type":"add_group","name":"Toimijat ja verkostot","color":"#1f77b4"}),
    )
    .await;
    let changed = groups
        .iter()
        .find(|e| e["type"] == "groups_changed")
        .expect("groups_changed");
    assert_eq!(changed["groups"][0]["name"], "Toimijat ja verkostot");
    command(&mut fac, json!({"type":"add_group","name":"Digitaalisuus"})).await;
    let (mut screen, welcome) = server.screen("ryhmat").await;
    assert_eq!(welcome["groups"].as_array().unwrap().len(), 2);

    let mut phones = Vec::new();
    for n in 0..4 {
        let (mut phone, welcome) = server.participant("ryhmat").await;
        assert_eq!(welcome["groups"][1]["name"], "Digitaalisuus");
        let group = if n < 3 { "g1" } else { "g2" };
        ok(&mut phone, json!({"type":"choose_group","group_id":group})).await;
        phones.push(phone);
    }
    refused(
        &mut phones[0],
        json!({"type":"choose_group","group_id":"g9"}),
        "group_not_found",
    )
    .await;
    // Presence per group reaches the projector (at most once a second).
    loop {
        let p = screen.until("presence").await;
        if p["participants"] == 4 && p["groups"] == json!({"g1":3,"g2":1}) {
            break;
        }
    }

    let prompt = add_and_open(
        &mut fac,
        json!({"kind":"brainstorm","title":"Yhdyspinnat","columns":["Toimivat nyt","Eivät toimi, mutta pitäisi"]}),
    )
    .await;
    let opened = phones[0].until("prompt_opened").await;
    assert_eq!(
        opened["prompt"]["columns"],
        json!(["Toimivat nyt", "Eivät toimi, mutta pitäisi"])
    );
    for (n, phone) in phones.iter_mut().enumerate() {
        ok(phone, json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":format!("yhdyspinta {n}"),"column":n % 2})).await;
    }
    refused(
        &mut phones[0],
        json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":"x"}),
        "invalid_column",
    )
    .await;
    refused(
        &mut phones[0],
        json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":"x","column":2}),
        "invalid_column",
    )
    .await;
    let mut seen = Vec::new();
    while seen.len() < 4 {
        let added = screen.until("item_added").await;
        seen.push((
            added["item"]["column"].as_u64().unwrap(),
            added["item"]["group"].as_str().unwrap().to_owned(),
        ));
    }
    seen.sort();
    assert_eq!(
        seen,
        vec![
            (0, "g1".into()),
            (0, "g1".into()),
            (1, "g1".into()),
            (1, "g2".into())
        ]
    );
    // The export names the column and the group.
    let csv = server
        .http(
            "GET",
            "/api/sessions/ryhmat/export.csv",
            &[("Authorization", &format!("Bearer {key}"))],
            None,
        )
        .await;
    let mut reader = csv::Reader::from_reader(&csv.body[3..]);
    let rows: Vec<HashMap<String, String>> = reader.deserialize().map(|r| r.unwrap()).collect();
    let last = rows.last().unwrap();
    assert_eq!(
        (last["column"].as_str(), last["group"].as_str()),
        ("Eivät toimi, mutta pitäisi", "Digitaalisuus")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polls_and_scales_with_live_and_hidden_results() {
    let server = TestServer::start().await;
    let key = server.create_session("kysely").await;
    let (mut fac, _) = server.facilitator("kysely", &key).await;
    let (mut screen, _) = server.screen("kysely").await;
    let (mut a, _) = server.participant("kysely").await;
    let (mut b, _) = server.participant("kysely").await;
    let sectors = [
        "Kunta",
        "Maakunta",
        "Valtio",
        "Järjestö",
        "Yritys",
        "Oppilaitos",
        "Muu",
    ];
    let poll = add_and_open(
        &mut fac,
        json!({"kind":"poll","title":"Millä sektorilla työskentelet?","options":sectors}),
    )
    .await;
    a.until("prompt_opened").await;
    ok(
        &mut a,
        json!({"type":"vote","prompt_id":poll,"options":[1]}),
    )
    .await;
    ok(
        &mut b,
        json!({"type":"vote","prompt_id":poll,"options":[1]}),
    )
    .await;
    // A mistap is fixed within the grace window (after it the answer is final: the session's
    // unit tests cover the window's end with their own clock): changed, withdrawn, given again.
    ok(
        &mut a,
        json!({"type":"vote","prompt_id":poll,"options":[2]}),
    )
    .await;
    ok(&mut a, json!({"type":"withdraw_vote","prompt_id":poll})).await;
    ok(
        &mut a,
        json!({"type":"vote","prompt_id":poll,"options":[1]}),
    )
    .await;
    refused(
        &mut a,
        json!({"type":"vote","prompt_id":poll,"options":[0,1]}),
        "invalid_choice",
    )
    .await;
    refused(
        &mut a,
        json!({"type":"vote","prompt_id":poll,"options":[7]}),
        "invalid_choice",
    )
    .await;
    let r = results_until(&mut screen, &poll, |r| r["voters"] == 2).await;
    assert_eq!(r["counts"], json!([0, 2, 0, 0, 0, 0, 0]));
    // Phones see live results too (the default).
    let r = results_until(&mut a, &poll, |r| r["voters"] == 2).await;
    assert_eq!(r["kind"], "poll");

    // A scale whose results stay hidden until it closes: the projector gets none while open.
    let scale = add_and_open(
        &mut fac,
        json!({"kind":"scale","title":"Kunnan ja maakunnan yhteistyö","statements":["Toimii tänään"],"max":5,"min_label":"Huonosti","max_label":"Hyvin","show_results":"after_close"}),
    )
    .await;
    a.until("prompt_opened").await;
    b.until("prompt_opened").await;
    ok(
        &mut a,
        json!({"type":"rate","prompt_id":scale,"statement":0,"value":2}),
    )
    .await;
    ok(
        &mut b,
        json!({"type":"rate","prompt_id":scale,"statement":0,"value":5}),
    )
    .await;
    refused(
        &mut a,
        json!({"type":"rate","prompt_id":scale,"statement":0,"value":6}),
        "invalid_choice",
    )
    .await;
    let staff = results_until(&mut fac, &scale, |r| r["statements"][0]["n"] == 2).await;
    assert_eq!(staff["statements"][0]["mean"], 3.5);
    assert_eq!(staff["statements"][0]["counts"], json!([0, 1, 0, 0, 1]));
    command(&mut fac, json!({"type":"close_prompt","prompt_id":scale})).await;
    // The first results the projector receives for the scale come after the close.
    let mut saw_closed = false;
    loop {
        let frame = screen.next().await.expect("open");
        if frame["type"] == "prompt_closed" && frame["prompt"]["id"] == scale.as_str() {
            saw_closed = true;
        }
        if frame["type"] == "results" && frame["prompt_id"] == scale.as_str() {
            assert!(
                saw_closed,
                "results leaked to the projector before the close"
            );
            assert_eq!(frame["results"]["statements"][0]["mean"], 3.5);
            break;
        }
    }
    refused(
        &mut a,
        json!({"type":"rate","prompt_id":scale,"statement":0,"value":3}),
        "prompt_closed",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn word_cloud_counts_normalised_words() {
    let server = TestServer::start().await;
    let key = server.create_session("sanat").await;
    let (mut fac, _) = server.facilitator("sanat", &key).await;
    let (mut screen, _) = server.screen("sanat").await;
    let (mut a, _) = server.participant("sanat").await;
    let (mut b, _) = server.participant("sanat").await;
    let cloud = add_and_open(
        &mut fac,
        json!({"kind":"word_cloud","title":"Yksi sana yhteistyöstä","max_answers":3}),
    )
    .await;
    for text in ["Luottamus", "YHTEISTYÖ", "verkosto"] {
        ok(
            &mut a,
            json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":cloud,"text":text}),
        )
        .await;
    }
    refused(
        &mut a,
        json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":cloud,"text":"neljäs"}),
        "answer_limit",
    )
    .await;
    ok(
        &mut b,
        json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":cloud,"text":" yhteistyö "}),
    )
    .await;
    let r = results_until(&mut screen, &cloud, |r| r["participants"] == 2).await;
    assert_eq!(r["words"][0], json!({"text":"yhteistyö","count":2}));
    assert_eq!(r["words"].as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dot_voting_on_the_questions_of_an_earlier_prompt() {
    let server = TestServer::start().await;
    let key = server.create_session("pisteet").await;
    let (mut fac, _) = server.facilitator("pisteet", &key).await;
    let (mut screen, _) = server.screen("pisteet").await;
    let (mut a, _) = server.participant("pisteet").await;
    let (mut b, _) = server.participant("pisteet").await;
    let questions = add_and_open(
        &mut fac,
        json!({"kind":"brainstorm","title":"Mitkä kysymykset ovat tärkeitä?"}),
    )
    .await;
    let mut ids = Vec::new();
    for text in ["Rahoitus", "Tiedonkulku", "Rahoitus!", "Roskaa"] {
        let id = Uuid::new_v4();
        ok(
            &mut a,
            json!({"type":"submit","id":id,"prompt_id":questions,"text":text}),
        )
        .await;
        ids.push(id.to_string());
    }
    // Curate: hide one, merge a duplicate.
    command(&mut fac, json!({"type":"hide_item","item_id":ids[3]})).await;
    command(
        &mut fac,
        json!({"type":"merge_items","into":ids[0],"items":[ids[2]]}),
    )
    .await;
    let vote = add_and_open(
        &mut fac,
        json!({"kind":"dot_vote","title":"Tärkeimmät kysymykset","source":questions,"dots":3,"max_per_item":2}),
    )
    .await;
    let opened = loop {
        let opened = b.until("prompt_opened").await;
        if opened["prompt"]["id"] == vote.as_str() {
            break opened;
        }
    };
    let ballot: Vec<&str> = opened["prompt"]["ballot_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        ballot,
        ["Rahoitus", "Tiedonkulku"],
        "hidden and merged items are not on the ballot"
    );
    ok(
        &mut b,
        json!({"type":"place_dot","prompt_id":vote,"item_id":ids[1]}),
    )
    .await;
    ok(
        &mut b,
        json!({"type":"place_dot","prompt_id":vote,"item_id":ids[1]}),
    )
    .await;
    refused(
        &mut b,
        json!({"type":"place_dot","prompt_id":vote,"item_id":ids[1]}),
        "item_dot_limit",
    )
    .await;
    ok(
        &mut b,
        json!({"type":"place_dot","prompt_id":vote,"item_id":ids[0]}),
    )
    .await;
    refused(
        &mut b,
        json!({"type":"place_dot","prompt_id":vote,"item_id":ids[0]}),
        "dot_budget_exceeded",
    )
    .await;
    refused(
        &mut b,
        json!({"type":"place_dot","prompt_id":vote,"item_id":ids[3]}),
        "not_on_ballot",
    )
    .await;
    // Take one back; the ranking follows.
    ok(
        &mut b,
        json!({"type":"remove_dot","prompt_id":vote,"item_id":ids[1]}),
    )
    .await;
    refused(
        &mut a,
        json!({"type":"remove_dot","prompt_id":vote,"item_id":ids[1]}),
        "no_dot_here",
    )
    .await;
    ok(
        &mut a,
        json!({"type":"place_dot","prompt_id":vote,"item_id":ids[0]}),
    )
    .await;
    let r = results_until(&mut screen, &vote, |r| r["voters"] == 2).await;
    let ranking: Vec<(String, u64)> = r["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["text"].as_str().unwrap().to_owned(),
                e["dots"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ranking,
        [("Rahoitus".to_owned(), 2), ("Tiedonkulku".to_owned(), 1)]
    );
    // A reconnecting phone sees its own dots.
    command(&mut fac, json!({"type":"close_prompt","prompt_id":vote})).await;
    refused(
        &mut b,
        json!({"type":"remove_dot","prompt_id":vote,"item_id":ids[0]}),
        "prompt_closed",
    )
    .await;
    // The export carries the votes.
    let json_export = server
        .http(
            "GET",
            "/api/sessions/pisteet/export.json",
            &[("Authorization", &format!("Bearer {key}"))],
            None,
        )
        .await
        .json();
    let items = json_export["prompts"][0]["items"].as_array().unwrap();
    assert_eq!(items[0]["dots"], 2);
    assert_eq!(items[2]["merged_into"], ids[0].as_str());
    assert_eq!(
        json_export["prompts"][1]["results"]["ranking"][0]["dots"],
        2
    );
}

/// On paused tokio time: the server's clock follows it, and while the runtime waits on
/// nothing but timers it skips ahead, so the 12-second time box closes at once.
#[tokio::test(start_paused = true)]
async fn timers_close_by_themselves_and_take_added_time() {
    let started = tokio::time::Instant::now();
    let real = std::time::Instant::now();
    let server = TestServer::start().await;
    let key = server.create_session("ajastin").await;
    let (mut fac, _) = server.facilitator("ajastin", &key).await;
    let (mut phone, _) = server.participant("ajastin").await;
    let prompt = add_and_open(
        &mut fac,
        json!({"kind":"brainstorm","title":"Nopea","time_limit_secs":10,"auto_close":true}),
    )
    .await;
    let opened = phone.until("prompt_opened").await;
    let p = &opened["prompt"];
    assert_eq!(
        p["closes_at"].as_u64().unwrap(),
        p["opened_at"].as_u64().unwrap() + 10_000
    );
    assert!(
        opened["server_time"].as_u64().is_some(),
        "phones compute the countdown on the server's clock"
    );
    let (_, events) = command(
        &mut fac,
        json!({"type":"add_time","prompt_id":prompt,"secs":2}),
    )
    .await;
    let updated = events
        .iter()
        .find(|e| e["type"] == "prompt_updated")
        .expect("prompt_updated");
    assert_eq!(
        updated["prompt"]["closes_at"].as_u64().unwrap(),
        p["closes_at"].as_u64().unwrap() + 2_000
    );
    // No one closes it: the server does, at zero.
    let closed = phone.until("prompt_closed").await;
    assert_eq!(closed["prompt"]["id"], prompt.as_str());
    assert!(
        closed["prompt"]["closed_at"].as_u64().unwrap()
            >= updated["prompt"]["closes_at"].as_u64().unwrap()
    );
    refused(
        &mut phone,
        json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":"myöhässä"}),
        "prompt_closed",
    )
    .await;
    assert!(started.elapsed() >= std::time::Duration::from_secs(12));
    assert!(
        real.elapsed() < std::time::Duration::from_secs(10),
        "waited for a real timer"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agenda_next_reorder_and_templates_into_a_new_session() {
    let server = TestServer::start().await;
    let key = server.create_session("ohjelma").await;
    let (mut fac, _) = server.facilitator("ohjelma", &key).await;
    let (mut phone, _) = server.participant("ohjelma").await;
    let warmup = add_prompt(
        &mut fac,
        json!({"kind":"poll","title":"Sektori","options":["Kunta","Muu"]}),
    )
    .await;
    let brainstorm = add_prompt(&mut fac, json!({"kind":"brainstorm","title":"Kysymykset"})).await;
    add_prompt(
        &mut fac,
        json!({"kind":"dot_vote","title":"Äänestys","source":brainstorm,"dots":3,"max_per_item":1}),
    )
    .await;
    let (_, events) = command(
        &mut fac,
        json!({"type":"duplicate_prompt","prompt_id":warmup}),
    )
    .await;
    assert!(events.iter().any(|e| e["type"] == "agenda_reordered"));
    let (_, events) = command(
        &mut fac,
        json!({"type":"move_prompt","prompt_id":"p4","position":3}),
    )
    .await;
    assert_eq!(events[0]["order"], json!(["p1", "p2", "p3", "p4"]));
    // Next opens the first draft, then the next one.
    command(&mut fac, json!({"type":"next_prompt"})).await;
    assert_eq!(phone.until("prompt_opened").await["prompt"]["id"], "p1");
    command(&mut fac, json!({"type":"next_prompt"})).await;
    assert_eq!(phone.until("prompt_opened").await["prompt"]["id"], "p2");
    fac.send(json!({"type":"delete_prompt","id":"d","prompt_id":"p2"}))
        .await;
    assert_eq!(fac.until("error").await["code"], "prompt_not_draft");

    // Save the agenda as a template and load it into a new session.
    let template = server
        .http(
            "GET",
            "/api/sessions/ohjelma/agenda.json",
            &[("Authorization", &format!("Bearer {key}"))],
            None,
        )
        .await;
    assert_eq!(template.status, 200);
    let template = template.json();
    assert_eq!(template["format"], "paja-agenda");
    assert_eq!(template["prompts"].as_array().unwrap().len(), 4);
    assert_eq!(template["prompts"][2]["source"], "@1");
    let key2 = server.create_session("ohjelma-2").await;
    let (mut fac2, _) = server.facilitator("ohjelma-2", &key2).await;
    let (_, events) = command(
        &mut fac2,
        json!({"type":"import_agenda","prompts":template["prompts"]}),
    )
    .await;
    let added: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "prompt_added")
        .collect();
    assert_eq!(added.len(), 4);
    assert_eq!(added[2]["prompt"]["kind"], "dot_vote");
    assert_eq!(added[2]["prompt"]["source"], "p2");
    assert!(added.iter().all(|e| e["prompt"]["state"] == "draft"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moderation_edit_merge_star_premoderation_and_lock() {
    let server = TestServer::start().await;
    let key = server.create_session("moderointi").await;
    let (mut fac, _) = server.facilitator("moderointi", &key).await;
    let (mut screen, _) = server.screen("moderointi").await;
    let (mut phone, _) = server.participant("moderointi").await;
    let prompt = add_and_open(
        &mut fac,
        json!({"kind":"brainstorm","title":"Ideat","premoderation":true}),
    )
    .await;
    let first = Uuid::new_v4();
    ok(
        &mut phone,
        json!({"type":"submit","id":first,"prompt_id":prompt,"text":"Ohjaamo kaikille"}),
    )
    .await;
    // The facilitator sees it at once, waiting for approval; the projector does not.
    let pending = fac.until("item_added").await;
    assert_eq!(pending["item"]["approved"], false);
    command(&mut fac, json!({"type":"approve_item","item_id":first})).await;
    let shown = screen.until("item_updated").await;
    assert_eq!(
        (
            shown["item"]["approved"].as_bool(),
            shown["item"]["text"].as_str()
        ),
        (Some(true), Some("Ohjaamo kaikille"))
    );
    // Edit: the projector shows the new text; the original stays in the history.
    command(
        &mut fac,
        json!({"type":"edit_item","item_id":first,"text":"Ohjaamo kaikille nuorille"}),
    )
    .await;
    let edited = screen.until("item_updated").await;
    assert_eq!(edited["item"]["text"], "Ohjaamo kaikille nuorille");
    assert!(
        edited["item"].get("history").is_none(),
        "the projector gets no edit history"
    );
    // Star it for the projector.
    command(
        &mut fac,
        json!({"type":"star_item","item_id":first,"starred":true}),
    )
    .await;
    assert_eq!(screen.until("item_updated").await["item"]["starred"], true);
    // Merge a duplicate.
    let dup = Uuid::new_v4();
    ok(
        &mut phone,
        json!({"type":"submit","id":dup,"prompt_id":prompt,"text":"ohjaamo kaikille"}),
    )
    .await;
    command(&mut fac, json!({"type":"approve_item","item_id":dup})).await;
    let (_, events) = command(
        &mut fac,
        json!({"type":"merge_items","into":first,"items":[dup]}),
    )
    .await;
    // The duplicate leaves the projector; the console sees where it went.
    let removed = screen.until("item_removed").await;
    assert_eq!(removed["item_id"], dup.to_string());
    let merged = events
        .iter()
        .find(|u| u["type"] == "item_updated" && u["item"]["id"] == dup.to_string())
        .expect("the console hears of the merge");
    assert_eq!(merged["item"]["merged_into"], first.to_string());
    let target = events
        .iter()
        .find(|u| u["type"] == "item_updated" && u["item"]["id"] == first.to_string())
        .expect("and of the item it joined");
    assert_eq!(target["item"]["merged"], 1);
    // Lock: read-only for phones.
    command(
        &mut fac,
        json!({"type":"lock_prompt","prompt_id":prompt,"locked":true}),
    )
    .await;
    assert_eq!(
        phone.until("prompt_updated").await["prompt"]["locked"],
        true
    );
    refused(
        &mut phone,
        json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":"x"}),
        "prompt_locked",
    )
    .await;
    // The export keeps the original text and the merge.
    let csv = server
        .http(
            "GET",
            "/api/sessions/moderointi/export.csv",
            &[("Authorization", &format!("Bearer {key}"))],
            None,
        )
        .await;
    let mut reader = csv::Reader::from_reader(&csv.body[3..]);
    let rows: Vec<HashMap<String, String>> = reader.deserialize().map(|r| r.unwrap()).collect();
    assert_eq!(rows[0]["text"], "Ohjaamo kaikille nuorille");
    assert_eq!(rows[0]["history"], "Ohjaamo kaikille");
    assert_eq!(rows[1]["merged_into"], first.to_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wall_reaches_phones_in_batches_and_per_group() {
    let server = TestServer::start().await;
    let key = server.create_session("seina").await;
    let (mut fac, _) = server.facilitator("seina", &key).await;
    const PHONES: usize = 20;
    const ITEMS: usize = 200;
    let mut phones = Vec::new();
    for _ in 0..PHONES {
        phones.push(server.participant("seina").await.0);
    }
    let prompt = add_and_open(
        &mut fac,
        json!({"kind":"brainstorm","title":"Seinä","wall":true}),
    )
    .await;
    for phone in &mut phones {
        phone.until("prompt_opened").await;
    }
    // Every phone sends its ten items at once (within a phone's burst allowance).
    let mut sent = HashSet::new();
    let mut from_first = Vec::new();
    for n in 0..ITEMS {
        let id = Uuid::new_v4();
        sent.insert(id.to_string());
        if n % PHONES == 0 {
            from_first.push(id.to_string());
        }
        phones[n % PHONES]
            .send(json!({"type":"submit","id":id,"prompt_id":prompt,"text":format!("idea {n}")}))
            .await;
    }
    // A watching phone gets every item, in far fewer frames than items.
    let watcher = &mut phones[PHONES - 1];
    let mut got = HashSet::new();
    let mut frames = 0;
    while got.len() < ITEMS {
        let wall = watcher.until("wall").await;
        frames += 1;
        for item in wall["items"].as_array().unwrap() {
            assert!(item.get("author").is_none());
            got.insert(item["id"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(got, sent);
    assert!(
        frames < ITEMS / 4,
        "{frames} wall frames for {ITEMS} items: not coalesced"
    );

    // Likes go through the wall; one's own item cannot be liked.
    let some = &from_first; // sent by phone 0, so not the watcher's own
    ok(
        watcher,
        json!({"type":"like","item_id":some[0],"liked":true}),
    )
    .await;
    loop {
        let wall = watcher.until("wall").await;
        if wall["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == some[0].as_str() && i["likes"] == 1)
        {
            break;
        }
    }

    // Per group: each group's phones see only their group's items.
    command(&mut fac, json!({"type":"add_group","name":"A"})).await;
    command(&mut fac, json!({"type":"add_group","name":"B"})).await;
    let (mut a1, _) = server.participant("seina").await;
    let (mut a2, _) = server.participant("seina").await;
    let (mut b1, _) = server.participant("seina").await;
    ok(&mut a1, json!({"type":"choose_group","group_id":"g1"})).await;
    ok(&mut a2, json!({"type":"choose_group","group_id":"g1"})).await;
    ok(&mut b1, json!({"type":"choose_group","group_id":"g2"})).await;
    let themed = add_and_open(
        &mut fac,
        json!({"kind":"brainstorm","title":"Teemat","wall":true,"per_group":true}),
    )
    .await;
    for p in [&mut a1, &mut a2, &mut b1] {
        p.until("prompt_opened").await;
    }
    ok(
        &mut b1,
        json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":themed,"text":"B:n asia"}),
    )
    .await;
    ok(
        &mut a1,
        json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":themed,"text":"A:n asia"}),
    )
    .await;
    // The first wall frame is the whole (empty) wall sent when the prompt opened; changes
    // follow. Group A's phones see A's item and never B's.
    let mut texts: Vec<String> = Vec::new();
    while !texts.iter().any(|t| t == "A:n asia") {
        let wall = a2.until("wall").await;
        texts.extend(
            wall["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["text"].as_str().unwrap().to_owned()),
        );
    }
    assert_eq!(
        texts,
        ["A:n asia"],
        "group A's phones see only group A's items"
    );
    // Moving to group A brings group A's whole wall right after the ack.
    ok(&mut b1, json!({"type":"choose_group","group_id":"g1"})).await;
    let wall = loop {
        let wall = b1.until("wall").await;
        if wall["full"] == true && !wall["items"].as_array().unwrap().is_empty() {
            break wall;
        }
    };
    let texts: Vec<&str> = wall["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["A:n asia"]);
    // A phone joining now gets the group's wall in its welcome.
    let (mut late, _) = server.participant("seina").await;
    ok(&mut late, json!({"type":"choose_group","group_id":"g2"})).await;
    drop(late);
    let (_, b_welcome) = server.participant("seina").await;
    assert!(
        b_welcome["wall"].as_array().unwrap().is_empty(),
        "no group, no per-group wall"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_facilitator_decides_what_the_projector_shows() {
    let server = TestServer::start().await;
    let key = server.create_session("valkokangas").await;
    let (mut fac, _) = server.facilitator("valkokangas", &key).await;
    let (mut screen, welcome) = server.screen("valkokangas").await;
    assert_eq!(welcome["screen"], json!({"kind":"follow"}));
    let (mut a, welcome) = server.participant("valkokangas").await;
    assert!(welcome.get("screen").is_none(), "phones are not told");
    let (mut b, _) = server.participant("valkokangas").await;

    // The morning: a brainstorm, a dot vote on it, a secret poll, then an open live poll.
    let ideas = add_and_open(&mut fac, json!({"kind":"brainstorm","title":"Ideat"})).await;
    let mut ids = Vec::new();
    for (on_b, text) in [
        (false, "Kirjasto"),
        (true, "Kirjastot"),
        (false, "Salaisuus"),
    ] {
        let id = Uuid::new_v4().to_string();
        let phone = if on_b { &mut b } else { &mut a };
        ok(
            phone,
            json!({"type":"submit","id":id,"prompt_id":ideas,"text":text}),
        )
        .await;
        ids.push(id);
    }
    command(&mut fac, json!({"type":"hide_item","item_id":ids[2]})).await;
    let vote = add_and_open(
        &mut fac,
        json!({"kind":"dot_vote","title":"Tärkeimmät","source":ideas,"dots":2,"max_per_item":2}),
    )
    .await;
    for (on_b, item) in [(false, &ids[1]), (true, &ids[0]), (true, &ids[0])] {
        let phone = if on_b { &mut b } else { &mut a };
        ok(
            phone,
            json!({"type":"place_dot","prompt_id":vote,"item_id":item}),
        )
        .await;
    }
    let secret = add_and_open(
        &mut fac,
        json!({"kind":"poll","title":"Salainen","options":["Kyllä","Ei"],"show_results":"hidden"}),
    )
    .await;
    ok(
        &mut a,
        json!({"type":"vote","prompt_id":secret,"options":[0]}),
    )
    .await;
    let live = add_and_open(
        &mut fac,
        json!({"kind":"poll","title":"Nyt","options":["Kyllä","Ei"],"may_change":true}),
    )
    .await;
    let later = add_prompt(&mut fac, json!({"kind":"brainstorm","title":"Iltapäivä"})).await;
    ok(
        &mut a,
        json!({"type":"vote","prompt_id":live,"options":[0]}),
    )
    .await;

    // The join page over the open poll; the poll stays on the stage beneath it, kept live.
    let (_, events) = command(
        &mut fac,
        json!({"type":"show_on_screen","view":{"kind":"join"}}),
    )
    .await;
    let staff = events
        .iter()
        .find(|e| e["type"] == "screen_changed")
        .expect("the console hears of it");
    assert_eq!(staff["view"], json!({"kind":"join"}));
    assert!(
        staff.get("prompt").is_none(),
        "the console has the agenda already: {staff}"
    );
    let (changed, _) = until_screen_changed(&mut screen).await;
    assert_eq!(changed["view"], json!({"kind":"join"}));
    assert_eq!(changed["prompt"]["id"], live.as_str());
    ok(
        &mut b,
        json!({"type":"vote","prompt_id":live,"options":[1]}),
    )
    .await;
    results_until(&mut screen, &live, |r| r["voters"] == 2).await;

    // The closed dot vote again, with its results, and live after a merge of its source.
    let (_, _) = command(
        &mut fac,
        json!({"type":"show_on_screen","view":{"kind":"prompt","prompt_id":vote}}),
    )
    .await;
    let (changed, _) = until_screen_changed(&mut screen).await;
    assert_eq!(changed["view"], json!({"kind":"prompt","prompt_id":vote}));
    assert_eq!(changed["prompt"]["id"], vote.as_str());
    assert_eq!(changed["prompt"]["state"], "closed");
    assert_eq!(changed["results"][&vote]["voters"], 2);
    assert_eq!(changed["results"][&vote]["ranking"][0]["dots"], 2);
    assert!(
        changed["results"].get(&live).is_none(),
        "only the stage's results"
    );
    command(
        &mut fac,
        json!({"type":"merge_items","into":ids[0],"items":[ids[1]]}),
    )
    .await;
    let r = results_until(&mut screen, &vote, |r| r["ranking"][0]["dots"] == 3).await;
    assert_eq!(r["ranking"][0]["text"], "Kirjasto");

    // The open poll's results no longer reach the projector while another prompt is shown.
    ok(
        &mut a,
        json!({"type":"vote","prompt_id":live,"options":[1]}),
    )
    .await;
    results_until(&mut fac, &live, |r| r["counts"] == json!([0, 2])).await;
    let resume_from = changed["seq"].as_u64().unwrap();
    command(
        &mut fac,
        json!({"type":"show_on_screen","view":{"kind":"prompt","prompt_id":secret}}),
    )
    .await;
    let (changed, before) = until_screen_changed(&mut screen).await;
    assert!(
        !before
            .iter()
            .any(|f| f["type"] == "results" && f["prompt_id"] == live.as_str()),
        "{before:?}"
    );
    // A secret poll goes on screen without its results.
    assert_eq!(changed["prompt"]["id"], secret.as_str());
    assert_eq!(changed["results"], json!({}));

    // The closed brainstorm: its visible items only, without authors.
    command(
        &mut fac,
        json!({"type":"show_on_screen","view":{"kind":"prompt","prompt_id":ideas}}),
    )
    .await;
    let (changed, _) = until_screen_changed(&mut screen).await;
    assert_eq!(changed["prompt"]["id"], ideas.as_str());
    let shown: Vec<&str> = changed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["text"].as_str().unwrap())
        .collect();
    assert_eq!(shown, ["Kirjasto"], "hidden and merged items stay off");
    anonymous(&changed["items"]);
    // Live changes to the shown prompt's items reach the projector.
    command(&mut fac, json!({"type":"unhide_item","item_id":ids[2]})).await;
    let unhidden = screen.until("item_unhidden").await;
    assert_eq!(unhidden["item"]["text"], "Salaisuus");
    assert!(unhidden["item"].get("author").is_none());

    // Phones may not choose, nor name a draft or a prompt that does not exist.
    refused(
        &mut a,
        json!({"type":"show_on_screen","view":{"kind":"join"}}),
        "forbidden",
    )
    .await;
    refused(
        &mut a,
        json!({"type":"show_on_screen","view":{"kind":"everything"}}),
        "forbidden",
    )
    .await;
    refused(
        &mut fac,
        json!({"type":"show_on_screen","view":{"kind":"prompt","prompt_id":later}}),
        "draft_not_showable",
    )
    .await;
    refused(
        &mut fac,
        json!({"type":"show_on_screen","view":{"kind":"prompt","prompt_id":"p99"}}),
        "prompt_not_found",
    )
    .await;

    // A projector that opens now shows the same; one that resumes catches up to it.
    let (_, welcome) = server.screen("valkokangas").await;
    assert_eq!(
        welcome["screen"],
        json!({"kind":"prompt","prompt_id":ideas})
    );
    assert_eq!(welcome["prompt"]["id"], ideas.as_str());
    let texts: Vec<&str> = welcome["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["Kirjasto", "Salaisuus"]);
    anonymous(&welcome["items"]);
    assert_eq!(welcome["results"], json!({}));
    let mut resumed = Client::connect(&server.ws_url("valkokangas")).await;
    resumed
        .send(json!({"type":"hello","role":"screen","last_seq":resume_from}))
        .await;
    resumed.expect("resumed").await;
    let mut last_view = None;
    loop {
        let frame = resumed.next().await.expect("open");
        match frame["type"].as_str() {
            Some("screen_changed") => last_view = Some(frame["view"].clone()),
            Some("presence") => break,
            _ => {}
        }
    }
    assert_eq!(last_view, Some(json!({"kind":"prompt","prompt_id":ideas})));
    // The console's welcome says what the projector shows, and keeps the current prompt.
    let (_, welcome) = server.facilitator("valkokangas", &key).await;
    assert_eq!(
        welcome["screen"],
        json!({"kind":"prompt","prompt_id":ideas})
    );
    assert_eq!(welcome["prompt"]["id"], live.as_str());

    // Phones never heard of any of it (the group change is a frame they do get).
    command(&mut fac, json!({"type":"add_group","name":"Pöytä 1"})).await;
    for phone in [&mut a, &mut b] {
        loop {
            let frame = phone.next().await.expect("open");
            assert_ne!(frame["type"], "screen_changed", "{frame}");
            if frame["type"] == "groups_changed" {
                break;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_projector_view_survives_restarts_and_the_next_prompt_takes_it_back() {
    let server = TestServer::start().await;
    let key = server.create_session("muisti").await;
    let (mut fac, _) = server.facilitator("muisti", &key).await;
    let poll = add_and_open(
        &mut fac,
        json!({"kind":"poll","title":"Aamun kysely","options":["Kunta","Järjestö"],"show_results":"after_close"}),
    )
    .await;
    let (mut phone, _) = server.participant("muisti").await;
    ok(
        &mut phone,
        json!({"type":"vote","prompt_id":poll,"options":[1]}),
    )
    .await;
    add_and_open(&mut fac, json!({"kind":"brainstorm","title":"Keskustelu"})).await;
    let next = add_prompt(&mut fac, json!({"kind":"brainstorm","title":"Iltapäivä"})).await;
    let view = json!({"kind":"prompt","prompt_id":poll});
    command(&mut fac, json!({"type":"show_on_screen","view":view})).await;
    drop((fac, phone));

    // A clean restart (from the snapshot), then one from the journal alone.
    let server = server.restart().await;
    let (_, welcome) = server.screen("muisti").await;
    assert_eq!(welcome["screen"], view);
    assert_eq!(welcome["prompt"]["id"], poll.as_str());
    assert_eq!(welcome["results"][&poll]["counts"], json!([0, 1]));
    let server = server
        .restart_after(|dir| {
            std::fs::remove_file(dir.join("sessions/muisti/snapshot.json")).expect("snapshot");
        })
        .await;
    let (mut screen, welcome) = server.screen("muisti").await;
    assert_eq!(welcome["screen"], view);
    assert_eq!(welcome["results"][&poll]["counts"], json!([0, 1]));

    // Next: the projector follows the prompt just opened.
    let (mut fac, _) = server.facilitator("muisti", &key).await;
    let (_, events) = command(&mut fac, json!({"type":"next_prompt"})).await;
    let events: Vec<&Value> = events.iter().filter(|e| e["seq"].is_u64()).collect();
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(kinds, ["prompt_closed", "prompt_opened", "screen_changed"]);
    assert_eq!(events[2]["view"], json!({"kind":"follow"}));
    let opened = screen.until("prompt_opened").await;
    assert_eq!(opened["prompt"]["id"], next.as_str());
    let (changed, _) = until_screen_changed(&mut screen).await;
    assert_eq!(changed["view"], json!({"kind":"follow"}));
    assert_eq!(changed["prompt"]["id"], next.as_str());
    let (_, welcome) = server.screen("muisti").await;
    assert_eq!(welcome["screen"], json!({"kind":"follow"}));
    assert_eq!(welcome["prompt"]["id"], next.as_str());
}

/// A withdrawal is journaled like every command: after a restart the poll counts only the
/// answers that stand, and the phone that withdrew has no answer to show.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawn_poll_answer_stays_withdrawn_after_a_restart() {
    let server = TestServer::start().await;
    let key = server.create_session("peru").await;
    let (mut fac, _) = server.facilitator("peru", &key).await;
    let poll = add_and_open(
        &mut fac,
        json!({"kind":"poll","title":"Sektori?","options":["Kunta","Järjestö"]}),
    )
    .await;
    let (a_id, b_id) = (Uuid::new_v4(), Uuid::new_v4());
    let (mut a, _) = server.participant_as("peru", a_id).await;
    let (mut b, _) = server.participant_as("peru", b_id).await;
    ok(
        &mut a,
        json!({"type":"vote","prompt_id":poll,"options":[0]}),
    )
    .await;
    ok(
        &mut b,
        json!({"type":"vote","prompt_id":poll,"options":[1]}),
    )
    .await;
    ok(&mut a, json!({"type":"withdraw_vote","prompt_id":poll})).await;
    drop((a, b, fac));
    let server = server.restart().await;
    let (_, welcome) = server.facilitator("peru", &key).await;
    assert_eq!(welcome["results"][&poll]["voters"], 1, "{welcome}");
    assert_eq!(welcome["results"][&poll]["counts"], json!([0, 1]));
    let (_, mine) = server.participant_as("peru", a_id).await;
    assert!(mine["mine"].get("poll").is_none(), "{}", mine["mine"]);
    let (_, theirs) = server.participant_as("peru", b_id).await;
    assert_eq!(theirs["mine"]["poll"], json!([1]));
}

/// Fields of a matrix result's item, rounded to hundredths for comparing.
fn placed(item: &Value) -> (String, u64, f64, f64) {
    let round = |v: &Value| (v.as_f64().expect("a number") * 100.0).round() / 100.0;
    (
        item["text"].as_str().unwrap().to_owned(),
        item["n"].as_u64().unwrap(),
        round(&item["x"]),
        round(&item["y"]),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_matrix_places_the_items_of_an_earlier_prompt_on_two_axes() {
    let server = TestServer::start().await;
    let key = server.create_session("nelikentta").await;
    let (mut fac, _) = server.facilitator("nelikentta", &key).await;
    let (mut screen, _) = server.screen("nelikentta").await;
    let b_id = Uuid::new_v4();
    let (mut a, _) = server.participant("nelikentta").await;
    let (mut b, _) = server.participant_as("nelikentta", b_id).await;
    let ideas = add_and_open(
        &mut fac,
        json!({"kind":"brainstorm","title":"Mitä kehitetään?"}),
    )
    .await;
    let mut ids = Vec::new();
    for text in ["Nuorten osallisuus", "Kirjasto", "Roskaa"] {
        let id = Uuid::new_v4();
        ok(
            &mut a,
            json!({"type":"submit","id":id,"prompt_id":ideas,"text":text}),
        )
        .await;
        ids.push(id.to_string());
    }
    command(&mut fac, json!({"type":"hide_item","item_id":ids[2]})).await;
    // Results hidden from the projector until the close.
    let matrix = add_and_open(
        &mut fac,
        json!({"kind":"matrix","title":"Mihin kannattaa tarttua?","source":ideas,
            "x":{"label":"Vaikutus","low":"pieni","high":"suuri"},
            "y":{"label":"Toteutettavuus","low":"vaikea","high":"helppo"},
            "show_results":"after_close"}),
    )
    .await;
    let opened = loop {
        let opened = b.until("prompt_opened").await;
        if opened["prompt"]["id"] == matrix.as_str() {
            break opened;
        }
    };
    assert_eq!(opened["prompt"]["kind"], "matrix");
    assert_eq!(opened["prompt"]["x"]["high"], "suuri");
    let ballot: Vec<&str> = opened["prompt"]["ballot_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(ballot, ["Nuorten osallisuus", "Kirjasto"]);

    let place = |item: &str, x: u8, y: u8| json!({"type":"place","prompt_id":matrix,"item_id":item,"x":x,"y":y});
    ok(&mut a, place(&ids[0], 5, 1)).await;
    ok(&mut b, place(&ids[0], 2, 2)).await;
    // Placing again moves it.
    ok(&mut b, place(&ids[0], 3, 3)).await;
    ok(&mut b, place(&ids[1], 1, 5)).await;
    refused(&mut b, place(&ids[1], 6, 1), "invalid_choice").await;
    refused(&mut b, place(&ids[2], 1, 1), "not_on_ballot").await;
    refused(&mut b, place(&ideas, 1, 1), "invalid_message").await;
    refused(
        &mut b,
        json!({"type":"place","prompt_id":ideas,"item_id":ids[0],"x":1,"y":1}),
        "prompt_closed",
    )
    .await;
    ok(
        &mut a,
        json!({"type":"unplace","prompt_id":matrix,"item_id":ids[1]}),
    )
    .await;

    // The facilitator sees live results; the projector does not yet.
    let r = results_until(&mut fac, &matrix, |r| r["items"][0]["n"] == 2).await;
    assert_eq!(r["kind"], "matrix");
    assert_eq!(r["participants"], 2);
    let items = r["items"].as_array().unwrap();
    assert_eq!(
        placed(&items[0]),
        ("Nuorten osallisuus".into(), 2, 4.0, 2.0)
    );
    assert_eq!(items[0]["sx"], 1.0);
    assert_eq!(placed(&items[1]), ("Kirjasto".into(), 1, 1.0, 5.0));

    // A reconnecting phone gets its own placements back.
    drop(b);
    let (_b, welcome) = server.participant_as("nelikentta", b_id).await;
    let mine = &welcome["mine"]["places"];
    assert_eq!(mine[&ids[0]], json!([3, 3]));
    assert_eq!(mine[&ids[1]], json!([1, 5]));

    command(&mut fac, json!({"type":"close_prompt","prompt_id":matrix})).await;
    let mut saw_closed = false;
    loop {
        let frame = screen.next().await.expect("open");
        if frame["type"] == "prompt_closed" && frame["prompt"]["id"] == matrix.as_str() {
            saw_closed = true;
        }
        if frame["type"] == "results" && frame["prompt_id"] == matrix.as_str() {
            assert!(saw_closed, "results reached the projector before the close");
            assert_eq!(frame["results"]["items"][1]["y"], 5.0);
            break;
        }
    }
    refused(&mut a, place(&ids[0], 1, 1), "prompt_closed").await;

    // Every export carries it.
    let json_export = server
        .http(
            "GET",
            "/api/sessions/nelikentta/export.json",
            &[("Authorization", &format!("Bearer {key}"))],
            None,
        )
        .await
        .json();
    let prompt = &json_export["prompts"][1];
    assert_eq!(prompt["kind"], "matrix");
    assert_eq!(prompt["results"]["participants"], 2);
    let mut answers: Vec<usize> = prompt["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["places"].as_array().unwrap().len())
        .collect();
    answers.sort_unstable();
    assert_eq!(answers, [1, 2]);
}
