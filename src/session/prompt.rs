//! Prompts: what the facilitator asks, as which activity (see [`super::activity`]), with
//! which display settings, and where each prompt is in its life.

use serde::{Deserialize, Serialize};

use super::types::*;
use super::{validate_translations, Activity, Rejection, Theme, Translations};

/// Who sees a poll's, scale's or vote's results besides the facilitator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ResultsVisibility {
    /// Projector and phones see results as they come in.
    #[default]
    Live,
    /// Shown once the prompt closes (no herding while answering).
    AfterClose,
    /// Only the facilitator sees them.
    Hidden,
}

/// What the facilitator writes when preparing a prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromptDraft {
    /// The activity and its settings: `"kind": "brainstorm"`, `"poll"`, `"scale"`,
    /// `"word_cloud"` or `"dot_vote"`, with that kind's fields beside it.
    #[serde(flatten)]
    pub activity: Activity,
    /// The question itself, shown large.
    pub title: String,
    /// How to answer ("Write one actor at a time and press Send.").
    #[serde(default)]
    pub instructions: String,
    /// Optional time box, in seconds, shown as a countdown.
    #[serde(default)]
    pub time_limit_secs: Option<u32>,
    /// Close by itself when the time box runs out.
    #[serde(default)]
    pub auto_close: bool,
    /// Each group sees (on phones) only its own group's items, and must pick a group to answer.
    #[serde(default)]
    pub per_group: bool,
    /// Items reach the projector and the wall only once the facilitator approves them.
    #[serde(default)]
    pub premoderation: bool,
    /// Phones see everyone's items live (and may like them), not only their own.
    #[serde(default)]
    pub wall: bool,
    /// Who sees results (polls, scales, word clouds, votes) besides the facilitator. Also read
    /// as `results`, its earlier name, so a hidden setting never turns public on upgrade.
    #[serde(default, alias = "results")]
    pub show_results: ResultsVisibility,
    /// Brainstorms with columns: phones forget the chosen column after each Send, so every
    /// item's column is picked anew (for "one actor at a time, each in its column" tasks).
    #[serde(default)]
    pub reset_column: bool,
    /// The template prompt this one was made from: its id in the series' (or agenda file's)
    /// agenda, e.g. `"p2"`. The comparison report matches prompts across sessions by it, so
    /// a retitled question still lines up. Omitted when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// The prompt's texts in the session's other languages (see [`super::translation`]);
    /// the fields above are the main language's. Omitted when none.
    #[serde(default, skip_serializing_if = "Translations::is_empty")]
    pub translations: Translations,
}

/// Where a prompt is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromptState {
    /// Prepared on the agenda, not yet shown to anyone but the facilitator.
    Draft,
    /// On every phone and accepting answers.
    Open,
    /// Shown as closed; answers are refused.
    Closed,
}

/// A prompt on the session's agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    /// `p1`, `p2`, … in order of creation; never reused.
    pub id: PromptId,
    /// The content and settings.
    #[serde(flatten)]
    pub draft: PromptDraft,
    /// Draft, open or closed.
    pub state: PromptState,
    /// Read-only for participants while set (the prompt stays on their phones).
    #[serde(default)]
    pub locked: bool,
    /// When it was added.
    pub created_at: Millis,
    /// When it was last opened.
    pub opened_at: Option<Millis>,
    /// When it was last closed.
    pub closed_at: Option<Millis>,
    /// When the time box runs out (opened_at + time box + added time), on the server's clock.
    #[serde(default)]
    pub closes_at: Option<Millis>,
    /// For a dot vote: the items on the ballot, in a frozen order, fixed when it opened.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ballot: Vec<ItemId>,
    /// A brainstorm's themes, in the facilitator's order (see [`super::themes`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub themes: Vec<Theme>,
    /// The projector lays the prompt's items out under their themes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_theme: bool,
}

impl Prompt {
    /// Whether participants may answer it now.
    pub fn accepting(&self) -> Result<(), Rejection> {
        match self.state {
            PromptState::Open if self.locked => Err(Rejection::PromptLocked),
            PromptState::Open => Ok(()),
            PromptState::Closed => Err(Rejection::PromptClosed),
            PromptState::Draft => Err(Rejection::PromptNotOpen),
        }
    }

    /// Whether non-facilitators may see its results now.
    pub fn results_public(&self) -> bool {
        match self.draft.show_results {
            ResultsVisibility::Live => true,
            ResultsVisibility::AfterClose => self.state == PromptState::Closed,
            ResultsVisibility::Hidden => false,
        }
    }
}

fn invalid(reason: &'static str) -> Rejection {
    Rejection::InvalidPrompt(reason)
}

/// Checks and cleans a facilitator's draft. Cross-prompt rules (a dot vote's source) are
/// checked by the session.
pub fn validate_draft(draft: &PromptDraft) -> Result<PromptDraft, Rejection> {
    let title = clean_text(&draft.title, PROMPT_TITLE_MAX).map_err(|r| match r {
        Rejection::TextEmpty => invalid("the question is empty"),
        _ => invalid("the question is longer than 500 characters"),
    })?;
    let instructions = match clean_text(&draft.instructions, PROMPT_INSTRUCTIONS_MAX) {
        Ok(text) => text,
        Err(Rejection::TextEmpty) => String::new(),
        Err(_) => return Err(invalid("the instructions are longer than 2000 characters")),
    };
    if let Some(secs) = draft.time_limit_secs {
        if !(TIME_LIMIT_MIN_SECS..=TIME_LIMIT_MAX_SECS).contains(&secs) {
            return Err(invalid(
                "the time box must be between 10 seconds and 3 hours",
            ));
        }
    }
    let activity = draft.activity.validate()?;
    if draft.per_group && !activity.takes_items() {
        return Err(invalid("only brainstorms and word clouds can be per group"));
    }
    let questions = matches!(activity, Activity::Questions(_));
    if questions {
        super::activity::check_draft(draft.per_group)?;
    }
    Ok(PromptDraft {
        title,
        instructions,
        time_limit_secs: draft.time_limit_secs,
        auto_close: draft.auto_close && draft.time_limit_secs.is_some(),
        per_group: draft.per_group,
        premoderation: draft.premoderation,
        // Phones always see a questions prompt's approved questions (to upvote them).
        wall: draft.wall || questions,
        show_results: draft.show_results,
        // Stored only where it means something, as `auto_close` without a time box is not.
        reset_column: draft.reset_column
            && matches!(&activity, Activity::Brainstorm(b) if !b.columns.is_empty()),
        template: validate_template(draft.template.as_deref())?,
        translations: validate_translations(&draft.translations, &activity)?,
        activity,
    })
}

/// A template reference as stored: trimmed, empty meaning none, at most [`TEMPLATE_REF_MAX`]
/// characters of letters, digits, `-`, `_` and `@` (prompt ids and `@N` places).
fn validate_template(raw: Option<&str>) -> Result<Option<String>, Rejection> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let ok = raw.chars().count() <= TEMPLATE_REF_MAX
        && raw
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '@'));
    if !ok {
        return Err(invalid("the template reference is not a prompt id"));
    }
    Ok(Some(raw.to_owned()))
}
