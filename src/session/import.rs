//! Import: a session rebuilt from its JSON export (docs/export-format.md).
//!
//! An import file is untrusted input: it may come from anyone who can reach the start page.
//! [`Session::import`] therefore checks everything a live session guarantees by construction
//! (the same text limits and counts, ids that exist, merges without cycles, answers that fit
//! their prompt) and either builds the whole session or refuses with one typed
//! [`ImportError`]; nothing is half-imported.
//!
//! Participants arrive as pseudonyms only. Each gets a fresh [`ParticipantId`] derived from a
//! random salt the caller supplies (so ids are unguessable, yet the function stays pure), and
//! the session keeps its pseudonym, so exports and the console show the same names as before,
//! even under a new session name.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use sha2::{Digest, Sha256};

use super::document::{AnswerDoc, SessionDoc, JSON_FORMAT, JSON_VERSION};

use super::groups::check_group;
use super::*;

/// Most participants an import may name: far above any seminar, a bound on memory.
pub const IMPORT_MAX_PARTICIPANTS: usize = 100_000;
/// Most earlier texts (edit history entries) an import may hold, over all items.
pub const IMPORT_MAX_REVISIONS: usize = MAX_ITEMS;
/// Longest pseudonym accepted, in characters (Paja writes 12: `p-1a2b3c4d5e`).
pub const PSEUDONYM_MAX: usize = 32;
/// Highest number in an imported prompt or group id: far above any real session, and far
/// enough below `u32::MAX` that the ids made after the import never wrap.
pub const IMPORT_MAX_ID_NUMBER: u32 = 999_999_999;
/// Highest sequence number an import may carry: the largest integer a browser's JSON numbers
/// hold exactly, so the count can go on without overflow or rounding on the phones.
pub const IMPORT_MAX_SEQ: u64 = (1 << 53) - 1;

/// Why an export file could not be imported. Each has a stable [`ImportError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Not JSON, or not the shape of the schema (the message says where).
    #[error("the file is not a valid Paja session export: {0}")]
    Malformed(String),
    /// JSON, but not a `paja-session` document (an agenda template, say).
    #[error("the file is not a Paja session export (its format is {0:?}, not \"paja-session\")")]
    WrongFormat(String),
    /// A version this Paja does not read.
    #[error("{}", unsupported_version(*.0))]
    UnsupportedVersion(u64),
    /// More of something than a session may hold.
    #[error("too many {what} (at most {max})")]
    TooMany {
        /// Prompts, items, groups, participants or revisions.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// The session title is empty or too long.
    #[error("the session title must be 1–{SESSION_TITLE_MAX} characters")]
    InvalidTitle,
    /// An id that is not of the form Paja makes (`p3`, `g2`, a pseudonym of a–z, 0–9, `-`).
    #[error("{0:?} is not a valid id here")]
    InvalidId(String),
    /// Two prompts, groups, items or participants share an id.
    #[error("the id {0:?} is used twice")]
    DuplicateId(String),
    /// A prompt's settings are out of bounds.
    #[error("prompt {prompt}: {reason}")]
    InvalidPrompt {
        /// Which prompt.
        prompt: String,
        /// What is wrong.
        reason: String,
    },
    /// A dot vote's source prompt is not in the file (pick it too when exporting some prompts).
    #[error("prompt {prompt}: its dot vote's source {source_prompt} is not in the file")]
    DotVoteSourceMissing {
        /// The dot vote.
        prompt: String,
        /// The prompt it votes on.
        source_prompt: String,
    },
    /// A prompt's state does not hold together (an open prompt never opened, two open…).
    #[error("prompt {prompt}: {reason}")]
    InvalidState {
        /// Which prompt.
        prompt: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A reference to a prompt that is not in the file.
    #[error("no prompt {0} in the file")]
    UnknownPrompt(String),
    /// A reference to a group that is not in the file.
    #[error("no group {0} in the file")]
    UnknownGroup(String),
    /// A pseudonym that is not in the file's participant list.
    #[error("no participant {0} in the file's participants")]
    UnknownParticipant(String),
    /// A reference (a merge, a ballot entry, a dot) to an item that is not where it should be.
    #[error("{referrer}: no item {item} there")]
    UnknownItem {
        /// The item named.
        item: String,
        /// Who names it (`item …: merged_into`, `prompt …: ballot`, …).
        referrer: String,
    },
    /// An item that does not fit its prompt (text, column, group, likes).
    #[error("item {item}: {reason}")]
    InvalidItem {
        /// Which item.
        item: String,
        /// What is wrong.
        reason: String,
    },
    /// A merge into another prompt's item, into itself, or in a cycle.
    #[error("item {0}: invalid merge")]
    InvalidMerge(String),
    /// A group's name or colour is out of bounds.
    #[error("group {group}: {reason}")]
    InvalidGroup {
        /// Which group.
        group: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// An answer that its prompt would not have accepted.
    #[error("prompt {prompt}: the answer of {participant}: {reason}")]
    InvalidAnswer {
        /// Which prompt.
        prompt: String,
        /// Whose answer.
        participant: String,
        /// What is wrong.
        reason: &'static str,
    },
}

fn unsupported_version(version: u64) -> String {
    match version {
        0 => "the file has no version".to_owned(),
        1 => "this is a version 1 export, which holds results but not the individual answers; \
              it cannot be imported (export the session again from a Paja that writes version 2)"
            .to_owned(),
        v => format!("version {v} exports are newer than this Paja reads (version {JSON_VERSION}); update Paja"),
    }
}

impl ImportError {
    /// The stable code, for HTTP and the command line.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Malformed(_) => "invalid_document",
            ImportError::WrongFormat(_) => "wrong_format",
            ImportError::UnsupportedVersion(_) => "unsupported_version",
            ImportError::TooMany { .. } => "too_many",
            ImportError::InvalidTitle => "invalid_title",
            ImportError::InvalidId(_) => "invalid_id",
            ImportError::DuplicateId(_) => "duplicate_id",
            ImportError::InvalidPrompt { .. } => "invalid_prompt",
            ImportError::DotVoteSourceMissing { .. } => "dot_vote_source_missing",
            ImportError::InvalidState { .. } => "invalid_state",
            ImportError::UnknownPrompt(_) => "unknown_prompt",
            ImportError::UnknownGroup(_) => "unknown_group",
            ImportError::UnknownParticipant(_) => "unknown_participant",
            ImportError::UnknownItem { .. } => "unknown_item",
            ImportError::InvalidItem { .. } => "invalid_item",
            ImportError::InvalidMerge(_) => "invalid_merge",
            ImportError::InvalidGroup { .. } => "invalid_group",
            ImportError::InvalidAnswer { .. } => "invalid_answer",
        }
    }
}

/// What the importing side decides: the name, the key, the time and the randomness.
#[derive(Debug, Clone)]
pub struct ImportTarget {
    /// A new short name; `None`: the one in the file.
    pub slug: Option<SessionName>,
    /// A new title; `None`: the one in the file.
    pub title: Option<String>,
    /// SHA-256 of the new facilitator key, hex (the old key is never in an export).
    pub key_hash: String,
    /// When the import happens.
    pub now: Millis,
    /// Random bytes from which participants' fresh ids are derived.
    pub salt: [u8; 32],
}

/// The number in an id of the form `<prefix><n>` (`p12` → 12), n ≥ 1 without leading zeros.
fn id_number(id: &str, prefix: char) -> Option<u32> {
    let digits = id.strip_prefix(prefix)?;
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n <= IMPORT_MAX_ID_NUMBER)
}

fn valid_pseudonym(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= PSEUDONYM_MAX
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A fresh participant id for `pseudonym`: unguessable without the salt, distinct per
/// pseudonym.
fn fresh_id(salt: &[u8; 32], pseudonym: &str) -> ParticipantId {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(pseudonym.as_bytes());
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    ParticipantId(uuid::Builder::from_random_bytes(bytes).into_uuid())
}

fn too_many(what: &'static str, max: usize) -> ImportError {
    ImportError::TooMany { what, max }
}

impl Session {
    /// Rebuilds a session from its export, under `target`'s name, title and key.
    ///
    /// Everything is checked before anything is built; see the module's documentation.
    /// Derived numbers in the file (results, like and dot counts) are ignored.
    pub fn import(doc: SessionDoc, target: ImportTarget) -> Result<Session, ImportError> {
        if doc.format != JSON_FORMAT {
            return Err(ImportError::WrongFormat(doc.format));
        }
        if doc.version != JSON_VERSION {
            return Err(ImportError::UnsupportedVersion(u64::from(doc.version)));
        }
        // Counts first: they bound the work of every later check.
        if doc.prompts.len() > MAX_PROMPTS {
            return Err(too_many("prompts", MAX_PROMPTS));
        }
        if doc.groups.len() > MAX_GROUPS {
            return Err(too_many("groups", MAX_GROUPS));
        }
        if doc.participants.len() > IMPORT_MAX_PARTICIPANTS {
            return Err(too_many("participants", IMPORT_MAX_PARTICIPANTS));
        }
        let item_count: usize = doc.prompts.iter().map(|p| p.items.len()).sum();
        if item_count > MAX_ITEMS {
            return Err(too_many("items", MAX_ITEMS));
        }
        let revisions: usize = doc
            .prompts
            .iter()
            .flat_map(|p| &p.items)
            .map(|i| i.history.len())
            .sum();
        if revisions > IMPORT_MAX_REVISIONS {
            return Err(too_many("revisions", IMPORT_MAX_REVISIONS));
        }
        if doc.session.seq > IMPORT_MAX_SEQ {
            return Err(too_many("events (seq)", IMPORT_MAX_SEQ as usize));
        }

        let title = target.title.as_deref().unwrap_or(&doc.session.title);
        let title = clean_text(title, SESSION_TITLE_MAX).map_err(|_| ImportError::InvalidTitle)?;

        // Groups.
        let mut groups = Vec::with_capacity(doc.groups.len());
        let mut next_group = 1;
        let mut group_ids = HashSet::new();
        for group in &doc.groups {
            let n = id_number(&group.id.0, 'g')
                .ok_or_else(|| ImportError::InvalidId(group.id.0.clone()))?;
            if !group_ids.insert(group.id.clone()) {
                return Err(ImportError::DuplicateId(group.id.0.clone()));
            }
            next_group = next_group.max(n.saturating_add(1));
            let (name, color) =
                check_group(&group.name, &group.color).map_err(|r| ImportError::InvalidGroup {
                    group: group.id.0.clone(),
                    reason: match r {
                        Rejection::InvalidGroup(reason) => reason,
                        _ => "invalid",
                    },
                })?;
            groups.push(Group {
                id: group.id.clone(),
                name,
                color,
            });
        }
        let known_group = |g: &GroupId| {
            if group_ids.contains(g) {
                Ok(())
            } else {
                Err(ImportError::UnknownGroup(g.0.clone()))
            }
        };

        // Participants: a fresh id each, their pseudonym kept.
        let mut ids: HashMap<&str, ParticipantId> = HashMap::new();
        let mut pseudonyms = BTreeMap::new();
        let mut members = BTreeMap::new();
        for p in &doc.participants {
            if !valid_pseudonym(&p.pseudonym) {
                return Err(ImportError::InvalidId(p.pseudonym.clone()));
            }
            let id = fresh_id(&target.salt, &p.pseudonym);
            if ids.insert(&p.pseudonym, id).is_some() {
                return Err(ImportError::DuplicateId(p.pseudonym.clone()));
            }
            pseudonyms.insert(id, p.pseudonym.clone());
            if let Some(g) = &p.group {
                known_group(g)?;
                members.insert(id, g.clone());
            }
        }
        let who = |pseudonym: &str| {
            ids.get(pseudonym)
                .copied()
                .ok_or_else(|| ImportError::UnknownParticipant(pseudonym.to_owned()))
        };

        // Prompts: ids first (a dot vote may name a source further down the agenda).
        let mut next_prompt = 1;
        let mut prompt_at: HashMap<&PromptId, usize> = HashMap::new();
        for (at, p) in doc.prompts.iter().enumerate() {
            let n =
                id_number(&p.id.0, 'p').ok_or_else(|| ImportError::InvalidId(p.id.0.clone()))?;
            if prompt_at.insert(&p.id, at).is_some() {
                return Err(ImportError::DuplicateId(p.id.0.clone()));
            }
            next_prompt = next_prompt.max(n.saturating_add(1));
        }
        let mut prompts = Vec::with_capacity(doc.prompts.len());
        let mut open = None;
        for p in &doc.prompts {
            let invalid_prompt = |r: Rejection| ImportError::InvalidPrompt {
                prompt: p.id.0.clone(),
                reason: match r {
                    Rejection::InvalidPrompt(reason) => reason.to_owned(),
                    other => other.to_string(),
                },
            };
            let draft = validate_draft(&p.draft).map_err(invalid_prompt)?;
            if let Some(source) = draft.activity.ballot_source() {
                let Some(&at) = prompt_at.get(source) else {
                    return Err(ImportError::DotVoteSourceMissing {
                        prompt: p.id.0.clone(),
                        source_prompt: source.0.clone(),
                    });
                };
                if source == &p.id || !doc.prompts[at].draft.activity.takes_items() {
                    return Err(ImportError::InvalidPrompt {
                        prompt: p.id.0.clone(),
                        reason: "a dot vote's source must be a brainstorm or word cloud".into(),
                    });
                }
            }
            let state_error = |reason| ImportError::InvalidState {
                prompt: p.id.0.clone(),
                reason,
            };
            match p.state {
                PromptState::Draft => {
                    if p.opened_at.is_some() || p.closed_at.is_some() || p.closes_at.is_some() {
                        return Err(state_error("a draft has never been opened or closed"));
                    }
                    if !p.items.is_empty() || !p.answers.is_empty() || !p.ballot.is_empty() {
                        return Err(state_error("a draft has no answers"));
                    }
                }
                PromptState::Open => {
                    if p.opened_at.is_none() {
                        return Err(state_error("an open prompt has an opening time"));
                    }
                    if open.replace(&p.id).is_some() {
                        return Err(state_error("only one prompt is open at a time"));
                    }
                }
                PromptState::Closed => {
                    if p.opened_at.is_none() || p.closed_at.is_none() {
                        return Err(state_error(
                            "a closed prompt has an opening and a closing time",
                        ));
                    }
                }
            }
            if p.locked && p.state != PromptState::Open {
                return Err(state_error("only an open prompt can be locked"));
            }
            if !p.ballot.is_empty() && !draft.activity.has_ballot() {
                return Err(state_error("only a dot vote has a ballot"));
            }
            prompts.push(Prompt {
                id: p.id.clone(),
                draft,
                state: p.state,
                locked: p.locked,
                created_at: p.created_at.0,
                opened_at: p.opened_at.map(|t| t.0),
                closed_at: p.closed_at.map(|t| t.0),
                closes_at: p.closes_at.map(|t| t.0),
                ballot: p.ballot.clone(),
            });
        }
        let current = match &doc.session.current_prompt {
            None => None,
            Some(id) => {
                let at = *prompt_at
                    .get(id)
                    .ok_or_else(|| ImportError::UnknownPrompt(id.0.clone()))?;
                if prompts[at].state == PromptState::Draft {
                    return Err(ImportError::InvalidState {
                        prompt: id.0.clone(),
                        reason: "the phones cannot be showing a draft",
                    });
                }
                Some(id.clone())
            }
        };
        if let Some(open) = open {
            if current.as_ref() != Some(open) {
                return Err(ImportError::InvalidState {
                    prompt: open.0.clone(),
                    reason: "an open prompt is the one the phones show",
                });
            }
        }

        // Items.
        let seq = doc.session.seq;
        let mut items: Vec<Item> = Vec::with_capacity(item_count);
        let mut item_prompt: HashMap<ItemId, &PromptId> = HashMap::with_capacity(item_count);
        for (p, prompt) in doc.prompts.iter().zip(&prompts) {
            let max = prompt
                .draft
                .activity
                .item_text_max()
                .unwrap_or(ITEM_TEXT_MAX);
            let mut per_participant: HashMap<ParticipantId, u8> = HashMap::new();
            for i in &p.items {
                let invalid = |reason: &str| ImportError::InvalidItem {
                    item: i.id.to_string(),
                    reason: reason.to_owned(),
                };
                if item_prompt.insert(i.id, &p.id).is_some() {
                    return Err(ImportError::DuplicateId(i.id.to_string()));
                }
                if !prompt.draft.activity.takes_items() {
                    return Err(invalid("only brainstorms and word clouds have items"));
                }
                let text = clean_text(&i.text, max).map_err(|r| invalid(&r.to_string()))?;
                let participant = who(&i.participant)?;
                let column_ok = match &prompt.draft.activity {
                    Activity::Brainstorm(brainstorm) => brainstorm.column_fits(i.column),
                    _ => i.column.is_none(),
                };
                if !column_ok {
                    return Err(invalid("its column is not one of the prompt's"));
                }
                if let Some(g) = &i.group {
                    known_group(g)?;
                } else if prompt.draft.per_group {
                    return Err(invalid("a per-group prompt's items have a group"));
                }
                if let Activity::WordCloud(cloud) = &prompt.draft.activity {
                    let given = per_participant.entry(participant).or_default();
                    *given = given.saturating_add(1);
                    if !cloud.allows(*given) {
                        return Err(invalid("more word-cloud answers than the prompt allows"));
                    }
                }
                if i.seq == 0 || i.seq > seq {
                    return Err(invalid("its seq is not within the session's"));
                }
                let mut likes = BTreeSet::new();
                for liker in &i.liked_by {
                    let liker = who(liker)?;
                    if liker == participant {
                        return Err(invalid("one's own item cannot be liked"));
                    }
                    if !likes.insert(liker) {
                        return Err(invalid("liked twice by one participant"));
                    }
                }
                let mut history = Vec::with_capacity(i.history.len());
                for r in &i.history {
                    history.push(Revision {
                        text: clean_text(&r.text, max)
                            .map_err(|r| invalid(&format!("an earlier text: {r}")))?,
                        at: r.at.0,
                    });
                }
                items.push(Item {
                    id: i.id,
                    prompt_id: p.id.clone(),
                    participant,
                    text,
                    created_at: i.created_at.0,
                    hidden: i.hidden,
                    seq: i.seq,
                    column: i.column,
                    group: i.group.clone(),
                    history,
                    merged_into: i.merged_into,
                    starred: i.starred,
                    approved: i.approved,
                    likes,
                });
            }
        }
        // Merges: into an item of the same prompt, never in a cycle.
        let merged: HashMap<ItemId, ItemId> = items
            .iter()
            .filter_map(|i| i.merged_into.map(|t| (i.id, t)))
            .collect();
        for item in &items {
            let Some(target_id) = item.merged_into else {
                continue;
            };
            let Some(target_prompt) = item_prompt.get(&target_id) else {
                return Err(ImportError::UnknownItem {
                    item: target_id.to_string(),
                    referrer: format!("item {}: merged_into", item.id),
                });
            };
            if target_id == item.id || **target_prompt != item.prompt_id {
                return Err(ImportError::InvalidMerge(item.id.to_string()));
            }
            let mut seen = HashSet::from([item.id]);
            let mut at = target_id;
            while let Some(next) = merged.get(&at) {
                if !seen.insert(at) {
                    return Err(ImportError::InvalidMerge(item.id.to_string()));
                }
                at = *next;
            }
        }

        // Ballots and answers.
        let mut answers: BTreeMap<PromptId, AnswerSet> = BTreeMap::new();
        for (p, prompt) in doc.prompts.iter().zip(&prompts) {
            let mut on_ballot = HashSet::new();
            if let Some(source) = prompt.draft.activity.ballot_source() {
                for id in &prompt.ballot {
                    if item_prompt.get(id).copied() != Some(source) {
                        return Err(ImportError::UnknownItem {
                            item: id.to_string(),
                            referrer: format!("prompt {}: ballot (of {source})", p.id),
                        });
                    }
                    if !on_ballot.insert(*id) {
                        return Err(ImportError::DuplicateId(id.to_string()));
                    }
                }
            }
            if p.answers.is_empty() {
                continue;
            }
            let mut set = prompt.draft.activity.empty_answers();
            for a in &p.answers {
                let participant = who(&a.participant)?;
                let bad = |reason| ImportError::InvalidAnswer {
                    prompt: p.id.0.clone(),
                    participant: a.participant.clone(),
                    reason,
                };
                let given = [a.options.is_some(), a.ratings.is_some(), a.dots.is_some()];
                if given.iter().filter(|g| **g).count() != 1 {
                    return Err(bad("an answer is one of options, ratings or dots"));
                }
                let fresh = match (&prompt.draft.activity, set.as_mut(), a) {
                    (
                        Activity::Poll(poll),
                        Some(AnswerSet::Poll(set)),
                        AnswerDoc {
                            options: Some(chosen),
                            ..
                        },
                    ) => {
                        if !poll.fits(chosen) {
                            return Err(bad("not a valid choice of the poll's options"));
                        }
                        set.chosen.insert(participant, chosen.clone()).is_none()
                    }
                    (
                        Activity::Scale(scale),
                        Some(AnswerSet::Scale(set)),
                        AnswerDoc {
                            ratings: Some(ratings),
                            ..
                        },
                    ) => {
                        if !scale.fits(ratings) {
                            return Err(bad("a rating per statement, each 0 to the scale's max"));
                        }
                        set.ratings.insert(participant, ratings.clone()).is_none()
                    }
                    (
                        Activity::DotVote(vote),
                        Some(AnswerSet::DotVote(set)),
                        AnswerDoc {
                            dots: Some(placed), ..
                        },
                    ) => {
                        if let Some(id) = placed.keys().find(|id| !on_ballot.contains(*id)) {
                            return Err(ImportError::UnknownItem {
                                item: id.to_string(),
                                referrer: format!("prompt {}: dots of {}", p.id, a.participant),
                            });
                        }
                        if let Some(reason) = vote.misfit(placed) {
                            return Err(bad(reason));
                        }
                        set.placed.insert(participant, placed.clone()).is_none()
                    }
                    _ => return Err(bad("the answer does not fit the prompt's activity")),
                };
                if !fresh {
                    return Err(bad("two answers from one participant"));
                }
            }
            if let Some(set) = set {
                answers.insert(p.id.clone(), set);
            }
        }

        // Acceptance order across prompts, as the journal had it.
        items.sort_by_key(|i| i.seq);
        let meta = SessionMeta {
            slug: target.slug.unwrap_or(doc.session.slug),
            title,
            language: doc.session.language,
            created_at: doc.session.created_at.0,
            key_hash: target.key_hash,
            time_zone: doc.session.time_zone,
        };
        let mut session = Session::new(meta);
        session.prompts = prompts;
        session.items = items;
        session.groups = groups;
        session.members = members;
        session.answers = answers;
        session.current = current;
        session.seq = seq;
        session.next_prompt = next_prompt;
        session.next_group = next_group;
        session.pseudonyms = pseudonyms;
        session.imported_at = Some(target.now);
        session.reindex();
        Ok(session)
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::export::json::{self, ItemDoc};
    use crate::export::{Format, Options, PromptSelector, View};

    const T0: Millis = 1_700_000_000_000;
    const LATER: Millis = T0 + 400 * 24 * 3600 * 1000;

    fn run(s: &mut Session, at: Millis, command: Command) -> Applied {
        s.apply(&command, at)
            .unwrap_or_else(|r| panic!("{command:?} refused: {r}"))
    }

    fn draft(activity: Activity, title: &str) -> PromptDraft {
        PromptDraft {
            activity,
            title: title.into(),
            instructions: String::new(),
            time_limit_secs: None,
            auto_close: false,
            per_group: false,
            premoderation: false,
            wall: false,
            show_results: ResultsVisibility::Live,
            reset_column: false,
        }
    }

    fn add(s: &mut Session, at: Millis, draft: PromptDraft) -> PromptId {
        match &run(s, at, Command::AddPrompt { draft }).events[0].event {
            Event::PromptAdded(p) => p.id.clone(),
            other => panic!("unexpected {other:?}"),
        }
    }

    fn item(
        s: &mut Session,
        at: Millis,
        who: ParticipantId,
        prompt: &PromptId,
        text: &str,
        column: Option<u8>,
    ) -> ItemId {
        let id = ItemId(Uuid::new_v4());
        run(
            s,
            at,
            Command::Submit {
                participant: who,
                item_id: id,
                prompt_id: prompt.clone(),
                text: text.into(),
                column,
            },
        );
        id
    }

    /// A workshop with every activity, groups, hidden, edited, merged, starred, liked and
    /// unapproved items, answers of every kind, a deleted prompt, a draft and a locked open
    /// prompt with added time.
    fn workshop() -> Session {
        let mut s = Session::new(SessionMeta {
            slug: SessionName::parse("hyvinsivi").unwrap(),
            title: "HYVINSIVI – työpaja".into(),
            language: Language::Fi,
            created_at: T0,
            key_hash: "00".into(),
            time_zone: Default::default(),
        });
        let t = |n: u64| T0 + n * 1000;
        run(
            &mut s,
            t(1),
            Command::AddGroup {
                name: "Toimijat ja verkostot".into(),
                color: Some("#1f77b4".into()),
            },
        );
        run(
            &mut s,
            t(1),
            Command::AddGroup {
                name: "Digitaalisuus".into(),
                color: None,
            },
        );
        let [a, b, c, d] = [0; 4].map(|_| ParticipantId(Uuid::new_v4()));
        for (who, g) in [(a, "g1"), (b, "g1"), (c, "g2")] {
            run(
                &mut s,
                t(2),
                Command::ChooseGroup {
                    participant: who,
                    group_id: Some(GroupId(g.into())),
                },
            );
        }
        let brainstorm = add(
            &mut s,
            t(3),
            PromptDraft {
                wall: true,
                ..draft(
                    Activity::Brainstorm(Brainstorm {
                        columns: vec!["Toimivat nyt".into(), "Eivät toimi".into()],
                    }),
                    "Yhdyspinnat",
                )
            },
        );
        let gone = add(&mut s, t(3), draft(Activity::default(), "Poistetaan"));
        run(&mut s, t(3), Command::DeletePrompt { prompt_id: gone });
        let cloud = add(
            &mut s,
            t(4),
            draft(
                Activity::WordCloud(WordCloud { max_answers: 3 }),
                "Yksi sana",
            ),
        );
        let poll = add(
            &mut s,
            t(4),
            draft(
                Activity::Poll(Poll {
                    options: vec!["Kunta".into(), "Järjestö".into(), "Muu".into()],
                    multiple: true,
                    may_change: true,
                }),
                "Sektori?",
            ),
        );
        let scale = add(
            &mut s,
            t(4),
            draft(
                Activity::Scale(Scale {
                    statements: vec!["Yhteistyö toimii".into(), "Tieto kulkee".into()],
                    max: 5,
                    min_label: "ei lainkaan".into(),
                    max_label: "erittäin hyvin".into(),
                }),
                "Arvioi",
            ),
        );
        let vote = add(
            &mut s,
            t(4),
            draft(
                Activity::DotVote(DotVote {
                    source: brainstorm.clone(),
                    dots: 3,
                    max_per_item: 2,
                }),
                "Tärkeimmät",
            ),
        );
        let _draft = add(&mut s, t(4), draft(Activity::default(), "Myöhemmin"));
        let moderated = add(
            &mut s,
            t(4),
            PromptDraft {
                per_group: true,
                premoderation: true,
                time_limit_secs: Some(300),
                auto_close: true,
                ..draft(Activity::default(), "Ryhmissä")
            },
        );

        run(
            &mut s,
            t(10),
            Command::OpenPrompt {
                prompt_id: brainstorm.clone(),
            },
        );
        let x = item(
            &mut s,
            t(11),
            a,
            &brainstorm,
            "Äänekoski – yhdyspinnat ✓",
            Some(0),
        );
        let y = item(
            &mut s,
            t(12),
            b,
            &brainstorm,
            "\"quoted, with comma\"",
            Some(1),
        );
        let dup = item(
            &mut s,
            t(13),
            c,
            &brainstorm,
            "äänekoski yhdyspinnat",
            Some(0),
        );
        let hidden = item(&mut s, t(14), d, &brainstorm, "asiaton", Some(1));
        let z = item(
            &mut s,
            t(15),
            a,
            &brainstorm,
            "rivi yksi\nrivi kaksi",
            Some(1),
        );
        run(
            &mut s,
            t(16),
            Command::EditItem {
                item_id: z,
                text: "rivi yksi; rivi kaksi".into(),
            },
        );
        run(
            &mut s,
            t(17),
            Command::EditItem {
                item_id: z,
                text: "Rivi yksi; rivi kaksi".into(),
            },
        );
        run(&mut s, t(18), Command::HideItem { item_id: hidden });
        run(
            &mut s,
            t(19),
            Command::MergeItems {
                into: x,
                items: vec![dup],
            },
        );
        run(
            &mut s,
            t(20),
            Command::StarItem {
                item_id: y,
                starred: true,
            },
        );
        run(
            &mut s,
            t(21),
            Command::Like {
                participant: b,
                item_id: x,
                liked: true,
            },
        );
        run(
            &mut s,
            t(21),
            Command::Like {
                participant: c,
                item_id: x,
                liked: true,
            },
        );
        run(
            &mut s,
            t(21),
            Command::Like {
                participant: a,
                item_id: y,
                liked: true,
            },
        );

        run(
            &mut s,
            t(30),
            Command::OpenPrompt {
                prompt_id: cloud.clone(),
            },
        );
        item(&mut s, t(31), a, &cloud, "Yhteistyö", None);
        item(&mut s, t(31), b, &cloud, "yhteistyö", None);
        item(&mut s, t(31), b, &cloud, "Luottamus", None);

        run(
            &mut s,
            t(40),
            Command::OpenPrompt {
                prompt_id: poll.clone(),
            },
        );
        run(
            &mut s,
            t(41),
            Command::Vote {
                participant: a,
                prompt_id: poll.clone(),
                options: vec![2, 0],
            },
        );
        run(
            &mut s,
            t(41),
            Command::Vote {
                participant: b,
                prompt_id: poll.clone(),
                options: vec![1],
            },
        );
        run(
            &mut s,
            t(42),
            Command::Vote {
                participant: b,
                prompt_id: poll.clone(),
                options: vec![0],
            },
        );

        run(
            &mut s,
            t(50),
            Command::OpenPrompt {
                prompt_id: scale.clone(),
            },
        );
        run(
            &mut s,
            t(51),
            Command::Rate {
                participant: a,
                prompt_id: scale.clone(),
                statement: 0,
                value: 4,
            },
        );
        run(
            &mut s,
            t(51),
            Command::Rate {
                participant: a,
                prompt_id: scale.clone(),
                statement: 1,
                value: 2,
            },
        );
        run(
            &mut s,
            t(51),
            Command::Rate {
                participant: c,
                prompt_id: scale.clone(),
                statement: 1,
                value: 5,
            },
        );

        run(
            &mut s,
            t(60),
            Command::OpenPrompt {
                prompt_id: vote.clone(),
            },
        );
        for (who, on) in [(a, x), (a, x), (a, y), (b, y), (d, z)] {
            run(
                &mut s,
                t(61),
                Command::PlaceDot {
                    participant: who,
                    prompt_id: vote.clone(),
                    item_id: on,
                },
            );
        }
        run(
            &mut s,
            t(62),
            Command::RemoveDot {
                participant: d,
                prompt_id: vote.clone(),
                item_id: z,
            },
        );
        run(
            &mut s,
            t(62),
            Command::PlaceDot {
                participant: d,
                prompt_id: vote.clone(),
                item_id: z,
            },
        );
        run(&mut s, t(63), Command::ClosePrompt { prompt_id: vote });

        run(
            &mut s,
            t(70),
            Command::OpenPrompt {
                prompt_id: moderated.clone(),
            },
        );
        let waiting = item(&mut s, t(71), a, &moderated, "odottaa", None);
        let approved = item(&mut s, t(72), c, &moderated, "hyväksytty", None);
        run(&mut s, t(73), Command::ApproveItem { item_id: approved });
        let _ = waiting;
        run(
            &mut s,
            t(74),
            Command::AddTime {
                prompt_id: moderated.clone(),
                secs: 60,
            },
        );
        run(
            &mut s,
            t(75),
            Command::LockPrompt {
                prompt_id: moderated,
                locked: true,
            },
        );
        s
    }

    fn doc_of(s: &Session, options: &Options) -> SessionDoc {
        let view = View::new(s, Format::Json, options).unwrap();
        json::document(&view, LATER)
    }

    fn target(slug: Option<&str>) -> ImportTarget {
        ImportTarget {
            slug: slug.map(|s| SessionName::parse(s).unwrap()),
            title: None,
            key_hash: "ff".into(),
            now: LATER,
            salt: [7; 32],
        }
    }

    fn import(doc: SessionDoc) -> Result<Session, ImportError> {
        Session::import(doc, target(None))
    }

    #[test]
    fn export_import_export_is_identical() {
        let original = workshop();
        let first = doc_of(&original, &Options::default());
        let bytes = json::to_bytes(&first);
        let imported = import(json::parse(&bytes).unwrap()).unwrap();
        let second = doc_of(&imported, &Options::default());
        assert_eq!(second, first);
        assert_eq!(json::to_bytes(&second), bytes, "byte for byte");

        // What the document cannot show is the same too: the agenda's state and answers.
        assert_eq!(imported.prompts(), original.prompts());
        assert_eq!(imported.seq(), original.seq());
        assert_eq!(imported.current_prompt(), original.current_prompt());
        for p in original.prompts() {
            assert_eq!(imported.results(p), original.results(p), "{}", p.id);
        }
        // Only the key, the ids and the import time are new.
        assert_eq!(imported.meta.key_hash, "ff");
        assert_eq!(imported.imported_at(), Some(LATER));
        assert_eq!(
            imported.last_activity(),
            LATER,
            "retention counts from the import"
        );
        assert!(imported
            .participants()
            .is_disjoint(&original.participants()));
        assert_eq!(imported.participants().len(), original.participants().len());
    }

    #[test]
    fn a_renamed_import_keeps_the_pseudonyms_and_goes_on_working() {
        let original = workshop();
        let first = doc_of(&original, &Options::default());
        let mut imported = Session::import(
            first.clone(),
            ImportTarget {
                title: Some("Uusi otsikko".into()),
                ..target(Some("toinen"))
            },
        )
        .unwrap();
        assert_eq!(imported.meta.slug.as_str(), "toinen");
        assert_eq!(imported.meta.title, "Uusi otsikko");
        let second = doc_of(&imported, &Options::default());
        assert_eq!(second.participants, first.participants);
        assert_eq!(second.prompts, first.prompts);

        // A newcomer answers the open prompt; the facilitator adds a prompt with a fresh id.
        let newcomer = ParticipantId(Uuid::new_v4());
        run(
            &mut imported,
            LATER,
            Command::ChooseGroup {
                participant: newcomer,
                group_id: Some(GroupId("g2".into())),
            },
        );
        run(
            &mut imported,
            LATER,
            Command::LockPrompt {
                prompt_id: PromptId("p8".into()),
                locked: false,
            },
        );
        item(
            &mut imported,
            LATER,
            newcomer,
            &PromptId("p8".into()),
            "uusi",
            None,
        );
        let next = add(&mut imported, LATER, draft(Activity::default(), "Lisää"));
        assert_eq!(next.0, "p9");
        run(
            &mut imported,
            LATER,
            Command::AddGroup {
                name: "Kolmas".into(),
                color: None,
            },
        );
        assert_eq!(imported.groups()[2].id.0, "g3");
        assert!(imported.pseudonym(&newcomer).starts_with("p-"));
        assert_eq!(imported.seq(), original.seq() + 5);
    }

    #[test]
    fn the_same_file_twice_gives_unrelated_participant_ids() {
        let doc = doc_of(&workshop(), &Options::default());
        let one = Session::import(doc.clone(), target(None)).unwrap();
        let two = Session::import(
            doc,
            ImportTarget {
                salt: [8; 32],
                ..target(None)
            },
        )
        .unwrap();
        assert!(one.participants().is_disjoint(&two.participants()));
    }

    #[test]
    fn an_export_without_hidden_items_imports_as_the_session_without_them() {
        let original = workshop();
        let options = Options {
            hidden: Some(false),
            ..Options::default()
        };
        let doc = doc_of(&original, &options);
        let imported = import(doc.clone()).unwrap();
        assert!(imported.items().iter().all(|i| !i.hidden));
        assert_eq!(imported.items().len(), original.items().len() - 1);
        assert_eq!(doc_of(&imported, &options).prompts.len(), doc.prompts.len());
    }

    #[test]
    fn an_export_of_some_prompts_imports_if_dot_votes_come_with_their_source() {
        let original = workshop();
        let some = |sel: &[&str]| Options {
            prompts: Some(sel.iter().map(|s| PromptSelector::parse(s)).collect()),
            ..Options::default()
        };
        let imported = import(doc_of(&original, &some(&["p1", "p6"]))).unwrap();
        assert_eq!(imported.prompts().len(), 2);
        assert!(
            imported.current_prompt().is_none(),
            "p8 was current and is not in"
        );
        let err = import(doc_of(&original, &some(&["p6"]))).unwrap_err();
        assert_eq!(err.code(), "dot_vote_source_missing");
    }

    fn refused(change: impl FnOnce(&mut SessionDoc)) -> ImportError {
        let mut doc = doc_of(&workshop(), &Options::default());
        change(&mut doc);
        import(doc).unwrap_err()
    }

    fn prompt<'a>(doc: &'a mut SessionDoc, id: &str) -> &'a mut json::PromptDoc {
        doc.prompts.iter_mut().find(|p| p.id.0 == id).unwrap()
    }

    fn first_item(doc: &mut SessionDoc) -> &mut ItemDoc {
        &mut prompt(doc, "p1").items[0]
    }

    #[test]
    fn the_file_itself_is_checked_first() {
        assert_eq!(
            json::parse(b"{\"format\":").unwrap_err().code(),
            "invalid_document"
        );
        assert_eq!(json::parse(b"[1,2]").unwrap_err().code(), "wrong_format");
        assert_eq!(json::parse(b"{}").unwrap_err().code(), "wrong_format");
        assert_eq!(
            json::parse(br#"{"format":"paja-agenda","version":1,"prompts":[]}"#).unwrap_err(),
            ImportError::WrongFormat("paja-agenda".into())
        );
        let v1 = json::parse(br#"{"format":"paja-session","version":1}"#).unwrap_err();
        assert_eq!(v1, ImportError::UnsupportedVersion(1));
        assert!(v1.to_string().contains("individual answers"));
        assert_eq!(
            json::parse(br#"{"format":"paja-session","version":3}"#)
                .unwrap_err()
                .code(),
            "unsupported_version"
        );
        let mut bytes = json::to_bytes(&doc_of(&workshop(), &Options::default()));
        let text = String::from_utf8(bytes.clone()).unwrap();
        let broken = text.replacen("\"created_at\": \"2023", "\"created_at\": \"yesterday", 1);
        let err = json::parse(broken.as_bytes()).unwrap_err();
        assert_eq!(err.code(), "invalid_document");
        assert!(err.to_string().contains("yesterday"), "{err}");
        bytes.truncate(bytes.len() / 2);
        assert_eq!(json::parse(&bytes).unwrap_err().code(), "invalid_document");
    }

    /// One way to spoil a valid document.
    type Change = Box<dyn FnOnce(&mut SessionDoc)>;

    #[test]
    fn every_inconsistency_is_refused_with_its_code() {
        let cases: Vec<(&str, Change)> = vec![
            (
                "wrong_format",
                Box::new(|d| d.format = "paja-agenda".into()),
            ),
            ("unsupported_version", Box::new(|d| d.version = 1)),
            (
                "invalid_title",
                Box::new(|d| d.session.title = "x".repeat(201)),
            ),
            (
                "too_many",
                Box::new(|d| {
                    let g = d.groups[0].clone();
                    d.groups = (1..=31)
                        .map(|n| Group {
                            id: GroupId(format!("g{n}")),
                            ..g.clone()
                        })
                        .collect();
                }),
            ),
            (
                "invalid_id",
                Box::new(|d| d.prompts[0].id = PromptId("x1".into())),
            ),
            (
                "invalid_id",
                Box::new(|d| d.prompts[6].id = PromptId("p4294967295".into())),
            ),
            ("too_many", Box::new(|d| d.session.seq = u64::MAX)),
            (
                "invalid_id",
                Box::new(|d| d.groups[0].id = GroupId("g01".into())),
            ),
            (
                "invalid_id",
                Box::new(|d| d.participants[0].pseudonym = "<script>".into()),
            ),
            (
                "duplicate_id",
                Box::new(|d| d.prompts[1].id = d.prompts[0].id.clone()),
            ),
            (
                "duplicate_id",
                Box::new(|d| d.groups[1].id = d.groups[0].id.clone()),
            ),
            (
                "duplicate_id",
                Box::new(|d| d.participants[1].pseudonym = d.participants[0].pseudonym.clone()),
            ),
            (
                "duplicate_id",
                Box::new(|d| {
                    let id = prompt(d, "p1").items[0].id;
                    prompt(d, "p3").items[0].id = id;
                }),
            ),
            ("invalid_group", Box::new(|d| d.groups[0].name = " ".into())),
            (
                "invalid_group",
                Box::new(|d| d.groups[0].color = Some("red".into())),
            ),
            (
                "unknown_group",
                Box::new(|d| d.participants[0].group = Some(GroupId("g9".into()))),
            ),
            (
                "unknown_group",
                Box::new(|d| first_item(d).group = Some(GroupId("g9".into()))),
            ),
            (
                "unknown_participant",
                Box::new(|d| first_item(d).participant = "p-0000000000".into()),
            ),
            (
                "unknown_participant",
                Box::new(|d| prompt(d, "p4").answers[0].participant = "p-0000000000".into()),
            ),
            (
                "invalid_prompt",
                Box::new(|d| d.prompts[0].draft.title = String::new()),
            ),
            (
                "invalid_prompt",
                Box::new(|d| {
                    if let Activity::DotVote(DotVote { source, .. }) =
                        &mut prompt(d, "p6").draft.activity
                    {
                        *source = PromptId("p4".into());
                    }
                }),
            ),
            (
                "dot_vote_source_missing",
                Box::new(|d| d.prompts.retain(|p| p.id.0 != "p1")),
            ),
            (
                "invalid_state",
                Box::new(|d| prompt(d, "p4").state = PromptState::Open),
            ),
            (
                "invalid_state",
                Box::new(|d| prompt(d, "p7").answers = prompt(d, "p4").answers.clone()),
            ),
            ("invalid_state", Box::new(|d| prompt(d, "p3").locked = true)),
            (
                "invalid_state",
                Box::new(|d| d.session.current_prompt = Some(PromptId("p1".into()))),
            ),
            (
                "unknown_prompt",
                Box::new(|d| d.session.current_prompt = Some(PromptId("p99".into()))),
            ),
            (
                "invalid_item",
                Box::new(|d| first_item(d).text = "x".repeat(281)),
            ),
            (
                "invalid_item",
                Box::new(|d| prompt(d, "p3").items[0].text = "x".repeat(41)),
            ),
            (
                "invalid_item",
                Box::new(|d| first_item(d).text = "\u{0} ".into()),
            ),
            ("invalid_item", Box::new(|d| first_item(d).column = Some(2))),
            ("invalid_item", Box::new(|d| first_item(d).column = None)),
            (
                "invalid_item",
                Box::new(|d| {
                    first_item(d).history.push(json::RevisionDoc {
                        text: String::new(),
                        at: json::Timestamp(T0),
                    })
                }),
            ),
            ("invalid_item", Box::new(|d| first_item(d).seq = 10_000)),
            (
                "invalid_item",
                Box::new(|d| {
                    let author = first_item(d).participant.clone();
                    first_item(d).liked_by = vec![author];
                }),
            ),
            (
                "invalid_item",
                Box::new(|d| {
                    let mut item = prompt(d, "p3").items[0].clone();
                    item.id = ItemId(Uuid::new_v4());
                    prompt(d, "p4").items.push(item);
                }),
            ),
            (
                "unknown_item",
                Box::new(|d| first_item(d).merged_into = Some(ItemId(Uuid::new_v4()))),
            ),
            (
                "invalid_merge",
                Box::new(|d| {
                    let id = first_item(d).id;
                    first_item(d).merged_into = Some(id);
                }),
            ),
            (
                "invalid_merge",
                Box::new(|d| {
                    // x ← dup exists; make x point back at dup: a cycle.
                    let dup = prompt(d, "p1")
                        .items
                        .iter()
                        .find(|i| i.merged_into.is_some())
                        .unwrap()
                        .id;
                    first_item(d).merged_into = Some(dup);
                }),
            ),
            (
                "invalid_merge",
                Box::new(|d| first_item(d).merged_into = Some(prompt(d, "p3").items[0].id)),
            ),
            (
                "unknown_item",
                Box::new(|d| prompt(d, "p6").ballot.push(ItemId(Uuid::new_v4()))),
            ),
            (
                "unknown_item",
                Box::new(|d| {
                    let other = prompt(d, "p3").items[0].id;
                    prompt(d, "p6").ballot.push(other);
                }),
            ),
            (
                "unknown_item",
                Box::new(|d| {
                    let a = &mut prompt(d, "p6").answers[0];
                    a.dots = Some(BTreeMap::from([(ItemId(Uuid::new_v4()), 1)]));
                }),
            ),
            (
                "invalid_answer",
                Box::new(|d| prompt(d, "p4").answers[0].options = Some(vec![3])),
            ),
            (
                "invalid_answer",
                Box::new(|d| prompt(d, "p4").answers[0].options = Some(vec![2, 0])),
            ),
            (
                "invalid_answer",
                Box::new(|d| prompt(d, "p4").answers[0].ratings = Some(vec![1, 1])),
            ),
            (
                "invalid_answer",
                Box::new(|d| prompt(d, "p5").answers[0].ratings = Some(vec![6, 0])),
            ),
            (
                "invalid_answer",
                Box::new(|d| prompt(d, "p5").answers[0].ratings = Some(vec![1])),
            ),
            (
                "invalid_answer",
                Box::new(|d| {
                    let a = &mut prompt(d, "p6").answers[0];
                    let on = *a.dots.as_ref().unwrap().keys().next().unwrap();
                    a.dots = Some(BTreeMap::from([(on, 3)]));
                }),
            ),
            (
                "invalid_answer",
                Box::new(|d| {
                    let answer = prompt(d, "p4").answers[0].clone();
                    prompt(d, "p4").answers.push(answer);
                }),
            ),
            (
                "invalid_answer",
                Box::new(|d| {
                    let answer = prompt(d, "p4").answers[0].clone();
                    prompt(d, "p5").answers.push(answer);
                }),
            ),
        ];
        for (code, change) in cases {
            let err = refused(change);
            assert_eq!(err.code(), code, "{err}");
        }
    }

    #[test]
    fn a_word_cloud_holds_no_more_answers_each_than_it_allows() {
        let err = refused(|d| {
            let p = prompt(d, "p3");
            let mut extra = p.items[2].clone();
            for n in 0..3 {
                extra.id = ItemId(Uuid::new_v4());
                extra.text = format!("sana {n}");
                p.items.push(extra.clone());
            }
        });
        assert_eq!(err.code(), "invalid_item");
    }

    #[test]
    fn old_snapshots_load_without_the_import_fields() {
        let s = workshop();
        let mut value = serde_json::to_value(&s).unwrap();
        assert!(value.get("pseudonyms").is_none() && value.get("imported_at").is_none());
        value.as_object_mut().unwrap().remove("next_group");
        let mut back: Session = serde_json::from_value(value).unwrap();
        back.reindex();
        assert_eq!(
            back.pseudonym(&s.items()[0].participant),
            s.pseudonym(&s.items()[0].participant)
        );
        let imported = import(doc_of(&s, &Options::default())).unwrap();
        let mut again: Session =
            serde_json::from_value(serde_json::to_value(&imported).unwrap()).unwrap();
        again.reindex();
        assert_eq!(again, imported);
    }
}
