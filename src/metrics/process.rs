//! The process's own gauges, read from `/proc` at scrape time (Linux; elsewhere they stay 0):
//! open file descriptors against their limit (each websocket and each loaded session's
//! journal holds one), resident memory and the start time. The names are the ones every
//! Prometheus client library uses, so stock dashboards and alerts find them.

use std::fs;

use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// The clock ticks per second of `/proc/self/stat` times (`USER_HZ`, 100 on every Linux
/// architecture that Paja is built for).
const TICKS_PER_SECOND: u64 = 100;

/// `process_*` gauges.
pub(super) struct Gauges {
    open_fds: Gauge,
    max_fds: Gauge,
    resident_bytes: Gauge,
    start_time_seconds: Gauge,
}

impl Gauges {
    pub(super) fn register(registry: &mut Registry) -> Self {
        let mut gauge = |name: &str, help: &str| {
            let gauge = Gauge::default();
            registry.register(name, help, gauge.clone());
            gauge
        };
        Gauges {
            open_fds: gauge("process_open_fds", "Open file descriptors"),
            max_fds: gauge(
                "process_max_fds",
                "The limit on open file descriptors (soft)",
            ),
            resident_bytes: gauge("process_resident_memory_bytes", "Resident memory"),
            start_time_seconds: gauge(
                "process_start_time_seconds",
                "When the process started, seconds since the Unix epoch",
            ),
        }
    }

    /// Reads the values now; any that cannot be read keeps its last value.
    pub(super) fn refresh(&self) {
        if let Ok(entries) = fs::read_dir("/proc/self/fd") {
            // Minus the descriptor the listing itself holds open.
            self.open_fds.set(entries.count().saturating_sub(1) as i64);
        }
        if let Some(max) = fs::read_to_string("/proc/self/limits")
            .ok()
            .and_then(|limits| max_open_files(&limits))
        {
            self.max_fds.set(max);
        }
        if let Some(kib) = fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|status| field(&status, "VmRSS:"))
        {
            self.resident_bytes.set(kib.saturating_mul(1024));
        }
        if self.start_time_seconds.get() == 0 {
            if let Some(start) = start_time() {
                self.start_time_seconds.set(start);
            }
        }
    }
}

/// The soft limit in `/proc/self/limits`' "Max open files" line.
fn max_open_files(limits: &str) -> Option<i64> {
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The first number after `name` in a `/proc` status-style text.
fn field(text: &str, name: &str) -> Option<i64> {
    let line = text.lines().find(|l| l.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}

/// Boot time (`/proc/stat` btime) plus the process's start in ticks after boot (field 22 of
/// `/proc/self/stat`, counted after the parenthesised command name, which may hold spaces).
fn start_time() -> Option<i64> {
    let boot = field(&fs::read_to_string("/proc/stat").ok()?, "btime")?;
    let stat = fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    let ticks: u64 = after_name.split_whitespace().nth(19)?.parse().ok()?;
    Some(boot + (ticks / TICKS_PER_SECOND) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_and_fields_parse_from_proc_text() {
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \n\
                      Max cpu time              unlimited            unlimited            seconds   \n\
                      Max open files            1024                 524288               files     \n";
        assert_eq!(max_open_files(limits), Some(1024));
        assert_eq!(
            field("Name:\tpaja\nVmRSS:\t  5120 kB\n", "VmRSS:"),
            Some(5120)
        );
        assert_eq!(field("Name:\tpaja\n", "VmRSS:"), None);
    }

    #[test]
    fn this_process_has_open_files_and_started_in_the_past() {
        let mut registry = Registry::default();
        let gauges = Gauges::register(&mut registry);
        gauges.refresh();
        if cfg!(target_os = "linux") {
            assert!(gauges.open_fds.get() > 2);
            assert!(gauges.max_fds.get() >= gauges.open_fds.get());
            assert!(gauges.resident_bytes.get() > 0);
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs() as i64;
            let start = gauges.start_time_seconds.get();
            assert!(start > 0 && start <= now + 1, "{start} vs {now}");
        }
    }
}
