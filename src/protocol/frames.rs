//! Welcomes and event frames: each event serialized once for every audience that sees it.

use super::audience::{visible_results, wall_items};
use super::views::{ItemView, Mine, PromptView, SessionView, Stage};
use super::{Role, ServerMessage, PROTOCOL_VERSION};
use crate::session::{Event, Item, Millis, ParticipantId, Prompt, PromptState, Session, Stamped};

/// Builds the welcome for `role`.
pub fn welcome(
    session: &Session,
    role: Role,
    participant: Option<&ParticipantId>,
    participants_online: usize,
    now: Millis,
) -> String {
    let current = session.current_prompt();
    let items: Vec<ItemView<'_>> = match role {
        Role::Facilitator => session
            .items()
            .iter()
            .map(|i| ItemView::new(session, i, role))
            .collect(),
        Role::Screen => match session.screen_prompt() {
            Some(prompt) => session
                .visible_items(&prompt.id)
                .map(|i| ItemView::new(session, i, role))
                .collect(),
            None => Vec::new(),
        },
        Role::Participant => match (current, participant) {
            (Some(prompt), Some(who)) => session
                .items_of(who)
                .filter(|i| i.prompt_id == prompt.id)
                .map(|i| ItemView::new(session, i, role))
                .collect(),
            _ => Vec::new(),
        },
    };
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
        (Role::Participant, Some(who)) => {
            let answers = current.map(|p| session.answers(&p.id));
            Some(Mine {
                group,
                poll: answers.and_then(|a| a.poll.get(who)).map(Vec::as_slice),
                poll_until: current
                    .and_then(|p| session.poll_grace_until(p, who))
                    .filter(|&until| until > now),
                scale: answers.and_then(|a| a.scale.get(who)).map(Vec::as_slice),
                dots: answers.and_then(|a| a.dots.get(who)),
                liked: current
                    .map(|p| {
                        session
                            .items_for(&p.id)
                            .filter(|i| i.likes.contains(who))
                            .map(|i| i.id)
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        }
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
        },
        prompt: match role {
            Role::Screen => session.screen_prompt(),
            Role::Facilitator | Role::Participant => current,
        }
        .map(|p| PromptView::new(session, p)),
        screen: (role != Role::Participant).then(|| session.screen()),
        prompts: (role == Role::Facilitator).then(|| {
            session
                .prompts()
                .iter()
                .map(|p| PromptView::new(session, p))
                .collect()
        }),
        groups: session.groups(),
        items,
        wall,
        results: visible_results(session, role),
        mine,
        participants: (role != Role::Participant).then_some(participants_online),
    }
    .to_json()
}

/// One event, serialized once for each audience that may see it (`None`: not sent to them).
#[derive(Debug, Clone, Default)]
pub struct EventFrames {
    /// The event's sequence number.
    pub seq: u64,
    /// For phones.
    pub participant: Option<String>,
    /// For the projector.
    pub screen: Option<String>,
    /// For the facilitator console.
    pub facilitator: Option<String>,
}

/// Serializes an event for each audience. `session` is the state after the event.
pub fn event_frames(stamped: &Stamped, session: &Session, now: Millis) -> EventFrames {
    let seq = stamped.seq;
    let staff_only = |message: ServerMessage<'_>| EventFrames {
        seq,
        facilitator: Some(message.to_json()),
        ..Default::default()
    };
    let everyone = |message: ServerMessage<'_>| {
        let json = message.to_json();
        EventFrames {
            seq,
            participant: Some(json.clone()),
            screen: Some(json.clone()),
            facilitator: Some(json),
        }
    };
    // Item events: the facilitator always; the projector only ever sees visible items (an
    // unapproved or hidden item's text must not reach a public screen), and is told to drop
    // one that stops being visible.
    let item_frames = |item: &Item, make: &dyn Fn(ItemView<'_>) -> ServerMessage<'_>| {
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
        EventFrames {
            seq,
            participant: None,
            screen: Some(screen),
            facilitator: Some(make(ItemView::new(session, item, Role::Facilitator)).to_json()),
        }
    };
    match &stamped.event {
        Event::PromptAdded(prompt) => staff_only(ServerMessage::PromptAdded {
            seq,
            prompt: PromptView::new(session, prompt),
        }),
        Event::PromptUpdated(prompt) => {
            let message = ServerMessage::PromptUpdated {
                seq,
                prompt: PromptView::new(session, prompt),
            };
            if prompt.state == PromptState::Draft {
                staff_only(message)
            } else {
                everyone(message)
            }
        }
        Event::PromptDeleted(prompt_id) => {
            staff_only(ServerMessage::PromptDeleted { seq, prompt_id })
        }
        Event::AgendaReordered(order) => staff_only(ServerMessage::AgendaReordered { seq, order }),
        Event::PromptOpened(prompt) => {
            let mut frames = everyone(ServerMessage::PromptOpened {
                seq,
                prompt: PromptView::new(session, prompt),
                server_time: now,
                items: None,
            });
            frames.screen = Some(
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
                .to_json(),
            );
            frames
        }
        Event::PromptClosed(prompt) => everyone(ServerMessage::PromptClosed {
            seq,
            prompt: PromptView::new(session, prompt),
        }),
        Event::GroupsChanged(groups) => everyone(ServerMessage::GroupsChanged { seq, groups }),
        // The projector gets its whole new stage even when only the join page went on or off
        // (a few screens, rarely): one rule, and a screen that missed nothing needs nothing else.
        Event::ScreenChanged(view) => EventFrames {
            seq,
            participant: None,
            screen: Some(
                ServerMessage::ScreenChanged {
                    seq,
                    view,
                    stage: Some(Stage::new(session)),
                }
                .to_json(),
            ),
            facilitator: Some(
                ServerMessage::ScreenChanged {
                    seq,
                    view,
                    stage: None,
                }
                .to_json(),
            ),
        },
        // Counted in presence; the participant itself has its ack.
        Event::ParticipantGrouped(..) | Event::AnswersChanged(_) => EventFrames {
            seq,
            ..Default::default()
        },
        Event::ItemAdded(item) => {
            let mut frames = item_frames(item, &|item| ServerMessage::ItemAdded { seq, item });
            if !item.is_visible() {
                // Waiting for approval: the projector has nothing to drop.
                frames.screen = None;
            }
            frames
        }
        Event::ItemHidden(item) => {
            let json = ServerMessage::ItemHidden {
                seq,
                item_id: item.id,
                prompt_id: &item.prompt_id,
            }
            .to_json();
            EventFrames {
                seq,
                participant: None,
                screen: Some(json.clone()),
                facilitator: Some(json),
            }
        }
        Event::ItemUnhidden(item) => {
            item_frames(item, &|item| ServerMessage::ItemUnhidden { seq, item })
        }
        Event::ItemUpdated(item) | Event::ItemLiked(item) => {
            item_frames(item, &|item| ServerMessage::ItemUpdated { seq, item })
        }
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
