//! Durability beyond a crash: a full disk, a corrupt snapshot, a polite SIGTERM.

use std::fs;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::sync::watch;
use uuid::Uuid;

use crate::crash::{session_with_prompt, tally, LOAD};
use crate::support::{
    http, open_prompt, random_below, stored_items, Client, Paja, Phone, TestServer, WAIT,
};

fn ids(items: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = items
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn sorted(ids: &[Uuid]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    ids.sort();
    ids
}

async fn submit(phone: &mut Client, prompt: &str, id: Uuid, text: &str) -> Value {
    phone
        .send(json!({"type":"submit","id":id,"prompt_id":prompt,"text":text}))
        .await;
    loop {
        let frame = phone.next().await.expect("connection open");
        if frame["id"] == id.to_string() {
            return frame;
        }
    }
}

/// Pings and waits for the pong; returns the frames that came before it.
async fn ping(client: &mut Client) -> Vec<Value> {
    let id = Uuid::new_v4().to_string();
    client.send(json!({"type":"ping","id":id})).await;
    let mut before = Vec::new();
    loop {
        let frame = client.next().await.expect("still connected");
        if frame["type"] == "pong" && frame["id"] == id {
            return before;
        }
        before.push(frame);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_items_and_recovers_when_space_returns() {
    let tmp = tempfile::tempdir().unwrap();
    let fault = paja::store::WriteFault::default();
    let server = TestServer::start_with(paja::Config {
        data_dir: tmp.path().to_path_buf(),
        write_fault: fault.clone(),
        ..paja::Config::default()
    })
    .await;
    let key = server.create_session("levy").await;
    let (mut facilitator, _) = server.facilitator("levy", &key).await;
    let prompt = open_prompt(&mut facilitator, "Mahtuuko?").await;
    let (mut phone, _) = server.participant("levy").await;
    let (mut other, _) = server.participant("levy").await;
    let (mut screen, _) = server.screen("levy").await;

    let first = Uuid::new_v4();
    let ack = submit(&mut phone, &prompt, first, "ennen").await;
    assert_eq!(ack["type"], "ack", "{ack}");

    fault.set(true);
    let refused = Uuid::new_v4();
    let answer = submit(&mut phone, &prompt, refused, "levy täynnä").await;
    assert_eq!(answer["type"], "error", "never acked: {answer}");
    assert_eq!(answer["code"], "storage_unavailable");
    // Everyone stays connected and served.
    ping(&mut phone).await;
    ping(&mut other).await;
    let mut on_screen = ping(&mut screen).await;
    on_screen.reverse();
    ping(&mut facilitator).await;
    // A new facilitator connection sees the state on disk: not the refused item.
    let items = stored_items(&server.ws_url("levy"), &key).await;
    assert_eq!(ids(&items), sorted(&[first]));
    // Creating a session is refused too, and leaves nothing behind.
    let create = json!({"slug":"uusi","title":"Uusi"});
    let response = server
        .http("POST", "/api/sessions", &[], Some(&create))
        .await;
    assert_eq!(response.status, 503);
    assert_eq!(response.json()["error"]["code"], "storage_unavailable");

    fault.set(false);
    // The phone's outbox sends the refused item again: now it is stored.
    let ack = submit(&mut phone, &prompt, refused, "levy täynnä").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let third = Uuid::new_v4();
    let ack = submit(&mut other, &prompt, third, "jälkeen").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let response = server
        .http("POST", "/api/sessions", &[], Some(&create))
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    // The projector saw each accepted item once, in order, and never the refused attempt.
    let mut shown = Vec::new();
    while shown.len() < 3 {
        let frame = match on_screen.pop() {
            Some(frame) => frame,
            None => screen.next().await.expect("screen connected"),
        };
        if frame["type"] == "item_added" {
            shown.push(frame["item"]["text"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(shown, ["ennen", "levy täynnä", "jälkeen"]);

    drop((phone, other, screen, facilitator));
    let server = server.restart().await;
    let items = stored_items(&server.ws_url("levy"), &key).await;
    assert_eq!(ids(&items), sorted(&[first, refused, third]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_snapshot_is_moved_aside_and_the_session_rebuilt() {
    let mut server = TestServer::start().await;
    let mut expected = Vec::new();
    let mut keys = Vec::new();
    for slug in ["rikki", "ehja"] {
        let key = server.create_session(slug).await;
        let (mut facilitator, _) = server.facilitator(slug, &key).await;
        let prompt = open_prompt(&mut facilitator, "Mitä jää?").await;
        let (mut phone, _) = server.participant(slug).await;
        let mut mine = Vec::new();
        for n in 0..5 {
            let id = Uuid::new_v4();
            let ack = submit(&mut phone, &prompt, id, &format!("{slug} {n}")).await;
            assert_eq!(ack["type"], "ack");
            mine.push(id);
        }
        expected.push((slug, sorted(&mine), prompt));
        keys.push(key);
    }
    // A graceful stop writes a snapshot of each session and archives its journal.
    server.stop().await;
    let sessions = server.data_dir.join("sessions");
    let snapshot = sessions.join("rikki/snapshot.json");
    let bytes = fs::read(&snapshot).unwrap();
    fs::write(&snapshot, &bytes[..bytes.len() / 2]).unwrap();
    let healthy = fs::read(sessions.join("ehja/snapshot.json")).unwrap();

    // The real binary, for its log.
    let mut paja = Paja::spawn(&server.data_dir, &[]);
    let log = paja.log().join("\n");
    assert!(
        paja.log()
            .iter()
            .any(|l| l.contains("rikki") && l.contains("snapshot unusable")),
        "the log names the session and the reason:\n{log}"
    );
    assert!(
        !log.contains("ehja"),
        "the healthy session is not mentioned:\n{log}"
    );
    // Loaded (on first use, or by the check after start): its load moved the snapshot aside.
    assert_eq!(
        http(paja.addr, "GET", "/rikki", &[], None).await.status,
        200
    );
    let aside: Vec<String> = fs::read_dir(sessions.join("rikki"))
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter(|n| n.starts_with("snapshot.json.corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1, "the bad file is kept for inspection");
    assert_eq!(
        fs::read(sessions.join("rikki").join(&aside[0])).unwrap(),
        &bytes[..bytes.len() / 2]
    );
    assert_eq!(
        fs::read(sessions.join("ehja/snapshot.json")).unwrap(),
        healthy,
        "the healthy session's files are untouched"
    );
    // Both sessions are served with every item.
    for ((slug, items, _), key) in expected.iter().zip(&keys) {
        let stored = stored_items(&paja.ws_url(slug), key).await;
        assert_eq!(&ids(&stored), items, "{slug}");
    }
    // The rebuilt session takes new items, and a clean stop gives it a good snapshot again.
    let (_, rikki, prompt) = &expected[0];
    let mut phone = Client::connect(&paja.ws_url("rikki")).await;
    phone
        .send(json!({"type":"hello","role":"participant","participant_id":Uuid::new_v4()}))
        .await;
    phone.expect("welcome").await;
    let extra = Uuid::new_v4();
    let ack = submit(&mut phone, prompt, extra, "uusi").await;
    assert_eq!(ack["type"], "ack", "the prompt is still open: {ack}");
    drop(phone);
    paja.terminate();
    paja.wait_exit(Duration::from_secs(10))
        .await
        .expect("exits after SIGTERM");
    let snapshot: Value = serde_json::from_slice(&fs::read(&snapshot).unwrap()).unwrap();
    assert_eq!(snapshot["format"], 1);
    let server = TestServer::start_on(&server.data_dir).await;
    let stored = stored_items(&server.ws_url("rikki"), &keys[0]).await;
    let mut want = rikki.clone();
    want.push(extra.to_string());
    want.sort();
    assert_eq!(ids(&stored), want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_with_1012_delivers_acks_and_exits() {
    let tmp = tempfile::tempdir().unwrap();
    let mut paja = Paja::spawn(tmp.path(), &LOAD);
    let (key, prompt) = session_with_prompt(&paja, "sammuu").await;
    let mut screen = Client::connect(&paja.ws_url("sammuu")).await;
    screen.send(json!({"type":"hello","role":"screen"})).await;
    screen.expect("welcome").await;
    let projector = tokio::spawn(async move {
        loop {
            if let Err(code) = screen.recv().await {
                return code;
            }
        }
    });

    let (acks, mut counted) = watch::channel(0usize);
    let running: Vec<_> = (0..8)
        .map(|_| {
            tokio::spawn(Phone::new().run(
                paja.ws_url("sammuu"),
                prompt.clone(),
                true,
                4,
                acks.clone(),
            ))
        })
        .collect();
    let moment = 50 + random_below(100) as usize;
    tokio::time::timeout(WAIT, counted.wait_for(|n| *n >= moment))
        .await
        .expect("acks keep coming")
        .expect("watch open");
    let signalled = Instant::now();
    let before = *counted.borrow();
    paja.terminate();
    let (status, _) = paja
        .wait_exit(Duration::from_secs(10))
        .await
        .expect("paja exits by itself after SIGTERM");
    let took = signalled.elapsed();
    assert!(status.success(), "clean exit: {status}");

    let mut phones = Vec::new();
    for phone in running {
        let phone = phone.await.expect("phone task");
        assert_eq!(
            phone.ended,
            Some(Some(1012)),
            "every phone is told to reconnect"
        );
        phones.push(phone);
    }
    let after = *counted.borrow();
    assert_eq!(
        projector.await.unwrap(),
        Some(1012),
        "the projector is told to reconnect"
    );
    eprintln!(
        "SIGTERM: exited in {took:.2?}; {} acks delivered after the signal",
        after - before
    );

    let paja = Paja::spawn(tmp.path(), &LOAD);
    let t = tally(&paja, "sammuu", &key, &phones).await;
    assert_eq!(t.lost, 0);
    assert_eq!(t.duplicated, 0);
    assert_eq!(
        t.unacked, 0,
        "every item the server accepted had its ack delivered before the close"
    );
    // The phones send what the server never read; it is stored once.
    let (acks, _) = watch::channel(0usize);
    let mut resent = Vec::new();
    for phone in phones {
        resent.push(
            phone
                .run(
                    paja.ws_url("sammuu"),
                    prompt.clone(),
                    false,
                    4,
                    acks.clone(),
                )
                .await,
        );
    }
    let t = tally(&paja, "sammuu", &key, &resent).await;
    assert_eq!((t.lost, t.duplicated, t.unacked), (0, 0, 0));
    assert_eq!(t.stored, t.acked);
}

/// A crash in the middle of creating a session (after the directory claimed the name, before
/// `meta.json` was renamed into place) was never answered, so nothing in it was acknowledged:
/// the next start removes the directory instead of refusing it forever, and the name can be
/// created again. Sessions beside it are untouched.
#[tokio::test]
async fn a_creation_cut_short_frees_its_name_at_the_next_start() {
    let tmp = tempfile::tempdir().unwrap();
    let mut server = TestServer::start_on(tmp.path()).await;
    server.create_session("ehja").await;
    server.stop().await;
    let sessions = tmp.path().join("sessions");
    let half = sessions.join("kesken");
    fs::create_dir(&half).unwrap();
    // What a crash between the claim and the rename leaves: a temporary meta, nothing else.
    fs::write(half.join("meta.json.tmp"), b"{\"format\":1,\"me").unwrap();

    let server = TestServer::start_on(tmp.path()).await;
    assert!(!half.exists(), "the unfinished directory is removed");
    assert!(
        fs::read_dir(tmp.path().join("trash"))
            .map(|mut d| d.next().is_none())
            .unwrap_or(true),
        "and not left in the trash"
    );
    assert!(
        server.hub().get("ehja").await.is_some(),
        "the whole session still loads"
    );
    let key = server.create_session("kesken").await;
    assert!(!key.is_empty(), "the name is free again");
}
