//! Erased words leave the disk: through the real server over websockets, canary texts are
//! submitted, edited, imported, then erased, withdrawn or their history erased; every file
//! under the data directory is then read as raw bytes until none holds a canary (raw or
//! JSON-escaped), and a restart on the same directory loads the session with its tombstones
//! and the other items intact. A SIGKILL between an erasure and its scrub is scrubbed at the
//! next start.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;
use uuid::Uuid;

use paja::session::Command::EraseItem;

use crate::crash::LOAD;
use crate::support::{command, http, ok, open_prompt, Client, Paja, TestServer, WAIT};

/// Erased by the facilitator; a quote and a backslash, so its JSON-escaped form differs.
const ERASED: &str = "kanarialintu \"A\" \\ 3f9c";
/// Withdrawn by its author.
const WITHDRAWN: &str = "kanarialintu W 71be";
/// An item's first text; the facilitator edits it, then erases its history.
const OLD_TEXT: &str = "kanarialintu H 0d42";
/// In an imported session's first state, then erased.
const IMPORTED: &str = "kanarialintu I 5a6e";
/// Items sent around the canaries, so the segments have some size.
const TRAFFIC: usize = 300;

/// Every file under `root`, recursively.
fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    // A directory removed meanwhile (a session deleted) has no files.
    let Ok(entries) = std::fs::read_dir(root) else {
        return out;
    };
    for entry in entries {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The files under `root` holding any of `canaries`, as written or JSON-escaped. A scan
/// during a rotation could pass without ever reading the old text: it lists the live
/// journal, the rotation renames it to a segment and starts a new empty one, and the scan
/// reads that. So a scan counts only if no file vanished while it read and the listing after
/// it is the listing it read; otherwise it starts over.
pub(crate) fn holding(root: &Path, canaries: &[&str]) -> Vec<String> {
    let needles: Vec<Vec<u8>> = canaries
        .iter()
        .flat_map(|c| {
            let escaped = serde_json::to_string(c).expect("json");
            [
                c.as_bytes().to_vec(),
                escaped.trim_matches('"').as_bytes().to_vec(),
            ]
        })
        .collect();
    'scan: loop {
        let mut dirty = Vec::new();
        let listed = files_under(root);
        for path in &listed {
            let bytes = match std::fs::read(path) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue 'scan,
                Err(e) => panic!("{}: {e}", path.display()),
            };
            if needles
                .iter()
                .any(|n| bytes.windows(n.len()).any(|w| w == n.as_slice()))
            {
                dirty.push(path.display().to_string());
            }
        }
        if files_under(root) == listed {
            return dirty;
        }
    }
}

/// Polls (bounded) until no file under `root` holds a canary; how long it took.
pub(crate) async fn until_clean(root: &Path, canaries: &[&str]) -> Duration {
    let started = Instant::now();
    loop {
        let dirty = holding(root, canaries);
        if dirty.is_empty() {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < WAIT,
            "still holding a canary: {dirty:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A server on `data` whose phones may send as fast as they can (throttling is not what
/// these tests are about).
pub(crate) async fn start(data: &Path) -> TestServer {
    TestServer::start_with(paja::Config {
        data_dir: data.to_path_buf(),
        participant_rate: 1000,
        participant_burst: 1000,
        ..paja::Config::default()
    })
    .await
}

/// A phone's item; returns its id.
async fn submit(phone: &mut Client, prompt: &str, text: &str) -> String {
    let id = Uuid::new_v4().to_string();
    ok(
        phone,
        json!({"type":"submit","id":id,"prompt_id":prompt,"text":text}),
    )
    .await;
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erased_words_leave_every_file_and_a_restart_keeps_the_tombstones() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = start(data.path()).await;
    let key = server.create_session("pyyhi").await;
    let (mut facilitator, _) = server.facilitator("pyyhi", &key).await;
    let (mut phone, _) = server.participant("pyyhi").await;
    let (mut author, _) = server.participant("pyyhi").await;
    let prompt = open_prompt(&mut facilitator, "Mitä jää?").await;
    let erased = submit(&mut phone, &prompt, ERASED).await;
    let withdrawn = submit(&mut author, &prompt, WITHDRAWN).await;
    let edited = submit(&mut phone, &prompt, OLD_TEXT).await;
    let mut kept = Vec::new();
    for n in 0..TRAFFIC {
        kept.push(submit(&mut phone, &prompt, &format!("muu ajatus {n}")).await);
    }
    let edit = json!({"type":"edit_item","item_id":edited,"text":"uusi muotoilu"});
    command(&mut facilitator, edit).await;
    // A first erasure rotates the journal: the canaries' lines go to an archived segment.
    let filler = kept.pop().expect("traffic");
    command(
        &mut facilitator,
        json!({"type":"erase_item","item_id":filler}),
    )
    .await;
    for n in 0..TRAFFIC {
        kept.push(submit(&mut phone, &prompt, &format!("toinen kierros {n}")).await);
    }
    let canaries = [ERASED, WITHDRAWN, OLD_TEXT];
    assert!(!holding(&server.data_dir, &canaries).is_empty());
    command(
        &mut facilitator,
        json!({"type":"erase_item","item_id":erased}),
    )
    .await;
    let withdraw = json!({"type":"withdraw","id":Uuid::new_v4(),"item_id":withdrawn});
    ok(&mut author, withdraw).await;
    let history = json!({"type":"erase_item_history","item_id":edited});
    command(&mut facilitator, history).await;
    let took = until_clean(&server.data_dir, &canaries).await;
    eprintln!(
        "scrub figure: {} journal lines, canaries gone from every file {} ms after the last erasure",
        2 * TRAFFIC + 10,
        took.as_millis()
    );
    drop((facilitator, phone, author));

    let server = server.restart().await;
    assert_eq!(holding(&server.data_dir, &canaries), Vec::<String>::new());
    // Nor in what the restarted server tells the facilitator or exports.
    let (_, welcome) = server.facilitator("pyyhi", &key).await;
    let export = server
        .get_with_key("/api/sessions/pyyhi/export.json", &key)
        .await;
    for text in [welcome.to_string(), export.text()] {
        assert!(text.contains("toinen kierros") && !text.contains("kanarialintu"));
    }
    let session = server
        .hub()
        .get("pyyhi")
        .await
        .expect("loaded")
        .read()
        .await
        .expect("read");
    for id in [&erased, &withdrawn, &filler] {
        assert!(session.is_erased(&item_id(id)), "{id} is a tombstone");
    }
    let current = session.item(&item_id(&edited)).expect("edited item kept");
    assert_eq!(
        (current.text.as_str(), current.history.len()),
        ("uusi muotoilu", 0)
    );
    for id in &kept {
        let item = session.item(&item_id(id)).expect("kept");
        assert!(item.text.starts_with("muu ajatus") || item.text.starts_with("toinen kierros"));
    }
    offline_export_is_clean(server, &canaries).await;
}

fn item_id(id: &str) -> paja::session::ItemId {
    paja::session::ItemId(id.parse().expect("uuid"))
}

/// `paja export` reads the stopped server's files: no canary in what it writes.
async fn offline_export_is_clean(mut server: TestServer, canaries: &[&str]) {
    server.stop().await;
    let out = server.data_dir.join("offline.json");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_paja"))
        .args(["export", "--data-dir"])
        .arg(&server.data_dir)
        .args(["pyyhi", "--format", "json", "--out"])
        .arg(&out)
        .status()
        .expect("run paja export");
    assert!(status.success());
    let written = std::fs::read_to_string(&out).expect("written");
    assert!(written.contains("toinen kierros"));
    assert_eq!(holding(&server.data_dir, canaries), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_sessions_first_state_is_scrubbed_too() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = start(data.path()).await;
    let key = server.create_session("lahde").await;
    let (mut facilitator, _) = server.facilitator("lahde", &key).await;
    let (mut phone, _) = server.participant("lahde").await;
    let prompt = open_prompt(&mut facilitator, "Mitä jää?").await;
    submit(&mut phone, &prompt, IMPORTED).await;
    submit(&mut phone, &prompt, "jää tuontiin").await;
    let doc = server
        .get_with_key("/api/sessions/lahde/export.json", &key)
        .await
        .json();
    let response = server
        .http("POST", "/api/sessions/import?slug=tuotu", &[], Some(&doc))
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let imported_key = response.json()["facilitator_key"]
        .as_str()
        .expect("key")
        .to_owned();
    // Only the imported copy is erased: the original keeps its words.
    let session = server
        .hub()
        .get("tuotu")
        .await
        .expect("imported")
        .read()
        .await
        .expect("read");
    let id = session
        .items()
        .iter()
        .find(|i| i.text == IMPORTED)
        .expect("imported item")
        .id;
    let (mut copy, _) = server.facilitator("tuotu", &imported_key).await;
    command(&mut copy, json!({"type":"erase_item","item_id":id})).await;
    let copy_dir = server.data_dir.join("sessions/tuotu");
    until_clean(&copy_dir, &[IMPORTED]).await;
    assert!(!holding(&server.data_dir.join("sessions/lahde"), &[IMPORTED]).is_empty());
    let server = server.restart().await;
    let session = server
        .hub()
        .get("tuotu")
        .await
        .expect("loaded")
        .read()
        .await
        .expect("read");
    assert!(session.is_erased(&id));
    assert!(session.items().iter().any(|i| i.text == "jää tuontiin"));
}

/// Creates `slug` on a running binary with an open brainstorm: (key, prompt id).
pub(crate) async fn binary_session(paja: &Paja, slug: &str) -> (String, Client, String) {
    let created = http(
        paja.addr,
        "POST",
        "/api/sessions",
        &[],
        Some(&json!({"slug":slug,"title":"Pyyhitään"})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let key = created.json()["facilitator_key"]
        .as_str()
        .expect("key")
        .to_owned();
    let mut facilitator = Client::connect(&paja.ws_url(slug)).await;
    facilitator
        .send(json!({"type":"hello","role":"facilitator","key":key}))
        .await;
    facilitator.expect("welcome").await;
    let prompt = open_prompt(&mut facilitator, "Pyyhitään").await;
    (key, facilitator, prompt)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erasure_whose_scrub_never_ran_is_scrubbed_at_the_next_start() {
    let data = tempfile::tempdir().expect("tempdir");
    let mut paja = Paja::spawn(data.path(), &LOAD);
    let (key, facilitator, prompt) = binary_session(&paja, "tapettu").await;
    let mut phone = Client::connect(&paja.ws_url("tapettu")).await;
    let hello = json!({"type":"hello","role":"participant","participant_id":Uuid::new_v4()});
    phone.send(hello).await;
    phone.expect("welcome").await;
    let canary = submit(&mut phone, &prompt, ERASED).await;
    for n in 0..50 {
        submit(&mut phone, &prompt, &format!("muu {n}")).await;
    }
    paja.kill();
    drop((facilitator, phone));
    // The state a SIGKILL right after an erasure's fsync leaves: the erasure is the journal's
    // last line, no snapshot or scrub has followed it.
    let store = paja::store::Store::open(data.path()).expect("store");
    let slug = paja::session::SessionName::parse("tapettu").expect("slug");
    let (mut session, mut files) = store.load(&slug).expect("load");
    let command = EraseItem {
        item_id: item_id(&canary),
    };
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_millis() as u64;
    session.apply(&command, at).expect("erased");
    let mut line = Vec::new();
    paja::store::encode_record(&mut line, session.seq(), at, &command);
    files.append(&line, 1).expect("journaled");
    drop(files);
    assert!(!holding(data.path(), &[ERASED]).is_empty());

    let mut paja = Paja::spawn(data.path(), &LOAD);
    let mut facilitator = Client::connect(&paja.ws_url("tapettu")).await;
    facilitator
        .send(json!({"type":"hello","role":"facilitator","key":key}))
        .await;
    let welcome = facilitator.expect("welcome").await;
    assert!(!welcome.to_string().contains("kanarialintu"));
    // Loaded (on first use, or by the check after start): its load scrubbed the files.
    assert_eq!(holding(data.path(), &[ERASED]), Vec::<String>::new());
    assert!(welcome.to_string().contains("muu 49"));
    paja.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigkill_right_after_an_erasure_over_the_wire_is_scrubbed_at_the_next_start() {
    let data = tempfile::tempdir().expect("tempdir");
    let mut paja = Paja::spawn(data.path(), &LOAD);
    let (key, mut facilitator, prompt) = binary_session(&paja, "kesken").await;
    let mut phone = Client::connect(&paja.ws_url("kesken")).await;
    let hello = json!({"type":"hello","role":"participant","participant_id":Uuid::new_v4()});
    phone.send(hello).await;
    phone.expect("welcome").await;
    let canary = submit(&mut phone, &prompt, WITHDRAWN).await;
    for n in 0..200 {
        submit(&mut phone, &prompt, &format!("muu {n}")).await;
    }
    command(
        &mut facilitator,
        json!({"type":"erase_item","item_id":canary}),
    )
    .await;
    // SIGKILL as soon as the erasure is acknowledged: wherever its snapshot and scrub were.
    paja.kill();
    let mut paja = Paja::spawn(data.path(), &LOAD);
    let mut facilitator = Client::connect(&paja.ws_url("kesken")).await;
    facilitator
        .send(json!({"type":"hello","role":"facilitator","key":key}))
        .await;
    let welcome = facilitator.expect("welcome").await.to_string();
    // Loaded (on first use, or by the check after start): its load scrubbed the files.
    assert_eq!(holding(data.path(), &[WITHDRAWN]), Vec::<String>::new());
    assert!(welcome.contains("muu 199") && !welcome.contains("kanarialintu"));
    paja.kill();
}

/// A withdrawn named question: its name (personal data) leaves every file with its text,
/// while a kept question's name stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawn_questions_name_leaves_every_file() {
    const NAME: &str = "Kanarialintu Nimi 8e21";
    const QUESTION: &str = "kanarialintu Q 4c7d";
    let data = tempfile::tempdir().expect("tempdir");
    let server = start(data.path()).await;
    let key = server.create_session("kysy").await;
    let (mut facilitator, _) = server.facilitator("kysy", &key).await;
    let (mut author, _) = server.participant("kysy").await;
    let (mut other, _) = server.participant("kysy").await;
    let prompt = crate::support::add_and_open(
        &mut facilitator,
        json!({"kind":"questions","names":true,"title":"Kysymykset puhujalle"}),
    )
    .await;
    let id = Uuid::new_v4().to_string();
    ok(
        &mut author,
        json!({"type":"submit","id":id,"prompt_id":prompt,"text":QUESTION,"name":NAME}),
    )
    .await;
    ok(
        &mut other,
        json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":"Jää?","name":"Pysyvä Nimi"}),
    )
    .await;
    for n in 0..50 {
        submit(&mut other, &prompt, &format!("muu kysymys {n}")).await;
    }
    assert!(!holding(&server.data_dir, &[NAME]).is_empty());
    let withdraw = json!({"type":"withdraw","id":Uuid::new_v4(),"item_id":id});
    ok(&mut author, withdraw).await;
    until_clean(&server.data_dir, &[NAME, QUESTION]).await;
    drop((facilitator, author, other));
    let server = server.restart().await;
    assert_eq!(
        holding(&server.data_dir, &[NAME, QUESTION]),
        Vec::<String>::new()
    );
    let export = server
        .get_with_key("/api/sessions/kysy/export.json", &key)
        .await
        .text();
    assert!(export.contains("Pysyvä Nimi") && !export.contains("Kanarialintu"));
}
