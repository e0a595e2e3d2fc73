//! The comparison on two seminars built through the state machine: Rovaniemi (templates,
//! themes, notes, a hidden item, a dot vote) and Seinäjoki (same template prompts under other
//! titles, one prompt of its own).

use uuid::Uuid;

use super::model::{BarUnit, Comparison, RecurringKind};
use super::{render, CompareOptions, Format};
use crate::export::fixture::{draft, person, Workshop, T0};
use crate::export::report::Report;
use crate::session::*;

/// Adds a prompt made from template prompt `template` and opens it.
fn add_from(w: &mut Workshop, template: &str, title: &str, activity: Activity) -> PromptId {
    let mut d = draft(title, activity);
    d.template = Some(template.into());
    let id = w.add(d);
    w.apply(Command::OpenPrompt {
        prompt_id: id.clone(),
    });
    id
}

fn poll() -> Activity {
    Activity::Poll(Poll {
        options: vec!["Kunta".into(), "Järjestö".into()],
        multiple: false,
        may_change: false,
    })
}

/// A seminar: a brainstorm (p1 in the template), a poll (p2); `texts` sent by person n; one
/// theme `theme` holding the items at `themed`; notes on the brainstorm; the first item
/// dot-voted by everyone.
fn seminar(name: &str, title: &str, texts: &[&str], theme: &str, themed: &[usize]) -> Session {
    let mut w = Workshop::new(T0);
    w.session.meta.slug = SessionName::parse(name).unwrap();
    w.session.meta.title = title.into();
    let ideas = add_from(
        &mut w,
        "p1",
        &format!("Mikä on tärkeintä? ({title})"),
        Activity::Brainstorm(Brainstorm::default()),
    );
    let ids: Vec<ItemId> = (0u8..)
        .zip(texts)
        .map(|(who, text)| w.submit(who, &ideas, text, None))
        .collect();
    let hidden = w.submit(9, &ideas, "Salainen roska", None);
    w.apply(Command::HideItem { item_id: hidden });
    let vote = w.add_open(
        "Äänestä",
        Activity::DotVote(DotVote {
            source: ideas.clone(),
            dots: 1,
            max_per_item: 1,
            vote_on: VoteOn::Items,
        }),
    );
    for who in 0u8..3 {
        w.apply(Command::PlaceDot {
            participant: person(who),
            prompt_id: vote.clone(),
            item_id: ids[0],
        });
    }
    let poll = add_from(&mut w, "p2", "Sektori", poll());
    for (who, option) in [(0u8, 0u8), (1, 0), (2, 1)].iter().take(texts.len().min(3)) {
        w.apply(Command::Vote {
            participant: person(*who),
            prompt_id: poll.clone(),
            options: vec![*option],
        });
    }
    let mut parts = w.session.to_parts();
    let theme_id = ThemeId(Uuid::from_u128(7));
    let prompt = parts.prompts.iter_mut().find(|p| p.id == ideas).unwrap();
    prompt.themes.push(Theme {
        id: theme_id,
        name: theme.into(),
    });
    for at in themed {
        let id = ids[*at];
        parts.items.iter_mut().find(|i| i.id == id).unwrap().theme = Some(theme_id);
    }
    parts.notes.insert(ideas, format!("Purku: {title}"));
    Session::from_parts(parts)
}

fn two() -> (Session, Session) {
    let rovaniemi = seminar(
        "rovaniemi",
        "Rovaniemi 24.5.",
        &["Nuorten osallisuus", "Yhteistyö", "Liikunta"],
        "Nuoret",
        &[0, 2],
    );
    let seinajoki = seminar(
        "seinajoki",
        "Seinäjoki 3.5.",
        &[
            "nuorten  osallisuus",
            "Yhteistyö",
            "Kulttuuri",
            "NUORTEN OSALLISUUS",
        ],
        "nuoret",
        &[0],
    );
    (rovaniemi, seinajoki)
}

fn compare(sessions: &[&Session]) -> Comparison {
    Comparison::new(sessions, &CompareOptions::default()).unwrap()
}

#[test]
fn prompts_are_matched_by_template_whatever_their_titles() {
    let (a, b) = two();
    let c = compare(&[&a, &b]);
    assert_eq!(c.title, "Tilaisuuksien vertailu");
    let kinds: Vec<&str> = c.prompts.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, ["brainstorm", "dot_vote", "poll"]);
    let first = &c.prompts[0];
    assert_eq!(first.template.as_deref(), Some("p1"));
    let titles: Vec<&str> = first
        .sessions
        .iter()
        .flatten()
        .map(|s| s.title.as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Mikä on tärkeintä? (Rovaniemi 24.5.)",
            "Mikä on tärkeintä? (Seinäjoki 3.5.)"
        ]
    );
}

#[test]
fn counts_equal_each_sessions_own_export() {
    let (a, b) = two();
    let c = compare(&[&a, &b]);
    for (s, session) in [&a, &b].into_iter().enumerate() {
        let view = crate::export::View::new(
            session,
            crate::export::Format::Html,
            &crate::export::Options::default(),
        )
        .unwrap();
        let report = Report::new(&view);
        assert_eq!(c.sessions[s].participants.to_string(), report.facts[1].1);
        let ideas = &session.prompts()[0];
        let Results::Brainstorm { total, .. } = session.results(ideas) else {
            panic!("a brainstorm")
        };
        let side = c.prompts[0].sessions[s].as_ref().unwrap();
        assert_eq!(side.items, Some(total));
        assert_eq!(c.sessions[s].items, total, "only the brainstorm has items");
        assert_eq!(
            side.notes.as_deref(),
            Some(format!("Purku: {}", session.meta.title).as_str())
        );
    }
    let sides: Vec<_> = c.prompts[0].sessions.iter().flatten().collect();
    assert_eq!(
        (sides[0].items, sides[1].items),
        (Some(3), Some(4)),
        "hidden left out"
    );
    assert_eq!(sides[0].themes[0].text, "Nuoret");
    assert_eq!(sides[0].themes[0].count, 2);
    assert_eq!(sides[1].themes[0].count, 1);
    assert_eq!(sides[0].top[0].text, "Nuorten osallisuus");
    assert_eq!(sides[0].top[0].count, 3);
}

#[test]
fn polls_become_grouped_bars_with_their_numbers() {
    let (a, b) = two();
    let c = compare(&[&a, &b]);
    let bars = c.prompts[2].bars.as_ref().unwrap();
    assert_eq!(bars.unit, BarUnit::Share);
    assert_eq!(bars.answered, [Some(3), Some(3)]);
    assert_eq!(bars.rows[0].label, "Kunta");
    let kunta = bars.rows[0].values[0].unwrap();
    assert_eq!(kunta.count, 2);
    assert!((kunta.value - 2.0 / 3.0).abs() < 1e-9);
}

#[test]
fn recurring_items_and_themes_are_found_most_widespread_first() {
    let (a, b) = two();
    let c = compare(&[&a, &b]);
    let found: Vec<(&str, RecurringKind, Vec<Option<usize>>)> = c
        .recurring
        .iter()
        .map(|r| (r.label.as_str(), r.kind, r.sessions.clone()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "Nuorten osallisuus",
                RecurringKind::Item,
                vec![Some(1), Some(2)]
            ),
            ("Nuoret", RecurringKind::Theme, vec![Some(2), Some(1)]),
            ("Yhteistyö", RecurringKind::Item, vec![Some(1), Some(1)]),
        ]
    );
    assert!(c.recurring.iter().all(|r| r.spread() == 2));
}

#[test]
fn a_session_without_templates_matches_by_kind_and_folded_title() {
    let (a, _) = two();
    let mut w = Workshop::new(T0);
    w.session.meta.slug = SessionName::parse("vanha").unwrap();
    let poll = w.add_open("  SEKTORI ", poll());
    w.apply(Command::Vote {
        participant: person(1),
        prompt_id: poll,
        options: vec![1],
    });
    let c = compare(&[&a, &w.session]);
    let shared: Vec<&str> = c.prompts.iter().map(|p| p.kind).collect();
    assert_eq!(shared, ["poll"], "only the poll is in both");
    assert_eq!(
        c.prompts[0].bars.as_ref().unwrap().answered,
        [Some(3), Some(1)]
    );
}

#[test]
fn hidden_items_appear_in_no_format_and_every_format_renders() {
    let (a, b) = two();
    for format in Format::ALL {
        for lang in [Language::Fi, Language::Sv, Language::En] {
            let options = CompareOptions {
                lang,
                ..CompareOptions::default()
            };
            let bytes = render(&[&a, &b], &options, format).unwrap();
            assert!(!bytes.is_empty());
            if format != Format::Xlsx {
                let text = String::from_utf8(bytes).unwrap();
                assert!(!text.contains("Salainen"), "{format:?} {lang:?}");
                assert!(text.contains("Nuorten osallisuus"), "{format:?}");
            }
        }
    }
}

#[test]
fn the_csv_has_every_item_with_a_session_column() {
    let (a, b) = two();
    let bytes = render(&[&a, &b], &CompareOptions::default(), Format::Csv).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let rows: Vec<Vec<String>> = ::csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&bytes[3..])
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows.len(), 3 + 4);
    assert_eq!(rows[0][0], "rovaniemi");
    assert_eq!(rows[3][0], "seinajoki");
    assert_eq!(rows[0][7], "Nuoret", "the theme column");
    assert_eq!(rows[0][13], "3", "the dots column");
}

#[test]
fn the_workbook_has_summary_prompt_recurring_and_all_items_sheets() {
    use calamine::{Reader, Xlsx};
    let (a, b) = two();
    let options = CompareOptions {
        lang: Language::En,
        ..CompareOptions::default()
    };
    let bytes = render(&[&a, &b], &options, Format::Xlsx).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let names = book.sheet_names();
    assert_eq!(names[0], "Summary");
    assert_eq!(names[names.len() - 2], "Recurring answers and themes");
    assert_eq!(names[names.len() - 1], "All answers");
    assert_eq!(names.len(), 1 + 3 + 2);
    let items = book.worksheet_range("All answers").unwrap();
    assert_eq!(items.height(), 1 + 7);
    assert_eq!(items.get((0, 0)).unwrap().to_string(), "session");
    assert_eq!(items.get((4, 0)).unwrap().to_string(), "seinajoki");
}

#[test]
fn inflected_forms_recur_as_one_under_the_first_raised() {
    let a = seminar("kemi", "Kemi", &["Nuoret", "Kulttuuri"], "Teema yksi", &[]);
    let b = seminar("oulu", "Oulu", &["nuorille", "Liikenne"], "Toinen", &[]);
    let c = compare(&[&a, &b]);
    let found: Vec<(&str, Vec<Option<usize>>)> = c
        .recurring
        .iter()
        .map(|r| (r.label.as_str(), r.sessions.clone()))
        .collect();
    assert_eq!(found, [("Nuoret", vec![Some(1), Some(1)])]);
}

#[test]
fn every_text_is_escaped_in_html_and_markdown() {
    let (a, mut b) = two();
    b.meta.title = "<script>alert(1)</script> | *Oulu*".into();
    let html = render(&[&a, &b], &CompareOptions::default(), Format::Html).unwrap();
    let html = String::from_utf8(html).unwrap();
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let md = render(&[&a, &b], &CompareOptions::default(), Format::Md).unwrap();
    let md = String::from_utf8(md).unwrap();
    assert!(
        md.contains("\\<script\\>alert(1)\\</script\\> \\| \\*Oulu\\*"),
        "{md}"
    );
    assert!(
        md.contains("> Purku: Rovaniemi 24.5."),
        "notes quoted: {md}"
    );
}

#[test]
fn template_refs_survive_the_json_export_so_offline_reports_match_by_them() {
    let (a, _) = two();
    let json = crate::export::render(
        &a,
        crate::export::Format::Json,
        &crate::export::Options::default(),
        T0,
    )
    .unwrap();
    let doc = document::parse(&json).unwrap();
    let target = ImportTarget {
        slug: None,
        title: None,
        key_hash: String::new(),
        now: T0,
        salt: [0; 32],
    };
    let back = Session::import(doc, target).unwrap();
    let templates: Vec<Option<&str>> = back
        .prompts()
        .iter()
        .map(|p| p.draft.template.as_deref())
        .collect();
    assert_eq!(templates, [Some("p1"), None, Some("p2")]);
}
