//! The downgrade policy, as an older Paja meets files a newer one wrote: a snapshot or a
//! journal line whose format number is beyond the newest this build knows refuses that session
//! with an error naming the version, and leaves every one of its files exactly as it was (no
//! torn-line cut, no corrupt snapshot moved aside); the other sessions serve.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::json;
use uuid::Uuid;

use crate::crash::session_with_prompt;
use crate::support::{ok, Client, Paja};
use paja::session::SessionName;
use paja::store::{Store, StoreError, JOURNAL_FORMAT, SNAPSHOT_FORMAT};

/// Every file under `dir` with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut all = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            for (name, bytes) in files(&path) {
                all.insert(format!("{}/{name}", path.display()), bytes);
            }
        } else {
            all.insert(path.display().to_string(), std::fs::read(&path).unwrap());
        }
    }
    all
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_dir() {
            copy(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// Replaces the first `from` in the file with `to`.
fn bump(path: &Path, from: &str, to: &str, nth_line: Option<usize>) {
    let text = std::fs::read_to_string(path).unwrap();
    let bumped = match nth_line {
        None => text.replacen(from, to, 1),
        Some(n) => text
            .split_inclusive('\n')
            .enumerate()
            .map(|(i, line)| {
                if i == n {
                    line.replacen(from, to, 1)
                } else {
                    line.to_owned()
                }
            })
            .collect(),
    };
    assert_ne!(bumped, text, "{from} not in {}", path.display());
    std::fs::write(path, bumped).unwrap();
}

#[tokio::test]
async fn a_newer_format_refuses_the_session_and_leaves_its_files_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    {
        let mut server = Paja::spawn(&data, &[]);
        for slug in ["uusi", "vanha"] {
            let (_, prompt) = session_with_prompt(&server, slug).await;
            let mut phone = Client::connect(&server.ws_url(slug)).await;
            phone
                .send(json!({"type":"hello","role":"participant","participant_id":Uuid::new_v4()}))
                .await;
            phone.expect("welcome").await;
            for text in ["yksi", "kaksi", "kolme"] {
                ok(
                    &mut phone,
                    json!({"type":"submit","prompt_id":prompt,"text":text}),
                )
                .await;
            }
        }
        // SIGKILL: the lines stay in the live journal, no snapshot on the way out.
        server.kill();
    }
    let newer_snapshot = format!("{{\"format\":{}", SNAPSHOT_FORMAT + 1);
    let newer_line = format!("{{\"v\":{}", JOURNAL_FORMAT + 1);
    let last = 4; // add_prompt, open_prompt, three submits: the fifth line is the last
    let cases: [(&str, &str, String, Option<usize>, u32, u32); 3] = [
        (
            "snapshot.json",
            "{\"format\":1",
            newer_snapshot,
            None,
            2,
            SNAPSHOT_FORMAT,
        ),
        // The last line: not a torn write to cut.
        (
            "journal.jsonl",
            "{\"v\":2",
            newer_line.clone(),
            Some(last),
            3,
            JOURNAL_FORMAT,
        ),
        (
            "journal.jsonl",
            "{\"v\":2",
            newer_line,
            Some(1),
            3,
            JOURNAL_FORMAT,
        ),
    ];
    for (n, (file, from, to, line, found, known)) in cases.into_iter().enumerate() {
        let case = tmp.path().join(format!("case-{n}"));
        copy(&data, &case);
        let dir = case.join("sessions/uusi");
        bump(&dir.join(file), from, &to, line);
        let before = files(&case);

        let store = Store::open(&case).unwrap();
        let slug = SessionName::parse("uusi").unwrap();
        match store.load(&slug) {
            Err(StoreError::NewerFormat {
                found: f, known: k, ..
            }) => {
                assert_eq!((f, k), (found, known), "{file}");
            }
            other => panic!(
                "{file}: not refused as newer: {:?}",
                other.map(|(s, _)| s.seq())
            ),
        }
        assert_eq!(files(&case), before, "{file}: a refused load changed files");

        // The real server: that session is not served, the other is, nothing is touched.
        let mut server = Paja::spawn(&case, &[]);
        let mut other = Client::connect(&server.ws_url("vanha")).await;
        other
            .send(json!({"type":"hello","role":"participant","participant_id":Uuid::new_v4()}))
            .await;
        let welcome = other.expect("welcome").await;
        assert_eq!(welcome["type"], "welcome");
        server.terminate();
        server
            .wait_exit(Duration::from_secs(20))
            .await
            .expect("exits");
        let log = server.log().join("\n");
        let said = format!("has format {found}, newer than this Paja knows ({known})");
        assert!(log.contains(&said) && log.contains(file), "{file}: {log}");
        let after = files(&case);
        for (path, bytes) in &before {
            if path.contains("/uusi/") {
                assert_eq!(after.get(path), Some(bytes), "{path} changed");
            }
        }
        assert_eq!(
            after.keys().filter(|p| p.contains("/uusi/")).count(),
            before.keys().filter(|p| p.contains("/uusi/")).count(),
            "{file}: files added or removed"
        );
    }
}
