//! What the comparison shows, decided once for every format: the sessions, the prompts they
//! share (each session side by side), polls and scales as grouped bars, the recurring items
//! and themes, and every item of every session for pivot tables.
//!
//! Prompts are matched by the series template's prompt (`PromptDraft.template`) when both
//! have one, else by kind and folded title. Items and themes recur when their matching keys
//! ([`match_key`]: folded and stemmed) are equal in two or more sessions. Only visible items
//! count (not hidden, approved, not merged away), as the projector and each session's own
//! report count them; erased items are gone from the session already.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::export::{activity, tables, ExportError};
use crate::session::{Activity, Item, Language, Millis, Prompt, PromptState, Results, Session};

use super::sources;
use super::CompareOptions;

/// Most top-voted items or themes shown per prompt and session.
pub const TOP_MAX: usize = 5;

/// The whole comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The report's title.
    pub title: String,
    /// The language of headings (`fi`, `sv`, `en`).
    pub lang: Language,
    /// The sessions, in the order given.
    pub sessions: Vec<SessionFacts>,
    /// The prompts two or more sessions share (all prompts when there is one session).
    pub prompts: Vec<SharedPrompt>,
    /// Items and themes raised in two or more sessions, the most widespread first.
    pub recurring: Vec<Recurring>,
    /// Every visible item of every session, session by session in agenda order.
    pub items: Vec<ItemRow>,
}

/// One session's facts.
#[derive(Debug, Clone, Serialize)]
pub struct SessionFacts {
    /// Its short name.
    pub name: String,
    /// Its title.
    pub title: String,
    /// The day it was held (its first opened prompt), `2018-05-24`.
    pub date: String,
    /// Everyone who took part (as the session's own report counts them).
    pub participants: usize,
    /// Its visible items over all prompts.
    pub items: usize,
}

/// A prompt the sessions share.
#[derive(Debug, Clone, Serialize)]
pub struct SharedPrompt {
    /// The series template's prompt id, when the sessions were made from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// The question, as the first session having it words it.
    pub title: String,
    /// The kind's wire name (`brainstorm`, `poll`, …).
    pub kind: &'static str,
    /// Per session (aligned with [`Comparison::sessions`]): its side, `None` when it lacks
    /// the prompt.
    pub sessions: Vec<Option<Side>>,
    /// A poll's or scale's results as grouped bars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bars: Option<Bars>,
}

/// One session's side of a shared prompt.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// The prompt's id in that session.
    pub prompt: String,
    /// Its 1-based place in that session's agenda.
    pub place: usize,
    /// Its question as that session words it.
    pub title: String,
    /// Visible items (`None` for kinds answered with choices, not items).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<usize>,
    /// Who took part in it (sent, liked, voted, rated, placed a dot).
    pub participants: usize,
    /// Its themes with how many visible items each holds, in the facilitator's order.
    pub themes: Vec<Counted>,
    /// The items or themes dot votes on this prompt ranked highest (with dots).
    pub top: Vec<Counted>,
    /// The facilitator's notes on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A text with a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counted {
    /// The text.
    pub text: String,
    /// Items in a theme, or dots on a voted item or theme.
    pub count: u64,
}

/// Grouped bars: a row per option or statement, a bar per session.
#[derive(Debug, Clone, Serialize)]
pub struct Bars {
    /// `share` (a poll: votes over voters) or `mean` (a scale: mean rating).
    pub unit: BarUnit,
    /// A scale's highest value (a poll's bars run to 100 %).
    pub max: u8,
    /// Per session, how many answered.
    pub answered: Vec<Option<usize>>,
    /// The options or statements.
    pub rows: Vec<BarRow>,
}

/// What a bar measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BarUnit {
    /// Votes for an option over the voters (0–1).
    Share,
    /// Mean rating of a statement (1–max).
    Mean,
}

/// One option or statement.
#[derive(Debug, Clone, Serialize)]
pub struct BarRow {
    /// The option or statement.
    pub label: String,
    /// Per session: the value, or `None` when it lacks the option or nobody rated it.
    pub values: Vec<Option<BarValue>>,
}

/// One bar.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BarValue {
    /// The share (0–1) or the mean.
    pub value: f64,
    /// Votes for the option, or how many rated the statement.
    pub count: usize,
}

/// An item or theme raised in several sessions.
#[derive(Debug, Clone, Serialize)]
pub struct Recurring {
    /// The most common way it was written.
    pub label: String,
    /// `item` or `theme`.
    pub kind: RecurringKind,
    /// Per session (aligned with [`Comparison::sessions`]): how many items (an item's
    /// repeats, or a theme's items), `None` when it did not come up there.
    pub sessions: Vec<Option<usize>>,
}

/// Whether a recurring entry is an item's text or a theme's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecurringKind {
    /// Items with the same text (after folding and stemming).
    Item,
    /// Themes with the same name.
    Theme,
}

impl Recurring {
    /// In how many sessions it came up.
    pub fn spread(&self) -> usize {
        self.sessions.iter().flatten().count()
    }

    /// How many items over all sessions.
    pub fn total(&self) -> usize {
        self.sessions.iter().flatten().sum()
    }
}

/// One visible item, for the all-items sheet and the CSV.
#[derive(Debug, Clone, Serialize)]
pub struct ItemRow {
    /// The session's index in [`Comparison::sessions`].
    pub session: usize,
    /// The prompt's place in its session's agenda.
    pub place: usize,
    /// The prompt's question.
    pub prompt: String,
    /// The series template's prompt id, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// The text.
    pub text: String,
    /// Its theme's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    /// Its column's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Its group's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Its author's pseudonym.
    pub participant: String,
    /// When it arrived (ms since the epoch; ISO 8601 in UTC in the JSON, as in the session
    /// export).
    #[serde(serialize_with = "iso")]
    pub created_at: Millis,
    /// Likes on the wall.
    pub likes: usize,
    /// Dots over every dot vote on its prompt.
    pub dots: u32,
}

impl SharedPrompt {
    /// Whether any session's side has something for this row: items, themes, top-voted,
    /// notes (the renderers leave out rows that would be empty everywhere).
    pub fn any(&self, has: impl Fn(&Side) -> bool) -> bool {
        self.sessions.iter().flatten().any(has)
    }
}

impl Comparison {
    /// Builds the comparison of `sessions` (in the order given).
    pub fn new(sessions: &[&Session], options: &CompareOptions) -> Result<Comparison, ExportError> {
        let labels = super::labels::labels(options.lang);
        let mut facts = Vec::with_capacity(sessions.len());
        for session in sessions {
            facts.push(session_facts(session, options)?);
        }
        let title = options
            .title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .or_else(|| sources::series_title(sessions))
            .unwrap_or_else(|| labels.default_title.to_owned());
        let prompts = match_prompts(sessions)
            .into_iter()
            .filter(|m| sessions.len() < 2 || m.iter().flatten().count() >= 2)
            .map(|m| shared_prompt(sessions, &m))
            .collect();
        Ok(Comparison {
            title,
            lang: options.lang,
            sessions: facts,
            prompts,
            recurring: recurring(sessions),
            items: item_rows(sessions),
        })
    }
}

fn session_facts(session: &Session, options: &CompareOptions) -> Result<SessionFacts, ExportError> {
    let export_options = crate::export::Options {
        time_zone: options.time_zone.clone(),
        hidden: Some(false),
        ..crate::export::Options::default()
    };
    let view = crate::export::View::new(session, crate::export::Format::Html, &export_options)?;
    let date = view.local(view.held_at()).date();
    Ok(SessionFacts {
        name: session.meta.slug.to_string(),
        title: session.meta.title.clone(),
        date: date.to_string(),
        participants: tables::participants(&view).len(),
        items: session.items().iter().filter(|i| i.is_visible()).count(),
    })
}

/// Per matched prompt, each session's prompt index (aligned with `sessions`).
type Matched = Vec<Option<usize>>;

/// Groups the sessions' prompts: first session's agenda order, then each later session's
/// prompts that matched nothing earlier. A session contributes at most one prompt per group.
fn match_prompts(sessions: &[&Session]) -> Vec<Matched> {
    let mut groups: Vec<(Matched, &Prompt)> = Vec::new();
    for (s, session) in sessions.iter().enumerate() {
        for (p, prompt) in session.prompts().iter().enumerate() {
            let found = groups
                .iter()
                .position(|(m, first)| m[s].is_none() && same_prompt(first, prompt));
            match found {
                Some(g) => groups[g].0[s] = Some(p),
                None => {
                    let mut m = vec![None; sessions.len()];
                    m[s] = Some(p);
                    groups.push((m, prompt));
                }
            }
        }
    }
    groups.into_iter().map(|(m, _)| m).collect()
}

/// Same template prompt when both have one; else the same kind and folded title.
fn same_prompt(a: &Prompt, b: &Prompt) -> bool {
    match (sources::template(a), sources::template(b)) {
        (Some(x), Some(y)) => x == y,
        _ => {
            a.draft.activity.kind() == b.draft.activity.kind()
                && crate::session::normalize_word(&a.draft.title)
                    == crate::session::normalize_word(&b.draft.title)
        }
    }
}

fn shared_prompt(sessions: &[&Session], matched: &Matched) -> SharedPrompt {
    let prompts: Vec<Option<&Prompt>> = matched
        .iter()
        .zip(sessions)
        .map(|(at, s)| at.map(|p| &s.prompts()[p]))
        .collect();
    let first = prompts.iter().flatten().next().copied();
    let (title, kind, template) = first
        .map(|p| {
            (
                p.draft.title.clone(),
                p.draft.activity.kind(),
                sources::template(p).map(str::to_owned),
            )
        })
        .unwrap_or_default();
    SharedPrompt {
        template,
        title,
        kind,
        sessions: prompts
            .iter()
            .zip(sessions)
            .map(|(p, s)| p.map(|p| side(s, p)))
            .collect(),
        bars: super::bars::bars(sessions, &prompts),
    }
}

fn side(session: &Session, prompt: &Prompt) -> Side {
    Side {
        prompt: prompt.id.0.clone(),
        place: tables::place(session, prompt),
        title: prompt.draft.title.clone(),
        items: prompt
            .draft
            .activity
            .takes_items()
            .then(|| session.visible_items(&prompt.id).count()),
        participants: tables::respondents(session, prompt).len(),
        themes: sources::themes(session, prompt),
        top: top_voted(session, prompt),
        notes: sources::notes(session, prompt),
    }
}

/// The items or themes that the opened dot votes on `source` ranked highest, dots summed
/// over the votes, most dots first; hidden items are left out.
fn top_voted(session: &Session, source: &Prompt) -> Vec<Counted> {
    let mut dots: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    let votes = session.prompts().iter().filter(|p| {
        p.state != PromptState::Draft
            && matches!(p.draft.activity, Activity::DotVote(_))
            && p.draft.activity.ballot_source() == Some(&source.id)
    });
    for vote in votes {
        if let Results::DotVote { ranking, .. } = session.results(vote) {
            for r in ranking {
                let hidden = session.item(&r.item_id).is_some_and(|i| i.hidden);
                if r.dots > 0 && !hidden {
                    let next = dots.len();
                    dots.entry(r.text).or_insert((next, 0)).1 += u64::from(r.dots);
                }
            }
        }
    }
    let mut top: Vec<(String, (usize, u64))> = dots.into_iter().collect();
    top.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then(a.1 .0.cmp(&b.1 .0)));
    top.into_iter()
        .take(TOP_MAX)
        .map(|(text, (_, count))| Counted { text, count })
        .collect()
}

/// Per key: the kind, its surface forms with counts, and its count per session.
struct Tally {
    /// Each surface form (whitespace collapsed): how often, and when first seen.
    forms: BTreeMap<String, (usize, usize)>,
    first: usize,
    sessions: Vec<Option<usize>>,
}

/// Items and themes raised in two or more sessions, the most widespread first, then the
/// most items, then the first raised.
fn recurring(sessions: &[&Session]) -> Vec<Recurring> {
    let mut tally: BTreeMap<(RecurringKind, String), Tally> = BTreeMap::new();
    let mut add = |kind, s: usize, language, text: &str, n: usize| {
        let key = sources::match_key(text, language);
        if key.is_empty() {
            return;
        }
        let next = tally.len();
        let entry = tally.entry((kind, key)).or_insert_with(|| Tally {
            forms: BTreeMap::new(),
            first: next,
            sessions: vec![None; sessions.len()],
        });
        let form = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let seen = entry.forms.len();
        entry.forms.entry(form).or_insert((0, seen)).0 += 1;
        *entry.sessions[s].get_or_insert(0) += n;
    };
    for (s, session) in sessions.iter().enumerate() {
        let language = session.meta.language;
        for item in session.items().iter().filter(|i| i.is_visible()) {
            add(RecurringKind::Item, s, language, &item.text, 1);
        }
        for prompt in session.prompts() {
            for theme in sources::themes(session, prompt) {
                let n = usize::try_from(theme.count).unwrap_or(usize::MAX);
                add(RecurringKind::Theme, s, language, &theme.text, n);
            }
        }
    }
    let mut found: Vec<(usize, Recurring)> = tally
        .into_iter()
        .filter(|(_, t)| t.sessions.iter().flatten().count() >= 2)
        .map(|((kind, _), t)| (t.first, recurring_entry(kind, t)))
        .collect();
    found.sort_by(|(a_first, a), (b_first, b)| {
        b.spread()
            .cmp(&a.spread())
            .then(b.total().cmp(&a.total()))
            .then(a_first.cmp(b_first))
    });
    found.into_iter().map(|(_, r)| r).collect()
}

fn recurring_entry(kind: RecurringKind, t: Tally) -> Recurring {
    // The most common surface form; on a tie the one raised first.
    let label = t
        .forms
        .iter()
        .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
        .map(|(form, _)| form.clone())
        .unwrap_or_default();
    Recurring {
        label,
        kind,
        sessions: t.sessions,
    }
}

fn item_rows(sessions: &[&Session]) -> Vec<ItemRow> {
    let mut rows = Vec::new();
    for (s, session) in sessions.iter().enumerate() {
        let dots = activity::dots_per_item(session);
        for prompt in session.prompts() {
            let place = tables::place(session, prompt);
            for item in session.visible_items(&prompt.id) {
                rows.push(item_row(session, prompt, item, s, place, &dots));
            }
        }
    }
    rows
}

fn item_row(
    session: &Session,
    prompt: &Prompt,
    item: &Item,
    s: usize,
    place: usize,
    dots: &BTreeMap<crate::session::ItemId, u32>,
) -> ItemRow {
    ItemRow {
        session: s,
        place,
        prompt: prompt.draft.title.clone(),
        template: sources::template(prompt).map(str::to_owned),
        text: item.text.clone(),
        theme: sources::item_theme(session, item),
        column: tables::column_name(prompt, item).map(str::to_owned),
        group: tables::group_name(session, item.group.as_ref()).map(str::to_owned),
        participant: session.pseudonym(&item.participant),
        created_at: item.created_at,
        likes: session.like_count(item),
        dots: dots.get(&item.id).copied().unwrap_or(0),
    }
}

fn iso<S: serde::Serializer>(ms: &Millis, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::export::iso8601(*ms))
}
