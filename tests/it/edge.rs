//! Two Paja servers on one real nats-server (issue 16): a session's connections on the node
//! that does not own it are relayed to its owner and back, with today's guarantees.
//!
//! The node that creates a session owns it here (its data directory holds it); phones and
//! consoles connect to either node. Each test starts its own nats-server (JetStream on, a
//! fresh store directory) and fails, not skips, when the binary is missing.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{ask, command, Client, TestServer};

/// A nats-server with JetStream on a free loopback port, killed on drop.
pub struct Nats {
    child: Child,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Nats {
    pub fn start() -> Nats {
        let binary = std::env::var_os("PAJA_NATS_SERVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/opt/natsvenv/bin/nats-server"));
        assert!(
            binary.exists(),
            "nats-server not found at {} (set PAJA_NATS_SERVER; see scripts/test)",
            binary.display()
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = tempfile::tempdir().expect("tempdir");
        let child = Command::new(&binary)
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server starts");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "nats-server did not listen"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Nats {
            child,
            url: format!("nats://127.0.0.1:{port}"),
            _dir: dir,
        }
    }

    /// Kills the server (as a crash would).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// A Paja node of this NATS.
    pub async fn node(&self, id: &str) -> TestServer {
        self.node_with(id, |_| {}).await
    }

    /// A Paja node of this NATS, with `configure` applied.
    pub async fn node_with(
        &self,
        id: &str,
        configure: impl FnOnce(&mut paja::Config),
    ) -> TestServer {
        let url = self.url.clone();
        let id = id.to_owned();
        TestServer::start_configured(move |config| {
            configure(config);
            config.cluster = Some(paja::cluster::ClusterConfig {
                urls: vec![url],
                node_id: id,
                replicas: 1,
                lease: Duration::from_secs(3),
                security: Default::default(),
            });
        })
        .await
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Adds a brainstorm and opens it; its id.
async fn open(facilitator: &mut Client, title: &str) -> String {
    let (_, events) = command(
        facilitator,
        json!({"type":"add_prompt","prompt":{"kind":"brainstorm","title":title}}),
    )
    .await;
    let id = events
        .iter()
        .find(|e| e["type"] == "prompt_added")
        .and_then(|e| e["prompt"]["id"].as_str())
        .expect("prompt_added before the ack")
        .to_owned();
    command(facilitator, json!({"type":"open_prompt","prompt_id":id})).await;
    id
}

/// Frames until `pred` holds for one (panics if the connection ends first).
async fn until(client: &mut Client, pred: impl Fn(&Value) -> bool) -> Value {
    loop {
        let frame = client.next().await.expect("connection open");
        if pred(&frame) {
            return frame;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_on_an_edge_reaches_the_owner_and_hears_back() {
    let nats = Nats::start();
    let owner = nats.node("a").await;
    let edge = nats.node("b").await;
    let key = owner.create_session("reuna").await;
    let (mut console, _) = owner.facilitator("reuna", &key).await;
    // A console on the edge: its command's events arrive before its ack (`command` checks).
    let (mut edge_console, _) = edge.facilitator("reuna", &key).await;
    let prompt = open(&mut edge_console, "Mitä toivotte?").await;

    let (mut phone, _) = edge.participant("reuna").await;
    let item = Uuid::new_v4();
    let ack = ask(
        &mut phone,
        json!({"type":"submit","id":item,"prompt_id":prompt,"text":"reunalta"}),
    )
    .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let added = console.until("item_added").await;
    assert_eq!(added["item"]["text"], "reunalta");
    assert_eq!(added["seq"], ack["seq"]);

    // An export through the edge reads the owner's state.
    let export = edge
        .get_with_key("/api/sessions/reuna/export.json", &key)
        .await;
    assert_eq!(export.status, 200, "{}", export.text());
    let items = &export.json()["prompts"][0]["items"];
    assert_eq!(items[0]["text"], "reunalta", "{items}");

    // A refusal keeps the code and message a single server sends.
    let refused = ask(
        &mut phone,
        json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":"p99","text":"ei minnekään"}),
    )
    .await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["code"], "prompt_not_found");
    assert_eq!(refused["message"], "no such prompt");

    // Presence counts phones on both nodes.
    let (_phone_on_owner, _) = owner.participant("reuna").await;
    until(&mut console, |f| {
        f["type"] == "presence" && f["participants"] == 2
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_rid_is_applied_once() {
    let nats = Nats::start();
    let owner = nats.node("a").await;
    let edge = nats.node("b").await;
    let key = owner.create_session("kerran").await;
    // Through the edge, so the owner's bridge is up.
    let (_console, _) = edge.facilitator("kerran", &key).await;
    let client = async_nats::connect(&nats.url).await.expect("nats");
    let request = json!({
        "v": 1,
        "rid": Uuid::new_v4(),
        "command": {"type":"add_prompt","prompt":{"kind":"brainstorm","title":"Vain kerran"}},
    });
    let body = bytes::Bytes::from(serde_json::to_vec(&request).unwrap());
    let mut seqs = Vec::new();
    for _ in 0..2 {
        let reply = client
            .request("paja.cmd.kerran", body.clone())
            .await
            .expect("the owner answers");
        let reply: Value = serde_json::from_slice(&reply.payload).unwrap();
        seqs.push(reply["result"]["Ok"].as_u64().expect("an ack"));
    }
    assert_eq!(seqs[0], seqs[1], "the retry gets the first answer");
    let (_, welcome) = edge.facilitator("kerran", &key).await;
    assert_eq!(welcome["prompts"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_resumes_on_the_other_node() {
    let nats = Nats::start();
    let owner = nats.node("a").await;
    let edge = nats.node("b").await;
    let key = owner.create_session("paluu").await;
    let (mut console, _) = owner.facilitator("paluu", &key).await;
    let prompt = open(&mut console, "Mitä kuuluu?").await;
    let (screen, welcome) = owner.screen("paluu").await;
    let seen = welcome["seq"].as_u64().unwrap();
    drop(screen);

    let (mut phone, _) = owner.participant("paluu").await;
    for text in ["yksi", "kaksi"] {
        let ack = ask(
            &mut phone,
            json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":text}),
        )
        .await;
        assert_eq!(ack["type"], "ack");
    }
    let mut screen = Client::connect(&edge.ws_url("paluu")).await;
    screen
        .send(json!({"type":"hello","role":"screen","last_seq":seen}))
        .await;
    let resumed = screen.expect("resumed").await;
    assert_eq!(resumed["seq"], seen + 2);
    let one = screen.expect("item_added").await;
    let two = screen.expect("item_added").await;
    assert_eq!(one["item"]["text"], "yksi");
    assert_eq!(two["item"]["text"], "kaksi");
    // Then live events, relayed.
    ask(
        &mut phone,
        json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":"kolme"}),
    )
    .await;
    let three = screen.until("item_added").await;
    assert_eq!(three["item"]["text"], "kolme");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_on_an_edge_closes_every_node_with_4004() {
    let nats = Nats::start();
    let owner = nats.node("a").await;
    let edge = nats.node("b").await;
    let key = owner.create_session("poista").await;
    let (mut on_owner, _) = owner.participant("poista").await;
    let (mut on_edge, _) = edge.participant("poista").await;
    let bearer = format!("Bearer {key}");
    let response = edge
        .http(
            "DELETE",
            "/api/sessions/poista",
            &[("Authorization", &bearer)],
            None,
        )
        .await;
    assert_eq!(response.status, 204, "{}", response.text());
    assert_eq!(on_edge.closed().await, Some(4004));
    assert_eq!(on_owner.closed().await, Some(4004));
    assert!(!owner.data_dir.join("sessions/poista").exists());
    for node in [&owner, &edge] {
        assert!(!node.hub().exists("poista"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_nats_a_node_sends_its_phones_elsewhere() {
    let mut nats = Nats::start();
    let owner = nats.node("a").await;
    let edge = nats.node("b").await;
    owner.create_session("katko").await;
    let (mut on_edge, _) = edge.participant("katko").await;
    let (mut on_owner, _) = owner.participant("katko").await;
    nats.kill();
    // 1012: "try again", through the load balancer, to a node that can reach NATS.
    assert_eq!(on_edge.closed().await, Some(1012));
    assert_eq!(on_owner.closed().await, Some(1012));
    assert!(edge.hub().exists("katko"), "not deleted, only unreachable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_relay_ends_and_comes_back_on_use() {
    let nats = Nats::start();
    let owner = nats.node("a").await;
    let edge = nats
        .node_with("b", |config| {
            config.unload_after = Duration::from_millis(300)
        })
        .await;
    let key = owner.create_session("tauko").await;
    let (console, _) = edge.facilitator("tauko", &key).await;
    assert_eq!(edge.hub().session_counts().live, 1);
    drop(console);
    let started = Instant::now();
    while edge.hub().session_counts().live > 0 {
        assert!(
            started.elapsed() < crate::support::WAIT,
            "the idle relay stays"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (mut console, _) = edge.facilitator("tauko", &key).await;
    let prompt = open(&mut console, "Taas täällä").await;
    assert!(prompt.starts_with('p'), "{prompt}");
}

/// A measurement, not a test (`cargo test --release --test it edge::measure -- --ignored
/// --nocapture`): sequential submit→ack times of a phone on each node; both are relayed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn measure_relayed_acks() {
    let nats = Nats::start();
    let fast = |c: &mut paja::Config| {
        c.participant_rate = 100_000;
        c.participant_burst = 100_000;
    };
    let owner = nats.node_with("a", fast).await;
    let edge = nats.node_with("b", fast).await;
    let key = owner.create_session("mitta").await;
    let (mut console, _) = owner.facilitator("mitta", &key).await;
    let prompt = open(&mut console, "Mittaus").await;
    for (name, node) in [
        ("owner", &owner),
        ("edge", &edge),
        ("owner", &owner),
        ("edge", &edge),
    ] {
        let (mut phone, _) = node.participant("mitta").await;
        let mut times = Vec::new();
        for n in 0..300 {
            let started = Instant::now();
            let ack = ask(&mut phone, json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":format!("{name} {n}")})).await;
            assert_eq!(ack["type"], "ack");
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "{name}: p50 {:.2} ms p99 {:.2} ms max {:.2} ms",
            times[150], times[296], times[299]
        );
    }
}
