//! Limits against abuse and accidents, each with its own typed error.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use serde_json::json;
use uuid::Uuid;

use crate::support::{open_prompt, upgrade, Client, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_frame_is_refused_and_closed_with_1009() {
    let server = TestServer::start().await;
    server.create_session("isot").await;
    let (mut phone, _) = server.participant("isot").await;
    // Binary frames are refused without ending the connection.
    phone.send_raw_binary().await;
    assert_eq!(phone.expect("error").await["code"], "binary_not_supported");
    phone.send(json!({"type":"ping","id":"p"})).await;
    phone.expect("pong").await;
    // 20 KiB of text in one frame: over the 16 KiB limit.
    let huge =
        json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":"p1","text":"x".repeat(20 * 1024)});
    phone.send_raw(&huge.to_string()).await;
    let error = phone.expect("error").await;
    assert_eq!(error["code"], "frame_too_large");
    assert_eq!(phone.closed().await, Some(1009));
    // Others are not affected.
    let (mut other, _) = server.participant("isot").await;
    other.send(json!({"type":"ping","id":"q"})).await;
    other.expect("pong").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_25_submits_gets_20_acks_and_5_rate_limited() {
    let server = TestServer::start().await;
    let key = server.create_session("tulva").await;
    let (mut facilitator, _) = server.facilitator("tulva", &key).await;
    let prompt = open_prompt(&mut facilitator, "Nopeasti").await;
    let (mut phone, _) = server.participant("tulva").await;
    let ids: Vec<Uuid> = (0..25).map(|_| Uuid::new_v4()).collect();
    let started = Instant::now();
    for (n, id) in ids.iter().enumerate() {
        phone
            .send(json!({"type":"submit","id":id,"prompt_id":prompt,"text":format!("tulva {n}")}))
            .await;
    }
    let mut answers: HashMap<String, String> = HashMap::new();
    while answers.len() < ids.len() {
        let frame = phone.next().await.expect("connected");
        if let Some(id) = frame["id"].as_str() {
            let answer = match frame["type"].as_str() {
                Some("ack") => "ack".to_owned(),
                _ => frame["code"].as_str().unwrap_or("?").to_owned(),
            };
            answers.insert(id.to_owned(), answer);
        }
    }
    let elapsed = started.elapsed();
    let answer = |id: &Uuid| answers[&id.to_string()].as_str();
    assert!(
        ids[..20].iter().all(|id| answer(id) == "ack"),
        "the burst of 20 is accepted: {answers:?}"
    );
    // 5 per second refill the bucket: only a very slow machine could have earned one back.
    let refilled = (elapsed.as_millis() / 200) as usize;
    let extra = ids[20..].iter().filter(|id| answer(id) == "ack").count();
    assert!(extra <= refilled, "{extra} more acked in {elapsed:?}");
    assert!(ids[20..]
        .iter()
        .all(|id| answer(id) == "ack" || answer(id) == "rate_limited"));
    if refilled == 0 {
        assert_eq!(extra, 0);
    }
    // Nothing refused was stored.
    let (_, welcome) = server.facilitator("tulva", &key).await;
    let stored: Vec<&str> = welcome["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(stored.len(), 20 + extra);
    for id in &ids {
        assert_eq!(
            stored.contains(&id.to_string().as_str()),
            answer(id) == "ack"
        );
    }
    // The connection is still open and served.
    phone.send(json!({"type":"ping","id":"p"})).await;
    phone.until("pong").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_per_ip_are_capped() {
    let tmp = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(paja::Config {
        data_dir: tmp.path().to_path_buf(),
        max_connections_per_ip: 3,
        ..paja::Config::default()
    })
    .await;
    server.create_session("katto").await;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(server.screen("katto").await.0);
    }
    let refused = upgrade(server.addr, "/ws/katto", &[]).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.json()["error"]["code"], "too_many_connections");
    // Another address is not affected.
    let other: IpAddr = "127.0.0.2".parse().unwrap();
    let mut elsewhere = Client::connect_from(other, server.addr, "/ws/katto")
        .await
        .expect("another address has its own slots");
    elsewhere
        .send(json!({"type":"hello","role":"screen"}))
        .await;
    elsewhere.expect("welcome").await;
    // A closed connection gives its slot back.
    drop(open.pop());
    let started = Instant::now();
    loop {
        match Client::connect_from("127.0.0.1".parse().unwrap(), server.addr, "/ws/katto").await {
            Ok(_) => break,
            Err(status) => {
                assert_eq!(status, 429);
                // The server notices the closed socket a moment later.
                assert!(
                    started.elapsed() < Duration::from_secs(10),
                    "slot never freed"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_creation_is_rate_limited_per_ip() {
    let server = TestServer::start().await;
    for n in 0..10 {
        server.create_session(&format!("sarja-{n}")).await;
    }
    let response = server
        .http(
            "POST",
            "/api/sessions",
            &[],
            Some(&json!({"slug":"sarja-10","title":"Yksi liikaa"})),
        )
        .await;
    assert_eq!(response.status, 429);
    assert_eq!(response.json()["error"]["code"], "rate_limited");
    assert!(
        server.hub().get("sarja-10").await.is_none(),
        "nothing was created"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facilitator_key_guessing_is_rate_limited_per_ip() {
    let server = TestServer::start().await;
    let key = server.create_session("arvaus").await;
    let url = server.ws_url("arvaus");
    let started = Instant::now();
    let mut wrong = 0;
    loop {
        let mut client = Client::connect(&url).await;
        client
            .send(json!({"type":"hello","role":"facilitator","key":format!("arvaus{wrong}")}))
            .await;
        let error = client.expect("error").await;
        assert_eq!(client.closed().await, Some(1008));
        match error["code"].as_str() {
            Some("invalid_key") => wrong += 1,
            Some("rate_limited") => break,
            other => panic!("unexpected {other:?}"),
        }
        assert!(wrong <= 100, "never rate limited");
    }
    // 30 at once, then one every 2 s: a slow machine may have earned a few back meanwhile.
    let earned = (started.elapsed().as_secs() / 2) as usize + 1;
    eprintln!(
        "{wrong} wrong keys before rate_limited ({:.2?})",
        started.elapsed()
    );
    assert!(
        (30..=30 + earned).contains(&wrong),
        "{wrong} wrong keys tried"
    );
    // Now even the right key waits (a token may come back between two tries, not three).
    let mut limited = false;
    for _ in 0..3 {
        let mut client = Client::connect(&url).await;
        client
            .send(json!({"type":"hello","role":"facilitator","key":key}))
            .await;
        let first = client.next().await.unwrap();
        if first["type"] == "error" {
            assert_eq!(first["code"], "rate_limited");
            limited = true;
            break;
        }
    }
    assert!(limited, "the right key is rate-limited too");
    // Exports share the budget.
    let mut limited = false;
    for _ in 0..3 {
        let export = server
            .http(
                "GET",
                "/api/sessions/arvaus/export.json",
                &[("Authorization", &format!("Bearer {key}"))],
                None,
            )
            .await;
        if export.status == 429 {
            assert_eq!(export.json()["error"]["code"], "rate_limited");
            limited = true;
            break;
        }
    }
    assert!(limited, "exports are rate-limited too");
    // Another address is not affected.
    let mut other = Client::connect_from("127.0.0.3".parse().unwrap(), server.addr, "/ws/arvaus")
        .await
        .unwrap();
    other
        .send(json!({"type":"hello","role":"facilitator","key":key}))
        .await;
    other.expect("welcome").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_connection_is_closed_as_idle_and_a_talking_one_is_not() {
    let tmp = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(paja::Config {
        data_dir: tmp.path().to_path_buf(),
        idle_timeout: Duration::from_millis(900),
        ..paja::Config::default()
    })
    .await;
    server.create_session("hiljaa").await;
    // Neither reads (so neither answers the server's pings); one keeps sending frames.
    let (mut silent, _) = server.screen("hiljaa").await;
    let (mut talking, _) = server.screen("hiljaa").await;
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(2500) {
        talking.send(json!({"type":"ping","id":"still-here"})).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The silent one was closed as idle (1001) once 900 ms passed without a frame from it.
    assert_eq!(silent.closed().await, Some(1001));
    // The one that kept talking is open: its next ping is answered.
    talking.send(json!({"type":"ping","id":"last"})).await;
    loop {
        let frame = talking.next().await.expect("still open");
        if frame["type"] == "pong" && frame["id"] == "last" {
            break;
        }
    }
}
