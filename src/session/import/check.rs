//! The second stage: the document walked in dependency order (groups, participants, prompts,
//! items, merges, ballots and answers), each stage reading what the earlier ones let through.
//! Each activity's own rules (a poll's choices, a dot vote's budget, a brainstorm's columns)
//! are asked of the activity.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::parse::{fresh_id, id_number, valid_pseudonym};
use super::ImportError;
use crate::session::document::{ItemDoc, PromptDoc, SessionDoc};
use crate::session::groups::check_group;
use crate::session::*;

/// What the stages found so far; [`Importer::build`] turns it into the session.
pub(super) struct Importer<'d> {
    pub(super) doc: &'d SessionDoc,
    salt: &'d [u8; 32],
    pub(super) groups: Vec<Group>,
    group_ids: HashSet<GroupId>,
    pub(super) next_group: u32,
    ids: HashMap<&'d str, ParticipantId>,
    pub(super) pseudonyms: BTreeMap<ParticipantId, String>,
    pub(super) members: BTreeMap<ParticipantId, GroupId>,
    prompt_at: HashMap<&'d PromptId, usize>,
    pub(super) next_prompt: u32,
    pub(super) prompts: Vec<Prompt>,
    pub(super) current: Option<PromptId>,
    pub(super) items: Vec<Item>,
    pub(super) tombstones: Vec<Tombstone>,
    item_prompt: HashMap<ItemId, &'d PromptId>,
    pub(super) answers: BTreeMap<PromptId, AnswerSet>,
    pub(super) notes: BTreeMap<PromptId, String>,
}

impl<'d> Importer<'d> {
    /// Nothing checked yet.
    pub(super) fn new(doc: &'d SessionDoc, salt: &'d [u8; 32]) -> Self {
        Self {
            doc,
            salt,
            groups: Vec::with_capacity(doc.groups.len()),
            group_ids: HashSet::new(),
            next_group: 1,
            ids: HashMap::new(),
            pseudonyms: BTreeMap::new(),
            members: BTreeMap::new(),
            prompt_at: HashMap::new(),
            next_prompt: 1,
            prompts: Vec::with_capacity(doc.prompts.len()),
            current: None,
            items: Vec::new(),
            tombstones: Vec::new(),
            item_prompt: HashMap::new(),
            answers: BTreeMap::new(),
            notes: BTreeMap::new(),
        }
    }

    fn known_group(&self, g: &GroupId) -> Result<(), ImportError> {
        if self.group_ids.contains(g) {
            Ok(())
        } else {
            Err(ImportError::UnknownGroup(g.0.clone()))
        }
    }

    fn who(&self, pseudonym: &str) -> Result<ParticipantId, ImportError> {
        self.ids
            .get(pseudonym)
            .copied()
            .ok_or_else(|| ImportError::UnknownParticipant(pseudonym.to_owned()))
    }

    /// Groups: ids of the form `g<n>`, names and colours as the session allows.
    pub(super) fn groups(&mut self) -> Result<(), ImportError> {
        for group in &self.doc.groups {
            let n = id_number(&group.id.0, 'g')
                .ok_or_else(|| ImportError::InvalidId(group.id.0.clone()))?;
            if !self.group_ids.insert(group.id.clone()) {
                return Err(ImportError::DuplicateId(group.id.0.clone()));
            }
            self.next_group = self.next_group.max(n.saturating_add(1));
            let (name, color) =
                check_group(&group.name, &group.color).map_err(|r| ImportError::InvalidGroup {
                    group: group.id.0.clone(),
                    reason: match r {
                        Rejection::InvalidGroup(reason) => reason,
                        _ => "invalid",
                    },
                })?;
            let translations =
                validate_names(&group.translations).map_err(|_| ImportError::InvalidGroup {
                    group: group.id.0.clone(),
                    reason: "a translated group name is at most 60 characters",
                })?;
            self.groups.push(Group {
                id: group.id.clone(),
                name,
                color,
                translations,
            });
        }
        Ok(())
    }

    /// Participants: a fresh id each, their pseudonym kept.
    pub(super) fn participants(&mut self) -> Result<(), ImportError> {
        for p in &self.doc.participants {
            if !valid_pseudonym(&p.pseudonym) {
                return Err(ImportError::InvalidId(p.pseudonym.clone()));
            }
            let id = fresh_id(self.salt, &p.pseudonym);
            if self.ids.insert(&p.pseudonym, id).is_some() {
                return Err(ImportError::DuplicateId(p.pseudonym.clone()));
            }
            self.pseudonyms.insert(id, p.pseudonym.clone());
            if let Some(g) = &p.group {
                self.known_group(g)?;
                self.members.insert(id, g.clone());
            }
        }
        Ok(())
    }

    /// Prompts: ids first (a dot vote may name a source further down the agenda), then each
    /// prompt's settings and state, then the one the phones show.
    pub(super) fn prompts(&mut self) -> Result<(), ImportError> {
        for (at, p) in self.doc.prompts.iter().enumerate() {
            let n =
                id_number(&p.id.0, 'p').ok_or_else(|| ImportError::InvalidId(p.id.0.clone()))?;
            if self.prompt_at.insert(&p.id, at).is_some() {
                return Err(ImportError::DuplicateId(p.id.0.clone()));
            }
            self.next_prompt = self.next_prompt.max(n.saturating_add(1));
        }
        let mut open = None;
        for p in &self.doc.prompts {
            let prompt = self.prompt(p, &mut open)?;
            self.prompts.push(prompt);
        }
        self.current = match &self.doc.session.current_prompt {
            None => None,
            Some(id) => {
                let at = *self
                    .prompt_at
                    .get(id)
                    .ok_or_else(|| ImportError::UnknownPrompt(id.0.clone()))?;
                if self.prompts[at].state == PromptState::Draft {
                    return Err(ImportError::InvalidState {
                        prompt: id.0.clone(),
                        reason: "the phones cannot be showing a draft",
                    });
                }
                Some(id.clone())
            }
        };
        if let Some(open) = open {
            if self.current.as_ref() != Some(open) {
                return Err(ImportError::InvalidState {
                    prompt: open.0.clone(),
                    reason: "an open prompt is the one the phones show",
                });
            }
        }

        Ok(())
    }

    /// One prompt: its settings as a facilitator's draft, and a state that holds together.
    fn prompt(
        &self,
        p: &'d PromptDoc,
        open: &mut Option<&'d PromptId>,
    ) -> Result<Prompt, ImportError> {
        let invalid_prompt = |r: Rejection| ImportError::InvalidPrompt {
            prompt: p.id.0.clone(),
            reason: match r {
                Rejection::InvalidPrompt(reason) => reason.to_owned(),
                other => other.to_string(),
            },
        };
        let draft = validate_draft(&p.draft).map_err(invalid_prompt)?;
        self.ballot_source(p, &draft)?;
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
        Ok(Prompt {
            id: p.id.clone(),
            draft,
            state: p.state,
            locked: p.locked,
            created_at: p.created_at.0,
            opened_at: p.opened_at.map(|t| t.0),
            closed_at: p.closed_at.map(|t| t.0),
            closes_at: p.closes_at.map(|t| t.0),
            ballot: p.ballot.clone(),
            // Checked and set by the next stage (`themes`).
            themes: Vec::new(),
            by_theme: false,
        })
    }

    /// A dot vote's or matrix's source: in the file, not itself, a prompt that takes items (a
    /// brainstorm for a vote on themes).
    fn ballot_source(&self, p: &PromptDoc, draft: &PromptDraft) -> Result<(), ImportError> {
        let Some(source) = draft.activity.ballot_source() else {
            return Ok(());
        };
        let Some(&at) = self.prompt_at.get(source) else {
            return Err(ImportError::DotVoteSourceMissing {
                prompt: p.id.0.clone(),
                source_prompt: source.0.clone(),
            });
        };
        if source == &p.id || !source_fits(&draft.activity, &self.doc.prompts[at].draft.activity) {
            return Err(ImportError::InvalidPrompt {
                prompt: p.id.0.clone(),
                reason: "a ballot's source must be a brainstorm, word cloud or questions prompt"
                    .into(),
            });
        }
        Ok(())
    }

    /// Items: each fits its prompt (text, column, group, likes, history).
    pub(super) fn items(&mut self, item_count: usize) -> Result<(), ImportError> {
        self.items.reserve(item_count);
        self.item_prompt.reserve(item_count);
        for (p, prompt) in self.doc.prompts.iter().zip(&self.prompts) {
            let mut given: HashMap<ParticipantId, u8> = HashMap::new();
            for i in &p.items {
                if self.item_prompt.insert(i.id, &p.id).is_some() {
                    return Err(ImportError::DuplicateId(i.id.to_string()));
                }
                let item = self.item(prompt, i, &mut given)?;
                self.items.push(item);
            }
            for gone in &p.erased {
                if self.item_prompt.insert(gone.id, &p.id).is_some() {
                    return Err(ImportError::DuplicateId(gone.id.to_string()));
                }
                self.tombstones.push(Tombstone {
                    id: gone.id,
                    prompt_id: p.id.clone(),
                    // Who sent it is not in the file: nobody's device will resend it here.
                    participant: ParticipantId(uuid::Uuid::nil()),
                    created_at: gone.created_at.0,
                    seq: gone.seq,
                    erased_by: gone.erased_by,
                    erased_at: gone.erased_at.0,
                });
            }
        }
        Ok(())
    }

    /// One item of `prompt`; `given` counts each participant's items so far.
    fn item(
        &self,
        prompt: &Prompt,
        i: &ItemDoc,
        given: &mut HashMap<ParticipantId, u8>,
    ) -> Result<Item, ImportError> {
        let invalid = |reason: &str| ImportError::InvalidItem {
            item: i.id.to_string(),
            reason: reason.to_owned(),
        };
        let activity = &prompt.draft.activity;
        let Some(max) = activity.item_text_max() else {
            return Err(invalid("only brainstorms and word clouds have items"));
        };
        let text = clean_text(&i.text, max).map_err(|r| invalid(&r.to_string()))?;
        let participant = self.who(&i.participant)?;
        let count = given.entry(participant).or_default();
        *count = count.saturating_add(1);
        activity.import_item(i.column, *count).map_err(invalid)?;
        if let Some(g) = &i.group {
            self.known_group(g)?;
        } else if prompt.draft.per_group {
            return Err(invalid("a per-group prompt's items have a group"));
        }
        if i.seq == 0 || i.seq > self.doc.session.seq {
            return Err(invalid("its seq is not within the session's"));
        }
        if let Some(theme) = &i.theme {
            if !prompt.themes.iter().any(|t| &t.id == theme) {
                return Err(ImportError::UnknownTheme {
                    item: i.id.to_string(),
                    theme: theme.to_string(),
                });
            }
        }
        let mut likes = BTreeSet::new();
        for liker in &i.liked_by {
            let liker = self.who(liker)?;
            if liker == participant {
                return Err(invalid("one's own item cannot be liked"));
            }
            if !likes.insert(liker) {
                return Err(invalid("liked twice by one participant"));
            }
        }
        let (answered, author_name) = question_marks(activity, i).map_err(|r| invalid(&r))?;
        let mut history = Vec::with_capacity(i.history.len());
        for r in &i.history {
            history.push(Revision {
                text: clean_text(&r.text, max)
                    .map_err(|r| invalid(&format!("an earlier text: {r}")))?,
                at: r.at.0,
            });
        }
        Ok(Item {
            id: i.id,
            prompt_id: prompt.id.clone(),
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
            theme: i.theme,
            answered,
            author_name,
        })
    }

    /// Merges: into an item of the same prompt, never in a cycle.
    pub(super) fn merges(&self) -> Result<(), ImportError> {
        let merged: HashMap<ItemId, ItemId> = self
            .items
            .iter()
            .filter_map(|i| i.merged_into.map(|t| (i.id, t)))
            .collect();
        for item in &self.items {
            let Some(target_id) = item.merged_into else {
                continue;
            };
            let Some(target_prompt) = self.item_prompt.get(&target_id) else {
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

        Ok(())
    }

    /// Ballots (items of their source, once each) and answers that fit their prompt.
    pub(super) fn answers(&mut self) -> Result<(), ImportError> {
        for (p, prompt) in self.doc.prompts.iter().zip(&self.prompts) {
            let mut on_ballot = HashSet::new();
            if let Some(source) = prompt.draft.activity.ballot_source() {
                // A vote on themes holds its source's theme ids (the words helper's rule).
                let themes = theme_vote(&prompt.draft.activity).then(|| {
                    self.prompts
                        .iter()
                        .find(|p| &p.id == source)
                        .map_or(&[][..], |p| p.themes.as_slice())
                });
                for id in &prompt.ballot {
                    let fits = match themes {
                        Some(themes) => themes.iter().any(|t| t.id.0 == id.0),
                        None => self.item_prompt.get(id).copied() == Some(source),
                    };
                    if !fits {
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
                let participant = self.who(&a.participant)?;
                let bad = |reason| ImportError::InvalidAnswer {
                    prompt: p.id.0.clone(),
                    participant: a.participant.clone(),
                    reason,
                };
                if a.fields_given() != 1 {
                    return Err(bad("an answer is one of options, ratings or dots"));
                }
                let fresh = prompt
                    .draft
                    .activity
                    .import_answer(set.as_mut(), participant, a, &on_ballot)
                    .map_err(|misfit| match misfit {
                        AnswerMisfit::Invalid(reason) => bad(reason),
                        AnswerMisfit::OffBallot(id) => ImportError::UnknownItem {
                            item: id.to_string(),
                            referrer: format!("prompt {}: dots of {}", p.id, a.participant),
                        },
                    })?;
                if !fresh {
                    return Err(bad("two answers from one participant"));
                }
            }
            if let Some(set) = set {
                self.answers.insert(p.id.clone(), set);
            }
        }

        Ok(())
    }
}

/// Whether a ballot's source is a prompt it may draw on: one that takes items, and a
/// brainstorm (only brainstorms have themes) for a dot vote on themes.
fn source_fits(vote: &Activity, source: &Activity) -> bool {
    source.takes_items() && (!theme_vote(vote) || matches!(source, Activity::Brainstorm(_)))
}

/// Whether `activity` is a dot vote on its source's themes.
fn theme_vote(activity: &Activity) -> bool {
    matches!(activity, Activity::DotVote(d) if d.vote_on == crate::session::VoteOn::Themes)
}

/// A question's answered mark and optional name, checked as the live commands check them;
/// other kinds' items have neither.
fn question_marks(
    activity: &crate::session::Activity,
    i: &ItemDoc,
) -> Result<(bool, Option<String>), String> {
    match activity {
        crate::session::Activity::Questions(q) => Ok((
            i.answered,
            q.clean_name(i.name.as_deref()).map_err(|r| r.to_string())?,
        )),
        _ if i.answered || i.name.is_some() => {
            Err("only questions are answered or signed with a name".into())
        }
        _ => Ok((false, None)),
    }
}
