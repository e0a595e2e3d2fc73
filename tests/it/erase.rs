//! Erasure over websockets: a phone withdraws its own item, the facilitator erases another's
//! and an item's history; every role hears `item_erased`, refusals change nothing, a resume
//! from before the erasure gets a welcome instead of frames that carried the text, and no
//! export (CSV, XLSX, JSON, Markdown, HTML) holds an erased text.

use std::io::Cursor;

use calamine::{Data, Reader};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{add_and_open, ask, command, ok, stored_items, Client, TestServer};

const SLUG: &str = "poisto";
/// Texts that must be gone after the erasure; each is unique enough to grep for.
const WITHDRAWN: &str = "Kanarialintu-peruttu";
const ERASED: &str = "Kanarialintu-poistettu";
const OLD_TEXT: &str = "Kanarialintu-vanha";
const KEPT: &str = "Jää talteen";

/// Skips frames until an `item_erased` for `id`; returns its seq.
async fn erased(client: &mut Client, id: &str) -> u64 {
    loop {
        let frame = client.until("item_erased").await;
        if frame["item_id"] == id {
            assert_eq!(frame.as_object().map(|o| o.len()), Some(3), "{frame}");
            return frame["seq"].as_u64().expect("seq");
        }
    }
}

fn submit(prompt: &str, id: &str, text: &str) -> Value {
    json!({"type":"submit","id":id,"prompt_id":prompt,"text":text})
}

#[tokio::test]
async fn erasure_reaches_every_role_and_leaves_no_text_behind() {
    let server = TestServer::start().await;
    let key = server.create_session(SLUG).await;
    let (mut fac, _) = server.facilitator(SLUG, &key).await;
    let (mut screen, _) = server.screen(SLUG).await;
    let ideas = add_and_open(
        &mut fac,
        json!({"kind":"brainstorm","title":"Ideat","wall":true}),
    )
    .await;
    // A console that will come back later, having seen everything up to here.
    let last_seq_before = {
        let (_, welcome) = server.facilitator(SLUG, &key).await;
        welcome["seq"].as_u64().expect("seq")
    };
    let (mut ann, _) = server.participant(SLUG).await;
    let (mut ben, _) = server.participant(SLUG).await;
    let ids = [(); 4].map(|_| Uuid::new_v4().to_string());
    ok(&mut ann, submit(&ideas, &ids[0], WITHDRAWN)).await;
    ok(&mut ann, submit(&ideas, &ids[1], KEPT)).await;
    ok(&mut ben, submit(&ideas, &ids[2], ERASED)).await;
    ok(&mut ben, submit(&ideas, &ids[3], "Muokattava")).await;
    command(
        &mut fac,
        json!({"type":"edit_item","item_id":ids[3],"text":OLD_TEXT}),
    )
    .await;
    command(
        &mut fac,
        json!({"type":"edit_item","item_id":ids[3],"text":"Muokattu"}),
    )
    .await;
    let before = stored_items(&server.ws_url(SLUG), &key).await;

    // Refusals: another's item, an unknown one; nothing changes.
    let reply = ask(&mut ben, json!({"type":"withdraw","item_id":ids[0]})).await;
    assert_eq!(reply["code"], "not_yours", "{reply}");
    let unknown = Uuid::new_v4().to_string();
    let reply = ask(&mut ann, json!({"type":"withdraw","item_id":unknown})).await;
    assert_eq!(reply["code"], "item_not_found", "{reply}");
    assert_eq!(stored_items(&server.ws_url(SLUG), &key).await, before);

    // Ann withdraws her own; every role hears of it.
    ok(&mut ann, json!({"type":"withdraw","item_id":ids[0]})).await;
    let seq = erased(&mut fac, &ids[0]).await;
    assert!(seq > last_seq_before);
    erased(&mut screen, &ids[0]).await;
    erased(&mut ben, &ids[0]).await;

    // The facilitator erases Ben's and the edited item's history.
    command(&mut fac, json!({"type":"erase_item","item_id":ids[2]})).await;
    erased(&mut ann, &ids[2]).await;
    erased(&mut screen, &ids[2]).await;
    command(
        &mut fac,
        json!({"type":"erase_item_history","item_id":ids[3]}),
    )
    .await;

    // Welcomes no longer carry the texts; a resume from before the erasure is a welcome.
    let items = stored_items(&server.ws_url(SLUG), &key).await;
    let listed: Vec<&str> = items.iter().filter_map(|i| i["id"].as_str()).collect();
    assert_eq!(listed, vec![ids[1].as_str(), ids[3].as_str()]);
    let mut resumed = Client::connect(&server.ws_url(SLUG)).await;
    resumed
        .send(json!({"type":"hello","role":"facilitator","key":key,"last_seq":last_seq_before}))
        .await;
    let first = resumed.next().await.expect("a reply");
    assert_eq!(first["type"], "welcome", "{first}");
    for text in [WITHDRAWN, ERASED, OLD_TEXT] {
        assert!(!first.to_string().contains(text), "{text} in {first}");
    }
    let (_, phone_welcome) = server.participant(SLUG).await;
    assert!(!phone_welcome.to_string().contains(ERASED));

    // The prompt closes: Ann can no longer withdraw, the facilitator still can erase.
    command(&mut fac, json!({"type":"close_prompt","prompt_id":ideas})).await;
    let reply = ask(&mut ann, json!({"type":"withdraw","item_id":ids[1]})).await;
    assert_eq!(reply["code"], "prompt_closed", "{reply}");

    no_export_holds(&server, &key, &[WITHDRAWN, ERASED, OLD_TEXT]).await;
    // And after a restart, from the snapshot and the journal, the same holds.
    let server = server.restart().await;
    let items = stored_items(&server.ws_url(SLUG), &key).await;
    assert_eq!(items.len(), 2);
    no_export_holds(&server, &key, &[WITHDRAWN, ERASED, OLD_TEXT]).await;
}

/// Fetches every export format and checks none contains any of `texts`; the JSON export's
/// tombstones list the erased items by id without text.
async fn no_export_holds(server: &TestServer, key: &str, texts: &[&str]) {
    for ext in ["csv", "json", "md", "html"] {
        let path = format!("/api/sessions/{SLUG}/export.{ext}");
        let response = server.get_with_key(&path, key).await;
        assert_eq!(response.status, 200, "{ext}");
        let body = response.text();
        assert!(body.contains(KEPT), "{ext}: {body}");
        for text in texts {
            assert!(!body.contains(text), "{text} in {ext}");
        }
    }
    let path = format!("/api/sessions/{SLUG}/export.xlsx");
    let response = server.get_with_key(&path, key).await;
    let mut book = calamine::Xlsx::new(Cursor::new(response.body)).expect("a workbook");
    let mut cells = String::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).expect("a sheet");
        for row in range.rows() {
            cells.extend(row.iter().map(Data::to_string));
        }
    }
    assert!(cells.contains(KEPT));
    for text in texts {
        assert!(!cells.contains(text), "{text} in xlsx");
    }
}
