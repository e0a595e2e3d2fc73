//! The field as the test bench (issue 11): the real binary behind a fault proxy, the real pages
//! in Chromium through resets, offline spells, a blackhole, restarts and a sleep (`it/faults.rs`).
//!
//! A binary of its own: cargo runs test binaries one after another, so nothing else in the suite
//! competes for the two cores while this one measures seconds-long bounds.

#[allow(dead_code)] // the shared harness; this binary uses a part of it
#[path = "it/support.rs"]
mod support;

#[allow(dead_code)]
#[path = "it/node.rs"]
mod node;

#[path = "it/fault_proxy.rs"]
mod fault_proxy;

#[path = "it/faults.rs"]
mod faults;
