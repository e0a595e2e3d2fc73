//! A rehearsal through the real server: colleagues' phones answer (with a canary among the
//! answers, spread over archived journal segments), the facilitator resets, and then no file
//! under the data directory holds the canary while the agenda, groups and notes are intact;
//! every phone, the projector and the console are told; a phone that was away drops what it
//! had not sent; a live session cannot be reset; a SIGKILL right after the reset leaves no
//! canary once the binary starts again.

use serde_json::json;
use uuid::Uuid;

use crate::crash::LOAD;
use crate::erase_disk::{binary_session, holding, start, until_clean};
use crate::support::{ask, command, ok, open_prompt, Client, Paja};

/// An answer given in the rehearsal (a quote, so its JSON-escaped form differs).
const CANARY: &str = "harjoituskanaria \"R\" 6c1e";
/// The agenda's question, kept by the reset.
const QUESTION: &str = "Mitkä toimijat kuuluvat verkostoon?";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_rehearsal_leaves_no_answer_on_disk_and_keeps_the_agenda() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = start(data.path()).await;
    let key = server.create_session("harjoitus").await;
    let (mut facilitator, _) = server.facilitator("harjoitus", &key).await;
    command(
        &mut facilitator,
        json!({"type":"add_group","name":"Kainuu"}),
    )
    .await;
    // A live session cannot be reset, and the refusal changes nothing.
    let refused = ask(&mut facilitator, json!({"type":"reset_rehearsal"})).await;
    assert_eq!(refused["code"], "not_rehearsing", "{refused}");
    command(&mut facilitator, json!({"type":"set_rehearsal","on":true})).await;
    let prompt = open_prompt(&mut facilitator, QUESTION).await;
    command(
        &mut facilitator,
        json!({"type":"set_notes","prompt":prompt,"notes":"Kysy myös järjestöistä."}),
    )
    .await;
    let (mut phone, welcome) = server.participant("harjoitus").await;
    assert_eq!(welcome["session"]["rehearsal"], true, "phones see the mark");
    let (mut screen, shown) = server.screen("harjoitus").await;
    assert_eq!(
        shown["session"]["rehearsal"], true,
        "the projector sees the mark"
    );
    let group = json!({"type":"choose_group","id":"g","group_id":"g1"});
    ok(&mut phone, group).await;
    let id = Uuid::new_v4().to_string();
    ok(
        &mut phone,
        json!({"type":"submit","id":id,"prompt_id":prompt,"text":CANARY}),
    )
    .await;
    // Enough traffic that the canary has company in the journal.
    for n in 0..200 {
        let text = format!("harjoitusvastaus {n}");
        let frame = json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":text});
        ok(&mut phone, frame).await;
    }
    assert!(!holding(&server.data_dir, &[CANARY]).is_empty());

    command(&mut facilitator, json!({"type":"reset_rehearsal"})).await;
    let told = phone.until("session_reset").await;
    let reset_seq = told["seq"].as_u64().expect("seq");
    screen.until("session_reset").await;
    until_clean(&server.data_dir, &[CANARY]).await;
    assert_eq!(
        holding(&server.data_dir, &["harjoitusvastaus"]),
        Vec::<String>::new()
    );

    // What everyone sees now: the agenda as a draft, no items, no participants.
    let (_, welcome) = server.facilitator("harjoitus", &key).await;
    assert_eq!(welcome["session"]["last_reset"], reset_seq);
    assert_eq!(welcome["prompts"][0]["title"], QUESTION);
    assert_eq!(welcome["prompts"][0]["state"], "draft");
    assert_eq!(welcome["groups"][0]["name"], "Kainuu");
    assert_eq!(welcome["items"], json!([]));
    assert!(
        welcome.to_string().contains("Kysy myös järjestöistä."),
        "notes kept"
    );
    let export = server
        .get_with_key("/api/sessions/harjoitus/export.json", &key)
        .await;
    let doc = export.json();
    assert_eq!(doc["session"]["rehearsal"], true);
    assert_eq!(doc["participants"], json!([]), "no participant left");
    assert_eq!(doc["prompts"][0]["title"], QUESTION);
    let export = export.text();
    assert!(!export.contains("harjoituskanaria") && !export.contains("harjoitusvastaus"));
    let report = server
        .get_with_key("/api/sessions/harjoitus/export.html", &key)
        .await
        .text();
    assert!(report.contains(QUESTION) && !report.contains("harjoituskanaria"));

    // A restart on the same directory: the same, and still no canary.
    drop((facilitator, phone, screen));
    let server = server.restart().await;
    assert_eq!(holding(&server.data_dir, &[CANARY]), Vec::<String>::new());
    let (_, again) = server.facilitator("harjoitus", &key).await;
    assert_eq!(again["prompts"][0]["title"], QUESTION);
    assert_eq!(again["items"], json!([]));
    // It runs again from the start, as on the day.
    let (mut facilitator, _) = server.facilitator("harjoitus", &key).await;
    let open = json!({"type":"open_prompt","prompt_id":prompt});
    command(&mut facilitator, open).await;
    let (mut phone, _) = server.participant("harjoitus").await;
    let frame = json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":"oikea"});
    ok(&mut phone, frame).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigkill_right_after_a_reset_leaves_no_answer_at_the_next_start() {
    let data = tempfile::tempdir().expect("tempdir");
    let mut paja = Paja::spawn(data.path(), &LOAD);
    let (key, mut facilitator, prompt) = binary_session(&paja, "kaatuu").await;
    command(&mut facilitator, json!({"type":"set_rehearsal","on":true})).await;
    let mut phone = Client::connect(&paja.ws_url("kaatuu")).await;
    let hello = json!({"type":"hello","role":"participant","participant_id":Uuid::new_v4()});
    phone.send(hello).await;
    phone.expect("welcome").await;
    for n in 0..200 {
        let text = format!("{CANARY} {n}");
        let frame = json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":text});
        ok(&mut phone, frame).await;
    }
    command(&mut facilitator, json!({"type":"reset_rehearsal"})).await;
    // SIGKILL as soon as the reset is acknowledged: wherever its snapshot and rebase were.
    paja.kill();
    let mut paja = Paja::spawn(data.path(), &LOAD);
    let mut facilitator = Client::connect(&paja.ws_url("kaatuu")).await;
    facilitator
        .send(json!({"type":"hello","role":"facilitator","key":key}))
        .await;
    let welcome = facilitator.expect("welcome").await;
    assert_eq!(holding(data.path(), &[CANARY]), Vec::<String>::new());
    assert_eq!(welcome["items"], json!([]));
    assert_eq!(welcome["prompts"][0]["state"], "draft");
    paja.kill();
}
