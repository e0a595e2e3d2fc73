//! One module per activity kind: each gives its results table (CSV and workbook), its report
//! section (the [`Body`] both report renderers lay out, and how HTML and Markdown lay it out),
//! its JSON answers and who answered it.
//!
//! This file only dispatches, with exhaustive matches and no `_` arm, so a new kind does not
//! compile until it has its export module; before, it compiled and quietly printed "No
//! answers." and dropped its answers from the JSON. Every match on [`Activity`] and every
//! read of [`Session::answers`] in the exports is here or in a kind's module.

pub mod brainstorm;
pub mod dot_vote;
pub mod matrix;
pub mod poll;
pub mod questions;
pub mod scale;
pub mod themes;
pub mod word_cloud;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::session::{Activity, Item, ItemId, ParticipantId, Prompt, Session};

use super::report::html::escape;
use super::report::Labels;
use super::tables::Table;
use super::words::Words;
use super::View;
use crate::session::document::AnswerDoc;

/// A prompt's results in the report, by kind, decided once for the HTML and the Markdown.
#[derive(Debug)]
pub enum Body<'a> {
    /// Nothing to show, and the sentence that says why (never opened, or nobody answered).
    Nothing(&'static str),
    /// A brainstorm's items by column and group.
    Brainstorm(brainstorm::Items<'a>),
    /// A poll's bars, how many answered and a note on multiple choice.
    Poll(poll::Bars<'a>),
    /// A scale's distributions, then the labels of its ends.
    Scale(scale::Ratings<'a>),
    /// A word cloud, how many answered and the hidden answers.
    WordCloud(word_cloud::Cloud<'a>),
    /// A dot vote's ranking: what was voted on, the ranking, how many voted.
    DotVote(dot_vote::Ranking),
    /// A matrix's chart and numbers: what was placed, the items, how many placed.
    Matrix(matrix::Chart<'a>),
    /// Questions to the speaker: ranked, with votes and answered.
    Questions(questions::List<'a>),
}

/// The name of a prompt's activity in the language of `w`.
pub fn kind_name(w: &Words, activity: &Activity) -> &'static str {
    match activity {
        Activity::Brainstorm(_) => w.kinds[0],
        Activity::Poll(_) => w.kinds[1],
        Activity::Scale(_) => w.kinds[2],
        Activity::WordCloud(_) => w.kinds[3],
        Activity::DotVote(_) => w.kinds[4],
        Activity::Matrix(_) => w.kinds[5],
        Activity::Questions(_) => w.kinds[6],
    }
}

/// The name of the brainstorm column an item was sent to, if any.
pub fn column_name<'a>(prompt: &'a Prompt, item: &Item) -> Option<&'a str> {
    match &prompt.draft.activity {
        Activity::Brainstorm(b) => brainstorm::column_name(&b.columns, item),
        Activity::Poll(_)
        | Activity::Scale(_)
        | Activity::WordCloud(_)
        | Activity::DotVote(_)
        | Activity::Matrix(_)
        | Activity::Questions(_) => None,
    }
}

/// A prompt's results as a table: poll (option, votes, share), scale (statement, n, mean,
/// then how many gave each value 1..N), word cloud (word, count), dot vote (place, item,
/// dots). `None` for a brainstorm, whose items are its result.
///
/// A prompt never opened has the headings and no rows (a poll's options are not listed with
/// zero votes that nobody could have cast). Word-cloud words count what the projector showed
/// (hidden and merged answers are not counted, whichever the export's hidden option); a
/// dot-vote item hidden after the vote is left out of the ranking when hidden items are out.
pub fn results_table(view: &View<'_>, prompt: &Prompt) -> Option<Table> {
    let w = super::words::words(view.language);
    let results = view.results(prompt);
    match &prompt.draft.activity {
        Activity::Brainstorm(_) => None,
        Activity::Poll(p) => Some(poll::table(w, &p.options, results)),
        Activity::Scale(s) => Some(scale::table(
            w,
            &s.statements,
            s.max,
            (&s.min_label, &s.max_label),
            results,
        )),
        Activity::WordCloud(_) => Some(word_cloud::table(w, results)),
        Activity::DotVote(d) => Some(dot_vote::table(view, w, d, results)),
        Activity::Matrix(m) => Some(matrix::table(view, w, (&m.x, &m.y), results)),
        Activity::Questions(_) => Some(questions::table(view, prompt)),
    }
}

/// A prompt's report section: what it shows, or why it shows nothing (never opened, or
/// nobody answered).
pub fn body<'a>(view: &View<'a>, l: &'static Labels, prompt: &'a Prompt) -> Body<'a> {
    let Some(results) = view.results(prompt) else {
        return Body::Nothing(l.not_opened);
    };
    let body = match &prompt.draft.activity {
        Activity::Brainstorm(b) => {
            brainstorm::section(view, l, prompt, &b.columns).map(Body::Brainstorm)
        }
        Activity::Poll(p) => poll::section(l, &p.options, p.multiple, results).map(Body::Poll),
        Activity::Scale(s) => scale::section(
            l,
            &s.statements,
            s.max,
            (&s.min_label, &s.max_label),
            results,
        )
        .map(Body::Scale),
        Activity::WordCloud(_) => {
            word_cloud::section(view, l, prompt, results).map(Body::WordCloud)
        }
        Activity::DotVote(d) => dot_vote::section(view, l, d, results).map(Body::DotVote),
        Activity::Matrix(m) => {
            matrix::section(view, l, (&m.source, &m.x, &m.y), results).map(Body::Matrix)
        }
        Activity::Questions(_) => questions::section(view, l, prompt).map(Body::Questions),
    };
    body.unwrap_or(Body::Nothing(l.no_answers))
}

/// A section's results in the HTML page.
pub fn html(out: &mut String, l: &Labels, body: &Body<'_>) {
    match body {
        Body::Nothing(why) => {
            let _ = writeln!(out, "<p class=\"none\">{}</p>", escape(why));
        }
        Body::Brainstorm(items) => brainstorm::html(out, l, items),
        Body::Poll(bars) => poll::html(out, l, bars),
        Body::Scale(ratings) => scale::html(out, l, ratings),
        Body::WordCloud(cloud) => word_cloud::html(out, l, cloud),
        Body::DotVote(ranking) => dot_vote::html(out, l, ranking),
        Body::Matrix(chart) => matrix::html(out, l, chart),
        Body::Questions(list) => questions::html(out, l, list),
    }
}

/// A section's results in the Markdown document.
pub fn md(out: &mut String, l: &Labels, body: &Body<'_>) {
    match body {
        Body::Nothing(why) => {
            out.push('\n');
            out.push_str(why);
            out.push('\n');
        }
        Body::Brainstorm(items) => brainstorm::md(out, l, items),
        Body::Poll(bars) => poll::md(out, l, bars),
        Body::Scale(ratings) => scale::md(out, l, ratings),
        Body::WordCloud(cloud) => word_cloud::md(out, l, cloud),
        Body::DotVote(ranking) => dot_vote::md(out, l, ranking),
        Body::Matrix(chart) => matrix::md(out, l, chart),
        Body::Questions(list) => questions::md(out, l, list),
    }
}

/// Everyone's answers to `prompt` for the JSON document, in no particular order; adds who
/// answered to `participants`. A dot vote names only `included` items (and leaves out a
/// participant whose dots were all on left-out ones). Brainstorms and word clouds are
/// answered with items, which the document lists on their own.
pub fn answers(
    session: &Session,
    prompt: &Prompt,
    included: &BTreeSet<ItemId>,
    participants: &mut BTreeSet<ParticipantId>,
) -> Vec<AnswerDoc> {
    match &prompt.draft.activity {
        Activity::Brainstorm(_) | Activity::WordCloud(_) | Activity::Questions(_) => Vec::new(),
        Activity::Poll(_) => poll::answers(session, &prompt.id, participants),
        Activity::Scale(_) => scale::answers(session, &prompt.id, participants),
        Activity::DotVote(_) => dot_vote::answers(session, &prompt.id, included, participants),
        Activity::Matrix(_) => matrix::answers(session, &prompt.id, included, participants),
    }
}

/// Adds to `who` everyone who voted, rated or placed a dot on `prompt` (items and likes are
/// counted by the caller, the same for every kind).
pub fn respondents(session: &Session, prompt: &Prompt, who: &mut BTreeSet<ParticipantId>) {
    match &prompt.draft.activity {
        Activity::Brainstorm(_) | Activity::WordCloud(_) | Activity::Questions(_) => {}
        Activity::Poll(_) => poll::respondents(session, &prompt.id, who),
        Activity::Scale(_) => scale::respondents(session, &prompt.id, who),
        Activity::DotVote(_) => dot_vote::respondents(session, &prompt.id, who),
        Activity::Matrix(_) => matrix::respondents(session, prompt, who),
    }
}

/// Dots each item received over every dot vote on its prompt (merged duplicates counted with
/// the item they were merged into).
pub fn dots_per_item(session: &Session) -> BTreeMap<ItemId, u32> {
    let mut dots = BTreeMap::new();
    for prompt in session.prompts() {
        match &prompt.draft.activity {
            Activity::DotVote(_) => dot_vote::add_dots(session, prompt, &mut dots),
            Activity::Brainstorm(_)
            | Activity::Poll(_)
            | Activity::Scale(_)
            | Activity::WordCloud(_)
            | Activity::Matrix(_)
            | Activity::Questions(_) => {}
        }
    }
    dots
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::fixture;
    use crate::export::report::labels;
    use crate::export::{Format, Options};
    use crate::session::Language;

    #[test]
    fn every_kind_reaches_its_own_module() {
        let w = fixture::report_workshop();
        let view = w.view(Format::Html, &Options::default());
        let l = labels(Language::Fi);
        let shapes: Vec<(&str, bool, &str)> = view.prompts[..5]
            .iter()
            .map(|p| {
                let body = match body(&view, l, p) {
                    Body::Nothing(_) => "nothing",
                    Body::Brainstorm(_) => "brainstorm",
                    Body::Poll(_) => "poll",
                    Body::Scale(_) => "scale",
                    Body::WordCloud(_) => "word_cloud",
                    Body::DotVote(_) => "dot_vote",
                    Body::Matrix(_) => "matrix",
                    Body::Questions(_) => "questions",
                };
                assert_eq!(body, p.draft.activity.kind(), "{}", p.draft.title);
                (
                    body,
                    results_table(&view, p).is_some(),
                    kind_name(l.words, &p.draft.activity),
                )
            })
            .collect();
        assert_eq!(
            shapes,
            [
                ("brainstorm", false, "Ideointi"),
                ("poll", true, "Kysely"),
                ("scale", true, "Asteikko"),
                ("word_cloud", true, "Sanapilvi"),
                ("dot_vote", true, "Pisteäänestys"),
            ]
        );
        let mut who = BTreeSet::new();
        let answered: Vec<usize> = view
            .prompts
            .iter()
            .map(|p| answers(&w.session, p, &w.ids.iter().copied().collect(), &mut who).len())
            .collect();
        assert_eq!(answered, [0, 4, 3, 0, 2, 0], "items are not answers");
    }
}
