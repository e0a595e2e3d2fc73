//! Integration tests: the real server on an ephemeral port, real websockets, real files.
//! One test binary (modules below) so the link happens once. Two have binaries of their own,
//! because cargo runs test binaries one at a time and they must not share the machine with
//! the others: the slow-consumer test, which measures the process's memory
//! (`tests/slow_consumer.rs`), and the fault tour, whose bounds are seconds (`tests/field.rs`).

mod activities;
mod backup;
mod bilingual;
mod binary;
mod browser;
mod cluster;
mod code_size;
mod compare;
mod crash;
mod dot_themes;
mod downgrade;
mod durability;
mod edge;
mod erase;
mod erase_disk;
mod errors;
mod export_themes;
mod exports;
mod golden;
mod http_api;
mod http_layers;
mod import;
mod journal_bounds;
mod journal_checksum;
mod lazy;
mod limits;
mod log_privacy;
mod metrics;
mod node;
mod ops_guide;
mod proxies;
mod questions;
mod reconnect;
mod rehearsal;
mod report;
mod security;
mod series;
mod support;
mod themes;
mod trust_http;
mod welcome_paging;
mod wire_edges;
mod words;
mod workshop;
