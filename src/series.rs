//! A series of seminars ("HYVINSIVI 2018"): one agenda template and the sessions made from it.
//!
//! The pure part: the record and the rules of its agenda. A series' agenda is a list of prompt
//! drafts as an agenda file holds them (a dot vote's source written `@N`), each with a unique
//! template ref (`PromptDraft::template`): the ref every session made from the series keeps on
//! its copy of the prompt, so the comparison report lines up "the same question" across
//! seminars even after a session retitles it. The agenda is checked by loading it into a
//! scratch session, through the very checks `import_agenda` makes, so a series never holds an
//! agenda that a session would refuse. Files: `store::series`; live registry: `hub::series`.

use std::collections::BTreeSet;

use crate::session::{
    Command, Language, Millis, PromptDraft, Rejection, SeriesName, Session, SessionMeta,
    SessionName, MAX_PROMPTS,
};

/// Most sessions one series lists: a study's seminars, many times over; bounds the series
/// file and its page.
pub const SERIES_SESSIONS_MAX: usize = 200;

/// A series as the server keeps it (stored as `store::series::SeriesV1`).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Its name in `/series/{name}` (the same rules as a session name, its own namespace).
    pub name: SeriesName,
    /// Its title ("HYVINSIVI 2018").
    pub title: String,
    /// SHA-256 of the series key, hex; the key is shown once and never stored.
    pub key_hash: String,
    /// When it was created.
    pub created_at: Millis,
    /// The agenda template, checked by [`checked_agenda`].
    pub agenda: Vec<PromptDraft>,
    /// The sessions made from it, oldest first (a deleted one may linger; readers skip it).
    pub sessions: Vec<SessionName>,
}

/// Checks an agenda for a series and gives it its stored form: every draft cleaned as a
/// session would clean it, `@N` sources checked, and each draft given a template ref that is
/// unique in the agenda (its own if it had one that is still free, else `p<k>` for the first
/// free k). Refused as a session refuses `import_agenda`.
pub fn checked_agenda(
    name: &SeriesName,
    drafts: &[PromptDraft],
) -> Result<Vec<PromptDraft>, Rejection> {
    if drafts.len() > MAX_PROMPTS {
        return Err(Rejection::SessionFull);
    }
    let mut scratch = scratch_session(name);
    scratch.apply(
        &Command::ImportAgenda {
            prompts: drafts.to_vec(),
        },
        0,
    )?;
    // The scratch session's template: `@N` sources, and each prompt named by its own ref
    // or, when it had none, by its id in the scratch session.
    let mut agenda = scratch.agenda_template();
    let mut taken = BTreeSet::new();
    let mut unnamed = Vec::new();
    for (at, given) in drafts.iter().enumerate() {
        // Refs the file gave keep their meaning; a repeated one goes to its first prompt.
        match given.template.as_deref().map(str::trim) {
            Some(given) if !given.is_empty() && taken.insert(given.to_owned()) => {}
            _ => unnamed.push(at),
        }
    }
    let mut next = 1;
    for at in unnamed {
        let fresh = loop {
            let candidate = format!("p{next}");
            next += 1;
            if !taken.contains(&candidate) {
                break candidate;
            }
        };
        taken.insert(fresh.clone());
        agenda[at].template = Some(fresh);
    }
    Ok(agenda)
}

/// An empty session to run checks in (named after the series); never stored.
fn scratch_session(name: &SeriesName) -> Session {
    Session::new(SessionMeta {
        slug: name.clone(),
        title: String::new(),
        language: Language::default(),
        created_at: 0,
        key_hash: String::new(),
        time_zone: Default::default(),
        series: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Activity;

    fn draft(json: serde_json::Value) -> PromptDraft {
        serde_json::from_value(json).unwrap()
    }

    fn checked_agenda(drafts: &[PromptDraft]) -> Result<Vec<PromptDraft>, Rejection> {
        super::checked_agenda(&SessionName::parse("hyvinsivi-2018").unwrap(), drafts)
    }

    #[test]
    fn an_agenda_gets_unique_template_refs_and_keeps_given_ones() {
        let agenda = checked_agenda(&[
            draft(serde_json::json!({"kind":"poll","options":["Kunta","Valtio"],"title":"Sektori?","template":"p2"})),
            draft(serde_json::json!({"kind":"brainstorm","title":"  Mitkä kysymykset?  "})),
            draft(serde_json::json!({"kind":"dot_vote","source":"@1","dots":3,"max_per_item":2,"title":"Tärkeimmät","template":"p2"})),
        ])
        .unwrap();
        let refs: Vec<_> = agenda.iter().map(|d| d.template.clone().unwrap()).collect();
        assert_eq!(refs, ["p2", "p1", "p3"]);
        assert_eq!(
            agenda[1].title, "Mitkä kysymykset?",
            "cleaned like a session"
        );
        assert_eq!(
            agenda[2].activity.ballot_source().map(|s| s.0.as_str()),
            Some("@1"),
            "sources stay template places"
        );
        assert!(matches!(agenda[0].activity, Activity::Poll(_)));
    }

    #[test]
    fn an_agenda_a_session_would_refuse_is_refused() {
        let bad_source = checked_agenda(&[draft(
            serde_json::json!({"kind":"dot_vote","source":"@0","dots":3,"max_per_item":2,"title":"Itseensä"}),
        )]);
        assert!(matches!(bad_source, Err(Rejection::InvalidPrompt(_))));
        let empty_title =
            checked_agenda(&[draft(serde_json::json!({"kind":"brainstorm","title":"  "}))]);
        assert!(matches!(empty_title, Err(Rejection::InvalidPrompt(_))));
        assert_eq!(checked_agenda(&[]), Ok(Vec::new()));
    }
}
