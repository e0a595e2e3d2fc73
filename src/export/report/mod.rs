//! The report: every chosen prompt's results as a document people read, as one self-contained
//! HTML page (inline style and SVG charts, prints to PDF) or as Markdown.
//!
//! Both come from one [`Report`] built here from the [`View`]: what is shown, in which order,
//! grouped how, with which numbers and in which language is decided once, so the HTML and the
//! Markdown cannot disagree. The renderers in [`html`] and [`md`] only lay it out and escape
//! every text (participants' items and facilitators' wording alike are untrusted).

pub mod html;
pub mod md;

use std::collections::BTreeSet;

use crate::session::{
    Activity, Brainstorm, DotVote, GroupId, Item, ItemId, Language, Millis, Poll, Prompt,
    PromptState, Results, Scale, ScaleResult, WordCount,
};

use super::words::{self, Words};
use super::{tables, Standing, View};

/// The report as a self-contained HTML page.
pub fn html(view: &View<'_>) -> Vec<u8> {
    html::render(&Report::new(view)).into_bytes()
}

/// The report as Markdown.
pub fn md(view: &View<'_>) -> Vec<u8> {
    md::render(&Report::new(view)).into_bytes()
}

/// The phrases of the report in one language; the words every export shares are in
/// [`Words`].
#[derive(Debug)]
pub struct Labels {
    /// The words every export shares: activities, states, the results tables' headings.
    pub words: &'static Words,
    /// The `lang` attribute.
    pub code: &'static str,
    /// "Report".
    pub report: &'static str,
    /// The table of contents.
    pub contents: &'static str,
    /// How many prompts the report covers.
    pub prompts: &'static str,
    /// `{tz}`: the time zone of the times shown.
    pub times_in: &'static str,
    /// Said when hidden answers are in.
    pub hidden_included: &'static str,
    /// `{t}`: when the prompt was opened.
    pub opened: &'static str,
    /// `{t}`: when the prompt was closed.
    pub closed: &'static str,
    /// Before the facilitator's instructions.
    pub instructions: &'static str,
    /// A prompt nobody answered.
    pub no_answers: &'static str,
    /// A prompt that was never opened.
    pub not_opened: &'static str,
    /// `{n}`: items shown.
    pub answers_n: &'static str,
    /// `{n}`: participants who answered.
    pub answered_n: &'static str,
    /// `{n}`: participants who placed dots.
    pub voters_n: &'static str,
    /// Items sent before columns applied (none chosen).
    pub no_column: &'static str,
    /// Items of participants in no group.
    pub no_group: &'static str,
    /// The mark of a hidden item.
    pub hidden: &'static str,
    /// The mark of an item waiting for approval.
    pub pending: &'static str,
    /// The mark of a starred item.
    pub starred: &'static str,
    /// One like, `{n}` likes.
    pub likes: [&'static str; 2],
    /// One dot, `{n}` dots.
    pub dots: [&'static str; 2],
    /// `{n}` items merged into this one: one, many.
    pub similar: [&'static str; 2],
    /// Before the list of items merged into one.
    pub merged_here: &'static str,
    /// Under a multiple-choice poll.
    pub multiple_note: &'static str,
    /// The mean's short label on the chart.
    pub mean_short: &'static str,
    /// Table header: how many rated a statement (the workbook's "n"; English says "answers"
    /// as the web client does, not the workbook's "respondents" of a whole prompt).
    pub raters: &'static str,
    /// `{n}`: the place of the prompt whose items were voted on.
    pub ballot_from: &'static str,
    /// Before a word cloud's hidden answers.
    pub hidden_answers: &'static str,
    /// Month names, for English dates (Finnish and Swedish write 23.11.2026).
    pub months: Option<[&'static str; 12]>,
    /// Numbers as Finnish and Swedish write them, `3,5` and `50 %`, rather than `3.5`, `50%`.
    pub comma: bool,
}

/// Finnish.
pub static FI: Labels = Labels {
    words: &words::FI,
    code: "fi",
    report: "Raportti",
    contents: "Sisältö",
    prompts: "Kysymyksiä",
    times_in: "Kellonajat aikavyöhykkeellä {tz}.",
    hidden_included: "Piilotetut vastaukset ovat mukana, ja ne on merkitty.",
    opened: "avattu {t}",
    closed: "suljettu {t}",
    instructions: "Ohjeet",
    no_answers: "Ei vastauksia.",
    not_opened: "Kysymystä ei avattu, joten vastauksia ei ole.",
    answers_n: "Vastauksia: {n}",
    answered_n: "Vastanneita: {n}",
    voters_n: "Äänestäneitä: {n}",
    no_column: "Ei saraketta",
    no_group: "Ei ryhmää",
    hidden: "piilotettu",
    pending: "odottaa hyväksyntää",
    starred: "nostettu esiin",
    likes: ["1 tykkäys", "{n} tykkäystä"],
    dots: ["1 piste", "{n} pistettä"],
    similar: ["+1 samankaltainen", "+{n} samankaltaista"],
    merged_here: "Tähän yhdistetyt",
    multiple_note:
        "Monivalinta: osuudet on laskettu vastanneista, joten niiden summa voi olla yli 100\u{a0}%.",
    mean_short: "ka.",
    raters: "Vastaajia",
    ballot_from: "Äänestys kysymyksen {n} vastauksista.",
    hidden_answers: "Piilotetut vastaukset",
    months: None,
    comma: true,
};

/// Swedish (as written in Finland).
pub static SV: Labels = Labels {
    words: &words::SV,
    code: "sv",
    report: "Rapport",
    contents: "Innehåll",
    prompts: "Frågor",
    times_in: "Klockslagen anges i tidszonen {tz}.",
    hidden_included: "Dolda svar är med och markerade.",
    opened: "öppnad {t}",
    closed: "stängd {t}",
    instructions: "Instruktioner",
    no_answers: "Inga svar.",
    not_opened: "Frågan öppnades inte, så det finns inga svar.",
    answers_n: "Svar: {n}",
    answered_n: "Svarande: {n}",
    voters_n: "Röstande: {n}",
    no_column: "Ingen kolumn",
    no_group: "Ingen grupp",
    hidden: "dold",
    pending: "väntar på godkännande",
    starred: "framlyft",
    likes: ["1 gillning", "{n} gillningar"],
    dots: ["1 poäng", "{n} poäng"],
    similar: ["+1 liknande", "+{n} liknande"],
    merged_here: "Sammanslagna hit",
    multiple_note:
        "Flerval: andelarna är räknade av dem som svarade, så summan kan överstiga 100\u{a0}%.",
    mean_short: "medelv.",
    raters: "Svarande",
    ballot_from: "Röstning om svaren på fråga {n}.",
    hidden_answers: "Dolda svar",
    months: None,
    comma: true,
};

/// English.
pub static EN: Labels = Labels {
    words: &words::EN,
    code: "en",
    report: "Report",
    contents: "Contents",
    prompts: "Questions",
    times_in: "Times are in the {tz} time zone.",
    hidden_included: "Hidden answers are included and marked.",
    opened: "opened {t}",
    closed: "closed {t}",
    instructions: "Instructions",
    no_answers: "No answers.",
    not_opened: "Not opened, so there are no answers.",
    answers_n: "Answers: {n}",
    answered_n: "Answered: {n}",
    voters_n: "Voters: {n}",
    no_column: "No column",
    no_group: "No group",
    hidden: "hidden",
    pending: "awaiting approval",
    starred: "starred",
    likes: ["1 like", "{n} likes"],
    dots: ["1 dot", "{n} dots"],
    similar: ["+1 similar", "+{n} similar"],
    merged_here: "Merged into this",
    multiple_note:
        "Multiple choice: shares are of those who answered, so they may add up to more than 100%.",
    mean_short: "mean",
    raters: "Answers",
    ballot_from: "Voting on the answers to prompt {n}.",
    hidden_answers: "Hidden answers",
    months: Some([
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]),
    comma: false,
};

/// The labels of `language`.
pub fn labels(language: Language) -> &'static Labels {
    match language {
        Language::Fi => &FI,
        Language::Sv => &SV,
        Language::En => &EN,
    }
}

impl Labels {
    /// `template` with `{n}` replaced.
    pub fn n(&self, template: &str, n: impl std::fmt::Display) -> String {
        template.replace("{n}", &n.to_string())
    }

    /// The singular or plural form of a counted label.
    pub fn plural(&self, forms: [&str; 2], n: impl Into<u64>) -> String {
        let n = n.into();
        if n == 1 {
            forms[0].to_owned()
        } else {
            self.n(forms[1], n)
        }
    }

    /// A decimal number with one decimal, with a decimal comma in Finnish and Swedish.
    pub fn decimal(&self, x: f64) -> String {
        let s = format!("{x:.1}");
        if self.comma {
            s.replace('.', ",")
        } else {
            s
        }
    }

    /// A whole percentage as the language writes it: `50 %` (with a no-break space), `50%`.
    pub fn percent(&self, p: u32) -> String {
        if self.comma {
            format!("{p}\u{a0}%")
        } else {
            format!("{p}%")
        }
    }

    /// A civil date as the language writes it: `23.11.2026`, `23 November 2026`.
    pub fn date(&self, date: jiff::civil::Date) -> String {
        match &self.months {
            Some(months) => {
                let month = months[usize::try_from(date.month() - 1).unwrap_or(0)];
                format!("{} {month} {}", date.day(), date.year())
            }
            None => format!("{}.{}.{}", date.day(), date.month(), date.year()),
        }
    }
}

/// `count` of `total` as a whole percentage (0 when nobody answered).
pub fn percent_of(count: usize, total: usize) -> u32 {
    if total == 0 {
        return 0;
    }
    let p = (count as f64 * 100.0 / total as f64).round();
    p as u32
}

/// Everything the report shows, decided once for both renderers: what is shown, in which
/// order, and every number as the language writes it. The renderers only lay it out.
#[derive(Debug)]
pub struct Report<'a> {
    /// Headings and labels.
    pub labels: &'static Labels,
    /// The session's title.
    pub title: &'a str,
    /// The cover's facts, label and value: the day of the session (its first opened prompt,
    /// else its creation, in the time zone), everyone who sent, voted, rated, placed a dot or
    /// liked anything, and how many prompts the report covers.
    pub facts: [(&'static str, String); 3],
    /// Under the facts: the time zone of the times, and whether hidden answers are in.
    pub note: String,
    /// The chosen prompts, in agenda order.
    pub sections: Vec<Section<'a>>,
}

/// One prompt.
#[derive(Debug)]
pub struct Section<'a> {
    /// Its 1-based place in the whole agenda, as the facilitator counted.
    pub place: usize,
    /// An id for links (the prompt id: ASCII letters and digits).
    pub anchor: String,
    /// The question.
    pub title: &'a str,
    /// Its kind, in the report's language.
    pub kind: &'static str,
    /// The facilitator's instructions (may be empty).
    pub instructions: &'a str,
    /// Draft, open, closed, and when it was opened and closed.
    pub status: String,
    /// The results.
    pub body: Body<'a>,
}

/// A prompt's results, by kind, in the order they are shown.
#[derive(Debug)]
pub enum Body<'a> {
    /// Nothing to show, and the sentence that says why (never opened, or nobody answered).
    Nothing(&'static str),
    /// A brainstorm's items by column and group.
    Items {
        /// Items shown (duplicates merged into others included).
        total: usize,
        /// How many items are shown, as a line of text.
        count: String,
        /// One per column, or one without a heading when there are no columns.
        columns: Vec<Column<'a>>,
    },
    /// A poll's bars, then how many answered and a note on multiple choice.
    Poll {
        /// Participants who answered: the whole of every bar.
        answered: usize,
        /// One per option, in option order.
        bars: Vec<Bar<'a>>,
        /// How many answered, as a line of text.
        count: String,
        /// Why the shares may add up to more than 100 %, when several options could be chosen.
        note: Option<&'static str>,
    },
    /// A scale's distributions, then the labels of its ends.
    Scale {
        /// N: the scale runs 1..=N.
        max: u8,
        /// The label of 1 (may be empty).
        min_label: &'a str,
        /// The label of N (may be empty).
        max_label: &'a str,
        /// One per statement.
        statements: Vec<Rated<'a>>,
        /// Whether the ends' labels are spelled out under the table (either has one).
        legend: bool,
    },
    /// A word cloud, then how many answered and the hidden answers.
    Cloud {
        /// The words, most frequent first.
        words: Vec<WordCount>,
        /// How many answered, as a line of text.
        count: String,
        /// Hidden or unapproved answers, when hidden ones are in.
        hidden: Vec<&'a str>,
    },
    /// A dot vote's ranking: what was voted on, the ranking, how many voted.
    Ranking {
        /// Which prompt's items were voted on, as a sentence.
        ballot: Option<String>,
        /// Most dots first.
        entries: Vec<Standing>,
        /// How many placed dots, as a line of text.
        count: String,
    },
}

/// A brainstorm column (or all of the items when there are no columns).
#[derive(Debug)]
pub struct Column<'a> {
    /// The column's name; `None` when the brainstorm has no columns.
    pub name: Option<String>,
    /// One per group in use, or one without a heading when no groups were used.
    pub groups: Vec<GroupItems<'a>>,
}

impl Column<'_> {
    /// Whether the column has no items (it is shown, saying so).
    pub fn is_empty(&self) -> bool {
        self.groups.iter().all(|g| g.entries.is_empty())
    }
}

/// A group's items within a column.
#[derive(Debug)]
pub struct GroupItems<'a> {
    /// The group's name; `None` when no groups were used.
    pub name: Option<&'a str>,
    /// The group's `#rrggbb` colour, when it has one.
    pub color: Option<&'a str>,
    /// Starred first, then in the order they arrived.
    pub entries: Vec<Entry<'a>>,
}

/// One item and the duplicates merged into it.
#[derive(Debug)]
pub struct Entry<'a> {
    /// The item.
    pub text: &'a str,
    /// Starred by the facilitator.
    pub starred: bool,
    /// Hidden (only when hidden items are in).
    pub hidden: bool,
    /// Waiting for approval (only when hidden items are in).
    pub pending: bool,
    /// Likes, its duplicates' included.
    pub likes: usize,
    /// Dots over every dot vote.
    pub dots: u32,
    /// What is said of it, in this order: starred, hidden or waiting, likes, dots, duplicates.
    pub marks: Vec<Mark>,
    /// Items merged into it: their texts and whether each is hidden.
    pub merged: Vec<(&'a str, bool)>,
}

/// Something said of an item, in the report's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// What it says, for the renderer's symbol and style.
    pub kind: MarkKind,
    /// The words: `nostettu esiin`, `2 tykkäystä`.
    pub text: String,
}

/// What a [`Mark`] says of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// Starred by the facilitator.
    Starred,
    /// Hidden, or still waiting for approval.
    Hidden,
    /// Liked on the wall.
    Likes,
    /// Got dots in a dot vote.
    Dots,
    /// Duplicates were merged into it.
    Similar,
}

/// A bar of a bar chart.
#[derive(Debug)]
pub struct Bar<'a> {
    /// The option.
    pub label: &'a str,
    /// Votes.
    pub count: usize,
    /// Share of those who answered, a whole percentage as the language writes it.
    pub share: String,
}

/// One scale statement's ratings.
#[derive(Debug)]
pub struct Rated<'a> {
    /// The statement.
    pub text: &'a str,
    /// How many gave each value, how many rated, the mean.
    pub result: ScaleResult,
    /// The mean with one decimal as the language writes it; empty when nobody rated.
    pub mean: String,
}

impl<'a> Report<'a> {
    /// Decides what the report shows.
    pub fn new(view: &View<'a>) -> Report<'a> {
        let session = view.session;
        let labels = labels(view.language);
        let day = view.local(view.held_at()).date();
        let sections: Vec<Section<'a>> = view
            .prompts
            .iter()
            .map(|prompt| section(view, labels, day, prompt))
            .collect();
        let mut note = labels.times_in.replace("{tz}", view.zone_name());
        if view.hidden {
            note.push(' ');
            note.push_str(labels.hidden_included);
        }
        Report {
            labels,
            title: &session.meta.title,
            facts: [
                (labels.words.date, labels.date(day)),
                (
                    labels.words.participants,
                    tables::participants(view).len().to_string(),
                ),
                (labels.prompts, sections.len().to_string()),
            ],
            note,
            sections,
        }
    }
}

fn section<'a>(
    view: &View<'a>,
    labels: &'static Labels,
    day: jiff::civil::Date,
    prompt: &'a Prompt,
) -> Section<'a> {
    let time = |ms: Millis| {
        let local = view.local(ms);
        if local.date() == day {
            local.strftime("%H:%M").to_string()
        } else {
            view.local_text(ms)
        }
    };
    let mut status = vec![labels.words.state_name(prompt.state).to_owned()];
    if let (Some(at), true) = (prompt.opened_at, prompt.state != PromptState::Draft) {
        status.push(labels.opened.replace("{t}", &time(at)));
    }
    if let (Some(at), PromptState::Closed) = (prompt.closed_at, prompt.state) {
        status.push(labels.closed.replace("{t}", &time(at)));
    }
    Section {
        place: tables::place(view.session, prompt),
        anchor: prompt
            .id
            .0
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect(),
        title: &prompt.draft.title,
        kind: labels.words.kind_name(&prompt.draft.activity),
        instructions: &prompt.draft.instructions,
        status: status.join(" · "),
        body: body(view, labels, prompt),
    }
}

fn body<'a>(view: &View<'a>, l: &'static Labels, prompt: &'a Prompt) -> Body<'a> {
    let Some(results) = view.results(prompt) else {
        return Body::Nothing(l.not_opened);
    };
    let answered = |n: usize| l.n(l.answered_n, n);
    let (body, empty) = match (&prompt.draft.activity, results) {
        (Activity::Brainstorm(Brainstorm { columns }), _) => {
            let body = brainstorm(view, l, prompt, columns);
            let empty = matches!(body, Body::Items { total: 0, .. });
            (body, empty)
        }
        (
            Activity::Poll(Poll {
                options, multiple, ..
            }),
            Results::Poll { voters, counts },
        ) => (
            Body::Poll {
                answered: voters,
                bars: options
                    .iter()
                    .zip(counts)
                    .map(|(label, count)| Bar {
                        label,
                        count,
                        share: l.percent(percent_of(count, voters)),
                    })
                    .collect(),
                count: answered(voters),
                note: multiple.then_some(l.multiple_note),
            },
            voters == 0,
        ),
        (
            Activity::Scale(Scale {
                statements,
                max,
                min_label,
                max_label,
            }),
            Results::Scale { statements: rated },
        ) => {
            let empty = rated.iter().all(|r| r.n == 0);
            let statements = statements
                .iter()
                .zip(rated)
                .map(|(text, result)| Rated {
                    text,
                    mean: result.mean.map(|m| l.decimal(m)).unwrap_or_default(),
                    result,
                })
                .collect();
            let scale = Body::Scale {
                max: *max,
                min_label,
                max_label,
                statements,
                legend: !min_label.is_empty() || !max_label.is_empty(),
            };
            (scale, empty)
        }
        (
            Activity::WordCloud(_),
            Results::WordCloud {
                participants,
                words,
            },
        ) => {
            let hidden: Vec<&str> = view
                .items(prompt)
                .filter(|i| i.merged_into.is_none() && (i.hidden || !i.approved))
                .map(|i| i.text.as_str())
                .collect();
            let empty = words.is_empty() && hidden.is_empty();
            let count = answered(participants);
            (
                Body::Cloud {
                    words,
                    count,
                    hidden,
                },
                empty,
            )
        }
        (Activity::DotVote(DotVote { source, .. }), Results::DotVote { voters, ranking }) => (
            Body::Ranking {
                ballot: view
                    .session
                    .prompt(source)
                    .map(|p| l.n(l.ballot_from, tables::place(view.session, p))),
                entries: view.standings(ranking),
                count: l.n(l.voters_n, voters),
            },
            voters == 0,
        ),
        // The activity decides the results' kind; a mismatch cannot happen.
        _ => (Body::Nothing(l.no_answers), true),
    };
    if empty {
        Body::Nothing(l.no_answers)
    } else {
        body
    }
}

/// A brainstorm's items: by column, then by group when groups were used; starred first; the
/// duplicates merged into an item under it.
fn brainstorm<'a>(
    view: &View<'a>,
    l: &'static Labels,
    prompt: &'a Prompt,
    columns: &'a [String],
) -> Body<'a> {
    let session = view.session;
    // Items still awaiting approval never reached the projector: out with the hidden ones.
    let shown: Vec<&'a Item> = view
        .items(prompt)
        .filter(|i| view.hidden || i.approved)
        .collect();
    let shown_ids: BTreeSet<ItemId> = shown.iter().map(|i| i.id).collect();
    let (tops, merged): (Vec<&Item>, Vec<&Item>) =
        shown.iter().partition(|i| i.merged_into.is_none());
    // A duplicate goes under the item it was merged into, and only when that item is shown.
    let merged: Vec<(ItemId, &Item)> = merged
        .into_iter()
        .map(|i| (session.merge_root(&i.id), i))
        .filter(|(root, _)| shown_ids.contains(root))
        .collect();
    let total = tops.len() + merged.len();
    let entry = |item: &'a Item| {
        let duplicates: Vec<(&str, bool)> = merged
            .iter()
            .filter(|(root, _)| *root == item.id)
            .map(|(_, m)| (m.text.as_str(), m.hidden || !m.approved))
            .collect();
        let likes = session.like_count(item);
        let dots = view.dots(item);
        let mut marks = Vec::new();
        let mut mark = |kind, text: String| marks.push(Mark { kind, text });
        if item.starred {
            mark(MarkKind::Starred, l.starred.to_owned());
        }
        if item.hidden {
            mark(MarkKind::Hidden, l.hidden.to_owned());
        } else if !item.approved {
            mark(MarkKind::Hidden, l.pending.to_owned());
        }
        if likes > 0 {
            mark(MarkKind::Likes, l.plural(l.likes, likes as u64));
        }
        if dots > 0 {
            mark(MarkKind::Dots, l.plural(l.dots, dots));
        }
        if !duplicates.is_empty() {
            mark(
                MarkKind::Similar,
                l.plural(l.similar, duplicates.len() as u64),
            );
        }
        Entry {
            text: &item.text,
            starred: item.starred,
            hidden: item.hidden,
            pending: !item.approved,
            likes,
            dots,
            marks,
            merged: duplicates,
        }
    };
    let groups_used = tops.iter().any(|i| i.group.is_some());
    let in_group = |items: Vec<&'a Item>| -> Vec<GroupItems<'a>> {
        let sorted = |mut items: Vec<&'a Item>| {
            // Stable: starred first, each part in the order it arrived.
            items.sort_by_key(|i| !i.starred);
            items.into_iter().map(entry).collect::<Vec<_>>()
        };
        if !groups_used {
            return vec![GroupItems {
                name: None,
                color: None,
                entries: sorted(items),
            }];
        }
        let mut parts: Vec<GroupItems<'a>> = session
            .groups()
            .iter()
            .map(|g| GroupItems {
                name: Some(g.name.as_str()),
                color: g.color.as_deref().filter(|c| is_hex_color(c)),
                entries: sorted(
                    items
                        .iter()
                        .copied()
                        .filter(|i| i.group.as_ref() == Some(&g.id))
                        .collect(),
                ),
            })
            .collect();
        let known: BTreeSet<&GroupId> = session.groups().iter().map(|g| &g.id).collect();
        parts.push(GroupItems {
            name: Some(l.no_group),
            color: None,
            entries: sorted(
                items
                    .iter()
                    .copied()
                    .filter(|i| i.group.as_ref().is_none_or(|g| !known.contains(g)))
                    .collect(),
            ),
        });
        parts.retain(|p| !p.entries.is_empty());
        parts
    };
    let columns = if columns.is_empty() {
        vec![Column {
            name: None,
            groups: in_group(tops),
        }]
    } else {
        let mut out: Vec<Column<'a>> = columns
            .iter()
            .enumerate()
            .map(|(c, name)| Column {
                name: Some(name.clone()),
                groups: in_group(
                    tops.iter()
                        .copied()
                        .filter(|i| i.column.map(usize::from) == Some(c))
                        .collect(),
                ),
            })
            .collect();
        let loose: Vec<&Item> = tops
            .iter()
            .copied()
            .filter(|i| i.column.is_none_or(|c| usize::from(c) >= columns.len()))
            .collect();
        if !loose.is_empty() {
            out.push(Column {
                name: Some(l.no_column.to_owned()),
                groups: in_group(loose),
            });
        }
        out
    };
    Body::Items {
        total,
        count: l.n(l.answers_n, total),
        columns,
    }
}

/// Whether `s` is a `#rrggbb` colour (safe to put in a style attribute).
fn is_hex_color(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::fixture::{draft, report_workshop as workshop};
    use crate::export::{Format, Options};
    use crate::session::Command;

    #[test]
    fn the_report_groups_merges_and_ranks_as_a_reader_expects() {
        let w = workshop();
        let view = w.view(Format::Html, &Options::default());
        let report = Report::new(&view);
        assert_eq!(report.title, "HYVINSIVI – työpaja");
        assert_eq!(
            report.facts,
            [
                ("Päivämäärä", "23.11.2026".to_owned()),
                ("Osallistujia", "4".to_owned()),
                ("Kysymyksiä", "6".to_owned()),
            ]
        );
        assert_eq!(report.note, "Kellonajat aikavyöhykkeellä Europe/Helsinki.");
        assert_eq!(report.sections.len(), 6);
        let first = &report.sections[0];
        assert_eq!((first.place, first.kind), (1, "Ideointi"));
        assert!(
            first.status.starts_with("Suljettu · avattu 10:"),
            "{}",
            first.status
        );
        let Body::Items {
            total,
            count,
            columns,
        } = &first.body
        else {
            panic!("{:?}", first.body)
        };
        // The hidden item is out; the duplicate is under Ohjaamo.
        assert_eq!((*total, count.as_str()), (4, "Vastauksia: 4"));
        assert_eq!(columns.len(), 2);
        assert_eq!(columns[0].name.as_deref(), Some("Toimii nyt"));
        let toimijat = &columns[0].groups[0];
        assert_eq!(toimijat.name, Some("Toimijat"));
        assert_eq!(toimijat.color, Some("#1f77b4"));
        assert_eq!(toimijat.entries[0].text, "Ohjaamo");
        assert_eq!(toimijat.entries[0].merged, [("ohjaamo!", false)]);
        assert_eq!(toimijat.entries[0].likes, 1);
        assert_eq!(toimijat.entries[0].dots, 1);
        let marks: Vec<_> = toimijat.entries[0]
            .marks
            .iter()
            .map(|m| (m.kind, m.text.as_str()))
            .collect();
        assert_eq!(
            marks,
            [
                (MarkKind::Likes, "1 tykkäys"),
                (MarkKind::Dots, "1 piste"),
                (MarkKind::Similar, "+1 samankaltainen")
            ]
        );
        assert_eq!(
            columns[0].groups.len(),
            1,
            "the duplicate is not counted for Digi"
        );
        let ei = &columns[1];
        assert_eq!(ei.groups[0].name, Some("Toimijat"));
        assert_eq!(ei.groups[0].entries.len(), 1);
        assert!(ei.groups[0].entries[0].starred);
        assert_eq!(ei.groups[1].name, Some("Digi"));

        let Body::Poll {
            answered,
            bars,
            count,
            note,
        } = &report.sections[1].body
        else {
            panic!()
        };
        assert_eq!(
            (*answered, count.as_str(), *note),
            (4, "Vastanneita: 4", None)
        );
        let got: Vec<_> = bars
            .iter()
            .map(|b| (b.label, b.count, b.share.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("Kunta", 3, "75\u{a0}%"),
                ("Järjestö", 1, "25\u{a0}%"),
                ("Valtio", 0, "0\u{a0}%")
            ]
        );

        let Body::Ranking {
            ballot, entries, ..
        } = &report.sections[4].body
        else {
            panic!()
        };
        assert_eq!(
            ballot.as_deref(),
            Some("Äänestys kysymyksen 1 vastauksista.")
        );
        let ranked: Vec<_> = entries.iter().map(|e| (e.rank, e.dots)).collect();
        assert_eq!(ranked, [(1, 2), (2, 1), (3, 0)]);
        assert!(matches!(report.sections[5].body, Body::Nothing(why) if why == FI.not_opened));
        assert_eq!(report.sections[5].status, "Luonnos");
    }

    #[test]
    fn hidden_items_come_in_marked_when_asked_for() {
        let w = workshop();
        let view = w.view(
            Format::Md,
            &Options {
                hidden: Some(true),
                ..Options::default()
            },
        );
        let report = Report::new(&view);
        let Body::Items { total, columns, .. } = &report.sections[0].body else {
            panic!()
        };
        assert_eq!(*total, 5);
        let hidden: Vec<_> = columns[1]
            .groups
            .iter()
            .flat_map(|g| &g.entries)
            .filter(|e| e.hidden)
            .map(|e| e.text)
            .collect();
        assert_eq!(hidden, ["Roskaa"]);
        assert!(report
            .note
            .ends_with(" Piilotetut vastaukset ovat mukana, ja ne on merkitty."));
    }

    #[test]
    fn items_awaiting_approval_are_left_out_like_hidden_ones() {
        let mut w = workshop();
        let mut d = draft("Esimoderoitu", Activity::default());
        d.premoderation = true;
        w.apply(Command::AddPrompt { draft: d });
        let id = w.session.prompts().last().expect("added").id.clone();
        w.apply(Command::OpenPrompt {
            prompt_id: id.clone(),
        });
        w.submit(0, &id, "Odottaa vielä", None);
        let only = Options {
            prompts: Some(vec![crate::export::PromptSelector::Id(id)]),
            ..Options::default()
        };
        let report = Report::new(&w.view(Format::Html, &only));
        assert!(matches!(report.sections[0].body, Body::Nothing(why) if why == FI.no_answers));
        let with_hidden = Options {
            hidden: Some(true),
            ..only
        };
        let report = Report::new(&w.view(Format::Html, &with_hidden));
        let Body::Items { columns, .. } = &report.sections[0].body else {
            panic!("{:?}", report.sections[0].body)
        };
        let entry = &columns[0].groups[0].entries[0];
        assert_eq!((entry.text, entry.pending), ("Odottaa vielä", true));
    }

    #[test]
    fn labels_in_three_languages_with_their_numbers() {
        assert_eq!(FI.decimal(3.333), "3,3");
        assert_eq!(SV.decimal(3.35), "3,4");
        assert_eq!(EN.decimal(3.25), "3.2");
        assert_eq!(FI.percent(50), "50\u{a0}%");
        assert_eq!(EN.percent(50), "50%");
        let day = jiff::civil::date(2026, 11, 3);
        assert_eq!(FI.date(day), "3.11.2026");
        assert_eq!(EN.date(day), "3 November 2026");
        assert_eq!(FI.plural(FI.likes, 1u8), "1 tykkäys");
        assert_eq!(FI.plural(FI.likes, 3u8), "3 tykkäystä");
        assert_eq!(SV.plural(SV.similar, 2u8), "+2 liknande");
        assert_eq!(EN.plural(EN.dots, 2u8), "2 dots");
        for l in [&FI, &SV, &EN] {
            assert_eq!(labels(Language::Fi).code, "fi");
            assert!(l.times_in.contains("{tz}") && l.answers_n.contains("{n}"));
            assert!(l.ballot_from.contains("{n}") && l.opened.contains("{t}"));
        }
        assert_eq!(percent_of(1, 3), 33);
        assert_eq!(percent_of(2, 3), 67);
        assert_eq!(percent_of(0, 0), 0);
    }
}
