//! Test harness: a real server on an ephemeral port, a tiny HTTP client and a typed
//! websocket client.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
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
    pub async fn restart(mut self) -> Self {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
        let mut next = Self::start_on(&self.data_dir).await;
        next._tmp = self._tmp.take();
        next
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

    /// Creates a session and returns its facilitator key.
    pub async fn create_session(&self, slug: &str) -> String {
        let response = self
            .http(
                "POST",
                "/api/sessions",
                &[],
                Some(&json!({"slug": slug, "title": "HYVINSIVI – työpaja", "language": "fi"})),
            )
            .await;
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
        .expect("prompt_added before the ack");
    let id = added["prompt"]["id"]
        .as_str()
        .expect("prompt id")
        .to_owned();
    command(facilitator, json!({"type":"open_prompt","prompt_id":id})).await;
    id
}
