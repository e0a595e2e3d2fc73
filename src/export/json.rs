//! JSON: the whole session in the versioned schema of docs/export-format.md.

use serde::Serialize;

use crate::session::{GroupId, ItemId, Language, PromptState, Results};

use super::{iso8601, View};

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
pub fn json(view: &View<'_>) -> Vec<u8> {
    let session = view.session;
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
        prompts: view
            .prompts
            .iter()
            .map(|p| JsonPrompt {
                id: &p.id.0,
                draft: &p.draft,
                state: p.state,
                opened_at: p.opened_at.map(iso8601),
                closed_at: p.closed_at.map(iso8601),
                results: (p.state != PromptState::Draft).then(|| session.results(p)),
                items: view
                    .items(p)
                    .map(|i| JsonItem {
                        id: i.id,
                        text: &i.text,
                        participant: session.pseudonym(&i.participant),
                        created_at: iso8601(i.created_at),
                        hidden: i.hidden,
                        column: i.column,
                        group: i.group.as_ref(),
                        approved: i.approved,
                        starred: i.starred,
                        merged_into: i.merged_into,
                        likes: session.like_count(i),
                        dots: view.dots(i),
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
