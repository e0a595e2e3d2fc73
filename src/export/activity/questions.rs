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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::fixture::{person, Workshop, T0};
    use crate::export::{render, Format, Options};
    use crate::session::{Activity, Command, ItemId, PromptId, Questions};

    /// Three questions: the first answered with 1 vote, the second with 2 (signed "Maija"), the
    /// third hidden; a duplicate merged into the second.
    fn asked() -> (Workshop, PromptId, [ItemId; 4]) {
        let mut w = Workshop::new(T0);
        let p = w.add_open("Kysymykset", Activity::Questions(Questions { names: true }));
        let first = w.submit(0, &p, "Milloin päätös tehdään?", None);
        let second = ItemId(uuid::Uuid::from_u128(77));
        w.apply(Command::Submit {
            participant: person(1),
            item_id: second,
            prompt_id: p.clone(),
            text: "Miten <rahoitus> jatkuu?".into(),
            column: None,
            name: Some("Maija".into()),
        });
        let hidden = w.submit(2, &p, "Roskaa", None);
        let dup = w.submit(3, &p, "Rahoitus jatkossa?", None);
        for (who, item) in [(1, first), (0, second), (2, second), (4, dup), (0, dup)] {
            w.apply(Command::Like {
                participant: person(who),
                item_id: item,
                liked: true,
            });
        }
        w.apply(Command::MarkAnswered {
            item_id: first,
            answered: true,
        });
        w.apply(Command::HideItem { item_id: hidden });
        w.apply(Command::MergeItems {
            into: second,
            items: vec![dup],
        });
        (w, p, [first, second, hidden, dup])
    }

    #[test]
    fn the_table_lists_every_question_ranked_with_its_state() {
        let (w, p, _) = asked();
        let view = w.view(Format::Csv, &Options::default());
        let table = crate::export::activity::results_table(&view, w.session.prompt(&p).unwrap())
            .expect("a table");
        assert_eq!(
            table.headers,
            [
                "Kysymys",
                "Ääniä",
                "Vastattu",
                "Nostettu esiin",
                "Piilotettu",
                "Yhdistetty kysymykseen",
                "Hyväksytty",
                "Nimi"
            ]
        );
        let text = |v: &Value| match v {
            Value::Text(t) => t.clone(),
            Value::Count(n) => n.to_string(),
            other => format!("{other:?}"),
        };
        let rows: Vec<Vec<String>> = table
            .rows
            .iter()
            .map(|r| r.iter().map(text).collect())
            .collect();
        // The merged duplicate's voters count once for the question it joined: 0, 2, 4 → 3.
        assert_eq!(rows[0][..2], ["Miten <rahoitus> jatkuu?", "3"]);
        assert_eq!(rows[0][7], "Maija");
        assert_eq!(
            rows.last().unwrap()[..3],
            ["Milloin päätös tehdään?", "1", "kyllä"]
        );
        let dup = rows.iter().find(|r| r[0] == "Rahoitus jatkossa?").unwrap();
        assert_eq!(dup[5], "Miten <rahoitus> jatkuu?");
        assert!(rows.iter().any(|r| r[0] == "Roskaa" && r[4] == "kyllä"));
    }

    #[test]
    fn the_report_ranks_the_shown_questions_with_votes_and_answered() {
        let (w, _, _) = asked();
        let html =
            String::from_utf8(render(&w.session, Format::Html, &Options::default(), 0).unwrap())
                .unwrap();
        let open = html
            .find("Miten &lt;rahoitus&gt; jatkuu?")
            .expect("escaped, listed");
        let answered = html.find("Milloin päätös tehdään?").expect("listed");
        assert!(open < answered, "unanswered first");
        assert!(html.contains("— Maija"));
        assert!(
            !html.contains("Roskaa"),
            "hidden out of the report by default"
        );
        assert!(html.contains("2 kysymystä"));
        let md = String::from_utf8(render(&w.session, Format::Md, &Options::default(), 0).unwrap())
            .unwrap();
        assert!(
            md.contains("| Miten <rahoitus> jatkuu? — Maija | 3 | ei |")
                || md.contains("jatkuu? — Maija | 3 | ei |"),
            "{md}"
        );
        let csv =
            String::from_utf8(render(&w.session, Format::Csv, &Options::default(), 0).unwrap())
                .unwrap();
        assert!(csv.contains("Vastattu") && csv.contains("Maija"));
        let json =
            String::from_utf8(render(&w.session, Format::Json, &Options::default(), 0).unwrap())
                .unwrap();
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        let items = doc["prompts"][0]["items"].as_array().unwrap();
        assert!(items.iter().any(|i| i["answered"] == true));
        assert!(items.iter().any(|i| i["name"] == "Maija"));
        assert!(items
            .iter()
            .all(|i| i.get("name").is_none() || i["name"] == "Maija"));
        render(&w.session, Format::Xlsx, &Options::default(), 0).expect("a workbook");
    }
}
