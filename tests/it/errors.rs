//! Every bad input gets its own error code, changes nothing, and hurts no one else.

use serde_json::json;
use uuid::Uuid;

use crate::support::{command, open_prompt, Client, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_bad_frame_gets_its_code_and_the_room_keeps_working() {
    let server = TestServer::start().await;
    let key = server.create_session("virheet").await;
    let (mut facilitator, _) = server.facilitator("virheet", &key).await;
    let (mut screen, _) = server.screen("virheet").await;
    let (mut good, _) = server.participant("virheet").await;
    let (mut bad, _) = server.participant("virheet").await;
    let prompt = open_prompt(&mut facilitator, "Mitä?").await;
    good.until("prompt_opened").await;
    bad.until("prompt_opened").await;
    screen.until("prompt_opened").await;

    let cases: Vec<(String, &str)> = vec![
        ("{not json".into(), "invalid_json"),
        (
            json!({"type":"teleport","id":"r1"}).to_string(),
            "unknown_type",
        ),
        (json!({"no_type":true}).to_string(), "unknown_type"),
        (
            json!({"type":"submit","id":"not-a-uuid","prompt_id":prompt,"text":"x"}).to_string(),
            "invalid_message",
        ),
        (
            json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":"   \n "})
                .to_string(),
            "text_empty",
        ),
        (
            json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":"ö".repeat(281)})
                .to_string(),
            "text_too_long",
        ),
        (
            json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":"p404","text":"x"}).to_string(),
            "prompt_not_found",
        ),
        (
            json!({"type":"add_prompt","id":"r2","prompt":{"title":"hijack"}}).to_string(),
            "forbidden",
        ),
        (
            json!({"type":"open_prompt","id":"r3","prompt_id":prompt}).to_string(),
            "forbidden",
        ),
        (
            json!({"type":"hide_item","id":"r4","item_id":Uuid::new_v4()}).to_string(),
            "forbidden",
        ),
        (
            json!({"type":"hello","role":"facilitator","key":"guess"}).to_string(),
            "unexpected_hello",
        ),
    ];
    for (frame, code) in cases {
        bad.send_raw(&frame).await;
        let error = bad.expect("error").await;
        assert_eq!(error["code"], code, "for {frame}");
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // Request ids come back on errors so a client can tell which request failed.
    let id = Uuid::new_v4();
    bad.send(json!({"type":"submit","id":id,"prompt_id":prompt,"text":""}))
        .await;
    assert_eq!(bad.expect("error").await["id"], id.to_string());

    // Exactly 280 characters (not bytes) is fine.
    bad.send(
        json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":"ä".repeat(280)}),
    )
    .await;
    bad.expect("ack").await;
    // Binary frames are refused, the connection stays.
    bad.send_raw_binary().await;
    assert_eq!(bad.expect("error").await["code"], "binary_not_supported");
    bad.send(json!({"type":"ping","id":"still-there"})).await;
    assert_eq!(bad.expect("pong").await["id"], "still-there");

    // Facilitator-side rejections.
    facilitator
        .send(json!({"type":"open_prompt","id":"f1","prompt_id":prompt}))
        .await;
    let e = facilitator.until("error").await;
    assert_eq!(
        (e["code"].as_str(), e["id"].as_str()),
        (Some("prompt_already_open"), Some("f1"))
    );
    facilitator
        .send(json!({"type":"add_prompt","id":"f2","prompt":{"kind":"brainstorm","title":" "}}))
        .await;
    assert_eq!(facilitator.until("error").await["code"], "invalid_prompt");
    facilitator
        .send(json!({"type":"hide_item","id":"f3","item_id":Uuid::new_v4()}))
        .await;
    assert_eq!(facilitator.until("error").await["code"], "item_not_found");
    facilitator
        .send(json!({"type":"delete_prompt","id":"f4","prompt_id":prompt}))
        .await;
    assert_eq!(facilitator.until("error").await["code"], "prompt_not_draft");

    // Through all of it, the other participant is served normally.
    let id = Uuid::new_v4();
    good.send(json!({"type":"submit","id":id,"prompt_id":prompt,"text":"toimii"}))
        .await;
    assert_eq!(good.expect("ack").await["id"], id.to_string());
    // The screen saw the two accepted items and nothing of the refused ones.
    let first = screen.until("item_added").await;
    assert_eq!(first["item"]["text"], "ä".repeat(280));
    let second = screen.until("item_added").await;
    assert_eq!(second["item"]["text"], "toimii");
    // The projector may not submit.
    screen
        .send(json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":"x"}))
        .await;
    assert_eq!(screen.until("error").await["code"], "forbidden");

    // A closed prompt refuses items with its own code.
    command(
        &mut facilitator,
        json!({"type":"close_prompt","prompt_id":prompt}),
    )
    .await;
    good.until("prompt_closed").await;
    good.send(json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":"myöhässä"}))
        .await;
    assert_eq!(good.expect("error").await["code"], "prompt_closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_hellos_are_refused_and_closed() {
    let server = TestServer::start().await;
    let key = server.create_session("ovella").await;
    let url = server.ws_url("ovella");
    let cases = [
        (
            json!({"type":"hello","role":"facilitator","key":"wrong"}),
            "invalid_key",
        ),
        (json!({"type":"hello","role":"facilitator"}), "key_required"),
        (
            json!({"type":"hello","role":"participant"}),
            "participant_id_required",
        ),
        (
            json!({"type":"hello","role":"participant","participant_id":Uuid::new_v4(),"protocol":99}),
            "unsupported_protocol",
        ),
        (json!({"type":"ping"}), "hello_required"),
        (json!({"type":"hello","role":"admin"}), "invalid_message"),
    ];
    for (hello, code) in cases {
        let mut client = Client::connect(&url).await;
        client.send(hello.clone()).await;
        let error = client.expect("error").await;
        assert_eq!(error["code"], code, "for {hello}");
        assert_eq!(client.closed().await, Some(1008), "closed after {hello}");
    }
    // The right key still works afterwards.
    let (_, welcome) = server.facilitator("ovella", &key).await;
    assert_eq!(welcome["role"], "facilitator");
    // An unknown session is refused before the upgrade.
    let refused = tokio_tungstenite::connect_async(server.ws_url("eiole")).await;
    assert!(refused.is_err());
}
