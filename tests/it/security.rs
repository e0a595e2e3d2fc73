//! Security: the Origin check against cross-site websocket hijacking, the admin password,
//! deleting a session and automatic retention.

use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use uuid::Uuid;

use crate::support::{open_prompt, upgrade, Client, TestServer};

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// Opens a websocket with an `Origin` header, says hello as a screen and returns the welcome's
/// type.
async fn screen_from_origin(server: &TestServer, slug: &str, origin: &str) -> String {
    let mut request = server.ws_url(slug).into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Origin", HeaderValue::from_str(origin).unwrap());
    let (ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .unwrap_or_else(|e| panic!("origin {origin} refused: {e}"));
    let mut client = Client::from_stream(ws);
    client.send(json!({"type":"hello","role":"screen"})).await;
    client.next().await.unwrap()["type"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websockets_only_from_our_own_or_allowed_origins() {
    let tmp = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(paja::Config {
        data_dir: tmp.path().to_path_buf(),
        allowed_origins: vec!["https://paja.example.org".to_owned()],
        ..paja::Config::default()
    })
    .await;
    server.create_session("alkupera").await;
    for evil in [
        "http://evil.example",
        "https://paja.example.org.evil.example",
        "null",
    ] {
        let refused = upgrade(server.addr, "/ws/alkupera", &[("Origin", evil)]).await;
        assert_eq!(refused.status, 403, "{evil}");
        assert_eq!(
            refused.json()["error"]["code"],
            "origin_not_allowed",
            "{evil}"
        );
    }
    let own = format!("http://{}", server.addr);
    assert_eq!(
        screen_from_origin(&server, "alkupera", &own).await,
        "welcome"
    );
    assert_eq!(
        screen_from_origin(&server, "alkupera", "https://paja.example.org").await,
        "welcome"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_sessions_needs_the_admin_password_when_set() {
    let tmp = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(paja::Config {
        data_dir: tmp.path().to_path_buf(),
        admin_password: Some("salasana".to_owned()),
        ..paja::Config::default()
    })
    .await;
    let create = |password: Option<&str>| {
        let mut body = json!({"slug":"julkinen","title":"Julkinen"});
        if let Some(p) = password {
            body["admin_password"] = json!(p);
        }
        body
    };
    let response = server
        .http("POST", "/api/sessions", &[], Some(&create(None)))
        .await;
    assert_eq!(response.status, 401);
    assert_eq!(response.json()["error"]["code"], "admin_password_required");
    let response = server
        .http("POST", "/api/sessions", &[], Some(&create(Some("arvaus"))))
        .await;
    assert_eq!(response.status, 403);
    assert_eq!(response.json()["error"]["code"], "invalid_admin_password");
    assert!(server.hub().get("julkinen").await.is_none());
    let response = server
        .http(
            "POST",
            "/api/sessions",
            &[],
            Some(&create(Some("salasana"))),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_session_is_gone_everywhere() {
    let server = TestServer::start().await;
    let key = server.create_session("poista").await;
    let (mut facilitator, _) = server.facilitator("poista", &key).await;
    let prompt = open_prompt(&mut facilitator, "Hetki").await;
    let (mut phone, _) = server.participant("poista").await;
    phone
        .send(json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":"salaisuus"}))
        .await;
    phone.expect("ack").await;
    let dir = server.data_dir.join("sessions/poista");
    assert!(dir.is_dir());

    let path = "/api/sessions/poista";
    let response = server.http("DELETE", path, &[], None).await;
    assert_eq!(response.status, 401);
    assert_eq!(response.json()["error"]["code"], "key_required");
    let response = server
        .http(
            "DELETE",
            path,
            &[("Authorization", "Bearer 0123456789abcdef")],
            None,
        )
        .await;
    assert_eq!(response.status, 403);
    assert_eq!(response.json()["error"]["code"], "invalid_key");
    assert!(dir.is_dir(), "nothing deleted without the key");

    let bearer = format!("Bearer {key}");
    let response = server
        .http("DELETE", path, &[("Authorization", &bearer)], None)
        .await;
    assert_eq!(response.status, 204, "{}", response.text());
    assert!(!dir.exists(), "the session's files are gone");
    // Connected clients are told, with a code that says not to reconnect.
    assert_eq!(phone.closed().await, Some(4004));
    assert_eq!(facilitator.closed().await, Some(4004));
    let refused = upgrade(server.addr, "/ws/poista", &[]).await;
    assert_eq!(refused.status, 404);
    let export = server
        .http(
            "GET",
            "/api/sessions/poista/export.csv",
            &[("Authorization", &bearer)],
            None,
        )
        .await;
    assert_eq!(export.status, 404);
    assert_eq!(server.http("GET", "/poista", &[], None).await.status, 404);
    // The name is free again, for a new session with a new key.
    let new_key = server.create_session("poista").await;
    assert_ne!(new_key, key);
    let (_, welcome) = server.facilitator("poista", &new_key).await;
    assert_eq!(welcome["items"].as_array().unwrap().len(), 0);
    // And nothing of it comes back after a restart.
    let server = server.restart().await;
    let (_, welcome) = server.facilitator("poista", &new_key).await;
    assert_eq!(welcome["items"].as_array().unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_past_the_retention_period_are_deleted() {
    let server = TestServer::start().await;
    let key = server.create_session("vanha").await;
    let (mut phone, _) = server.screen("vanha").await;
    let dir = server.data_dir.join("sessions/vanha");
    let now = server.hub().clock().now_ms();

    server.hub().expire(90, now + 89 * DAY_MS).await;
    assert!(dir.is_dir(), "89 days idle: kept");
    assert!(server.hub().get("vanha").await.is_some());

    server.hub().expire(90, now + 91 * DAY_MS).await;
    assert!(!dir.exists(), "91 days idle: the files are gone");
    assert!(
        server.hub().get("vanha").await.is_none(),
        "and so is the session"
    );
    assert_eq!(phone.closed().await, Some(4004));
    assert_eq!(upgrade(server.addr, "/ws/vanha", &[]).await.status, 404);
    let export = server
        .http(
            "GET",
            "/api/sessions/vanha/export.json",
            &[("Authorization", &format!("Bearer {key}"))],
            None,
        )
        .await;
    assert_eq!(export.status, 404);
    let server = server.restart().await;
    assert!(
        server.hub().get("vanha").await.is_none(),
        "not back after a restart"
    );
}
