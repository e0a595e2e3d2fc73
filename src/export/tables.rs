//! What the workbook and the per-prompt CSV share: the headings in Finnish, Swedish and
//! English, and each prompt's results as a table (poll, scale, word cloud, dot vote).
//!
//! Both formats build their results from [`results_table`], so a number in a sheet and the
//! same number in a CSV cannot disagree, and a heading is translated once.

use std::collections::BTreeSet;

use crate::session::{Activity, Language, ParticipantId, Prompt, PromptState, Results, Session};

use super::View;

/// Headings and words of the exports in one language.
#[derive(Debug)]
pub struct Labels {
    /// The summary sheet's name (≤ 31 characters, no `[]:*?/\`).
    pub summary: &'static str,
    /// "Title" of the session.
    pub title: &'static str,
    /// The session's short name (the slug in its address).
    pub slug: &'static str,
    /// The day the session was held.
    pub date: &'static str,
    /// When the file was made.
    pub exported: &'static str,
    /// The time zone times are shown in.
    pub time_zone: &'static str,
    /// People who answered anything.
    pub participants: &'static str,
    /// Whether hidden items are in the file.
    pub hidden_included: &'static str,
    /// The prompts table's heading.
    pub prompts: &'static str,
    /// A prompt's place in the agenda (1, 2, …).
    pub place: &'static str,
    /// A prompt's title: the question.
    pub question: &'static str,
    /// The activity of a prompt.
    pub kind: &'static str,
    /// Draft, open or closed.
    pub state: &'static str,
    /// When a prompt was opened.
    pub opened: &'static str,
    /// When a prompt was closed.
    pub closed: &'static str,
    /// How many items a prompt got.
    pub items: &'static str,
    /// How many people answered a prompt.
    pub respondents: &'static str,
    /// An item's text.
    pub text: &'static str,
    /// A brainstorm column.
    pub column: &'static str,
    /// A group.
    pub group: &'static str,
    /// Likes on the wall.
    pub likes: &'static str,
    /// Dot-vote dots.
    pub dots: &'static str,
    /// Hidden by the facilitator.
    pub hidden: &'static str,
    /// Starred for the projector.
    pub starred: &'static str,
    /// Merged as a duplicate into another item.
    pub merged_into: &'static str,
    /// Texts before the facilitator's edits.
    pub history: &'static str,
    /// The sender's pseudonym.
    pub participant: &'static str,
    /// When an item arrived.
    pub time: &'static str,
    /// Yes.
    pub yes: &'static str,
    /// No.
    pub no: &'static str,
    /// A poll option.
    pub option: &'static str,
    /// Votes for a poll option.
    pub votes: &'static str,
    /// An option's share of the voters, in per cent.
    pub share: &'static str,
    /// A scale statement.
    pub statement: &'static str,
    /// A statement's mean rating.
    pub mean: &'static str,
    /// A word-cloud word.
    pub word: &'static str,
    /// How often a word was given.
    pub count: &'static str,
    /// A dot-vote item's place in the ranking.
    pub rank: &'static str,
    /// Heading above a prompt's answers.
    pub answers: &'static str,
    /// Said of a prompt that was never opened.
    pub not_opened: &'static str,
    /// The activity names: brainstorm, poll, scale, word cloud, dot vote.
    pub kinds: [&'static str; 5],
    /// The prompt states: draft, open, closed.
    pub states: [&'static str; 3],
}

/// Finnish, as the web client's own words (web/i18n/fi.json) where it has them.
static FI: Labels = Labels {
    summary: "Yhteenveto",
    title: "Otsikko",
    slug: "Lyhyt nimi",
    date: "Päivämäärä",
    exported: "Tiedosto luotu",
    time_zone: "Aikavyöhyke",
    participants: "Osallistujia",
    hidden_included: "Piilotetut vastaukset mukana",
    prompts: "Kysymykset",
    place: "Nro",
    question: "Kysymys",
    kind: "Tehtävä",
    state: "Tila",
    opened: "Avattu",
    closed: "Suljettu",
    items: "Vastauksia",
    respondents: "Vastaajia",
    text: "Teksti",
    column: "Sarake",
    group: "Ryhmä",
    likes: "Tykkäykset",
    dots: "Pisteet",
    hidden: "Piilotettu",
    starred: "Nostettu esiin",
    merged_into: "Yhdistetty vastaukseen",
    history: "Aiemmat versiot",
    participant: "Osallistuja",
    time: "Aika",
    yes: "kyllä",
    no: "ei",
    option: "Vaihtoehto",
    votes: "Ääniä",
    share: "Osuus %",
    statement: "Väittämä",
    mean: "Keskiarvo",
    word: "Sana",
    count: "Määrä",
    rank: "Sija",
    answers: "Vastaukset",
    not_opened: "Kysymystä ei ole avattu.",
    kinds: [
        "Ideointi",
        "Kysely",
        "Asteikko",
        "Sanapilvi",
        "Pisteäänestys",
    ],
    states: ["Luonnos", "Auki", "Suljettu"],
};

/// Swedish, as the web client's own words (web/i18n/sv.json) where it has them.
static SV: Labels = Labels {
    summary: "Sammanfattning",
    title: "Rubrik",
    slug: "Kortnamn",
    date: "Datum",
    exported: "Filen skapad",
    time_zone: "Tidszon",
    participants: "Deltagare",
    hidden_included: "Dolda svar med",
    prompts: "Frågor",
    place: "Nr",
    question: "Fråga",
    kind: "Uppgift",
    state: "Status",
    opened: "Öppnad",
    closed: "Stängd",
    items: "Svar",
    respondents: "Svarande",
    text: "Text",
    column: "Kolumn",
    group: "Grupp",
    likes: "Gillningar",
    dots: "Poäng",
    hidden: "Dold",
    starred: "Framlyft",
    merged_into: "Sammanslagen med",
    history: "Tidigare versioner",
    participant: "Deltagare",
    time: "Tid",
    yes: "ja",
    no: "nej",
    option: "Alternativ",
    votes: "Röster",
    share: "Andel %",
    statement: "Påstående",
    mean: "Medelvärde",
    word: "Ord",
    count: "Antal",
    rank: "Placering",
    answers: "Svar",
    not_opened: "Frågan har inte öppnats.",
    kinds: ["Idéstorm", "Enkät", "Skala", "Ordmoln", "Poängröstning"],
    states: ["Utkast", "Öppen", "Stängd"],
};

/// English.
static EN: Labels = Labels {
    summary: "Summary",
    title: "Title",
    slug: "Short name",
    date: "Date",
    exported: "Exported",
    time_zone: "Time zone",
    participants: "Participants",
    hidden_included: "Hidden answers included",
    prompts: "Questions",
    place: "No.",
    question: "Question",
    kind: "Activity",
    state: "State",
    opened: "Opened",
    closed: "Closed",
    items: "Answers",
    respondents: "Respondents",
    text: "Text",
    column: "Column",
    group: "Group",
    likes: "Likes",
    dots: "Dots",
    hidden: "Hidden",
    starred: "Starred",
    merged_into: "Merged into",
    history: "Earlier versions",
    participant: "Participant",
    time: "Time",
    yes: "yes",
    no: "no",
    option: "Option",
    votes: "Votes",
    share: "Share %",
    statement: "Statement",
    mean: "Mean",
    word: "Word",
    count: "Count",
    rank: "Place",
    answers: "Answers",
    not_opened: "This question has not been opened.",
    kinds: ["Brainstorm", "Poll", "Scale", "Word cloud", "Dot vote"],
    states: ["Draft", "Open", "Closed"],
};

/// The headings in `language`.
pub fn labels(language: Language) -> &'static Labels {
    match language {
        Language::Fi => &FI,
        Language::Sv => &SV,
        Language::En => &EN,
    }
}

impl Labels {
    /// The name of a prompt's activity.
    pub fn kind_name(&self, activity: &Activity) -> &'static str {
        self.kinds[match activity {
            Activity::Brainstorm { .. } => 0,
            Activity::Poll { .. } => 1,
            Activity::Scale { .. } => 2,
            Activity::WordCloud { .. } => 3,
            Activity::DotVote { .. } => 4,
        }]
    }

    /// The name of a prompt's state.
    pub fn state_name(&self, state: PromptState) -> &'static str {
        self.states[match state {
            PromptState::Draft => 0,
            PromptState::Open => 1,
            PromptState::Closed => 2,
        }]
    }

    /// `yes` or `no`.
    pub fn yes_no(&self, value: bool) -> &'static str {
        if value {
            self.yes
        } else {
            self.no
        }
    }
}

/// A prompt's 1-based place in the session's agenda (as the facilitator counts, and as
/// `?prompts=3` selects it).
pub fn place(session: &Session, prompt: &Prompt) -> usize {
    session
        .prompts()
        .iter()
        .position(|p| p.id == prompt.id)
        .map_or(0, |at| at + 1)
}

/// One cell of a results table.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text: an option, a statement, a word, an item.
    Text(String),
    /// A whole number: votes, dots, places.
    Count(u64),
    /// A mean rating; `None` when nobody rated.
    Mean(Option<f64>),
    /// A share of the voters, 0.0–1.0 (an option of a multiple-choice poll may be chosen by
    /// everyone, so the shares of a poll may add up to more than 1).
    Share(f64),
}

/// A prompt's results as rows under headings.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The column headings, in the export's language.
    pub headers: Vec<String>,
    /// The rows, as many cells each as there are headings.
    pub rows: Vec<Vec<Value>>,
}

fn count(n: usize) -> Value {
    Value::Count(u64::try_from(n).unwrap_or(u64::MAX))
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
    let l = labels(view.language);
    let results = view.results(prompt);
    let (headers, rows): (Vec<String>, Vec<Vec<Value>>) = match &prompt.draft.activity {
        Activity::Brainstorm { .. } => return None,
        Activity::Poll { options, .. } => {
            let headers = vec![l.option.into(), l.votes.into(), l.share.into()];
            let rows = match results {
                Some(Results::Poll { voters, counts }) => options
                    .iter()
                    .zip(counts)
                    .map(|(option, n)| {
                        let share = if voters == 0 {
                            0.0
                        } else {
                            n as f64 / voters as f64
                        };
                        vec![Value::Text(option.clone()), count(n), Value::Share(share)]
                    })
                    .collect(),
                _ => Vec::new(),
            };
            (headers, rows)
        }
        Activity::Scale {
            statements,
            max,
            min_label,
            max_label,
        } => {
            let mut headers: Vec<String> = vec![l.statement.into(), "n".into(), l.mean.into()];
            for value in 1..=*max {
                let label = match value {
                    1 => min_label.as_str(),
                    v if v == *max => max_label.as_str(),
                    _ => "",
                };
                headers.push(if label.is_empty() {
                    value.to_string()
                } else {
                    format!("{value} – {label}")
                });
            }
            let rows = match results {
                Some(Results::Scale { statements: rated }) => statements
                    .iter()
                    .zip(rated)
                    .map(|(statement, r)| {
                        let mut row = vec![Value::Text(statement.clone()), count(r.n)];
                        row.push(Value::Mean(r.mean));
                        row.extend(r.counts.iter().map(|&n| count(n)));
                        row
                    })
                    .collect(),
                _ => Vec::new(),
            };
            (headers, rows)
        }
        Activity::WordCloud { .. } => {
            let headers = vec![l.word.into(), l.count.into()];
            let rows = match results {
                Some(Results::WordCloud { words, .. }) => words
                    .into_iter()
                    .map(|w| vec![Value::Text(w.text), count(w.count)])
                    .collect(),
                _ => Vec::new(),
            };
            (headers, rows)
        }
        Activity::DotVote { .. } => {
            let headers = vec![l.rank.into(), l.text.into(), l.dots.into()];
            let rows = match results {
                Some(Results::DotVote { ranking, .. }) => {
                    let shown = ranking.into_iter().filter(|r| {
                        view.hidden || view.session.item(&r.item_id).is_none_or(|i| !i.hidden)
                    });
                    // Standard competition ranking: equal dots share a place (1, 1, 3).
                    let mut rows = Vec::new();
                    let mut last: Option<(u32, usize)> = None;
                    for (at, r) in shown.enumerate() {
                        let place = match last {
                            Some((dots, place)) if dots == r.dots => place,
                            _ => at + 1,
                        };
                        last = Some((r.dots, place));
                        rows.push(vec![
                            count(place),
                            Value::Text(r.text),
                            Value::Count(u64::from(r.dots)),
                        ]);
                    }
                    rows
                }
                _ => Vec::new(),
            };
            (headers, rows)
        }
    };
    Some(Table { headers, rows })
}

/// Who took part in `prompt`: sent an item (hidden or not: they took part), liked one on the
/// wall, voted, rated or placed a dot. The report and the workbook count the same people.
pub fn respondents(session: &Session, prompt: &Prompt) -> BTreeSet<ParticipantId> {
    let mut who: BTreeSet<ParticipantId> = BTreeSet::new();
    for item in session.items_for(&prompt.id) {
        who.insert(item.participant);
        who.extend(item.likes.iter().copied());
    }
    let answers = session.answers(&prompt.id);
    who.extend(
        answers
            .poll
            .iter()
            .filter(|(_, chosen)| !chosen.is_empty())
            .map(|(p, _)| *p),
    );
    who.extend(
        answers
            .scale
            .iter()
            .filter(|(_, rated)| rated.iter().any(|v| *v > 0))
            .map(|(p, _)| *p),
    );
    who.extend(
        answers
            .dots
            .iter()
            .filter(|(_, placed)| placed.values().any(|n| *n > 0))
            .map(|(p, _)| *p),
    );
    who
}

/// Everyone who answered any of the export's prompts.
pub fn participants(view: &View<'_>) -> BTreeSet<ParticipantId> {
    view.prompts
        .iter()
        .flat_map(|p| respondents(view.session, p))
        .collect()
}

/// A small workshop for the exports' unit tests: every activity, a group, columns, a hidden,
/// an edited, a starred and a liked item, and texts a spreadsheet could mistake for formulas.
#[cfg(test)]
pub(crate) mod fixture {
    use uuid::Uuid;

    use crate::session::*;

    /// 2026-11-23 12:00 UTC: 14:00 in Helsinki.
    pub const T0: Millis = 1_795_435_200_000;

    /// The workshop and its items, by name.
    pub struct Workshop {
        /// The session.
        pub session: Session,
    }

    fn draft(activity: Activity, title: &str) -> PromptDraft {
        PromptDraft {
            activity,
            title: title.into(),
            instructions: String::new(),
            time_limit_secs: None,
            auto_close: false,
            per_group: false,
            premoderation: false,
            wall: true,
            show_results: ResultsVisibility::Live,
        }
    }

    /// Builds the workshop: 1 brainstorm, 2 poll, 3 scale, 4 word cloud, 5 dot vote.
    pub fn workshop() -> Workshop {
        let mut s = Session::new(SessionMeta {
            slug: SessionName::parse("hyvinsivi").unwrap(),
            title: "HYVINSIVI – työpaja".into(),
            language: Language::Fi,
            created_at: T0 - 86_400_000 * 3,
            key_hash: "00".into(),
        });
        let [a, b, c] = [1u128, 2, 3].map(|n| ParticipantId(Uuid::from_u128(n)));
        let mut now = T0;
        let mut run = |s: &mut Session, command: Command| {
            now += 60_000;
            s.apply(&command, now)
                .unwrap_or_else(|e| panic!("{command:?}: {e:?}"));
        };
        let prompt = |s: &mut Session, activity: Activity, title: &str| {
            let n = s.prompts().len() + 1;
            let id = PromptId(format!("p{n}"));
            s.apply(
                &Command::AddPrompt {
                    draft: draft(activity, title),
                },
                T0,
            )
            .unwrap();
            id
        };
        let item = |n: u128| ItemId(Uuid::from_u128(100 + n));
        run(
            &mut s,
            Command::AddGroup {
                name: "Digitaalisuus".into(),
                color: None,
            },
        );
        run(
            &mut s,
            Command::ChooseGroup {
                participant: a,
                group_id: Some(GroupId("g1".into())),
            },
        );

        let ideas = prompt(
            &mut s,
            Activity::Brainstorm {
                columns: vec!["Toimivat nyt".into(), "Eivät toimi".into()],
            },
            "Mitkä toimijat tulisi olla verkostossa mukana?",
        );
        run(
            &mut s,
            Command::OpenPrompt {
                prompt_id: ideas.clone(),
            },
        );
        for (n, who, text, column) in [
            (1, a, "Äänekosken nuorisopalvelut", 0),
            (2, b, "=HYPERLINK(\"http://x\")", 1),
            (3, c, "- Ohjaamo", 0),
            (4, b, "Roskaa", 1),
        ] {
            run(
                &mut s,
                Command::Submit {
                    participant: who,
                    item_id: item(n),
                    prompt_id: ideas.clone(),
                    text: text.into(),
                    column: Some(column),
                },
            );
        }
        run(
            &mut s,
            Command::EditItem {
                item_id: item(1),
                text: "Äänekosken nuorisopalvelut ja Ohjaamo".into(),
            },
        );
        run(
            &mut s,
            Command::StarItem {
                item_id: item(1),
                starred: true,
            },
        );
        run(
            &mut s,
            Command::Like {
                participant: c,
                item_id: item(1),
                liked: true,
            },
        );
        run(&mut s, Command::HideItem { item_id: item(4) });
        run(
            &mut s,
            Command::ClosePrompt {
                prompt_id: ideas.clone(),
            },
        );

        let poll = prompt(
            &mut s,
            Activity::Poll {
                options: vec!["Kunta".into(), "Järjestö".into(), "Valtio".into()],
                multiple: false,
                may_change: false,
            },
            "Millä sektorilla työskentelet?",
        );
        run(
            &mut s,
            Command::OpenPrompt {
                prompt_id: poll.clone(),
            },
        );
        for (who, option) in [(a, 0), (b, 0), (c, 2)] {
            run(
                &mut s,
                Command::Vote {
                    participant: who,
                    prompt_id: poll.clone(),
                    options: vec![option],
                },
            );
        }

        let scale = prompt(
            &mut s,
            Activity::Scale {
                statements: vec!["Yhteistyö toimii".into()],
                max: 5,
                min_label: "Huonosti".into(),
                max_label: "Hyvin".into(),
            },
            "Kunnan ja järjestöjen yhteistyö",
        );
        run(
            &mut s,
            Command::OpenPrompt {
                prompt_id: scale.clone(),
            },
        );
        for (who, value) in [(a, 2), (b, 5)] {
            run(
                &mut s,
                Command::Rate {
                    participant: who,
                    prompt_id: scale.clone(),
                    statement: 0,
                    value,
                },
            );
        }

        let words = prompt(
            &mut s,
            Activity::WordCloud { max_answers: 3 },
            "Yksi sana yhteistyöstä",
        );
        run(
            &mut s,
            Command::OpenPrompt {
                prompt_id: words.clone(),
            },
        );
        for (n, who, text) in [
            (5, a, "Yhteistyö"),
            (6, b, "yhteistyö "),
            (7, c, "Luottamus"),
        ] {
            run(
                &mut s,
                Command::Submit {
                    participant: who,
                    item_id: item(n),
                    prompt_id: words.clone(),
                    text: text.into(),
                    column: None,
                },
            );
        }

        let vote = prompt(
            &mut s,
            Activity::DotVote {
                source: ideas.clone(),
                dots: 3,
                max_per_item: 2,
            },
            "Tärkeimmät toimijat",
        );
        run(
            &mut s,
            Command::OpenPrompt {
                prompt_id: vote.clone(),
            },
        );
        for (who, n) in [(a, 1), (a, 1), (b, 3)] {
            run(
                &mut s,
                Command::PlaceDot {
                    participant: who,
                    prompt_id: vote.clone(),
                    item_id: item(n),
                },
            );
        }
        Workshop { session: s }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{Format, Options, PromptSelector};

    fn view_of<'a>(session: &'a Session, options: &Options) -> View<'a> {
        View::new(session, Format::Xlsx, options).unwrap()
    }

    #[test]
    fn results_tables_of_every_kind() {
        let w = fixture::workshop();
        let view = view_of(&w.session, &Options::default());
        let [ideas, poll, scale, words, vote] = [0, 1, 2, 3, 4].map(|i| view.prompts[i]);
        assert_eq!(
            results_table(&view, ideas),
            None,
            "a brainstorm's items are its results"
        );

        let poll = results_table(&view, poll).unwrap();
        assert_eq!(poll.headers, ["Vaihtoehto", "Ääniä", "Osuus %"]);
        let share = |x: f64| Value::Share(x);
        assert_eq!(
            poll.rows,
            [
                vec![
                    Value::Text("Kunta".into()),
                    Value::Count(2),
                    share(2.0 / 3.0)
                ],
                vec![Value::Text("Järjestö".into()), Value::Count(0), share(0.0)],
                vec![
                    Value::Text("Valtio".into()),
                    Value::Count(1),
                    share(1.0 / 3.0)
                ],
            ]
        );

        let scale = results_table(&view, scale).unwrap();
        assert_eq!(
            scale.headers,
            [
                "Väittämä",
                "n",
                "Keskiarvo",
                "1 – Huonosti",
                "2",
                "3",
                "4",
                "5 – Hyvin"
            ]
        );
        assert_eq!(
            scale.rows[0],
            [
                Value::Text("Yhteistyö toimii".into()),
                Value::Count(2),
                Value::Mean(Some(3.5)),
                Value::Count(0),
                Value::Count(1),
                Value::Count(0),
                Value::Count(0),
                Value::Count(1),
            ]
        );

        let words = results_table(&view, words).unwrap();
        assert_eq!(words.headers, ["Sana", "Määrä"]);
        assert_eq!(
            words.rows[0],
            [Value::Text("yhteistyö".into()), Value::Count(2)]
        );
        assert_eq!(
            words.rows[1],
            [Value::Text("luottamus".into()), Value::Count(1)]
        );

        let vote = results_table(&view, vote).unwrap();
        assert_eq!(vote.headers, ["Sija", "Teksti", "Pisteet"]);
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
        let view = view_of(&w.session, &options);
        let mut table = results_table(&view, view.prompts[0]).unwrap();
        assert_eq!(table.headers, ["Place", "Text", "Dots"]);
        // The two items without dots tie below the first ones.
        table.rows.retain(|r| r[2] == Value::Count(0));
        assert!(table.rows.iter().all(|r| r[0] == Value::Count(3)));
    }

    #[test]
    fn respondents_and_participants_count_people_not_answers() {
        let w = fixture::workshop();
        let view = view_of(&w.session, &Options::default());
        let counts: Vec<usize> = view
            .prompts
            .iter()
            .map(|p| respondents(&w.session, p).len())
            .collect();
        assert_eq!(counts, [3, 3, 2, 3, 2]);
        assert_eq!(participants(&view).len(), 3);
        assert_eq!(place(&w.session, view.prompts[3]), 4);
    }

    #[test]
    fn every_language_has_distinct_item_headings() {
        for language in [Language::Fi, Language::Sv, Language::En] {
            let l = labels(language);
            let headings = [
                l.text,
                l.column,
                l.group,
                l.likes,
                l.dots,
                l.hidden,
                l.starred,
                l.merged_into,
                l.history,
                l.participant,
                l.time,
            ];
            let distinct: BTreeSet<_> = headings.iter().collect();
            assert_eq!(distinct.len(), headings.len(), "{language:?}");
            assert!(l.summary.chars().count() <= 31);
        }
        assert_eq!(labels(Language::Fi).kinds[4], "Pisteäänestys");
        assert_eq!(labels(Language::Sv).hidden, "Dold");
    }
}
