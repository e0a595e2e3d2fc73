//! The task that owns one live session.
//!
//! It takes requests in batches: everything already queued when it wakes (up to
//! [`MAX_BATCH`]) is applied to the state machine in order, the accepted commands are written
//! to the journal with one write and one fsync (group commit), and only then are events
//! broadcast and replies sent. So nothing anyone sees (an ack, an item on the projector, a
//! welcome) was ever at risk of being lost by a crash.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::{now_ms, CommandError, Frames, Joined, Presence, Request};
use crate::protocol::{self, ServerMessage};
use crate::session::Session;
use crate::store::{self, SessionFiles, Store};

/// Most requests handled in one batch (one fsync); bounds the latency of the first in line.
const MAX_BATCH: usize = 2048;
/// How often participant counts are pushed to the facilitator and the projector.
const PRESENCE_EVERY: Duration = Duration::from_secs(1);

pub(super) struct SessionTask {
    pub session: Session,
    /// `None` only while a blocking write has it.
    pub files: Option<SessionFiles>,
    pub store: Store,
    pub requests: mpsc::Receiver<Request>,
    pub events: broadcast::Sender<Arc<Frames>>,
    pub presence: Arc<Presence>,
    pub shutdown: CancellationToken,
}

/// What a batch produced, held back until the journal is durable.
#[derive(Default)]
struct Batch {
    journal: Vec<u8>,
    records: usize,
    events: Vec<Arc<Frames>>,
    replies: Vec<Reply>,
}

enum Reply {
    Command(
        oneshot::Sender<Result<u64, CommandError>>,
        Result<u64, CommandError>,
    ),
    Join(oneshot::Sender<Joined>, Joined),
    Read(oneshot::Sender<Session>, Box<Session>),
}

impl SessionTask {
    pub async fn run(mut self) {
        let slug = self.session.meta.slug.clone();
        let mut presence_tick = tokio::time::interval(PRESENCE_EVERY);
        presence_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let first = tokio::select! {
                _ = self.shutdown.cancelled() => break,
                request = self.requests.recv() => match request {
                    Some(request) => request,
                    None => break,
                },
                _ = presence_tick.tick() => {
                    self.publish_presence();
                    continue;
                }
            };
            let mut batch = Batch::default();
            self.handle(first, &mut batch);
            while batch.replies.len() < MAX_BATCH {
                match self.requests.try_recv() {
                    Ok(request) => self.handle(request, &mut batch),
                    Err(_) => break,
                }
            }
            self.commit(batch).await;
            if self.files.as_ref().is_some_and(|f| f.wants_snapshot()) {
                self.snapshot().await;
            }
        }
        // Stopping: what is already queued is still handled, then a final snapshot.
        self.requests.close();
        let mut batch = Batch::default();
        while let Ok(request) = self.requests.try_recv() {
            self.handle(request, &mut batch);
        }
        self.commit(batch).await;
        self.snapshot().await;
        tracing::info!(session = %slug, seq = self.session.seq(), "session stopped");
    }

    fn handle(&mut self, request: Request, batch: &mut Batch) {
        match request {
            Request::Command { command, reply } => {
                let now = now_ms();
                let result = match self.session.apply(&command, now) {
                    Ok(applied) => {
                        if !applied.events.is_empty() {
                            store::encode_record(
                                &mut batch.journal,
                                self.session.seq(),
                                now,
                                &command,
                            );
                            batch.records += 1;
                        }
                        for stamped in &applied.events {
                            let frames = protocol::event_frames(stamped, now);
                            batch.events.push(Arc::new(Frames {
                                seq: Some(frames.seq),
                                participant: frames.participant.map(Utf8Bytes::from),
                                screen: frames.screen.map(Utf8Bytes::from),
                                facilitator: frames.facilitator.map(Utf8Bytes::from),
                            }));
                        }
                        Ok(applied.ack_seq)
                    }
                    Err(rejection) => Err(CommandError::Rejected(rejection)),
                };
                batch.replies.push(Reply::Command(reply, result));
            }
            Request::Join {
                role,
                participant,
                reply,
            } => {
                // Subscribing and building the welcome in one step: no event falls between.
                let events = self.events.subscribe();
                let welcome = protocol::welcome(
                    &self.session,
                    role,
                    participant.as_ref(),
                    self.presence.count(),
                    now_ms(),
                );
                let joined = Joined {
                    welcome: Utf8Bytes::from(welcome),
                    seq: self.session.seq(),
                    events,
                };
                batch.replies.push(Reply::Join(reply, joined));
            }
            Request::Read { reply } => {
                batch
                    .replies
                    .push(Reply::Read(reply, Box::new(self.session.clone())));
            }
        }
    }

    async fn commit(&mut self, batch: Batch) {
        if batch.records > 0 {
            if let Err(error) = self.append(batch.journal, batch.records).await {
                tracing::error!(%error, "journal write failed; refusing this batch and reloading from disk");
                self.reload().await;
                for reply in batch.replies {
                    // Joins and reads are dropped too: they saw state that is not on disk.
                    if let Reply::Command(tx, _) = reply {
                        let _ = tx.send(Err(CommandError::Storage));
                    }
                }
                return;
            }
        }
        for frames in batch.events {
            // No receivers is fine: nobody is connected.
            let _ = self.events.send(frames);
        }
        for reply in batch.replies {
            match reply {
                Reply::Command(tx, result) => {
                    let _ = tx.send(result);
                }
                Reply::Join(tx, joined) => {
                    let _ = tx.send(joined);
                }
                Reply::Read(tx, session) => {
                    let _ = tx.send(*session);
                }
            }
        }
    }

    async fn append(&mut self, lines: Vec<u8>, records: usize) -> std::io::Result<()> {
        let Some(mut files) = self.files.take() else {
            return Err(std::io::Error::other("session files are not open"));
        };
        let (files, result) = tokio::task::spawn_blocking(move || {
            let result = files.append(&lines, records);
            (files, result)
        })
        .await
        .map_err(std::io::Error::other)?;
        self.files = Some(files);
        result
    }

    /// After a failed write the in-memory state is ahead of the disk: go back to the disk.
    async fn reload(&mut self) {
        let store = self.store.clone();
        let slug = self.session.meta.slug.clone();
        match tokio::task::spawn_blocking(move || store.load(&slug)).await {
            Ok(Ok((session, files))) => {
                self.session = session;
                self.files = Some(files);
            }
            Ok(Err(error)) => tracing::error!(%error, "reload after a failed write failed"),
            Err(error) => tracing::error!(%error, "reload task failed"),
        }
    }

    async fn snapshot(&mut self) {
        let bytes = match store::encode_snapshot(&self.session) {
            Ok(bytes) => bytes,
            Err(error) => {
                tracing::error!(%error, "could not encode snapshot");
                return;
            }
        };
        let Some(mut files) = self.files.take() else {
            return;
        };
        match tokio::task::spawn_blocking(move || {
            let result = files.snapshot(&bytes);
            (files, result)
        })
        .await
        {
            Ok((files, result)) => {
                self.files = Some(files);
                if let Err(error) = result {
                    // The journal is intact; the next snapshot tries again.
                    tracing::error!(%error, "snapshot failed");
                }
            }
            Err(error) => tracing::error!(%error, "snapshot task failed"),
        }
    }

    fn publish_presence(&self) {
        if !self.presence.changed.swap(false, Ordering::Relaxed) {
            return;
        }
        let json = Utf8Bytes::from(
            ServerMessage::Presence {
                participants: self.presence.count(),
            }
            .to_json(),
        );
        let _ = self.events.send(Arc::new(Frames {
            seq: None,
            participant: None,
            screen: Some(json.clone()),
            facilitator: Some(json),
        }));
    }
}
