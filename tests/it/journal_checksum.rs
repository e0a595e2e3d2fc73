//! Issue 13, part 7: a flipped bit in the middle of a session's journal, found by the real
//! binary at startup. That session is refused with a log line naming the file and the line,
//! its files are left byte for byte as they were, and the other session is served.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;
use uuid::Uuid;

use crate::crash::session_with_prompt;
use crate::support::{http, ok, stored_items, Client, Paja};

fn files_under(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut all = BTreeMap::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all.extend(files_under(&path));
        } else {
            all.insert(path.clone(), fs::read(&path).unwrap());
        }
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flipped_bit_mid_journal_refuses_that_session_only_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut paja = Paja::spawn(tmp.path(), &[]);
    let (_, prompt) = session_with_prompt(&paja, "laho").await;
    let (terve_key, _) = session_with_prompt(&paja, "terve").await;
    let mut phone = Client::connect(&paja.ws_url("laho")).await;
    phone
        .send(json!({"type":"hello","role":"participant","participant_id":Uuid::new_v4(),"last_seq":0}))
        .await;
    phone.expect("welcome").await;
    for i in 0..4 {
        let id = Uuid::new_v4();
        ok(
            &mut phone,
            json!({"type":"submit","id":id,"prompt_id":prompt,"text":format!("ajatus {i}")}),
        )
        .await;
    }
    // SIGKILL: no snapshot at shutdown, so the journal is what a restart reads.
    paja.kill();

    let journal = tmp.path().join("sessions/laho/journal.jsonl");
    let mut bytes = fs::read(&journal).unwrap();
    let lines: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
        .collect();
    assert!(lines.len() >= 5, "{} journal lines", lines.len());
    // The middle of line 3 (1-based): between the end of line 2 and the end of line 3.
    bytes[(lines[1] + lines[2]) / 2] ^= 0x01;
    fs::write(&journal, &bytes).unwrap();
    let laho = tmp.path().join("sessions/laho");
    let before = files_under(&laho);

    let mut paja = Paja::spawn(tmp.path(), &[]);
    // Sessions load on first use (or in the check after start): the page's request loads it.
    assert_eq!(http(paja.addr, "GET", "/laho", &[], None).await.status, 404);
    let log = paja
        .log_until(|l| l.contains("corrupt journal"))
        .await
        .join("\n");
    assert!(
        log.contains("corrupt journal")
            && log.contains("laho/journal.jsonl line 3")
            && log.contains("checksum mismatch"),
        "the log names the file and the line:\n{log}"
    );
    assert_eq!(
        http(paja.addr, "GET", "/terve", &[], None).await.status,
        200
    );
    assert!(stored_items(&paja.ws_url("terve"), &terve_key)
        .await
        .is_empty());
    paja.terminate();
    paja.wait_exit(std::time::Duration::from_secs(10)).await;
    assert_eq!(
        files_under(&laho),
        before,
        "not one byte of the refused session changed"
    );
}
