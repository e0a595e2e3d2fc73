//! Activities: what kind of task a prompt is, one file per kind.
//!
//! [`Activity`] only dispatches, as mini-redis's `cmd/mod.rs` does: each kind's file owns its
//! settings and their validation, its answers (an [`AnswerSet`] variant, for kinds answered
//! with choices rather than items), the participant commands that change them, its results,
//! which events change those results, and its import checks. A kind that votes on an earlier
//! prompt's items has a *ballot* ([`Activity::ballot_source`]); the rest of the session treats
//! ballots as one concept instead of matching on the dot vote.
//!
//! Adding a kind (as `matrix.rs` was): a new file here with its settings struct implementing
//! [`Kind`] (every method but `validate` and `results` has a default) and its participant
//! commands as `Session` methods; then one variant in [`Activity`], one line in `each_kind!`
//! and in `into_activity!`, its variant in `Results`. A kind answered with choices also adds
//! its answers type, one variant in [`AnswerSet`] with its `kind_answers!` line, its field in
//! the stored shape (`store::format::AnswersV1`, in `src/store/format/snapshot.rs`) and in the
//! export's `AnswerDoc`; its commands add their `Command` variants with their `apply` arms (and
//! their `journal_records!` line) and their `ParticipantAction`s, and a phone's own answers a
//! field in `Mine`.

mod answers;
mod brainstorm;
mod dot_vote;
mod matrix;
mod poll;
mod questions;
mod scale;
mod word_cloud;

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

pub use answers::*;
pub use brainstorm::*;
pub use dot_vote::*;
pub use matrix::*;
pub use poll::*;
pub use questions::*;
pub use scale::*;
pub use word_cloud::*;

use super::document::AnswerDoc;
use super::types::*;
use super::{Event, Prompt, Rejection, Results, Session};

/// What kind of activity a prompt is, with its own settings. On the wire and on disk the
/// kind is `"kind": "poll"` with that kind's fields beside it (flattened into the prompt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Activity {
    /// Participants send short free-text items, one at a time, optionally into named columns.
    Brainstorm(Brainstorm),
    /// Single or multiple choice.
    Poll(Poll),
    /// One or more statements rated 1–N.
    Scale(Scale),
    /// Up to three short answers each, shown as words sized by frequency.
    WordCloud(WordCloud),
    /// Participants spend dots on the items of an earlier prompt.
    DotVote(DotVote),
    /// Participants place the items of an earlier prompt on two axes (a 2×2).
    Matrix(Matrix),
    /// Questions to the speaker: participants ask and upvote, the facilitator moderates.
    Questions(Questions),
}

impl Default for Activity {
    fn default() -> Self {
        Activity::Brainstorm(Brainstorm::default())
    }
}

/// Calls `$body` with `$a` bound to the kind inside an [`Activity`]: the one list of kinds
/// that every dispatching method goes through.
macro_rules! each_kind {
    ($activity:expr, $a:ident => $body:expr) => {
        match $activity {
            Activity::Brainstorm($a) => $body,
            Activity::Poll($a) => $body,
            Activity::Scale($a) => $body,
            Activity::WordCloud($a) => $body,
            Activity::DotVote($a) => $body,
            Activity::Matrix($a) => $body,
            Activity::Questions($a) => $body,
        }
    };
}

/// What each activity kind knows about itself. [`Activity`] forwards every call to its kind;
/// the defaults fit a kind answered with choices on its own options, without a ballot.
pub(crate) trait Kind: Clone + Into<Activity> {
    /// The wire name (`"kind": ...`).
    const NAME: &'static str;

    /// Checks and cleans the settings. Rules that look at other prompts (a ballot's source)
    /// are checked by the session.
    fn validate(&self) -> Result<Self, Rejection>;

    /// The results of `prompt`, whose settings these are.
    fn results(&self, session: &Session, prompt: &Prompt) -> Results;

    /// Longest item text, for kinds answered with items.
    fn item_text_max(&self) -> Option<usize> {
        None
    }

    /// The earlier prompt whose items this one puts on a ballot.
    fn ballot_source(&self) -> Option<&PromptId> {
        None
    }

    /// The ballot's source, to rewrite it.
    fn ballot_source_mut(&mut self) -> Option<&mut PromptId> {
        None
    }

    /// Whether the results change when one of the prompt's own items does.
    fn results_follow_items(&self) -> bool {
        false
    }

    /// Whether the server sends the results as frames (a brainstorm's are derived by clients).
    fn sends_results(&self) -> bool {
        true
    }

    /// Checks an item a participant sends and returns its cleaned text.
    fn check_item(
        &self,
        _session: &Session,
        _prompt: &PromptId,
        _participant: &ParticipantId,
        _text: &str,
        _column: Option<u8>,
    ) -> Result<String, Rejection> {
        Err(Rejection::WrongActivity)
    }

    /// The empty answers of this kind, for kinds answered with choices.
    fn empty_answers(&self) -> Option<AnswerSet> {
        None
    }

    /// Import: adds one participant's answer from an export to `set`; Ok(false) when they
    /// already had one.
    fn import_answer(
        &self,
        _set: Option<&mut AnswerSet>,
        _participant: ParticipantId,
        _answer: &AnswerDoc,
        _ballot: &HashSet<ItemId>,
    ) -> Result<bool, AnswerMisfit> {
        Err(DOES_NOT_FIT)
    }

    /// Import: whether an item's column fits, and the sender's `given`-th item (1-based).
    fn import_item(&self, column: Option<u8>, _given: u8) -> Result<(), &'static str> {
        match column {
            None => Ok(()),
            Some(_) => Err(COLUMN_MISFIT),
        }
    }
}

/// An imported answer of another kind than its prompt's.
pub(super) const DOES_NOT_FIT: AnswerMisfit =
    AnswerMisfit::Invalid("the answer does not fit the prompt's activity");
/// An imported item in a column its prompt does not have.
pub(super) const COLUMN_MISFIT: &str = "its column is not one of the prompt's";

impl Activity {
    /// The wire name of the kind.
    pub fn kind(&self) -> &'static str {
        fn name<K: Kind>(_: &K) -> &'static str {
            K::NAME
        }
        each_kind!(self, a => name(a))
    }

    /// Whether participants answer with items (texts) rather than choices: such a prompt
    /// can be per group, and can be an earlier prompt that a ballot draws on.
    pub fn takes_items(&self) -> bool {
        self.item_text_max().is_some()
    }

    /// Longest item text, for kinds answered with items (None for the others).
    pub fn item_text_max(&self) -> Option<usize> {
        each_kind!(self, a => a.item_text_max())
    }

    /// The earlier prompt whose items this one puts on a ballot (a dot vote's source).
    pub fn ballot_source(&self) -> Option<&PromptId> {
        each_kind!(self, a => a.ballot_source())
    }

    /// The ballot's source, to rewrite it (templates write it as `@N`).
    pub fn ballot_source_mut(&mut self) -> Option<&mut PromptId> {
        each_kind!(self, a => a.ballot_source_mut())
    }

    /// Whether this prompt puts an earlier prompt's items on a ballot.
    pub fn has_ballot(&self) -> bool {
        self.ballot_source().is_some()
    }

    /// Whether this prompt's ballot draws on `source`'s items.
    pub fn votes_on(&self, source: &PromptId) -> bool {
        self.ballot_source() == Some(source)
    }

    /// Whether the results change when one of the prompt's own items does (a word cloud
    /// counts its visible items; a brainstorm's counts are not pushed live).
    pub fn results_follow_items(&self) -> bool {
        each_kind!(self, a => a.results_follow_items())
    }

    /// Whether the server sends the results as frames: every kind's but a brainstorm's, whose
    /// counts the clients derive from the items they already have.
    pub fn sends_results(&self) -> bool {
        each_kind!(self, a => a.sends_results())
    }

    /// Checks and cleans the kind's settings. Rules that look at other prompts (a ballot's
    /// source) are checked by the session.
    pub fn validate(&self) -> Result<Activity, Rejection> {
        each_kind!(self, a => a.validate().map(Into::into))
    }

    /// Checks an item a participant sends (its column, their answer count) and returns its
    /// cleaned text; kinds not answered with items refuse it.
    pub(crate) fn check_item(
        &self,
        session: &Session,
        prompt: &PromptId,
        participant: &ParticipantId,
        text: &str,
        column: Option<u8>,
    ) -> Result<String, Rejection> {
        each_kind!(self, a => a.check_item(session, prompt, participant, text, column))
    }

    /// The results of `prompt`, whose activity this is.
    pub(crate) fn results(&self, session: &Session, prompt: &Prompt) -> Results {
        each_kind!(self, a => a.results(session, prompt))
    }

    /// The empty answers of this kind, for kinds answered with choices.
    pub(crate) fn empty_answers(&self) -> Option<AnswerSet> {
        each_kind!(self, a => a.empty_answers())
    }

    /// Import: whether an item from an export fits: its column, and the sender's `given`-th
    /// item (1-based) within what the kind allows each participant.
    pub(crate) fn import_item(&self, column: Option<u8>, given: u8) -> Result<(), &'static str> {
        each_kind!(self, a => a.import_item(column, given))
    }

    /// Import: adds one participant's answer from an export to `set` (the prompt's answers so
    /// far, None for kinds answered with items), after the checks the live command makes.
    /// Ok(false) when the participant already had an answer there.
    pub(crate) fn import_answer(
        &self,
        set: Option<&mut AnswerSet>,
        participant: ParticipantId,
        answer: &AnswerDoc,
        ballot: &HashSet<ItemId>,
    ) -> Result<bool, AnswerMisfit> {
        each_kind!(self, a => a.import_answer(set, participant, answer, ballot))
    }
}

/// Each kind's settings become an [`Activity`].
macro_rules! into_activity {
    ($($kind:ident),*) => {
        $(impl From<$kind> for Activity {
            fn from(kind: $kind) -> Self {
                Activity::$kind(kind)
            }
        })*
    };
}

into_activity!(Brainstorm, Poll, Scale, WordCloud, DotVote, Matrix, Questions);

/// Why an answer in an export does not fit its prompt (import).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerMisfit {
    /// The answer breaks the prompt's rules.
    Invalid(&'static str),
    /// A dot on an item that is not on the ballot.
    OffBallot(ItemId),
}

/// The message of an invalid draft.
pub(super) fn invalid(reason: &'static str) -> Rejection {
    Rejection::InvalidPrompt(reason)
}

/// Cleans a list of labels (options, statements, columns), each 1..=max characters.
pub(super) fn clean_labels(
    labels: &[String],
    max: usize,
    what: &'static str,
) -> Result<Vec<String>, Rejection> {
    labels
        .iter()
        .map(|label| clean_text(label, max).map_err(|_| invalid(what)))
        .collect()
}

impl Session {
    /// The prompts whose results `event` changes, so the live views can refresh exactly
    /// those: the prompt itself when it opens, changes, closes or gets answers; for an item
    /// event, its prompt when the kind counts items, and every ballot on that prompt (it
    /// shows the items' texts and merged counts).
    pub fn results_touched<'a>(&'a self, event: &'a Event) -> impl Iterator<Item = &'a PromptId> {
        let (own, source) = match event {
            Event::PromptOpened(prompt)
            | Event::PromptUpdated(prompt)
            | Event::PromptClosed(prompt) => (Some(&prompt.id), None),
            Event::AnswersChanged(prompt) => (Some(prompt), None),
            Event::ItemAdded(item)
            | Event::ItemHidden(item)
            | Event::ItemUnhidden(item)
            | Event::ItemUpdated(item)
            | Event::ItemLiked(item) => {
                let own = self
                    .prompt(&item.prompt_id)
                    .filter(|p| p.draft.activity.results_follow_items())
                    .map(|p| &p.id);
                (own, Some(&item.prompt_id))
            }
            Event::ItemErased(gone) => {
                let own = self
                    .prompt(&gone.prompt_id)
                    .filter(|p| p.draft.activity.results_follow_items())
                    .map(|p| &p.id);
                (own, Some(&gone.prompt_id))
            }
            Event::PromptAdded(_)
            | Event::PromptDeleted(_)
            | Event::AgendaReordered(_)
            | Event::GroupsChanged(_)
            | Event::ParticipantGrouped(..)
            | Event::ScreenChanged(_)
            | Event::NotesChanged(..)
            | Event::LanguagesChanged { .. }
            // A reset's clients start over from a welcome, which carries every result.
            | Event::RehearsalChanged(_)
            | Event::SessionReset => (None, None),
        };
        // Only item events can touch a ballot: the others skip the scan of the agenda.
        let candidates = if source.is_some() {
            self.prompts()
        } else {
            &[]
        };
        let ballots = candidates
            .iter()
            .filter(move |p| source.is_some_and(|s| p.draft.activity.votes_on(s)))
            .map(|p| &p.id);
        own.into_iter().chain(ballots)
    }
}

#[cfg(test)]
mod tests;
