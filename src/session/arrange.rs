//! Moving an item after it was sent: into another column of its brainstorm, or another
//! group (sorting a wall whose senders picked the wrong one).

use serde::{Deserialize, Deserializer};

use super::types::*;
use super::{Activity, Event, Rejection, Session};

/// Reads a field that may be absent (`None`: leave it), `null` (`Some(None)`: clear it) or a
/// value: serde alone reads `null` and absent alike. Use with `#[serde(default)]`.
pub fn deserialize_present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

impl Session {
    /// [`super::Command::MoveItem`]: a given column must be one of the brainstorm's, a given
    /// group one of the session's; a per-group prompt's item keeps a group.
    pub(super) fn move_item(
        &mut self,
        item_id: &ItemId,
        column: Option<u8>,
        group: Option<&Option<GroupId>>,
    ) -> Result<Vec<Event>, Rejection> {
        let at = *self
            .item_index
            .get(item_id)
            .ok_or(Rejection::ItemNotFound)?;
        let prompt = self
            .prompt(&self.items[at].prompt_id)
            .ok_or(Rejection::PromptNotFound)?;
        if let Some(c) = column {
            match &prompt.draft.activity {
                Activity::Brainstorm(b) if b.column_fits(Some(c)) => {}
                _ => return Err(Rejection::InvalidColumn),
            }
        }
        match group {
            Some(Some(id)) if !self.groups.iter().any(|g| &g.id == id) => {
                return Err(Rejection::GroupNotFound)
            }
            Some(None) if prompt.draft.per_group => return Err(Rejection::GroupRequired),
            _ => {}
        }
        let per_group_wall = prompt.draft.per_group && prompt.draft.wall;
        let prompt = prompt.clone();
        let item = &mut self.items[at];
        let column_moved = column.is_some_and(|c| item.column != Some(c));
        let group_moved = group.is_some_and(|g| &item.group != g);
        if column_moved {
            item.column = column;
        }
        if let (true, Some(g)) = (group_moved, group) {
            item.group = g.clone();
        }
        let mut events = Vec::new();
        if column_moved || group_moved {
            events.push(Event::ItemUpdated(item.clone()));
        }
        if group_moved && per_group_wall {
            // The wall's coalesced frames go per group: the group it left needs its whole
            // wall again, which a changed live prompt gives every phone.
            events.push(Event::PromptUpdated(prompt));
        }
        Ok(events)
    }
}
