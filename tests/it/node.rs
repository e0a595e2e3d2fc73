//! Running the browser scripts in `tests/browser/` with node: the check that Chromium and the
//! driver are installed (one line when not, never a backtrace per test), and the runner that
//! fails a test with the script's output. Shared by the Chromium tests in `browser.rs`,
//! `proxies.rs` and the fault tour (`faults.rs`, in its own binary `tests/field.rs`).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// One Chromium at a time: two at once on a small CI machine only make both slow.
pub(crate) static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Whether browser tests are skipped on purpose (`PAJA_SKIP_BROWSER=1`); fails the test with one
/// line (no panic message per test, no backtrace) when Chromium or the driver is missing.
pub(crate) fn skipped(script: &str) -> bool {
    if std::env::var("PAJA_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("PAJA_SKIP_BROWSER=1: NOT running the browser test {script}");
        return true;
    }
    let missing = missing();
    if !missing.is_empty() {
        // `resume_unwind` fails the test without the panic hook: one line, no backtrace.
        eprintln!("{script}: {missing}");
        std::panic::resume_unwind(Box::new(missing.clone()));
    }
    false
}

/// Chromium at `PAJA_CHROMIUM` or /usr/bin/chromium.
fn chromium() -> PathBuf {
    std::env::var_os("PAJA_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// What the browser tests need and is missing, in one line ("" when nothing is), checked once.
fn missing() -> &'static String {
    static MISSING: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    MISSING.get_or_init(|| {
        let mut missing = Vec::new();
        if !chromium().exists() {
            missing.push(format!("Chromium is not at {}", chromium().display()));
        }
        for package in ["playwright-core", "axe-core"] {
            if !browser_dir()
                .join(format!("node_modules/{package}/package.json"))
                .exists()
            {
                missing.push(format!("{package} is not installed in tests/browser"));
            }
        }
        if missing.is_empty() {
            String::new()
        } else {
            format!(
                "browser tests cannot run: {}; scripts/test installs them (PAJA_SKIP_BROWSER=1 skips them on purpose)",
                missing.join(", ")
            )
        }
    })
}

/// Runs `tests/browser/<script> <base>` with node and `env`, within `limit`; fails with its
/// output. The caller holds [`ONE_BROWSER`].
pub(crate) async fn run_node(script: &str, base: &str, env: &[(&str, &str)], limit: Duration) {
    let started = Instant::now();
    let child = tokio::process::Command::new("node")
        .arg(browser_dir().join(script))
        .arg(base)
        .current_dir(browser_dir())
        .env("PAJA_CHROMIUM", chromium())
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node ({e}); install Node.js 20+ and npm"));
    let output = tokio::time::timeout(limit, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{script} did not finish within {limit:?}"))
        .expect("wait for node");
    let report = format!(
        "node {script} {base}: {} after {:.1} s\n--- stdout\n{}--- stderr\n{}",
        output.status,
        started.elapsed().as_secs_f64(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(output.status.success(), "{report}");
    println!("{report}");
}
