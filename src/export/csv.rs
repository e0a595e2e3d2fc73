//! CSV: one row per item, in agenda order, for spreadsheets and qualitative analysis tools.

use crate::session::{Activity, GroupId};

use super::{iso8601, Delimiter, View};

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

/// One row per item, in agenda order and then in the order items arrived.
pub fn csv(view: &View<'_>) -> Vec<u8> {
    let session = view.session;
    let mut out = BOM.to_vec();
    let group_name = |id: &Option<GroupId>| {
        id.as_ref()
            .and_then(|g| session.groups().iter().find(|x| &x.id == g))
            .map(|g| g.name.clone())
            .unwrap_or_default()
    };
    {
        let mut writer = ::csv::WriterBuilder::new()
            .delimiter(match view.delimiter {
                Delimiter::Comma => b',',
                Delimiter::Semicolon => b';',
            })
            .from_writer(&mut out);
        // Writing to a Vec cannot fail; a failed row would only mean a shorter file.
        let _ = writer.write_record(CSV_HEADER);
        for prompt in &view.prompts {
            let columns = match &prompt.draft.activity {
                Activity::Brainstorm { columns } => columns.as_slice(),
                _ => &[],
            };
            for item in view.items(prompt) {
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
                    session.pseudonym(&item.participant).as_str(),
                    iso8601(item.created_at).as_str(),
                    if item.hidden { "true" } else { "false" },
                    column.as_str(),
                    group_name(&item.group).as_str(),
                    session.like_count(item).to_string().as_str(),
                    view.dots(item).to_string().as_str(),
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
