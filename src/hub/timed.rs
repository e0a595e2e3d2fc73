//! How long each stage of one batch took, logged when `paja::push` debug events are wanted
//! ([`super::task::timing`]): what stands between a facilitator's frame and the phones'
//! broadcast. Kept apart from the task so the task holds only the batch's work.

/// When one batch's stages began: what stands between a facilitator's frame and the phones'
/// broadcast (issue 12 asked where a push's time goes before the fan-out).
pub(super) struct Timed {
    /// When the earliest command of the batch was handed to the session's queue.
    pub(super) oldest_queued: Option<std::time::Instant>,
    /// When the task took the batch's first request.
    pub(super) started: std::time::Instant,
}

impl Timed {
    pub(super) fn start() -> Self {
        Timed {
            oldest_queued: None,
            started: std::time::Instant::now(),
        }
    }

    /// Logs the stages: queue wait, apply (with the frames' serialization), journal write
    /// and fsync, broadcast and replies, in microseconds.
    pub(super) fn log(
        &self,
        applied: std::time::Instant,
        written: std::time::Instant,
        batch: (usize, usize, usize),
    ) {
        let us = |from: std::time::Instant, to: std::time::Instant| {
            to.saturating_duration_since(from).as_micros() as u64
        };
        let (requests, records, frames) = batch;
        let queue_us = self.oldest_queued.map(|q| us(q, self.started));
        tracing::debug!(
            target: "paja::push",
            requests,
            records,
            frames,
            queue_us,
            apply_us = us(self.started, applied),
            journal_us = us(applied, written),
            broadcast_us = us(written, std::time::Instant::now()),
            "batch committed"
        );
    }
}
