//! Integration tests: the real server on an ephemeral port, real websockets, real files.
//! One test binary (modules below) so the link happens once; the slow-consumer test, which
//! measures the process's memory, has a binary of its own (`tests/slow_consumer.rs`).

mod activities;
mod browser;
mod crash;
mod durability;
mod errors;
mod exports;
mod fault_proxy;
mod faults;
mod http_api;
mod import;
mod limits;
mod load;
mod proxies;
mod reconnect;
mod report;
mod security;
mod support;
mod workshop;
