//! The real binary, killed with SIGKILL while phones are sending: every acknowledged item is
//! there after a restart, exactly once.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::json;
use uuid::Uuid;

use crate::support::{http, open_prompt, Client};

/// Starts `paja` on an ephemeral port and returns it with the address it printed.
fn spawn_paja(data_dir: &Path) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_paja"))
        .args(["--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env("RUST_LOG", "warn")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn paja");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("paja exited before serving")
            .expect("read stderr");
        if let Some(rest) = line.strip_prefix("Paja is running at http://") {
            break rest.trim_end_matches('/').parse().expect("address");
        }
    };
    // Keep draining stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

async fn participant(addr: SocketAddr, slug: &str) -> Client {
    let mut client = Client::connect(&format!("ws://{addr}/ws/{slug}")).await;
    client
        .send(json!({"type":"hello","role":"participant","participant_id":Uuid::new_v4()}))
        .await;
    client.expect("welcome").await;
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_items_survive_kill_9() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut child, mut addr) = spawn_paja(tmp.path());
    let created = http(
        addr,
        "POST",
        "/api/sessions",
        &[],
        Some(&json!({"slug":"kaatuu","title":"Crash"})),
    )
    .await;
    assert_eq!(created.status, 201);
    let key = created.json()["facilitator_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut facilitator = Client::connect(&format!("ws://{addr}/ws/kaatuu")).await;
    facilitator
        .send(json!({"type":"hello","role":"facilitator","key":key}))
        .await;
    facilitator.expect("welcome").await;
    let prompt = open_prompt(&mut facilitator, "Kestääkö?").await;

    let acked: Arc<Mutex<HashSet<String>>> = Arc::default();
    const ROUNDS: usize = 3;
    const PHONES: usize = 8;
    for round in 0..ROUNDS {
        let mut senders = Vec::new();
        for _ in 0..PHONES {
            let mut phone = participant(addr, "kaatuu").await;
            let acked = acked.clone();
            let prompt = prompt.clone();
            senders.push(tokio::spawn(async move {
                // Keep several items in flight at once, until the server dies.
                for n in 0..10_000u32 {
                    let frame = json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":format!("kohta {n}")});
                    if !phone.try_send(frame).await {
                        return;
                    }
                    if n % 4 == 3 {
                        for _ in 0..4 {
                            match phone.next().await {
                                Some(frame) if frame["type"] == "ack" => {
                                    acked.lock().unwrap().insert(frame["id"].as_str().unwrap().to_owned());
                                }
                                Some(_) => {}
                                None => return,
                            }
                        }
                    }
                }
            }));
        }
        // Kill mid-stream, once a fair number of acks have gone out.
        let target = (round + 1) * 200;
        while acked.lock().unwrap().len() < target {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        for sender in senders {
            let _ = sender.await;
        }
        let (next, next_addr) = spawn_paja(tmp.path());
        child = next;
        let mut check = Client::connect(&format!("ws://{next_addr}/ws/kaatuu")).await;
        check
            .send(json!({"type":"hello","role":"facilitator","key":key}))
            .await;
        let welcome = check.expect("welcome").await;
        let items = welcome["items"].as_array().unwrap();
        let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
        let unique: HashSet<&str> = ids.iter().copied().collect();
        assert_eq!(
            unique.len(),
            ids.len(),
            "round {round}: an item was stored twice"
        );
        let acked = acked.lock().unwrap();
        let lost: Vec<&String> = acked
            .iter()
            .filter(|id| !unique.contains(id.as_str()))
            .collect();
        assert!(
            lost.is_empty(),
            "round {round}: {} acknowledged items lost",
            lost.len()
        );
        eprintln!(
            "round {round}: acked {}, recovered {}, lost 0, duplicated 0",
            acked.len(),
            ids.len()
        );
        // The port changed with the restart; later rounds use the new one.
        addr = next_addr;
    }
    child.kill().ok();
}
