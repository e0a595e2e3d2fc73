//! Joins sessions written by `gen_sessions` as a phone would (a websocket, a `hello`, its
//! `welcome`), one after another, and prints the join latencies: on a lazy server the first
//! join of a session loads it (a cold join), a second one finds it loaded (a warm join).
//! Used by `scripts/bench-stored.sh`.
//!
//! ```sh
//! cargo run --release --example cold_joins -- --url ws://127.0.0.1:18080 --first 100 --count 200
//! ```
#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

/// Times phone joins of generated sessions.
#[derive(Parser)]
struct Args {
    /// The server's websocket base, e.g. ws://127.0.0.1:18080.
    #[arg(long)]
    url: String,
    /// The first session's number.
    #[arg(long, default_value_t = 0)]
    first: usize,
    /// How many sessions to join.
    #[arg(long, default_value_t = 200)]
    count: usize,
}

/// One join: connect, hello, wait for the welcome.
async fn join(url: &str) -> Result<Duration, String> {
    let started = Instant::now();
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .map_err(|e| e.to_string())?;
    let hello = json!({"type":"hello","role":"participant","participant_id":uuid::Uuid::new_v4()});
    ws.send(Message::text(hello.to_string()))
        .await
        .map_err(|e| e.to_string())?;
    while let Some(frame) = ws.next().await {
        if let Message::Text(text) = frame.map_err(|e| e.to_string())? {
            let frame: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            if frame["type"] == "welcome" {
                let took = started.elapsed();
                let _ = ws.close(None).await;
                return Ok(took);
            }
        }
    }
    Err("closed before the welcome".into())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut took = Vec::with_capacity(args.count);
    for n in args.first..args.first + args.count {
        match join(&format!("{}/ws/s{n:05}", args.url)).await {
            Ok(d) => took.push(d.as_secs_f64() * 1000.0),
            Err(e) => {
                eprintln!("s{n:05}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    took.sort_by(f64::total_cmp);
    let at = |q: f64| took[((took.len() - 1) as f64 * q).round() as usize];
    println!(
        "joins={} median_ms={:.2} p99_ms={:.2} max_ms={:.2}",
        took.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
    ExitCode::SUCCESS
}
