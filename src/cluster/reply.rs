//! Replies larger than one NATS message. A server refuses any message over its
//! `max_payload` (1 MiB by default), and some replies grow with the session: a read of the
//! whole session (an export, a facilitator's view), a welcome, a ring of 1024 frames. Such a
//! reply goes out in numbered parts (headers [`PART`], [`PARTS`]) to the asker's own inbox,
//! which [`request`] reassembles; a reply that fits goes out whole, as before, so a plain
//! `Client::request` still reads every small reply.
//!
//! Core NATS keeps the order of one publisher's messages to one subscriber, so parts arrive
//! in order or not at all; a missing part reads as a timeout, and the asker tries again.

use std::time::Duration;

use async_nats::{Client, HeaderMap, Message, StatusCode, Subject};
use bytes::Bytes;
use futures_util::StreamExt;

/// Header: the index of this part (from 0).
pub const PART: &str = "Paja-Part";
/// Header: how many parts the reply has.
pub const PARTS: &str = "Paja-Parts";
/// Room left in each part for the headers and the protocol line.
const HEADROOM: usize = 4096;

/// Why a request got no whole reply.
#[derive(Debug)]
pub enum AskError {
    /// Nobody subscribes to the subject.
    NoResponders,
    /// No (whole) reply in time.
    TimedOut,
    /// NATS refused the request or the connection is gone.
    Failed(String),
}

/// The largest part this connection may send.
fn part_size(client: &Client) -> usize {
    client
        .server_info()
        .max_payload
        .saturating_sub(HEADROOM)
        .max(1024)
}

/// Sends `body` to `reply_to`: whole when it fits in one message, else in parts.
pub async fn send(client: &Client, reply_to: Subject, body: Bytes) -> Result<(), String> {
    let size = part_size(client);
    if body.len() <= size {
        return client
            .publish(reply_to, body)
            .await
            .map_err(|e| e.to_string());
    }
    let parts = body.len().div_ceil(size);
    for part in 0..parts {
        let mut headers = HeaderMap::new();
        headers.insert(PART, part.to_string().as_str());
        headers.insert(PARTS, parts.to_string().as_str());
        let end = ((part + 1) * size).min(body.len());
        let chunk = body.slice(part * size..end);
        client
            .publish_with_headers(reply_to.clone(), headers, chunk)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// `(part, parts)` of a reply in parts; `None` for a whole reply.
fn part_of(message: &Message) -> Option<(usize, usize)> {
    let headers = message.headers.as_ref()?;
    let number = |name: &str| headers.get(name)?.as_str().parse::<usize>().ok();
    Some((number(PART)?, number(PARTS)?))
}

/// Sends a request whose reply may come in parts (see the module doc), on an inbox of its
/// own, and returns the whole reply (its payload reassembled).
pub async fn request(
    client: &Client,
    subject: String,
    body: Bytes,
    timeout: Duration,
) -> Result<Message, AskError> {
    let failed = |e: &dyn std::fmt::Display| AskError::Failed(e.to_string());
    let inbox = client.new_inbox();
    let mut replies = client
        .subscribe(inbox.clone())
        .await
        .map_err(|e| failed(&e))?;
    client
        .publish_with_reply(subject, inbox, body)
        .await
        .map_err(|e| failed(&e))?;
    let deadline = tokio::time::Instant::now() + timeout;
    let mut whole = Vec::new();
    let mut expected = 0;
    loop {
        let message = tokio::time::timeout_at(deadline, replies.next())
            .await
            .map_err(|_| AskError::TimedOut)?
            .ok_or_else(|| AskError::Failed("the reply subscription closed".into()))?;
        if message.status == Some(StatusCode::NO_RESPONDERS) {
            return Err(AskError::NoResponders);
        }
        let Some((part, parts)) = part_of(&message) else {
            return Ok(message);
        };
        if part != expected || part >= parts {
            // A part went missing: the asker tries again.
            return Err(AskError::TimedOut);
        }
        expected += 1;
        whole.extend_from_slice(&message.payload);
        if part + 1 == parts {
            let mut message = message;
            message.length = whole.len();
            message.payload = Bytes::from(whole);
            message.headers = None;
            return Ok(message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reply three times the server's message limit arrives whole, through a real server;
    /// a small one still reads with a plain request; nobody listening reads as such.
    #[tokio::test]
    async fn a_reply_over_the_message_limit_arrives_whole() {
        let server = crate::cluster::tests::nats().await;
        let client = async_nats::connect(server.url.as_str())
            .await
            .expect("connect");
        let mut asked = client.subscribe("paja.test.big").await.expect("subscribe");
        let limit = client.server_info().max_payload;
        let big: Bytes = (0..3 * limit)
            .map(|i| (i % 251) as u8)
            .collect::<Vec<_>>()
            .into();
        let (responder, body) = (client.clone(), big.clone());
        tokio::spawn(async move {
            while let Some(message) = asked.next().await {
                let reply = message.reply.expect("a reply subject");
                let body = if message.payload.is_empty() {
                    Bytes::from_static(b"small")
                } else {
                    body.clone()
                };
                send(&responder, reply, body).await.expect("sent");
            }
        });
        let second = Duration::from_secs(5);
        let whole = request(&client, "paja.test.big".into(), "x".into(), second).await;
        assert_eq!(whole.expect("the whole reply").payload, big);
        let small = client
            .request("paja.test.big", Bytes::new())
            .await
            .expect("small");
        assert_eq!(&small.payload[..], b"small");
        let nobody = request(&client, "paja.test.none".into(), "x".into(), second).await;
        assert!(matches!(nobody, Err(AskError::NoResponders)), "{nobody:?}");
    }
}
