//! The layers around a router of the tests' own (a panicking route, a slow one), checked
//! in-process with `oneshot`; what they log is captured by a subscriber of the test's own.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use tower::ServiceExt;

use super::layers;

/// A router with a panicking route and one that takes 10 minutes, in [`layers`].
fn app(trust_proxy: bool) -> Router {
    let routes = Router::new()
        .route(
            "/boom/{word}",
            get(
                |axum::extract::Path(word): axum::extract::Path<String>| async move {
                    if word.len() < 1000 {
                        panic!("client said {word}");
                    }
                    "never"
                },
            ),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(600)).await;
                "late"
            }),
        )
        .route(
            "/download",
            get(|| async {
                // A body still streaming long after the timeout: the timeout covers producing
                // the response, not sending it.
                let chunks = futures_util::stream::unfold(0u8, |n| async move {
                    (n < 3).then_some(())?;
                    tokio::time::sleep(Duration::from_secs(50)).await;
                    Some((Ok::<_, std::io::Error>(vec![b'x'; 1000]), n + 1))
                });
                Body::from_stream(chunks)
            }),
        )
        .route(
            "/big.csv",
            get(|| async { ([("content-type", "text/csv")], "a,b\n".repeat(2000)) }),
        )
        .route(
            "/book.xlsx",
            get(|| async {
                let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
                ([("content-type", xlsx)], "x".repeat(5000))
            }),
        )
        .route(
            "/app.js",
            get(|| async {
                let headers = [
                    ("content-type", "text/javascript"),
                    ("content-encoding", "br"),
                ];
                (headers, "x".repeat(5000))
            }),
        );
    layers(routes, trust_proxy, Duration::from_secs(60))
}

async fn call(app: Router, path: &str, headers: &[(&str, &str)]) -> axum::response::Response {
    let mut request = Request::get(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    app.oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

async fn body(response: axum::response::Response) -> Vec<u8> {
    axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec()
}

/// Captures what is logged while the guard lives (this thread only: `#[tokio::test]` runs
/// on the current thread). Every test here holds one, so no thread of this module meets the
/// layers' callsites without a subscriber.
fn capture() -> (Arc<Mutex<Vec<u8>>>, tracing::subscriber::DefaultGuard) {
    let out: Arc<Mutex<Vec<u8>>> = Arc::default();
    let sink = out.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .json()
        .with_span_list(true)
        .with_writer(move || Writer(sink.clone()))
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    // A callsite first met on another test's thread, with no subscriber there, may have
    // cached "never"; ask again now that this one is in place.
    tracing::callsite::rebuild_interest_cache();
    (out, guard)
}

struct Writer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Writer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn lines(out: &Mutex<Vec<u8>>) -> Vec<serde_json::Value> {
    String::from_utf8(out.lock().unwrap().clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[tokio::test]
async fn a_panic_is_a_500_with_the_api_error_and_an_error_line_with_the_request_id() {
    let (out, _guard) = capture();
    let response = call(app(false), "/boom/CANARY", &[]).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = body(response).await;
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["error"]["code"], "internal", "{json}");
    assert!(!String::from_utf8_lossy(&body).contains("CANARY"));
    let lines = lines(&out);
    let error = lines
        .iter()
        .find(|l| l["level"] == "ERROR")
        .unwrap_or_else(|| panic!("no ERROR line: {lines:?}"));
    assert_eq!(error["spans"][0]["id"], id.as_str(), "{error}");
    let access = lines
        .iter()
        .find(|l| l["target"] == super::ACCESS_TARGET)
        .expect("an access line");
    assert_eq!(access["fields"]["status"], 500);
    assert_eq!(access["fields"]["request_id"], id.as_str());
    assert_eq!(access["spans"][0]["route"], "/boom/{word}");
    assert!(!out_text(&out).contains("CANARY"), "{}", out_text(&out));
}

fn out_text(out: &Mutex<Vec<u8>>) -> String {
    String::from_utf8_lossy(&out.lock().unwrap()).into_owned()
}

#[tokio::test(start_paused = true)]
async fn a_slow_response_is_cut_at_the_timeout_with_a_json_503() {
    let (_out, _guard) = capture();
    let response = call(app(false), "/slow", &[]).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("x-request-id"));
    let json: serde_json::Value = serde_json::from_slice(&body(response).await).unwrap();
    assert_eq!(json["error"]["code"], "timeout", "{json}");
}

#[tokio::test]
async fn a_request_id_is_ours_unless_a_trusted_proxy_sent_a_well_formed_one() {
    let (_out, _guard) = capture();
    let sent = [("x-request-id", "proxy-1234abcd")];
    let ours = call(app(false), "/big.csv", &sent).await;
    let ours = ours.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_ne!(ours, "proxy-1234abcd");
    assert!(uuid::Uuid::parse_str(&ours).is_ok(), "{ours}");
    let proxied = call(app(true), "/big.csv", &sent).await;
    assert_eq!(proxied.headers()["x-request-id"], "proxy-1234abcd");
    let odd = call(
        app(true),
        "/big.csv",
        &[("x-request-id", "1.2.3.4 Mozilla")],
    )
    .await;
    assert_ne!(odd.headers()["x-request-id"], "1.2.3.4 Mozilla");
}

#[tokio::test]
async fn gzip_for_text_but_not_for_xlsx_nor_what_is_already_encoded() {
    let (_out, _guard) = capture();
    let gzip = [("accept-encoding", "gzip")];
    let csv = call(app(false), "/big.csv", &gzip).await;
    assert_eq!(csv.headers()["content-encoding"], "gzip");
    let xlsx = call(app(false), "/book.xlsx", &gzip).await;
    assert!(!xlsx.headers().contains_key("content-encoding"));
    let js = call(app(false), "/app.js", &gzip).await;
    assert_eq!(js.headers()["content-encoding"], "br");
    assert_eq!(body(js).await.len(), 5000);
    let plain = call(app(false), "/big.csv", &[]).await;
    assert!(!plain.headers().contains_key("content-encoding"));
}

#[tokio::test(start_paused = true)]
async fn a_download_still_sending_at_the_timeout_is_not_cut() {
    let (_out, _guard) = capture();
    let response = call(app(false), "/download", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(response).await, vec![b'x'; 3000]);
}
