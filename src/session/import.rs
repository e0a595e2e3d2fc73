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

use crate::export::json::{AnswerDoc, SessionDoc, JSON_FORMAT, JSON_VERSION};

use super::*;

/// Most participants an import may name: far above any seminar, a bound on memory.
pub const IMPORT_MAX_PARTICIPANTS: usize = 100_000;
/// Most earlier texts (edit history entries) an import may hold, over all items.
pub const IMPORT_MAX_REVISIONS: usize = MAX_ITEMS;
/// Longest pseudonym accepted, in characters (Paja writes 12: `p-1a2b3c4d5e`).
pub const PSEUDONYM_MAX: usize = 32;

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
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    digits.parse().ok()
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
            let n = id_number(&p.id.0, 'p').ok_or_else(|| ImportError::InvalidId(p.id.0.clone()))?;
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
            if let Activity::DotVote { source, .. } = &draft.activity {
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
            if !p.ballot.is_empty() && !matches!(draft.activity, Activity::DotVote { .. }) {
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
            let max = match &prompt.draft.activity {
                Activity::WordCloud { .. } => WORDCLOUD_TEXT_MAX,
                _ => ITEM_TEXT_MAX,
            };
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
                let column_ok = match (&prompt.draft.activity, i.column) {
                    (Activity::Brainstorm { columns }, None) => columns.is_empty(),
                    (Activity::Brainstorm { columns }, Some(c)) => usize::from(c) < columns.len(),
                    (_, column) => column.is_none(),
                };
                if !column_ok {
                    return Err(invalid("its column is not one of the prompt's"));
                }
                if let Some(g) = &i.group {
                    known_group(g)?;
                } else if prompt.draft.per_group {
                    return Err(invalid("a per-group prompt's items have a group"));
                }
                if let Activity::WordCloud { max_answers } = &prompt.draft.activity {
                    let given = per_participant.entry(participant).or_default();
                    *given += 1;
                    if *given > *max_answers {
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
        let mut answers: BTreeMap<PromptId, Answers> = BTreeMap::new();
        for (p, prompt) in doc.prompts.iter().zip(&prompts) {
            let mut on_ballot = HashSet::new();
            if let Activity::DotVote { source, .. } = &prompt.draft.activity {
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
            let mut set = Answers::default();
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
                let fresh = match (&prompt.draft.activity, a) {
                    (
                        Activity::Poll {
                            options, multiple, ..
                        },
                        AnswerDoc {
                            options: Some(chosen),
                            ..
                        },
                    ) => {
                        let ascending = chosen.windows(2).all(|w| w[0] < w[1]);
                        let ok = !chosen.is_empty()
                            && ascending
                            && (*multiple || chosen.len() == 1)
                            && chosen.iter().all(|&o| usize::from(o) < options.len());
                        if !ok {
                            return Err(bad("not a valid choice of the poll's options"));
                        }
                        set.poll.insert(participant, chosen.clone()).is_none()
                    }
                    (
                        Activity::Scale {
                            statements, max, ..
                        },
                        AnswerDoc {
                            ratings: Some(ratings),
                            ..
                        },
                    ) => {
                        if ratings.len() != statements.len() || ratings.iter().any(|v| v > max) {
                            return Err(bad("a rating per statement, each 0 to the scale's max"));
                        }
                        set.scale.insert(participant, ratings.clone()).is_none()
                    }
                    (
                        Activity::DotVote {
                            dots, max_per_item, ..
                        },
                        AnswerDoc {
                            dots: Some(placed),
                            ..
                        },
                    ) => {
                        if placed.is_empty() {
                            return Err(bad("no dots"));
                        }
                        for (id, n) in placed {
                            if !on_ballot.contains(id) {
                                return Err(ImportError::UnknownItem {
                                    item: id.to_string(),
                                    referrer: format!(
                                        "prompt {}: dots of {}",
                                        p.id, a.participant
                                    ),
                                });
                            }
                            if *n == 0 || n > max_per_item {
                                return Err(bad("more dots on one item than the vote allows"));
                            }
                        }
                        let spent = placed.values().fold(0u64, |s, n| s + u64::from(*n));
                        if spent > u64::from(*dots) {
                            return Err(bad("more dots than the vote gives"));
                        }
                        set.dots.insert(participant, placed.clone()).is_none()
                    }
                    _ => return Err(bad("the answer does not fit the prompt's activity")),
                };
                if !fresh {
                    return Err(bad("two answers from one participant"));
                }
            }
            answers.insert(p.id.clone(), set);
        }

        // Acceptance order across prompts, as the journal had it.
        items.sort_by_key(|i| i.seq);
        let meta = SessionMeta {
            slug: target.slug.unwrap_or(doc.session.slug),
            title,
            language: doc.session.language,
            created_at: doc.session.created_at.0,
            key_hash: target.key_hash,
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

