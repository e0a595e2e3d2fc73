//! What the log never holds, checked on the real binary with every level on: it serves
//! (`--trust-proxy`, `RUST_LOG=trace`) in each `--log-format`, real traffic goes through it —
//! a session created, a facilitator and a phone on websockets with a distinctive user agent
//! and `X-Forwarded-For` address, a canary item, exports with query strings and the key, a
//! wrong key, a 404, a refused command — and its standard error (a pipe, not a terminal)
//! is searched for the address, the user agent, the canary, the keys and the queries.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use uuid::Uuid;

use crate::support::{self, http, ok, open_prompt, Client};

/// The phone's and the facilitator's browser, as a user agent no log line may quote.
const USER_AGENT: &str = "CanaryPhone/9.7 (Lokitesti)";
/// The client address the trusted proxy reports (TEST-NET-3).
const CLIENT_IP: &str = "203.0.113.77";
/// What the phone writes.
const CANARY: &str = "Kanarialintu salaisuus 4711";
/// A wrong key sent as a Bearer token.
const WRONG_KEY: &str = "wrongkeywrongkeywrongkey42";

/// The binary, its address, and the lines it writes to standard error.
struct Traced {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

impl Drop for Traced {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `paja` with `--log-format format`, `RUST_LOG=trace` and no `NO_COLOR` (so only
/// the terminal check keeps colour out); returns once it serves.
fn spawn(data_dir: &std::path::Path, format: &str) -> Traced {
    let mut child = Command::new(env!("CARGO_BIN_EXE_paja"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--trust-proxy",
            "--log-format",
            format,
        ])
        .arg("--data-dir")
        .arg(data_dir)
        .env("RUST_LOG", "trace")
        .env_remove("NO_COLOR")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn paja");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let addr = loop {
        let line = lines
            .next()
            .expect("paja exited before serving")
            .expect("read");
        log.lock().unwrap().push(line.clone());
        if let Some(addr) = serving_at(&line) {
            break addr;
        }
    };
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    Traced { child, addr, log }
}

/// The address from the line saying the server serves, in either format.
fn serving_at(line: &str) -> Option<SocketAddr> {
    if let Some(rest) = line.strip_prefix("Paja is running at http://") {
        return rest.trim_end_matches('/').parse().ok();
    }
    let json: Value = serde_json::from_str(line).ok()?;
    (json["fields"]["message"] == "Paja is serving")
        .then(|| json["fields"]["addr"].as_str()?.parse().ok())
        .flatten()
}

/// The headers a phone behind the trusted proxy arrives with (Chromium offers gzip even on
/// a websocket upgrade, which must not be compressed).
fn proxied() -> [(&'static str, &'static str); 3] {
    [
        ("User-Agent", USER_AGENT),
        ("X-Forwarded-For", CLIENT_IP),
        ("Accept-Encoding", "gzip"),
    ]
}

/// A websocket through the "proxy": the user agent and the forwarded address on the upgrade.
async fn connect(addr: SocketAddr, slug: &str) -> Client {
    let mut request = format!("ws://{addr}/ws/{slug}")
        .into_client_request()
        .expect("request");
    for (name, value) in proxied() {
        request
            .headers_mut()
            .insert(name, value.parse().expect("header"));
    }
    let (ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connect");
    Client::from_stream(ws)
}

/// Everything a workshop does, plus mistakes; returns the facilitator key.
async fn traffic(addr: SocketAddr) -> String {
    let slug = "lokit";
    let created = http(
        addr,
        "POST",
        "/api/sessions",
        &proxied(),
        Some(&json!({"slug": slug, "title": "Lokit", "language": "fi"})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let key = created.json()["facilitator_key"]
        .as_str()
        .expect("key")
        .to_owned();
    let mut facilitator = connect(addr, slug).await;
    facilitator
        .send(json!({"type":"hello","protocol":1,"role":"facilitator","key":key,"last_seq":0}))
        .await;
    facilitator.expect("welcome").await;
    let prompt = open_prompt(&mut facilitator, "Mitä lokiin kuuluu?").await;
    let mut phone = connect(addr, slug).await;
    let id = Uuid::new_v4();
    phone
        .send(json!({"type":"hello","role":"participant","participant_id":id,"last_seq":0}))
        .await;
    phone.expect("welcome").await;
    ok(
        &mut phone,
        json!({"type":"submit","prompt_id":prompt,"text":CANARY}),
    )
    .await;
    // Refused: a prompt that does not exist, with the canary again.
    let refused = support::ask(
        &mut phone,
        json!({"type":"submit","prompt_id":"p999","text":CANARY}),
    )
    .await;
    assert_eq!(refused["type"], "error", "{refused}");
    let bearer = format!("Bearer {key}");
    let headers = [
        ("Authorization", bearer.as_str()),
        ("User-Agent", USER_AGENT),
    ];
    let export = format!("/api/sessions/{slug}/export.csv?hidden=false&lang=en&tz=Europe/Oslo");
    assert_eq!(http(addr, "GET", &export, &headers, None).await.status, 200);
    let bad = format!("/api/sessions/{slug}/export.md?prompts=QueryCanary77");
    assert_eq!(http(addr, "GET", &bad, &headers, None).await.status, 400);
    let wrong = format!("Bearer {WRONG_KEY}");
    let wrong = [("Authorization", wrong.as_str())];
    let path = format!("/api/sessions/{slug}/export.json");
    assert_eq!(http(addr, "GET", &path, &wrong, None).await.status, 403);
    let missing = http(
        addr,
        "GET",
        "/api/sessions/ei-ole/export.csv?x=QueryCanary78",
        &headers,
        None,
    );
    assert_eq!(missing.await.status, 404);
    drop(phone);
    drop(facilitator);
    key
}

/// Runs the server in `format`, drives [`traffic`], stops it with SIGTERM and returns its
/// log with the key.
async fn run(format: &str) -> (Vec<String>, String, SocketAddr) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut paja = spawn(dir.path(), format);
    let key = traffic(paja.addr).await;
    let status = Command::new("kill")
        .args(["-TERM", &paja.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let exited = tokio::task::spawn_blocking(move || {
        let status = paja.child.wait().expect("wait");
        (status, paja)
    });
    let (status, paja) = tokio::time::timeout(Duration::from_secs(20), exited)
        .await
        .expect("paja exits on SIGTERM")
        .expect("join");
    assert!(status.success(), "{status}");
    // The reader thread has seen end of file once the pipe closed; give it the last lines.
    let mut log = paja.log.lock().unwrap().clone();
    for _ in 0..100 {
        if log.iter().any(|l| l.contains("session stopped")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        log = paja.log.lock().unwrap().clone();
    }
    (log, key, paja.addr)
}

/// The checks both formats share: nothing private, no colour codes, an access line per
/// request, the websocket's lines in its request's span.
fn assert_private(log: &[String], key: &str, addr: SocketAddr) {
    let text = log.join("\n");
    assert!(log.len() > 20, "too few lines to mean anything:\n{text}");
    let bind = addr.to_string();
    for secret in [
        CLIENT_IP,
        USER_AGENT,
        "CanaryPhone",
        CANARY,
        "Kanarialintu",
        key,
        WRONG_KEY,
    ] {
        assert!(!text.contains(secret), "the log holds {secret:?}:\n{text}");
    }
    for query in [
        "hidden=false",
        "tz=Europe/Oslo",
        "QueryCanary77",
        "QueryCanary78",
        "?x=",
    ] {
        assert!(
            !text.contains(query),
            "the log holds the query {query:?}:\n{text}"
        );
    }
    // The peer (127.0.0.1) appears only as the server's own bound address.
    for line in log {
        let peers = line.matches("127.0.0.1").count();
        assert_eq!(
            peers,
            line.matches(&bind).count(),
            "a client address: {line}"
        );
    }
    for field in [
        "user_agent",
        "user-agent",
        "remote_addr",
        "peer",
        "x-forwarded-for",
    ] {
        assert!(
            !text.to_lowercase().contains(field),
            "a {field} field:\n{text}"
        );
    }
    assert!(!text.contains("\u{1b}["), "colour codes in a pipe:\n{text}");
}

#[tokio::test]
async fn json_logs_are_json_lines_with_request_ids_and_nothing_private() {
    let (log, key, addr) = run("json").await;
    assert_private(&log, &key, addr);
    let lines: Vec<Value> = log
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let access: Vec<&Value> = lines
        .iter()
        .filter(|l| l["target"] == "paja::access")
        .collect();
    // create, 2 upgrades, 2 exports, the wrong key, the unknown session.
    assert!(access.len() >= 7, "access lines: {access:#?}");
    for line in &access {
        let id = line["fields"]["request_id"].as_str().unwrap_or_default();
        assert!(Uuid::parse_str(id).is_ok(), "no request id: {line}");
        assert_eq!(line["spans"][0]["id"], id, "{line}");
        assert!(
            line["level"] == "INFO" && line["timestamp"].is_string(),
            "{line}"
        );
    }
    let upgrades: Vec<&str> = access
        .iter()
        .filter(|l| l["fields"]["status"] == 101 && l["spans"][0]["route"] == "/ws/{slug}")
        .filter_map(|l| l["fields"]["request_id"].as_str())
        .collect();
    assert_eq!(upgrades.len(), 2, "{access:#?}");
    let routes: Vec<&str> = access
        .iter()
        .filter_map(|l| l["spans"][0]["route"].as_str())
        .collect();
    assert!(
        routes.contains(&"/api/sessions/{slug}/{file}"),
        "{routes:?}"
    );
    // Each websocket's lines (its end at least) carry its upgrade's request id.
    let closed: Vec<&Value> = lines
        .iter()
        .filter(|l| l["fields"]["message"] == "websocket closed")
        .collect();
    assert_eq!(closed.len(), 2, "{closed:#?}");
    for line in closed {
        let id = line["spans"][0]["id"].as_str().unwrap_or_default();
        assert!(upgrades.contains(&id), "{line}");
        assert!(line["fields"]["duration_ms"].is_u64(), "{line}");
    }
}

#[tokio::test]
async fn text_logs_have_no_colour_off_a_terminal_and_nothing_private() {
    let (log, key, addr) = run("text").await;
    assert_private(&log, &key, addr);
    let access: Vec<&String> = log.iter().filter(|l| l.contains("paja::access")).collect();
    assert!(access.len() >= 7, "{log:#?}");
    assert!(
        access.iter().all(|l| l.contains("request_id=")),
        "{access:#?}"
    );
}
