//! Unit tests of one connection, driven over channels instead of a TCP socket: the client's
//! frames go in on one channel, the server's come out of another (bounded, so a test can play
//! a phone that stops reading).

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ws::Message;
use futures_util::{Sink, Stream};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_util::sync::{CancellationToken, PollSendError, PollSender};

use super::connection::Connection;
use crate::clock::Clock;
use crate::hub::Hub;
use crate::limits::Limits;
use crate::session::{Command, Language, SessionName, TimeZoneName};
use crate::store::Store;

const SLUG: &str = "kanava";
/// Longest a test waits for one frame.
const WAIT: Duration = Duration::from_secs(10);

/// The server's end of the channels.
struct ChannelSocket {
    out: PollSender<Message>,
    input: mpsc::Receiver<Result<Message, axum::Error>>,
}

impl Sink<Message> for ChannelSocket {
    type Error = PollSendError<Message>;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.out.poll_reserve(cx)
    }

    fn start_send(mut self: Pin<&mut Self>, item: Message) -> Result<(), Self::Error> {
        self.out.send_item(item)
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.out.close();
        Poll::Ready(Ok(()))
    }
}

impl Stream for ChannelSocket {
    type Item = Result<Message, axum::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.input.poll_recv(cx)
    }
}

/// The client's end.
struct Peer {
    to_server: mpsc::Sender<Result<Message, axum::Error>>,
    from_server: mpsc::Receiver<Message>,
}

impl Peer {
    async fn send(&self, frame: Value) {
        let text = Message::Text(frame.to_string().into());
        self.to_server
            .send(Ok(text))
            .await
            .expect("connection reads");
    }

    async fn next(&mut self) -> Message {
        tokio::time::timeout(WAIT, self.from_server.recv())
            .await
            .expect("a frame in time")
            .expect("the connection is open")
    }

    /// The next text frame, parsed (pings skipped).
    async fn json(&mut self) -> Value {
        loop {
            match self.next().await {
                Message::Text(text) => return serde_json::from_str(&text).expect("JSON"),
                Message::Ping(_) => continue,
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    }

    /// The close code, skipping any frames before it.
    async fn close_code(&mut self) -> u16 {
        loop {
            if let Message::Close(frame) = self.next().await {
                return frame.expect("a close frame with a code").code;
            }
        }
    }
}

/// A hub with one session; its facilitator key.
async fn hub() -> (Arc<Hub>, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let hub = Hub::start(store, Clock::system(), CancellationToken::new())
        .await
        .unwrap();
    let slug = SessionName::parse(SLUG).unwrap();
    let created = hub
        .create(slug, "Kanava".into(), Language::Fi, TimeZoneName::default())
        .await
        .unwrap();
    (hub, created.key, dir)
}

/// A connection to the session whose output channel holds `capacity` frames.
async fn connect(hub: &Arc<Hub>, capacity: usize) -> Peer {
    let (to_server, input) = mpsc::channel(16);
    let (out, from_server) = mpsc::channel(capacity);
    let limits = Limits::new(100);
    let ip = std::net::IpAddr::from([127, 0, 0, 1]);
    let connection = Connection {
        socket: ChannelSocket {
            out: PollSender::new(out),
            input,
        },
        clock: hub.clock(),
        handle: hub.get(SLUG).await.unwrap(),
        slot: limits.connect(ip).unwrap(),
        limits,
    };
    let gone = {
        let hub = hub.clone();
        move || !hub.exists(SLUG)
    };
    tokio::spawn(connection.run(hub.shutdown_token().clone(), gone));
    Peer {
        to_server,
        from_server,
    }
}

/// Applies facilitator commands straight through the session's handle, each durable.
async fn apply(hub: &Hub, commands: impl IntoIterator<Item = Value>) {
    let handle = hub.get(SLUG).await.unwrap();
    let mut replies = Vec::new();
    for command in commands {
        let command: Command = serde_json::from_value(command).unwrap();
        replies.push(handle.command(command).await);
    }
    for reply in replies {
        reply.await.unwrap().unwrap();
    }
}

async fn open_brainstorm(hub: &Hub) {
    apply(
        hub,
        [
            json!({"type":"add_prompt","prompt":{"kind":"brainstorm","title":"Ideat"}}),
            json!({"type":"open_prompt","prompt_id":"p1"}),
        ],
    )
    .await;
}

#[tokio::test]
async fn several_requests_in_flight_are_answered_in_order() {
    let (hub, _, _dir) = hub().await;
    open_brainstorm(&hub).await;
    let mut phone = connect(&hub, 64).await;
    let me = uuid::Uuid::from_u128(1);
    phone
        .send(json!({"type":"hello","role":"participant","participant_id":me}))
        .await;
    assert_eq!(phone.json().await["type"], "welcome");
    // All sent before any answer is read: several commands wait for the disk at once.
    let ids: Vec<String> = (1..=6)
        .map(|n| uuid::Uuid::from_u128(100 + n).to_string())
        .collect();
    for id in &ids {
        phone
            .send(json!({"type":"submit","id":id,"prompt_id":"p1","text":format!("idea {id}")}))
            .await;
    }
    phone.send(json!({"type":"ping","id":"last"})).await;
    let mut answered = Vec::new();
    while answered.len() < ids.len() + 1 {
        let frame = phone.json().await;
        match frame["type"].as_str() {
            Some("ack") | Some("pong") => answered.push(frame["id"].as_str().unwrap().to_string()),
            Some("error") => panic!("refused: {frame}"),
            _ => {}
        }
    }
    // Acks in the order sent, their seqs rising; the ping (answered at once) may come first.
    let acks: Vec<&String> = answered.iter().filter(|id| *id != "last").collect();
    assert_eq!(acks, ids.iter().collect::<Vec<_>>());
    hub.shutdown().await;
}

#[tokio::test]
async fn a_connection_that_lags_behind_the_broadcast_gets_a_fresh_welcome() {
    let (hub, _, _dir) = hub().await;
    open_brainstorm(&hub).await;
    // A projector whose socket takes one frame and then stops reading for a while.
    let mut screen = connect(&hub, 1).await;
    screen.send(json!({"type":"hello","role":"screen"})).await;
    let welcome = screen.json().await;
    assert_eq!(welcome["type"], "welcome");
    // More events than the broadcast keeps (each lock or unlock is a `prompt_updated`).
    let toggles =
        (0..1_100).map(|n| json!({"type":"lock_prompt","prompt_id":"p1","locked":n % 2 == 0}));
    apply(&hub, toggles).await;
    let last_seq = hub.get(SLUG).await.unwrap().read().await.unwrap().seq();
    // Reading again: a few frames from before the gap, then a welcome with the state now.
    let mut before_gap = 0;
    let resynced = loop {
        let frame = screen.json().await;
        if frame["type"] == "welcome" {
            break frame;
        }
        before_gap += 1;
        assert!(before_gap < 1_000, "no resync");
    };
    assert_eq!(resynced["seq"], last_seq);
    assert_eq!(resynced["prompt"]["locked"], json!(false));
    hub.shutdown().await;
}

#[tokio::test]
async fn close_codes_say_why_a_connection_ended() {
    let (hub, key, _dir) = hub().await;
    // A refused hello: an error, then 1008.
    let mut intruder = connect(&hub, 8).await;
    intruder
        .send(json!({"type":"hello","role":"facilitator","key":"wrong"}))
        .await;
    assert_eq!(intruder.json().await["code"], "invalid_key");
    assert_eq!(intruder.close_code().await, 1008);

    // A frame over the limit: `frame_too_large`, then 1009.
    let mut phone = connect(&hub, 8).await;
    let me = uuid::Uuid::from_u128(2);
    phone
        .send(json!({"type":"hello","role":"participant","participant_id":me}))
        .await;
    assert_eq!(phone.json().await["type"], "welcome");
    phone
        .send(json!({"type":"ping","pad":"x".repeat(super::MAX_MESSAGE_BYTES)}))
        .await;
    assert_eq!(phone.json().await["code"], "frame_too_large");
    assert_eq!(phone.close_code().await, 1009);

    // The session deleted under a console: 4004 (do not reconnect).
    let mut console = connect(&hub, 8).await;
    console
        .send(json!({"type":"hello","role":"facilitator","key":key}))
        .await;
    assert_eq!(console.json().await["type"], "welcome");
    let mut screen = connect(&hub, 8).await;
    screen.send(json!({"type":"hello","role":"screen"})).await;
    assert_eq!(screen.json().await["type"], "welcome");
    hub.delete(&SessionName::parse(SLUG).unwrap())
        .await
        .unwrap();
    assert_eq!(console.close_code().await, super::CLOSE_DELETED);
    assert_eq!(screen.close_code().await, super::CLOSE_DELETED);
    hub.shutdown().await;
}

#[tokio::test]
async fn a_stopping_server_closes_with_1012() {
    let (hub, _, _dir) = hub().await;
    let mut screen = connect(&hub, 8).await;
    screen.send(json!({"type":"hello","role":"screen"})).await;
    assert_eq!(screen.json().await["type"], "welcome");
    hub.shutdown_token().cancel();
    assert_eq!(screen.close_code().await, 1012);
    hub.shutdown().await;
}

/// Most bytes the connection's future may take: it is each phone's whole task, so it is most
/// of an idle phone's memory (docs/benchmarks.md, issue 12: the goal is ≤ 10 KiB per phone,
/// and the rest of a phone is the socket's 4 KiB read buffer and about 1 KiB besides). Rare,
/// large awaits (the hello, the welcome, a resync, the close) are boxed so that they cost
/// memory only while they run; a new inline await that grows the future fails here. (Issue 12
/// measured 3,048 bytes before the boxing, about 1,800 after.)
const CONNECTION_FUTURE_BUDGET: usize = 2048;

#[tokio::test]
async fn the_connection_future_stays_within_its_budget() {
    let (hub, _, _dir) = hub().await;
    let (_to_server, input) = mpsc::channel(1);
    let (out, _from_server) = mpsc::channel(1);
    let limits = Limits::new(100);
    let ip = std::net::IpAddr::from([127, 0, 0, 1]);
    let connection = Connection {
        socket: ChannelSocket {
            out: PollSender::new(out),
            input,
        },
        clock: hub.clock(),
        handle: hub.get(SLUG).await.unwrap(),
        slot: limits.connect(ip).unwrap(),
        limits,
    };
    let run = connection.run(hub.shutdown_token().clone(), || false);
    // Measured with the test's channel socket, counted with the real one (held once, in
    // `self`; the futures that borrow it hold a reference).
    let real = std::mem::size_of_val(&run) - std::mem::size_of::<ChannelSocket>()
        + std::mem::size_of::<axum::extract::ws::WebSocket>();
    println!(
        "connection future: {} bytes here, {real} with a real socket",
        std::mem::size_of_val(&run)
    );
    assert!(
        real <= CONNECTION_FUTURE_BUDGET,
        "the connection future is {real} bytes, over its budget of {CONNECTION_FUTURE_BUDGET}"
    );
}
