//! Issue 13, parts 1–3 and 8's delete, tried the way an attacker would: raw HTTP/1.1 from
//! outside the process with forged `Host`, `Origin`, `Sec-Fetch-Site`, `X-Forwarded-*` and
//! `Content-Type` headers.
//!
//! - DNS rebinding: a name that is not ours gets 421 on pages, API and the upgrade, by default
//!   and with `--public-url`; `/healthz` answers any host.
//! - The QR code and the join address carry the public URL even when asked through
//!   127.0.0.1; a forwarded host that is not allowed is not used.
//! - Every state-changing route refuses a cross-site request; a `text/plain` import is 415 and
//!   creates nothing.
//! - Guessing names: 429 with `Retry-After` after the burst, while a known session keeps
//!   answering and another address is not affected.
//! - A DELETE that fails removes nothing, and its retry succeeds.

use std::net::{IpAddr, SocketAddr};

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

use crate::support::{open_prompt, HttpResponse, TestServer, WAIT};

const LOOPBACK: &str = "127.0.0.1";

/// One raw request: `method path`, the `Host` given (forged or not), extra headers and a body
/// with its content type, sent from `from`.
struct Raw<'a> {
    method: &'a str,
    path: &'a str,
    host: String,
    headers: Vec<(&'a str, String)>,
    body: Option<(&'a str, Vec<u8>)>,
    from: &'a str,
}

impl<'a> Raw<'a> {
    fn new(method: &'a str, path: &'a str, host: impl Into<String>) -> Self {
        Raw {
            method,
            path,
            host: host.into(),
            headers: Vec::new(),
            body: None,
            from: LOOPBACK,
        }
    }

    fn header(mut self, name: &'a str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    fn json(self, body: &Value) -> Self {
        self.body("application/json", body.to_string().into_bytes())
    }

    fn body(mut self, content_type: &'a str, body: Vec<u8>) -> Self {
        self.body = Some((content_type, body));
        self
    }

    /// The headers of a websocket upgrade.
    fn upgrade(self) -> Self {
        self.header("Connection", "Upgrade, close")
            .header("Upgrade", "websocket")
            .header("Sec-WebSocket-Version", "13")
            .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
    }

    /// Sends it and reads the whole answer (the server closes: `Connection: close`).
    async fn send(self, addr: SocketAddr) -> HttpResponse {
        let socket = TcpSocket::new_v4().expect("socket");
        let from: IpAddr = self.from.parse().expect("source address");
        socket.bind(SocketAddr::new(from, 0)).expect("bind");
        let mut stream = socket.connect(addr).await.expect("connect");
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\n",
            self.method, self.path, self.host
        );
        if !self.headers.iter().any(|(n, _)| *n == "Connection") {
            head.push_str("Connection: close\r\n");
        }
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        let mut bytes = Vec::new();
        if let Some((content_type, body)) = &self.body {
            head.push_str(&format!(
                "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
                body.len()
            ));
            bytes = body.clone();
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.expect("write");
        stream.write_all(&bytes).await.expect("write body");
        let mut raw = Vec::new();
        tokio::time::timeout(WAIT, stream.read_to_end(&mut raw))
            .await
            .expect("answer in time")
            .expect("read");
        parse(&raw)
    }
}

fn parse(raw: &[u8]) -> HttpResponse {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    HttpResponse {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

fn code(response: &HttpResponse) -> String {
    response.json()["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn server_with(config: impl FnOnce(&mut paja::Config)) -> (TestServer, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let mut c = paja::Config {
        data_dir: tmp.path().to_path_buf(),
        ..paja::Config::default()
    };
    config(&mut c);
    (TestServer::start_with(c).await, tmp)
}

fn public(urls: &[&str]) -> Vec<paja::http::PublicUrl> {
    urls.iter()
        .map(|u| paja::http::PublicUrl::parse(u).unwrap())
        .collect()
}

/// The attacker's requests under `host` (with its own `Origin`): every one must get 421.
async fn rebinding_is_refused(server: &TestServer, host: &str) {
    let origin = format!("http://{host}");
    let new_session = json!({"slug":"kaapattu","title":"Kaapattu"});
    let attempts = [
        Raw::new("GET", "/", host),
        Raw::new("GET", "/kokous", host),
        Raw::new("GET", "/kokous/control", host),
        Raw::new("GET", "/kokous/qr.svg", host),
        Raw::new("GET", "/api/address", host),
        Raw::new("GET", "/assets/common.js", host),
        Raw::new("POST", "/api/sessions", host).json(&new_session),
        Raw::new("GET", "/ws/kokous", host).upgrade(),
    ];
    for attempt in attempts {
        let what = format!("{} {} Host: {host}", attempt.method, attempt.path);
        let response = attempt
            .header("Origin", origin.clone())
            .send(server.addr)
            .await;
        assert_eq!(response.status, 421, "{what}");
        assert_eq!(code(&response), "misdirected_request", "{what}");
    }
    assert!(server.hub().get("kaapattu").await.is_none());
    // The health check says only "ok", to any host (load balancers probe by address).
    let health = Raw::new("GET", "/healthz", host).send(server.addr).await;
    assert_eq!(health.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_rebinding_gets_421_by_default_while_loopback_and_ip_addresses_work() {
    let (server, _tmp) = server_with(|_| {}).await;
    server.create_session("kokous").await;
    let port = server.addr.port();
    for host in ["evil.example".to_owned(), format!("evil.example:{port}")] {
        rebinding_is_refused(&server, &host).await;
    }
    // The laptop default: loopback names and any IP address a phone may type.
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("192.168.1.20:{port}"),
    ] {
        let page = Raw::new("GET", "/kokous", host.clone())
            .send(server.addr)
            .await;
        assert_eq!(page.status, 200, "{host}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_public_url_only_its_host_and_loopback_are_served() {
    let (server, _tmp) =
        server_with(|c| c.public_urls = public(&["https://paja.example.fi"])).await;
    server.create_session("kokous").await;
    for host in ["evil.example", "192.168.1.20:8080", "example.fi"] {
        rebinding_is_refused(&server, host).await;
    }
    for host in ["paja.example.fi", "localhost", "127.0.0.1"] {
        let page = Raw::new("GET", "/kokous", host).send(server.addr).await;
        assert_eq!(page.status, 200, "{host}");
    }
    // The public site's own page may create a session.
    let created = Raw::new("POST", "/api/sessions", "paja.example.fi")
        .header("Origin", "https://paja.example.fi")
        .header("Sec-Fetch-Site", "same-origin")
        .json(&json!({"slug":"oma","title":"Oma"}))
        .send(server.addr)
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
}

/// The QR code Paja draws for `url`.
fn qr_of(url: &str) -> String {
    qrcode::QrCode::new(url.as_bytes())
        .unwrap()
        .render::<qrcode::render::svg::Color<'_>>()
        .quiet_zone(true)
        .build()
}

async fn address(server: &TestServer, raw: Raw<'_>) -> Value {
    let response = raw.send(server.addr).await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_qr_code_and_join_address_carry_the_public_url_even_via_loopback() {
    let urls = ["https://paja.example.fi", "https://paja.example.se"];
    let (server, _tmp) = server_with(|c| c.public_urls = public(&urls)).await;
    server.create_session("kokous").await;
    let loopback = server.addr.to_string();
    let qr = Raw::new("GET", "/kokous/qr.svg", loopback.clone())
        .send(server.addr)
        .await;
    assert_eq!(qr.status, 200);
    assert_eq!(qr.text(), qr_of("https://paja.example.fi/kokous"));
    assert_ne!(qr.text(), qr_of(&format!("http://{loopback}/kokous")));
    assert_eq!(
        address(&server, Raw::new("GET", "/api/address", loopback)).await,
        json!({"origin":"https://paja.example.fi","host":"paja.example.fi"})
    );
    // Asked through the second public name, the second is the one shown.
    let se = Raw::new("GET", "/kokous/qr.svg", "paja.example.se")
        .send(server.addr)
        .await;
    assert_eq!(se.text(), qr_of("https://paja.example.se/kokous"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forwarded_host_is_used_only_when_it_is_allowed() {
    let (proxied, _a) = server_with(|c| c.trust_proxy = true).await;
    proxied.create_session("kokous").await;
    let loopback = proxied.addr.to_string();
    let via = |forwarded: &'static str| {
        Raw::new("GET", "/api/address", loopback.clone())
            .header("X-Forwarded-Host", forwarded)
            .header("X-Forwarded-Proto", "https")
    };
    assert_eq!(
        address(&proxied, via("evil.example")).await["origin"],
        format!("https://{loopback}")
    );
    assert_eq!(
        address(&proxied, via("192.168.1.20:8443")).await["origin"],
        "https://192.168.1.20:8443"
    );
    let qr = Raw::new("GET", "/kokous/qr.svg", loopback.clone())
        .header("X-Forwarded-Host", "evil.example")
        .send(proxied.addr)
        .await;
    assert_eq!(qr.text(), qr_of(&format!("http://{loopback}/kokous")));

    // With public URLs a forwarded host picks among them, and an unknown one is ignored.
    let urls = ["https://paja.example.fi", "https://paja.example.se"];
    let (server, _b) = server_with(|c| {
        c.trust_proxy = true;
        c.public_urls = public(&urls);
    })
    .await;
    let via = |forwarded: &'static str| {
        Raw::new("GET", "/api/address", "127.0.0.1").header("X-Forwarded-Host", forwarded)
    };
    assert_eq!(
        address(&server, via("paja.example.se")).await["origin"],
        "https://paja.example.se"
    );
    assert_eq!(
        address(&server, via("evil.example")).await["origin"],
        "https://paja.example.fi"
    );
    // Without --trust-proxy the header means nothing.
    let (plain, _c) = server_with(|c| c.public_urls = public(&urls)).await;
    assert_eq!(
        address(&plain, via("paja.example.se")).await["origin"],
        "https://paja.example.fi"
    );
}

/// Every state-changing route, as a page on another site would send it.
fn state_changing<'a>(host: &str, key: &'a str, export: &Value) -> Vec<(&'static str, Raw<'a>)> {
    let bearer = format!("Bearer {key}");
    vec![
        (
            "create",
            Raw::new("POST", "/api/sessions", host).json(&json!({"slug":"uusi","title":"Uusi"})),
        ),
        (
            "import",
            Raw::new("POST", "/api/sessions/import?slug=tuotu", host).json(export),
        ),
        (
            "delete",
            Raw::new("DELETE", "/api/sessions/kokous", host)
                .header("Authorization", bearer.clone()),
        ),
        (
            "export",
            Raw::new("GET", "/api/sessions/kokous/export.csv", host)
                .header("Authorization", bearer.clone()),
        ),
        (
            "agenda",
            Raw::new("GET", "/api/sessions/kokous/agenda.json", host)
                .header("Authorization", bearer),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_changing_route_refuses_another_sites_page() {
    let (server, _tmp) = server_with(|_| {}).await;
    let key = server.create_session("kokous").await;
    let export = server
        .get_with_key("/api/sessions/kokous/export.json", &key)
        .await
        .json();
    let host = server.addr.to_string();
    let forged: [&[(&str, &str)]; 4] = [
        &[("Sec-Fetch-Site", "cross-site")],
        &[("Sec-Fetch-Site", "same-site")],
        &[("Origin", "http://evil.example")],
        &[("Origin", "null")],
    ];
    for headers in forged {
        for (route, mut raw) in state_changing(&host, &key, &export) {
            for (name, value) in headers {
                raw = raw.header(name, *value);
            }
            let response = raw.send(server.addr).await;
            assert_eq!(response.status, 403, "{route} {headers:?}");
            assert_eq!(code(&response), "cross_site", "{route} {headers:?}");
        }
    }
    assert!(server.hub().get("uusi").await.is_none());
    assert!(server.hub().get("tuotu").await.is_none());
    assert!(server.hub().get("kokous").await.is_some());
    // The same requests from our own page go through: the downloads first, the delete last.
    let own = format!("http://{host}");
    let mut routes = state_changing(&host, &key, &export);
    routes.rotate_left(3);
    let expected = [200, 200, 201, 201, 204];
    for ((route, raw), status) in routes.into_iter().zip(expected) {
        let response = raw
            .header("Sec-Fetch-Site", "same-origin")
            .header("Origin", own.clone())
            .send(server.addr)
            .await;
        assert_eq!(response.status, status, "{route}: {}", response.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_plain_import_gets_415_and_creates_nothing() {
    let (server, _tmp) = server_with(|_| {}).await;
    let key = server.create_session("kokous").await;
    let export = server
        .get_with_key("/api/sessions/kokous/export.json", &key)
        .await
        .text();
    let host = server.addr.to_string();
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ] {
        let import = Raw::new("POST", "/api/sessions/import?slug=tuotu", host.clone())
            .body(content_type, export.clone().into_bytes())
            .send(server.addr)
            .await;
        assert_eq!(import.status, 415, "{content_type}");
        assert_eq!(code(&import), "unsupported_media_type");
        let create = Raw::new("POST", "/api/sessions", host.clone())
            .body(content_type, br#"{"slug":"uusi","title":"Uusi"}"#.to_vec())
            .send(server.addr)
            .await;
        assert_eq!(create.status, 415, "{content_type}");
    }
    assert!(server.hub().get("tuotu").await.is_none());
    assert!(!server.data_dir.join("sessions/tuotu").exists());
    let import = Raw::new("POST", "/api/sessions/import?slug=tuotu", host)
        .body("application/json; charset=utf-8", export.into_bytes())
        .send(server.addr)
        .await;
    assert_eq!(import.status, 201, "{}", import.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_names_gets_429_while_a_known_session_keeps_answering() {
    let (server, _tmp) = server_with(|_| {}).await;
    let key = server.create_session("kokous").await;
    let host = server.addr.to_string();
    let bearer = format!("Bearer {key}");
    // The burst is 20 and refills at 2/s; 200 guesses run out of it however slow the machine.
    let mut limited = None;
    for i in 0..200 {
        let path = format!("/arvaus{i}");
        let response = Raw::new("GET", &path, host.clone()).send(server.addr).await;
        if response.status == 429 {
            limited = Some((i, response));
            break;
        }
        assert_eq!(response.status, 404, "{path}");
    }
    let (guesses, response) = limited.expect("guessing was never limited");
    assert!(guesses >= 20, "limited after {guesses}");
    assert_eq!(code(&response), "too_many_lookups");
    let wait: u64 = response
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!(wait >= 1, "{wait}");
    // Every kind of lookup of an unknown name is limited now…
    let unknown = [
        Raw::new("GET", "/arvaus/control", host.clone()),
        Raw::new("GET", "/arvaus/screen", host.clone()),
        Raw::new("GET", "/arvaus/qr.svg", host.clone()),
        Raw::new("GET", "/ws/arvaus", host.clone()).upgrade(),
        Raw::new("DELETE", "/api/sessions/arvaus", host.clone())
            .header("Authorization", bearer.clone()),
        Raw::new("GET", "/api/sessions/arvaus/export.csv", host.clone())
            .header("Authorization", bearer.clone()),
    ];
    for raw in unknown {
        let what = format!("{} {}", raw.method, raw.path);
        let response = raw.send(server.addr).await;
        assert_eq!(response.status, 429, "{what}");
        assert!(response.header("retry-after").is_some(), "{what}");
    }
    // …while the known session answers every time: a projector reloading, a room joining.
    for _ in 0..50 {
        for path in ["/kokous", "/kokous/screen", "/kokous/qr.svg"] {
            let response = Raw::new("GET", path, host.clone()).send(server.addr).await;
            assert_eq!(response.status, 200, "{path}");
        }
    }
    let (mut phone, _) = server.participant("kokous").await;
    let (mut facilitator, _) = server.facilitator("kokous", &key).await;
    open_prompt(&mut facilitator, "Kysymys").await;
    phone.until("prompt_opened").await;
    // Another address has its own budget.
    let mut other = Raw::new("GET", "/arvaus", host.clone());
    other.from = "127.0.0.2";
    assert_eq!(other.send(server.addr).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_delete_removes_nothing_and_its_retry_succeeds() {
    let fault = paja::store::WriteFault::default();
    let (server, tmp) = server_with(|c| c.write_fault = fault.clone()).await;
    let key = server.create_session("poista").await;
    let (mut facilitator, _) = server.facilitator("poista", &key).await;
    open_prompt(&mut facilitator, "Hetki").await;
    let dir = server.data_dir.join("sessions/poista");
    let files_before = files_under(&dir);
    assert!(!files_before.is_empty());

    fault.set(true);
    let bearer = format!("Bearer {key}");
    let delete = || {
        Raw::new("DELETE", "/api/sessions/poista", server.addr.to_string())
            .header("Authorization", bearer.clone())
    };
    let failed = delete().send(server.addr).await;
    assert_eq!(failed.status, 503, "{}", failed.text());
    assert_eq!(code(&failed), "storage_unavailable");
    // Nothing removed: the files are whole and the session is still served.
    assert_eq!(files_under(&dir), files_before);
    assert!(server.hub().get("poista").await.is_some());
    let page = Raw::new("GET", "/poista", server.addr.to_string())
        .send(server.addr)
        .await;
    assert_eq!(page.status, 200);
    let (_, welcome) = server.facilitator("poista", &key).await;
    assert_eq!(
        welcome["prompts"].as_array().map(Vec::len),
        Some(1),
        "{welcome}"
    );

    // The console connected before the failure was not disturbed: it goes on working.
    fault.set(false);
    open_prompt(&mut facilitator, "Toinen").await;
    let retried = delete().send(server.addr).await;
    assert_eq!(retried.status, 204, "{}", retried.text());
    assert_eq!(facilitator.closed().await, Some(4004));
    assert!(!dir.exists());
    assert!(server.hub().get("poista").await.is_none());
    let trash = tmp.path().join("trash");
    assert_eq!(std::fs::read_dir(&trash).map(|d| d.count()).unwrap_or(0), 0);
    let again = delete().send(server.addr).await;
    assert_eq!(again.status, 404);

    // What a removal cut short leaves in the trash is gone after the next start.
    std::fs::create_dir_all(trash.join("vanha-0123/snapshots")).unwrap();
    std::fs::write(trash.join("vanha-0123/journal.jsonl"), "salaisuus\n").unwrap();
    let server = server.restart().await;
    assert_eq!(std::fs::read_dir(&trash).unwrap().count(), 0);
    drop(server);
}

/// Every file under `dir` with its size, sorted.
fn files_under(dir: &std::path::Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                out.push((entry.path().display().to_string(), meta.len()));
            }
        }
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_paja_command_takes_public_urls_repeated_or_comma_separated() {
    let data = tempfile::tempdir().unwrap();
    let urls = "https://paja.example.fi,https://paja.example.se";
    let args = [
        "--public-url",
        urls,
        "--public-url",
        "http://toinen.example:8080",
    ];
    let mut paja = crate::support::Paja::spawn(data.path(), &args);
    let origin_via = |host: &'static str| async move {
        let response = Raw::new("GET", "/api/address", host).send(paja.addr).await;
        (response.status, response.text())
    };
    for (host, origin) in [
        ("paja.example.se", "https://paja.example.se"),
        ("toinen.example:8080", "http://toinen.example:8080"),
        ("127.0.0.1", "https://paja.example.fi"),
    ] {
        let (status, body) = origin_via(host).await;
        assert_eq!(status, 200, "{host}");
        assert!(
            body.contains(&format!("\"origin\":\"{origin}\"")),
            "{host}: {body}"
        );
    }
    assert_eq!(origin_via("evil.example").await.0, 421);
    assert_eq!(origin_via("192.168.1.20").await.0, 421);
    paja.kill();
    // A malformed URL, from the flag or the environment, stops the start with a reason.
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_paja"))
        .args(["--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .env("PAJA_PUBLIC_URL", "ftp://paja.example.fi")
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("the scheme must be http or https"),
        "{stderr}"
    );
}
