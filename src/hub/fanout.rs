//! The session task's fan-out: which derived views an event makes stale, and the coalesced
//! `results`, `wall` and `presence` frames that go out on each flush tick, published on the
//! channel of each role that gets them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::ws::Utf8Bytes;

use super::task::SessionTask;
use super::Frames;
use crate::protocol::{self, audience, Audience, Role, ServerMessage, Topic};
use crate::session::{Event, GroupId, Item, ItemId, Prompt, PromptId, PromptState};

/// Most items in one wall frame. Each connection's write buffer grows to its largest frame and
/// keeps that size for the connection's life: a thousand items in one frame were ~230 KB per
/// phone, 2.3 GB of fresh pages for 10,000 phones for the kernel to fault in and zero (and then
/// resident). In frames of 100 the buffer stays ~25 KB and is reused.
const WALL_ITEMS_PER_FRAME: usize = 100;

/// Derived views waiting to be flushed.
#[derive(Default)]
pub(super) struct Dirty {
    /// Prompts whose results changed.
    pub(super) results: BTreeSet<PromptId>,
    /// Items whose wall view changed, per prompt, in order, once each.
    wall: BTreeMap<PromptId, Vec<ItemId>>,
    /// Prompts whose whole wall goes out (just opened, or its settings changed).
    full_wall: BTreeSet<PromptId>,
}

impl SessionTask {
    /// The whole wall of `prompt` as a phone in `group` sees it.
    pub(super) fn full_wall(
        &self,
        prompt: &crate::session::Prompt,
        group: Option<&GroupId>,
    ) -> String {
        protocol::wall_frame(
            &self.session,
            prompt,
            protocol::wall_items(&self.session, prompt, group),
            true,
        )
    }

    /// Notes which derived views an event changes.
    pub(super) fn mark_dirty(&mut self, event: &Event) {
        // Which results an event changes is the activities' rule, kept in the core.
        self.dirty
            .results
            .extend(self.session.results_touched(event).cloned());
        let item = match event {
            Event::PromptOpened(prompt) | Event::PromptUpdated(prompt) => {
                if prompt.draft.wall {
                    self.dirty.full_wall.insert(prompt.id.clone());
                }
                return;
            }
            // Its own frame tells every role; the wall's pending changes skip a gone item.
            Event::AnswersChanged(_) | Event::PromptClosed(_) | Event::ItemErased(_) => return,
            Event::ParticipantGrouped(..) | Event::GroupsChanged(_) | Event::SessionReset => {
                self.presence.changed.store(true, Ordering::Relaxed);
                return;
            }
            Event::ItemAdded(item)
            | Event::ItemHidden(item)
            | Event::ItemUnhidden(item)
            | Event::ItemUpdated(item)
            | Event::ItemLiked(item) => item,
            // A screen_changed carries the stage's results itself.
            Event::PromptAdded(_)
            | Event::PromptDeleted(_)
            | Event::AgendaReordered(_)
            | Event::ScreenChanged(_)
            | Event::NotesChanged(..)
            | Event::RehearsalChanged(_)
            | Event::LanguagesChanged { .. } => return,
        };
        let Some(prompt) = self.session.prompt(&item.prompt_id) else {
            return;
        };
        let on_wall =
            prompt.draft.wall && (item.is_visible() || !matches!(event, Event::ItemAdded(_)));
        if on_wall {
            let pending = self.dirty.wall.entry(item.prompt_id.clone()).or_default();
            if !pending.contains(&item.id) {
                pending.push(item.id);
            }
        }
    }

    /// Sends the coalesced results and wall changes.
    pub(super) fn flush(&mut self) {
        let current = self.session.current_prompt().map(|p| p.id.clone());
        for prompt_id in std::mem::take(&mut self.dirty.results) {
            let Some(prompt) = self.session.prompt(&prompt_id) else {
                continue;
            };
            if !protocol::has_results(prompt) || prompt.state == PromptState::Draft {
                continue;
            }
            let json = Utf8Bytes::from(protocol::results_frame(&self.session, prompt));
            // Phones see the current prompt's results and the projector its stage's (an
            // earlier prompt it was asked to show, say), when public.
            let sees = |role| protocol::sees_results(&self.session, prompt, role);
            let row = audience(Topic::Results);
            let to = Audience {
                participant: row.participant && sees(Role::Participant),
                screen: row.screen && sees(Role::Screen),
                facilitator: row.facilitator && sees(Role::Facilitator),
            };
            self.publish(Arc::new(Frames::to(to, None, json)));
        }
        for prompt_id in std::mem::take(&mut self.dirty.full_wall) {
            if current.as_ref() != Some(&prompt_id) {
                continue;
            }
            let Some(prompt) = self.session.prompt(&prompt_id) else {
                continue;
            };
            // The whole wall supersedes pending changes to it.
            self.dirty.wall.remove(&prompt_id);
            let items: Vec<&Item> = self.session.visible_items(&prompt_id).collect();
            self.publish_wall(prompt, &items, true);
        }
        for (prompt_id, ids) in std::mem::take(&mut self.dirty.wall) {
            // Phones show only the current prompt; a later welcome covers the rest.
            if current.as_ref() != Some(&prompt_id) {
                continue;
            }
            let Some(prompt) = self.session.prompt(&prompt_id) else {
                continue;
            };
            let items: Vec<&Item> = ids.iter().filter_map(|id| self.session.item(id)).collect();
            self.publish_wall(prompt, &items, false);
        }
    }

    /// Publishes wall frames of at most [`WALL_ITEMS_PER_FRAME`] items: one per group for a
    /// per-group prompt (each phone gets only its group's), else one for every phone. With
    /// `full`, the first frame replaces the wall (every group gets one, even empty).
    pub(super) fn publish_wall(&self, prompt: &Prompt, items: &[&Item], full: bool) {
        let chunks: Vec<&[&Item]> = if items.is_empty() {
            vec![&[]]
        } else {
            items.chunks(WALL_ITEMS_PER_FRAME).collect()
        };
        for (n, chunk) in chunks.into_iter().enumerate() {
            let full = full && n == 0;
            let frame = |items: Vec<&Item>| {
                Utf8Bytes::from(protocol::wall_frame(
                    &self.session,
                    prompt,
                    items.into_iter(),
                    full,
                ))
            };
            let frames = if prompt.draft.per_group {
                let mut groups: BTreeMap<GroupId, Vec<&Item>> = BTreeMap::new();
                if full {
                    for group in self.session.groups() {
                        groups.entry(group.id.clone()).or_default();
                    }
                }
                for item in chunk {
                    if let Some(g) = &item.group {
                        groups.entry(g.clone()).or_default().push(*item);
                    }
                }
                Frames {
                    by_group: Some(
                        groups
                            .into_iter()
                            .map(|(g, items)| (g, frame(items)))
                            .collect(),
                    ),
                    ..Default::default()
                }
            } else {
                Frames::to(audience(Topic::Wall), None, frame(chunk.to_vec()))
            };
            self.publish(Arc::new(frames));
        }
    }

    /// Sends frames on the channels of the roles that get them: phones have their own, so
    /// an event only the facilitator and projector see wakes none of ten thousand phones.
    pub(super) fn publish(&self, frames: Arc<Frames>) {
        if self.all_events.receiver_count() > 0 {
            let _ = self.all_events.send(frames.clone());
        }
        // No receivers is fine: nobody is connected.
        if frames.participant.is_some() || frames.by_group.is_some() {
            let _ = self.phone_events.send(frames.clone());
        }
        if frames.screen.is_some() || frames.facilitator.is_some() {
            let _ = self.events.send(frames);
        }
    }

    /// Participants connected, in all and per group.
    pub(super) fn presence_frame(&self) -> Utf8Bytes {
        let present = self.presence.present();
        let mut groups: BTreeMap<&str, usize> = BTreeMap::new();
        for participant in &present {
            if let Some(group) = self.session.group_of(participant) {
                *groups.entry(group.0.as_str()).or_insert(0) += 1;
            }
        }
        Utf8Bytes::from(
            ServerMessage::Presence {
                participants: present.len(),
                groups,
            }
            .to_json(),
        )
    }

    pub(super) fn publish_presence(&self) {
        if !self.presence.changed.swap(false, Ordering::Relaxed) {
            return;
        }
        let to = audience(Topic::Presence);
        self.publish(Arc::new(Frames::to(to, None, self.presence_frame())));
    }
}
