//! Test harness: a real server on an ephemeral port, a tiny HTTP client and a typed
//! websocket client.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{BufRead, BufReader};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;

/// How long any single expected frame may take before a test fails (generous: CI is noisy).
pub const WAIT: Duration = Duration::from_secs(20);

/// The real server, bound to 127.0.0.1:0 with its own data directory.
pub struct TestServer {
    pub server: Option<paja::Server>,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

impl TestServer {
    pub async fn start() -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        let data_dir = tmp.path().to_path_buf();
        let mut server = Self::start_on(&data_dir).await;
        server._tmp = Some(tmp);
        server
    }

    /// A server on a fresh data directory with `configure` applied to the default config.
    pub async fn start_configured(configure: impl FnOnce(&mut paja::Config)) -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut config = paja::Config {
            data_dir: tmp.path().to_path_buf(),
            ..paja::Config::default()
        };
        configure(&mut config);
        let mut server = Self::start_with(config).await;
        server._tmp = Some(tmp);
        server
    }

    /// A server on an existing data directory (a restart).
    pub async fn start_on(data_dir: &Path) -> Self {
        Self::start_with(paja::Config {
            addr: "127.0.0.1:0".parse().expect("addr"),
            data_dir: data_dir.to_path_buf(),
            ..paja::Config::default()
        })
        .await
    }

    /// A server with a particular configuration (its address is forced to 127.0.0.1:0).
    pub async fn start_with(config: paja::Config) -> Self {
        let data_dir = config.data_dir.clone();
        let server = paja::Server::start(paja::Config {
            addr: "127.0.0.1:0".parse().expect("addr"),
            ..config
        })
        .await
        .expect("server starts");
        Self {
            addr: server.addr(),
            server: Some(server),
            data_dir,
            _tmp: None,
        }
    }

    /// Graceful stop (as Ctrl-C), then a new server on the same data directory.
    pub async fn restart(self) -> Self {
        self.restart_after(|_| {}).await
    }

    /// Graceful stop, then `between` on the stopped data directory, then a new server on it.
    pub async fn restart_after(mut self, between: impl FnOnce(&Path)) -> Self {
        self.stop().await;
        between(&self.data_dir);
        let mut next = Self::start_on(&self.data_dir).await;
        next._tmp = self._tmp.take();
        next
    }

    /// Graceful stop (as Ctrl-C); the data directory stays until `self` is dropped.
    pub async fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }

    /// The running server's session registry.
    pub fn hub(&self) -> &Arc<paja::hub::Hub> {
        self.server.as_ref().expect("server running").hub()
    }

    pub fn ws_url(&self, slug: &str) -> String {
        format!("ws://{}/ws/{slug}", self.addr)
    }

    pub async fn http(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> HttpResponse {
        http(self.addr, method, path, headers, body).await
    }

    /// A GET with a facilitator key as the Bearer token (downloads, exports).
    pub async fn get_with_key(&self, path: &str, key: &str) -> HttpResponse {
        let bearer = format!("Bearer {key}");
        self.http("GET", path, &[("Authorization", &bearer)], None)
            .await
    }

    /// Creates a session and returns its facilitator key.
    pub async fn create_session(&self, slug: &str) -> String {
        self.create_session_from(
            json!({"slug": slug, "title": "HYVINSIVI – työpaja", "language": "fi"}),
        )
        .await
    }

    /// Creates a session from this `POST /api/sessions` body; returns its facilitator key.
    pub async fn create_session_from(&self, body: Value) -> String {
        let response = self.http("POST", "/api/sessions", &[], Some(&body)).await;
        assert_eq!(response.status, 201, "{}", response.text());
        response.json()["facilitator_key"]
            .as_str()
            .expect("key")
            .to_owned()
    }

    pub async fn facilitator(&self, slug: &str, key: &str) -> (Client, Value) {
        let mut client = Client::connect(&self.ws_url(slug)).await;
        client
            .send(json!({"type":"hello","protocol":1,"role":"facilitator","key":key,"last_seq":0}))
            .await;
        let welcome = client.expect("welcome").await;
        (client, welcome)
    }

    pub async fn screen(&self, slug: &str) -> (Client, Value) {
        let mut client = Client::connect(&self.ws_url(slug)).await;
        client.send(json!({"type":"hello","role":"screen"})).await;
        let welcome = client.expect("welcome").await;
        (client, welcome)
    }

    pub async fn participant(&self, slug: &str) -> (Client, Value) {
        self.participant_as(slug, Uuid::new_v4()).await
    }

    pub async fn participant_as(&self, slug: &str, id: Uuid) -> (Client, Value) {
        let mut client = Client::connect(&self.ws_url(slug)).await;
        client
            .send(json!({"type":"hello","role":"participant","participant_id":id,"last_seq":0}))
            .await;
        let welcome = client.expect("welcome").await;
        (client, welcome)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // Dropping the runtime stops its tasks; nothing to do for a server already shut down.
        self.server.take();
    }
}

/// An HTTP response, read to the end.
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A minimal HTTP/1.1 client (`Connection: close`), enough for the API and pages.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> HttpResponse {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        request.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(&body);
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    HttpResponse {
        status,
        headers,
        body,
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = raw.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&raw[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[end + 2..end + 2 + size]);
        raw = &raw[end + 2 + size + 2..];
    }
}

/// A websocket client speaking Paja's JSON frames.
pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    pub async fn connect(url: &str) -> Self {
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .unwrap_or_else(|e| panic!("connect {url}: {e}"));
        Self { ws }
    }

    pub fn from_stream(ws: WebSocketStream<MaybeTlsStream<TcpStream>>) -> Self {
        Self { ws }
    }

    /// Connects from a particular loopback address (`127.0.0.x`), so tests can stand for
    /// several client IPs; `Err` carries the HTTP status when the upgrade is refused.
    pub async fn connect_from(ip: IpAddr, addr: SocketAddr, path: &str) -> Result<Self, u16> {
        let socket = TcpSocket::new_v4().expect("socket");
        socket.bind(SocketAddr::new(ip, 0)).expect("bind");
        Self::connect_via(socket, addr, path).await
    }

    /// Connects over a socket prepared by the caller (bound, small buffers, ...).
    pub async fn connect_via(socket: TcpSocket, addr: SocketAddr, path: &str) -> Result<Self, u16> {
        let stream = socket.connect(addr).await.expect("tcp connect");
        let url = format!("ws://{addr}{path}");
        match tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(stream)).await {
            Ok((ws, _)) => Ok(Self { ws }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                Err(response.status().as_u16())
            }
            Err(e) => panic!("connect {path}: {e}"),
        }
    }

    pub async fn send(&mut self, frame: Value) {
        self.ws
            .send(Message::Text(frame.to_string().into()))
            .await
            .expect("send");
    }

    /// Sends, reporting a closed connection instead of failing the test (crash tests).
    pub async fn try_send(&mut self, frame: Value) -> bool {
        self.ws
            .send(Message::Text(frame.to_string().into()))
            .await
            .is_ok()
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.ws
            .send(Message::Text(text.to_owned().into()))
            .await
            .expect("send");
    }

    pub async fn send_raw_binary(&mut self) {
        self.ws
            .send(Message::Binary(vec![1u8, 2, 3].into()))
            .await
            .expect("send");
    }

    /// The next JSON frame, or `None` when the server closed the connection.
    pub async fn next(&mut self) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("timed out waiting for a frame")?;
            match message {
                Ok(Message::Text(text)) => {
                    return Some(serde_json::from_str(&text).expect("server sent JSON"))
                }
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => continue,
            }
        }
    }

    /// The next JSON frame, or how the connection ended: `Err(Some(code))` for a close frame,
    /// `Err(None)` for a connection that just went away.
    pub async fn recv(&mut self) -> Result<Value, Option<u16>> {
        loop {
            let message = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("timed out waiting for a frame");
            match message {
                Some(Ok(Message::Text(text))) => {
                    return Ok(serde_json::from_str(&text).expect("server sent JSON"))
                }
                Some(Ok(Message::Close(frame))) => return Err(frame.map(|f| u16::from(f.code))),
                None | Some(Err(_)) => return Err(None),
                Some(Ok(_)) => continue,
            }
        }
    }

    /// The next frame, which must have this `type`.
    pub async fn expect(&mut self, kind: &str) -> Value {
        let frame = self
            .next()
            .await
            .unwrap_or_else(|| panic!("closed while waiting for {kind}"));
        assert_eq!(frame["type"], kind, "expected {kind}, got {frame}");
        frame
    }

    /// Skips frames until one of this `type` arrives (e.g. past presence notices).
    pub async fn until(&mut self, kind: &str) -> Value {
        loop {
            let frame = self
                .next()
                .await
                .unwrap_or_else(|| panic!("closed while waiting for {kind}"));
            if frame["type"] == kind {
                return frame;
            }
        }
    }

    /// The server closed the connection; returns the close code.
    pub async fn closed(&mut self) -> Option<u16> {
        loop {
            match tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("timed out waiting for close")
            {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                None | Some(Err(_)) => return None,
                Some(Ok(_)) => continue,
            }
        }
    }
}

/// Facilitator helper: sends a command with a request id and waits for its ack. Returns the
/// ack and the frames that arrived before it (the events the command caused).
pub async fn command(client: &mut Client, mut frame: Value) -> (Value, Vec<Value>) {
    let id = Uuid::new_v4().to_string();
    frame["id"] = json!(id);
    client.send(frame).await;
    let mut before = Vec::new();
    loop {
        let reply = client.next().await.expect("connection open");
        if reply["id"] == json!(id) {
            assert_eq!(reply["type"], "ack", "command refused: {reply}");
            return (reply, before);
        }
        before.push(reply);
    }
}

/// Adds a prompt from its JSON; returns its id.
pub async fn add_prompt(facilitator: &mut Client, prompt: Value) -> String {
    let (_, events) = command(facilitator, json!({"type":"add_prompt","prompt":prompt})).await;
    events
        .iter()
        .find(|e| e["type"] == "prompt_added")
        .and_then(|e| e["prompt"]["id"].as_str())
        .expect("prompt_added")
        .to_owned()
}

/// Adds a prompt from its JSON and opens it; returns its id.
pub async fn add_and_open(facilitator: &mut Client, prompt: Value) -> String {
    let id = add_prompt(facilitator, prompt).await;
    command(facilitator, json!({"type":"open_prompt","prompt_id":id})).await;
    id
}

/// A participant's request with an id (a new one unless the frame has its own); returns the
/// ack or error frame for it.
pub async fn ask(phone: &mut Client, mut frame: Value) -> Value {
    if frame.get("id").is_none() {
        frame["id"] = json!(Uuid::new_v4().to_string());
    }
    let id = frame["id"].clone();
    phone.send(frame).await;
    loop {
        let reply = phone.next().await.expect("open");
        if reply["id"] == id && (reply["type"] == "ack" || reply["type"] == "error") {
            return reply;
        }
    }
}

/// A participant's request that must be acknowledged; returns the ack.
pub async fn ok(phone: &mut Client, frame: Value) -> Value {
    let reply = ask(phone, frame.clone()).await;
    assert_eq!(reply["type"], "ack", "{frame} → {reply}");
    reply
}

/// Adds a brainstorm prompt and opens it; returns its id.
pub async fn open_prompt(facilitator: &mut Client, title: &str) -> String {
    let (_, events) = command(
        facilitator,
        json!({"type":"add_prompt","prompt":{"kind":"brainstorm","title":title,"instructions":"Kirjatkaa yksi taho kerrallaan ja painakaa Lähetä.","time_limit_secs":120}}),
    )
    .await;
    let added = events
        .iter()
        .find(|e| e["type"] == "prompt_added")
        .unwrap_or_else(|| panic!("prompt_added before the ack: {events:?}"));
    let id = added["prompt"]["id"]
        .as_str()
        .expect("prompt id")
        .to_owned();
    command(facilitator, json!({"type":"open_prompt","prompt_id":id})).await;
    id
}

/// A websocket upgrade request that is expected to be refused: the status and error body.
/// (For an accepted upgrade the status is 101 and the body empty.)
pub async fn upgrade(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> HttpResponse {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: Upgrade, close\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let split = loop {
        if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break split;
        }
        let n = tokio::time::timeout(WAIT, stream.read(&mut buf))
            .await
            .expect("response in time")
            .expect("read");
        assert!(n > 0, "connection closed before the response head");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers: Vec<(String, String)> = head
        .split("\r\n")
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if status != 101 {
        tokio::time::timeout(WAIT, stream.read_to_end(&mut body))
            .await
            .expect("body in time")
            .expect("read body");
    } else {
        body.clear();
    }
    HttpResponse {
        status,
        headers,
        body,
    }
}

/// The real `paja` binary as a child process, on an ephemeral port, its stderr collected.
pub struct Paja {
    pub child: Child,
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

impl Paja {
    /// Starts `paja` on `data_dir` with extra command-line `args`; returns once it serves.
    /// Its log level is `warn`, or `PAJA_TEST_LOG` when set (e.g. `debug` to see why a test
    /// failed: `Paja::log` has the lines).
    pub fn spawn(data_dir: &Path, args: &[&str]) -> Paja {
        Self::spawn_env(data_dir, args, &[])
    }

    /// [`Paja::spawn`] with extra environment variables (test hooks such as
    /// `PAJA_COMPACT_AFTER`).
    pub fn spawn_env(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Paja {
        let mut child = Command::new(env!("CARGO_BIN_EXE_paja"))
            .args(["--addr", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(args)
            .envs(env.iter().copied())
            .env(
                "RUST_LOG",
                std::env::var("PAJA_TEST_LOG").unwrap_or_else(|_| "warn".to_owned()),
            )
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn paja");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let addr = loop {
            let line = lines
                .next()
                .expect("paja exited before serving")
                .expect("read stderr");
            if let Some(rest) = line.strip_prefix("Paja is running at http://") {
                break rest.trim_end_matches('/').parse().expect("address");
            }
            log.lock().unwrap().push(line);
        };
        // Keep draining stderr so the child never blocks on a full pipe.
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Paja { child, addr, log }
    }

    pub fn ws_url(&self, slug: &str) -> String {
        format!("ws://{}/ws/{slug}", self.addr)
    }

    /// What it has written to stderr so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Its log once a line matches `wanted` (fails after [`WAIT`]): what a session's first
    /// load logs is written while the server runs, not before it serves.
    pub async fn log_until(&self, wanted: impl Fn(&str) -> bool) -> Vec<String> {
        let limit = Instant::now() + WAIT;
        loop {
            let log = self.log();
            if log.iter().any(|l| wanted(l)) || Instant::now() > limit {
                return log;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// SIGKILL, and reap it.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    /// Sends SIGTERM (as systemd or `docker stop` would).
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
    }

    /// Waits up to `limit` for the process to exit by itself: its status and how long it took.
    pub async fn wait_exit(&mut self, limit: Duration) -> Option<(ExitStatus, Duration)> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some((status, start.elapsed()));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        None
    }
}

impl Drop for Paja {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A random number below `n` (test variety, not cryptography).
pub fn random_below(n: u64) -> u64 {
    (Uuid::new_v4().as_u128() % u128::from(n)) as u64
}

/// Every item the session holds, as the facilitator sees them: the welcome's newest, then
/// the older ones paged in with `items` requests, oldest first.
pub async fn stored_items(url: &str, key: &str) -> Vec<Value> {
    let mut client = Client::connect(url).await;
    client
        .send(json!({"type":"hello","role":"facilitator","key":key}))
        .await;
    let welcome = client.expect("welcome").await;
    let mut items = welcome["items"].as_array().expect("items").clone();
    // The welcome carries the newest items only (protocol.md: `items_before`); page the rest.
    let mut before = welcome["items_before"].as_u64();
    let mut page_id = 0;
    while let Some(cursor) = before {
        page_id += 1;
        client
            .send(json!({"type":"items","id":format!("page{page_id}"),"before":cursor}))
            .await;
        let page = client.until("items").await;
        let older = page["items"].as_array().expect("items");
        items.splice(0..0, older.iter().cloned());
        before = page["items_before"].as_u64();
    }
    items
}

/// A phone as the web client behaves: a participant id that survives reconnections and an
/// outbox of items not yet acknowledged (localStorage), re-sent with the same ids after every
/// reconnection.
pub struct Phone {
    pub id: Uuid,
    /// Items made but not acknowledged yet, oldest first.
    pub outbox: VecDeque<(Uuid, String)>,
    /// Every acknowledged item and the seq its ack carried.
    pub acked: HashMap<Uuid, u64>,
    /// How the last connection ended: a close frame's code, or `None` for a dropped one.
    pub ended: Option<Option<u16>>,
    made: usize,
}

impl Default for Phone {
    fn default() -> Self {
        Self::new()
    }
}

impl Phone {
    pub fn new() -> Self {
        Self {
            id: Uuid::new_v4(),
            outbox: VecDeque::new(),
            acked: HashMap::new(),
            ended: None,
            made: 0,
        }
    }

    /// Connects, re-sends the outbox, then (with `more`) keeps making new items, `window` of
    /// them in flight, until the connection ends; without `more` it stops once the outbox is
    /// empty. Every ack bumps `acks`. A server that is down or dies is not an error: the phone
    /// comes back with what it knows.
    pub async fn run(
        mut self,
        url: String,
        prompt: String,
        more: bool,
        window: usize,
        acks: tokio::sync::watch::Sender<usize>,
    ) -> Phone {
        self.ended = None;
        let Ok((ws, _)) = tokio_tungstenite::connect_async(&url).await else {
            return self;
        };
        let mut client = Client { ws };
        let hello = json!({"type":"hello","role":"participant","participant_id":self.id});
        if !client.try_send(hello).await {
            return self;
        }
        match client.recv().await {
            Ok(welcome) => assert_eq!(welcome["type"], "welcome", "{welcome}"),
            Err(code) => {
                self.ended = Some(code);
                return self;
            }
        }
        let mut queue: VecDeque<(Uuid, String)> = self.outbox.clone();
        let mut in_flight: HashSet<Uuid> = HashSet::new();
        let mut sending = true;
        loop {
            while sending && in_flight.len() < window {
                let (id, text) = match queue.pop_front() {
                    Some(item) => item,
                    None if more => {
                        self.made += 1;
                        let item = (Uuid::new_v4(), format!("{} – {}", self.id, self.made));
                        self.outbox.push_back(item.clone());
                        item
                    }
                    None => break,
                };
                in_flight.insert(id);
                let frame = json!({"type":"submit","id":id,"prompt_id":prompt,"text":text});
                if !client.try_send(frame).await {
                    // The server is going away; read what it still says.
                    sending = false;
                }
            }
            if in_flight.is_empty() && !more {
                return self;
            }
            let frame = match client.recv().await {
                Ok(frame) => frame,
                Err(code) => {
                    self.ended = Some(code);
                    return self;
                }
            };
            let Some(id) = frame["id"].as_str().and_then(|id| id.parse::<Uuid>().ok()) else {
                continue;
            };
            if !in_flight.remove(&id) {
                continue;
            }
            match frame["type"].as_str() {
                Some("ack") => {
                    let seq = frame["seq"].as_u64().expect("ack seq");
                    if let Some(before) = self.acked.insert(id, seq) {
                        assert_eq!(before, seq, "a resent item is acked with its first seq");
                    }
                    self.outbox.retain(|(i, _)| *i != id);
                    acks.send_modify(|n| *n += 1);
                }
                // Refused while the server stops: stays in the outbox for the next connection.
                Some("error") if frame["code"] == "unavailable" => sending = false,
                _ => panic!("unexpected answer to a submit: {frame}"),
            }
        }
    }
}

/// Today's date in an IANA time zone, `2018-05-24`, as export file names carry it.
pub fn today_in(zone: &str) -> String {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get(zone).expect("a known zone"))
        .strftime("%Y-%m-%d")
        .to_string()
}
