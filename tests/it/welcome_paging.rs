//! The facilitator's welcome is bounded: a session with more items than
//! `protocol::WELCOME_ITEMS_MAX` welcomes the console with the newest ones and an
//! `items_before` cursor, and `items` requests page the rest — every item exactly once, also
//! while items keep arriving, after a reconnect, and never for a phone or the projector.

use std::collections::HashMap;

use paja::protocol::{ITEMS_PAGE_MAX, WELCOME_ITEMS_MAX};
use paja::session::{Command, ItemId, ParticipantId, PromptId};
use serde_json::json;
use uuid::Uuid;

use crate::support::{add_and_open, Client, TestServer};

const SLUG: &str = "sivut";
/// Enough for the welcome and two pages, the last one partial.
const ITEMS: usize = WELCOME_ITEMS_MAX + ITEMS_PAGE_MAX + 500;

/// A session with a brainstorm holding `ITEMS` items (sent straight to the session, past the
/// phones' rate limits), each from a participant of its own; returns the key.
async fn crowded_session(server: &TestServer) -> String {
    let key = server.create_session(SLUG).await;
    let (mut facilitator, _) = server.facilitator(SLUG, &key).await;
    let prompt = add_and_open(
        &mut facilitator,
        json!({"kind":"brainstorm","title":"Mitä puuttuu?"}),
    )
    .await;
    let handle = server.hub().get(SLUG).await.expect("session");
    let mut replies = Vec::new();
    for n in 0..ITEMS {
        let submit = Command::Submit {
            participant: ParticipantId(Uuid::new_v4()),
            item_id: ItemId(Uuid::new_v4()),
            prompt_id: PromptId(prompt.clone()),
            text: format!("idea {n}"),
            column: None,
            name: None,
        };
        replies.push(handle.command(submit).await);
    }
    for reply in replies {
        reply.await.expect("answered").expect("accepted");
    }
    key
}

/// Sends `items` requests from `before` until no `items_before` comes back; every item
/// received, by id, with how many times it came.
async fn page_all(
    facilitator: &mut Client,
    mut before: Option<u64>,
    seen: &mut HashMap<String, usize>,
) -> usize {
    let mut pages = 0;
    while let Some(cursor) = before {
        pages += 1;
        facilitator
            .send(json!({"type":"items","id":pages,"before":cursor}))
            .await;
        let page = facilitator.until("items").await;
        assert_eq!(page["id"], json!(pages), "the integer id comes back");
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= ITEMS_PAGE_MAX);
        let seqs: Vec<u64> = items
            .iter()
            .map(|i| i["seq"].as_u64().expect("seq"))
            .collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "oldest first");
        assert!(
            seqs.iter().all(|&s| s < cursor),
            "only items below the cursor"
        );
        for item in items {
            *seen
                .entry(item["id"].as_str().expect("id").to_owned())
                .or_default() += 1;
        }
        before = page["items_before"].as_u64();
        assert_eq!(page.get("items_before").is_some(), before.is_some());
    }
    pages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_facilitator_welcome_is_bounded_and_paging_returns_every_item_once() {
    let server = TestServer::start().await;
    let key = crowded_session(&server).await;
    let (mut facilitator, welcome) = server.facilitator(SLUG, &key).await;
    let items = welcome["items"].as_array().expect("items");
    assert_eq!(items.len(), WELCOME_ITEMS_MAX, "the welcome is bounded");
    // The newest ones: the last ITEMS_MAX sent.
    let texts: Vec<&str> = items.iter().map(|i| i["text"].as_str().unwrap()).collect();
    assert_eq!(
        texts.first(),
        Some(&format!("idea {}", ITEMS - WELCOME_ITEMS_MAX).as_str())
    );
    assert_eq!(texts.last(), Some(&format!("idea {}", ITEMS - 1).as_str()));
    let before = welcome["items_before"]
        .as_u64()
        .expect("a cursor for the rest");
    assert_eq!(Some(before), items[0]["seq"].as_u64());

    let mut seen: HashMap<String, usize> = HashMap::new();
    for item in items {
        *seen
            .entry(item["id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let pages = page_all(&mut facilitator, Some(before), &mut seen).await;
    assert_eq!(pages, 2);
    assert_eq!(seen.len(), ITEMS, "every item");
    assert!(seen.values().all(|&n| n == 1), "each exactly once");
    // The tests' own reader of a session's items (crash.rs tallies with it) pages the same way.
    let all = crate::support::stored_items(&server.ws_url(SLUG), &key).await;
    let ids: std::collections::HashSet<&str> =
        all.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(
        (all.len(), ids.len()),
        (ITEMS, ITEMS),
        "stored_items reads them all"
    );

    // A cursor below every item: an empty page and nothing more.
    facilitator
        .send(json!({"type":"items","id":"end","before":1}))
        .await;
    let page = facilitator.until("items").await;
    assert_eq!(
        (page["id"].as_str(), page["items"].as_array().map(Vec::len)),
        (Some("end"), Some(0))
    );
    assert!(page.get("items_before").is_none());
    // A malformed request is the facilitator's invalid_message.
    facilitator
        .send(json!({"type":"items","id":"bad","before":"x"}))
        .await;
    let error = facilitator.until("error").await;
    assert_eq!(
        (&error["code"], &error["id"]),
        (&json!("invalid_message"), &json!("bad"))
    );

    // Phones and the projector may not page (and their welcomes have no cursor).
    let (mut phone, phone_welcome) = server.participant(SLUG).await;
    assert!(phone_welcome.get("items_before").is_none());
    phone
        .send(json!({"type":"items","id":"p","before":before}))
        .await;
    let refused = phone.until("error").await;
    assert_eq!(
        (&refused["code"], &refused["id"]),
        (&json!("forbidden"), &json!("p"))
    );
    let (mut screen, screen_welcome) = server.screen(SLUG).await;
    assert!(screen_welcome.get("items_before").is_none());
    screen
        .send(json!({"type":"items","id":"s","before":before}))
        .await;
    assert_eq!(screen.until("error").await["code"], "forbidden");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_while_items_arrive_misses_nothing_and_repeats_nothing() {
    let server = TestServer::start().await;
    let key = crowded_session(&server).await;
    let (mut facilitator, welcome) = server.facilitator(SLUG, &key).await;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for item in welcome["items"].as_array().unwrap() {
        *seen
            .entry(item["id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    // New items arrive as events while the console pages backwards through the old ones.
    let prompt = welcome["prompt"]["id"]
        .as_str()
        .expect("open prompt")
        .to_owned();
    let (mut phone, _) = server.participant(SLUG).await;
    let mut before = welcome["items_before"].as_u64();
    let mut added = 0;
    let mut page = 0;
    while let Some(cursor) = before {
        page += 1;
        let item = Uuid::new_v4();
        phone
            .send(
                json!({"type":"submit","id":item,"prompt_id":prompt,"text":format!("uusi {page}")}),
            )
            .await;
        added += 1;
        facilitator
            .send(json!({"type":"items","id":page,"before":cursor}))
            .await;
        loop {
            let frame = facilitator.next().await.expect("open");
            match frame["type"].as_str() {
                Some("item_added") => {
                    *seen
                        .entry(frame["item"]["id"].as_str().unwrap().to_owned())
                        .or_default() += 1;
                }
                Some("items") => {
                    for item in frame["items"].as_array().unwrap() {
                        *seen
                            .entry(item["id"].as_str().unwrap().to_owned())
                            .or_default() += 1;
                    }
                    before = frame["items_before"].as_u64();
                    break;
                }
                _ => {}
            }
        }
    }
    // The last new items' events may still be on their way.
    while seen.len() < ITEMS + added {
        let frame = facilitator.until("item_added").await;
        *seen
            .entry(frame["item"]["id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert_eq!(seen.len(), ITEMS + added);
    assert!(seen.values().all(|&n| n == 1), "each exactly once");
    // A fresh welcome (a reconnect) is bounded again, and starts paging again.
    let (_again, welcome) = server.facilitator(SLUG, &key).await;
    assert_eq!(
        welcome["items"].as_array().map(Vec::len),
        Some(WELCOME_ITEMS_MAX)
    );
    assert!(welcome["items_before"].is_u64());
}

/// The console in Chromium shows every item of a session larger than its welcome: it pages the
/// rest in by itself, one request per page (`tests/browser/paging.mjs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_pages_in_every_item() {
    if crate::node::skipped("paging.mjs") {
        return;
    }
    let _turn = crate::node::ONE_BROWSER.lock().await;
    let server = TestServer::start().await;
    let key = crowded_session(&server).await;
    let control = format!("/{SLUG}/control#key={key}");
    let items = ITEMS.to_string();
    crate::node::run_node(
        "paging.mjs",
        &format!("http://{}", server.addr),
        &[("PAJA_CONTROL", &control), ("PAJA_ITEMS", &items)],
        std::time::Duration::from_secs(300),
    )
    .await;
}
