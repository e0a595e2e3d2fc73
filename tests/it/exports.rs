//! XLSX and CSV exports of a real workshop, read back as the organisers' tools would: the
//! workbook with calamine, the CSVs with the csv crate (`;`-separated, as Finnish Excel
//! writes them), over HTTP with the facilitator key and offline from the `paja` binary.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader};
use serde_json::json;
use uuid::Uuid;

use crate::support::{add_and_open, command, ok, stored_items, today_in, TestServer};

const SLUG: &str = "vienti";
const BRAINSTORM: &str = "Mitkä toimijat tulisi olla verkostossa mukana?";
const BRAINSTORM_SHEET: &str = "1 Mitkä toimijat tulisi olla v…";
const POLL_SHEET: &str = "2 Millä sektorilla työskentelet";
const FORMULA: &str = "=HYPERLINK(\"http://example.invalid\",\"klikkaa\")";

/// The workshop: a brainstorm with columns, a group, a hidden and an edited item; a poll, a
/// scale, a word cloud and a dot vote. Returns the facilitator key and the brainstorm's ids.
async fn workshop(server: &TestServer) -> (String, [String; 4]) {
    let key = server.create_session(SLUG).await;
    let (mut fac, _) = server.facilitator(SLUG, &key).await;
    command(&mut fac, json!({"type":"add_group","name":"Digitaalisuus"})).await;
    let mut phones = Vec::new();
    for _ in 0..3 {
        phones.push(server.participant(SLUG).await.0);
    }
    // Phones by index: 0, 1 and 2.
    let (a, b, c) = (0, 1, 2);
    ok(
        &mut phones[a],
        json!({"type":"choose_group","group_id":"g1"}),
    )
    .await;

    let ideas = add_and_open(
        &mut fac,
        json!({"kind":"brainstorm","title":BRAINSTORM,"columns":["Toimivat nyt","Eivät toimi"],"wall":true}),
    )
    .await;
    let ids = [(); 4].map(|_| Uuid::new_v4().to_string());
    for (phone, id, text, column) in [
        (a, &ids[0], "Äänekosken nuorisopalvelut", 0),
        (b, &ids[1], FORMULA, 1),
        (c, &ids[2], "Åbo Akademi – yhteistyö", 0),
        (b, &ids[3], "Roskaa", 1),
    ] {
        let frame = json!({"type":"submit","id":id,"prompt_id":ideas,"text":text,"column":column});
        ok(&mut phones[phone], frame).await;
    }
    command(&mut fac, json!({"type":"hide_item","item_id":ids[3]})).await;
    command(
        &mut fac,
        json!({"type":"edit_item","item_id":ids[0],"text":"Äänekosken nuorisopalvelut ja Ohjaamo"}),
    )
    .await;
    ok(
        &mut phones[c],
        json!({"type":"like","item_id":ids[0],"liked":true}),
    )
    .await;

    let poll = add_and_open(
        &mut fac,
        json!({"kind":"poll","title":"Millä sektorilla työskentelet?","options":["Kunta","Järjestö","Valtio"]}),
    )
    .await;
    for (phone, option) in [(a, 0), (b, 0), (c, 2)] {
        ok(
            &mut phones[phone],
            json!({"type":"vote","prompt_id":poll,"options":[option]}),
        )
        .await;
    }

    let scale = add_and_open(
        &mut fac,
        json!({"kind":"scale","title":"Kunnan ja järjestöjen yhteistyö","statements":["Yhteistyö toimii"],"max":5,"min_label":"Huonosti","max_label":"Hyvin"}),
    )
    .await;
    for (phone, value) in [(a, 2), (b, 5)] {
        ok(
            &mut phones[phone],
            json!({"type":"rate","prompt_id":scale,"statement":0,"value":value}),
        )
        .await;
    }

    let words = add_and_open(
        &mut fac,
        json!({"kind":"word_cloud","title":"Yksi sana yhteistyöstä"}),
    )
    .await;
    for (phone, text) in [(a, "Yhteistyö"), (b, "yhteistyö"), (c, "Luottamus")] {
        let frame = json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":words,"text":text});
        ok(&mut phones[phone], frame).await;
    }

    let vote = add_and_open(
        &mut fac,
        json!({"kind":"dot_vote","title":"Tärkeimmät toimijat","source":ideas,"dots":3,"max_per_item":2}),
    )
    .await;
    for (phone, item) in [(a, &ids[0]), (a, &ids[0]), (b, &ids[2])] {
        ok(
            &mut phones[phone],
            json!({"type":"place_dot","prompt_id":vote,"item_id":item}),
        )
        .await;
    }
    (key, ids)
}

fn workbook(bytes: Vec<u8>) -> calamine::Xlsx<Cursor<Vec<u8>>> {
    calamine::Xlsx::new(Cursor::new(bytes)).expect("a workbook calamine reads")
}

fn sheet(book: &mut calamine::Xlsx<Cursor<Vec<u8>>>, name: &str) -> Vec<Vec<Data>> {
    book.worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"))
        .rows()
        .map(<[Data]>::to_vec)
        .collect()
}

fn texts(row: &[Data]) -> Vec<String> {
    row.iter().map(Data::to_string).collect()
}

/// The row whose first cell reads `first` (a number cell as its digits).
fn row_starting<'a>(rows: &'a [Vec<Data>], first: &str) -> &'a [Data] {
    rows.iter()
        .find(|r| r.first().map(Data::to_string).as_deref() == Some(first))
        .unwrap_or_else(|| panic!("no row starting with {first:?}"))
}

/// A time in ms since the epoch as Excel's serial date-time in Helsinki.
fn helsinki_serial(ms: u64) -> f64 {
    let zone = jiff::tz::TimeZone::get("Europe/Helsinki").expect("zone");
    let local = jiff::Timestamp::from_millisecond(ms as i64)
        .expect("time")
        .to_zoned(zone)
        .datetime();
    let epoch = jiff::civil::date(1899, 12, 30).at(0, 0, 0, 0);
    local.duration_since(epoch).as_secs_f64() / 86_400.0
}

/// CSV as rows of fields: the UTF-8 BOM first, then `;`-separated fields.
fn semicolon_csv(body: &[u8]) -> Vec<Vec<String>> {
    assert!(body.starts_with(b"\xEF\xBB\xBF"), "CSV starts with a BOM");
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(&body[3..])
        .records()
        .map(|r| r.expect("record").iter().map(str::to_owned).collect())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xlsx_and_csv_of_a_workshop_read_back() {
    let mut server = TestServer::start().await;
    let (key, ids) = workshop(&server).await;
    let created: HashMap<String, u64> = stored_items(&server.ws_url(SLUG), &key)
        .await
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_owned(),
                i["created_at"].as_u64().unwrap(),
            )
        })
        .collect();

    // The workbook: a summary, then a sheet per prompt named by its place and title.
    let response = server
        .get_with_key("/api/sessions/vienti/export.xlsx", &key)
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(
        response.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let mut book = workbook(response.body);
    assert_eq!(
        book.sheet_names(),
        [
            "Yhteenveto",
            BRAINSTORM_SHEET,
            POLL_SHEET,
            "3 Kunnan ja järjestöjen yhteis…",
            "4 Yksi sana yhteistyöstä",
            "5 Tärkeimmät toimijat",
        ]
    );
    let summary = sheet(&mut book, "Yhteenveto");
    assert_eq!(summary[0][0].to_string(), "HYVINSIVI – työpaja");
    assert_eq!(row_starting(&summary, "Osallistujia")[1], Data::Float(3.0));
    assert_eq!(
        texts(row_starting(&summary, "Nro")),
        [
            "Nro",
            "Kysymys",
            "Tehtävä",
            "Tila",
            "Avattu",
            "Suljettu",
            "Vastauksia",
            "Vastaajia"
        ]
    );
    assert_eq!(
        texts(&row_starting(&summary, "1")[1..4]),
        [BRAINSTORM, "Ideointi", "Suljettu"]
    );

    let ideas = sheet(&mut book, BRAINSTORM_SHEET);
    let header = texts(row_starting(&ideas, "Teksti"));
    assert_eq!(
        header,
        [
            "Teksti",
            "Sarake",
            "Ryhmä",
            "Teema",
            "Tykkäykset",
            "Pisteitä",
            "Piilotettu",
            "Nostettu esiin",
            "Yhdistetty vastaukseen",
            "Aiemmat versiot",
            "Osallistuja",
            "Aika"
        ]
    );
    let first = row_starting(&ideas, "Äänekosken nuorisopalvelut ja Ohjaamo");
    assert_eq!(
        texts(&first[..11])[1..10],
        [
            "Toimivat nyt",
            "Digitaalisuus",
            "",
            "1",
            "2",
            "ei",
            "ei",
            "",
            "Äänekosken nuorisopalvelut"
        ]
    );
    // The time is a real date-time cell at the Helsinki wall-clock time it arrived.
    match &first[11] {
        Data::DateTime(at) => {
            let expected = helsinki_serial(created[&ids[0]]);
            assert!(
                (at.as_f64() - expected).abs() < 1e-6,
                "{} ≠ {expected}",
                at.as_f64()
            );
        }
        other => panic!("time is not a date-time: {other:?}"),
    }
    assert_eq!(
        row_starting(&ideas, FORMULA)[0],
        Data::String(FORMULA.into()),
        "a formula-like text is a string cell, as typed"
    );
    assert_eq!(
        texts(&row_starting(&ideas, "Åbo Akademi – yhteistyö")[..2]),
        ["Åbo Akademi – yhteistyö", "Toimivat nyt"]
    );
    assert_eq!(row_starting(&ideas, "Roskaa")[6].to_string(), "kyllä");

    let poll = sheet(&mut book, POLL_SHEET);
    assert_eq!(
        texts(row_starting(&poll, "Vaihtoehto")),
        ["Vaihtoehto", "Ääniä", "Osuus %"]
    );
    assert_eq!(row_starting(&poll, "Kunta")[1], Data::Float(2.0));
    assert_eq!(row_starting(&poll, "Järjestö")[1], Data::Float(0.0));
    assert_eq!(row_starting(&poll, "Valtio")[1], Data::Float(1.0));
    let vote = sheet(&mut book, "5 Tärkeimmät toimijat");
    assert_eq!(
        texts(&row_starting(&vote, "1")[..3]),
        ["1", "Äänekosken nuorisopalvelut ja Ohjaamo", "2"]
    );

    // Options: hidden items out, Swedish headings, one prompt.
    let response = server
        .get_with_key("/api/sessions/vienti/export.xlsx?hidden=false", &key)
        .await;
    let ideas = sheet(&mut workbook(response.body), BRAINSTORM_SHEET);
    assert!(ideas.iter().all(|r| r[0] != "Roskaa"));
    assert!(ideas.iter().any(|r| r[0] == FORMULA));

    let response = server
        .get_with_key("/api/sessions/vienti/export.xlsx?lang=sv", &key)
        .await;
    let mut book = workbook(response.body);
    assert_eq!(book.sheet_names()[0], "Sammanfattning");
    let ideas = sheet(&mut book, BRAINSTORM_SHEET);
    assert_eq!(
        texts(&row_starting(&ideas, "Text")[..7]),
        [
            "Text",
            "Kolumn",
            "Grupp",
            "Tema",
            "Gillningar",
            "Poäng",
            "Dold"
        ]
    );
    assert_eq!(row_starting(&ideas, "Roskaa")[6].to_string(), "ja");

    let response = server
        .get_with_key("/api/sessions/vienti/export.xlsx?prompts=2", &key)
        .await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-disposition"),
        Some(
            format!(
                "attachment; filename=\"vienti-{}-2.xlsx\"",
                today_in("Europe/Helsinki")
            )
            .as_str()
        )
    );
    assert_eq!(
        workbook(response.body).sheet_names(),
        ["Yhteenveto", POLL_SHEET]
    );

    // Bad options are the caller's: 400 with a code.
    for (query, code) in [
        ("tz=Mars/Olympus_Mons", "unknown_time_zone"),
        ("prompts=9", "unknown_prompt"),
        ("hidden=maybe", "invalid_options"),
        ("lang=de", "invalid_options"),
        ("delimiter=tab", "invalid_options"),
    ] {
        let path = format!("/api/sessions/vienti/export.xlsx?{query}");
        let response = server.get_with_key(&path, &key).await;
        assert_eq!(
            (response.status, response.json()["error"]["code"].as_str()),
            (400, Some(code)),
            "{query}"
        );
    }
    // The key is required, and must be this session's.
    let path = "/api/sessions/vienti/export.xlsx";
    assert_eq!(server.http("GET", path, &[], None).await.status, 401);
    assert_eq!(server.get_with_key(path, "wrong").await.status, 403);

    // CSV for Finnish Excel: `;`, a BOM, formulas defused, stable English header.
    let response = server
        .get_with_key("/api/sessions/vienti/export.csv?delimiter=semicolon", &key)
        .await;
    assert_eq!(response.status, 200);
    let rows = semicolon_csv(&response.body);
    assert_eq!(rows[0], paja::export::csv::CSV_HEADER);
    assert!(
        rows.iter().any(|r| r[1] == format!("'{FORMULA}")),
        "the formula-like text is escaped"
    );
    assert!(rows
        .iter()
        .any(|r| r[1] == "Åbo Akademi – yhteistyö" && r[5] == "Toimivat nyt"));

    // One poll alone is its results table; a scale's mean has a decimal comma.
    let response = server
        .get_with_key(
            "/api/sessions/vienti/export.csv?prompts=2&delimiter=semicolon",
            &key,
        )
        .await;
    assert_eq!(
        semicolon_csv(&response.body),
        [
            ["Vaihtoehto", "Ääniä", "Osuus %"],
            ["Kunta", "2", "66,7"],
            ["Järjestö", "0", "0,0"],
            ["Valtio", "1", "33,3"],
        ]
    );
    let response = server
        .get_with_key(
            "/api/sessions/vienti/export.csv?prompts=3&delimiter=semicolon&lang=en",
            &key,
        )
        .await;
    let scale = semicolon_csv(&response.body);
    assert_eq!(scale[0][..3], ["Statement", "n", "Mean"]);
    assert_eq!(scale[1][..3], ["Yhteistyö toimii", "2", "3,50"]);

    // Offline, from the stopped server's data directory, with the built binary.
    server.stop().await;
    let out = server.data_dir.join("offline.xlsx");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_paja"))
        .args(["export", "--data-dir"])
        .arg(&server.data_dir)
        .args([SLUG, "--format", "xlsx", "--out"])
        .arg(&out)
        .status()
        .expect("run paja export");
    assert!(status.success());
    let mut book = workbook(std::fs::read(&out).expect("the workbook was written"));
    assert_eq!(book.sheet_names().len(), 6);
    let ideas = sheet(&mut book, BRAINSTORM_SHEET);
    assert!(ideas
        .iter()
        .any(|r| r[0] == "Äänekosken nuorisopalvelut ja Ohjaamo"));

    let dir = server.data_dir.join("per-prompt");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_paja"))
        .args(["export", "--data-dir"])
        .arg(&server.data_dir)
        .args([SLUG, "--format", "csv", "--per-prompt", "--delimiter"])
        .args(["semicolon", "--out"])
        .arg(&dir)
        .status()
        .expect("run paja export --per-prompt");
    assert!(status.success());
    let day = today_in("Europe/Helsinki");
    let mut written: Vec<String> = std::fs::read_dir(&dir)
        .expect("the directory was made")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        (1..=5)
            .map(|n| format!("vienti-{day}-{n}.csv"))
            .collect::<Vec<_>>()
    );
    let poll = semicolon_csv(&std::fs::read(dir.join(format!("vienti-{day}-2.csv"))).unwrap());
    assert_eq!(poll[1], ["Kunta", "2", "66,7"]);
    let ideas = semicolon_csv(&std::fs::read(dir.join(format!("vienti-{day}-1.csv"))).unwrap());
    assert_eq!(ideas[0], paja::export::csv::CSV_HEADER);
    assert_eq!(ideas.len(), 1 + 4, "a brainstorm alone keeps its item rows");
}
