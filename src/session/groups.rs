//! Groups (small tables or themes) and who picked which.

use serde::{Deserialize, Serialize};

use super::types::*;
use super::{validate_names, Command, Event, NameTranslations, Rejection, Session};

/// Most groups in a session.
pub const MAX_GROUPS: usize = 30;

/// Longest group name, in characters.
pub const GROUP_NAME_MAX: usize = 60;

/// A small group or theme table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// `g1`, `g2`, …
    pub id: GroupId,
    /// "Digital", "Family services + youth guidance", …
    pub name: String,
    /// Optional `#rrggbb` colour for the projector and the phones.
    #[serde(default)]
    pub color: Option<String>,
    /// Its name in the session's other languages (see [`super::translation`]).
    #[serde(default, skip_serializing_if = "NameTranslations::is_empty")]
    pub translations: NameTranslations,
}

impl Session {
    /// Applies a groups command; [`Session::apply`] routes only those here.
    pub(super) fn apply_groups(&mut self, command: &Command) -> Result<Vec<Event>, Rejection> {
        use Command as C;
        match command {
            C::AddGroup {
                name,
                color,
                translations,
            } => self.add_group(name, color, translations),
            C::UpdateGroup {
                group_id,
                name,
                color,
                translations,
            } => self.update_group(group_id, name, color, translations),
            C::DeleteGroup { group_id } => self.delete_group(group_id),
            C::ChooseGroup {
                participant,
                group_id,
            } => self.choose_group(participant, group_id),
            other => unreachable!("Session::apply routed {other:?} to the groups"),
        }
    }

    /// [`Command::AddGroup`].
    pub(super) fn add_group(
        &mut self,
        name: &str,
        color: &Option<String>,
        translations: &NameTranslations,
    ) -> Result<Vec<Event>, Rejection> {
        if self.groups.len() >= MAX_GROUPS {
            return Err(Rejection::InvalidGroup("a session has at most 30 groups"));
        }
        let (name, color) = check_group(name, color)?;
        let translations = validate_names(translations)?;
        self.groups.push(Group {
            id: GroupId(format!("g{}", self.next_group)),
            name,
            color,
            translations,
        });
        self.next_group += 1;
        Ok(vec![Event::GroupsChanged(self.groups.clone())])
    }

    /// [`Command::UpdateGroup`]: a new name or colour.
    pub(super) fn update_group(
        &mut self,
        group_id: &GroupId,
        name: &str,
        color: &Option<String>,
        translations: &NameTranslations,
    ) -> Result<Vec<Event>, Rejection> {
        let (name, color) = check_group(name, color)?;
        let translations = validate_names(translations)?;
        let group = self
            .groups
            .iter_mut()
            .find(|g| &g.id == group_id)
            .ok_or(Rejection::GroupNotFound)?;
        group.name = name;
        group.color = color;
        group.translations = translations;
        Ok(vec![Event::GroupsChanged(self.groups.clone())])
    }

    /// [`Command::DeleteGroup`]: only a group nobody's item belongs to.
    pub(super) fn delete_group(&mut self, group_id: &GroupId) -> Result<Vec<Event>, Rejection> {
        let at = self
            .groups
            .iter()
            .position(|g| &g.id == group_id)
            .ok_or(Rejection::GroupNotFound)?;
        if self
            .items
            .iter()
            .any(|i| i.group.as_ref() == Some(group_id))
        {
            return Err(Rejection::GroupInUse);
        }
        self.groups.remove(at);
        self.members.retain(|_, g| g != group_id);
        Ok(vec![Event::GroupsChanged(self.groups.clone())])
    }

    /// [`Command::ChooseGroup`]: a participant picks or leaves a group.
    pub(super) fn choose_group(
        &mut self,
        participant: &ParticipantId,
        group_id: &Option<GroupId>,
    ) -> Result<Vec<Event>, Rejection> {
        if let Some(id) = group_id {
            if !self.groups.iter().any(|g| &g.id == id) {
                return Err(Rejection::GroupNotFound);
            }
        }
        Ok(if self.members.get(participant) == group_id.as_ref() {
            Vec::new()
        } else {
            match group_id {
                Some(id) => self.members.insert(*participant, id.clone()),
                None => self.members.remove(participant),
            };
            vec![Event::ParticipantGrouped(*participant, group_id.clone())]
        })
    }
}

pub(super) fn check_group(
    name: &str,
    color: &Option<String>,
) -> Result<(String, Option<String>), Rejection> {
    let name = clean_text(name, GROUP_NAME_MAX)
        .map_err(|_| Rejection::InvalidGroup("a group name must be 1–60 characters"))?;
    if let Some(c) = color {
        let ok =
            c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit());
        if !ok {
            return Err(Rejection::InvalidGroup("a colour is #rrggbb"));
        }
    }
    Ok((name, color.clone()))
}
