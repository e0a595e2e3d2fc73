//! The story of the core issue, end to end: a facilitator runs a small workshop.

use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{command, open_prompt, Client, TestServer};

const PARTICIPANTS: usize = 50;
const ITEMS_EACH: usize = 3;

/// The texts participant `p` sends: the awkward ones Excel and JSON must carry intact.
fn texts(p: usize) -> [String; ITEMS_EACH] {
    match p {
        0 => [
            "Äänekoski – yhdyspinnat ✓".to_owned(),
            "\"quoted, with comma\"".to_owned(),
            "rivi yksi\nrivi kaksi; puolipiste".to_owned(),
        ],
        _ => [
            format!("Ohjaamo {p}"),
            format!("Nuorisopalvelut {p} – Åland"),
            format!("Järjestöt {p}"),
        ],
    }
}

fn parse_csv(bytes: &[u8]) -> Vec<HashMap<String, String>> {
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "CSV starts with a UTF-8 BOM"
    );
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(headers, paja::export::csv::CSV_HEADER);
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            headers
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_workshop_from_start_to_finish() {
    let server = TestServer::start().await;
    let key = server.create_session("hyvinsivi").await;
    let (mut facilitator, welcome) = server.facilitator("hyvinsivi", &key).await;
    assert_eq!(welcome["role"], "facilitator");
    assert_eq!(welcome["session"]["title"], "HYVINSIVI – työpaja");
    assert_eq!(welcome["prompts"], json!([]));
    let (mut screen, welcome) = server.screen("hyvinsivi").await;
    assert_eq!(welcome["prompt"], Value::Null);
    assert!(
        welcome.get("prompts").is_none(),
        "the projector never sees the agenda"
    );

    let mut phones: Vec<(Uuid, Client)> = Vec::new();
    for _ in 0..PARTICIPANTS {
        let id = Uuid::new_v4();
        let (client, welcome) = server.participant_as("hyvinsivi", id).await;
        assert_eq!(welcome["prompt"], Value::Null);
        phones.push((id, client));
    }

    let title =
        "Nuorten hyvinvoinnin edistäminen – mitä toimijoita tulisi olla verkostossa mukana?";
    let prompt_id = open_prompt(&mut facilitator, title).await;
    for (_, phone) in &mut phones {
        let opened = phone.until("prompt_opened").await;
        assert_eq!(opened["prompt"]["id"], prompt_id.as_str());
        assert_eq!(opened["prompt"]["title"], title);
        assert_eq!(opened["prompt"]["state"], "open");
        assert_eq!(opened["prompt"]["time_limit_secs"], 120);
    }
    let opened = screen.until("prompt_opened").await;
    assert_eq!(opened["prompt"]["id"], prompt_id.as_str());

    // Every phone sends its three items without waiting, then collects its acks.
    let mut sent: HashMap<String, String> = HashMap::new();
    let mut first_item: Option<(usize, Uuid, String)> = None;
    for (p, (_, phone)) in phones.iter_mut().enumerate() {
        for text in texts(p) {
            let id = Uuid::new_v4();
            phone
                .send(json!({"type":"submit","id":id,"prompt_id":prompt_id,"text":text}))
                .await;
            sent.insert(id.to_string(), text.clone());
            first_item.get_or_insert((p, id, text));
        }
    }
    let mut acks: HashMap<String, u64> = HashMap::new();
    for (_, phone) in &mut phones {
        for _ in 0..ITEMS_EACH {
            let ack = phone.expect("ack").await;
            acks.insert(
                ack["id"].as_str().unwrap().to_owned(),
                ack["seq"].as_u64().unwrap(),
            );
        }
    }
    assert_eq!(acks.len(), PARTICIPANTS * ITEMS_EACH);
    assert_eq!(
        acks.keys().collect::<HashSet<_>>(),
        sent.keys().collect::<HashSet<_>>()
    );

    // The projector saw each item once, with its exact text and no author.
    let mut on_screen: HashMap<String, String> = HashMap::new();
    while on_screen.len() < sent.len() {
        let frame = screen.until("item_added").await;
        assert!(
            frame["item"].get("author").is_none(),
            "the public screen gets no participant ids"
        );
        let id = frame["item"]["id"].as_str().unwrap().to_owned();
        assert_eq!(frame["seq"].as_u64(), Some(acks[&id]));
        assert!(on_screen
            .insert(id, frame["item"]["text"].as_str().unwrap().to_owned())
            .is_none());
    }
    assert_eq!(on_screen, sent);

    // A resent id (a lost ack) is stored once and acknowledged again with the same seq.
    let (p, item_id, text) = first_item.unwrap();
    phones[p]
        .1
        .send(json!({"type":"submit","id":item_id,"prompt_id":prompt_id,"text":text}))
        .await;
    let again = phones[p].1.expect("ack").await;
    assert_eq!(again["seq"].as_u64(), Some(acks[&item_id.to_string()]));

    // The facilitator hides one; the projector drops it.
    command(
        &mut facilitator,
        json!({"type":"hide_item","item_id":item_id}),
    )
    .await;
    let hidden = screen.until("item_hidden").await;
    assert_eq!(hidden["item_id"], item_id.to_string());

    // Closing the prompt: phones hear it, and late items are refused with a clear code.
    command(
        &mut facilitator,
        json!({"type":"close_prompt","prompt_id":prompt_id}),
    )
    .await;
    let closed = phones[1].1.until("prompt_closed").await;
    assert_eq!(closed["prompt"]["state"], "closed");
    phones[1]
        .1
        .send(json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt_id,"text":"myöhässä"}))
        .await;
    let refused = phones[1].1.until("error").await;
    assert_eq!(refused["code"], "prompt_closed");

    // Stop the server (as Ctrl-C) and start it again on the same data directory.
    let ids: Vec<Uuid> = phones.iter().map(|(id, _)| *id).collect();
    drop(phones);
    drop(screen);
    drop(facilitator);
    let server = server.restart().await;
    let (_, welcome) = server.facilitator("hyvinsivi", &key).await;
    let items = welcome["items"].as_array().unwrap();
    assert_eq!(
        items.len(),
        PARTICIPANTS * ITEMS_EACH,
        "nothing acknowledged was lost, nothing doubled"
    );
    let restored: HashMap<String, String> = items
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_owned(),
                i["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(restored, sent);
    assert_eq!(welcome["prompts"][0]["state"], "closed");
    assert!(items
        .iter()
        .any(|i| i["id"] == item_id.to_string() && i["hidden"] == true));

    // A phone coming back with its participant id sees the closed prompt and its own items.
    let (_, phone) = server.participant_as("hyvinsivi", ids[1]).await;
    assert_eq!(phone["prompt"]["id"], prompt_id.as_str());
    assert_eq!(phone["prompt"]["state"], "closed");
    let mine: HashSet<&str> = phone["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["text"].as_str().unwrap())
        .collect();
    let texts_1 = texts(1);
    assert_eq!(
        mine,
        texts_1.iter().map(String::as_str).collect::<HashSet<_>>()
    );
    assert!(phone["items"][0].get("author").is_none());

    // Exports: CSV with exactly the 150 rows and texts; JSON with every item.
    let csv = server
        .http(
            "GET",
            "/api/sessions/hyvinsivi/export.csv",
            &[("Authorization", &format!("Bearer {key}"))],
            None,
        )
        .await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let rows = parse_csv(&csv.body);
    assert_eq!(rows.len(), PARTICIPANTS * ITEMS_EACH);
    let mut exported: Vec<&str> = rows.iter().map(|r| r["text"].as_str()).collect();
    let mut expected: Vec<&str> = sent.values().map(String::as_str).collect();
    exported.sort();
    expected.sort();
    assert_eq!(exported, expected);
    assert!(rows.iter().all(|r| r["prompt"] == title));
    assert!(rows
        .iter()
        .all(|r| r["participant"].starts_with("p-") && r["participant"].len() == 12));
    assert!(rows
        .iter()
        .all(|r| r["time"].ends_with('Z') && r["time"].len() == 24));
    assert_eq!(rows.iter().filter(|r| r["hidden"] == "true").count(), 1);
    let hidden_row = rows.iter().find(|r| r["hidden"] == "true").unwrap();
    assert_eq!(hidden_row["text"], text);
    let participants: HashSet<&str> = rows.iter().map(|r| r["participant"].as_str()).collect();
    assert_eq!(participants.len(), PARTICIPANTS);

    let json = server
        .http(
            "GET",
            "/api/sessions/hyvinsivi/export.json",
            &[("Authorization", &format!("Bearer {key}"))],
            None,
        )
        .await;
    assert_eq!(json.status, 200);
    let export = json.json();
    assert_eq!(export["format"], "paja-session");
    assert_eq!(export["version"], 3);
    assert_eq!(export["prompts"][0]["title"], title);
    assert_eq!(
        export["prompts"][0]["items"].as_array().unwrap().len(),
        PARTICIPANTS * ITEMS_EACH
    );

    // The offline export writes the same CSV, byte for byte.
    let out = server.data_dir.join("offline.csv");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_paja"))
        .args(["export", "--data-dir"])
        .arg(&server.data_dir)
        .args(["hyvinsivi", "--format", "csv", "--out"])
        .arg(&out)
        .status()
        .expect("run paja export");
    assert!(status.success());
    assert_eq!(std::fs::read(&out).unwrap(), csv.body);
}
