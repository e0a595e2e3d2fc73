//! Resuming: the kept sequenced frames (the task's ring) a client that reconnects, or a
//! cluster edge that saw a gap, needs instead of a whole welcome.

use std::sync::Arc;

use axum::extract::ws::Utf8Bytes;

use super::task::SessionTask;
use super::Frames;
use crate::protocol::{self, Role, ServerMessage};
use crate::session::GroupId;

impl SessionTask {
    /// The kept sequenced frames after `since`, or `None` when some are no longer kept.
    pub(super) fn ring_since(&self, since: u64) -> Option<Vec<Arc<Frames>>> {
        let seq = self.session.seq();
        if since >= seq {
            return Some(Vec::new());
        }
        let oldest = self.recent.iter().find_map(|f| f.seq)?;
        if oldest > since + 1 {
            return None;
        }
        Some(
            self.recent
                .iter()
                .filter(|f| f.seq.is_some_and(|s| s > since))
                .cloned()
                .collect(),
        )
    }

    /// The frames a client that has seen everything up to `last_seq` needs to be current
    /// again, or `None` when a fresh welcome is needed: it has seen nothing yet, it is further
    /// behind than the frames kept, or (a phone) its wall is unsequenced and may have changed.
    ///
    /// `pending` are the frames of this batch's earlier commands: they already count in the
    /// session's seq but reach the ring only at commit. The resume claims that seq, so it must
    /// carry them too; the connection drops their broadcast copies as already seen.
    pub(super) fn resume(
        &self,
        role: Role,
        group: Option<&GroupId>,
        last_seq: u64,
        pending: &[Arc<Frames>],
    ) -> Option<Vec<Utf8Bytes>> {
        let seq = self.session.seq();
        if last_seq == 0 || last_seq > seq {
            return None;
        }
        let current = self.session.current_prompt();
        if role == Role::Participant && current.is_some_and(|p| p.draft.wall) {
            return None;
        }
        let kept = || self.recent.iter().chain(pending);
        let oldest_kept = kept().find_map(|f| f.seq).unwrap_or(seq + 1);
        let missed = match role {
            // Only frames for phones matter to a phone (`phone_horizon`).
            Role::Participant => self.phone_horizon > last_seq,
            Role::Facilitator | Role::Screen => last_seq < seq && oldest_kept > last_seq + 1,
        };
        if missed {
            return None;
        }
        let mut frames = vec![Utf8Bytes::from(
            ServerMessage::Resumed {
                seq,
                server_time: self.clock.now_ms(),
            }
            .to_json(),
        )];
        frames.extend(
            kept()
                .filter(|f| f.seq.is_some_and(|s| s > last_seq))
                .filter_map(|f| f.for_conn(role, group).cloned()),
        );
        // Results are unsequenced: send the ones the role may see, as its welcome would (the
        // facilitator every opened prompt's; phones the current prompt's and the projector
        // its stage's, when public).
        for prompt in self.session.prompts() {
            if protocol::has_results(prompt) && protocol::sees_results(&self.session, prompt, role)
            {
                frames.push(Utf8Bytes::from(protocol::results_frame(
                    &self.session,
                    prompt,
                )));
            }
        }
        Some(frames)
    }
}
