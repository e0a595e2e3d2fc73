//! Dot vote: the ballot ranked by dots (ties share a place) as a results table, a bar chart
//! with its table in the report, each participant's dots in the JSON, and the dots every item
//! received, which the item rows of the other exports show. A vote on themes ranks the
//! themes by name, under a "Theme" heading.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::session::{
    AnswerSet, DotVote, ItemId, Language, ParticipantId, Prompt, PromptId, Ranked, Results,
    Session, VoteOn,
};

use crate::export::report::html::{bar_chart, escape};
use crate::export::report::md::inline;
use crate::export::report::Labels;
use crate::export::tables::{count, Table, Value};
use crate::export::words::Words;
use crate::export::View;
use crate::session::document::AnswerDoc;

/// An item's place in a dot vote's ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// 1 for the most dots; ties share a place.
    pub rank: usize,
    /// The item.
    pub text: String,
    /// Dots, its duplicates' included.
    pub dots: u32,
    /// Hidden since the vote (only when hidden items are in).
    pub hidden: bool,
}

/// A dot vote in the report: what was voted on, the ranking, how many voted.
#[derive(Debug)]
pub struct Ranking {
    /// Which prompt's items (or themes) were voted on, as a sentence.
    pub ballot: Option<String>,
    /// The ranked column's heading: the item ("Vastaus") or, for a vote on themes, "Teema".
    pub heading: &'static str,
    /// Most dots first.
    pub entries: Vec<Standing>,
    /// How many placed dots, as a line of text.
    pub count: String,
}

/// A dot vote's ranking as every export shows it: an item hidden since the vote is left out
/// unless hidden items are in, and equal dots share a place (1, 1, 3: standard competition
/// ranking).
pub fn standings(view: &View<'_>, ranking: Vec<Ranked>) -> Vec<Standing> {
    let mut standings: Vec<Standing> = Vec::with_capacity(ranking.len());
    let shown = ranking.into_iter().filter_map(|r| {
        let hidden = view.session.item(&r.item_id).is_some_and(|i| i.hidden);
        (view.hidden || !hidden).then_some((r, hidden))
    });
    for (at, (r, hidden)) in shown.enumerate() {
        let rank = match standings.last() {
            Some(last) if last.dots == r.dots => last.rank,
            _ => at + 1,
        };
        standings.push(Standing {
            rank,
            text: r.text,
            dots: r.dots,
            hidden,
        });
    }
    standings
}

/// A vote on themes' own phrases in `language`: the ranked column's heading and the sentence
/// naming the source ("{n}": its place). Kept here, beside the only exports that use them.
fn theme_words(language: Language) -> (&'static str, &'static str) {
    match language {
        Language::Fi => ("Teema", "Äänestys kysymyksen {n} teemoista."),
        Language::Sv => ("Tema", "Röstning om teman i fråga {n}."),
        Language::En => ("Theme", "Voting on the themes of prompt {n}."),
    }
}

/// The ranked column's heading: the shared "item" word, or "theme" for a vote on themes.
fn heading(view: &View<'_>, w: &Words, vote: &DotVote) -> &'static str {
    match vote.vote_on {
        VoteOn::Items => w.item,
        VoteOn::Themes => theme_words(view.language).0,
    }
}

/// The results table: place, item (or theme), dots.
pub fn table(
    view: &View<'_>,
    w: &'static Words,
    vote: &DotVote,
    results: Option<Results>,
) -> Table {
    let headers = vec![w.rank.into(), heading(view, w, vote).into(), w.dots.into()];
    let rows = match results {
        Some(Results::DotVote { ranking, .. }) => standings(view, ranking)
            .into_iter()
            .map(|s| {
                vec![
                    count(s.rank),
                    Value::Text(s.text),
                    Value::Count(u64::from(s.dots)),
                ]
            })
            .collect(),
        _ => Vec::new(),
    };
    Table { headers, rows }
}

/// The report's section; `None` when nobody placed a dot.
pub fn section(
    view: &View<'_>,
    l: &'static Labels,
    vote: &DotVote,
    results: Results,
) -> Option<Ranking> {
    // The activity decides the results' kind; a mismatch cannot happen.
    let Results::DotVote { voters, ranking } = results else {
        return None;
    };
    if voters == 0 {
        return None;
    }
    let ballot_from = match vote.vote_on {
        VoteOn::Items => l.ballot_from,
        VoteOn::Themes => theme_words(view.language).1,
    };
    Some(Ranking {
        ballot: view
            .session
            .prompt(&vote.source)
            .map(|p| l.n(ballot_from, crate::export::tables::place(view.session, p))),
        heading: heading(view, l.words, vote),
        entries: standings(view, ranking),
        count: l.n(l.voters_n, voters),
    })
}

/// The section in HTML: what was voted on, the bar chart with its table, then the count.
pub fn html(out: &mut String, l: &Labels, r: &Ranking) {
    let w = l.words;
    if let Some(ballot) = &r.ballot {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(ballot));
    }
    let top = r.entries.iter().map(|e| e.dots).max().unwrap_or(0);
    let rows: Vec<(String, usize, String)> = r
        .entries
        .iter()
        .map(|e| {
            (
                format!("{}. {}", e.rank, e.text),
                e.dots as usize,
                format!("● {}", e.dots),
            )
        })
        .collect();
    out.push_str("<figure class=\"chart\">\n");
    out.push_str(&bar_chart(&rows, top as usize));
    let _ = write!(
        out,
        "<table>\n<thead><tr><th scope=\"col\" class=\"num\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\" class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        w.rank, r.heading, w.dots
    );
    for e in &r.entries {
        let _ = writeln!(
            out,
            "<tr><td class=\"num\">{}</td><td><span class=\"text\">{}</span>{}</td><td class=\"num\">{}</td></tr>",
            e.rank,
            escape(&e.text),
            if e.hidden {
                format!(" <span class=\"tag hidden\">{}</span>", l.hidden)
            } else {
                String::new()
            },
            e.dots
        );
    }
    out.push_str("</tbody>\n</table>\n</figure>\n");
    let _ = writeln!(out, "<p class=\"count\">{}</p>", escape(&r.count));
}

/// The section in Markdown: what was voted on, the ranking's table, then the count.
pub fn md(out: &mut String, l: &Labels, r: &Ranking) {
    let w = l.words;
    if let Some(ballot) = &r.ballot {
        let _ = write!(out, "\n{ballot}\n");
    }
    let _ = write!(
        out,
        "\n| {} | {} | {} |\n|---:|---|---:|\n",
        w.rank, r.heading, w.dots
    );
    for e in &r.entries {
        let _ = writeln!(
            out,
            "| {} | {}{} | {} |",
            e.rank,
            inline(&e.text),
            if e.hidden {
                format!(" *({})*", l.hidden)
            } else {
                String::new()
            },
            e.dots
        );
    }
    let _ = write!(out, "\n{}\n", r.count);
}

/// Each voter's dots on `included` items; a voter whose dots were all on left-out items is
/// left out. Adds the voters kept to `participants`.
pub fn answers(
    session: &Session,
    prompt: &PromptId,
    included: &BTreeSet<ItemId>,
    participants: &mut BTreeSet<ParticipantId>,
) -> Vec<AnswerDoc> {
    let Some(answers) = session.answers(prompt).and_then(AnswerSet::as_dot_vote) else {
        return Default::default();
    };
    let mut docs = Vec::new();
    for (who, dots) in &answers.placed {
        let dots: BTreeMap<ItemId, u32> = dots
            .iter()
            .filter(|(id, _)| included.contains(id))
            .map(|(id, n)| (*id, *n))
            .collect();
        if dots.is_empty() {
            continue;
        }
        participants.insert(*who);
        docs.push(AnswerDoc {
            participant: session.pseudonym(who),
            dots: Some(dots),
            ..AnswerDoc::default()
        });
    }
    docs
}

/// The ids on the ballots of the view's votes on themes (theme ids in the item shape), which
/// the JSON document keeps whatever items it leaves out.
pub fn theme_ballots<'a>(view: &'a View<'_>) -> impl Iterator<Item = ItemId> + 'a {
    view.prompts
        .iter()
        .filter(|p| {
            matches!(&p.draft.activity, crate::session::Activity::DotVote(d) if d.vote_on == VoteOn::Themes)
        })
        .flat_map(|p| p.ballot.iter().copied())
}

/// Adds everyone who placed a dot to `who`.
pub fn respondents(session: &Session, prompt: &PromptId, who: &mut BTreeSet<ParticipantId>) {
    let Some(answers) = session.answers(prompt).and_then(AnswerSet::as_dot_vote) else {
        return Default::default();
    };
    who.extend(
        answers
            .placed
            .iter()
            .filter(|(_, placed)| placed.values().any(|n| *n > 0))
            .map(|(p, _)| *p),
    );
}

/// Adds the dots each ballot item of `prompt` received to `dots` (merged duplicates counted
/// with the item they were merged into).
pub fn add_dots(session: &Session, prompt: &Prompt, dots: &mut BTreeMap<ItemId, u32>) {
    if let Results::DotVote { ranking, .. } = session.results(prompt) {
        for entry in ranking {
            *dots.entry(entry.item_id).or_insert(0) += entry.dots;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::activity::{self, results_table, Body};
    use crate::export::fixture::{self, person};
    use crate::export::report::Report;
    use crate::export::{Format, Options, PromptSelector};
    use crate::session::Language;

    #[test]
    fn the_table_ranks_the_ballot_by_dots() {
        let w = fixture::workshop();
        let view = w.view(Format::Xlsx, &Options::default());
        let vote = results_table(&view, view.prompts[4]).expect("a dot vote has a table");
        assert_eq!(vote.headers, ["Sija", "Vastaus", "Pisteitä"]);
        let places: Vec<_> = vote
            .rows
            .iter()
            .map(|r| (r[0].clone(), r[2].clone()))
            .collect();
        assert_eq!(
            places,
            [
                (Value::Count(1), Value::Count(2)),
                (Value::Count(2), Value::Count(1)),
                (Value::Count(3), Value::Count(0)),
            ]
        );
        assert_eq!(
            vote.rows[0][1],
            Value::Text("Äänekosken nuorisopalvelut ja Ohjaamo".into())
        );
    }

    #[test]
    fn equal_dots_share_a_place() {
        let w = fixture::workshop();
        let options = Options {
            prompts: Some(vec![PromptSelector::Position(5)]),
            language: Some(Language::En),
            ..Options::default()
        };
        let view = w.view(Format::Xlsx, &options);
        let mut table = results_table(&view, view.prompts[0]).expect("table");
        assert_eq!(table.headers, ["Rank", "Answer", "Dots"]);
        // The two items without dots tie below the first ones.
        table.rows.retain(|r| r[2] == Value::Count(0));
        assert!(table.rows.iter().all(|r| r[0] == Value::Count(3)));
    }

    #[test]
    fn the_report_names_the_ballot_and_ranks_it() {
        let w = fixture::report_workshop();
        let report = Report::new(&w.view(Format::Html, &Options::default()));
        let Body::DotVote(r) = &report.sections[4].body else {
            panic!("{:?}", report.sections[4].body)
        };
        assert_eq!(
            r.ballot.as_deref(),
            Some("Äänestys kysymyksen 1 vastauksista.")
        );
        let ranked: Vec<_> = r.entries.iter().map(|e| (e.rank, e.dots)).collect();
        assert_eq!(ranked, [(1, 2), (2, 1), (3, 0)]);
        assert_eq!(r.count, "Äänestäneitä: 2");
    }

    #[test]
    fn the_json_names_only_included_items_and_every_item_counts_its_dots() {
        let w = fixture::workshop();
        let vote = &w.session.prompts()[4];
        let (first, third) = (w.ids[0], w.ids[2]);
        let mut who = BTreeSet::new();
        let all: BTreeSet<ItemId> = w.ids.iter().copied().collect();
        let docs = activity::answers(&w.session, vote, &all, &mut who);
        let dots: Vec<_> = docs.iter().map(|d| d.dots.clone()).collect();
        assert_eq!(dots, [Some([(first, 2)].into()), Some([(third, 1)].into())]);
        // Without the first item, its only voter is left out.
        let mut who = BTreeSet::new();
        let without: BTreeSet<ItemId> = [third].into();
        let docs = activity::answers(&w.session, vote, &without, &mut who);
        assert_eq!(docs.len(), 1);
        assert_eq!(who, [person(1)].into());
        // Every ballot item is counted, with no dots too; the hidden one was not on it.
        let counted = activity::dots_per_item(&w.session);
        assert_eq!(counted, [(first, 2), (w.ids[1], 0), (third, 1)].into());
    }
}
