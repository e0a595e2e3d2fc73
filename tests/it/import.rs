//! Import: a workshop's JSON export becomes a live session again, over HTTP and offline, and
//! exports the same; bad files are refused with typed errors and create nothing.

use std::net::SocketAddr;
use std::path::Path;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use uuid::Uuid;

use crate::support::{add_and_open, add_prompt as add, command, ok, Client, TestServer};

async fn submit(phone: &mut Client, prompt: &str, text: &str, column: Option<u8>) -> Uuid {
    let id = Uuid::new_v4();
    ok(
        phone,
        json!({"type":"submit","id":id,"prompt_id":prompt,"text":text,"column":column}),
    )
    .await;
    id
}

/// What a workshop left behind: its key, the phones' device ids and the draft still to open.
struct Workshop {
    key: String,
    devices: Vec<Uuid>,
    draft: String,
}

/// Every activity over real websockets: groups, a brainstorm with columns and a wall (edits,
/// a hidden item, a merge, a star, likes), a word cloud, a poll, a scale, a dot vote, a
/// matrix, and a draft for later.
async fn workshop(server: &TestServer, slug: &str) -> Workshop {
    let key = server.create_session(slug).await;
    let (mut fac, _) = server.facilitator(slug, &key).await;
    command(
        &mut fac,
        json!({"type":"add_group","name":"Toimijat ja verkostot","color":"#1f77b4"}),
    )
    .await;
    command(&mut fac, json!({"type":"add_group","name":"Digitaalisuus"})).await;
    let devices: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
    let mut phones = Vec::new();
    for (n, device) in devices.iter().enumerate() {
        let (mut phone, _) = server.participant_as(slug, *device).await;
        let group = if n < 2 { "g1" } else { "g2" };
        ok(&mut phone, json!({"type":"choose_group","group_id":group})).await;
        phones.push(phone);
    }
    let [a, b, c] = &mut phones[..] else {
        unreachable!()
    };

    let brainstorm = add_and_open(
        &mut fac,
        json!({"kind":"brainstorm","title":"Yhdyspinnat","columns":["Toimivat nyt","Eivät toimi, mutta pitäisi"],"wall":true}),
    )
    .await;
    let x = submit(a, &brainstorm, "Äänekoski – yhdyspinnat ✓", Some(0)).await;
    let y = submit(b, &brainstorm, "\"quoted, with comma\"", Some(1)).await;
    let dup = submit(c, &brainstorm, "äänekoski yhdyspinnat", Some(0)).await;
    let hidden = submit(c, &brainstorm, "asiaton", Some(1)).await;
    let z = submit(a, &brainstorm, "rivi yksi\nrivi kaksi; puolipiste", Some(1)).await;
    command(
        &mut fac,
        json!({"type":"edit_item","item_id":z,"text":"Rivi yksi; rivi kaksi"}),
    )
    .await;
    command(&mut fac, json!({"type":"hide_item","item_id":hidden})).await;
    command(
        &mut fac,
        json!({"type":"merge_items","into":x,"items":[dup]}),
    )
    .await;
    command(
        &mut fac,
        json!({"type":"star_item","item_id":y,"starred":true}),
    )
    .await;
    // Curated: a theme with two items, the by-theme layout, notes (issue 14).
    let theme = Uuid::new_v4();
    command(
        &mut fac,
        json!({"type":"add_theme","prompt":brainstorm,"theme":theme,"name":"Äänekoski","items":[x, z]}),
    )
    .await;
    command(
        &mut fac,
        json!({"type":"show_by_theme","prompt":brainstorm,"on":true}),
    )
    .await;
    command(
        &mut fac,
        json!({"type":"set_notes","prompt":brainstorm,"notes":"Yhdyspinnat toimivat.\n\nRivi kaksi."}),
    )
    .await;
    ok(b, json!({"type":"like","item_id":x,"liked":true})).await;
    ok(c, json!({"type":"like","item_id":x,"liked":true})).await;
    ok(a, json!({"type":"like","item_id":y,"liked":true})).await;

    let cloud = add_and_open(
        &mut fac,
        json!({"kind":"word_cloud","title":"Yksi sana yhteistyöstä"}),
    )
    .await;
    submit(a, &cloud, "Luottamus", None).await;
    submit(b, &cloud, "luottamus", None).await;
    submit(b, &cloud, "Åland", None).await;

    let poll = add_and_open(
        &mut fac,
        json!({"kind":"poll","title":"Millä sektorilla työskentelet?","options":["Kunta","Järjestö","Muu"],"multiple":true}),
    )
    .await;
    ok(a, json!({"type":"vote","prompt_id":poll,"options":[0, 2]})).await;
    ok(b, json!({"type":"vote","prompt_id":poll,"options":[1]})).await;

    let scale = add_and_open(
        &mut fac,
        json!({"kind":"scale","title":"Arvioi","statements":["Yhteistyö toimii","Tieto kulkee"],"max":5,"min_label":"ei lainkaan","max_label":"erittäin hyvin"}),
    )
    .await;
    ok(
        a,
        json!({"type":"rate","prompt_id":scale,"statement":0,"value":4}),
    )
    .await;
    ok(
        c,
        json!({"type":"rate","prompt_id":scale,"statement":1,"value":5}),
    )
    .await;

    let vote = add_and_open(
        &mut fac,
        json!({"kind":"dot_vote","title":"Tärkeimmät","source":brainstorm,"dots":3,"max_per_item":2}),
    )
    .await;
    for (phone, on) in [(0, x), (0, x), (1, y), (2, z)] {
        ok(
            &mut phones[phone],
            json!({"type":"place_dot","prompt_id":vote,"item_id":on}),
        )
        .await;
    }
    command(&mut fac, json!({"type":"close_prompt","prompt_id":vote})).await;
    let matrix = add_and_open(
        &mut fac,
        json!({"kind":"matrix","title":"Nelikenttä","source":brainstorm,
            "x":{"label":"Vaikutus","low":"pieni","high":"suuri"},"y":{"label":"Toteutettavuus"}}),
    )
    .await;
    for (phone, on, at) in [
        (0, x, [5, 1]),
        (0, y, [2, 2]),
        (1, x, [3, 4]),
        (2, z, [1, 5]),
    ] {
        ok(
            &mut phones[phone],
            json!({"type":"place","prompt_id":matrix,"item_id":on,"x":at[0],"y":at[1]}),
        )
        .await;
    }
    command(&mut fac, json!({"type":"close_prompt","prompt_id":matrix})).await;
    let draft = add(
        &mut fac,
        json!({"kind":"brainstorm","title":"Mitä seuraavaksi?"}),
    )
    .await;
    Workshop {
        key,
        devices,
        draft,
    }
}

async fn export(server: &TestServer, slug: &str, key: &str) -> Vec<u8> {
    let response = server
        .http(
            "GET",
            &format!("/api/sessions/{slug}/export.json"),
            &[("Authorization", &format!("Bearer {key}"))],
            None,
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.body
}

/// An export as JSON without `exported_at`, the one field that changes every time.
fn comparable(bytes: &[u8]) -> Value {
    let mut export: Value = serde_json::from_slice(bytes).expect("JSON");
    assert!(export["exported_at"].is_string());
    export.as_object_mut().unwrap().remove("exported_at");
    export
}

/// A POST of raw bytes; the status and the JSON answer.
async fn post_raw(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    claimed_length: Option<usize>,
) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        claimed_length.unwrap_or(body.len())
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    // The server may answer (and close) before reading a body it refuses.
    let _ = stream.write_all(body).await;
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let body = serde_json::from_slice(&raw[split + 4..]).unwrap_or(Value::Null);
    (status, body)
}

fn paja_import(data_dir: &Path, file: &Path, extra: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_paja"))
        .args(["import", "--data-dir"])
        .arg(data_dir)
        .arg(file)
        .args(extra)
        .output()
        .expect("run paja import")
}

/// The facilitator key from `paja import`'s output (`…/control#key=<key>`).
fn printed_key(output: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .find_map(|l| l.split_once("#key=").map(|(_, k)| k.trim().to_owned()))
        .unwrap_or_else(|| panic!("no key in {stdout}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workshop_exported_and_imported_over_http_and_offline_exports_the_same() {
    let server = TestServer::start().await;
    let original = workshop(&server, "tyopaja").await;
    let exported = export(&server, "tyopaja", &original.key).await;
    let text = String::from_utf8(exported.clone()).unwrap();
    for device in &original.devices {
        assert!(
            !text.contains(&device.to_string()),
            "device ids never leave the server"
        );
    }
    let doc: Value = serde_json::from_slice(&exported).unwrap();
    assert_eq!(
        (doc["format"].as_str(), doc["version"].as_u64()),
        (Some("paja-session"), Some(3))
    );
    assert_eq!(doc["participants"].as_array().unwrap().len(), 3);
    let matrix = &doc["prompts"][5];
    assert_eq!(
        (
            matrix["kind"].as_str(),
            matrix["answers"].as_array().map(Vec::len)
        ),
        (Some("matrix"), Some(3)),
        "the matrix's placements are in the file (and so in the round trip below)"
    );
    assert_eq!(matrix["results"]["items"][0]["n"], 2);
    let ideas = &doc["prompts"][0];
    assert_eq!(
        (
            ideas["themes"][0]["name"].as_str(),
            ideas["by_theme"].as_bool()
        ),
        (Some("Äänekoski"), Some(true)),
        "the themes and notes are in the file (and so in the round trip below)"
    );
    assert!(ideas["notes"].as_str().is_some_and(|n| n.contains("\n\n")));

    // Over HTTP, under a new name.
    let response = server
        .http("POST", "/api/sessions/import?slug=tuotu", &[], Some(&doc))
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let created = response.json();
    let key = created["facilitator_key"].as_str().unwrap().to_owned();
    assert_ne!(key, original.key);
    assert_eq!(created["control_url"], format!("/tuotu/control#key={key}"));
    assert_eq!(created["participant_url"], "/tuotu");
    let again = export(&server, "tuotu", &key).await;
    let mut expected = comparable(&exported);
    expected["session"]["slug"] = json!("tuotu");
    assert_eq!(comparable(&again), expected);
    let old_key = server
        .http(
            "GET",
            "/api/sessions/tuotu/export.json",
            &[("Authorization", &format!("Bearer {}", original.key))],
            None,
        )
        .await;
    assert_eq!(old_key.status, 403, "the old key opens nothing here");

    // The name is taken now, and so is the file's own.
    for path in ["/api/sessions/import?slug=tuotu", "/api/sessions/import"] {
        let taken = server.http("POST", path, &[], Some(&doc)).await;
        assert_eq!(taken.status, 409);
        assert_eq!(taken.json()["error"]["code"], "slug_taken");
    }

    // The import is live: the facilitator sees everything, a newcomer joins and answers.
    let (mut fac, welcome) = server.facilitator("tuotu", &key).await;
    assert_eq!(welcome["items"].as_array().unwrap().len(), 8);
    assert_eq!(welcome["prompts"].as_array().unwrap().len(), 7);
    assert_eq!(welcome["groups"].as_array().unwrap().len(), 2);
    let authors: Vec<&str> = welcome["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["author"].as_str().unwrap())
        .collect();
    let pseudonyms: Vec<&str> = doc["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["pseudonym"].as_str().unwrap())
        .collect();
    assert!(
        authors.iter().all(|a| pseudonyms.contains(a)),
        "the console shows the file's pseudonyms"
    );
    let (mut newcomer, welcome) = server.participant("tuotu").await;
    assert_eq!(welcome["groups"][0]["name"], "Toimijat ja verkostot");
    ok(
        &mut newcomer,
        json!({"type":"choose_group","group_id":"g2"}),
    )
    .await;
    command(
        &mut fac,
        json!({"type":"open_prompt","prompt_id":original.draft}),
    )
    .await;
    submit(&mut newcomer, &original.draft, "Jatketaan tästä", None).await;
    // A phone of the original workshop is a stranger here (its device id was never exported).
    let (_, stranger) = server.participant_as("tuotu", original.devices[0]).await;
    assert_eq!(stranger["items"].as_array().map(Vec::len).unwrap_or(0), 0);

    // It survives a restart.
    let before = export(&server, "tuotu", &key).await;
    drop((fac, newcomer));
    let server = server.restart().await;
    assert_eq!(
        comparable(&export(&server, "tuotu", &key).await),
        comparable(&before)
    );

    // Offline, into a fresh data directory under the same name.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tyopaja.json");
    std::fs::write(&file, &exported).unwrap();
    let data = dir.path().join("data");
    let output = paja_import(&data, &file, &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let offline_key = printed_key(&output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("/tyopaja/control#key="), "{stdout}");
    let second = paja_import(&data, &file, &[]);
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("already exists"));
    let offline = TestServer::start_on(&data).await;
    assert_eq!(
        comparable(&export(&offline, "tyopaja", &offline_key).await),
        comparable(&exported),
        "identical apart from exported_at"
    );
    let (_, welcome) = offline.facilitator("tyopaja", &offline_key).await;
    assert_eq!(welcome["items"].as_array().unwrap().len(), 8);
    let offline = offline.restart().await;
    assert_eq!(
        comparable(&export(&offline, "tyopaja", &offline_key).await),
        comparable(&exported)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_files_get_typed_errors_and_create_nothing() {
    let server = TestServer::start().await;
    let original = workshop(&server, "lahde").await;
    let exported = export(&server, "lahde", &original.key).await;
    let doc: Value = serde_json::from_slice(&exported).unwrap();

    let mut no_source = doc.clone();
    no_source["prompts"]
        .as_array_mut()
        .unwrap()
        .retain(|p| p["kind"] != "brainstorm" || p["title"] == "Mitä seuraavaksi?");
    let mut dangling = doc.clone();
    dangling["prompts"][0]["items"][0]["merged_into"] = json!(Uuid::new_v4());
    let mut v1 = doc.clone();
    v1["version"] = json!(1);
    let agenda = json!({"format":"paja-agenda","version":1,"title":"x","prompts":[]});
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"not json at all".to_vec(), "invalid_document"),
        (agenda.to_string().into_bytes(), "wrong_format"),
        (v1.to_string().into_bytes(), "unsupported_version"),
        (
            no_source.to_string().into_bytes(),
            "dot_vote_source_missing",
        ),
        (dangling.to_string().into_bytes(), "unknown_item"),
    ];
    for (n, (body, code)) in cases.iter().enumerate() {
        let slug = format!("huono-{n}");
        let (status, answer) = post_raw(
            server.addr,
            &format!("/api/sessions/import?slug={slug}"),
            &[],
            body,
            None,
        )
        .await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (400, Some(*code)),
            "{answer}"
        );
        assert!(server.hub().get(&slug).await.is_none());
        assert!(!server.data_dir.join("sessions").join(&slug).exists());
    }
    let (status, answer) = post_raw(
        server.addr,
        "/api/sessions/import?slug=Huono",
        &[],
        &exported,
        None,
    )
    .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (400, Some("invalid_slug"))
    );
    // Refused from its length alone, before 21 MB are sent.
    let (status, answer) = post_raw(
        server.addr,
        "/api/sessions/import?slug=iso",
        &[],
        b"{",
        Some(21 * 1024 * 1024),
    )
    .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (413, Some("too_large"))
    );
    assert!(server.hub().get("iso").await.is_none());

    // Offline: the same checks, the code on stderr, nothing in the data directory.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dangling.json");
    std::fs::write(&file, dangling.to_string()).unwrap();
    let data = dir.path().join("data");
    let output = paja_import(&data, &file, &["--slug", "huono"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown_item"));
    assert!(!data.join("sessions/huono").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_needs_the_admin_password_where_creating_does() {
    let tmp = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(paja::Config {
        data_dir: tmp.path().to_path_buf(),
        admin_password: Some("sala-sana".into()),
        ..paja::Config::default()
    })
    .await;
    let key = server
        .create_session_from(json!({"slug":"tyhja","title":"Tyhjä","admin_password":"sala-sana"}))
        .await;
    let exported = export(&server, "tyhja", &key).await;
    let path = "/api/sessions/import?slug=kopio&title=Kopio";
    let (status, answer) = post_raw(server.addr, path, &[], &exported, None).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (401, Some("admin_password_required"))
    );
    let wrong = [("X-Paja-Admin-Password", "arvaus")];
    let (status, _) = post_raw(server.addr, path, &wrong, &exported, None).await;
    assert_eq!(status, 403);
    let right = [("X-Paja-Admin-Password", "sala-sana")];
    let (status, answer) = post_raw(server.addr, path, &right, &exported, None).await;
    assert_eq!(status, 201, "{answer}");
    let key = answer["facilitator_key"].as_str().unwrap();
    let copy = comparable(&export(&server, "kopio", key).await);
    assert_eq!(copy["session"]["title"], "Kopio");
    assert_eq!(copy["session"]["slug"], "kopio");
}

/// The start page imports a session from its JSON export and shows the new control link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_start_page_imports_a_session_file() {
    crate::browser::run_script("import.mjs").await;
}
