//! Who sees what.

use std::collections::BTreeMap;

use super::Role;
use crate::session::{Activity, GroupId, Item, Prompt, PromptState, Results, Session};

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
    !matches!(prompt.draft.activity, Activity::Brainstorm { .. })
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
