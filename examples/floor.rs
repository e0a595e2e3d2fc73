//! The floor: the least a websocket broadcast server can do, to compare Paja's fan-out with.
//!
//! It speaks just enough of Paja's protocol for `paja-load --floor`: every connection's first
//! frame is a `hello`, answered with a `welcome`; an `open_prompt` from a facilitator is
//! broadcast to everyone as a `prompt_opened` of about the size Paja sends, serialized once and
//! shared by every socket, and acknowledged. No sessions, no state machine, no disk. The same
//! stack as Paja (tokio, tokio-tungstenite, a `broadcast` channel, one task per socket) with
//! the same socket settings, so Paja's fan-out divided by the floor's is what the application
//! itself costs.
//!
//! ```sh
//! cargo run --release --example floor -- --addr 127.0.0.1:9090
//! cargo run --release -p paja-load -- --floor --url http://127.0.0.1:9090 -n 10000
//! ```
#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// Pending connections the kernel queues for `accept` (the same as Paja's listener).
const BACKLOG: u32 = 4096;
/// Per-socket read buffer, bytes (the same as Paja's).
const READ_BUFFER: usize = 4 * 1024;
/// Largest frame accepted, bytes (the same as Paja's).
const MAX_MESSAGE: usize = 16 * 1024;
/// Frames a socket may fall behind; past it, it skips ahead.
const BROADCAST_CAPACITY: usize = 1024;
/// How long a new connection has to say hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// A minimal websocket broadcast server (loopback only) for paja-load's floor comparison.
#[derive(Parser)]
struct Args {
    /// Where to listen; loopback only.
    #[arg(long, default_value = "127.0.0.1:9090")]
    addr: SocketAddr,
    /// Stops by itself after this many seconds.
    #[arg(long, default_value_t = 600)]
    max_secs: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if !args.addr.ip().is_loopback() {
        eprintln!("floor: {} is not a loopback address", args.addr);
        return ExitCode::FAILURE;
    }
    // One descriptor per connection: allow as many as the hard limit does.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("floor: {e}");
            return ExitCode::FAILURE;
        }
    };
    let max = Duration::from_secs(args.max_secs);
    let serving = async {
        let listener = listen(args.addr)?;
        eprintln!("floor listening on {}", listener.local_addr()?);
        serve(listener).await
    };
    match runtime.block_on(async { tokio::time::timeout(max, serving).await }) {
        Err(_) => {
            eprintln!("floor: --max-secs passed; stopping");
            ExitCode::SUCCESS
        }
        Ok(Err(e)) => {
            eprintln!("floor: {e}");
            ExitCode::FAILURE
        }
        Ok(Ok(())) => ExitCode::SUCCESS,
    }
}

/// Binds with a deep accept queue, as Paja does. (Call inside a tokio runtime.)
pub fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// Accepts connections until the task is dropped; each gets its own task.
pub async fn serve(listener: TcpListener) -> std::io::Result<()> {
    let (events, _) = broadcast::channel::<Utf8Bytes>(BROADCAST_CAPACITY);
    let seq = Arc::new(AtomicU64::new(0));
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(stream, events.clone(), seq.clone()));
            }
            // Out of descriptors, most likely: let some connections end, then go on.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// The `prompt_opened` frame: the fields and size of Paja's for a brainstorm prompt. Written
/// by hand because clients (and paja-load) expect `"type"` first, and `json!` sorts keys.
fn prompt_opened(seq: u64, prompt_id: &str, now: u64) -> String {
    let prompt_id = Value::from(prompt_id);
    format!(
        r#"{{"type":"prompt_opened","seq":{seq},"prompt":{{"id":{prompt_id},"kind":"brainstorm","columns":[],"title":"Round 1: what should the city do first?","instructions":"Write one idea at a time and press Send.","time_limit_secs":null,"auto_close":false,"per_group":false,"premoderation":false,"wall":false,"results":"live","state":"open","locked":false,"created_at":{now},"opened_at":{now},"closed_at":null,"closes_at":null}},"server_time":{now}}}"#
    )
}

async fn connection(stream: TcpStream, events: broadcast::Sender<Utf8Bytes>, seq: Arc<AtomicU64>) {
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE));
    let Ok(mut ws) = tokio_tungstenite::accept_async_with_config(stream, Some(config)).await else {
        return;
    };
    let hello = match tokio::time::timeout(HELLO_TIMEOUT, ws.next()).await {
        Ok(Some(Ok(Message::Text(text)))) => text,
        _ => return,
    };
    let Ok(hello) = serde_json::from_str::<Value>(&hello) else {
        return;
    };
    let staff = hello["role"] == "facilitator";
    // Subscribe first, then welcome: nothing falls in between.
    let mut rx = events.subscribe();
    let welcome = format!(
        r#"{{"type":"welcome","protocol":1,"role":{},"seq":{}}}"#,
        hello["role"],
        seq.load(Ordering::Relaxed)
    );
    if ws.send(Message::Text(welcome.into())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            biased;
            event = rx.recv() => match event {
                Ok(frame) => {
                    if ws.send(Message::Text(frame)).await.is_err() {
                        break;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => break,
            },
            frame = ws.next() => match frame {
                Some(Ok(Message::Text(text))) if staff => {
                    let Ok(command) = serde_json::from_str::<Value>(&text) else { continue };
                    if command["type"] != "open_prompt" {
                        continue;
                    }
                    let seq = seq.fetch_add(1, Ordering::Relaxed) + 1;
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_millis() as u64);
                    let prompt_id = command["prompt_id"].as_str().unwrap_or("p1");
                    // Serialized once; every socket's task sends the same shared bytes.
                    let _ = events.send(Utf8Bytes::from(prompt_opened(seq, prompt_id, now)));
                    let ack = format!(r#"{{"type":"ack","id":{},"seq":{seq}}}"#, command["id"]);
                    if ws.send(Message::Text(ack.into())).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
}
