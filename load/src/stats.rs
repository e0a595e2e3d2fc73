//! Percentiles of latency samples, and the server's CPU time and memory from `/proc`.

use std::path::Path;

use serde::Serialize;

/// Clock ticks per second in `/proc/<pid>/stat` (Linux's `USER_HZ`, fixed at 100 for the ABI).
const USER_HZ: f64 = 100.0;

/// Latency percentiles, in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// How many samples.
    pub count: usize,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// The slowest.
    pub max: f64,
}

impl Summary {
    /// Percentiles (nearest rank) of samples in nanoseconds; `None` without samples.
    pub fn of(mut samples_ns: Vec<u64>) -> Option<Summary> {
        if samples_ns.is_empty() {
            return None;
        }
        samples_ns.sort_unstable();
        let n = samples_ns.len();
        let rank = |q: f64| {
            let index = ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
            ms(samples_ns[index])
        };
        Some(Summary {
            count: n,
            p50: rank(0.50),
            p95: rank(0.95),
            p99: rank(0.99),
            max: ms(samples_ns[n - 1]),
        })
    }
}

/// Nanoseconds as fractional milliseconds.
pub fn ms(ns: u64) -> f64 {
    ns as f64 / 1e6
}

/// Whose CPU and memory count as "the server".
#[derive(Debug, Clone)]
pub enum Watched {
    /// A separate `paja` process.
    Pid(u32),
    /// Paja started in this process (`--spawn`): CPU of the threads whose name starts with
    /// this prefix; memory can only be had for the whole process.
    Threads(&'static str),
    /// Nothing to watch (the floor server, started elsewhere without `--server-pid`).
    None,
}

/// One reading of the server's counters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    /// User plus system CPU time so far, in seconds.
    pub server_cpu: f64,
    /// This process's CPU time minus the server's share (the generator), in seconds.
    pub generator_cpu: f64,
    /// Resident memory now, KiB.
    pub rss_kib: u64,
    /// Peak resident memory, KiB.
    pub hwm_kib: u64,
}

impl Watched {
    /// Reads the counters now (zeros for what cannot be read).
    pub fn sample(&self) -> Sample {
        let own_cpu = cpu_secs(Path::new("/proc/self/stat")).unwrap_or(0.0);
        match self {
            Watched::Pid(pid) => {
                let dir = format!("/proc/{pid}");
                let (rss_kib, hwm_kib) = memory_kib(Path::new(&dir).join("status").as_path());
                Sample {
                    server_cpu: cpu_secs(Path::new(&dir).join("stat").as_path()).unwrap_or(0.0),
                    generator_cpu: own_cpu,
                    rss_kib,
                    hwm_kib,
                }
            }
            Watched::Threads(prefix) => {
                let server_cpu = threads_cpu_secs(prefix);
                let (rss_kib, hwm_kib) = memory_kib(Path::new("/proc/self/status"));
                Sample {
                    server_cpu,
                    generator_cpu: (own_cpu - server_cpu).max(0.0),
                    rss_kib,
                    hwm_kib,
                }
            }
            Watched::None => Sample {
                generator_cpu: own_cpu,
                ..Sample::default()
            },
        }
    }

    /// Whether memory readings describe the server alone.
    pub fn memory_scope(&self) -> &'static str {
        match self {
            Watched::Pid(_) => "server process",
            Watched::Threads(_) => {
                "whole process: server and generator (use --server-pid for the server alone)"
            }
            Watched::None => "not measured",
        }
    }
}

/// `utime + stime` from a `stat` file, in seconds.
fn cpu_secs(stat: &Path) -> Option<f64> {
    let text = std::fs::read_to_string(stat).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: split after it.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name, field 3 (state) is index 0, so utime (14) and stime (15) are 11 and 12.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) as f64 / USER_HZ)
}

/// CPU seconds of this process's threads whose name starts with `prefix`.
fn threads_cpu_secs(prefix: &str) -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    tasks
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|name| name.trim_end().starts_with(prefix))
        })
        .filter_map(|task| cpu_secs(&task.path().join("stat")))
        .sum()
}

/// `VmRSS` and `VmHWM` from a `status` file, in KiB.
fn memory_kib(status: &Path) -> (u64, u64) {
    let text = std::fs::read_to_string(status).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let s = Summary::of((1..=100).map(|i| i * 1_000_000).collect()).unwrap();
        assert_eq!((s.p50, s.p95, s.p99, s.max), (50.0, 95.0, 99.0, 100.0));
        let one = Summary::of(vec![2_000_000]).unwrap();
        assert_eq!((one.p50, one.p99), (2.0, 2.0));
        assert!(Summary::of(Vec::new()).is_none());
    }

    #[test]
    fn own_counters_are_readable() {
        assert!(cpu_secs(Path::new("/proc/self/stat")).is_some());
        let (rss, hwm) = memory_kib(Path::new("/proc/self/status"));
        assert!(rss > 0 && hwm >= rss);
    }
}
