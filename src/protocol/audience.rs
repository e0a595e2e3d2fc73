//! Who sees what: one table ([`audience`]) of which roles each kind of frame reaches, asked
//! by the event frames, the coalesced frames, the welcome and the session task's channels,
//! plus the finer rules within a row (whose results are public, which items a wall shows).
//!
//! The projector page is public, so it gets nothing that names a participant; phones get the
//! current prompt and what it makes public; the facilitator gets everything.

use std::collections::BTreeMap;

use super::Role;
use crate::session::{Event, GroupId, Item, Prompt, PromptState, Results, Session};

/// A set of roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Audience {
    /// Phones.
    pub participant: bool,
    /// The projector.
    pub screen: bool,
    /// The facilitator's console.
    pub facilitator: bool,
}

impl Audience {
    /// Every role.
    pub const EVERYONE: Self = Self::of(true, true, true);
    /// The facilitator's console and the projector.
    pub const ROOM: Self = Self::of(false, true, true);
    /// The facilitator's console only.
    pub const CONSOLE: Self = Self::of(false, false, true);
    /// Phones only.
    pub const PHONES: Self = Self::of(true, false, false);
    /// Nobody.
    pub const NOBODY: Self = Self::of(false, false, false);

    const fn of(participant: bool, screen: bool, facilitator: bool) -> Self {
        Self {
            participant,
            screen,
            facilitator,
        }
    }

    /// Whether `role` is in it.
    pub fn includes(self, role: Role) -> bool {
        match role {
            Role::Participant => self.participant,
            Role::Screen => self.screen,
            Role::Facilitator => self.facilitator,
        }
    }
}

/// A kind of frame, as far as who sees it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// The agenda: drafts added, changed, deleted, reordered; a welcome's whole agenda.
    Agenda,
    /// A prompt everyone has seen (opened, closed, changed after opening) and the groups.
    Live,
    /// What the projector shows (`screen_changed`, a welcome's `screen`).
    ScreenView,
    /// Item events: added, hidden, unhidden, edited, merged, liked (the projector's only for
    /// visible items; phones see items through their wall).
    Items,
    /// An item erased: its id, to every role that may have shown it (phones in their own
    /// list or on the wall, the projector, the console); it carries no text.
    Erased,
    /// The wall of the current prompt on phones (per group when the prompt is).
    Wall,
    /// A prompt's coalesced results (phones and projector only when [`sees_results`]).
    Results,
    /// Participant counts.
    Presence,
    /// The facilitator's notes (`notes_changed`, a welcome's `notes`): never phones or the
    /// public projector.
    Notes,
    /// Changes no frame carries: a participant's group or answers (counted in presence and
    /// results; the participant has its ack).
    Unsent,
}

/// The table: which roles a kind of frame reaches.
pub fn audience(topic: Topic) -> Audience {
    match topic {
        Topic::Agenda => Audience::CONSOLE,
        Topic::Live => Audience::EVERYONE,
        Topic::ScreenView => Audience::ROOM,
        Topic::Items => Audience::ROOM,
        Topic::Erased => Audience::EVERYONE,
        Topic::Wall => Audience::PHONES,
        Topic::Results => Audience::EVERYONE,
        Topic::Presence => Audience::ROOM,
        Topic::Notes => Audience::CONSOLE,
        Topic::Unsent => Audience::NOBODY,
    }
}

/// The row of an event (`session` is the state after it: a changed draft is the agenda's,
/// a changed open prompt everyone's).
pub fn topic(event: &Event) -> Topic {
    match event {
        Event::PromptAdded(_) | Event::PromptDeleted(_) | Event::AgendaReordered(_) => {
            Topic::Agenda
        }
        Event::PromptUpdated(prompt) if prompt.state == PromptState::Draft => Topic::Agenda,
        Event::PromptUpdated(_)
        | Event::PromptOpened(_)
        | Event::PromptClosed(_)
        | Event::GroupsChanged(_)
        | Event::RehearsalChanged(_)
        | Event::SessionReset
        | Event::LanguagesChanged { .. } => Topic::Live,
        Event::ScreenChanged(_) => Topic::ScreenView,
        Event::ItemAdded(_)
        | Event::ItemHidden(_)
        | Event::ItemUnhidden(_)
        | Event::ItemUpdated(_)
        | Event::ItemLiked(_) => Topic::Items,
        Event::ItemErased(_) => Topic::Erased,
        Event::NotesChanged(..) => Topic::Notes,
        Event::ParticipantGrouped(..) | Event::AnswersChanged(_) => Topic::Unsent,
    }
}

/// Results of every prompt `role` may see (see [`sees_results`]).
pub(super) fn visible_results(session: &Session, role: Role) -> BTreeMap<&str, Results> {
    session
        .prompts()
        .iter()
        .filter(|p| has_results(p) && sees_results(session, p, role))
        .map(|p| (p.id.0.as_str(), session.results(p)))
        .collect()
}

/// Whether `role` gets `prompt`'s results: the facilitator every opened prompt's; phones the
/// current prompt's and the projector those of the prompt on its stage, when public (the
/// prompt's `show_results`). Nobody gets a draft's.
pub fn sees_results(session: &Session, prompt: &Prompt, role: Role) -> bool {
    let is = |p: Option<&Prompt>| p.is_some_and(|p| p.id == prompt.id);
    prompt.state != PromptState::Draft
        && match role {
            Role::Facilitator => true,
            Role::Participant => is(session.current_prompt()) && prompt.results_public(),
            Role::Screen => is(session.screen_prompt()) && prompt.results_public(),
        }
}

/// Whether a prompt's results are worth a frame (brainstorm counts are derived by clients).
pub fn has_results(prompt: &Prompt) -> bool {
    prompt.draft.activity.sends_results()
}

/// The items of the current prompt a participant's wall shows.
pub fn wall_items<'a>(
    session: &'a Session,
    prompt: &'a Prompt,
    group: Option<&GroupId>,
) -> impl Iterator<Item = &'a Item> + 'a {
    let per_group = prompt.draft.per_group;
    let group = group.cloned();
    session
        .visible_items(&prompt.id)
        .filter(move |i| !per_group || (group.is_some() && i.group == group))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHONE: Role = Role::Participant;
    const SCREEN: Role = Role::Screen;
    const CONSOLE: Role = Role::Facilitator;

    /// Each row, as the roles see it.
    fn sees(topic: Topic) -> [bool; 3] {
        let a = audience(topic);
        [a.includes(PHONE), a.includes(SCREEN), a.includes(CONSOLE)]
    }

    #[test]
    fn the_agenda_is_the_consoles_alone() {
        assert_eq!(sees(Topic::Agenda), [false, false, true]);
    }

    #[test]
    fn a_live_prompt_and_the_groups_reach_everyone() {
        assert_eq!(sees(Topic::Live), [true, true, true]);
    }

    #[test]
    fn what_the_projector_shows_is_known_to_the_projector_and_the_console() {
        assert_eq!(sees(Topic::ScreenView), [false, true, true]);
    }

    #[test]
    fn item_events_reach_the_room_not_phones() {
        assert_eq!(sees(Topic::Items), [false, true, true]);
    }

    #[test]
    fn an_erasure_reaches_every_role() {
        assert_eq!(sees(Topic::Erased), [true, true, true]);
    }

    #[test]
    fn the_wall_is_for_phones() {
        assert_eq!(sees(Topic::Wall), [true, false, false]);
    }

    #[test]
    fn results_may_reach_everyone_subject_to_sees_results() {
        assert_eq!(sees(Topic::Results), [true, true, true]);
    }

    #[test]
    fn presence_is_counted_for_the_room() {
        assert_eq!(sees(Topic::Presence), [false, true, true]);
    }

    #[test]
    fn the_facilitators_notes_are_the_consoles_alone() {
        assert_eq!(sees(Topic::Notes), [false, false, true]);
        let notes = Event::NotesChanged(crate::session::PromptId("p1".into()), "x".into());
        assert_eq!(topic(&notes), Topic::Notes);
    }

    #[test]
    fn a_participants_group_and_answers_go_to_nobody() {
        assert_eq!(sees(Topic::Unsent), [false, false, false]);
    }
}
