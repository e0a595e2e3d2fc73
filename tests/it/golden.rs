//! Golden data directories: `tests/fixtures/golden/` holds data directories written by the
//! store as it was before the persisted formats got types of their own (issue 12). Each must
//! load, through the real load-and-replay path, to the state pinned beside it, forever: that
//! is the promise that old data directories keep working.
//!
//! ```text
//! tests/fixtures/golden/
//!   journal-and-snapshot/sessions/tyopaja/   meta, a mid-day snapshot, an archived segment, the live journal
//!   snapshot-only/sessions/tyopaja/          meta and a snapshot of the end state, no journal at all
//!   journal-only/sessions/tyopaja/           meta and the whole journal, no snapshot (a lost snapshot)
//!   imported/sessions/tuotu/                 that end state imported from its export (`imported.json`),
//!                                            then more commands: a snapshot and a live journal
//!   expected/state.json                      the end state as a format-1 snapshot, pretty-printed
//!   expected/export.json                     the end state's JSON export (exported at 0)
//!   expected/imported-state.json             the imported session's end state, likewise
//!   expected/imported-export.json            and its JSON export
//! ```
//!
//! The committed files are the contract. [`generate_golden_fixtures`] documents how they were
//! made (by the store's own `create`, `append` and `snapshot`); it runs only when asked for
//! twice (`--ignored` and `PAJA_REGENERATE_GOLDEN=1`) because regenerating would replace the
//! old formats with whatever today's code writes, and prove nothing. Run it alone (the other
//! tests read the files it rewrites):
//! `PAJA_REGENERATE_GOLDEN=1 cargo test --test it golden::generate -- --ignored`. It is
//! deterministic: rerun on the code that made them, it rewrites the same bytes.

use std::fs;
use std::path::{Path, PathBuf};

use paja::export::{self, Format, Options};
use paja::session::{Command, ImportTarget, Language, Session, SessionMeta, SessionName};
use paja::store::{decode_snapshot, encode_record, encode_snapshot, Store, SNAPSHOT_FORMAT};
use serde_json::{json, Value};

const SLUG: &str = "tyopaja";
const IMPORTED: &str = "tuotu";
const CASES: [&str; 3] = ["journal-and-snapshot", "snapshot-only", "journal-only"];

fn golden() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/golden")
}

/// A copy of a golden data directory in a temporary one: loading opens (and may repair) the
/// journal, and the committed files must never change.
fn copy_of(case: &str) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(&golden().join(case), dir.path());
    dir
}

/// The state as the pinned `state.json` shows it: a format-1 snapshot, pretty-printed.
fn state_json(session: &Session) -> String {
    let bytes = encode_snapshot(session).unwrap();
    let value: Value = serde_json::from_slice(&bytes).unwrap();
    serde_json::to_string_pretty(&value).unwrap() + "\n"
}

/// The JSON export of the state, exported at time 0 so that it does not change with the clock.
fn export_json(session: &Session) -> String {
    let view = export::View::new(session, Format::Json, &Options::default()).unwrap();
    let doc = export::json::document(&view, 0);
    String::from_utf8(paja::session::document::to_bytes(&doc)).unwrap()
}

fn expected(file: &str) -> String {
    fs::read_to_string(golden().join("expected").join(file)).unwrap()
}

/// Asserts that `session` is the state pinned in `expected/<prefix>state.json` and
/// `expected/<prefix>export.json`. The pinned state is read through the store's own
/// snapshot decoder, migrations included, so it stays the reference when a later snapshot
/// format is written; while format 1 is the one written, re-encoding must give its bytes.
fn assert_pinned(case: &str, prefix: &str, session: &Session) {
    let state = format!("{prefix}state.json");
    let export = format!("{prefix}export.json");
    let pinned = decode_snapshot(expected(&state).as_bytes(), "state.json").unwrap();
    assert_eq!(
        session, &pinned,
        "{case}: the state differs from expected/{state}"
    );
    if SNAPSHOT_FORMAT == 1 {
        assert_eq!(
            state_json(session),
            expected(&state),
            "{case}: the format-1 snapshot differs from expected/{state}"
        );
    }
    assert_eq!(
        export_json(session),
        expected(&export),
        "{case}: the JSON export differs from expected/{export}"
    );
}

#[test]
fn every_golden_data_directory_loads_and_replays_to_the_pinned_state() {
    let slug = SessionName::parse(SLUG).unwrap();
    for case in CASES {
        let dir = copy_of(case);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.list().unwrap(), vec![slug.clone()], "{case}");
        let (session, _files) = store.load(&slug).unwrap();
        assert_pinned(case, "", &session);
        // The offline reader (export without a server) sees the same.
        let read = Store::open_read_only(dir.path())
            .unwrap()
            .read(&slug)
            .unwrap();
        assert_eq!(read, session, "{case}: read and load disagree");
    }
}

#[test]
fn the_golden_imported_session_loads_with_and_without_its_snapshot() {
    let slug = SessionName::parse(IMPORTED).unwrap();
    let dir = copy_of("imported");
    let store = Store::open(dir.path()).unwrap();
    let (session, files) = store.load(&slug).unwrap();
    drop(files);
    assert_pinned("imported", "imported-", &session);
    // Without its snapshot it is rebuilt from `imported.json` and the journal since.
    let session_dir = dir.path().join("sessions").join(IMPORTED);
    fs::remove_file(session_dir.join("snapshot.json")).unwrap();
    let (rebuilt, _) = store.load(&slug).unwrap();
    assert_pinned("imported without snapshot", "imported-", &rebuilt);
}

#[test]
fn a_golden_session_goes_on_after_loading() {
    let slug = SessionName::parse(SLUG).unwrap();
    let dir = copy_of("journal-and-snapshot");
    let store = Store::open(dir.path()).unwrap();
    let (mut session, mut files) = store.load(&slug).unwrap();
    let cmd: Command =
        serde_json::from_value(json!({"type": "show_on_screen", "view": {"kind": "join"}}))
            .unwrap();
    let at = 10_000_000;
    session.apply(&cmd, at).unwrap();
    let mut line = Vec::new();
    encode_record(&mut line, session.seq(), at, &cmd);
    files.append(&line, 1).unwrap();
    drop(files);
    let (again, _) = store.load(&slug).unwrap();
    assert_eq!(again, session);
    assert_ne!(state_json(&again), expected("state.json"));
}

/// The three participants of the script.
const A: &str = "00000000-0000-4000-8000-00000000000a";
const B: &str = "00000000-0000-4000-8000-00000000000b";
const C: &str = "00000000-0000-4000-8000-00000000000c";

/// An item id: `i(1)` … (device-made on a phone; fixed here).
fn i(n: u32) -> String {
    format!("00000000-0000-4000-9000-{n:012}")
}

/// The script: every command kind, each at its time (ms since the epoch). Commands are
/// written as their journal JSON, so the script does not depend on the domain's Rust types.
fn script() -> Vec<(u64, Value)> {
    let t = |secs: u64| 1_700_000_000_000 + secs * 1000;
    let bs = |title: &str, extra: Value| {
        let mut p = json!({"kind": "brainstorm", "title": title});
        if let (Some(p), Some(extra)) = (p.as_object_mut(), extra.as_object()) {
            p.extend(extra.clone());
        }
        p
    };
    vec![
        // Groups: add, update, delete.
        (
            t(1),
            json!({"type": "add_group", "name": "Punainen", "color": "#cc0000"}),
        ),
        (t(2), json!({"type": "add_group", "name": "Sininen"})),
        (
            t(3),
            json!({"type": "update_group", "group_id": "g2", "name": "Sininen tiimi", "color": "#0000cc"}),
        ),
        (t(4), json!({"type": "add_group", "name": "Poistuva"})),
        (t(5), json!({"type": "delete_group", "group_id": "g3"})),
        // The agenda: all five activities, a duplicate, a move, an update, a delete.
        (
            t(10),
            json!({"type": "add_prompt", "prompt": bs("Mikä toimii?", json!({"columns": ["Hyvää", "Kehitettävää"], "wall": true, "instructions": "Yksi asia kerrallaan."}))}),
        ),
        (
            t(11),
            json!({"type": "add_prompt", "prompt": {"kind": "poll", "title": "Jatketaanko?", "options": ["Kyllä", "Ei", "Ehkä"], "may_change": true, "show_results": "after_close"}}),
        ),
        (
            t(12),
            json!({"type": "add_prompt", "prompt": {"kind": "scale", "title": "Arvioi", "statements": ["Selkeä", "Hyödyllinen"], "max": 5, "min_label": "ei lainkaan", "max_label": "täysin"}}),
        ),
        (
            t(13),
            json!({"type": "add_prompt", "prompt": {"kind": "word_cloud", "title": "Yksi sana", "max_answers": 3, "time_limit_secs": 60, "auto_close": true}}),
        ),
        (
            t(14),
            json!({"type": "add_prompt", "prompt": {"kind": "dot_vote", "title": "Äänestä", "source": "p1", "dots": 3, "max_per_item": 2, "show_results": "hidden"}}),
        ),
        (
            t(15),
            json!({"type": "add_prompt", "prompt": bs("Ryhmissä", json!({"per_group": true, "premoderation": true, "reset_column": false}))}),
        ),
        (
            t(16),
            json!({"type": "duplicate_prompt", "prompt_id": "p2"}),
        ),
        (
            t(17),
            json!({"type": "move_prompt", "prompt_id": "p7", "position": 0}),
        ),
        (
            t(18),
            json!({"type": "update_prompt", "prompt_id": "p7", "prompt": {"kind": "poll", "title": "Kopio", "options": ["A", "B"], "multiple": true}}),
        ),
        (t(19), json!({"type": "delete_prompt", "prompt_id": "p7"})),
        (
            t(20),
            json!({"type": "import_agenda", "prompts": [bs("Tuotu aivoriihi", json!({})), {"kind": "dot_vote", "title": "Tuotu äänestys", "source": "@0", "dots": 2, "max_per_item": 1}]}),
        ),
        // Participants pick groups.
        (
            t(30),
            json!({"type": "choose_group", "participant": A, "group_id": "g1"}),
        ),
        (
            t(31),
            json!({"type": "choose_group", "participant": B, "group_id": "g2"}),
        ),
        (
            t(32),
            json!({"type": "choose_group", "participant": C, "group_id": "g1"}),
        ),
        (
            t(33),
            json!({"type": "choose_group", "participant": C, "group_id": null}),
        ),
        // The brainstorm: items, likes, edits, hides, stars, merges, a lock.
        (t(40), json!({"type": "open_prompt", "prompt_id": "p1"})),
        (
            t(41),
            json!({"type": "submit", "participant": A, "item_id": i(1), "prompt_id": "p1", "text": "Hyvä tunnelma", "column": 0}),
        ),
        (
            t(42),
            json!({"type": "submit", "participant": B, "item_id": i(2), "prompt_id": "p1", "text": "hyvä  tunnelma", "column": 0}),
        ),
        (
            t(43),
            json!({"type": "submit", "participant": C, "item_id": i(3), "prompt_id": "p1", "text": "Liian vähän taukoja", "column": 1}),
        ),
        (
            t(44),
            json!({"type": "submit", "participant": A, "item_id": i(4), "prompt_id": "p1", "text": "roskaa", "column": 1}),
        ),
        (
            t(45),
            json!({"type": "submit", "participant": B, "item_id": i(5), "prompt_id": "p1", "text": "Selkeät tavoitteet", "column": 0}),
        ),
        (
            t(46),
            json!({"type": "like", "participant": C, "item_id": i(1), "liked": true}),
        ),
        (
            t(47),
            json!({"type": "like", "participant": B, "item_id": i(1), "liked": true}),
        ),
        (
            t(48),
            json!({"type": "like", "participant": B, "item_id": i(1), "liked": false}),
        ),
        (
            t(49),
            json!({"type": "edit_item", "item_id": i(3), "text": "Liian vähän taukoja!"}),
        ),
        (t(50), json!({"type": "hide_item", "item_id": i(4)})),
        (t(51), json!({"type": "hide_item", "item_id": i(5)})),
        (t(52), json!({"type": "unhide_item", "item_id": i(5)})),
        (
            t(53),
            json!({"type": "star_item", "item_id": i(3), "starred": true}),
        ),
        (
            t(54),
            json!({"type": "star_item", "item_id": i(3), "starred": false}),
        ),
        (
            t(55),
            json!({"type": "star_item", "item_id": i(5), "starred": true}),
        ),
        (
            t(56),
            json!({"type": "merge_items", "into": i(1), "items": [i(2), i(5)]}),
        ),
        (t(57), json!({"type": "unmerge_item", "item_id": i(5)})),
        (
            t(58),
            json!({"type": "lock_prompt", "prompt_id": "p1", "locked": true}),
        ),
        (
            t(59),
            json!({"type": "lock_prompt", "prompt_id": "p1", "locked": false}),
        ),
        (t(60), json!({"type": "close_prompt", "prompt_id": "p1"})),
        // The projector: the join page, an earlier prompt, back to following.
        (
            t(61),
            json!({"type": "show_on_screen", "view": {"kind": "join"}}),
        ),
        (
            t(62),
            json!({"type": "show_on_screen", "view": {"kind": "prompt", "prompt_id": "p1"}}),
        ),
        (
            t(63),
            json!({"type": "show_on_screen", "view": {"kind": "follow"}}),
        ),
        // The poll: votes, a changed vote, a withdrawn one.
        (t(70), json!({"type": "open_prompt", "prompt_id": "p2"})),
        (
            t(71),
            json!({"type": "vote", "participant": A, "prompt_id": "p2", "options": [0]}),
        ),
        (
            t(72),
            json!({"type": "vote", "participant": B, "prompt_id": "p2", "options": [1]}),
        ),
        (
            t(73),
            json!({"type": "vote", "participant": C, "prompt_id": "p2", "options": [2]}),
        ),
        (
            t(74),
            json!({"type": "vote", "participant": A, "prompt_id": "p2", "options": [1]}),
        ),
        (
            t(75),
            json!({"type": "withdraw_vote", "participant": C, "prompt_id": "p2"}),
        ),
        (t(76), json!({"type": "close_prompt", "prompt_id": "p2"})),
        // (The compaction happens here: a snapshot and an archived segment.)
        // The scale.
        (t(80), json!({"type": "open_prompt", "prompt_id": "p3"})),
        (
            t(81),
            json!({"type": "rate", "participant": A, "prompt_id": "p3", "statement": 0, "value": 4}),
        ),
        (
            t(82),
            json!({"type": "rate", "participant": A, "prompt_id": "p3", "statement": 1, "value": 5}),
        ),
        (
            t(83),
            json!({"type": "rate", "participant": B, "prompt_id": "p3", "statement": 0, "value": 2}),
        ),
        (
            t(84),
            json!({"type": "rate", "participant": B, "prompt_id": "p3", "statement": 0, "value": 3}),
        ),
        // The word cloud, its time box lengthened, then closed by the clock.
        (t(90), json!({"type": "open_prompt", "prompt_id": "p4"})),
        (
            t(91),
            json!({"type": "submit", "participant": A, "item_id": i(11), "prompt_id": "p4", "text": "innostus"}),
        ),
        (
            t(92),
            json!({"type": "submit", "participant": B, "item_id": i(12), "prompt_id": "p4", "text": "Innostus"}),
        ),
        (
            t(93),
            json!({"type": "submit", "participant": B, "item_id": i(13), "prompt_id": "p4", "text": "väsymys"}),
        ),
        (
            t(94),
            json!({"type": "add_time", "prompt_id": "p4", "secs": 30}),
        ),
        (t(181), json!({"type": "tick"})),
        // The dot vote on the brainstorm's items.
        (t(200), json!({"type": "open_prompt", "prompt_id": "p5"})),
        (
            t(201),
            json!({"type": "place_dot", "participant": A, "prompt_id": "p5", "item_id": i(1)}),
        ),
        (
            t(202),
            json!({"type": "place_dot", "participant": A, "prompt_id": "p5", "item_id": i(1)}),
        ),
        (
            t(203),
            json!({"type": "place_dot", "participant": A, "prompt_id": "p5", "item_id": i(3)}),
        ),
        (
            t(204),
            json!({"type": "place_dot", "participant": B, "prompt_id": "p5", "item_id": i(5)}),
        ),
        (
            t(205),
            json!({"type": "remove_dot", "participant": A, "prompt_id": "p5", "item_id": i(3)}),
        ),
        (t(206), json!({"type": "close_prompt", "prompt_id": "p5"})),
        // Groups and pre-moderation: an approved item and one left waiting.
        (t(210), json!({"type": "open_prompt", "prompt_id": "p6"})),
        (
            t(211),
            json!({"type": "submit", "participant": A, "item_id": i(21), "prompt_id": "p6", "text": "Punaisten idea"}),
        ),
        (
            t(212),
            json!({"type": "submit", "participant": B, "item_id": i(22), "prompt_id": "p6", "text": "Sinisten idea"}),
        ),
        (t(213), json!({"type": "approve_item", "item_id": i(21)})),
        // The next draft in agenda order (the imported brainstorm), left open.
        (t(220), json!({"type": "next_prompt"})),
        (
            t(221),
            json!({"type": "submit", "participant": C, "item_id": i(31), "prompt_id": "p8", "text": "Viimeinen"}),
        ),
    ]
}

/// How the golden files were made (keep it, never run it casually: see the module docs).
/// Each case plays the script through the real store: `Store::create`, then per accepted
/// command one `encode_record` + `SessionFiles::append` (as the session task's group commit
/// does), with a compaction (`SessionFiles::snapshot`) where the case wants one.
#[test]
#[ignore = "writes tests/fixtures/golden; run only to make new golden files on purpose"]
fn generate_golden_fixtures() {
    if std::env::var("PAJA_REGENERATE_GOLDEN").as_deref() != Ok("1") {
        eprintln!("set PAJA_REGENERATE_GOLDEN=1 to overwrite the golden files");
        return;
    }
    let mut end = None;
    for case in CASES {
        let root = golden().join(case);
        let _ = fs::remove_dir_all(&root);
        let store = Store::open(&root).unwrap();
        let mut session = Session::new(SessionMeta {
            slug: SessionName::parse(SLUG).unwrap(),
            title: "Työpaja – kevät".into(),
            language: Language::Fi,
            created_at: 1_700_000_000_000,
            // SHA-256 of "golden-key".
            key_hash: "62518b7ee254c5426695f549d536d62c3c2374500711c708a970b19a5846b24c".into(),
            time_zone: Default::default(),
            series: None,
        });
        let mut files = store.create(&session).unwrap();
        for (at, value) in script() {
            let cmd: Command =
                serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{value}: {e}"));
            session
                .apply(&cmd, at)
                .unwrap_or_else(|e| panic!("{value}: {e}"));
            let mut line = Vec::new();
            encode_record(&mut line, session.seq(), at, &cmd);
            files.append(&line, 1).unwrap();
            if case == "journal-and-snapshot"
                && value["type"] == "close_prompt"
                && value["prompt_id"] == "p2"
            {
                files
                    .snapshot(&encode_snapshot(&session).unwrap(), session.seq())
                    .unwrap();
            }
        }
        let dir = root.join("sessions").join(SLUG);
        match case {
            "snapshot-only" => {
                files
                    .snapshot(&encode_snapshot(&session).unwrap(), session.seq())
                    .unwrap();
                drop(files);
                for entry in fs::read_dir(&dir).unwrap() {
                    let path = entry.unwrap().path();
                    let name = path.file_name().unwrap().to_str().unwrap().to_owned();
                    if name.starts_with("journal") {
                        fs::remove_file(path).unwrap();
                    }
                }
            }
            "journal-only" => {
                drop(files);
                fs::remove_file(dir.join("snapshot.json")).unwrap();
            }
            _ => drop(files),
        }
        end = Some(session);
    }
    let end = end.unwrap();
    let imported = generate_imported(&end);
    let expected = golden().join("expected");
    fs::create_dir_all(&expected).unwrap();
    fs::write(expected.join("state.json"), state_json(&end)).unwrap();
    fs::write(expected.join("export.json"), export_json(&end)).unwrap();
    fs::write(expected.join("imported-state.json"), state_json(&imported)).unwrap();
    fs::write(
        expected.join("imported-export.json"),
        export_json(&imported),
    )
    .unwrap();
}

/// The `imported` case: `end` exported and imported under a new name (with a fixed salt, so
/// the participants' fresh ids are the same every time), a few commands, a compaction, a few
/// more. Returns the imported session's end state.
fn generate_imported(end: &Session) -> Session {
    let root = golden().join("imported");
    let _ = fs::remove_dir_all(&root);
    let store = Store::open(&root).unwrap();
    let view = export::View::new(end, Format::Json, &Options::default()).unwrap();
    let doc = export::json::document(&view, 1_700_000_300_000);
    let target = ImportTarget {
        slug: Some(SessionName::parse(IMPORTED).unwrap()),
        title: Some("Tuotu työpaja".into()),
        // SHA-256 of "golden-key".
        key_hash: "62518b7ee254c5426695f549d536d62c3c2374500711c708a970b19a5846b24c".into(),
        now: 1_700_000_400_000,
        salt: [7; 32],
    };
    let mut session = Session::import(doc, target).unwrap();
    let mut files = store.create(&session).unwrap();
    let t = |secs: u64| 1_700_000_400_000 + secs * 1000;
    let script = [
        (t(1), json!({"type": "open_prompt", "prompt_id": "p9"})),
        (t(2), json!({"type": "close_prompt", "prompt_id": "p9"})),
        (t(3), json!({"type": "add_group", "name": "Uusi"})),
        (
            t(4),
            json!({"type": "show_on_screen", "view": {"kind": "join"}}),
        ),
    ];
    for (n, (at, value)) in script.into_iter().enumerate() {
        let cmd: Command =
            serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{value}: {e}"));
        session
            .apply(&cmd, at)
            .unwrap_or_else(|e| panic!("{value}: {e}"));
        let mut line = Vec::new();
        encode_record(&mut line, session.seq(), at, &cmd);
        files.append(&line, 1).unwrap();
        if n == 1 {
            files
                .snapshot(&encode_snapshot(&session).unwrap(), session.seq())
                .unwrap();
        }
    }
    session
}
