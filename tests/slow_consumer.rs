//! Projectors that stop reading while 10,000 items are broadcast: the server's memory stays
//! bounded, a normal projector still gets everything, and the stuck ones are dropped.
//!
//! A binary of its own: it measures this process's memory, which the other integration
//! tests (run in parallel threads of their binary) would disturb.

#[allow(dead_code)]
#[path = "it/support.rs"]
mod support;

use std::collections::HashSet;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::net::TcpSocket;
use uuid::Uuid;

use support::{open_prompt, Client, TestServer};

const ITEMS: usize = 10_000;
const PHONES: usize = 10;
const WINDOW: usize = 32;
/// Projectors that never read. A server that queued frames per connection would hold the whole
/// broadcast (about 8 MiB) for each of them: 64 MiB more than the session itself needs.
const SLOW: u8 = 8;
const BOUND_MIB: u64 = 64;

/// A full-length item (280 characters, most of them two bytes in UTF-8): about 0.8 KB per
/// frame, so the 10,000 frames are more than the kernel's socket buffers can hide (up to
/// 4 MiB for the server's send buffer) and the server really has to deal with a client that
/// does not read.
fn text(phone: usize, n: usize) -> String {
    let head = format!("{phone}/{n} ");
    let tail = "ä".repeat(280 - head.chars().count());
    head + &tail
}

/// This process's resident memory, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// A loopback address of its own for each client: the server's per-IP cap is 1, so when a
/// slow client's address can connect again, the server has dropped that client.
fn ip(n: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, n])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_screen_that_never_reads_costs_bounded_memory_and_is_dropped() {
    let tmp = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(paja::Config {
        data_dir: tmp.path().to_path_buf(),
        participant_rate: 100_000,
        participant_burst: 100_000,
        max_connections_per_ip: 1,
        ..paja::Config::default()
    })
    .await;
    let addr = server.addr;
    let path = "/ws/hidas";
    let key = server.create_session("hidas").await;
    let mut facilitator = Client::connect_from(ip(10), addr, path).await.unwrap();
    facilitator
        .send(json!({"type":"hello","role":"facilitator","key":key}))
        .await;
    facilitator.expect("welcome").await;
    let prompt = open_prompt(&mut facilitator, "Tulva").await;
    drop(facilitator);

    // The slow projectors: a tiny receive buffer, a hello, and then they never read again.
    let mut slow = Vec::new();
    for n in 0..SLOW {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        socket.bind((ip(100 + n), 0).into()).unwrap();
        let mut client = Client::connect_via(socket, addr, path).await.unwrap();
        client.send(json!({"type":"hello","role":"screen"})).await;
        slow.push(client);
    }

    let mut screen = Client::connect_from(ip(11), addr, path).await.unwrap();
    screen.send(json!({"type":"hello","role":"screen"})).await;
    screen.expect("welcome").await;
    let mut phones = Vec::new();
    for n in 0..PHONES {
        let mut phone = Client::connect_from(ip(20 + n as u8), addr, path)
            .await
            .unwrap();
        phone
            .send(json!({"type":"hello","role":"participant","participant_id":Uuid::new_v4()}))
            .await;
        phone.expect("welcome").await;
        phones.push(phone);
    }

    let before = rss_kib();
    let started = Instant::now();
    let watching = tokio::spawn(async move {
        let mut seen = HashSet::new();
        let mut resyncs = 0;
        while seen.len() < ITEMS {
            let frame = screen.next().await.expect("the normal projector stays");
            match frame["type"].as_str() {
                Some("item_added") => {
                    seen.insert(frame["item"]["id"].as_str().unwrap().to_owned());
                }
                Some("welcome") => {
                    resyncs += 1;
                    for item in frame["items"].as_array().unwrap() {
                        seen.insert(item["id"].as_str().unwrap().to_owned());
                    }
                }
                _ => {}
            }
        }
        (screen, resyncs)
    });
    let sending: Vec<_> = phones
        .into_iter()
        .enumerate()
        .map(|(p, mut phone)| {
            let prompt = prompt.clone();
            tokio::spawn(async move {
                let each = ITEMS / PHONES;
                let mut sent = 0;
                let mut acked = 0;
                while acked < each {
                    while sent < each && sent - acked < WINDOW {
                        phone
                            .send(json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":text(p, sent)}))
                            .await;
                        sent += 1;
                    }
                    let frame = phone.next().await.expect("phone connected");
                    match frame["type"].as_str() {
                        Some("ack") => acked += 1,
                        Some("error") => panic!("refused: {frame}"),
                        _ => {}
                    }
                }
                phone
            })
        })
        .collect();
    let mut phones = Vec::new();
    for phone in sending {
        phones.push(phone.await.unwrap());
    }
    let (_screen, resyncs) = watching.await.unwrap();
    let broadcast = started.elapsed();
    let during = rss_kib();
    let growth = during.saturating_sub(before);
    eprintln!(
        "{ITEMS} items broadcast in {broadcast:.2?}; the normal projector got all of them \
         ({resyncs} resyncs); RSS {before} KiB -> {during} KiB (+{:.1} MiB) with {SLOW} \
         clients that never read",
        growth as f64 / 1024.0
    );
    assert!(
        growth < BOUND_MIB * 1024,
        "memory grew by {growth} KiB while clients did not read"
    );

    // The stuck projectors are dropped (their sends time out): their addresses get their
    // slots back.
    for n in 0..SLOW {
        loop {
            match Client::connect_from(ip(100 + n), addr, path).await {
                Ok(_) => break,
                Err(status) => assert_eq!(status, 429),
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "a slow client was never dropped"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let dropped_after = started.elapsed();
    // Reading them now: what was still in the socket buffers, then the end, not 10,000 items.
    for (n, mut client) in slow.into_iter().enumerate() {
        let mut received = 0;
        let mut welcomes = 0;
        let ended = loop {
            match client.recv().await {
                Ok(frame) if frame["type"] == "item_added" => received += 1,
                Ok(frame) if frame["type"] == "welcome" => welcomes += 1,
                Ok(_) => {}
                Err(code) => break code,
            }
        };
        eprintln!(
            "slow projector {n}: had been sent {received} of {ITEMS} items and {welcomes} \
             welcome(s) when it was cut off (end: {ended:?})"
        );
        assert!(
            received < ITEMS,
            "the slow client was cut off, not buffered for"
        );
    }
    eprintln!(
        "all {SLOW} slow projectors dropped {dropped_after:.2?} after the broadcast began; \
         RSS now {} KiB",
        rss_kib()
    );
}
