//! Exports for the seminar report: CSV (one row per item) and the whole session as JSON.
//!
//! Both carry pseudonymous participant ids only ([`ParticipantId::pseudonym`]), never the
//! device ids. The same functions serve the HTTP download and the offline `paja export`.

use serde::Serialize;

use std::collections::BTreeMap;

use crate::session::{Activity, GroupId, ItemId, Language, Millis, PromptState, Results, Session};

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One row per item, UTF-8 with a BOM so Excel reads ä, ö and å correctly.
    Csv,
    /// The whole session (see docs/protocol.md, "Export").
    Json,
}

impl Format {
    /// The MIME type for downloads.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// Renders `session` in `format`.
pub fn render(session: &Session, format: Format) -> Vec<u8> {
    match format {
        Format::Csv => csv(session),
        Format::Json => json(session),
    }
}

/// The UTF-8 byte order mark: without it Excel decodes a CSV as the local code page.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The CSV header: the core columns first, then what the workshop activities add.
pub const CSV_HEADER: [&str; 12] = [
    "prompt",
    "text",
    "participant",
    "time",
    "hidden",
    "column",
    "group",
    "likes",
    "dots",
    "merged_into",
    "history",
    "item_id",
];

/// Dots each item received over every dot vote on its prompt (merged duplicates counted with
/// the item they were merged into).
fn dots_per_item(session: &Session) -> BTreeMap<ItemId, u32> {
    let mut dots = BTreeMap::new();
    for prompt in session.prompts() {
        if let Results::DotVote { ranking, .. } = session.results(prompt) {
            if matches!(prompt.draft.activity, Activity::DotVote { .. }) {
                for entry in ranking {
                    *dots.entry(entry.item_id).or_insert(0) += entry.dots;
                }
            }
        }
    }
    dots
}

/// One row per item, in agenda order and then in the order items arrived.
pub fn csv(session: &Session) -> Vec<u8> {
    let mut out = BOM.to_vec();
    let dots = dots_per_item(session);
    let group_name = |id: &Option<GroupId>| {
        id.as_ref()
            .and_then(|g| session.groups().iter().find(|x| &x.id == g))
            .map(|g| g.name.clone())
            .unwrap_or_default()
    };
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        // Writing to a Vec cannot fail; a failed row would only mean a shorter file.
        let _ = writer.write_record(CSV_HEADER);
        for prompt in session.prompts() {
            let columns = match &prompt.draft.activity {
                Activity::Brainstorm { columns } => columns.as_slice(),
                _ => &[],
            };
            for item in session.items_for(&prompt.id) {
                let column = item
                    .column
                    .and_then(|c| columns.get(usize::from(c)))
                    .cloned()
                    .unwrap_or_default();
                let history = item
                    .history
                    .iter()
                    .map(|r| r.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" → ");
                let _ = writer.write_record([
                    prompt.draft.title.as_str(),
                    item.text.as_str(),
                    item.participant.pseudonym(&session.meta.slug).as_str(),
                    iso8601(item.created_at).as_str(),
                    if item.hidden { "true" } else { "false" },
                    column.as_str(),
                    group_name(&item.group).as_str(),
                    session.like_count(item).to_string().as_str(),
                    dots.get(&item.id)
                        .copied()
                        .unwrap_or(0)
                        .to_string()
                        .as_str(),
                    item.merged_into
                        .map(|m| m.to_string())
                        .unwrap_or_default()
                        .as_str(),
                    history.as_str(),
                    item.id.to_string().as_str(),
                ]);
            }
        }
        let _ = writer.flush();
    }
    out
}

/// The JSON export's format name and version.
pub const JSON_FORMAT: &str = "paja-session";
/// Bumped on incompatible changes to the JSON export.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonExport<'a> {
    format: &'static str,
    version: u32,
    exported_at: String,
    session: JsonSession<'a>,
    groups: &'a [crate::session::Group],
    prompts: Vec<JsonPrompt<'a>>,
}

#[derive(Serialize)]
struct JsonSession<'a> {
    slug: &'a str,
    title: &'a str,
    language: Language,
    created_at: String,
}

#[derive(Serialize)]
struct JsonPrompt<'a> {
    id: &'a str,
    #[serde(flatten)]
    draft: &'a crate::session::PromptDraft,
    state: PromptState,
    opened_at: Option<String>,
    closed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    results: Option<Results>,
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: ItemId,
    text: &'a str,
    participant: String,
    created_at: String,
    hidden: bool,
    column: Option<u8>,
    group: Option<&'a GroupId>,
    approved: bool,
    starred: bool,
    merged_into: Option<ItemId>,
    likes: usize,
    dots: u32,
    history: Vec<JsonRevision<'a>>,
}

#[derive(Serialize)]
struct JsonRevision<'a> {
    text: &'a str,
    at: String,
}

/// The whole session: groups, then prompts in agenda order, each with its results and items.
pub fn json(session: &Session) -> Vec<u8> {
    let dots = dots_per_item(session);
    let export = JsonExport {
        format: JSON_FORMAT,
        version: JSON_VERSION,
        exported_at: iso8601(crate::hub::now_ms()),
        session: JsonSession {
            slug: session.meta.slug.as_str(),
            title: &session.meta.title,
            language: session.meta.language,
            created_at: iso8601(session.meta.created_at),
        },
        groups: session.groups(),
        prompts: session
            .prompts()
            .iter()
            .map(|p| JsonPrompt {
                id: &p.id.0,
                draft: &p.draft,
                state: p.state,
                opened_at: p.opened_at.map(iso8601),
                closed_at: p.closed_at.map(iso8601),
                results: (p.state != PromptState::Draft).then(|| session.results(p)),
                items: session
                    .items_for(&p.id)
                    .map(|i| JsonItem {
                        id: i.id,
                        text: &i.text,
                        participant: i.participant.pseudonym(&session.meta.slug),
                        created_at: iso8601(i.created_at),
                        hidden: i.hidden,
                        column: i.column,
                        group: i.group.as_ref(),
                        approved: i.approved,
                        starred: i.starred,
                        merged_into: i.merged_into,
                        likes: session.like_count(i),
                        dots: dots.get(&i.id).copied().unwrap_or(0),
                        history: i
                            .history
                            .iter()
                            .map(|r| JsonRevision {
                                text: &r.text,
                                at: iso8601(r.at),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut out = serde_json::to_vec_pretty(&export).unwrap_or_default();
    out.push(b'\n');
    out
}

/// The agenda template's format name.
pub const AGENDA_FORMAT: &str = "paja-agenda";

#[derive(Serialize)]
struct AgendaTemplate {
    format: &'static str,
    version: u32,
    title: String,
    prompts: Vec<crate::session::PromptDraft>,
}

/// The agenda as a reusable template, for `import_agenda` in a new session: the drafts in
/// order, a dot vote's source written as `@N` (the N-th prompt of the template).
pub fn agenda(session: &Session) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(&AgendaTemplate {
        format: AGENDA_FORMAT,
        version: 1,
        title: session.meta.title.clone(),
        prompts: session.agenda_template(),
    })
    .unwrap_or_default();
    out.push(b'\n');
    out
}

/// Formats ms since the epoch as ISO 8601 in UTC with milliseconds: `2018-05-24T07:15:02.123Z`.
pub fn iso8601(ms: Millis) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60,
        ms % 1000
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_known_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_527_146_102_123), "2018-05-24T07:15:02.123Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso8601(4_107_542_399_999), "2100-02-28T23:59:59.999Z");
    }
}
