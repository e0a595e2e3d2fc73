//! Smoke runs of the load generator (this package's binary) and the floor server
//! (`examples/floor.rs` at the root), so neither can rot. They check
//! that every frame arrived, never how fast: machines are shared and noisy.

use std::process::Command;

use serde_json::Value;

/// Runs `paja-load` with `args` plus `--json` and returns its report.
fn paja_load(args: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_paja-load"))
        .args(args)
        .arg("--json")
        .output()
        .expect("paja-load runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "paja-load failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("report is not JSON ({e}): {stdout}"))
}

#[test]
fn paja_load_runs_every_phase_against_an_in_process_server() {
    let report = paja_load(&[
        "--spawn",
        "--participants",
        "50",
        "--sessions",
        "2",
        "--items",
        "100",
        "--rounds",
        "3",
        "--rate",
        "400",
        "--max-secs",
        "60",
    ]);
    assert_eq!(report["complete"], true, "{report:#}");
    assert_eq!(report["join"]["joined"], 50);
    assert_eq!(report["fanout"]["received"], 150);
    for phase in ["closed", "rate"] {
        assert_eq!(report[phase]["acked"], 100, "{phase}: {report:#}");
        assert_eq!(report[phase]["on_screen"], 100, "{phase}: {report:#}");
    }
    assert_eq!(report["wall"]["submissions"]["acked"], 100);
    assert_eq!(report["wall"]["complete"], 50, "every phone has every item");
    assert!(report["errors"].as_object().is_some_and(|e| e.is_empty()));
}

#[test]
fn paja_load_refuses_targets_off_this_machine() {
    let output = Command::new(env!("CARGO_BIN_EXE_paja-load"))
        .args([
            "--url",
            "http://192.168.1.10:8080",
            "-n",
            "1",
            "--max-secs",
            "5",
        ])
        .output()
        .expect("paja-load runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("non-loopback"));
}

/// The floor example's own code, run inside this test process (its `main` goes unused).
#[allow(dead_code)]
#[path = "../../examples/floor.rs"]
mod floor;

#[tokio::test(flavor = "multi_thread")]
async fn paja_load_measures_the_floor_server() {
    let listener = floor::listen("127.0.0.1:0".parse().expect("addr")).expect("floor listens");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let serving = tokio::spawn(floor::serve(listener));
    let report = tokio::task::spawn_blocking(move || {
        paja_load(&[
            "--floor",
            "--url",
            &url,
            "--participants",
            "50",
            "--rounds",
            "3",
            "--max-secs",
            "30",
        ])
    })
    .await
    .expect("paja-load thread");
    serving.abort();
    assert_eq!(report["complete"], true, "{report:#}");
    assert_eq!(report["fanout"]["received"], 150);
    assert!(report["closed"].is_null(), "the floor has no submissions");
}
