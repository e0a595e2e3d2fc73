//! The wire as the simulated clients see it: connecting from a spread of loopback source
//! addresses, sending and awaiting frames, and classifying frames by fixed byte patterns
//! instead of parsing JSON (Paja and the floor write `"type"` first; ids never hold escapes).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// A websocket to the target.
pub type Ws = WebSocketStream<TcpStream>;

/// How long a connection may take from TCP connect to its welcome before it counts as failed.
pub const JOIN_TIMEOUT: Duration = Duration::from_secs(20);

/// Connections per loopback source address (see [`source_for`]).
const PER_SOURCE: usize = 2000;

/// The local address connection `index` connects from, when the target is IPv4 loopback:
/// 127.0.0.2, 127.0.0.3, … each for [`PER_SOURCE`] connections. From one address, every
/// connect() searches the one ephemeral port range for a free port; at 20,000 connections
/// (plus the last run's TIME_WAITs) that search was 85% of the generator's CPU and made the
/// join look slow. Each address has a port range of its own.
pub fn source_for(target: SocketAddr, index: usize) -> Option<IpAddr> {
    match target.ip() {
        IpAddr::V4(ip) if ip.is_loopback() => {
            let host = 2 + (index / PER_SOURCE) % 250;
            Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, host as u8)))
        }
        _ => None,
    }
}

/// Opens a websocket to `path` on `addr` (already checked to be loopback), from `source`.
pub async fn connect(
    addr: SocketAddr,
    source: Option<IpAddr>,
    path: &str,
    read_buffer: usize,
) -> Result<Ws, String> {
    let stream = match source {
        Some(source) => {
            let socket = TcpSocket::new_v4().map_err(|e| format!("socket: {e}"))?;
            // A port whose last connection is in TIME_WAIT may be bound again.
            socket
                .set_reuseaddr(true)
                .map_err(|e| format!("socket: {e}"))?;
            socket
                .bind(SocketAddr::new(source, 0))
                .map_err(|e| format!("bind: {e}"))?;
            socket.connect(addr).await
        }
        None => TcpStream::connect(addr).await,
    }
    .map_err(|e| format!("connect: {e}"))?;
    stream
        .set_nodelay(true)
        .map_err(|e| format!("nodelay: {e}"))?;
    // Closed with a reset, not a FIN, so no TIME_WAIT is left behind: tens of thousands of
    // them from earlier runs slowed the next run's port search (above), and its join with it.
    stream
        .set_zero_linger()
        .map_err(|e| format!("linger: {e}"))?;
    // A small read buffer: tungstenite zero-fills it on the first read, so it is resident
    // memory per connection; frames larger than it still arrive whole.
    let config = WebSocketConfig::default()
        .read_buffer_size(read_buffer)
        .write_buffer_size(0);
    let (ws, _) = tokio_tungstenite::client_async_with_config(
        format!("ws://{addr}{path}"),
        stream,
        Some(config),
    )
    .await
    .map_err(|e| format!("websocket handshake: {e}"))?;
    Ok(ws)
}

/// Sends one JSON text frame.
pub async fn send_text(ws: &mut Ws, text: String) -> Result<(), String> {
    ws.send(Message::Text(text.into()))
        .await
        .map_err(|e| format!("send: {e}"))
}

/// Reads frames until one of type `kind` arrives (within `wait`), returning it parsed.
pub async fn expect(ws: &mut Ws, kind: &str, wait: Duration) -> Result<Value, String> {
    let deadline = Instant::now() + wait;
    loop {
        let frame = tokio::time::timeout_at(deadline, ws.next())
            .await
            .map_err(|_| format!("no {kind} within {wait:?}"))?;
        match frame {
            Some(Ok(Message::Text(text))) => {
                if frame_type(&text) == Some(kind) {
                    return serde_json::from_str(&text).map_err(|e| format!("{kind}: {e}"));
                }
                if frame_type(&text) == Some("error") {
                    return Err(format!("refused: {text}"));
                }
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(format!("while waiting for {kind}: {e}")),
            None => return Err(format!("closed while waiting for {kind}")),
        }
    }
}

/// The `type` of a server frame (it comes first in every frame Paja and the floor write).
pub fn frame_type(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("{\"type\":\"")?;
    rest.find('"').map(|end| &rest[..end])
}

/// The string value right after `pattern` (which ends in an opening quote). Only for values
/// that hold no escapes: ids, codes, types.
pub fn string_after<'a>(text: &'a str, pattern: &str) -> Option<&'a str> {
    let start = text.find(pattern)? + pattern.len();
    let len = text[start..].find('"')?;
    Some(&text[start..start + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_classified_without_parsing() {
        let frame = r#"{"type":"prompt_opened","seq":4,"prompt":{"id":"p2","kind":"brainstorm"}}"#;
        assert_eq!(frame_type(frame), Some("prompt_opened"));
        assert_eq!(string_after(frame, "\"prompt\":{\"id\":\""), Some("p2"));
        assert_eq!(frame_type(r#"{"seq":1,"type":"x"}"#), None);
    }
}
