//! `paja backup` and `paja restore` with the real binary: a backup taken while phones submit
//! over real websockets and journals rotate every 50 lines restores every item acknowledged
//! before it began, once; restore refuses a non-empty directory and a corrupt archive
//! leaves nothing behind.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tokio::sync::watch;
use uuid::Uuid;

use crate::crash::{session_with_prompt, LOAD};
use crate::support::{http, Client, Paja, WAIT};
use paja::backup::STALL_ENV;

/// Sessions under load, and phones per session.
const SESSIONS: [&str; 2] = ["varmuus", "kopio"];
const PHONES_PER_SESSION: usize = 3;
/// Submissions each phone keeps in flight.
const WINDOW: usize = 4;
/// Backups taken during the load.
const ROUNDS: usize = 3;
/// How long each session's first read stalls between its snapshot and its journals
/// (`PAJA_BACKUP_STALL_MS`), in ms: rotations fall into the window the chain check guards.
const STALL_MS: &str = "100";
/// Journal lines between rotations in the server under test (`PAJA_COMPACT_AFTER`).
const COMPACT_AFTER: &str = "50";

/// An acknowledged item: its session, id and the seq its ack carried.
type Acked = (&'static str, String, u64);

/// Submits until `stop`, `WINDOW` at a time; every ack goes into `acked` (and bumps `acks`).
async fn phone(
    url: String,
    slug: &'static str,
    prompt: String,
    acked: Arc<Mutex<Vec<Acked>>>,
    acks: watch::Sender<usize>,
    stop: Arc<AtomicBool>,
) {
    let mut client = Client::connect(&url).await;
    client
        .send(json!({"type":"hello","role":"participant","participant_id":Uuid::new_v4()}))
        .await;
    client.expect("welcome").await;
    let mut made = 0;
    while !stop.load(Ordering::SeqCst) {
        let mut waiting = HashSet::new();
        for _ in 0..WINDOW {
            made += 1;
            let id = Uuid::new_v4().to_string();
            let frame =
                json!({"type":"submit","id":id,"prompt_id":prompt,"text":format!("idea {made}")});
            client.send(frame).await;
            waiting.insert(id);
        }
        while !waiting.is_empty() {
            let frame = client.next().await.expect("connected");
            let Some(id) = frame["id"].as_str().filter(|id| waiting.contains(*id)) else {
                continue;
            };
            assert_eq!(frame["type"], "ack", "{frame}");
            let seq = frame["seq"].as_u64().expect("ack seq");
            acked.lock().unwrap().push((slug, id.to_owned(), seq));
            waiting.remove(id);
            acks.send_modify(|n| *n += 1);
        }
    }
}

async fn paja(args: &[&std::ffi::OsStr]) -> Output {
    paja_env(args, &[]).await
}

async fn paja_env(args: &[&std::ffi::OsStr], env: &[(&str, &str)]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_paja"))
        .args(args)
        .envs(env.iter().copied())
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("run paja")
}

fn report(what: &str, output: &Output) -> String {
    format!(
        "{what}: {}\n--- stdout\n{}--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs `paja backup`; returns how many session reads it redid after a rotation.
async fn backup(data: &Path, out: &Path, env: &[(&str, &str)]) -> u32 {
    let output = paja_env(
        &[
            "backup".as_ref(),
            "--data-dir".as_ref(),
            data.as_ref(),
            "--out".as_ref(),
            out.as_ref(),
        ],
        env,
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        report("paja backup", &output)
    );
    let said = String::from_utf8_lossy(&output.stderr);
    said.split('(')
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of redone reads: {said}"))
}

async fn restore(archive: &Path, into: &Path) -> Output {
    paja(&[
        "restore".as_ref(),
        "--data-dir".as_ref(),
        into.as_ref(),
        archive.as_ref(),
    ])
    .await
}

/// The session's items in a JSON export of `data`: id → seq.
async fn exported(data: &Path, slug: &str) -> HashMap<String, u64> {
    let output = paja(&[
        "export".as_ref(),
        "--data-dir".as_ref(),
        data.as_ref(),
        slug.as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ])
    .await;
    assert!(
        output.status.success(),
        "{}",
        report("paja export", &output)
    );
    let doc: Value = serde_json::from_slice(&output.stdout).expect("json export");
    let mut items = HashMap::new();
    for prompt in doc["prompts"].as_array().expect("prompts") {
        for item in prompt["items"].as_array().expect("items") {
            let id = item["id"].as_str().expect("id").to_owned();
            let seq = item["seq"].as_u64().expect("seq");
            assert!(items.insert(id, seq).is_none(), "an item twice in {slug}");
        }
    }
    items
}

/// Archived journal segments across the sessions: how many rotations have happened.
fn segments(data: &Path) -> usize {
    SESSIONS
        .iter()
        .filter_map(|slug| std::fs::read_dir(data.join("sessions").join(slug)).ok())
        .flat_map(|dir| dir.filter_map(Result::ok))
        .filter(|e| e.file_name().to_string_lossy().starts_with("journal-"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_mid_load_restores_every_item_acked_before_it() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let server = Paja::spawn_env(&data, &LOAD, &[("PAJA_COMPACT_AFTER", COMPACT_AFTER)]);
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
    let (acks, mut acks_seen) = watch::channel(0usize);
    let stop = Arc::new(AtomicBool::new(false));
    let mut phones = Vec::new();
    for slug in SESSIONS {
        let (_key, prompt) = session_with_prompt(&server, slug).await;
        for _ in 0..PHONES_PER_SESSION {
            phones.push(tokio::spawn(phone(
                server.ws_url(slug),
                slug,
                prompt.clone(),
                acked.clone(),
                acks.clone(),
                stop.clone(),
            )));
        }
    }
    let mut raced = 0;
    let mut rereads = 0;
    for round in 0..ROUNDS {
        // Enough acks since the last round that journals have rotated meanwhile.
        let target = *acks_seen.borrow() + 200;
        tokio::time::timeout(WAIT, acks_seen.wait_for(|n| *n >= target))
            .await
            .expect("the load runs")
            .expect("phones alive");
        let before: Vec<Acked> = acked.lock().unwrap().clone();
        let rotations = segments(&data);
        let archive = tmp.path().join(format!("paja-{round}.tar.gz"));
        rereads += backup(&data, &archive, &[(STALL_ENV, STALL_MS)]).await;
        raced += segments(&data) - rotations;

        let restored = tmp.path().join(format!("restored-{round}"));
        let output = restore(&archive, &restored).await;
        assert!(
            output.status.success(),
            "{}",
            report("paja restore", &output)
        );
        let printed = String::from_utf8_lossy(&output.stdout);
        for slug in SESSIONS {
            let items = exported(&restored, slug).await;
            let mine: Vec<&Acked> = before.iter().filter(|a| a.0 == slug).collect();
            for (_, id, seq) in &mine {
                assert_eq!(
                    items.get(id),
                    Some(seq),
                    "item {id} acked at seq {seq} before backup {round} of {slug}"
                );
            }
            let newest = mine.iter().map(|a| a.2).max().unwrap_or(0);
            let line = printed
                .lines()
                .find(|l| l.starts_with(&format!("restored session {slug} ")))
                .unwrap_or_else(|| panic!("{slug} not restored: {printed}"));
            let seq: u64 = line
                .rsplit("seq ")
                .next()
                .and_then(|s| s.trim_end_matches(')').parse().ok())
                .expect("a seq");
            assert!(
                seq >= newest,
                "{slug} restored at seq {seq}, acked up to {newest}"
            );
            assert!(items.len() >= mine.len());
        }
    }
    stop.store(true, Ordering::SeqCst);
    for phone in phones {
        phone.await.expect("phone");
    }
    let total = acked.lock().unwrap().len();
    println!("{total} items acked; {raced} journal rotations happened during the {ROUNDS} backups; {rereads} session reads redone");
    assert!(
        raced > 0,
        "no rotation raced a backup: the test proved nothing"
    );
}

#[tokio::test]
async fn restore_refuses_a_non_empty_directory_and_a_corrupt_archive_restores_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let archive = tmp.path().join("paja.tar.gz");
    {
        let server = Paja::spawn(&data, &[]);
        session_with_prompt(&server, "ehja").await;
        let series = json!({"title":"Kevään seminaarit"});
        let created = http(server.addr, "POST", "/api/series", &[], Some(&series)).await;
        assert_eq!(created.status, 201, "{}", created.text());
        backup(&data, &archive, &[]).await;
    }
    // Personal data: readable by its owner only, whatever the umask.
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&archive).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
    let output = paja(&["backup".as_ref(), "--check".as_ref(), archive.as_ref()]).await;
    assert!(
        output.status.success(),
        "{}",
        report("paja backup --check", &output)
    );

    let output = restore(&archive, &data).await;
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("not empty") && said.contains("stop the server"),
        "{said}"
    );

    let bytes = std::fs::read(&archive).unwrap();
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x55;
    for (name, broken) in [
        ("half", bytes[..bytes.len() / 2].to_vec()),
        ("flipped", flipped),
    ] {
        let bad: PathBuf = tmp.path().join(format!("{name}.tar.gz"));
        std::fs::write(&bad, broken).unwrap();
        let target = tmp.path().join(format!("from-{name}"));
        let output = restore(&bad, &target).await;
        assert!(!output.status.success(), "{}", report(name, &output));
        assert!(!target.exists(), "{name}: a half restore was left");
        assert!(!tmp.path().join(format!("from-{name}.restoring")).exists());
        let output = paja(&["backup".as_ref(), "--check".as_ref(), bad.as_ref()]).await;
        assert!(!output.status.success(), "{name}: --check passed");
    }
    // `--out -`: the same archive on standard output.
    let output = paja(&[
        "backup".as_ref(),
        "--data-dir".as_ref(),
        data.as_ref(),
        "--out".as_ref(),
        "-".as_ref(),
    ])
    .await;
    assert!(
        output.status.success(),
        "{}",
        report("paja backup --out -", &output)
    );
    let piped = tmp.path().join("piped.tar.gz");
    std::fs::write(&piped, &output.stdout).unwrap();
    let output = restore(&piped, &tmp.path().join("from-pipe")).await;
    assert!(
        output.status.success(),
        "{}",
        report("paja restore", &output)
    );

    let output = restore(&archive, &tmp.path().join("fresh")).await;
    assert!(
        output.status.success(),
        "{}",
        report("paja restore", &output)
    );
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(printed.contains("restored session ehja"), "{printed}");
    assert!(
        printed.contains("restored 1 sessions and 1 series"),
        "{printed}"
    );
}
