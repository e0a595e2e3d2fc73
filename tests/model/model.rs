//! The model: what the session must hold after the commands it accepted, kept in plain maps
//! (which prompt ids exist and of what kind, which items exist and whose, the journal of
//! accepted commands), the checks run after every step, and the end-of-case round trips.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use paja::export::{self, Format, Options};
use paja::session::*;
use paja::store::{
    decode_record, decode_snapshot, encode_record, encode_snapshot, SnapshotV1, Store,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// One accepted command as the session task journals it: seq after it, time, command.
pub type Record = (u64, Millis, Command);

/// Accepted and refused commands per command type, over every case of the run.
static TALLY: Mutex<BTreeMap<String, (u64, u64)>> = Mutex::new(BTreeMap::new());

/// The tally so far: command type → (accepted, refused).
pub fn tally() -> BTreeMap<String, (u64, u64)> {
    TALLY.lock().map(|t| t.clone()).unwrap_or_default()
}

fn count(command: &Command, accepted: bool) {
    let name = serde_json::to_value(command)
        .ok()
        .and_then(|v| v["type"].as_str().map(str::to_owned))
        .unwrap_or_default();
    if let Ok(mut tally) = TALLY.lock() {
        let entry = tally.entry(name).or_default();
        if accepted {
            entry.0 += 1
        } else {
            entry.1 += 1
        }
    }
}

/// What the session must hold.
#[derive(Debug, Default)]
pub struct Model {
    seq: u64,
    /// Prompt ids on the agenda, with their kind.
    kinds: BTreeMap<PromptId, &'static str>,
    /// Accepted items: their prompt and author.
    items: BTreeMap<ItemId, (PromptId, ParticipantId)>,
    /// Erased items' ids (their tombstones stay; the ids are never stored again).
    erased: BTreeSet<ItemId>,
    /// Accepted commands that changed something, as the journal holds them.
    journal: Vec<Record>,
}

/// The session's whole stored state as JSON bytes: what "changed nothing" is judged by.
fn stored(s: &Session) -> Vec<u8> {
    serde_json::to_vec(&SnapshotV1::from(s)).expect("a snapshot serializes")
}

/// The item ids a command refers to as existing items (not a new submission's).
fn items_named(command: &Command) -> Vec<ItemId> {
    use Command as C;
    match command {
        C::Like { item_id, .. }
        | C::HideItem { item_id }
        | C::UnhideItem { item_id }
        | C::EditItem { item_id, .. }
        | C::UnmergeItem { item_id }
        | C::StarItem { item_id, .. }
        | C::ApproveItem { item_id }
        | C::MarkAnswered { item_id, .. }
        | C::PlaceDot { item_id, .. }
        | C::RemoveDot { item_id, .. }
        | C::Place { item_id, .. }
        | C::Unplace { item_id, .. }
        | C::EraseItem { item_id }
        | C::WithdrawItem { item_id, .. }
        | C::EraseItemHistory { item_id } => vec![*item_id],
        C::MergeItems { into, items } => std::iter::once(*into).chain(items.clone()).collect(),
        _ => vec![],
    }
}

/// The kind a participant's answer command needs its prompt to be.
fn kind_needed(command: &Command) -> Option<(&PromptId, &'static [&'static str])> {
    use Command as C;
    match command {
        C::Submit { prompt_id, .. } => {
            Some((prompt_id, &["brainstorm", "word_cloud", "questions"]))
        }
        C::Vote { prompt_id, .. } | C::WithdrawVote { prompt_id, .. } => {
            Some((prompt_id, &["poll"]))
        }
        C::Rate { prompt_id, .. } => Some((prompt_id, &["scale"])),
        C::PlaceDot { prompt_id, .. } | C::RemoveDot { prompt_id, .. } => {
            Some((prompt_id, &["dot_vote"]))
        }
        C::Place { prompt_id, .. } | C::Unplace { prompt_id, .. } => Some((prompt_id, &["matrix"])),
        _ => None,
    }
}

impl Model {
    /// The accepted commands that changed something, in order.
    pub fn journal(&self) -> &[Record] {
        &self.journal
    }

    /// Applies `command` to the session and to the model, checking what the model predicts.
    pub fn step(
        &mut self,
        s: &mut Session,
        command: &Command,
        now: Millis,
    ) -> Result<(), TestCaseError> {
        let before = stored(s);
        let before_seq = s.seq();
        prop_assert_eq!(before_seq, self.seq, "the model lost count");
        let prompt_state = |id: &PromptId| s.prompt(id).map(|p| p.state);
        let open_for_answers =
            kind_needed(command).is_some_and(|(id, _)| prompt_state(id) == Some(PromptState::Open));
        let result = s.apply(command, now);
        count(command, result.is_ok());
        let Ok(applied) = result else {
            prop_assert!(
                stored(s) == before,
                "a rejected {:?} changed the session",
                command
            );
            prop_assert_eq!(s.seq(), before_seq);
            return Ok(());
        };
        // Seq gap-free: the events count on from the seq before, one each.
        for (n, stamped) in applied.events.iter().enumerate() {
            prop_assert_eq!(
                stamped.seq,
                before_seq + 1 + n as u64,
                "seq gap in {:?}",
                command
            );
        }
        prop_assert_eq!(s.seq(), before_seq + applied.events.len() as u64);
        prop_assert!(applied.ack_seq <= s.seq());
        self.seq = s.seq();
        if applied.events.is_empty() {
            prop_assert!(
                stored(s) == before,
                "{:?} changed the session without an event",
                command
            );
            return Ok(());
        }
        self.journal.push((s.seq(), now, command.clone()));
        for id in items_named(command) {
            prop_assert!(
                self.items.contains_key(&id),
                "{:?} accepted for an unknown item",
                command
            );
        }
        if let Some((prompt, kinds)) = kind_needed(command) {
            let kind = self.kinds.get(prompt).copied();
            prop_assert!(
                kind.is_some_and(|k| kinds.contains(&k)),
                "{:?} accepted on a {:?}",
                command,
                kind
            );
            prop_assert!(
                open_for_answers,
                "{:?} accepted on a prompt that was not open",
                command
            );
        }
        self.after(command, &applied)
    }

    /// What an accepted command adds to the model.
    fn after(&mut self, command: &Command, applied: &Applied) -> Result<(), TestCaseError> {
        match command {
            Command::AddPrompt { draft } => {
                let [Stamped {
                    event: Event::PromptAdded(p),
                    ..
                }] = &applied.events[..]
                else {
                    return Err(TestCaseError::fail(format!(
                        "AddPrompt made {:?}",
                        applied.events
                    )));
                };
                self.kinds.insert(p.id.clone(), draft.activity.kind());
            }
            Command::DeletePrompt { prompt_id } => {
                prop_assert!(self.kinds.remove(prompt_id).is_some());
                prop_assert!(
                    !self.items.values().any(|(p, _)| p == prompt_id),
                    "a prompt with items was deleted"
                );
            }
            Command::Submit {
                participant,
                item_id,
                prompt_id,
                ..
            } => {
                // A resend of an accepted item changes nothing, so it never reaches here.
                prop_assert!(
                    !self.items.contains_key(item_id) && !self.erased.contains(item_id),
                    "an item id was accepted twice"
                );
                self.items
                    .insert(*item_id, (prompt_id.clone(), *participant));
            }
            // An erased item leaves the items; its tombstone stays.
            Command::EraseItem { item_id } => {
                prop_assert!(self.items.remove(item_id).is_some());
                self.erased.insert(*item_id);
            }
            Command::WithdrawItem {
                participant,
                item_id,
            } => {
                let author = self.items.remove(item_id).map(|(_, who)| who);
                prop_assert_eq!(author, Some(*participant), "withdrawn by another");
                self.erased.insert(*item_id);
            }
            _ => {}
        }
        Ok(())
    }

    /// The invariants after every step.
    pub fn check(&self, s: &Session) -> Result<(), TestCaseError> {
        let ids: BTreeSet<ItemId> = s.items().iter().map(|i| i.id).collect();
        prop_assert_eq!(ids.len(), s.items().len(), "an item id twice");
        prop_assert_eq!(s.items().len(), self.items.len());
        let seqs: BTreeSet<u64> = s.items().iter().map(|i| i.seq).collect();
        prop_assert_eq!(seqs.len(), s.items().len(), "two items with one seq");
        prop_assert!(seqs.iter().all(|&q| q >= 1 && q <= s.seq()));
        for item in s.items() {
            let known = self.items.get(&item.id);
            prop_assert_eq!(known, Some(&(item.prompt_id.clone(), item.participant)));
            prop_assert!(
                s.item(&item.id).is_some_and(|i| i.id == item.id),
                "index out of date"
            );
            let root = s.merge_root(&item.id);
            prop_assert!(
                s.item(&root).is_some_and(|r| r.merged_into.is_none()),
                "a merge cycle"
            );
        }
        for (prompt, kind) in &self.kinds {
            let model = self.items.values().filter(|(p, _)| p == prompt).count();
            prop_assert_eq!(s.items_for(prompt).count(), model, "items of {}", prompt);
            prop_assert_eq!(
                s.prompt(prompt).map(|p| p.draft.activity.kind()),
                Some(*kind)
            );
        }
        for who in (0..super::ops::PEOPLE).map(super::ops::person) {
            let model = self.items.values().filter(|(_, p)| *p == who).count();
            prop_assert_eq!(s.items_of(&who).count(), model);
        }
        prop_assert_eq!(s.tombstones().len(), self.erased.len());
        for id in &self.erased {
            prop_assert!(s.is_erased(id) && s.history_erased(id) && s.item(id).is_none());
        }
        prop_assert_eq!(s.prompts().len(), self.kinds.len());
        let open = s
            .prompts()
            .iter()
            .filter(|p| p.state == PromptState::Open)
            .count();
        prop_assert!(open <= 1, "{} prompts open", open);
        for prompt in s.prompts().iter().filter(|p| p.state != PromptState::Draft) {
            results_agree(s, prompt)?;
        }
        super::themes::check(s)
    }
}

/// A prompt's results say what its answers and items say.
fn results_agree(s: &Session, prompt: &Prompt) -> Result<(), TestCaseError> {
    let answers = s.answers(&prompt.id);
    let nonempty = |n: usize| n > 0;
    match s.results(prompt) {
        Results::Questions { total, answered } => {
            prop_assert_eq!(total, s.visible_items(&prompt.id).count());
            prop_assert!(answered <= total);
        }
        Results::Brainstorm {
            total,
            columns,
            groups,
        } => {
            prop_assert_eq!(total, s.visible_items(&prompt.id).count());
            if !columns.is_empty() {
                prop_assert_eq!(columns.iter().sum::<usize>(), total);
            }
            prop_assert_eq!(groups.values().sum::<usize>(), total);
        }
        Results::Poll { voters, counts } => {
            let chosen = answers
                .and_then(|a| a.as_poll())
                .map(|a| a.chosen.clone())
                .unwrap_or_default();
            prop_assert_eq!(voters, chosen.len());
            for (option, count) in counts.iter().enumerate() {
                let want = chosen
                    .values()
                    .filter(|c| c.contains(&(option as u8)))
                    .count();
                prop_assert_eq!(*count, want, "poll option {}", option);
            }
        }
        Results::Scale { statements } => {
            let ratings = answers
                .and_then(|a| a.as_scale())
                .map(|a| a.ratings.clone())
                .unwrap_or_default();
            for (k, st) in statements.iter().enumerate() {
                let rated = ratings
                    .values()
                    .filter(|r| r.get(k).is_some_and(|v| *v > 0))
                    .count();
                prop_assert_eq!(st.n, rated, "statement {}", k);
                prop_assert_eq!(st.counts.iter().sum::<usize>(), st.n);
            }
        }
        Results::WordCloud {
            participants,
            words,
        } => {
            let items = s.items_for(&prompt.id).count();
            prop_assert!(words.iter().map(|w| w.count).sum::<usize>() <= items);
            let authors: BTreeSet<_> = s.items_for(&prompt.id).map(|i| i.participant).collect();
            prop_assert!(participants <= authors.len());
        }
        Results::DotVote { voters, ranking } => {
            let placed = answers
                .and_then(|a| a.as_dot_vote())
                .map(|a| a.placed.clone())
                .unwrap_or_default();
            prop_assert_eq!(
                voters,
                placed.values().filter(|d| nonempty(d.len())).count()
            );
            let dots: u32 = placed.values().flat_map(|d| d.values()).sum();
            prop_assert!(ranking.iter().map(|r| r.dots).sum::<u32>() <= dots);
        }
        Results::Matrix { participants, .. } => {
            let placed = answers
                .and_then(|a| a.as_matrix())
                .map(|a| a.placed.clone())
                .unwrap_or_default();
            prop_assert_eq!(
                participants,
                placed.values().filter(|d| nonempty(d.len())).count()
            );
        }
    }
    Ok(())
}

/// The journal's records, encoded by the store and decoded again, applied to a fresh session
/// at their times, rebuild the live state exactly.
pub fn journal_replays_to(live: &Session, journal: &[Record]) -> Result<(), TestCaseError> {
    let mut bytes = Vec::new();
    for (seq, at, command) in journal {
        encode_record(&mut bytes, *seq, *at, command);
    }
    let mut replayed = Session::new(live.meta.clone());
    for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let record =
            decode_record(line).map_err(|e| TestCaseError::fail(format!("journal line: {e}")))?;
        let applied = replayed.apply(&record.cmd, record.at);
        prop_assert!(applied.is_ok(), "replay refused {:?}", record.cmd);
        prop_assert_eq!(replayed.seq(), record.seq, "replay reached another seq");
    }
    prop_assert!(replayed == *live, "the journal replays to another state");
    prop_assert!(stored(&replayed) == stored(live));
    Ok(())
}

/// The same journal written through the store's files (a new session's directory, then one
/// append of every line, as a session task's batches would) and read back by the store's own
/// loader, which rebuilds from the first snapshot and the journal, is the live state.
pub fn store_reads_back(live: &Session, journal: &[Record]) -> Result<(), TestCaseError> {
    let fail = |e: &dyn std::fmt::Display| TestCaseError::fail(e.to_string());
    // On tmpfs where there is one: the fsyncs are then free, and what is checked is the
    // files' contents, not the disk.
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::tempdir_in(shm)
    } else {
        tempfile::tempdir()
    }
    .map_err(|e| fail(&e))?;
    let store = Store::open(dir.path()).map_err(|e| fail(&e))?;
    let mut files = store
        .create(&Session::new(live.meta.clone()))
        .map_err(|e| fail(&e))?;
    let mut bytes = Vec::new();
    for (seq, at, command) in journal {
        encode_record(&mut bytes, *seq, *at, command);
    }
    files.append(&bytes, journal.len()).map_err(|e| fail(&e))?;
    drop(files);
    let read = store.read(&live.meta.slug).map_err(|e| fail(&e))?;
    prop_assert!(
        read == *live,
        "the store reads the journal back as another state"
    );
    Ok(())
}

/// A snapshot written and read back is the same session.
pub fn snapshot_reads_back(live: &Session) -> Result<(), TestCaseError> {
    let bytes = encode_snapshot(live).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let read =
        decode_snapshot(&bytes, "snapshot.json").map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(read == *live, "the snapshot reads back as another state");
    Ok(())
}

/// An export imported again exports the same JSON, apart from `exported_at` (the time of
/// each export), which import changes by design; the import's new key, participant ids and
/// `imported_at` are not in an export.
pub fn export_import_export(live: &Session, now: Millis) -> Result<(), TestCaseError> {
    let json = |s: &Session, at: Millis| -> Result<serde_json::Value, TestCaseError> {
        let bytes = export::render(s, Format::Json, &Options::default(), at)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        value.as_object_mut().map(|o| o.remove("exported_at"));
        Ok(value)
    };
    let first = export::render(live, Format::Json, &Options::default(), now)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let doc = document::parse(&first).map_err(|e| TestCaseError::fail(format!("parse: {e}")))?;
    let target = ImportTarget {
        slug: None,
        title: None,
        key_hash: "11".into(),
        now: now + 1,
        salt: [7; 32],
    };
    let imported = Session::import(doc, target)
        .map_err(|e| TestCaseError::fail(format!("import refused its own export: {e}")))?;
    prop_assert_eq!(json(&imported, now + 2)?, json(live, now)?);
    Ok(())
}
