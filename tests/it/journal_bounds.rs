//! Issue 13, part 4: the journal holds what the session keeps, never the raw client frame.
//! Adversarial texts go in over a real websocket; each accepted one may grow `journal.jsonl`
//! by no more than the stored text (as JSON) plus a constant for the line's ids and numbers,
//! and a refused one by nothing.

use std::fs;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{ask, open_prompt, stored_items, TestServer};

/// A journal line's bytes besides the text: `v`, seq, time, type, two uuids, the prompt id,
/// the column and the crc (≈ 210 bytes); generous, it is the bound that matters, not its size.
const LINE_OVERHEAD: usize = 256;

/// Texts a phone could send, each as the raw frame's `text`.
fn adversarial() -> Vec<(&'static str, String)> {
    vec![
        ("x + 2,600 NULs", format!("x{}", "\0".repeat(2600))),
        (
            "control characters",
            format!("a{}b", "\u{1}\u{7}\u{1b}\r\u{7f}".repeat(500)),
        ),
        (
            "NULs around, whitespace runs",
            format!("{}sisältö{}", " \0\t".repeat(900), "\0 \n".repeat(900)),
        ),
        ("combining marks", format!("e{}", "\u{301}".repeat(279))),
        (
            "zero-width characters",
            "\u{200b}\u{200d}\u{feff}".repeat(93),
        ),
        (
            "a whole item of newlines and tabs",
            format!("a{}b", "\n\t".repeat(139)),
        ),
        ("max length, 4-byte chars", "🦀".repeat(280)),
        (
            "max length after cleaning",
            format!("{}{}", "ä".repeat(280), "\0".repeat(2000)),
        ),
        ("one char over the limit", "a".repeat(281)),
        ("nothing but NULs", "\0".repeat(2600)),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journal_bytes_are_bounded_by_what_the_session_stores() {
    let server = TestServer::start().await;
    let key = server.create_session("levy").await;
    let (mut facilitator, _) = server.facilitator("levy", &key).await;
    let prompt = open_prompt(&mut facilitator, "Mitä tuli mieleen?").await;
    let journal = server.data_dir.join("sessions/levy/journal.jsonl");
    let size = || {
        fs::metadata(&journal)
            .map(|m| m.len() as usize)
            .unwrap_or(0)
    };
    let (mut raw_total, mut stored_total, mut journal_total) = (0, 0, 0);
    for (what, text) in adversarial() {
        // A phone each: the rate limit is not what this test is about.
        let (mut phone, _) = server.participant_as("levy", Uuid::new_v4()).await;
        let item = Uuid::new_v4();
        let frame = json!({"type":"submit","id":item,"prompt_id":prompt,"text":text});
        let raw = frame.to_string().len();
        let before = size();
        let reply = ask(&mut phone, frame).await;
        let grown = size() - before;
        if reply["type"] != "ack" {
            assert_eq!(grown, 0, "{what}: refused ({reply}) yet the journal grew");
            continue;
        }
        let items = stored_items(&server.ws_url("levy"), &key).await;
        let stored = items
            .iter()
            .find(|i| i["id"] == item.to_string())
            .and_then(|i| i["text"].as_str())
            .unwrap_or_else(|| panic!("{what}: acked but not stored"));
        let stored_json = Value::from(stored).to_string().len();
        println!(
            "{what}: frame {raw} B, stored {} chars ({stored_json} B as JSON), journal +{grown} B",
            stored.chars().count()
        );
        assert!(
            grown <= stored_json + LINE_OVERHEAD,
            "{what}: the journal grew {grown} B for {stored_json} B stored"
        );
        raw_total += raw;
        stored_total += stored_json;
        journal_total += grown;
    }
    println!("accepted: frames {raw_total} B, stored {stored_total} B, journal {journal_total} B");
    assert!(journal_total > 0, "something was accepted");
    // The point of part 4: the raw frames were far bigger than what the journal holds.
    assert!(
        journal_total * 2 < raw_total,
        "{journal_total} B journaled of {raw_total} B sent"
    );
}
