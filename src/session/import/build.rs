//! The last stage: the session assembled from what the checks let through.

use super::check::Importer;
use super::ImportTarget;
use crate::session::*;

impl Importer<'_> {
    /// The imported session, named and keyed as `target` says.
    pub(super) fn build(mut self, title: String, target: &ImportTarget) -> Session {
        // Acceptance order across prompts, as the journal had it.
        self.items.sort_by_key(|i| i.seq);
        self.tombstones.sort_by_key(|t| t.erased_at);
        let meta = SessionMeta {
            slug: target
                .slug
                .clone()
                .unwrap_or_else(|| self.doc.session.slug.clone()),
            title,
            language: self.doc.session.language,
            created_at: self.doc.session.created_at.0,
            key_hash: target.key_hash.clone(),
            time_zone: self.doc.session.time_zone.clone(),
            series: None,
        };
        let mut session = Session::new(meta);
        session.prompts = self.prompts;
        session.items = self.items;
        session.tombstones = self.tombstones;
        session.groups = self.groups;
        session.members = self.members;
        session.answers = self.answers;
        session.notes = self.notes;
        session.current = self.current;
        session.screen_language = self.doc.session.screen_language;
        session.seq = self.doc.session.seq;
        session.next_prompt = self.next_prompt;
        session.next_group = self.next_group;
        session.pseudonyms = self.pseudonyms;
        session.imported_at = Some(target.now);
        session.reindex();
        session
    }
}
