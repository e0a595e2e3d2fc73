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

/// Paja on a fixed data directory and address, in this test's process.
async fn paja_at(addr: std::net::SocketAddr, data_dir: &std::path::Path) -> paja::Server {
    paja::Server::start(paja::Config {
        addr,
        data_dir: data_dir.to_path_buf(),
        participant_rate: 1_000_000,
        participant_burst: 1_000_000,
        max_connections_per_ip: usize::MAX,
        ..paja::Config::default()
    })
    .await
    .expect("Paja starts")
}

/// The fault tooling end to end: phones spread over two URLs (here one server twice), the
/// server stopped and started again mid-run, every phone back (resumed or welcomed), the fault's
/// stall measured, and every acknowledged item found once in the export afterwards. A server
/// that lost an acknowledged item here would fail the check, not just slow the run.
#[tokio::test(flavor = "multi_thread")]
async fn paja_load_survives_a_restart_and_checks_every_ack_against_the_export() {
    let data = std::env::temp_dir().join(format!("paja-load-test-{}", std::process::id()));
    std::fs::create_dir_all(&data).expect("data dir");
    let server = paja_at("127.0.0.1:0".parse().expect("addr"), &data).await;
    let addr = server.addr();
    let url = format!("http://{addr}");
    let faults = data.join("faults");
    let started = data.join("started");
    std::fs::write(&faults, "").expect("faults file");
    let args: Vec<String> = [
        "--url",
        &format!("{url},{url}"),
        "-n",
        "20",
        "--phases",
        "rate",
        "--rate",
        "400",
        "--items",
        "2400",
        "--reconnect",
        "--check-from",
        &url,
        "--max-secs",
        "60",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([
        "--faults".into(),
        faults.display().to_string(),
        "--started-file".into(),
        started.display().to_string(),
        "--ack-log".into(),
        data.join("acks.tsv").display().to_string(),
    ])
    .collect();
    let run = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        paja_load(&args)
    });
    while !started.exists() {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let unix_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis();
    std::fs::write(&faults, format!("{unix_ms} restart\n")).expect("fault");
    server.shutdown().await;
    let server = paja_at(addr, &data).await;
    let report = run.await.expect("paja-load thread");
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&data);
    assert_eq!(report["complete"], true, "{report:#}");
    assert_eq!(report["rate"]["acked"], 2400, "{report:#}");
    let check = &report["check"];
    assert_eq!(check["acked_items"], 2400, "{report:#}");
    for failure in ["lost", "duplicated", "seq_mismatch", "seq_collisions"] {
        assert_eq!(check[failure], 0, "{failure}: {report:#}");
    }
    let rejoins = &report["rejoins"];
    assert_eq!(
        rejoins["phones"], 20,
        "every phone joined again: {report:#}"
    );
    assert_eq!(rejoins["gave_up"], 0, "{report:#}");
    let dropped: u64 = rejoins["dropped_by_node"]
        .as_array()
        .expect("per node")
        .iter()
        .filter_map(serde_json::Value::as_u64)
        .sum();
    assert_eq!(dropped, 20, "{report:#}");
    assert_eq!(report["stall"]["faults"], 1, "{report:#}");
    assert!(report["stall"]["stalls_ms"][0].is_number(), "{report:#}");
}
