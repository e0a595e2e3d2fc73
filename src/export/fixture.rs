//! Workshops for the exports' unit tests, built through the state machine as a facilitator and
//! participants would: [`workshop`] for the data files (every activity, an edited, a hidden, a
//! starred and a liked item, texts a spreadsheet could mistake for formulas) and
//! [`report_workshop`] for the report (groups with colours, a merged duplicate, markup, a
//! draft nobody saw).

use uuid::Uuid;

use crate::session::testkit::{accept, session_titled};
use crate::session::*;

pub(crate) use crate::session::testkit::person;

use super::{Format, Options, View};

/// 2026-11-23 12:00 UTC: 14:00 in Helsinki. [`workshop`] starts here.
pub const T0: Millis = 1_795_435_200_000;
/// 2026-11-23 10:00 in Helsinki (08:00 UTC). [`report_workshop`] starts here.
pub const REPORT_T0: Millis = 1_795_420_800_000;

/// A prompt as the console makes it, with the wall on and results shown live.
pub fn draft(title: &str, activity: Activity) -> PromptDraft {
    PromptDraft {
        translations: Default::default(),
        activity,
        title: title.into(),
        instructions: "Yksi ajatus kerrallaan.".into(),
        time_limit_secs: None,
        auto_close: false,
        per_group: false,
        premoderation: false,
        wall: true,
        show_results: ResultsVisibility::Live,
        reset_column: false,
        template: None,
    }
}

/// A session being run, with a clock that moves a minute before every command.
pub struct Workshop {
    /// The session.
    pub session: Session,
    /// The items sent, in order.
    pub ids: Vec<ItemId>,
    t: Millis,
}

impl Workshop {
    /// "HYVINSIVI – työpaja" in Finnish, made three days before `start`.
    pub fn new(start: Millis) -> Workshop {
        Workshop {
            session: session_titled("HYVINSIVI – työpaja", start - 86_400_000 * 3),
            ids: Vec::new(),
            t: start,
        }
    }

    /// Applies `command` a minute after the last one.
    pub fn apply(&mut self, command: Command) {
        self.t += 60_000;
        accept(&mut self.session, &command, self.t);
    }

    /// Adds a prompt to the agenda (in the same minute as the last command); returns its id.
    pub fn add(&mut self, draft: PromptDraft) -> PromptId {
        accept(&mut self.session, &Command::AddPrompt { draft }, self.t);
        self.session.prompts().last().expect("added").id.clone()
    }

    /// Adds a prompt and opens it; returns its id.
    pub fn add_open(&mut self, title: &str, activity: Activity) -> PromptId {
        let id = self.add(draft(title, activity));
        self.apply(Command::OpenPrompt {
            prompt_id: id.clone(),
        });
        id
    }

    /// `person(who)` sends an item; returns its id (`100 + n` for the n-th item sent).
    pub fn submit(&mut self, who: u8, prompt: &PromptId, text: &str, column: Option<u8>) -> ItemId {
        let id = ItemId(Uuid::from_u128(101 + self.ids.len() as u128));
        self.apply(Command::Submit {
            participant: person(who),
            item_id: id,
            prompt_id: prompt.clone(),
            text: text.into(),
            column,
            name: None,
        });
        self.ids.push(id);
        id
    }

    /// The session as `format` with `options` sees it.
    pub fn view(&self, format: Format, options: &Options) -> View<'_> {
        View::new(&self.session, format, options).expect("view")
    }
}

/// The data files' workshop: 1 brainstorm, 2 poll, 3 scale, 4 word cloud, 5 dot vote; a group,
/// columns, an edited, a starred, a liked and a hidden item, and a formula-like text.
pub fn workshop() -> Workshop {
    let mut w = Workshop::new(T0);
    let (a, b) = (0, 1);
    w.apply(Command::AddGroup {
        translations: Default::default(),
        name: "Digitaalisuus".into(),
        color: None,
    });
    w.apply(Command::ChooseGroup {
        participant: person(a),
        group_id: Some(GroupId("g1".into())),
    });

    let (ideas, first, third) = workshop_brainstorm(&mut w);
    workshop_answers(&mut w);

    let vote = w.add_open(
        "Tärkeimmät toimijat",
        Activity::DotVote(DotVote {
            source: ideas,
            dots: 3,
            max_per_item: 2,
            vote_on: VoteOn::Items,
        }),
    );
    for (who, item) in [(a, first), (a, first), (b, third)] {
        w.apply(Command::PlaceDot {
            participant: person(who),
            prompt_id: vote.clone(),
            item_id: item,
        });
    }
    w
}

/// The data files' brainstorm: two columns, an edited, starred and liked item, a formula-like
/// text and a hidden one; closed. Returns it, its first and its third item.
fn workshop_brainstorm(w: &mut Workshop) -> (PromptId, ItemId, ItemId) {
    let (a, b, c) = (0, 1, 2);
    let ideas = w.add_open(
        "Mitkä toimijat tulisi olla verkostossa mukana?",
        Activity::Brainstorm(Brainstorm {
            columns: vec!["Toimivat nyt".into(), "Eivät toimi".into()],
        }),
    );
    let first = w.submit(a, &ideas, "Äänekosken nuorisopalvelut", Some(0));
    w.submit(b, &ideas, "=HYPERLINK(\"http://x\")", Some(1));
    let third = w.submit(c, &ideas, "- Ohjaamo", Some(0));
    let junk = w.submit(b, &ideas, "Roskaa", Some(1));
    w.apply(Command::EditItem {
        item_id: first,
        text: "Äänekosken nuorisopalvelut ja Ohjaamo".into(),
    });
    w.apply(Command::StarItem {
        item_id: first,
        starred: true,
    });
    w.apply(Command::Like {
        participant: person(c),
        item_id: first,
        liked: true,
    });
    w.apply(Command::HideItem { item_id: junk });
    w.apply(Command::ClosePrompt {
        prompt_id: ideas.clone(),
    });

    (ideas, first, third)
}

/// The data files' poll, scale and word cloud, each answered.
fn workshop_answers(w: &mut Workshop) {
    let (a, b, c) = (0, 1, 2);
    let poll = w.add_open(
        "Millä sektorilla työskentelet?",
        Activity::Poll(Poll {
            options: vec!["Kunta".into(), "Järjestö".into(), "Valtio".into()],
            multiple: false,
            may_change: false,
        }),
    );
    for (who, option) in [(a, 0), (b, 0), (c, 2)] {
        w.apply(Command::Vote {
            participant: person(who),
            prompt_id: poll.clone(),
            options: vec![option],
        });
    }

    let scale = w.add_open(
        "Kunnan ja järjestöjen yhteistyö",
        Activity::Scale(Scale {
            statements: vec!["Yhteistyö toimii".into()],
            max: 5,
            min_label: "Huonosti".into(),
            max_label: "Hyvin".into(),
        }),
    );
    for (who, value) in [(a, 2), (b, 5)] {
        w.apply(Command::Rate {
            participant: person(who),
            prompt_id: scale.clone(),
            statement: 0,
            value,
        });
    }

    let words = w.add_open(
        "Yksi sana yhteistyöstä",
        Activity::WordCloud(WordCloud { max_answers: 3 }),
    );
    for (who, text) in [(a, "Yhteistyö"), (b, "yhteistyö "), (c, "Luottamus")] {
        w.submit(who, &words, text, None);
    }
}

/// The report's workshop: a brainstorm in two columns by two groups (one item hidden, one
/// merged, one starred, one liked), a poll, a scale, a word cloud, a dot vote and a draft
/// nobody saw.
pub fn report_workshop() -> Workshop {
    let mut w = Workshop::new(REPORT_T0);
    w.apply(Command::AddGroup {
        translations: Default::default(),
        name: "Toimijat".into(),
        color: Some("#1f77b4".into()),
    });
    w.apply(Command::AddGroup {
        translations: Default::default(),
        name: "Digi".into(),
        color: None,
    });
    for (who, group) in [(0, "g1"), (1, "g1"), (2, "g2")] {
        w.apply(Command::ChooseGroup {
            participant: person(who),
            group_id: Some(GroupId(group.into())),
        });
    }
    let (brainstorm, ohjaamo, star) = report_brainstorm(&mut w);
    report_answers(&mut w);
    let vote = w.add_open(
        "Mikä on tärkein?",
        Activity::DotVote(DotVote {
            source: brainstorm.clone(),
            dots: 3,
            max_per_item: 3,
            vote_on: VoteOn::Items,
        }),
    );
    for who in [0, 1] {
        w.apply(Command::PlaceDot {
            participant: person(who),
            prompt_id: vote.clone(),
            item_id: star,
        });
    }
    w.apply(Command::PlaceDot {
        participant: person(0),
        prompt_id: vote.clone(),
        item_id: ohjaamo,
    });
    w.apply(Command::ClosePrompt { prompt_id: vote });
    w.add(draft(
        "Seuraavat askeleet",
        Activity::Brainstorm(Brainstorm {
            columns: Vec::new(),
        }),
    ));
    w
}

/// The report's brainstorm: two columns by two groups, one item hidden, one merged, one
/// starred, one liked. Returns it, the item merged into and the starred one.
fn report_brainstorm(w: &mut Workshop) -> (PromptId, ItemId, ItemId) {
    let brainstorm = w.add_open(
        "Mikä toimii yhdyspinnoilla?",
        Activity::Brainstorm(Brainstorm {
            columns: vec!["Toimii nyt".into(), "Ei toimi".into()],
        }),
    );
    let ohjaamo = w.submit(0, &brainstorm, "Ohjaamo", Some(0));
    let dup = w.submit(2, &brainstorm, "ohjaamo!", Some(0));
    w.submit(
        2,
        &brainstorm,
        "Tiedonkulku & <script>alert(1)</script>",
        Some(1),
    );
    let hidden = w.submit(1, &brainstorm, "Roskaa", Some(1));
    let star = w.submit(1, &brainstorm, "# otsikko | pipe *tähti*", Some(1));
    w.apply(Command::HideItem { item_id: hidden });
    w.apply(Command::MergeItems {
        into: ohjaamo,
        items: vec![dup],
    });
    w.apply(Command::StarItem {
        item_id: star,
        starred: true,
    });
    w.apply(Command::Like {
        participant: person(2),
        item_id: ohjaamo,
        liked: true,
    });
    (brainstorm, ohjaamo, star)
}

/// The report's poll, scale and word cloud, each answered.
fn report_answers(w: &mut Workshop) {
    let poll = w.add_open(
        "Millä sektorilla työskentelet?",
        Activity::Poll(Poll {
            options: vec!["Kunta".into(), "Järjestö".into(), "Valtio".into()],
            multiple: false,
            may_change: false,
        }),
    );
    for (who, option) in [(0, 0), (1, 0), (2, 1), (3, 0)] {
        w.apply(Command::Vote {
            participant: person(who),
            prompt_id: poll.clone(),
            options: vec![option],
        });
    }
    let scale = w.add_open(
        "Miten hyvin yhteistyö toimii?",
        Activity::Scale(Scale {
            statements: vec!["Tiedonkulku".into(), "Yhteiset tavoitteet".into()],
            max: 5,
            min_label: "Huonosti".into(),
            max_label: "Erinomaisesti".into(),
        }),
    );
    for (who, statement, value) in [(0, 0, 2), (1, 0, 4), (2, 0, 4), (0, 1, 5)] {
        w.apply(Command::Rate {
            participant: person(who),
            prompt_id: scale.clone(),
            statement,
            value,
        });
    }
    let cloud = w.add_open(
        "Yksi sana hyvästä yhteistyöstä",
        Activity::WordCloud(WordCloud { max_answers: 3 }),
    );
    w.submit(0, &cloud, "Luottamus", None);
    w.submit(1, &cloud, "luottamus", None);
    w.submit(1, &cloud, "Avoimuus", None);
}

/// The id of the `n`-th theme of [`themed_report_workshop`], from 1.
pub fn theme(n: u128) -> ThemeId {
    ThemeId(Uuid::from_u128(0x7e3e_0000 + n))
}

/// [`report_workshop`] curated: its brainstorm's themes "Nuoret" (Ohjaamo, so its merged
/// duplicate too), "Tieto & <kulku>" (Tiedonkulku and the hidden Roskaa) and "Tyhjä" (none),
/// the starred item in no theme, shown by theme; notes on the brainstorm (two paragraphs,
/// markup) and on the poll.
pub fn themed_report_workshop() -> Workshop {
    let mut w = report_workshop();
    let mut parts = w.session.to_parts();
    let names = ["Nuoret", "Tieto & <kulku>", "Tyhjä"];
    let brainstorm = &mut parts.prompts[0];
    brainstorm.themes = (1..)
        .zip(names)
        .map(|(n, name)| Theme {
            id: theme(n),
            name: name.into(),
        })
        .collect();
    brainstorm.by_theme = true;
    let first = brainstorm.id.clone();
    let poll = parts.prompts[1].id.clone();
    // Items 101 Ohjaamo, 103 Tiedonkulku, 104 Roskaa (hidden); 102 is merged into 101.
    for (item, n) in [(101, 1), (103, 2), (104, 2)] {
        let id = ItemId(Uuid::from_u128(item));
        if let Some(item) = parts.items.iter_mut().find(|i| i.id == id) {
            item.theme = Some(theme(n));
        }
    }
    parts.notes.insert(
        first,
        "Nuoret puuttuvat verkostosta.\n\nSeuraavaksi: <b>kutsu</b> Ohjaamo\nja kunta.".into(),
    );
    parts.notes.insert(poll, "Kunta vahvasti mukana.".into());
    w.session = Session::from_parts(parts);
    w
}
