//! What the fuzz targets share: each target hands its bytes to one of these, which go through
//! the library's real entry points (the wire decoder, the store's loader, the snapshot
//! decoder, the import) and check what must hold for any input that is accepted. A panic
//! or a failed check is a finding; a refusal is the expected answer to most inputs.

use std::path::PathBuf;
use std::sync::OnceLock;

use paja::export::{self, Format, Options};
use paja::protocol::ClientMessage;
use paja::session::*;
use paja::store::{decode_snapshot, encode_snapshot, Store};
use uuid::Uuid;

/// When fuzzed sessions live (ms since the epoch).
const T0: Millis = 1_700_000_000_000;

fn meta() -> SessionMeta {
    SessionMeta {
        slug: SessionName::parse("tyopaja").expect("a valid name"),
        title: "Fuzz".into(),
        language: Language::Fi,
        created_at: T0,
        key_hash: "00".into(),
        time_zone: Default::default(),
        series: None,
    }
}

fn add(s: &mut Session, activity: Activity) {
    let draft = PromptDraft {
        activity,
        title: "Kysymys".into(),
        instructions: String::new(),
        time_limit_secs: Some(60),
        auto_close: false,
        per_group: false,
        premoderation: false,
        wall: true,
        show_results: ResultsVisibility::Live,
        reset_column: false,
        template: None,
        translations: Default::default(),
    };
    let _ = s.apply(&Command::AddPrompt { draft }, T0);
}

/// A session with one prompt of every kind (`p1` a brainstorm with two items, open; `p2`
/// a poll, `p3` a scale, `p4` a word cloud, `p5` a dot vote and `p6` a matrix on `p1`) and a
/// group `g1`, so that decoded frames have something to act on.
fn workshop() -> &'static Session {
    static WORKSHOP: OnceLock<Session> = OnceLock::new();
    WORKSHOP.get_or_init(|| {
        let mut s = Session::new(meta());
        let p1 = PromptId("p1".into());
        let axis = |label: &str| Box::new(Axis { label: label.into(), low: String::new(), high: String::new() });
        add(&mut s, Activity::Brainstorm(Brainstorm { columns: vec![] }));
        add(&mut s, Activity::Poll(Poll { options: vec!["a".into(), "b".into(), "c".into()], multiple: true, may_change: false }));
        add(&mut s, Activity::Scale(Scale { statements: vec!["s".into()], max: 5, min_label: String::new(), max_label: String::new() }));
        add(&mut s, Activity::WordCloud(WordCloud { max_answers: 3 }));
        add(&mut s, Activity::DotVote(DotVote { source: p1.clone(), dots: 3, max_per_item: 2, vote_on: VoteOn::Items }));
        add(&mut s, Activity::Matrix(Matrix { source: p1.clone(), x: axis("x"), y: axis("y") }));
        let _ = s.apply(&Command::AddGroup { name: "Ryhmä".into(), color: None, translations: Default::default() }, T0);
        let _ = s.apply(&Command::OpenPrompt { prompt_id: p1.clone() }, T0 + 1);
        for (n, text) in ["eka", "toka"].into_iter().enumerate() {
            let submit = Command::Submit {
                participant: participant(n as u8),
                item_id: ItemId(Uuid::from_u128(n as u128 + 1)),
                prompt_id: p1.clone(),
                text: text.into(),
                column: None,
                name: None,
            };
            let _ = s.apply(&submit, T0 + 2);
        }
        s
    })
}

fn participant(n: u8) -> ParticipantId {
    ParticipantId(Uuid::from_u128(0x1000 + u128::from(n)))
}

/// `client_frame`: every line is a text frame, decoded as the socket loop decodes it; what
/// decodes is applied to the workshop (participant frames as one of three phones), and a
/// refusal must leave the session as it was.
pub fn client_frames(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let mut session = workshop().clone();
    for (n, frame) in text.split('\n').enumerate() {
        let command = match ClientMessage::decode(frame) {
            Ok(ClientMessage::Participant { action, .. }) => action.into_command(participant(n as u8 % 3)),
            Ok(ClientMessage::Facilitator { action, .. }) => action.into_command(),
            Ok(_) | Err(_) => continue,
        };
        let before = session.clone();
        let seq = session.seq();
        match session.apply(&command, T0 + 10 + n as Millis) {
            Ok(applied) => {
                for (k, stamped) in applied.events.iter().enumerate() {
                    assert_eq!(stamped.seq, seq + 1 + k as u64, "seq gap");
                }
            }
            Err(_) => assert!(session == before, "a refused {command:?} changed the session"),
        }
    }
}

/// A data directory of one session (`tyopaja`, its meta from the golden fixtures) on tmpfs
/// when there is one, made once per process.
fn data_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        let dir = base.join(format!("paja-fuzz-{}", std::process::id()));
        let session = dir.join("sessions/tyopaja");
        std::fs::create_dir_all(&session).expect("a temporary directory");
        let meta = include_bytes!("../../tests/fixtures/golden/journal-only/sessions/tyopaja/meta.json");
        std::fs::write(session.join("meta.json"), meta).expect("meta.json written");
        dir
    })
}

/// `journal`: the bytes are a session's `journal.jsonl` (no snapshot: the session is rebuilt
/// from its meta and every line), loaded by the store as the server loads it at startup. A
/// load cuts a torn tail; loading again must give the same state (what was cut held nothing).
pub fn load_journal(bytes: &[u8]) {
    let dir = data_dir();
    let session_dir = dir.join("sessions/tyopaja");
    let _ = std::fs::remove_file(session_dir.join("snapshot.json"));
    std::fs::write(session_dir.join("journal.jsonl"), bytes).expect("journal written");
    let store = Store::open(dir).expect("store opens");
    let slug = SessionName::parse("tyopaja").expect("a valid name");
    let Ok((first, files)) = store.load(&slug) else {
        return;
    };
    drop(files);
    let (again, _) = store.load(&slug).expect("a journal that loaded once loads again");
    assert!(first == again, "a second load of the same journal differs");
}

/// `snapshot`: the bytes are a `snapshot.json`; what decodes must encode and decode to the
/// same session.
pub fn snapshot(bytes: &[u8]) {
    let Ok(session) = decode_snapshot(bytes, "snapshot.json") else {
        return;
    };
    let written = encode_snapshot(&session).expect("a session encodes");
    let read = decode_snapshot(&written, "snapshot.json").expect("a written snapshot decodes");
    assert!(read == session, "a snapshot read, written and read again differs");
}

/// `import`: the bytes are an uploaded export; what imports must export, import and export
/// again to the same bytes (an import is a fixed point after one round).
pub fn import(bytes: &[u8]) {
    let import = |bytes: &[u8]| {
        let doc = document::parse(bytes).ok()?;
        let target = ImportTarget { slug: None, title: None, key_hash: "00".into(), now: T0, salt: [3; 32] };
        Session::import(doc, target).ok()
    };
    let Some(session) = import(bytes) else {
        return;
    };
    let export = |s: &Session| export::render(s, Format::Json, &Options::default(), T0 + 1).expect("JSON export");
    let first = export(&session);
    let again = import(&first).expect("an import's own export imports");
    assert!(export(&again) == first, "export → import → export differs");
}
