//! Phones for the cluster scenarios: real websockets spread over the three nodes, each sending
//! brainstorm items with ids it made (a window of them in flight), re-sending the unacknowledged
//! ones with the same ids after a reconnection or an `unavailable`, and reconnecting as the web
//! client does (its `last_seq`, so `resumed` when the server still has the missed frames) — to
//! the next node when its own does not answer, as a load balancer would send it. Every ack is
//! logged (item id, seq, node, when), every connection loss and every `resumed`/`welcome`.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

/// One acknowledged item.
#[derive(Debug, Clone)]
pub struct Ack {
    pub item: Uuid,
    pub seq: u64,
    /// The node whose connection carried the ack.
    pub node: usize,
    pub at: Instant,
}

/// What one phone saw.
#[derive(Debug, Default, Clone)]
pub struct PhoneReport {
    /// The node it started on.
    pub home: usize,
    /// Lost connections: (node, when).
    pub drops: Vec<(usize, Instant)>,
    /// Answers to a reconnection's hello.
    pub resumed: usize,
    pub welcomed_again: usize,
    /// Each reconnection answered `welcome`: (node, the hello's last_seq, the welcome's seq).
    pub welcomes: Vec<(usize, u64, u64)>,
    /// Items never acknowledged (still in the outbox when it stopped).
    pub unacked: usize,
    /// Anything a correct server never says (an error other than `unavailable`/`busy`, an
    /// item acked twice with different seqs).
    pub wrong: Vec<String>,
}

/// The phones of one scenario.
pub struct Fleet {
    stop: watch::Sender<bool>,
    phones: Vec<tokio::task::JoinHandle<PhoneReport>>,
    pub acks: Arc<Mutex<Vec<Ack>>>,
    counted: watch::Receiver<usize>,
}

/// How long stopping phones wait for their last items' acks (a failover may be under way).
const DRAIN: Duration = Duration::from_secs(45);

impl Fleet {
    /// `count` phones, phone i on node i mod 3, each with `window` items in flight.
    pub fn start(nodes: Vec<SocketAddr>, slug: &str, prompt: &str, count: usize) -> Fleet {
        let (stop, stopped) = watch::channel(false);
        let (counter, counted) = watch::channel(0usize);
        let acks: Arc<Mutex<Vec<Ack>>> = Arc::default();
        let nodes = Arc::new(nodes);
        let phones = (0..count)
            .map(|i| {
                let phone = Phone {
                    nodes: nodes.clone(),
                    slug: slug.to_owned(),
                    prompt: prompt.to_owned(),
                    id: Uuid::new_v4(),
                    node: i % nodes.len(),
                    last_seq: 0,
                    outbox: VecDeque::new(),
                    acked: HashMap::new(),
                    made: 0,
                    report: PhoneReport {
                        home: i % nodes.len(),
                        ..PhoneReport::default()
                    },
                    log: acks.clone(),
                    counter: counter.clone(),
                    stopped: stopped.clone(),
                };
                tokio::spawn(phone.run())
            })
            .collect();
        Fleet {
            stop,
            phones,
            acks,
            counted,
        }
    }

    /// Waits until `n` acks in all (fails after 60 s: the cluster stopped acknowledging).
    pub async fn wait_acks(&mut self, n: usize) {
        tokio::time::timeout(Duration::from_secs(60), self.counted.wait_for(|c| *c >= n))
            .await
            .unwrap_or_else(|_| panic!("fewer than {n} acks within 60 s"))
            .expect("counter");
    }

    pub fn ack_count(&self) -> usize {
        *self.counted.borrow()
    }

    /// Stops making items, waits for the outstanding ones, returns what each phone saw.
    pub async fn stop(self) -> (Vec<PhoneReport>, Vec<Ack>) {
        let _ = self.stop.send(true);
        let mut reports = Vec::new();
        for phone in self.phones {
            reports.push(phone.await.expect("phone task"));
        }
        let acks = self.acks.lock().unwrap().clone();
        (reports, acks)
    }
}

/// The write stall of a fault at `from`: the longest pause between two consecutive acks from
/// the last ack before `from` to the first after `to` (acks already on their way when the
/// fault struck arrive just after it; the stall is the gap that follows them).
pub fn stall_around(acks: &[Ack], from: Instant, to: Instant) -> Option<Duration> {
    let mut times: Vec<Instant> = acks.iter().map(|a| a.at).collect();
    times.sort();
    let start = times.iter().rposition(|t| *t <= from)?;
    let end = start + times[start..].iter().position(|t| *t > to)?;
    times[start..=end].windows(2).map(|w| w[1] - w[0]).max()
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Phone {
    nodes: Arc<Vec<SocketAddr>>,
    slug: String,
    prompt: String,
    id: Uuid,
    node: usize,
    last_seq: u64,
    outbox: VecDeque<(Uuid, String)>,
    acked: HashMap<Uuid, u64>,
    made: usize,
    report: PhoneReport,
    log: Arc<Mutex<Vec<Ack>>>,
    counter: watch::Sender<usize>,
    stopped: watch::Receiver<bool>,
}

impl Phone {
    async fn run(mut self) -> PhoneReport {
        let started = Instant::now();
        loop {
            if self.connection().await.is_some() {
                break;
            }
            // Between connections: done once stopped with nothing left, or long after.
            let stopped = *self.stopped.borrow();
            if stopped && (self.outbox.is_empty() || started.elapsed() > DRAIN * 4) {
                break;
            }
        }
        self.report.unacked = self.outbox.len();
        self.report
    }

    /// Connects (to the next node when this one does not answer) and says hello: the socket,
    /// or `None` after a short pause when no node answered.
    async fn hello(&mut self) -> Option<Socket> {
        let addr = self.nodes[self.node];
        let url = format!("ws://{addr}/ws/{}", self.slug);
        let connect = tokio_tungstenite::connect_async(&url);
        let Ok(Ok((mut ws, _))) = tokio::time::timeout(Duration::from_secs(3), connect).await
        else {
            self.node = (self.node + 1) % self.nodes.len();
            tokio::time::sleep(Duration::from_millis(100)).await;
            return None;
        };
        let hello = json!({"type":"hello","protocol":1,"role":"participant",
            "participant_id":self.id,"last_seq":self.last_seq});
        ws.send(Message::Text(hello.to_string().into()))
            .await
            .ok()?;
        Some(ws)
    }

    /// One connection, until it ends (`None`) or the phone is done (`Some`).
    async fn connection(&mut self) -> Option<Instant> {
        let reconnecting = self.last_seq > 0;
        let asked = self.last_seq;
        let mut ws = self.hello().await?;
        let mut in_flight: Vec<Uuid> = Vec::new();
        let mut queue: VecDeque<(Uuid, String)> = self.outbox.clone();
        let mut live = false;
        let mut retry_at: Option<Instant> = None;
        let mut tick = tokio::time::interval(Duration::from_millis(50));
        let mut drain_limit: Option<Instant> = None;
        loop {
            let stopping = *self.stopped.borrow();
            if stopping && drain_limit.is_none() {
                drain_limit = Some(Instant::now() + DRAIN);
            }
            if stopping && self.outbox.is_empty() {
                return Some(Instant::now());
            }
            if drain_limit.is_some_and(|l| Instant::now() > l) {
                return Some(Instant::now());
            }
            if retry_at.is_some_and(|r| Instant::now() >= r) {
                retry_at = None;
            }
            while live && retry_at.is_none() && in_flight.len() < 4 {
                let item = match queue.pop_front() {
                    Some(item) => item,
                    None if !stopping => {
                        self.made += 1;
                        let item = (
                            Uuid::new_v4(),
                            format!("{} {}", &self.id.to_string()[..8], self.made),
                        );
                        self.outbox.push_back(item.clone());
                        item
                    }
                    None => break,
                };
                let frame =
                    json!({"type":"submit","id":item.0,"prompt_id":self.prompt,"text":item.1});
                in_flight.push(item.0);
                if ws
                    .send(Message::Text(frame.to_string().into()))
                    .await
                    .is_err()
                {
                    break;
                }
            }
            let message = tokio::select! {
                m = ws.next() => m,
                _ = tick.tick() => continue,
            };
            let frame: Value = match message {
                Some(Ok(Message::Text(text))) => serde_json::from_str(&text).unwrap_or(Value::Null),
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                    self.report.drops.push((self.node, Instant::now()));
                    return None;
                }
                Some(Ok(_)) => continue,
            };
            let kind = frame["type"].as_str().unwrap_or("");
            if let Some(seq) = frame["seq"].as_u64().filter(|_| kind != "ack") {
                self.last_seq = self.last_seq.max(seq);
            }
            match kind {
                "welcome" | "resumed" => {
                    live = true;
                    if reconnecting {
                        if kind == "resumed" {
                            self.report.resumed += 1;
                        } else {
                            self.report.welcomed_again += 1;
                            let seq = frame["seq"].as_u64().unwrap_or(0);
                            self.report.welcomes.push((self.node, asked, seq));
                        }
                    }
                }
                "ack" | "error" => {
                    let Some(id) = frame["id"].as_str().and_then(|i| i.parse::<Uuid>().ok()) else {
                        continue;
                    };
                    let Some(at) = in_flight.iter().position(|i| *i == id) else {
                        continue;
                    };
                    in_flight.remove(at);
                    if kind == "ack" {
                        self.acked_item(id, frame["seq"].as_u64().unwrap_or(0));
                    } else if matches!(frame["code"].as_str(), Some("unavailable" | "busy")) {
                        // Sent again, same id, after a pause.
                        if let Some(item) = self.outbox.iter().find(|(i, _)| *i == id) {
                            queue.push_front(item.clone());
                        }
                        retry_at = Some(Instant::now() + Duration::from_millis(250));
                    } else {
                        // Wrong, and final: the phone does not wait for it at the end.
                        self.report.wrong.push(format!("a submit refused: {frame}"));
                        self.outbox.retain(|(i, _)| *i != id);
                    }
                }
                _ => {}
            }
        }
    }

    fn acked_item(&mut self, id: Uuid, seq: u64) {
        if let Some(before) = self.acked.insert(id, seq) {
            if before != seq {
                self.report
                    .wrong
                    .push(format!("item {id} acked with seq {before}, then {seq}"));
            }
            return;
        }
        self.outbox.retain(|(i, _)| *i != id);
        self.log.lock().unwrap().push(Ack {
            item: id,
            seq,
            node: self.node,
            at: Instant::now(),
        });
        self.counter.send_modify(|n| *n += 1);
    }
}
