//! The field as the test bench (issue 11): the real `paja` binary behind [`FaultProxy`], and the
//! real pages in Chromium — one console, one projector and twelve phones — driven through every
//! fault a seminar hall has by `tests/browser/faults.mjs`: all connections reset, the browsers
//! offline for 8 s and 60 s, a blackhole for 30 s, the server stopped with SIGTERM and killed
//! with SIGKILL and started again, and a laptop asleep for two minutes. The script measures per
//! view the time until it is usable again and fails past the bounds; it counts every item.
//!
//! The script steers the faults over a small HTTP control API served here:
//! `POST /reset`, `POST /blackhole/on`, `POST /blackhole/off`, `POST /stop/term` (SIGTERM, and
//! wait for the exit), `POST /stop/kill` (SIGKILL), `POST /start` (answers once it serves).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::fault_proxy::FaultProxy;
use crate::node::{run_node, skipped, ONE_BROWSER};
use crate::support::Paja;

/// The whole fault tour: about five minutes of faults plus the pages' set-up, on a slow machine.
const TOUR_LIMIT: Duration = Duration::from_secs(900);

/// What the control API needs: the proxy, the server process and its data directory.
#[derive(Clone)]
struct Rig {
    proxy: FaultProxy,
    paja: Arc<tokio::sync::Mutex<Option<Paja>>>,
    data_dir: Arc<std::path::PathBuf>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_view_recovers_from_the_faults_of_the_field() {
    if skipped("faults.mjs") {
        return;
    }
    let _turn = ONE_BROWSER.lock().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = Arc::new(dir.path().to_path_buf());
    let paja = spawn(&data_dir).await;
    let proxy = FaultProxy::start(paja.addr).await;
    let rig = Rig {
        proxy: proxy.clone(),
        paja: Arc::new(tokio::sync::Mutex::new(Some(paja))),
        data_dir,
    };
    let app = Router::new()
        .route("/reset", post(reset))
        .route("/blackhole/{on}", post(blackhole))
        .route("/stop/{how}", post(stop))
        .route("/start", post(start))
        .with_state(rig.clone());
    let control = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind control");
    let control_url = format!("http://{}", control.local_addr().expect("control address"));
    tokio::spawn(async move { axum::serve(control, app).await });

    run_node(
        "faults.mjs",
        &format!("http://{}", proxy.addr),
        &[("PAJA_FAULTS", &control_url)],
        TOUR_LIMIT,
    )
    .await;
    let log = rig.paja.lock().await.as_ref().map(Paja::log);
    let errors: Vec<_> = log
        .unwrap_or_default()
        .into_iter()
        .filter(|l| l.contains("ERROR") || l.contains("panicked"))
        .collect();
    assert!(errors.is_empty(), "the server logged errors: {errors:#?}");
}

/// Starts the real binary on `data_dir` (blocking reads of its log, so off the runtime).
async fn spawn(data_dir: &Arc<std::path::PathBuf>) -> Paja {
    let data_dir = data_dir.clone();
    tokio::task::spawn_blocking(move || Paja::spawn(&data_dir, &[]))
        .await
        .expect("spawn paja")
}

async fn reset(State(rig): State<Rig>) -> Json<Value> {
    rig.proxy.reset_all();
    Json(json!({"ok": true}))
}

async fn blackhole(State(rig): State<Rig>, Path(on): Path<String>) -> Json<Value> {
    rig.proxy.blackhole(on == "on");
    Json(json!({"ok": true}))
}

/// Stops the server: `term` sends SIGTERM and waits for it to exit, `kill` sends SIGKILL.
async fn stop(State(rig): State<Rig>, Path(how): Path<String>) -> Json<Value> {
    let mut slot = rig.paja.lock().await;
    let mut old = slot.take().expect("a server is running");
    let exit = if how == "kill" {
        old.kill();
        "killed".to_owned()
    } else {
        old.terminate();
        let exited = old.wait_exit(Duration::from_secs(30)).await;
        let (status, took) = exited.expect("paja exits within 30 s of SIGTERM");
        assert!(status.success(), "paja exited with {status} after SIGTERM");
        format!("exited in {} ms", took.as_millis())
    };
    Json(json!({ "how": how, "exit": exit }))
}

/// Starts the server again on the same data directory (a new port: the proxy follows); answers
/// once it serves.
async fn start(State(rig): State<Rig>) -> Json<Value> {
    let started = Instant::now();
    let mut slot = rig.paja.lock().await;
    assert!(slot.is_none(), "the server is already running");
    let new = spawn(&rig.data_dir).await;
    rig.proxy.move_to(new.addr);
    *slot = Some(new);
    Json(json!({ "start_ms": started.elapsed().as_millis() as u64 }))
}
