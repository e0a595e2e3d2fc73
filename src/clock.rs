//! The service's one source of wall-clock time, injected where time is read.
//!
//! The session core takes time as a parameter; everything around it (the session task's time
//! boxes, welcomes and pongs, exports' "generated at", a corrupt snapshot's name) reads it from
//! a [`Clock`] handed down by the server's configuration, never from `SystemTime` directly. A
//! clock is the epoch time when it was made plus the `tokio::time::Instant` elapsed since, so
//! a test with paused tokio time (`start_paused`, `advance`) moves every reading of the
//! server's time with it, and no test has to wait for a real timer.
//!
//! A leaf module: it depends on nothing else in the crate.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

/// Milliseconds since the Unix epoch (the same unit as `session::Millis`).
pub type Millis = u64;

/// Wall-clock time that follows tokio's (possibly paused) clock. Cheap to copy.
///
/// Readings are monotonic: after the start, time advances with the monotonic clock, so a
/// step of the system clock (NTP, a manual change) cannot move a time box backwards.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// Epoch time at `started`, in ms.
    epoch_ms: Millis,
    /// The tokio instant the clock was made at.
    started: Instant,
}

impl Clock {
    /// The system's wall clock as of now.
    pub fn system() -> Self {
        let epoch_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as Millis)
            .unwrap_or(0);
        Self::starting_at(epoch_ms)
    }

    /// A clock that reads `epoch_ms` now (tests pin the date this way).
    pub fn starting_at(epoch_ms: Millis) -> Self {
        Self {
            epoch_ms,
            started: Instant::now(),
        }
    }

    /// The current time in ms since the epoch.
    pub fn now_ms(&self) -> Millis {
        self.epoch_ms + self.started.elapsed().as_millis() as Millis
    }

    /// The tokio instant at which this clock will read `at` (now, if `at` has passed).
    pub fn instant_at(&self, at: Millis) -> Instant {
        let now = Instant::now();
        now + Duration::from_millis(at.saturating_sub(self.now_ms()))
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn paused_tokio_time_drives_the_clock() {
        let clock = Clock::starting_at(1_000);
        assert_eq!(clock.now_ms(), 1_000);
        tokio::time::advance(Duration::from_secs(12)).await;
        assert_eq!(clock.now_ms(), 13_000);
        // An instant in the future is as far away as the readings say.
        let at = clock.instant_at(15_500);
        assert_eq!(at - Instant::now(), Duration::from_millis(2_500));
        assert_eq!(clock.instant_at(10), Instant::now());
    }

    #[test]
    fn the_system_clock_reads_the_epoch_time() {
        let before = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as Millis;
        let read = Clock::system().now_ms();
        // 2020-01-01 or later, and not before the reading taken just before it.
        assert!(read >= before && read > 1_577_836_800_000);
    }
}
