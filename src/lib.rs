//! Paja: a live audience-participation service for workshops and seminars.
//!
//! A facilitator pushes one prompt at a time to every participant's phone; participants send
//! short items; the projector shows them live; everything is stored durably and exported.
//!
//! | module       | its job                                                                 |
//! |--------------|-------------------------------------------------------------------------|
//! | [`session`]  | the pure state machine: commands in, events out, no I/O; one file per   |
//! |              | concept, one per activity kind (`session/activity/`)                    |
//! | [`protocol`] | the websocket wire contract: typed frames and what each role may see   |
//! | [`hub`]      | sessions: loaded on first use, one task each, unloaded when idle       |
//! | [`store`]    | journal (fsynced before acks, group commit) and atomic snapshots       |
//! | [`cluster`]  | the opt-in cluster on NATS JetStream: leases, replicated journal, relays |
//! | [`backup`]   | `paja backup`/`restore`: a consistent archive while the server runs    |
//! | [`http`]     | router, JSON API, websocket connections, the embedded web client       |
//! | [`export`]   | the report (HTML, Markdown), XLSX, CSV and JSON, online and offline    |
//! | [`keys`]     | facilitator keys: generation, hashing, the constant-time compare        |
//! | [`limits`]   | rate limits and per-IP caps against abuse and accidents                |
//! | [`logging`]  | the log subscriber: text or JSON lines, colour only on a terminal       |
//! | [`metrics`]  | what the server counts, for `/metrics` (Prometheus text); one per server |
//! | [`ready`]    | readiness (`/readyz`): shutdown, a read-only or full disk, failing writes |
//! | [`secret`]   | passwords and tokens read from files, not the command line              |
//! | [`clock`]    | the injected wall clock (follows tokio's clock, so tests pause time)   |
//! | [`text`]     | words that belong together: folding, Snowball stemming, word tallies,  |
//! |              | theme suggestions (pure, local)                                        |
//! | [`series`]   | a series of seminars: one agenda template, the sessions made from it    |
//! | [`server`]   | configuration, binding, serving and graceful shutdown                  |
//!
//! Outside the library: `src/main.rs` is the `paja` command (serve, or export and import
//! offline, back up and restore); the workspace member `load/` is the `paja-load` generator and
//! `examples/floor.rs` the floor server it is measured against (`docs/benchmarks.md`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod backup;
pub mod clock;
pub mod cluster;
pub mod export;
pub mod http;
pub mod hub;
pub mod keys;
pub mod limits;
pub mod logging;
pub mod metrics;
pub mod protocol;
pub mod ready;
pub mod secret;
pub mod series;
pub mod server;
pub mod session;
pub mod store;
pub mod text;

pub use server::{Config, Server};
