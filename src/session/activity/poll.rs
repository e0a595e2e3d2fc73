//! Poll: single or multiple choice, with a short grace window to fix a mistap.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{clean_labels, invalid, AnswerMisfit, AnswerSet, Kind, KindAnswers, DOES_NOT_FIT};
use crate::session::document::AnswerDoc;
use crate::session::types::*;
use crate::session::{Event, Prompt, Rejection, Results, Session};

/// Fewest and most poll options.
pub const POLL_OPTIONS: std::ops::RangeInclusive<usize> = 2..=12;
/// Longest poll option or scale statement, in characters.
pub const OPTION_MAX: usize = 200;
/// How long after voting a participant may still change or withdraw the answer to a poll
/// that does not let answers change (`may_change` off), in ms: long enough to fix a mistap
/// on a phone, too short to change sides after watching the room's results come in.
pub const POLL_GRACE_MS: Millis = 10_000;

/// A poll's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Poll {
    /// 2 to 12 options.
    pub options: Vec<String>,
    /// Several options may be chosen.
    #[serde(default)]
    pub multiple: bool,
    /// A participant may change their answer while the poll is open.
    #[serde(default)]
    pub may_change: bool,
}

/// Everyone's answers to one poll.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollAnswers {
    /// The options each participant chose, ascending.
    pub chosen: BTreeMap<ParticipantId, Vec<u8>>,
    /// When each participant's current answer was given, for the grace window
    /// ([`POLL_GRACE_MS`]). Answers stored before it existed (or imported) have none: they are
    /// final unless the poll has `may_change`.
    pub at: BTreeMap<ParticipantId, Millis>,
}

impl Poll {
    /// Whether `chosen` (ascending, no repeats) is a valid answer to this poll.
    pub fn fits(&self, chosen: &[u8]) -> bool {
        !chosen.is_empty()
            && chosen.windows(2).all(|w| w[0] < w[1])
            && (self.multiple || chosen.len() == 1)
            && chosen.iter().all(|&o| usize::from(o) < self.options.len())
    }
}

/// The open poll a participant command names.
fn open_poll<'a>(session: &'a Session, prompt_id: &PromptId) -> Result<&'a Poll, Rejection> {
    let prompt = session.prompt(prompt_id).ok_or(Rejection::PromptNotFound)?;
    prompt.accepting()?;
    match &prompt.draft.activity {
        super::Activity::Poll(poll) => Ok(poll),
        _ => Err(Rejection::WrongActivity),
    }
}

impl Session {
    /// Until when `participant` may change or withdraw their answer to the poll `prompt`
    /// (ms, the server's clock): [`POLL_GRACE_MS`] after they voted, on a poll without
    /// `may_change`. None when they have not voted, the answer is final, or the poll always
    /// lets answers change.
    pub fn poll_grace_until(&self, prompt: &Prompt, participant: &ParticipantId) -> Option<Millis> {
        match &prompt.draft.activity {
            super::Activity::Poll(Poll {
                may_change: false, ..
            }) => self
                .answers_of::<PollAnswers>(&prompt.id)
                .and_then(|a| a.at.get(participant))
                .map(|at| at + POLL_GRACE_MS),
            _ => None,
        }
    }

    /// Whether `participant`'s answer to the poll `prompt_id` may be replaced or withdrawn at
    /// `now`: always with `may_change`, else within the grace window after it was given.
    fn poll_changeable(
        &self,
        prompt_id: &PromptId,
        participant: &ParticipantId,
        may_change: bool,
        now: Millis,
    ) -> bool {
        may_change
            || self
                .answers_of::<PollAnswers>(prompt_id)
                .and_then(|a| a.at.get(participant))
                .is_some_and(|&at| now < at + POLL_GRACE_MS)
    }

    /// [`Command::Vote`](crate::session::Command::Vote): a participant answers a poll.
    pub(in crate::session) fn vote(
        &mut self,
        participant: &ParticipantId,
        prompt_id: &PromptId,
        options: &[u8],
        now: Millis,
    ) -> Result<Vec<Event>, Rejection> {
        let poll = open_poll(self, prompt_id)?;
        let mut chosen = options.to_vec();
        chosen.sort_unstable();
        chosen.dedup();
        if chosen.len() != options.len() || !poll.fits(&chosen) {
            return Err(Rejection::InvalidChoice);
        }
        let changeable = self.poll_changeable(prompt_id, participant, poll.may_change, now);
        let previous = self
            .answers_of::<PollAnswers>(prompt_id)
            .and_then(|a| a.chosen.get(participant));
        match previous {
            Some(previous) if *previous == chosen => Ok(Vec::new()),
            Some(_) if !changeable => Err(Rejection::AlreadyAnswered),
            _ => {
                let answers = self.answers_mut::<PollAnswers>(prompt_id);
                answers.chosen.insert(*participant, chosen);
                // A change starts the window again: what counts is the answer's age.
                answers.at.insert(*participant, now);
                Ok(vec![Event::AnswersChanged(prompt_id.clone())])
            }
        }
    }

    /// [`Command::WithdrawVote`](crate::session::Command::WithdrawVote): a participant takes
    /// back their poll answer. Without an answer (a resend after a lost ack) it changes nothing.
    pub(in crate::session) fn withdraw_vote(
        &mut self,
        participant: &ParticipantId,
        prompt_id: &PromptId,
        now: Millis,
    ) -> Result<Vec<Event>, Rejection> {
        let poll = open_poll(self, prompt_id)?;
        let changeable = self.poll_changeable(prompt_id, participant, poll.may_change, now);
        let answered = self
            .answers_of::<PollAnswers>(prompt_id)
            .is_some_and(|a| a.chosen.contains_key(participant));
        if !answered {
            return Ok(Vec::new());
        }
        if !changeable {
            return Err(Rejection::AlreadyAnswered);
        }
        let answers = self.answers_mut::<PollAnswers>(prompt_id);
        answers.chosen.remove(participant);
        answers.at.remove(participant);
        Ok(vec![Event::AnswersChanged(prompt_id.clone())])
    }
}

impl Kind for Poll {
    const NAME: &'static str = "poll";

    /// Checks and cleans the settings.
    fn validate(&self) -> Result<Self, Rejection> {
        if !POLL_OPTIONS.contains(&self.options.len()) {
            return Err(invalid("a poll has 2 to 12 options"));
        }
        Ok(Poll {
            options: clean_labels(
                &self.options,
                OPTION_MAX,
                "an option must be 1–200 characters",
            )?,
            multiple: self.multiple,
            may_change: self.may_change,
        })
    }

    /// Votes per option.
    fn results(&self, session: &Session, prompt: &Prompt) -> Results {
        let answers = session.answers_of::<PollAnswers>(&prompt.id);
        let mut counts = vec![0; self.options.len()];
        for chosen in answers.iter().flat_map(|a| a.chosen.values()) {
            for &o in chosen {
                if let Some(n) = counts.get_mut(usize::from(o)) {
                    *n += 1;
                }
            }
        }
        Results::Poll {
            voters: answers.map_or(0, |a| a.chosen.len()),
            counts,
        }
    }

    fn empty_answers(&self) -> Option<AnswerSet> {
        Some(AnswerSet::Poll(PollAnswers::default()))
    }

    fn import_answer(
        &self,
        set: Option<&mut AnswerSet>,
        participant: ParticipantId,
        answer: &AnswerDoc,
        _ballot: &HashSet<ItemId>,
    ) -> Result<bool, AnswerMisfit> {
        let (Some(set), Some(chosen)) = (set.and_then(PollAnswers::of_mut), &answer.options) else {
            return Err(DOES_NOT_FIT);
        };
        if !self.fits(chosen) {
            return Err(AnswerMisfit::Invalid(
                "not a valid choice of the poll's options",
            ));
        }
        Ok(set.chosen.insert(participant, chosen.clone()).is_none())
    }
}
