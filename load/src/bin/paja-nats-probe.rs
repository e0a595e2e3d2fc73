//! `paja-nats-probe`: what the NATS primitives under Paja's cluster do on this machine, apart
//! from Paja, so `docs/benchmarks.md` can say which part of a figure is NATS's.
//!
//! - `pubs`: sequential R3 appends with `Nats-Expected-Last-Subject-Sequence` and a
//!   `Nats-Msg-Id`, the way an owner appends a journal batch: PubAck latency percentiles.
//! - `appends`: the same for a while, retrying each append until it is acknowledged, and every
//!   pause longer than `--gap-ms` between two acks with its unix instants (a script kills the
//!   stream's leader meanwhile: leader kill → next acknowledged append).
//! - `lease`: a KV lease as Paja's owners hold it (bucket `max_age` = TTL, `create` to claim,
//!   `update` with the revision to renew); the holder stops renewing and a second client keeps
//!   trying `create`: time from the last renewal to the takeover.
//!
//! - `journal`: reads a session's journal (`paja.j.<slug>` in `PAJA_J`) and checks what a
//!   fault run must leave behind: epochs never go back (no write from a deposed owner after
//!   its successor's), record seqs continue without gap or overlap, and every batch's
//!   `Paja-Prev` is the SHA-256 of the batch before it.
//!
//! The first three create their own stream `PROBE_J` / bucket `PROBE_LEASE` and delete them at
//! the end; `journal` only reads.
//! Output: one JSON object on stdout.
#![forbid(unsafe_code)]

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_nats::jetstream::{self, kv, stream};
use bytes::Bytes;
use clap::{Parser, Subcommand};
use serde_json::json;

/// Measure NATS JetStream primitives on a (loopback) cluster.
#[derive(Parser)]
struct Cli {
    /// NATS URLs, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    nats: Vec<String>,
    /// Replicas of the probe's stream and bucket.
    #[arg(long, default_value_t = 3)]
    replicas: usize,
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    /// Sequential appends: PubAck latency.
    Pubs {
        /// Appends to time.
        #[arg(long, default_value_t = 2000)]
        count: usize,
        /// Bytes per append (a journal batch of a few items is about this).
        #[arg(long, default_value_t = 400)]
        size: usize,
    },
    /// Appends for a while; prints the pauses between acknowledged appends.
    Appends {
        /// How long, seconds.
        #[arg(long, default_value_t = 60)]
        secs: u64,
        /// Pauses shorter than this are not listed, ms.
        #[arg(long, default_value_t = 300)]
        gap_ms: u64,
    },
    /// Checks one session's journal in PAJA_J.
    Journal {
        /// The session's name (slug).
        #[arg(long)]
        slug: String,
    },
    /// Lease takeover after the holder stops renewing.
    Lease {
        /// The lease (bucket max_age), seconds.
        #[arg(long, default_value_t = 10)]
        ttl: u64,
        /// Takeovers to time.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
}

#[path = "paja-nats-probe/journal.rs"]
mod journal;

const STREAM: &str = "PROBE_J";
const SUBJECT: &str = "probe.j.s";
const BUCKET: &str = "PROBE_LEASE";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), String> {
    let cli = Cli::parse();
    let addrs = cli
        .nats
        .iter()
        .map(|u| {
            u.parse::<async_nats::ServerAddr>()
                .map_err(|e| format!("{u}: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let client = async_nats::ConnectOptions::new()
        .connect(addrs)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let mut js = jetstream::new(client);
    js.set_timeout(Duration::from_secs(2));
    let out = match cli.what {
        What::Pubs { count, size } => pubs(&js, cli.replicas, count, size).await?,
        What::Appends { secs, gap_ms } => appends(&js, cli.replicas, secs, gap_ms).await?,
        What::Lease { ttl, rounds } => lease(&js, cli.replicas, ttl, rounds).await?,
        What::Journal { slug } => journal::check(&js, &slug).await?,
    };
    println!("{out:#}");
    Ok(())
}

async fn fresh_stream(js: &jetstream::Context, replicas: usize) -> Result<(), String> {
    let _ = js.delete_stream(STREAM).await;
    js.get_or_create_stream(stream::Config {
        name: STREAM.into(),
        subjects: vec!["probe.j.>".into()],
        num_replicas: replicas,
        storage: stream::StorageType::File,
        duplicate_window: Duration::from_secs(120),
        allow_direct: true,
        ..Default::default()
    })
    .await
    .map_err(|e| format!("stream: {e}"))?;
    Ok(())
}

/// One append as an owner makes it; the stream sequence it got.
async fn append(
    js: &jetstream::Context,
    tail: u64,
    id: u64,
    payload: &Bytes,
) -> Result<u64, String> {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", format!("probe:{id}").as_str());
    headers.insert(
        "Nats-Expected-Last-Subject-Sequence",
        tail.to_string().as_str(),
    );
    let ack = js
        .publish_with_headers(SUBJECT, headers, payload.clone())
        .await
        .map_err(|e| e.to_string())?
        .await
        .map_err(|e| e.to_string())?;
    Ok(ack.sequence)
}

fn percentiles(mut ms: Vec<f64>) -> serde_json::Value {
    if ms.is_empty() {
        return json!(null);
    }
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((q * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
    json!({"count": ms.len(), "p50_ms": at(0.5), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": at(1.0)})
}

async fn pubs(
    js: &jetstream::Context,
    replicas: usize,
    count: usize,
    size: usize,
) -> Result<serde_json::Value, String> {
    fresh_stream(js, replicas).await?;
    let payload = Bytes::from(vec![b'x'; size]);
    let mut tail = 0;
    let mut samples = Vec::with_capacity(count);
    for id in 0..count as u64 {
        let started = Instant::now();
        tail = append(js, tail, id, &payload).await?;
        samples.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let _ = js.delete_stream(STREAM).await;
    Ok(json!({"probe": "pubs", "replicas": replicas, "size": size, "puback": percentiles(samples)}))
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

async fn appends(
    js: &jetstream::Context,
    replicas: usize,
    secs: u64,
    gap_ms: u64,
) -> Result<serde_json::Value, String> {
    fresh_stream(js, replicas).await?;
    let payload = Bytes::from(vec![b'x'; 400]);
    let end = Instant::now() + Duration::from_secs(secs);
    let (mut tail, mut id, mut acked, mut retries) = (0, 0u64, 0u64, 0u64);
    let mut last_ack = unix_ms();
    let mut gaps = Vec::new();
    while Instant::now() < end {
        match append(js, tail, id, &payload).await {
            Ok(seq) => {
                let now = unix_ms();
                if now - last_ack >= gap_ms {
                    gaps.push(json!({"from_unix_ms": last_ack, "ms": now - last_ack}));
                }
                (tail, last_ack) = (seq, now);
                id += 1;
                acked += 1;
            }
            Err(error) => {
                retries += 1;
                // A lost ack of a stored append: the tail moved; read it back (as an owner
                // would read the subject's last message) and go on with the same id.
                if error.contains("10071") || error.contains("wrong last sequence") {
                    if let Ok(msg) = js
                        .get_stream(STREAM)
                        .await
                        .map_err(|e| e.to_string())?
                        .get_last_raw_message_by_subject(SUBJECT)
                        .await
                    {
                        tail = msg.sequence;
                    }
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    let _ = js.delete_stream(STREAM).await;
    Ok(json!({"probe": "appends", "secs": secs, "acked": acked, "retries": retries, "gaps": gaps}))
}

async fn lease(
    js: &jetstream::Context,
    replicas: usize,
    ttl: u64,
    rounds: usize,
) -> Result<serde_json::Value, String> {
    let _ = js.delete_key_value(BUCKET).await;
    let bucket = js
        .create_key_value(kv::Config {
            bucket: BUCKET.into(),
            history: 1,
            max_age: Duration::from_secs(ttl),
            num_replicas: replicas,
            storage: stream::StorageType::File,
            ..Default::default()
        })
        .await
        .map_err(|e| format!("bucket: {e}"))?;
    let mut takeovers = Vec::new();
    for round in 0..rounds {
        let key = format!("s{round}");
        let mut revision = bucket
            .create(&key, Bytes::from_static(b"holder"))
            .await
            .map_err(|e| format!("claim: {e}"))?;
        // Renew a few times, every TTL/5, then stop (the holder dies).
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_millis(ttl * 200)).await;
            revision = bucket
                .update(&key, Bytes::from_static(b"holder"), revision)
                .await
                .map_err(|e| format!("renew: {e}"))?;
        }
        let last_renewal = Instant::now();
        let mut refused = 0;
        loop {
            if bucket
                .create(&key, Bytes::from_static(b"successor"))
                .await
                .is_ok()
            {
                break;
            }
            refused += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        takeovers
            .push(json!({"secs": last_renewal.elapsed().as_secs_f64(), "refused_claims": refused}));
    }
    let _ = js.delete_key_value(BUCKET).await;
    Ok(json!({"probe": "lease", "ttl_secs": ttl, "takeovers": takeovers}))
}
