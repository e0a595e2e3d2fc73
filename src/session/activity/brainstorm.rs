//! Brainstorm: participants send short free-text items, optionally into named columns.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{clean_labels, invalid, Kind, COLUMN_MISFIT};
use crate::session::types::*;
use crate::session::{Prompt, Rejection, Results, Session};

/// Most columns a brainstorm may have: six fit side by side on a projector.
pub const MAX_COLUMNS: usize = 6;
/// Longest column name, in characters.
pub const COLUMN_NAME_MAX: usize = 60;

/// A brainstorm's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Brainstorm {
    /// 0 to 6 column names; with columns, each item goes into one.
    #[serde(default)]
    pub columns: Vec<String>,
}

impl Brainstorm {
    /// Whether an item may go into `column`: one of the columns, or none when there are none.
    pub fn column_fits(&self, column: Option<u8>) -> bool {
        match column {
            None => self.columns.is_empty(),
            Some(c) => usize::from(c) < self.columns.len(),
        }
    }
}

impl Kind for Brainstorm {
    const NAME: &'static str = "brainstorm";

    /// No: the clients count the items they already have.
    fn sends_results(&self) -> bool {
        false
    }

    /// Checks and cleans the settings.
    fn validate(&self) -> Result<Self, Rejection> {
        if self.columns.len() > MAX_COLUMNS {
            return Err(invalid("a brainstorm has at most 6 columns"));
        }
        Ok(Brainstorm {
            columns: clean_labels(
                &self.columns,
                COLUMN_NAME_MAX,
                "a column name must be 1–60 characters",
            )?,
        })
    }

    /// Counts per column and per group of the visible items.
    fn results(&self, session: &Session, prompt: &Prompt) -> Results {
        let mut per_column = vec![0; self.columns.len()];
        let mut groups = BTreeMap::new();
        let mut total = 0;
        for item in session.visible_items(&prompt.id) {
            total += 1;
            if let Some(c) = item.column {
                if let Some(n) = per_column.get_mut(usize::from(c)) {
                    *n += 1;
                }
            }
            let key = item.group.as_ref().map(|g| g.0.clone()).unwrap_or_default();
            *groups.entry(key).or_insert(0) += 1;
        }
        Results::Brainstorm {
            total,
            columns: per_column,
            groups,
        }
    }

    fn item_text_max(&self) -> Option<usize> {
        Some(ITEM_TEXT_MAX)
    }

    fn check_item(
        &self,
        _session: &Session,
        _prompt: &PromptId,
        _participant: &ParticipantId,
        text: &str,
        column: Option<u8>,
    ) -> Result<String, Rejection> {
        if !self.column_fits(column) {
            return Err(Rejection::InvalidColumn);
        }
        clean_text(text, ITEM_TEXT_MAX)
    }

    fn import_item(&self, column: Option<u8>, _given: u8) -> Result<(), &'static str> {
        if self.column_fits(column) {
            Ok(())
        } else {
            Err(COLUMN_MISFIT)
        }
    }
}
