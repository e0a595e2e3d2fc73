//! Welcomes and event frames: each event serialized once for every audience that sees it.

use axum::extract::ws::Utf8Bytes;

use super::audience::{audience, topic, visible_results, wall_items, Audience, Topic};
use super::views::{ItemView, Mine, PromptView, SessionView, Stage};
use super::{RequestId, Role, ServerMessage, ITEMS_PAGE_MAX, PROTOCOL_VERSION, WELCOME_ITEMS_MAX};
use crate::session::{Event, GroupId, Item, Millis, ParticipantId, Prompt, Session, Stamped};

/// Builds the welcome for `role`.
pub fn welcome(
    session: &Session,
    role: Role,
    participant: Option<&ParticipantId>,
    participants_online: usize,
    now: Millis,
) -> String {
    let current = session.current_prompt();
    let (items, items_before) = welcome_items(session, role, participant);
    let group = participant.and_then(|p| session.group_of(p));
    let wall = match (role, current) {
        (Role::Participant, Some(prompt)) if prompt.draft.wall => Some(
            wall_items(session, prompt, group)
                .map(|i| ItemView::new(session, i, role))
                .collect(),
        ),
        _ => None,
    };
    let mine = match (role, participant) {
        (Role::Participant, Some(who)) => Some(mine(session, who, group, now)),
        _ => None,
    };
    ServerMessage::Welcome {
        protocol: PROTOCOL_VERSION,
        role,
        seq: session.seq(),
        server_time: now,
        session: SessionView {
            slug: session.meta.slug.as_str(),
            title: &session.meta.title,
            language: session.meta.language,
            rehearsal: session.rehearsal().on,
            last_reset: session.rehearsal().last_reset,
            screen_language: session.screen_language(),
        },
        prompt: match role {
            Role::Screen => session.screen_prompt(),
            Role::Facilitator | Role::Participant => current,
        }
        .map(|p| PromptView::new(session, p)),
        screen: audience(Topic::ScreenView)
            .includes(role)
            .then(|| session.screen()),
        prompts: audience(Topic::Agenda).includes(role).then(|| {
            session
                .prompts()
                .iter()
                .map(|p| PromptView::new(session, p))
                .collect()
        }),
        groups: session.groups(),
        items,
        items_before,
        wall,
        results: visible_results(session, role),
        mine,
        participants: audience(Topic::Presence)
            .includes(role)
            .then_some(participants_online),
        notes: Some(session.all_notes())
            .filter(|n| audience(Topic::Notes).includes(role) && !n.is_empty()),
    }
    .to_json()
}

/// The items a role's welcome carries: the facilitator the newest [`WELCOME_ITEMS_MAX`] (and
/// the `seq` below which the rest are, if any); the screen the visible ones of the prompt on
/// its stage; a participant its own for the current prompt.
fn welcome_items<'a>(
    session: &'a Session,
    role: Role,
    participant: Option<&ParticipantId>,
) -> (Vec<ItemView<'a>>, Option<u64>) {
    let items = match role {
        Role::Facilitator => return newest_items(session, u64::MAX, WELCOME_ITEMS_MAX),
        Role::Screen => match session.screen_prompt() {
            Some(prompt) => session
                .visible_items(&prompt.id)
                .map(|i| ItemView::new(session, i, role))
                .collect(),
            None => Vec::new(),
        },
        Role::Participant => match (session.current_prompt(), participant) {
            (Some(prompt), Some(who)) => session
                .items_of(who)
                .filter(|i| i.prompt_id == prompt.id)
                .map(|i| ItemView::new(session, i, role))
                .collect(),
            _ => Vec::new(),
        },
    };
    (items, None)
}

/// The newest `max` items with a `seq` below `before`, oldest first (as the facilitator sees
/// them), and the `seq` below which older ones remain, if any. Items are kept in `seq` order.
fn newest_items(session: &Session, before: u64, max: usize) -> (Vec<ItemView<'_>>, Option<u64>) {
    let all = session.items();
    let end = all.partition_point(|i| i.seq < before);
    let mut start = end.saturating_sub(max);
    // Never split items of one seq between pages (an imported document may repeat a seq):
    // the next page asks for those below it.
    while start > 0 && all[start - 1].seq == all[start].seq {
        start -= 1;
    }
    let page = all[start..end]
        .iter()
        .map(|i| ItemView::new(session, i, Role::Facilitator))
        .collect();
    let rest = (start > 0).then(|| all[start].seq);
    (page, rest)
}

/// The answer to a facilitator's `items` request: the page of items below `before`.
pub fn items_page(session: &Session, id: Option<RequestId>, before: u64) -> String {
    let (items, items_before) = newest_items(session, before, ITEMS_PAGE_MAX);
    ServerMessage::Items {
        id,
        items,
        items_before,
    }
    .to_json()
}

/// A participant's own answers to the current prompt, and its group.
fn mine<'a>(
    session: &'a Session,
    who: &ParticipantId,
    group: Option<&'a GroupId>,
    now: Millis,
) -> Mine<'a> {
    let current = session.current_prompt();
    let answers = current.and_then(|p| session.answers(&p.id));
    Mine {
        group,
        poll: answers.and_then(|a| a.poll_of(who)).map(Vec::as_slice),
        poll_until: current
            .and_then(|p| session.poll_grace_until(p, who))
            .filter(|&until| until > now),
        scale: answers.and_then(|a| a.ratings_of(who)).map(Vec::as_slice),
        dots: answers.and_then(|a| a.dots_of(who)),
        places: answers.and_then(|a| a.places_of(who)),
        liked: current
            .map(|p| {
                session
                    .items_for(&p.id)
                    .filter(|i| i.likes.contains(who))
                    .map(|i| i.id)
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// One broadcast, serialized once for each role that gets it (`None`: that role does not).
/// Event frames carry their `seq`; coalesced frames (presence, results, wall) do not.
#[derive(Debug, Default)]
pub struct Frames {
    /// The event's seq; `None` for unsequenced frames (presence, results, wall).
    pub seq: Option<u64>,
    /// For phones.
    pub participant: Option<Utf8Bytes>,
    /// For phones, by group: when set, a phone gets its group's frame (or none) instead of
    /// `participant` (the wall of a per-group prompt).
    pub by_group: Option<Vec<(GroupId, Utf8Bytes)>>,
    /// For the projector.
    pub screen: Option<Utf8Bytes>,
    /// For the facilitator console.
    pub facilitator: Option<Utf8Bytes>,
}

impl Frames {
    /// One frame for every role of `audience`.
    pub fn to(audience: Audience, seq: Option<u64>, json: impl Into<Utf8Bytes>) -> Self {
        let json = json.into();
        let to = |yes: bool| yes.then(|| json.clone());
        Self {
            seq,
            participant: to(audience.participant),
            by_group: None,
            screen: to(audience.screen),
            facilitator: to(audience.facilitator),
        }
    }

    /// The frame a connection of `role` (in `group`, for phones) should receive, if any.
    pub fn for_conn(&self, role: Role, group: Option<&GroupId>) -> Option<&Utf8Bytes> {
        match role {
            Role::Participant => match &self.by_group {
                Some(frames) => {
                    let group = group?;
                    frames.iter().find(|(g, _)| g == group).map(|(_, f)| f)
                }
                None => self.participant.as_ref(),
            },
            Role::Screen => self.screen.as_ref(),
            Role::Facilitator => self.facilitator.as_ref(),
        }
    }
}

/// Serializes an event for each role its row of the [`audience`] table names. `session` is
/// the state after the event.
pub fn event_frames(stamped: &Stamped, session: &Session, now: Millis) -> Frames {
    let seq = stamped.seq;
    let row = audience(topic(&stamped.event));
    let same = |message: ServerMessage<'_>| Frames::to(row, Some(seq), message.to_json());
    let item_frames = |item, make: &dyn Fn(ItemView<'_>) -> ServerMessage<'_>| {
        item_frames(session, row, seq, item, make)
    };
    match &stamped.event {
        Event::PromptAdded(prompt) => same(ServerMessage::PromptAdded {
            seq,
            prompt: PromptView::new(session, prompt),
        }),
        Event::PromptUpdated(prompt) => same(ServerMessage::PromptUpdated {
            seq,
            prompt: PromptView::new(session, prompt),
        }),
        Event::PromptDeleted(prompt_id) => same(ServerMessage::PromptDeleted { seq, prompt_id }),
        Event::AgendaReordered(order) => same(ServerMessage::AgendaReordered { seq, order }),
        Event::PromptOpened(prompt) => prompt_opened(session, row, seq, prompt, now),
        Event::PromptClosed(prompt) => same(ServerMessage::PromptClosed {
            seq,
            prompt: PromptView::new(session, prompt),
        }),
        Event::GroupsChanged(groups) => same(ServerMessage::GroupsChanged { seq, groups }),
        // The projector gets its whole new stage even when only the join page went on or off
        // (a few screens, rarely): one rule, and a screen that missed nothing needs nothing else.
        Event::ScreenChanged(view) => {
            let frame = |stage| ServerMessage::ScreenChanged { seq, view, stage }.to_json();
            Frames {
                seq: Some(seq),
                participant: None,
                by_group: None,
                screen: row.screen.then(|| frame(Some(Stage::new(session))).into()),
                facilitator: row.facilitator.then(|| frame(None).into()),
            }
        }
        // Counted in presence and results; the participant itself has its ack.
        Event::ParticipantGrouped(..) | Event::AnswersChanged(_) => Frames {
            seq: Some(seq),
            ..Frames::default()
        },
        Event::ItemAdded(item) => {
            let mut frames = item_frames(item, &|item| ServerMessage::ItemAdded { seq, item });
            if !item.is_visible() {
                // Waiting for approval: the projector has nothing to drop.
                frames.screen = None;
            }
            frames
        }
        Event::ItemHidden(item) => same(ServerMessage::ItemHidden {
            seq,
            item_id: item.id,
            prompt_id: &item.prompt_id,
        }),
        Event::ItemUnhidden(item) => {
            item_frames(item, &|item| ServerMessage::ItemUnhidden { seq, item })
        }
        Event::ItemUpdated(item) | Event::ItemLiked(item) => {
            item_frames(item, &|item| ServerMessage::ItemUpdated { seq, item })
        }
        Event::ItemErased(gone) => same(ServerMessage::ItemErased {
            seq,
            item_id: gone.id,
        }),
        Event::NotesChanged(prompt, notes) => {
            same(ServerMessage::NotesChanged { seq, prompt, notes })
        }
        Event::RehearsalChanged(on) => same(ServerMessage::Rehearsal { seq, on: *on }),
        Event::SessionReset => same(ServerMessage::SessionReset { seq }),
        Event::LanguagesChanged { main, screen } => same(ServerMessage::LanguagesChanged {
            seq,
            language: *main,
            screen_language: *screen,
        }),
    }
}

/// A `prompt_opened`: the projector's carries the prompt's visible items (a reopened prompt
/// has some), everyone else's none.
fn prompt_opened(
    session: &Session,
    row: Audience,
    seq: u64,
    prompt: &Prompt,
    now: Millis,
) -> Frames {
    let mut frames = Frames::to(
        row,
        Some(seq),
        ServerMessage::PromptOpened {
            seq,
            prompt: PromptView::new(session, prompt),
            server_time: now,
            items: None,
        }
        .to_json(),
    );
    frames.screen = row.screen.then(|| {
        ServerMessage::PromptOpened {
            seq,
            prompt: PromptView::new(session, prompt),
            server_time: now,
            items: Some(
                session
                    .visible_items(&prompt.id)
                    .map(|i| ItemView::new(session, i, Role::Screen))
                    .collect(),
            ),
        }
        .to_json()
        .into()
    });
    frames
}

/// An item event's frames: the facilitator always; the projector only ever sees visible
/// items (an unapproved or hidden item's text must not reach a public screen), and is told to
/// drop one that stops being visible.
fn item_frames(
    session: &Session,
    row: Audience,
    seq: u64,
    item: &Item,
    make: &dyn Fn(ItemView<'_>) -> ServerMessage<'_>,
) -> Frames {
    let screen = if item.is_visible() {
        make(ItemView::new(session, item, Role::Screen)).to_json()
    } else {
        ServerMessage::ItemRemoved {
            seq,
            item_id: item.id,
            prompt_id: &item.prompt_id,
        }
        .to_json()
    };
    let staff = make(ItemView::new(session, item, Role::Facilitator)).to_json();
    Frames {
        seq: Some(seq),
        // Phones see items through their wall (coalesced), never one by one.
        participant: None,
        by_group: None,
        screen: row.screen.then(|| screen.into()),
        facilitator: row.facilitator.then(|| staff.into()),
    }
}

/// A `results` frame for `prompt`.
pub fn results_frame(session: &Session, prompt: &Prompt) -> String {
    ServerMessage::Results {
        prompt_id: &prompt.id,
        results: session.results(prompt),
    }
    .to_json()
}

/// A `wall` frame: `items` (still visible ones are sent, the rest listed as removed);
/// `full` when they are the whole wall.
pub fn wall_frame<'a>(
    session: &'a Session,
    prompt: &'a Prompt,
    items: impl Iterator<Item = &'a Item>,
    full: bool,
) -> String {
    let mut shown = Vec::new();
    let mut removed = Vec::new();
    for item in items {
        if item.is_visible() {
            shown.push(ItemView::new(session, item, Role::Participant));
        } else {
            removed.push(item.id);
        }
    }
    ServerMessage::Wall {
        prompt_id: &prompt.id,
        full,
        items: shown,
        removed,
    }
    .to_json()
}
