//! Where log lines go and how they look: the one subscriber every `paja` command installs.
//!
//! Two formats, chosen with `--log-format` (`PAJA_LOG_FORMAT`): `text` for a person at a
//! terminal or `journalctl`, `json` (one object per line) for a log pipeline. `RUST_LOG`
//! filters both (default `info`). Colour codes are written only when standard error is a
//! terminal and `NO_COLOR` is not set: in a file or the journal they are noise that breaks
//! `grep`. Every line of an HTTP request (and of the websocket it becomes) carries the
//! request's id through its span (`http::layers`); JSON lines list the spans' fields in
//! `spans`.
//!
//! What is never logged, at any level and by any of Paja's own lines: a client's IP address or
//! user agent, participant text, a facilitator key or password, a query string. Some
//! dependencies write payloads at `trace` (tungstenite logs whole frames through `log`, which
//! is not bridged into this subscriber today); should they ever reach it, those targets are
//! capped at `debug` whatever `RUST_LOG` says ([`PRIVATE_TARGETS`]).

use std::io::IsTerminal;

use tracing_subscriber::filter::{Directive, EnvFilter};

/// The log line formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines (with colour only on a terminal).
    #[default]
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, `fields`, `spans`.
    Json,
}

/// The level when `RUST_LOG` is unset or unreadable.
const DEFAULT_FILTER: &str = "info";

/// Dependency targets whose `trace` lines carry what clients sent (websocket frames with
/// participant text, HTTP header values), capped at `debug` even under `RUST_LOG=trace`.
pub const PRIVATE_TARGETS: &[&str] = &["tungstenite", "tokio_tungstenite", "hyper", "h2"];

/// Installs the global subscriber writing to standard error; call once, first thing.
///
/// Fails only if a subscriber is already installed (a second call).
pub fn init(format: LogFormat) -> Result<(), String> {
    let filter = filter(std::env::var("RUST_LOG").ok().as_deref());
    let ansi = colour(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let installed = match format {
        LogFormat::Text => builder.with_ansi(ansi).try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(false)
            .with_span_list(true)
            .try_init(),
    };
    installed.map_err(|e| e.to_string())
}

/// `RUST_LOG` (or [`DEFAULT_FILTER`]) with [`PRIVATE_TARGETS`] capped at `debug`.
fn filter(rust_log: Option<&str>) -> EnvFilter {
    let mut filter = rust_log
        .and_then(|spec| EnvFilter::try_new(spec).ok())
        .unwrap_or_else(|| EnvFilter::new(DEFAULT_FILTER));
    for cap in private_caps(rust_log.unwrap_or_default()) {
        if let Ok(directive) = cap.parse::<Directive>() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

/// `target=debug` for each directive of `spec` that lets a private target's `trace` lines
/// through: a bare `trace` caps every one of [`PRIVATE_TARGETS`], `hyper::proto=trace` (or a
/// bare `hyper::proto`, which means all levels) caps that target itself, so the cap is as
/// specific as what it overrides. Stricter levels the operator chose stay.
fn private_caps(spec: &str) -> Vec<String> {
    let mut caps = Vec::new();
    for directive in spec.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let (target, level) = match directive.split_once('=') {
            Some((target, level)) => (target, level),
            None if directive.eq_ignore_ascii_case("trace") => ("", "trace"),
            None => (directive, "trace"),
        };
        if !level.eq_ignore_ascii_case("trace") || target.contains('[') {
            continue;
        }
        if target.is_empty() {
            caps.extend(PRIVATE_TARGETS.iter().map(|t| format!("{t}=debug")));
        } else if PRIVATE_TARGETS
            .iter()
            .any(|t| target == *t || target.starts_with(&format!("{t}::")))
        {
            caps.push(format!("{target}=debug"));
        }
    }
    caps
}

/// Colour only on a terminal, and never with `NO_COLOR` set to anything but "" (no-color.org).
fn colour(terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(colour(true, None));
        assert!(colour(true, Some("".as_ref())));
        assert!(!colour(true, Some("1".as_ref())));
        assert!(!colour(false, None));
    }

    #[test]
    fn trace_is_capped_for_the_targets_that_log_payloads() {
        assert_eq!(private_caps("trace").len(), PRIVATE_TARGETS.len());
        assert_eq!(
            private_caps("paja=debug,hyper::proto=trace"),
            ["hyper::proto=debug"]
        );
        assert_eq!(private_caps("tungstenite"), ["tungstenite=debug"]);
        assert!(private_caps("paja=trace,info").is_empty());
        assert!(private_caps("warn").is_empty());
        assert!(private_caps("").is_empty());
        let shown = filter(Some("trace")).to_string();
        assert!(shown.contains("tungstenite=debug"), "{shown}");
    }
}
