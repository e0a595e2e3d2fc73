//! Brainstorm: its items are its results, so it has no results table (the item rows of the
//! CSV and the workbook are its export); the report lists them by column (by theme when the
//! facilitator made themes, see [`super::themes`]) and group, starred first, with the
//! duplicates merged into each under it.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::session::{GroupId, Item, ItemId, Prompt};

use crate::export::report::html::escape;
use crate::export::report::md::{inline, item as md_item};
use crate::export::report::Labels;
use crate::export::View;

/// A brainstorm in the report: its items by column and group.
#[derive(Debug)]
pub struct Items<'a> {
    /// Items shown (duplicates merged into others included).
    pub total: usize,
    /// How many items are shown, as a line of text.
    pub count: String,
    /// One per column, or one without a heading when there are no columns.
    pub columns: Vec<Column<'a>>,
}

/// A brainstorm column or theme (or all of the items when there are neither).
#[derive(Debug)]
pub struct Column<'a> {
    /// The column's or theme's name; `None` when the brainstorm has no columns.
    pub name: Option<String>,
    /// A theme's items, its duplicates included, shown beside its name; `None` for columns.
    pub count: Option<usize>,
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

/// The name of the column `item` was sent to, if any.
pub fn column_name<'a>(columns: &'a [String], item: &Item) -> Option<&'a str> {
    item.column
        .and_then(|c| columns.get(usize::from(c)))
        .map(String::as_str)
}

/// The report's section: by column, then by group when groups were used; starred first; the
/// duplicates merged into an item under it. `None` when no item is shown.
pub fn section<'a>(
    view: &View<'a>,
    l: &'static Labels,
    prompt: &'a Prompt,
    columns: &'a [String],
) -> Option<Items<'a>> {
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
    if total == 0 {
        return None;
    }
    let layout = Layout {
        view,
        l,
        groups_used: tops.iter().any(|i| i.group.is_some()),
        merged,
    };
    Some(Items {
        total,
        count: l.n(l.answers_n, total),
        columns: match session.themes(&prompt.id) {
            [] => layout.columns(columns, tops),
            themes => layout.by_theme(themes, tops),
        },
    })
}

/// What laying out a brainstorm's items needs beside the items.
pub(super) struct Layout<'v, 'a> {
    pub(super) view: &'v View<'a>,
    pub(super) l: &'static Labels,
    /// Whether any item was sent from a group: then items are grouped.
    groups_used: bool,
    /// The shown duplicates, each with the item it was merged into at the end of its chain.
    pub(super) merged: Vec<(ItemId, &'a Item)>,
}

impl<'a> Layout<'_, 'a> {
    /// The items under each column, then those sent before columns applied (or to a column
    /// since removed) under "No column"; one unnamed column without columns.
    fn columns(&self, columns: &'a [String], tops: Vec<&'a Item>) -> Vec<Column<'a>> {
        if columns.is_empty() {
            return vec![Column {
                name: None,
                count: None,
                groups: self.in_groups(tops),
            }];
        }
        let mut out: Vec<Column<'a>> = columns
            .iter()
            .enumerate()
            .map(|(c, name)| Column {
                name: Some(name.clone()),
                count: None,
                groups: self.in_groups(
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
                name: Some(self.l.no_column.to_owned()),
                count: None,
                groups: self.in_groups(loose),
            });
        }
        out
    }

    /// `items` by group in the session's group order, then those of no (or a deleted) group;
    /// one unnamed part when no groups were used.
    pub(super) fn in_groups(&self, items: Vec<&'a Item>) -> Vec<GroupItems<'a>> {
        let session = self.view.session;
        if !self.groups_used {
            return vec![GroupItems {
                name: None,
                color: None,
                entries: self.sorted(items),
            }];
        }
        let of = |keep: &dyn Fn(&Item) -> bool| -> Vec<&'a Item> {
            items.iter().copied().filter(|i| keep(i)).collect()
        };
        let mut parts: Vec<GroupItems<'a>> = session
            .groups()
            .iter()
            .map(|g| GroupItems {
                name: Some(g.name.as_str()),
                color: g.color.as_deref().filter(|c| is_hex_color(c)),
                entries: self.sorted(of(&|i| i.group.as_ref() == Some(&g.id))),
            })
            .collect();
        let known: BTreeSet<&GroupId> = session.groups().iter().map(|g| &g.id).collect();
        parts.push(GroupItems {
            name: Some(self.l.no_group),
            color: None,
            entries: self.sorted(of(&|i| i.group.as_ref().is_none_or(|g| !known.contains(g)))),
        });
        parts.retain(|p| !p.entries.is_empty());
        parts
    }

    /// Stable: starred first, each part in the order it arrived.
    fn sorted(&self, mut items: Vec<&'a Item>) -> Vec<Entry<'a>> {
        items.sort_by_key(|i| !i.starred);
        items.into_iter().map(|i| self.entry(i)).collect()
    }

    /// An item with what is said of it and its duplicates.
    fn entry(&self, item: &'a Item) -> Entry<'a> {
        let l = self.l;
        let duplicates: Vec<(&str, bool)> = self
            .merged
            .iter()
            .filter(|(root, _)| *root == item.id)
            .map(|(_, m)| (m.text.as_str(), m.hidden || !m.approved))
            .collect();
        let likes = self.view.session.like_count(item);
        let dots = self.view.dots(item);
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
            let n = duplicates.len() as u64;
            mark(MarkKind::Similar, l.plural(l.similar, n));
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
    }
}

/// Whether `s` is a `#rrggbb` colour (safe to put in a style attribute).
fn is_hex_color(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// The section in HTML: the count, then each column's groups as lists.
pub fn html(out: &mut String, l: &Labels, items: &Items<'_>) {
    let _ = writeln!(out, "<p class=\"count\">{}</p>", escape(&items.count));
    for column in &items.columns {
        html_column(out, l, column);
    }
}

fn html_column(out: &mut String, l: &Labels, column: &Column<'_>) {
    // Without columns, groups are the first level under the prompt.
    let group_level = if let Some(name) = &column.name {
        let count = column
            .count
            .map(|n| format!(" <span class=\"n\">({n})</span>"))
            .unwrap_or_default();
        let _ = writeln!(out, "<h3>{}{count}</h3>", escape(name));
        4
    } else {
        3
    };
    if column.is_empty() {
        let _ = writeln!(out, "<p class=\"none\">{}</p>", l.no_answers);
        return;
    }
    for group in &column.groups {
        if let Some(name) = group.name {
            let swatch = group
                .color
                .map(|c| format!("<span class=\"swatch\" style=\"background:{c}\" aria-hidden=\"true\"></span>"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "<h{group_level}>{swatch}{}</h{group_level}>",
                escape(name)
            );
        }
        out.push_str("<ul class=\"items\">\n");
        for entry in &group.entries {
            html_entry(out, l, entry);
        }
        out.push_str("</ul>\n");
    }
}

fn html_entry(out: &mut String, l: &Labels, e: &Entry<'_>) {
    let _ = write!(
        out,
        "<li{}><span class=\"text\">{}</span>",
        if e.starred { " class=\"starred\"" } else { "" },
        escape(e.text)
    );
    for mark in &e.marks {
        let text = escape(&mark.text);
        let _ = match mark.kind {
            MarkKind::Starred => write!(out, " <span class=\"tag star\">★ {text}</span>"),
            MarkKind::Hidden => write!(out, " <span class=\"tag hidden\">{text}</span>"),
            MarkKind::Likes => write!(
                out,
                " <span class=\"tag\"><span aria-hidden=\"true\">♥ </span>{text}</span>"
            ),
            MarkKind::Dots => write!(
                out,
                " <span class=\"tag\"><span aria-hidden=\"true\">● </span>{text}</span>"
            ),
            MarkKind::Similar => write!(out, " <span class=\"tag\">{text}</span>"),
        };
    }
    if !e.merged.is_empty() {
        let _ = write!(
            out,
            "\n<span class=\"merged-label\">{}:</span>\n<ul class=\"merged\">\n",
            escape(l.merged_here)
        );
        for (text, hidden) in &e.merged {
            let _ = write!(out, "<li><span class=\"text\">{}</span>", escape(text));
            if *hidden {
                let _ = write!(out, " <span class=\"tag hidden\">{}</span>", l.hidden);
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</li>\n");
}

/// The section in Markdown: the count, then each column's groups as lists.
pub fn md(out: &mut String, l: &Labels, items: &Items<'_>) {
    let _ = write!(out, "\n{}\n", items.count);
    for column in &items.columns {
        md_column(out, l, column);
    }
}

fn md_column(out: &mut String, l: &Labels, column: &Column<'_>) {
    let group_level = if let Some(name) = &column.name {
        let count = column.count.map(|n| format!(" ({n})")).unwrap_or_default();
        let _ = write!(out, "\n### {}{count}\n", inline(name));
        "####"
    } else {
        "###"
    };
    if column.is_empty() {
        let _ = write!(out, "\n{}\n", l.no_answers);
        return;
    }
    for group in &column.groups {
        if let Some(name) = group.name {
            let _ = write!(out, "\n{group_level} {}\n", inline(name));
        }
        out.push('\n');
        for entry in &group.entries {
            md_entry(out, l, entry);
        }
    }
}

fn md_entry(out: &mut String, l: &Labels, e: &Entry<'_>) {
    let text = md_item(e.text, "  ");
    if e.starred {
        let _ = write!(out, "- ★ **{text}**");
    } else {
        let _ = write!(out, "- {text}");
    }
    // The item's own star stands before it; the other marks' symbols go with their words.
    let marks: Vec<String> = e
        .marks
        .iter()
        .map(|mark| match mark.kind {
            MarkKind::Likes => format!("♥ {}", mark.text),
            MarkKind::Dots => format!("● {}", mark.text),
            MarkKind::Starred | MarkKind::Hidden | MarkKind::Similar => mark.text.clone(),
        })
        .collect();
    if !marks.is_empty() {
        let _ = write!(out, " — *{}*", marks.join(" · "));
    }
    out.push('\n');
    for (text, hidden) in &e.merged {
        let _ = write!(out, "  - {}", md_item(text, "    "));
        if *hidden {
            let _ = write!(out, " *({})*", l.hidden);
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::activity::{results_table, Body};
    use crate::export::fixture::{self, draft, report_workshop as workshop};
    use crate::export::report::{Report, FI};
    use crate::export::{Format, Options, PromptSelector};
    use crate::session::{Activity, Command};

    /// The first section's items, as the report shows them with `options`.
    fn items_of<R>(w: &fixture::Workshop, options: &Options, check: impl Fn(&Items<'_>) -> R) -> R {
        let report = Report::new(&w.view(Format::Html, options));
        match &report.sections[0].body {
            Body::Brainstorm(items) => check(items),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn no_results_table_its_items_are_its_results() {
        let w = fixture::workshop();
        let view = w.view(Format::Xlsx, &Options::default());
        assert_eq!(results_table(&view, view.prompts[0]), None);
    }

    #[test]
    fn the_report_groups_merges_and_stars_as_a_reader_expects() {
        items_of(&workshop(), &Options::default(), |items| {
            // The hidden item is out; the duplicate is under Ohjaamo.
            assert_eq!((items.total, items.count.as_str()), (4, "Vastauksia: 4"));
            let columns = &items.columns;
            assert_eq!(columns.len(), 2);
            assert_eq!(columns[0].name.as_deref(), Some("Toimii nyt"));
            let toimijat = &columns[0].groups[0];
            assert_eq!(toimijat.name, Some("Toimijat"));
            assert_eq!(toimijat.color, Some("#1f77b4"));
            let ohjaamo = &toimijat.entries[0];
            assert_eq!(ohjaamo.text, "Ohjaamo");
            assert_eq!(ohjaamo.merged, [("ohjaamo!", false)]);
            assert_eq!((ohjaamo.likes, ohjaamo.dots), (1, 1));
            let marks: Vec<_> = ohjaamo
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
        });
    }

    #[test]
    fn hidden_items_come_in_marked_when_asked_for() {
        let hidden = Options {
            hidden: Some(true),
            ..Options::default()
        };
        items_of(&workshop(), &hidden, |items| {
            assert_eq!(items.total, 5);
            let hidden: Vec<_> = items.columns[1]
                .groups
                .iter()
                .flat_map(|g| &g.entries)
                .filter(|e| e.hidden)
                .map(|e| e.text)
                .collect();
            assert_eq!(hidden, ["Roskaa"]);
        });
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
            prompts: Some(vec![PromptSelector::Id(id)]),
            ..Options::default()
        };
        let report = Report::new(&w.view(Format::Html, &only));
        assert!(matches!(report.sections[0].body, Body::Nothing(why) if why == FI.no_answers));
        let with_hidden = Options {
            hidden: Some(true),
            ..only
        };
        items_of(&w, &with_hidden, |items| {
            let entry = &items.columns[0].groups[0].entries[0];
            assert_eq!((entry.text, entry.pending), ("Odottaa vielä", true));
        });
    }
}
