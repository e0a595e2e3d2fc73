//! Questions to the speaker over real websockets: 100 phones upvote at once (some take a vote
//! back); afterwards every phone's wall and the projector show exactly the vote counts the
//! export holds, and the projector's top five are the export's. Also the wire of a question:
//! a name where names are allowed, `names_off` where not, `mark_answered` and one highlight.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{add_and_open, ask, command, ok, Client, TestServer, WAIT};

/// Phones voting at once.
const PHONES: usize = 100;
/// Questions asked before the vote.
const QUESTIONS: usize = 12;

/// A server whose phones may send as fast as they can.
async fn start() -> TestServer {
    TestServer::start_configured(|c| {
        c.participant_rate = 1000;
        c.participant_burst = 1000;
    })
    .await
}

/// Votes per question as a client has them, from the frames it was sent.
#[derive(Debug, Default)]
struct Tally {
    /// Item id → likes.
    likes: HashMap<String, u64>,
    /// Item id → (answered, created_at) for ranking.
    meta: HashMap<String, (bool, u64)>,
}

impl Tally {
    fn put(&mut self, item: &Value) {
        let id = item["id"].as_str().expect("id").to_owned();
        self.likes
            .insert(id.clone(), item["likes"].as_u64().expect("likes"));
        self.meta.insert(
            id,
            (
                item["answered"].as_bool().unwrap_or(false),
                item["created_at"].as_u64().unwrap_or(0),
            ),
        );
    }

    /// A phone's frames: the wall (whole or changes) and erasures.
    fn phone_frame(&mut self, frame: &Value) {
        if frame["type"] == "wall" {
            if frame["full"] == true {
                self.likes.clear();
            }
            for item in frame["items"].as_array().into_iter().flatten() {
                self.put(item);
            }
            for gone in frame["removed"].as_array().into_iter().flatten() {
                self.likes.remove(gone.as_str().unwrap_or_default());
            }
        }
    }

    /// The projector's frames: items added and updated, removed.
    fn screen_frame(&mut self, frame: &Value) {
        match frame["type"].as_str() {
            Some("item_added" | "item_updated" | "item_unhidden") => self.put(&frame["item"]),
            Some("item_removed" | "item_hidden" | "item_erased") => {
                self.likes
                    .remove(frame["item_id"].as_str().unwrap_or_default());
            }
            _ => {}
        }
    }

    /// The top `n` as the projector ranks them: unanswered first, most votes, oldest.
    fn top(&self, n: usize) -> Vec<String> {
        let mut ids: Vec<&String> = self.likes.keys().collect();
        ids.sort_by_key(|id| {
            let (answered, at) = self.meta.get(*id).copied().unwrap_or_default();
            (
                answered,
                std::cmp::Reverse(self.likes[*id]),
                at,
                (*id).clone(),
            )
        });
        ids.into_iter().take(n).cloned().collect()
    }
}

/// Reads `client`'s frames into `tally` until it equals `want` (bounded by [`WAIT`]).
async fn until_equal(
    client: &mut Client,
    tally: &mut Tally,
    want: &HashMap<String, u64>,
    read: fn(&mut Tally, &Value),
) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while tally.likes != *want {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let frame = tokio::time::timeout(left, client.next())
            .await
            .unwrap_or_else(|_| panic!("never consistent: {:?} vs {want:?}", tally.likes))
            .expect("open");
        read(tally, &frame);
    }
}

/// A phone's request, reading the wall frames that arrive before its reply.
async fn phone_ask(phone: &mut Client, tally: &mut Tally, mut frame: Value) -> Value {
    let id = Uuid::new_v4().to_string();
    frame["id"] = json!(id);
    phone.send(frame).await;
    loop {
        let reply = phone.next().await.expect("open");
        if reply["id"] == json!(id) {
            return reply;
        }
        tally.phone_frame(&reply);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_phones_vote_at_once_and_every_view_matches_the_export() {
    let server = start().await;
    let key = server.create_session("kysy").await;
    let (mut facilitator, _) = server.facilitator("kysy", &key).await;
    let prompt = add_and_open(
        &mut facilitator,
        json!({"kind":"questions","title":"Kysymykset puhujalle"}),
    )
    .await;
    let (mut screen, welcome) = server.screen("kysy").await;
    let mut on_screen = Tally::default();
    for item in welcome["items"].as_array().into_iter().flatten() {
        on_screen.put(item);
    }
    // Twelve askers send one question each.
    let mut questions = Vec::new();
    for n in 0..QUESTIONS {
        let (mut asker, _) = server.participant("kysy").await;
        let id = Uuid::new_v4().to_string();
        let text = format!("Kysymys {n}: miten tämä vaikuttaa kuntiin?");
        ok(
            &mut asker,
            json!({"type":"submit","id":id,"prompt_id":prompt,"text":text}),
        )
        .await;
        questions.push(id);
    }
    // 100 phones connect, then all vote at once: phone k upvotes a spread of questions
    // (more for the first ones), and every third takes one vote back.
    let mut phones = Vec::new();
    for _ in 0..PHONES {
        let (client, welcome) = server.participant("kysy").await;
        let mut tally = Tally::default();
        for item in welcome["wall"].as_array().into_iter().flatten() {
            tally.put(item);
        }
        phones.push((client, tally));
    }
    let started = std::time::Instant::now();
    let tasks: Vec<_> = phones
        .into_iter()
        .enumerate()
        .map(|(k, (mut client, mut tally))| {
            let questions = questions.clone();
            tokio::spawn(async move {
                let chosen: Vec<&String> = questions
                    .iter()
                    .enumerate()
                    .filter(|(q, _)| (k * 7 + q * 3) % (q + 2) != 0)
                    .map(|(_, id)| id)
                    .collect();
                for id in &chosen {
                    let reply = phone_ask(
                        &mut client,
                        &mut tally,
                        json!({"type":"like","item_id":id,"liked":true}),
                    )
                    .await;
                    assert_eq!(reply["type"], "ack", "{reply}");
                }
                if k % 3 == 0 {
                    if let Some(id) = chosen.first() {
                        let reply = phone_ask(
                            &mut client,
                            &mut tally,
                            json!({"type":"like","item_id":id,"liked":false}),
                        )
                        .await;
                        assert_eq!(reply["type"], "ack", "{reply}");
                    }
                }
                (client, tally)
            })
        })
        .collect();
    let mut phones = Vec::new();
    for task in tasks {
        phones.push(task.await.expect("phone task"));
    }
    let voted = started.elapsed();
    // The server's truth: the export.
    let export = server
        .get_with_key("/api/sessions/kysy/export.json", &key)
        .await
        .json();
    let items = export["prompts"][0]["items"].as_array().expect("items");
    let want: HashMap<String, u64> = items
        .iter()
        .map(|i| {
            (
                i["id"].as_str().expect("id").to_owned(),
                i["likes"].as_u64().expect("likes"),
            )
        })
        .collect();
    assert_eq!(want.len(), QUESTIONS);
    assert!(want.values().sum::<u64>() > 500, "{want:?}");
    let settled = std::time::Instant::now();
    for (client, tally) in &mut phones {
        until_equal(client, tally, &want, Tally::phone_frame).await;
    }
    until_equal(&mut screen, &mut on_screen, &want, Tally::screen_frame).await;
    eprintln!(
        "questions figure: {PHONES} phones cast {} votes in {} ms; every view consistent {} ms later",
        want.values().sum::<u64>(),
        voted.as_millis(),
        settled.elapsed().as_millis()
    );
    // The projector's top five are the export's (unanswered first, most votes, oldest).
    let mut ranked: Vec<&Value> = items.iter().collect();
    ranked.sort_by_key(|i| {
        (
            i["answered"].as_bool().unwrap_or(false),
            std::cmp::Reverse(i["likes"].as_u64().unwrap_or(0)),
            i["created_at"].as_str().unwrap_or_default().to_owned(),
            i["id"].as_str().unwrap_or_default().to_owned(),
        )
    });
    let top: Vec<String> = ranked[..5]
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(on_screen.top(5), top);
    // Answering the top one moves it below the rest on the projector.
    command(
        &mut facilitator,
        json!({"type":"mark_answered","item_id":top[0],"answered":true}),
    )
    .await;
    while !on_screen.meta.get(&top[0]).is_some_and(|m| m.0) {
        let frame = tokio::time::timeout(Duration::from_secs(10), screen.next())
            .await
            .expect("answered reaches the projector")
            .expect("open");
        on_screen.screen_frame(&frame);
    }
    assert_eq!(on_screen.top(5)[..4], top[1..5]);
    assert_ne!(on_screen.top(5)[0], top[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_carries_its_name_only_where_names_are_allowed() {
    let server = start().await;
    let key = server.create_session("nimet").await;
    let (mut facilitator, _) = server.facilitator("nimet", &key).await;
    let anonymous = add_and_open(
        &mut facilitator,
        json!({"kind":"questions","title":"Nimettömät"}),
    )
    .await;
    let (mut phone, _) = server.participant("nimet").await;
    let refused = ask(
        &mut phone,
        json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":anonymous,"text":"Kuka?","name":"Maija"}),
    )
    .await;
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["code"], "names_off");
    let signed = add_and_open(
        &mut facilitator,
        json!({"kind":"questions","names":true,"title":"Nimelliset"}),
    )
    .await;
    let (mut screen, _) = server.screen("nimet").await;
    let first = Uuid::new_v4();
    ok(
        &mut phone,
        json!({"type":"submit","id":first,"prompt_id":signed,"text":"Kuka vastaa?","name":" Maija "}),
    )
    .await;
    let shown = screen.until("item_added").await;
    assert_eq!(shown["item"]["name"], "Maija");
    let second = Uuid::new_v4();
    ok(
        &mut phone,
        json!({"type":"submit","id":second,"prompt_id":signed,"text":"Entä huomenna?"}),
    )
    .await;
    // One highlight at a time: starring the second unstars the first.
    command(
        &mut facilitator,
        json!({"type":"star_item","item_id":first,"starred":true}),
    )
    .await;
    let (_, events) = command(
        &mut facilitator,
        json!({"type":"star_item","item_id":second,"starred":true}),
    )
    .await;
    let starred: Vec<(String, bool)> = events
        .iter()
        .filter(|e| e["type"] == "item_updated")
        .map(|e| {
            (
                e["item"]["id"].as_str().unwrap_or_default().to_owned(),
                e["item"]["starred"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        starred,
        [(first.to_string(), false), (second.to_string(), true)]
    );
    let (_, events) = command(
        &mut facilitator,
        json!({"type":"mark_answered","item_id":second,"answered":true}),
    )
    .await;
    let updated = events
        .iter()
        .find(|e| e["type"] == "item_updated")
        .expect("item_updated");
    assert_eq!(
        (&updated["item"]["answered"], &updated["item"]["starred"]),
        (&json!(true), &json!(false))
    );
    // Not a question: a typed refusal.
    let brainstorm = add_and_open(
        &mut facilitator,
        json!({"kind":"brainstorm","title":"Ideat"}),
    )
    .await;
    let idea = Uuid::new_v4();
    ok(
        &mut phone,
        json!({"type":"submit","id":idea,"prompt_id":brainstorm,"text":"idea"}),
    )
    .await;
    facilitator
        .send(json!({"type":"mark_answered","id":"r1","item_id":idea,"answered":true}))
        .await;
    let reply = loop {
        let f = facilitator.next().await.expect("open");
        if f["id"] == "r1" {
            break f;
        }
    };
    assert_eq!(reply["code"], "wrong_activity", "{reply}");
}
