//! Prompts in several languages over real websockets: a prompt written in Finnish with a
//! Swedish variant reaches phones, projector and console with every variant; a group's
//! translated name reaches them too; `set_languages` reaches an open projector and phone live
//! (and survives a restart); bad translations are refused and change nothing; the JSON export,
//! the agenda template and an import carry every variant.

use serde_json::{json, Value};

use crate::support::*;

const SLUG: &str = "kaksikielinen";

fn poll() -> Value {
    json!({
        "kind": "poll", "title": "Mikä on tärkeintä?", "instructions": "Valitse yksi.",
        "options": ["Asuminen", "Liikenne", "Koulut"],
        "translations": {"sv": {
            "title": "Vad är viktigast?", "instructions": "Välj ett.",
            "options": ["Boende", "", "Skolor"],
        }},
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prompt_in_finnish_and_swedish_reaches_every_role_with_its_variants() {
    let mut server = TestServer::start().await;
    let key = server.create_session(SLUG).await;
    let (mut fac, _) = server.facilitator(SLUG, &key).await;
    let (mut screen, _) = server.screen(SLUG).await;
    let (mut phone, _) = server.participant(SLUG).await;

    let (_, events) = command(
        &mut fac,
        json!({"type":"add_group","name":"Keskusta","translations":{"sv":"Centrum","en":""}}),
    )
    .await;
    let groups = events
        .iter()
        .find(|e| e["type"] == "groups_changed")
        .unwrap();
    assert_eq!(
        groups["groups"][0],
        json!({"id":"g1","name":"Keskusta","color":null,"translations":{"sv":"Centrum"}}),
        "the empty English name was dropped"
    );
    assert_eq!(
        phone.until("groups_changed").await["groups"],
        groups["groups"]
    );

    let id = add_and_open(&mut fac, poll()).await;
    let expected = json!({"sv": {
        "title": "Vad är viktigast?", "instructions": "Välj ett.",
        "options": ["Boende", "", "Skolor"],
    }});
    let opened = phone.until("prompt_opened").await;
    assert_eq!(opened["prompt"]["id"], id.as_str());
    assert_eq!(opened["prompt"]["title"], "Mikä on tärkeintä?");
    assert_eq!(opened["prompt"]["translations"], expected);
    assert_eq!(
        screen.until("prompt_opened").await["prompt"]["translations"],
        expected
    );

    // Participants answer whatever language they read it in.
    ok(
        &mut phone,
        json!({"type":"vote","prompt_id":id,"options":[0]}),
    )
    .await;

    // The projector stacks Swedish: an open projector and phone hear it at once.
    let (_, events) = command(
        &mut fac,
        json!({"type":"set_languages","main":"fi","screen":"sv"}),
    )
    .await;
    let frame = json!({"type":"languages_changed","seq":events[0]["seq"],"language":"fi","screen_language":"sv"});
    assert_eq!(events[0], frame);
    assert_eq!(screen.until("languages_changed").await, frame);
    assert_eq!(phone.until("languages_changed").await, frame);
    let (_, welcome) = server.screen(SLUG).await;
    assert_eq!(
        welcome["session"],
        json!({"slug":SLUG,"title":welcome["session"]["title"],"language":"fi","screen_language":"sv"})
    );
    let (_, welcome) = server.participant(SLUG).await;
    assert_eq!(welcome["prompt"]["translations"], expected);
    assert_eq!(
        welcome["groups"][0]["translations"],
        json!({"sv":"Centrum"})
    );

    // Refused: a list of another length, a long title, a column list on a poll. Nothing changes.
    let before = server.facilitator(SLUG, &key).await.1;
    for bad in [
        json!({"sv": {"options": ["Boende", "Trafik"]}}),
        json!({"sv": {"title": "x".repeat(501)}}),
        json!({"sv": {"columns": ["A", "B", "C"]}}),
    ] {
        let mut prompt = poll();
        prompt["translations"] = bad.clone();
        fac.send(json!({"type":"update_prompt","id":"u","prompt_id":id,"prompt":prompt}))
            .await;
        let error = fac.until("error").await;
        assert_eq!(error["code"], "invalid_prompt", "{bad}");
    }
    fac.send(
        json!({"type":"add_group","id":"g","name":"Itä","translations":{"sv":"x".repeat(61)}}),
    )
    .await;
    assert_eq!(fac.until("error").await["code"], "invalid_group");
    let after = server.facilitator(SLUG, &key).await.1;
    assert_eq!(after["seq"], before["seq"], "nothing changed");
    assert_eq!(after["prompts"], before["prompts"]);

    // The JSON export keeps every variant and the projector's language.
    let export = server
        .http(
            "GET",
            &format!("/api/sessions/{SLUG}/export.json"),
            &[("Authorization", &format!("Bearer {key}"))],
            None,
        )
        .await;
    assert_eq!(export.status, 200);
    let doc = export.json();
    assert_eq!(doc["prompts"][0]["translations"], expected);
    assert_eq!(doc["groups"][0]["translations"], json!({"sv":"Centrum"}));
    assert_eq!(doc["session"]["screen_language"], "sv");

    add_prompt(
        &mut fac,
        json!({"kind":"brainstorm","title":"Ideat","columns":["Nyt","Pian"],
            "translations":{"sv":{"columns":["Nu",""]}}}),
    )
    .await;
    // The CSV gives the question in Swedish in its own column; the report in Swedish reads
    // the Swedish texts (falling back to the Finnish option where none was given), the
    // Finnish one the Finnish texts.
    let csv = server
        .get_with_key(&format!("/api/sessions/{SLUG}/export.csv"), &key)
        .await
        .text();
    let header = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap()
        .to_owned();
    assert!(header.ends_with(",theme,prompt_sv"), "{header}");
    let report = |lang: &'static str| {
        let server = &server;
        let key = &key;
        async move {
            server
                .get_with_key(
                    &format!("/api/sessions/{SLUG}/export.html?lang={lang}"),
                    key,
                )
                .await
                .text()
        }
    };
    let sv = report("sv").await;
    for text in [
        "Vad är viktigast?",
        "Välj ett.",
        "Boende",
        "Liikenne",
        "Skolor",
    ] {
        assert!(sv.contains(text), "{text} in the Swedish report");
    }
    assert!(!sv.contains("Mikä on tärkeintä?"));
    assert!(report("fi").await.contains("Mikä on tärkeintä?"));

    // The agenda template carries the variants into another session.
    let template = server
        .http(
            "GET",
            &format!("/api/sessions/{SLUG}/agenda.json"),
            &[("Authorization", &format!("Bearer {key}"))],
            None,
        )
        .await
        .json();
    assert_eq!(template["prompts"][0]["translations"], expected);
    let key2 = server.create_session("pohjasta").await;
    let (mut fac2, _) = server.facilitator("pohjasta", &key2).await;
    let (_, events) = command(
        &mut fac2,
        json!({"type":"import_agenda","prompts":template["prompts"]}),
    )
    .await;
    let added = events.iter().find(|e| e["type"] == "prompt_added").unwrap();
    assert_eq!(added["prompt"]["translations"], expected);

    // An import of the export keeps them too.
    let response = server
        .http(
            "POST",
            "/api/sessions/import?slug=tuotu-kaksikielinen",
            &[],
            Some(&doc),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let key3 = response.json()["facilitator_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, welcome) = server.facilitator("tuotu-kaksikielinen", &key3).await;
    assert_eq!(welcome["prompts"][0]["translations"], expected);
    assert_eq!(
        welcome["groups"][0]["translations"],
        json!({"sv":"Centrum"})
    );
    assert_eq!(welcome["session"]["screen_language"], "sv");

    // A restart (snapshot and journal) keeps the languages; a new main language is journaled.
    command(
        &mut fac,
        json!({"type":"set_languages","main":"sv","screen":null}),
    )
    .await;
    drop((fac, fac2, screen, phone));
    server = server.restart().await;
    let (_, welcome) = server.facilitator(SLUG, &key).await;
    assert_eq!(welcome["session"]["language"], "sv");
    assert!(welcome["session"].get("screen_language").is_none());
    assert_eq!(welcome["prompts"][0]["translations"], expected);
}
