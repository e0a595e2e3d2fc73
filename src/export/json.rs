//! JSON: the whole session as a [`SessionDoc`], the
//! versioned schema of docs/export-format.md that an import reads back.

use std::collections::BTreeSet;

use crate::session::document::{
    to_bytes, Derived, ErasedDoc, ItemDoc, ParticipantDoc, PromptDoc, RevisionDoc, SessionDoc,
    SessionInfo, Timestamp, JSON_FORMAT, JSON_VERSION,
};
use crate::session::{Item, ItemId, Millis, ParticipantId, Prompt, Session};

use super::{activity, View};

/// The document for `view`: its prompts, with hidden items in or out as it says.
///
/// When hidden items are left out, the document still holds together (an import of it is
/// the session without them): items merged into a left-out item are left out with it, and
/// ballots and dots name only items that are in.
pub fn document(view: &View<'_>, exported_at: Millis) -> SessionDoc {
    let session = view.session;
    let mut included = included_items(view);
    // A vote on themes names theme ids on its ballot and in its dots: themes are always in.
    included.extend(super::activity::dot_vote::theme_ballots(view));
    let mut participants: BTreeSet<ParticipantId> = BTreeSet::new();
    let prompts = view
        .prompts
        .iter()
        .map(|p| prompt_doc(view, p, &included, &mut participants))
        .collect();
    // Group members are in whether or not they answered anything exported: membership is
    // the session's, not a prompt's.
    participants.extend(session.members().map(|(p, _)| *p));
    let mut participant_docs: Vec<ParticipantDoc> = participants
        .iter()
        .map(|p| ParticipantDoc {
            pseudonym: session.pseudonym(p),
            group: session.group_of(p).cloned(),
        })
        .collect();
    participant_docs.sort_by(|a, b| a.pseudonym.cmp(&b.pseudonym));
    let current_prompt = session
        .current_prompt()
        .map(|p| p.id.clone())
        .filter(|id| view.prompts.iter().any(|p| &p.id == id));
    SessionDoc {
        format: JSON_FORMAT.to_owned(),
        version: JSON_VERSION,
        exported_at: Timestamp(exported_at),
        session: SessionInfo {
            slug: session.meta.slug.clone(),
            title: session.meta.title.clone(),
            language: session.meta.language,
            created_at: Timestamp(session.meta.created_at),
            time_zone: session.meta.time_zone.clone(),
            seq: session.seq(),
            current_prompt,
            series: session.meta.series.clone(),
            rehearsal: session.rehearsal().on,
            screen_language: session.screen_language(),
        },
        groups: session.groups().to_vec(),
        participants: participant_docs,
        prompts,
    }
}

/// The items the document holds: those of its prompts that the view shows, less, when hidden
/// items are out, those whose merge chain passes through a left-out item.
fn included_items(view: &View<'_>) -> BTreeSet<ItemId> {
    let mut included: BTreeSet<ItemId> = BTreeSet::new();
    for prompt in &view.prompts {
        included.extend(view.items(prompt).map(|i| i.id));
    }
    if view.hidden {
        return included;
    }
    included
        .iter()
        .copied()
        .filter(|id| chain_included(view.session, id, &included))
        .collect()
}

/// A prompt with its results, answers and `included` items; adds who answered, sent or liked
/// to `participants`.
fn prompt_doc(
    view: &View<'_>,
    p: &Prompt,
    included: &BTreeSet<ItemId>,
    participants: &mut BTreeSet<ParticipantId>,
) -> PromptDoc {
    let session = view.session;
    let mut answers = activity::answers(session, p, included, participants);
    // By pseudonym, not by device id: the order survives an import, which gives every
    // participant a new id.
    answers.sort_by(|a, b| a.participant.cmp(&b.participant));
    let items = view
        .items(p)
        .filter(|i| included.contains(&i.id))
        .map(|i| {
            participants.insert(i.participant);
            participants.extend(i.likes.iter().copied());
            item_doc(view, i)
        })
        .collect();
    PromptDoc {
        id: p.id.clone(),
        draft: p.draft.clone(),
        state: p.state,
        locked: p.locked,
        created_at: Timestamp(p.created_at),
        opened_at: p.opened_at.map(Timestamp),
        closed_at: p.closed_at.map(Timestamp),
        closes_at: p.closes_at.map(Timestamp),
        ballot: p
            .ballot
            .iter()
            .copied()
            .filter(|id| included.contains(id))
            .collect(),
        themes: p.themes.clone(),
        by_theme: p.by_theme,
        notes: session.notes(&p.id).map(str::to_owned),
        results: Derived(view.results(p)),
        answers,
        items,
        erased: session
            .tombstones()
            .iter()
            .filter(|t| t.prompt_id == p.id)
            .map(|t| ErasedDoc {
                id: t.id,
                seq: t.seq,
                created_at: Timestamp(t.created_at),
                erased_at: Timestamp(t.erased_at),
                erased_by: t.erased_by,
            })
            .collect(),
    }
}

/// An item as the document holds it: pseudonyms for people, its likes and dots counted.
fn item_doc(view: &View<'_>, i: &Item) -> ItemDoc {
    let session = view.session;
    let mut liked_by: Vec<String> = i.likes.iter().map(|who| session.pseudonym(who)).collect();
    liked_by.sort();
    ItemDoc {
        id: i.id,
        seq: i.seq,
        text: i.text.clone(),
        participant: session.pseudonym(&i.participant),
        created_at: Timestamp(i.created_at),
        hidden: i.hidden,
        column: i.column,
        group: i.group.clone(),
        theme: i.theme,
        approved: i.approved,
        starred: i.starred,
        merged_into: i.merged_into,
        liked_by,
        likes: session.like_count(i),
        dots: view.dots(i),
        history: i
            .history
            .iter()
            .map(|r| RevisionDoc {
                text: r.text.clone(),
                at: Timestamp(r.at),
            })
            .collect(),
        answered: i.answered,
        name: i.author_name.clone(),
    }
}

/// Whether `id` and every item along its merge chain are in `included`.
fn chain_included(session: &Session, id: &ItemId, included: &BTreeSet<ItemId>) -> bool {
    let mut current = *id;
    // Merges form a forest; the bound is a second guard, as in `Session::merge_root`.
    for _ in 0..64 {
        if !included.contains(&current) {
            return false;
        }
        match session.item(&current).and_then(|i| i.merged_into) {
            Some(next) => current = next,
            None => return true,
        }
    }
    true
}

/// The whole session: groups, participants, then prompts in agenda order, each with its
/// results, answers and items; `now` is when it was made (ms since the epoch).
pub fn json(view: &View<'_>, now: Millis) -> Vec<u8> {
    to_bytes(&document(view, now))
}
