//! Questions to the speaker: the results table (CSV and workbook) lists every question with
//! its votes, answered, highlighted, hidden, merged-into, approved and name; the report lists
//! the questions shown, unanswered first and by votes, each with its votes and whether it was
//! answered.

use std::fmt::Write;

use crate::session::{Item, Language, Prompt, Session};

use crate::export::report::html::escape;
use crate::export::report::md::inline;
use crate::export::report::Labels;
use crate::export::tables::{count, Table, Value};
use crate::export::View;

/// The words of this kind's table and section, in one language.
#[derive(Debug)]
pub struct QuestionWords {
    /// A question's text.
    pub question: &'static str,
    /// Its upvotes.
    pub votes: &'static str,
    /// Marked answered.
    pub answered: &'static str,
    /// Highlighted on the projector.
    pub highlighted: &'static str,
    /// Hidden by the facilitator.
    pub hidden: &'static str,
    /// Merged as a duplicate into another question.
    pub merged_into: &'static str,
    /// Approved (pre-moderation).
    pub approved: &'static str,
    /// The name it was signed with.
    pub name: &'static str,
    /// Yes.
    pub yes: &'static str,
    /// No.
    pub no: &'static str,
    /// "N questions", with `{n}`.
    pub count: &'static str,
}

static FI: QuestionWords = QuestionWords {
    question: "Kysymys",
    votes: "Ääniä",
    answered: "Vastattu",
    highlighted: "Nostettu esiin",
    hidden: "Piilotettu",
    merged_into: "Yhdistetty kysymykseen",
    approved: "Hyväksytty",
    name: "Nimi",
    yes: "kyllä",
    no: "ei",
    count: "{n} kysymystä",
};

static SV: QuestionWords = QuestionWords {
    question: "Fråga",
    votes: "Röster",
    answered: "Besvarad",
    highlighted: "Framlyft",
    hidden: "Dold",
    merged_into: "Sammanslagen med",
    approved: "Godkänd",
    name: "Namn",
    yes: "ja",
    no: "nej",
    count: "{n} frågor",
};

static EN: QuestionWords = QuestionWords {
    question: "Question",
    votes: "Votes",
    answered: "Answered",
    highlighted: "Highlighted",
    hidden: "Hidden",
    merged_into: "Merged into",
    approved: "Approved",
    name: "Name",
    yes: "yes",
    no: "no",
    count: "{n} questions",
};

/// The words in `language`.
pub fn words(language: Language) -> &'static QuestionWords {
    match language {
        Language::Fi => &FI,
        Language::Sv => &SV,
        Language::En => &EN,
    }
}

impl QuestionWords {
    fn yes_no(&self, value: bool) -> &'static str {
        if value {
            self.yes
        } else {
            self.no
        }
    }
}

/// The questions in the order the projector ranks them: unanswered first, then most votes,
/// then oldest first.
pub fn ranked<'a>(session: &Session, items: impl Iterator<Item = &'a Item>) -> Vec<&'a Item> {
    let mut items: Vec<(&Item, usize)> = items.map(|i| (i, session.like_count(i))).collect();
    items.sort_by(|(a, av), (b, bv)| {
        (a.answered, std::cmp::Reverse(*av), a.created_at, a.seq).cmp(&(
            b.answered,
            std::cmp::Reverse(*bv),
            b.created_at,
            b.seq,
        ))
    });
    items.into_iter().map(|(i, _)| i).collect()
}

/// Every question of the export (hidden ones only when hidden items are in), ranked, with
/// its votes, answered, highlighted, hidden, merged-into, approved and name.
pub fn table(view: &View<'_>, prompt: &Prompt) -> Table {
    let w = words(view.language);
    let session = view.session;
    let headers = [
        w.question,
        w.votes,
        w.answered,
        w.highlighted,
        w.hidden,
        w.merged_into,
        w.approved,
        w.name,
    ]
    .map(String::from)
    .to_vec();
    let rows = ranked(session, view.items(prompt))
        .into_iter()
        .map(|i| {
            let merged = i
                .merged_into
                .and_then(|id| session.item(&id))
                .map(|into| into.text.clone())
                .unwrap_or_default();
            vec![
                Value::Text(i.text.clone()),
                count(session.like_count(i)),
                Value::Text(w.yes_no(i.answered).into()),
                Value::Text(w.yes_no(i.starred).into()),
                Value::Text(w.yes_no(i.hidden).into()),
                Value::Text(merged),
                Value::Text(w.yes_no(i.approved).into()),
                Value::Text(i.author_name.clone().unwrap_or_default()),
            ]
        })
        .collect();
    Table { headers, rows }
}

/// A questions prompt in the report.
#[derive(Debug)]
pub struct List<'a> {
    /// The words of the section.
    pub words: &'static QuestionWords,
    /// "N questions".
    pub count: String,
    /// The questions shown, ranked.
    pub entries: Vec<Entry<'a>>,
}

/// One question in the report.
#[derive(Debug)]
pub struct Entry<'a> {
    /// Its text.
    pub text: &'a str,
    /// Its name, if signed.
    pub name: Option<&'a str>,
    /// Votes, its duplicates' counted once per person.
    pub votes: usize,
    /// Marked answered.
    pub answered: bool,
    /// Hidden or waiting for approval (only when hidden items are in).
    pub hidden: bool,
}

/// The report's section: the questions not merged away (hidden and unapproved ones only when
/// hidden items are in), ranked. `None` when there are none.
pub fn section<'a>(view: &View<'a>, _l: &'static Labels, prompt: &'a Prompt) -> Option<List<'a>> {
    let session = view.session;
    let shown = view
        .items(prompt)
        .filter(|i| i.merged_into.is_none() && (view.hidden || i.approved));
    let entries: Vec<Entry<'a>> = ranked(session, shown)
        .into_iter()
        .map(|i| Entry {
            text: &i.text,
            name: i.author_name.as_deref(),
            votes: session.like_count(i),
            answered: i.answered,
            hidden: i.hidden || !i.approved,
        })
        .collect();
    if entries.is_empty() {
        return None;
    }
    let w = words(view.language);
    Some(List {
        words: w,
        count: w.count.replace("{n}", &entries.len().to_string()),
        entries,
    })
}

/// The section in the HTML report: a table of question, votes, answered.
pub fn html(out: &mut String, l: &Labels, list: &List<'_>) {
    let w = list.words;
    let _ = write!(
        out,
        "<table class=\"questions\">\n<thead><tr><th scope=\"col\">{}</th>\
         <th scope=\"col\" class=\"num\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
        escape(w.question),
        escape(w.votes),
        escape(w.answered)
    );
    for e in &list.entries {
        let name = e
            .name
            .map(|n| format!(" <span class=\"note\">— {}</span>", escape(n)))
            .unwrap_or_default();
        let hidden = if e.hidden {
            format!(" <span class=\"note\">({})</span>", escape(l.hidden))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "<tr><td>{}{name}{hidden}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            escape(e.text),
            e.votes,
            if e.answered { "✓ " } else { "" }.to_owned() + w.yes_no(e.answered)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(&list.count));
}

/// The section in the Markdown report.
pub fn md(out: &mut String, l: &Labels, list: &List<'_>) {
    let w = list.words;
    let _ = write!(
        out,
        "\n| {} | {} | {} |\n|---|---:|---|\n",
        w.question, w.votes, w.answered
    );
    for e in &list.entries {
        let name = e
            .name
            .map(|n| format!(" — {}", inline(n)))
            .unwrap_or_default();
        let hidden = if e.hidden {
            format!(" *({})*", l.hidden)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "| {}{name}{hidden} | {} | {} |",
            inline(e.text),
            e.votes,
            w.yes_no(e.answered)
        );
    }
    let _ = write!(out, "\n{}\n", list.count);
}
