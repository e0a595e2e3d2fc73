//! Themes, moved items and notes over real websockets: the console makes themes and sorts
//! items into them, the console and the projector hear `prompt_updated` / `item_updated`,
//! refusals carry their codes, notes reach the console alone (never a phone or the public
//! projector), and a restart of the server keeps all of it.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{add_and_open, ask, command, ok, Client, TestServer};

const SLUG: &str = "teemat";
const NOTES: &str = "Nuoret puuttuivat pöydistä.\nDigi toistui kaikissa.";

fn submit(prompt: &str, id: &str, text: &str) -> Value {
    json!({"type":"submit","id":id,"prompt_id":prompt,"text":text})
}

/// Skips frames until an `item_updated` of `item` whose `field` is `want` (`null`: absent).
async fn item_updated(client: &mut Client, item: &str, field: &str, want: Value) {
    loop {
        let frame = client.until("item_updated").await;
        if frame["item"]["id"] == item && frame["item"][field] == want {
            return;
        }
    }
}

/// The facilitator's refusal code for `frame`.
async fn refused(fac: &mut Client, frame: Value) -> String {
    let reply = ask(fac, frame).await;
    assert_eq!(reply["type"], "error", "{reply}");
    reply["code"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_console_sorts_items_into_themes_and_a_restart_keeps_them() {
    let server = TestServer::start().await;
    let key = server.create_session(SLUG).await;
    let (mut fac, _) = server.facilitator(SLUG, &key).await;
    command(&mut fac, json!({"type":"add_group","name":"Pöytä 1"})).await;
    let ideas = add_and_open(
        &mut fac,
        json!({"kind":"brainstorm","title":"Tahot","columns":["Kunta","Järjestö"],"wall":true}),
    )
    .await;
    let (mut screen, _) = server.screen(SLUG).await;
    let (mut phone, phone_welcome) = server.participant(SLUG).await;
    assert!(phone_welcome.get("notes").is_none());
    let ids = [(); 3].map(|_| Uuid::new_v4().to_string());
    for (id, text) in ids.iter().zip(["Nuorisotyö", "Digituki", "Nuorten ääni"]) {
        let mut frame = submit(&ideas, id, text);
        frame["column"] = json!(0);
        ok(&mut phone, frame).await;
        fac.until("item_added").await;
    }

    // Select two → new theme: one command, prompt_updated then each item_updated.
    let nuoret = Uuid::new_v4();
    let add = json!({"type":"add_theme","prompt":ideas,"theme":nuoret,"name":" Nuoret ",
        "items":[ids[0], ids[2]]});
    let (_, events) = command(&mut fac, add.clone()).await;
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(kinds, ["prompt_updated", "item_updated", "item_updated"]);
    assert_eq!(
        events[0]["prompt"]["themes"],
        json!([{"id":nuoret,"name":"Nuoret"}])
    );
    assert_eq!(events[1]["item"]["theme"], json!(nuoret));
    let on_screen = screen.until("prompt_updated").await;
    assert_eq!(on_screen["prompt"]["themes"][0]["name"], "Nuoret");
    item_updated(&mut screen, &ids[2], "theme", json!(nuoret)).await;
    // The ack was lost: the resend is acknowledged and changes nothing.
    let (ack, events) = command(&mut fac, add).await;
    assert!(events.is_empty(), "{events:?}");
    assert_eq!(ack["seq"], json!(fac_seq(&server, &key).await));

    let digi = Uuid::new_v4();
    command(
        &mut fac,
        json!({"type":"add_theme","prompt":ideas,"theme":digi,"name":"Digi"}),
    )
    .await;
    command(
        &mut fac,
        json!({"type":"set_item_theme","items":[ids[1]],"theme":digi}),
    )
    .await;
    command(
        &mut fac,
        json!({"type":"move_theme","prompt":ideas,"theme":digi,"to":0}),
    )
    .await;
    let (_, events) = command(
        &mut fac,
        json!({"type":"move_item","item":ids[1],"column":1,"group":"g1"}),
    )
    .await;
    assert_eq!(events[0]["item"]["column"], 1);
    assert_eq!(events[0]["item"]["group"], "g1");
    item_updated(&mut screen, &ids[1], "column", json!(1)).await;
    let (_, events) = command(
        &mut fac,
        json!({"type":"show_by_theme","prompt":ideas,"on":true}),
    )
    .await;
    assert_eq!(events[0]["prompt"]["by_theme"], true);

    // Refusals, each with its code.
    let unknown = Uuid::new_v4();
    let codes = [
        (
            json!({"type":"rename_theme","prompt":ideas,"theme":unknown,"name":"X"}),
            "unknown_theme",
        ),
        (
            json!({"type":"add_theme","prompt":ideas,"theme":nuoret,"name":"Toinen"}),
            "theme_exists",
        ),
        (
            json!({"type":"move_item","item":ids[0],"column":5}),
            "invalid_column",
        ),
        (
            json!({"type":"move_item","item":ids[0],"group":"g9"}),
            "group_not_found",
        ),
        (
            json!({"type":"set_item_theme","items":[Uuid::new_v4()],"theme":null}),
            "item_not_found",
        ),
        (
            json!({"type":"set_notes","prompt":"p99","notes":"x"}),
            "prompt_not_found",
        ),
    ];
    for (frame, code) in codes {
        assert_eq!(refused(&mut fac, frame.clone()).await, code, "{frame}");
    }

    // Notes: the console hears notes_changed; phones and the projector never do.
    let (_, events) = command(
        &mut fac,
        json!({"type":"set_notes","prompt":ideas,"notes":format!("  {NOTES}\u{0} ")}),
    )
    .await;
    assert_eq!(
        events,
        [json!({"type":"notes_changed","seq":events[0]["seq"],"prompt":ideas,"notes":NOTES})]
    );
    // A later change every role hears marks where a notes frame would have been.
    command(
        &mut fac,
        json!({"type":"rename_theme","prompt":ideas,"theme":digi,"name":"Digituki"}),
    )
    .await;
    for client in [&mut phone, &mut screen] {
        let seen = frames_until_renamed(client).await;
        assert!(
            seen.iter()
                .all(|f| !f.to_string().contains("Nuoret puuttuivat")),
            "{seen:?}"
        );
    }
    let (_, welcome) = server.facilitator(SLUG, &key).await;
    assert_eq!(welcome["notes"], json!({ideas.clone(): NOTES}));
    let (_, screen_welcome) = server.screen(SLUG).await;
    assert!(screen_welcome.get("notes").is_none());

    // A restart keeps themes, item themes, by_theme and notes.
    let before = welcome;
    let server = server.restart().await;
    let (_, after) = server.facilitator(SLUG, &key).await;
    assert_eq!(after["notes"], before["notes"]);
    assert_eq!(after["prompts"], before["prompts"]);
    assert_eq!(after["items"], before["items"]);
    let prompt = &after["prompts"][0];
    assert_eq!(
        prompt["themes"],
        json!([{"id":digi,"name":"Digituki"},{"id":nuoret,"name":"Nuoret"}])
    );
    assert_eq!(prompt["by_theme"], true);
    let themes: Vec<&Value> = after["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| &i["theme"])
        .collect();
    assert_eq!(themes, [&json!(nuoret), &json!(digi), &json!(nuoret)]);
}

/// A console's view of the session's seq now (a fresh welcome's).
async fn fac_seq(server: &TestServer, key: &str) -> u64 {
    let (_, welcome) = server.facilitator(SLUG, key).await;
    welcome["seq"].as_u64().expect("seq")
}

/// Frames up to the `prompt_updated` that names the theme "Digituki".
async fn frames_until_renamed(client: &mut Client) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let frame = client.next().await.expect("open");
        let done =
            frame["type"] == "prompt_updated" && frame["prompt"]["themes"][0]["name"] == "Digituki";
        assert_ne!(frame["type"], "notes_changed", "{frame}");
        seen.push(frame);
        if done {
            return seen;
        }
    }
}

#[tokio::test]
async fn merging_and_removing_themes_reach_the_projector() {
    let server = TestServer::start().await;
    let key = server.create_session("teemat-2").await;
    let (mut fac, _) = server.facilitator("teemat-2", &key).await;
    let ideas = add_and_open(&mut fac, json!({"kind":"brainstorm","title":"Ideat"})).await;
    let (mut phone, _) = server.participant("teemat-2").await;
    let (a, b) = (Uuid::new_v4().to_string(), Uuid::new_v4().to_string());
    ok(&mut phone, submit(&ideas, &a, "Kerho")).await;
    ok(&mut phone, submit(&ideas, &b, "Kerhot")).await;
    let (mut screen, _) = server.screen("teemat-2").await;
    let (one, two) = (Uuid::new_v4(), Uuid::new_v4());
    command(
        &mut fac,
        json!({"type":"add_theme","prompt":ideas,"theme":one,"name":"Kerhot","items":[a]}),
    )
    .await;
    command(
        &mut fac,
        json!({"type":"add_theme","prompt":ideas,"theme":two,"name":"Harrastus","items":[b]}),
    )
    .await;
    let (_, events) = command(
        &mut fac,
        json!({"type":"merge_themes","prompt":ideas,"from":two,"into":one}),
    )
    .await;
    assert_eq!(
        events[0]["prompt"]["themes"],
        json!([{"id":one,"name":"Kerhot"}])
    );
    assert_eq!(events[1]["item"]["theme"], json!(one), "{events:?}");
    item_updated(&mut screen, &b, "theme", json!(one)).await;
    let (_, events) = command(
        &mut fac,
        json!({"type":"remove_theme","prompt":ideas,"theme":one}),
    )
    .await;
    assert!(events[0]["prompt"].get("themes").is_none(), "{events:?}");
    item_updated(&mut screen, &a, "theme", Value::Null).await;
    assert_eq!(
        refused(
            &mut fac,
            json!({"type":"remove_theme","prompt":ideas,"theme":one})
        )
        .await,
        "unknown_theme"
    );
}
