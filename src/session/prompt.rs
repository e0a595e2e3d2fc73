//! Prompts: what the facilitator asks, as which activity, with which settings.

use serde::{Deserialize, Serialize};

use super::types::*;
use super::Rejection;

/// Most columns a brainstorm may have: six fit side by side on a projector.
pub const MAX_COLUMNS: usize = 6;
/// Longest column name, in characters.
pub const COLUMN_NAME_MAX: usize = 60;
/// Fewest and most poll options.
pub const POLL_OPTIONS: std::ops::RangeInclusive<usize> = 2..=12;
/// Longest poll option or scale statement, in characters.
pub const OPTION_MAX: usize = 200;
/// Most statements on one scale prompt.
pub const MAX_STATEMENTS: usize = 10;
/// Allowed scale sizes (1–N).
pub const SCALE_SIZES: std::ops::RangeInclusive<u8> = 3..=10;
/// Longest scale end label.
pub const SCALE_LABEL_MAX: usize = 60;
/// Most word-cloud answers one participant may give.
pub const WORDCLOUD_MAX_ANSWERS: u8 = 3;
/// Longest word-cloud answer, in characters: a word or a short phrase.
pub const WORDCLOUD_TEXT_MAX: usize = 40;
/// Most dots one participant may be given.
pub const MAX_DOTS: u32 = 20;

/// What kind of activity a prompt is, with its own settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Activity {
    /// Participants send short free-text items, one at a time, optionally into named columns.
    Brainstorm {
        /// 0 to 6 column names; with columns, each item goes into one.
        #[serde(default)]
        columns: Vec<String>,
    },
    /// Single or multiple choice.
    Poll {
        /// 2 to 12 options.
        options: Vec<String>,
        /// Several options may be chosen.
        #[serde(default)]
        multiple: bool,
        /// A participant may change their answer while the poll is open.
        #[serde(default)]
        may_change: bool,
    },
    /// One or more statements rated 1–N.
    Scale {
        /// The statements.
        statements: Vec<String>,
        /// N, from 3 to 10.
        max: u8,
        /// Label of 1 ("not at all").
        #[serde(default)]
        min_label: String,
        /// Label of N ("very well").
        #[serde(default)]
        max_label: String,
    },
    /// Up to three short answers each, shown as words sized by frequency.
    WordCloud {
        /// Answers per participant, 1 to 3.
        #[serde(default = "default_max_answers")]
        max_answers: u8,
    },
    /// Participants spend dots on the items of an earlier prompt.
    DotVote {
        /// The prompt whose items are voted on.
        source: PromptId,
        /// Dots per participant.
        dots: u32,
        /// Most dots one participant may put on one item.
        max_per_item: u32,
    },
}

fn default_max_answers() -> u8 {
    WORDCLOUD_MAX_ANSWERS
}

impl Default for Activity {
    fn default() -> Self {
        Activity::Brainstorm {
            columns: Vec::new(),
        }
    }
}

impl Activity {
    /// Whether participants answer with items (texts) rather than choices.
    pub fn takes_items(&self) -> bool {
        matches!(
            self,
            Activity::Brainstorm { .. } | Activity::WordCloud { .. }
        )
    }

    /// The wire name of the kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Activity::Brainstorm { .. } => "brainstorm",
            Activity::Poll { .. } => "poll",
            Activity::Scale { .. } => "scale",
            Activity::WordCloud { .. } => "word_cloud",
            Activity::DotVote { .. } => "dot_vote",
        }
    }
}

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

/// Cleans a list of labels (options, statements, columns), each 1..=max characters.
fn clean_labels(
    labels: &[String],
    max: usize,
    what: &'static str,
) -> Result<Vec<String>, Rejection> {
    labels
        .iter()
        .map(|label| clean_text(label, max).map_err(|_| invalid(what)))
        .collect()
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
    let activity = match &draft.activity {
        Activity::Brainstorm { columns } => {
            if columns.len() > MAX_COLUMNS {
                return Err(invalid("a brainstorm has at most 6 columns"));
            }
            Activity::Brainstorm {
                columns: clean_labels(
                    columns,
                    COLUMN_NAME_MAX,
                    "a column name must be 1–60 characters",
                )?,
            }
        }
        Activity::Poll {
            options,
            multiple,
            may_change,
        } => {
            if !POLL_OPTIONS.contains(&options.len()) {
                return Err(invalid("a poll has 2 to 12 options"));
            }
            Activity::Poll {
                options: clean_labels(options, OPTION_MAX, "an option must be 1–200 characters")?,
                multiple: *multiple,
                may_change: *may_change,
            }
        }
        Activity::Scale {
            statements,
            max,
            min_label,
            max_label,
        } => {
            if statements.is_empty() || statements.len() > MAX_STATEMENTS {
                return Err(invalid("a scale has 1 to 10 statements"));
            }
            if !SCALE_SIZES.contains(max) {
                return Err(invalid("a scale runs from 1 to between 3 and 10"));
            }
            let label = |l: &String| match clean_text(l, SCALE_LABEL_MAX) {
                Ok(t) => Ok(t),
                Err(Rejection::TextEmpty) => Ok(String::new()),
                Err(_) => Err(invalid("a scale label is at most 60 characters")),
            };
            Activity::Scale {
                statements: clean_labels(
                    statements,
                    OPTION_MAX,
                    "a statement must be 1–200 characters",
                )?,
                max: *max,
                min_label: label(min_label)?,
                max_label: label(max_label)?,
            }
        }
        Activity::WordCloud { max_answers } => {
            if !(1..=WORDCLOUD_MAX_ANSWERS).contains(max_answers) {
                return Err(invalid("a word cloud takes 1 to 3 answers each"));
            }
            Activity::WordCloud {
                max_answers: *max_answers,
            }
        }
        Activity::DotVote {
            source,
            dots,
            max_per_item,
        } => {
            if !(1..=MAX_DOTS).contains(dots) {
                return Err(invalid("each participant gets 1 to 20 dots"));
            }
            if *max_per_item == 0 || max_per_item > dots {
                return Err(invalid("dots per item must be between 1 and the dots each"));
            }
            Activity::DotVote {
                source: source.clone(),
                dots: *dots,
                max_per_item: *max_per_item,
            }
        }
    };
    if draft.per_group && !activity.takes_items() {
        return Err(invalid("only brainstorms and word clouds can be per group"));
    }
    Ok(PromptDraft {
        title,
        instructions,
        time_limit_secs: draft.time_limit_secs,
        auto_close: draft.auto_close && draft.time_limit_secs.is_some(),
        per_group: draft.per_group,
        premoderation: draft.premoderation,
        wall: draft.wall,
        show_results: draft.show_results,
        // Stored only where it means something, as `auto_close` without a time box is not.
        reset_column: draft.reset_column
            && matches!(&activity, Activity::Brainstorm { columns } if !columns.is_empty()),
        activity,
    })
}
