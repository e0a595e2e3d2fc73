//! What the session's things look like on the wire, per role: an item, a prompt (with a dot
//! vote's ballot), a participant's own answers, the projector's stage.

use std::collections::BTreeMap;

use serde::Serialize;

use super::audience::visible_results;
use super::Role;
use crate::session::{
    GroupId, Item, ItemId, Language, Millis, Position, Prompt, PromptId, Results, Revision,
    Session, ThemeId,
};

/// The session as every role sees it.
#[derive(Debug, Serialize)]
pub struct SessionView<'a> {
    /// The short name.
    pub slug: &'a str,
    /// The workshop's title.
    pub title: &'a str,
    /// Default UI language, and the language of the prompts' own texts.
    pub language: Language,
    /// A rehearsal: every view says so. Written only when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rehearsal: bool,
    /// The seq of the last rehearsal reset, if any: a phone that knew the session before it
    /// drops the texts it has not had acknowledged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reset: Option<u64>,
    /// The language the projector stacks under the main one; omitted when none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screen_language: Option<Language>,
}

/// An item as a role may see it.
#[derive(Debug, Serialize)]
pub struct ItemView<'a> {
    /// The item id.
    pub id: ItemId,
    /// Its prompt.
    pub prompt_id: &'a PromptId,
    /// The (current) text.
    pub text: &'a str,
    /// When it was accepted, ms since the epoch.
    pub created_at: Millis,
    /// The seq of its `item_added`.
    pub seq: u64,
    /// Its column index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u8>,
    /// Its group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<&'a GroupId>,
    /// Whether the facilitator hid it.
    pub hidden: bool,
    /// False while waiting for approval (pre-moderation).
    pub approved: bool,
    /// Shown large on the projector.
    pub starred: bool,
    /// Merged as a duplicate into this item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<ItemId>,
    /// How many duplicates were merged into it.
    pub merged: usize,
    /// Likes (including those of merged duplicates).
    pub likes: usize,
    /// Whether the facilitator edited it.
    pub edited: bool,
    /// Earlier texts (facilitator only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<&'a [Revision]>,
    /// The sender's pseudonym (facilitator only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Its theme (a merged duplicate's is its root's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<ThemeId>,
    /// A question marked answered (sent only when it is).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub answered: bool,
    /// The name a question was signed with, if any (every role: the participant chose to
    /// show it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
}

impl<'a> ItemView<'a> {
    /// The view for `role`: only the facilitator learns the author's pseudonym and history.
    pub fn new(session: &Session, item: &'a Item, role: Role) -> Self {
        let staff = role == Role::Facilitator;
        Self {
            id: item.id,
            prompt_id: &item.prompt_id,
            text: &item.text,
            created_at: item.created_at,
            seq: item.seq,
            column: item.column,
            group: item.group.as_ref(),
            hidden: item.hidden,
            approved: item.approved,
            starred: item.starred,
            merged_into: item.merged_into,
            merged: session.merged_count(item),
            likes: session.like_count(item),
            edited: !item.history.is_empty(),
            history: staff.then_some(item.history.as_slice()),
            author: staff.then(|| session.pseudonym(&item.participant)),
            theme: session.theme_of(item),
            answered: item.answered,
            name: item.author_name.as_deref(),
        }
    }
}

/// A ballot entry of a dot vote or matrix, as phones see it.
#[derive(Debug, Serialize)]
pub struct BallotEntry<'a> {
    /// The item (or, for a dot vote on themes, the theme).
    pub id: ItemId,
    /// Its current text (a theme's current name).
    pub text: &'a str,
}

/// A prompt on the wire: its fields, plus the ballot's texts for a kind with a ballot.
#[derive(Debug, Serialize)]
pub struct PromptView<'a> {
    /// The prompt.
    #[serde(flatten)]
    pub prompt: &'a Prompt,
    /// The ballot's items in their frozen order (kinds with a ballot, once opened).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ballot_items: Option<Vec<BallotEntry<'a>>>,
}

impl<'a> PromptView<'a> {
    /// The view of `prompt`, with ballot texts looked up in `session`.
    pub fn new(session: &'a Session, prompt: &'a Prompt) -> Self {
        let ballot_items = prompt
            .draft
            .activity
            .has_ballot()
            .then(|| {
                session
                    .ballot_entries(prompt)
                    .into_iter()
                    .map(|(id, text)| BallotEntry { id, text })
                    .collect()
            })
            .filter(|b: &Vec<_>| !b.is_empty());
        Self {
            prompt,
            ballot_items,
        }
    }
}

/// A participant's own answers to the current prompt, so a reload shows them.
#[derive(Debug, Serialize, Default)]
pub struct Mine<'a> {
    /// The group picked.
    pub group: Option<&'a GroupId>,
    /// Poll: options chosen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll: Option<&'a [u8]>,
    /// Poll without `may_change`: until when (ms, the server's clock, as `server_time`) the
    /// answer may still be changed or withdrawn, so a reloaded phone offers it as long.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll_until: Option<Millis>,
    /// Scale: ratings per statement (0 = not rated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<&'a [u8]>,
    /// Dot vote: dots per item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dots: Option<&'a BTreeMap<ItemId, u32>>,
    /// Matrix: `[x, y]` per item placed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub places: Option<&'a BTreeMap<ItemId, Position>>,
    /// Items on the wall this participant liked.
    pub liked: Vec<ItemId>,
}

/// The prompt on the projector's stage, as a `screen_changed` hands it to the screen: the
/// same fields, filtered the same way, as the screen's welcome.
#[derive(Debug, Serialize)]
pub struct Stage<'a> {
    /// The prompt on the stage ([`Session::screen_prompt`]), if any.
    pub prompt: Option<PromptView<'a>>,
    /// Its visible items (no authors, no history).
    pub items: Vec<ItemView<'a>>,
    /// Its results, by prompt id, when public.
    pub results: BTreeMap<&'a str, Results>,
}

impl<'a> Stage<'a> {
    /// The screen's stage in `session` now.
    pub fn new(session: &'a Session) -> Self {
        let prompt = session.screen_prompt();
        Self {
            prompt: prompt.map(|p| PromptView::new(session, p)),
            items: prompt
                .map(|p| {
                    session
                        .visible_items(&p.id)
                        .map(|i| ItemView::new(session, i, Role::Screen))
                        .collect()
                })
                .unwrap_or_default(),
            results: visible_results(session, Role::Screen),
        }
    }
}
