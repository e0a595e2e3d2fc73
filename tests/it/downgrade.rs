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

/// One file of session `uusi` bumped to a newer format.
struct Case {
    /// The file changed.
    file: &'static str,
    /// What is replaced (the first match, on line `line` if given) …
    from: &'static str,
    /// … by this.
    to: String,
    line: Option<usize>,
    /// The format the error must name, and the newest known.
    found: u32,
    known: u32,
}

/// A data directory with sessions `uusi` and `vanha`, each with three items in its live
/// journal (the server was killed: no snapshot on the way out).
async fn two_sessions(data: &Path) {
    let mut server = Paja::spawn(data, &[]);
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
    server.kill();
}

/// Bumps the case's file in a copy of `data` at `case_dir`; asserts that the store refuses
/// the session with the version in the error and that the real server serves the other
/// session and leaves the refused one's files as they were.
async fn refused(data: &Path, case_dir: &Path, case: Case) {
    copy(data, case_dir);
    let dir = case_dir.join("sessions/uusi");
    bump(&dir.join(case.file), case.from, &case.to, case.line);
    let before = files(&dir);

    let store = Store::open(case_dir).unwrap();
    let slug = SessionName::parse("uusi").unwrap();
    match store.load(&slug) {
        Err(StoreError::NewerFormat { found, known, .. }) => {
            assert_eq!((found, known), (case.found, case.known), "{}", case.file);
        }
        other => panic!(
            "{}: not refused as newer: {:?}",
            case.file,
            other.map(|(s, _)| s.seq())
        ),
    }
    assert_eq!(
        files(&dir),
        before,
        "{}: a refused load changed files",
        case.file
    );

    let mut server = Paja::spawn(case_dir, &[]);
    let mut other = Client::connect(&server.ws_url("vanha")).await;
    other
        .send(json!({"type":"hello","role":"participant","participant_id":Uuid::new_v4()}))
        .await;
    other.expect("welcome").await;
    server.terminate();
    server
        .wait_exit(Duration::from_secs(20))
        .await
        .expect("exits");
    let log = server.log().join("\n");
    let said = format!(
        "has format {}, newer than this Paja knows ({})",
        case.found, case.known
    );
    assert!(
        log.contains(&said) && log.contains(case.file),
        "{}: {log}",
        case.file
    );
    assert_eq!(
        files(&dir),
        before,
        "{}: the server changed files",
        case.file
    );
}

#[tokio::test]
async fn a_newer_format_refuses_the_session_and_leaves_its_files_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    two_sessions(&data).await;
    let newer_line = format!("{{\"v\":{}", JOURNAL_FORMAT + 1);
    let cases = [
        Case {
            file: "snapshot.json",
            from: "{\"format\":1",
            to: format!("{{\"format\":{}", SNAPSHOT_FORMAT + 1),
            line: None,
            found: SNAPSHOT_FORMAT + 1,
            known: SNAPSHOT_FORMAT,
        },
        // The last line (add_prompt, open_prompt, three submits): not a torn write to cut.
        Case {
            file: "journal.jsonl",
            from: "{\"v\":2",
            to: newer_line.clone(),
            line: Some(4),
            found: JOURNAL_FORMAT + 1,
            known: JOURNAL_FORMAT,
        },
        Case {
            file: "journal.jsonl",
            from: "{\"v\":2",
            to: newer_line,
            line: Some(1),
            found: JOURNAL_FORMAT + 1,
            known: JOURNAL_FORMAT,
        },
    ];
    for (n, case) in cases.into_iter().enumerate() {
        refused(&data, &tmp.path().join(format!("case-{n}")), case).await;
    }
}
