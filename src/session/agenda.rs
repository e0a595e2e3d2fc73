//! The agenda: adding, changing, copying, deleting, moving and importing prompts, and their
//! life on the phones (open, next, close, lock, more time, the clock's tick).

use super::types::*;
use super::{
    validate_draft, Activity, Command, Event, Prompt, PromptDraft, PromptState, Rejection,
    ScreenView, Session,
};

/// Most prompts one session may hold; an agenda for a long day fits many times over.
pub const MAX_PROMPTS: usize = 500;

/// Most time the facilitator can add in one go, in seconds.
pub const ADD_TIME_MAX_SECS: u32 = 3600;

impl Session {
    /// Applies an agenda command; [`Session::apply`] routes only those here.
    pub(super) fn apply_agenda(
        &mut self,
        command: &Command,
        now: Millis,
    ) -> Result<Vec<Event>, Rejection> {
        use Command as C;
        match command {
            C::AddPrompt { draft } => self.add_prompt(draft, now),
            C::UpdatePrompt { prompt_id, draft } => self.update_prompt(prompt_id, draft),
            C::DuplicatePrompt { prompt_id } => self.duplicate_prompt(prompt_id, now),
            C::DeletePrompt { prompt_id } => self.delete_prompt(prompt_id),
            C::MovePrompt {
                prompt_id,
                position,
            } => self.move_prompt(prompt_id, *position),
            C::ImportAgenda { prompts } => self.import_agenda(prompts, now),
            C::OpenPrompt { prompt_id } => self.open_prompt(prompt_id, now),
            C::NextPrompt => self.next_prompt(now),
            C::ClosePrompt { prompt_id } => self.close_prompt(prompt_id, now),
            C::LockPrompt { prompt_id, locked } => self.lock_prompt(prompt_id, *locked),
            C::AddTime { prompt_id, secs } => self.add_time(prompt_id, *secs, now),
            C::Tick => self.tick(now),
            other => unreachable!("Session::apply routed {other:?} to the agenda"),
        }
    }

    /// When the next auto-closing prompt runs out, if any (the session task sleeps till then).
    pub fn next_deadline(&self) -> Option<Millis> {
        self.prompts
            .iter()
            .filter(|p| p.state == PromptState::Open && p.draft.auto_close)
            .filter_map(|p| p.closes_at)
            .min()
    }

    /// The agenda as a reusable template: the drafts in order, a dot vote's source written
    /// as `@N` (its position in the template).
    pub fn agenda_template(&self) -> Vec<PromptDraft> {
        self.prompts
            .iter()
            .map(|p| {
                let mut draft = p.draft.clone();
                // The prompt's template ref if it was made from one, else its own id: a
                // template exported from a seminar of a series keeps lining up with the series.
                draft.template = Some(draft.template.unwrap_or_else(|| p.id.0.clone()));
                if let Some(source) = draft.activity.ballot_source_mut() {
                    if let Some(at) = self.prompts.iter().position(|q| &q.id == source) {
                        *source = PromptId(format!("@{at}"));
                    }
                }
                draft
            })
            .collect()
    }

    /// [`Command::AddPrompt`]: a new draft at the end of the agenda.
    pub(super) fn add_prompt(
        &mut self,
        draft: &PromptDraft,
        now: Millis,
    ) -> Result<Vec<Event>, Rejection> {
        let draft = self.check_draft(draft, None)?;
        Ok(vec![Event::PromptAdded(self.push_prompt(draft, now)?)])
    }

    /// [`Command::UpdatePrompt`]: drafts change freely; opened prompts keep their activity.
    /// A draft without a template ref keeps the prompt's (the console edits the question,
    /// not which template prompt it stands for).
    pub(super) fn update_prompt(
        &mut self,
        prompt_id: &PromptId,
        draft: &PromptDraft,
    ) -> Result<Vec<Event>, Rejection> {
        let at = self.prompt_index(prompt_id)?;
        let mut draft = self.check_draft(draft, Some(prompt_id))?;
        let prompt = &mut self.prompts[at];
        if draft.template.is_none() {
            draft.template.clone_from(&prompt.draft.template);
        }
        if prompt.state != PromptState::Draft
            && (draft.activity != prompt.draft.activity
                || draft.per_group != prompt.draft.per_group)
        {
            return Err(Rejection::PromptNotDraft);
        }
        prompt.draft = draft;
        if !matches!(prompt.draft.activity, Activity::Brainstorm(_)) {
            // Only brainstorms have themes (a draft's kind may change; it has no items).
            prompt.themes.clear();
            prompt.by_theme = false;
        }
        Ok(vec![Event::PromptUpdated(prompt.clone())])
    }

    /// [`Command::DuplicatePrompt`]: a copy as a new draft right after the original (a new
    /// prompt: it stands for no template prompt).
    pub(super) fn duplicate_prompt(
        &mut self,
        prompt_id: &PromptId,
        now: Millis,
    ) -> Result<Vec<Event>, Rejection> {
        let at = self.prompt_index(prompt_id)?;
        let mut draft = self.prompts[at].draft.clone();
        draft.template = None;
        let prompt = self.push_prompt(draft, now)?;
        // Move the copy from the end to right after its original.
        if let Some(copy) = self.prompts.pop() {
            self.prompts.insert(at + 1, copy);
        }
        Ok(vec![Event::PromptAdded(prompt), self.agenda_order()])
    }

    /// [`Command::DeletePrompt`]: only drafts no ballot draws on.
    pub(super) fn delete_prompt(&mut self, prompt_id: &PromptId) -> Result<Vec<Event>, Rejection> {
        let at = self.prompt_index(prompt_id)?;
        if self.prompts[at].state != PromptState::Draft {
            return Err(Rejection::PromptNotDraft);
        }
        if self
            .prompts
            .iter()
            .any(|p| p.draft.activity.votes_on(prompt_id))
        {
            return Err(Rejection::PromptInUse);
        }
        self.prompts.remove(at);
        // Its themes went with it; its notes go too.
        self.notes.remove(prompt_id);
        Ok(vec![Event::PromptDeleted(prompt_id.clone())])
    }

    /// [`Command::MovePrompt`]: a new place in the agenda; an event only when it moves.
    pub(super) fn move_prompt(
        &mut self,
        prompt_id: &PromptId,
        position: usize,
    ) -> Result<Vec<Event>, Rejection> {
        let at = self.prompt_index(prompt_id)?;
        let prompt = self.prompts.remove(at);
        let to = (position).min(self.prompts.len());
        self.prompts.insert(to, prompt);
        Ok(if to == at {
            Vec::new()
        } else {
            vec![self.agenda_order()]
        })
    }

    /// [`Command::OpenPrompt`].
    pub(super) fn open_prompt(
        &mut self,
        prompt_id: &PromptId,
        now: Millis,
    ) -> Result<Vec<Event>, Rejection> {
        let at = self.prompt_index(prompt_id)?;
        self.open_at(at, now)
    }

    /// [`Command::NextPrompt`]: the next draft after the current prompt.
    pub(super) fn next_prompt(&mut self, now: Millis) -> Result<Vec<Event>, Rejection> {
        let start = self
            .current
            .as_ref()
            .and_then(|id| self.prompts.iter().position(|p| &p.id == id))
            .map_or(0, |i| i + 1);
        let at = self.prompts[start.min(self.prompts.len())..]
            .iter()
            .position(|p| p.state == PromptState::Draft)
            .map(|i| i + start)
            .ok_or(Rejection::NoNextPrompt)?;
        self.open_at(at, now)
    }

    /// [`Command::ClosePrompt`].
    pub(super) fn close_prompt(
        &mut self,
        prompt_id: &PromptId,
        now: Millis,
    ) -> Result<Vec<Event>, Rejection> {
        let prompt = self.prompt_mut(prompt_id)?;
        match prompt.state {
            PromptState::Open => {}
            PromptState::Closed => return Err(Rejection::PromptClosed),
            PromptState::Draft => return Err(Rejection::PromptNotOpen),
        }
        close(prompt, now);
        Ok(vec![Event::PromptClosed(prompt.clone())])
    }

    /// [`Command::LockPrompt`]: read-only for participants, or writable again.
    pub(super) fn lock_prompt(
        &mut self,
        prompt_id: &PromptId,
        locked: bool,
    ) -> Result<Vec<Event>, Rejection> {
        let prompt = self.prompt_mut(prompt_id)?;
        if prompt.state != PromptState::Open {
            return Err(Rejection::PromptNotOpen);
        }
        Ok(if prompt.locked == locked {
            Vec::new()
        } else {
            prompt.locked = locked;
            vec![Event::PromptUpdated(prompt.clone())]
        })
    }

    /// [`Command::AddTime`]: more time on an open prompt's countdown.
    pub(super) fn add_time(
        &mut self,
        prompt_id: &PromptId,
        secs: u32,
        now: Millis,
    ) -> Result<Vec<Event>, Rejection> {
        if !(1..=ADD_TIME_MAX_SECS).contains(&secs) {
            return Err(Rejection::InvalidTime);
        }
        let prompt = self.prompt_mut(prompt_id)?;
        if prompt.state != PromptState::Open {
            return Err(Rejection::PromptNotOpen);
        }
        let from = prompt.closes_at.unwrap_or(now).max(now);
        prompt.closes_at = Some(from + u64::from(secs) * 1000);
        Ok(vec![Event::PromptUpdated(prompt.clone())])
    }

    /// [`Command::Tick`]: closes every auto-closing prompt whose time is up.
    pub(super) fn tick(&mut self, now: Millis) -> Result<Vec<Event>, Rejection> {
        let mut events = Vec::new();
        for prompt in &mut self.prompts {
            let due = prompt.state == PromptState::Open
                && prompt.draft.auto_close
                && prompt.closes_at.is_some_and(|at| at <= now);
            if due {
                close(prompt, now);
                events.push(Event::PromptClosed(prompt.clone()));
            }
        }
        Ok(events)
    }

    /// Validates a draft, including rules that look at other prompts.
    fn check_draft(
        &self,
        draft: &PromptDraft,
        own: Option<&PromptId>,
    ) -> Result<PromptDraft, Rejection> {
        let mut draft = validate_draft(draft)?;
        draft.translations.remove(&self.meta.language);
        if let Some(source) = draft.activity.ballot_source() {
            let ok = Some(source) != own
                && self
                    .prompt(source)
                    .is_some_and(|p| p.draft.activity.takes_items());
            if !ok {
                return Err(Rejection::InvalidPrompt(
                    "a ballot's source must be a brainstorm, word cloud or questions prompt of this session",
                ));
            }
        }
        self.check_vote_on(&draft.activity)?;
        Ok(draft)
    }

    fn push_prompt(&mut self, draft: PromptDraft, now: Millis) -> Result<Prompt, Rejection> {
        if self.prompts.len() >= MAX_PROMPTS {
            return Err(Rejection::SessionFull);
        }
        let prompt = Prompt {
            id: PromptId(format!("p{}", self.next_prompt)),
            draft,
            state: PromptState::Draft,
            locked: false,
            created_at: now,
            opened_at: None,
            closed_at: None,
            closes_at: None,
            ballot: Vec::new(),
            themes: Vec::new(),
            by_theme: false,
        };
        self.next_prompt += 1;
        self.prompts.push(prompt.clone());
        Ok(prompt)
    }

    fn agenda_order(&self) -> Event {
        Event::AgendaReordered(self.prompts.iter().map(|p| p.id.clone()).collect())
    }

    pub(super) fn import_agenda(
        &mut self,
        drafts: &[PromptDraft],
        now: Millis,
    ) -> Result<Vec<Event>, Rejection> {
        if self.prompts.len() + drafts.len() > MAX_PROMPTS {
            return Err(Rejection::SessionFull);
        }
        let first = self.next_prompt;
        // Check everything before changing anything.
        let mut checked = Vec::with_capacity(drafts.len());
        for (n, draft) in drafts.iter().enumerate() {
            let mut draft = validate_draft(draft)?;
            draft.translations.remove(&self.meta.language);
            if let Some(source) = draft.activity.ballot_source_mut() {
                let resolved =
                    match source.0.strip_prefix('@').map(str::parse::<usize>) {
                        // Any other prompt of the import, before or after (the agenda may
                        // have been reordered so that a vote sits above its source).
                        Some(Ok(i))
                            if i != n && i < drafts.len() && drafts[i].activity.takes_items() =>
                        {
                            PromptId(format!("p{}", first as usize + i))
                        }
                        Some(_) => return Err(Rejection::InvalidPrompt(
                            "a ballot's @N source must name a brainstorm, word cloud or questions prompt of the template",
                        )),
                        None => {
                            if !self
                                .prompt(source)
                                .is_some_and(|p| p.draft.activity.takes_items())
                            {
                                return Err(Rejection::InvalidPrompt(
                                    "a dot vote's source is not in this session",
                                ));
                            }
                            source.clone()
                        }
                    };
                *source = resolved;
            }
            checked.push(draft);
        }
        let mut events = Vec::with_capacity(checked.len());
        for draft in checked {
            events.push(Event::PromptAdded(self.push_prompt(draft, now)?));
        }
        Ok(events)
    }

    fn open_at(&mut self, at: usize, now: Millis) -> Result<Vec<Event>, Rejection> {
        if self.prompts[at].state == PromptState::Open {
            return Err(Rejection::PromptAlreadyOpen);
        }
        // A dot vote's ballot is frozen when it first opens: the source's visible items, in
        // their order (a list that moves under the thumb makes voting chaotic).
        let ballot = match self.prompts[at].draft.activity.ballot_source() {
            Some(source) if self.prompts[at].ballot.is_empty() => {
                let activity = &self.prompts[at].draft.activity;
                let ballot: Vec<ItemId> = self.ballot_to_freeze(activity, source);
                if ballot.is_empty() {
                    return Err(Rejection::EmptyBallot);
                }
                Some(ballot)
            }
            _ => None,
        };
        let mut events = Vec::with_capacity(2);
        // One prompt on the phones at a time: opening the next closes the last.
        if let Some(open) = self
            .prompts
            .iter_mut()
            .find(|p| p.state == PromptState::Open)
        {
            close(open, now);
            events.push(Event::PromptClosed(open.clone()));
        }
        let prompt = &mut self.prompts[at];
        if let Some(ballot) = ballot {
            prompt.ballot = ballot;
        }
        prompt.state = PromptState::Open;
        prompt.locked = false;
        prompt.opened_at = Some(now);
        prompt.closed_at = None;
        prompt.closes_at = prompt
            .draft
            .time_limit_secs
            .map(|secs| now + u64::from(secs) * 1000);
        self.current = Some(prompt.id.clone());
        events.push(Event::PromptOpened(prompt.clone()));
        // A facilitator who opens a prompt wants the room to see it: the projector follows
        // again, whatever it showed (the join page, an earlier prompt). Showing the join page
        // over a fresh prompt takes one more press; missing the new prompt on the wall would
        // be the worse surprise.
        events.extend(self.show_on_screen(ScreenView::Follow));
        Ok(events)
    }
}

fn close(prompt: &mut Prompt, now: Millis) {
    prompt.state = PromptState::Closed;
    prompt.locked = false;
    prompt.closed_at = Some(now);
}
