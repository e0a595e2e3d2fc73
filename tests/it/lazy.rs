//! Thousands of stored sessions: a session loads on first use and unloads when idle
//! (`Config::unload_after`), and everything that works on a loaded session works on an
//! unloaded one — a phone resuming, a command, an export, retention — with no request lost
//! or refused across the unload instant.

use std::time::Duration;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::*;

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// A server that unloads sessions idle for `unload_after`.
async fn server_unloading_after(unload_after: Duration) -> TestServer {
    TestServer::start_configured(|config| config.unload_after = unload_after).await
}

/// Waits until no session runs a task (the unload happened); fails after [`WAIT`].
async fn until_unloaded(server: &TestServer) {
    let limit = tokio::time::Instant::now() + WAIT;
    while server.hub().session_counts().live > 0 {
        assert!(tokio::time::Instant::now() < limit, "never unloaded");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A phone's hello with `last_seq`; returns the client and its first frame.
async fn phone_hello(server: &TestServer, slug: &str, id: Uuid, last_seq: u64) -> (Client, Value) {
    let mut client = Client::connect(&server.ws_url(slug)).await;
    client
        .send(json!({"type":"hello","role":"participant","participant_id":id,"last_seq":last_seq}))
        .await;
    let first = client.next().await.expect("an answer to hello");
    (client, first)
}

/// The items of `slug`'s JSON export, by text.
async fn exported_texts(server: &TestServer, slug: &str, key: &str) -> Vec<String> {
    let export = server
        .get_with_key(&format!("/api/sessions/{slug}/export.json"), key)
        .await;
    assert_eq!(export.status, 200, "{}", export.text());
    let mut texts: Vec<String> = export.json()["prompts"]
        .as_array()
        .expect("prompts")
        .iter()
        .flat_map(|p| p["items"].as_array().cloned().unwrap_or_default())
        .filter_map(|i| i["text"].as_str().map(str::to_owned))
        .collect();
    texts.sort();
    texts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_unloads_and_a_phone_resumes_with_every_item() {
    let server = server_unloading_after(Duration::from_millis(200)).await;
    let key = server.create_session("lepo").await;
    let (mut facilitator, _) = server.facilitator("lepo", &key).await;
    let prompt = open_prompt(&mut facilitator, "Mitä jäi mieleen?").await;
    let id = Uuid::new_v4();
    let (mut phone, welcome) = server.participant_as("lepo", id).await;
    let early = welcome["seq"].as_u64().expect("seq");
    for n in 0..3 {
        ok(
            &mut phone,
            json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":format!("ajatus {n}")}),
        )
        .await;
    }
    assert_eq!(server.hub().session_counts().live, 1);
    drop((phone, facilitator));
    until_unloaded(&server).await;
    let counts = server.hub().session_counts();
    assert_eq!((counts.live, counts.stored), (0, 1));

    // The phone comes back with the seq it had before its items: a whole welcome.
    let (mut phone, first) = phone_hello(&server, "lepo", id, early).await;
    assert_eq!(first["type"], "welcome", "{first}");
    assert_eq!(server.hub().session_counts().live, 1, "loaded again");
    ok(
        &mut phone,
        json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":"ajatus 3"}),
    )
    .await;
    let (_screen, welcome) = server.screen("lepo").await;
    let items = welcome["items"].as_array().expect("items");
    assert_eq!(items.len(), 4, "every item, before and after: {welcome}");

    // Current again, then idle again: a resume claims nothing is missing.
    let seq = ok(
        &mut phone,
        json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":"ajatus 4"}),
    )
    .await["seq"]
        .as_u64()
        .expect("seq");
    drop((phone, _screen));
    until_unloaded(&server).await;
    let (_phone, first) = phone_hello(&server, "lepo", id, seq).await;
    assert!(
        first["type"] == "resumed" || first["type"] == "welcome",
        "{first}"
    );
    assert_eq!(first["seq"].as_u64(), Some(seq), "{first}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_exports_and_restarts_reach_an_unloaded_session() {
    let server = server_unloading_after(Duration::from_millis(100)).await;
    let key = server.create_session("kylma").await;
    let (mut facilitator, _) = server.facilitator("kylma", &key).await;
    let prompt = open_prompt(&mut facilitator, "Kylmä").await;
    let (mut phone, _) = server.participant("kylma").await;
    ok(
        &mut phone,
        json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":"ennen"}),
    )
    .await;
    drop((phone, facilitator));
    until_unloaded(&server).await;

    // An export loads it and reads every item.
    assert_eq!(exported_texts(&server, "kylma", &key).await, ["ennen"]);
    until_unloaded(&server).await;

    // A facilitator's command reloads it and is acknowledged.
    let (mut facilitator, welcome) = server.facilitator("kylma", &key).await;
    assert_eq!(welcome["type"], "welcome");
    command(
        &mut facilitator,
        json!({"type":"close_prompt","prompt_id":prompt}),
    )
    .await;
    drop(facilitator);
    until_unloaded(&server).await;

    // A restart lists it without loading it; it loads on first use with everything.
    let server = server.restart().await;
    let counts = server.hub().session_counts();
    assert_eq!((counts.live, counts.stored), (0, 1));
    assert_eq!(exported_texts(&server, "kylma", &key).await, ["ennen"]);
    // A stored name is taken.
    let taken = server
        .http(
            "POST",
            "/api/sessions",
            &[],
            Some(&json!({"slug":"kylma","title":"Toinen","language":"fi"})),
        )
        .await;
    assert_eq!(taken.status, 409, "{}", taken.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_deletes_an_unloaded_session_without_loading_it() {
    let server = server_unloading_after(Duration::from_millis(100)).await;
    let key = server.create_session("unohdettu").await;
    let (facilitator, _) = server.facilitator("unohdettu", &key).await;
    drop(facilitator);
    let other = server.create_session("toinen").await;
    until_unloaded(&server).await;
    let server = server.restart().await;
    let dir = server.data_dir.join("sessions/unohdettu");
    let now = server.hub().clock().now_ms();

    server.hub().expire(90, now + 89 * DAY_MS).await;
    assert!(dir.is_dir(), "89 days idle: kept");
    server.hub().expire(90, now + 91 * DAY_MS).await;
    assert!(!dir.exists(), "91 days idle: the files are gone");
    let counts = server.hub().session_counts();
    assert_eq!(
        (counts.live, counts.stored),
        (0, 0),
        "both gone, none loaded"
    );
    assert!(server.hub().get("unohdettu").await.is_none());
    assert_eq!(upgrade(server.addr, "/ws/toinen", &[]).await.status, 404);
    let export = server
        .get_with_key("/api/sessions/toinen/export.json", &other)
        .await;
    assert_eq!(export.status, 404);
}

/// Many phones join and submit right around the unload instant, over and over, with an
/// unload time shorter than the gaps between rounds: every submission is acknowledged
/// (never `unavailable`, never a closed socket) and every acknowledged item is on disk after a
/// restart (two tasks writing one journal would lose or garble some).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joins_and_commands_racing_the_unload_are_all_served() {
    const ROUNDS: usize = 30;
    const PHONES: usize = 6;
    let unload_after = Duration::from_millis(20);
    let server = server_unloading_after(unload_after).await;
    let key = server.create_session("kilpa").await;
    let (mut facilitator, _) = server.facilitator("kilpa", &key).await;
    let prompt = open_prompt(&mut facilitator, "Kilpa").await;
    // No time limit: a running time box would keep the session loaded.
    command(
        &mut facilitator,
        json!({"type":"close_prompt","prompt_id":prompt}),
    )
    .await;
    let draft = json!({"kind":"brainstorm","title":"Kilpajuoksu"});
    let prompt = add_and_open(&mut facilitator, draft).await;
    drop(facilitator);
    let mut acked = Vec::new();
    for round in 0..ROUNDS {
        let joins = (0..PHONES).map(|n| {
            let (url, prompt) = (server.ws_url("kilpa"), prompt.clone());
            // Spread around the unload instant: before it, at it, just after.
            let wait = Duration::from_micros(random_below(30_000));
            async move {
                tokio::time::sleep(wait).await;
                let mut phone = Client::connect(&url).await;
                phone
                    .send(json!({"type":"hello","role":"participant","participant_id":Uuid::new_v4()}))
                    .await;
                let welcome = phone.expect("welcome").await;
                assert_eq!(welcome["type"], "welcome");
                let text = format!("kierros {round} puhelin {n}");
                let reply = ask(
                    &mut phone,
                    json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":text}),
                )
                .await;
                assert_eq!(reply["type"], "ack", "{reply}");
                text
            }
        });
        acked.extend(futures_util::future::join_all(joins).await);
        let counts = server.hub().session_counts();
        assert!(counts.live <= 1, "one task at most: {counts:?}");
    }
    acked.sort();
    let server = server.restart().await;
    assert_eq!(exported_texts(&server, "kilpa", &key).await, acked);
}

/// A time box that closes its prompt by itself keeps the session loaded until it has: the
/// tick that closes it runs in the session's task. Once it is closed, the session unloads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_time_box_keeps_its_session_loaded() {
    let unload_after = Duration::from_millis(50);
    let server = server_unloading_after(unload_after).await;
    let key = server.create_session("aika").await;
    let (mut facilitator, _) = server.facilitator("aika", &key).await;
    let prompt = add_and_open(
        &mut facilitator,
        json!({"kind":"brainstorm","title":"Minuutti","time_limit_secs":60,"auto_close":true}),
    )
    .await;
    drop(facilitator);
    // Ten unload times idle, far from the minute's end: still loaded.
    tokio::time::sleep(unload_after * 10).await;
    assert_eq!(
        server.hub().session_counts().live,
        1,
        "kept for its time box"
    );
    let (mut facilitator, _) = server.facilitator("aika", &key).await;
    command(
        &mut facilitator,
        json!({"type":"close_prompt","prompt_id":prompt}),
    )
    .await;
    drop(facilitator);
    until_unloaded(&server).await;
}

/// Writes session `slug` into `data` as a stopped server leaves it: a brainstorm with
/// `items` items, last changed `age_ms` ago. Returns its facilitator key.
fn write_stored(data: &std::path::Path, slug: &str, items: usize, age_ms: u64) -> String {
    use paja::session::{Command, Session, SessionMeta, SessionName};
    let store = paja::store::Store::open(data).expect("store");
    let now = paja::clock::Clock::system().now_ms() - age_ms;
    let key = paja::keys::new_key();
    let mut session = Session::new(SessionMeta {
        slug: SessionName::parse(slug).expect("name"),
        title: format!("Arkisto {slug}"),
        language: Default::default(),
        created_at: now,
        key_hash: paja::keys::hash_key(&key),
        time_zone: Default::default(),
        series: None,
    });
    let mut files = store.create(&session).expect("created");
    let mut journal = Vec::new();
    let mut commands = vec![
        json!({"type":"add_prompt","prompt":{"kind":"brainstorm","title":"Mitä?"}}),
        json!({"type":"open_prompt","prompt_id":"p1"}),
    ];
    commands.extend((0..items).map(|n| json!({"type":"submit","participant":Uuid::new_v4(),"item_id":Uuid::new_v4(),"prompt_id":"p1","text":format!("asia {n}")})));
    for command in &commands {
        let command: Command = serde_json::from_value(command.clone()).expect("command");
        session.apply(&command, now).expect("applies");
        paja::store::encode_record(&mut journal, session.seq(), now, &command.normalized());
    }
    files.append(&journal, commands.len()).expect("journaled");
    let snapshot = paja::store::encode_snapshot_at(&session, Some(now)).expect("encoded");
    files.snapshot(&snapshot, session.seq()).expect("snapshot");
    key
}

/// The real binary on 50 stored sessions (the benchmark's 10,000 in small): the expired ones
/// are deleted without a first use, every other one loads on its first join with its items.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_stored_sessions_load_on_first_use_and_expire_unloaded() {
    let data = tempfile::tempdir().expect("tempdir");
    let mut keys = Vec::new();
    for n in 0..50 {
        let age = if n % 5 == 0 { 100 * DAY_MS } else { DAY_MS };
        keys.push(write_stored(data.path(), &format!("arkisto-{n}"), 10, age));
    }
    let paja = Paja::spawn(
        data.path(),
        &["--retention-days", "90", "--unload-after-secs", "1"],
    );
    let sessions = data.path().join("sessions");
    let limit = tokio::time::Instant::now() + WAIT;
    while std::fs::read_dir(&sessions).expect("dir").count() > 40 {
        assert!(tokio::time::Instant::now() < limit, "the expired ones stay");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for n in 0..50 {
        let slug = format!("arkisto-{n}");
        if n % 5 == 0 {
            let status = upgrade(paja.addr, &format!("/ws/{slug}"), &[]).await.status;
            assert_eq!(status, 404, "{slug} expired");
            continue;
        }
        // The projector's welcome (no key: key checks are rate-limited per address).
        let mut screen = Client::connect(&paja.ws_url(&slug)).await;
        screen.send(json!({"type":"hello","role":"screen"})).await;
        let welcome = screen.expect("welcome").await;
        assert_eq!(
            welcome["items"].as_array().map(Vec::len),
            Some(10),
            "{slug}"
        );
    }
    // The facilitator's key opens it too, with every item.
    assert_eq!(
        stored_items(&paja.ws_url("arkisto-49"), &keys[49])
            .await
            .len(),
        10
    );
}
