//! A dot vote on a brainstorm's themes over real websockets: the console sorts the wall into
//! themes, opens a vote on them, the phones see the themes' names on the ballot and place
//! dots on theme ids, the projector's results and the exports name the themes, a rename
//! reaches the phones, and a theme on the frozen ballot cannot be removed.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::*;

const SLUG: &str = "teemaaanestys";

/// The next `results` frame for `prompt` that satisfies `done`.
async fn results_until(client: &mut Client, prompt: &str, done: impl Fn(&Value) -> bool) -> Value {
    loop {
        let frame = client.until("results").await;
        if frame["prompt_id"] == prompt && done(&frame["results"]) {
            return frame["results"].clone();
        }
    }
}

/// The next frame of `kind` about `prompt`.
async fn prompt_frame(client: &mut Client, kind: &str, prompt: &str) -> Value {
    loop {
        let frame = client.until(kind).await;
        if frame["prompt"]["id"] == prompt {
            return frame;
        }
    }
}

fn ranking(results: &Value) -> Vec<(String, u64)> {
    results["ranking"]
        .as_array()
        .expect("ranking")
        .iter()
        .map(|e| {
            (
                e["text"].as_str().unwrap().to_owned(),
                e["dots"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_place_dots_on_themes_and_the_results_name_them() {
    let server = TestServer::start().await;
    let key = server.create_session(SLUG).await;
    let (mut fac, _) = server.facilitator(SLUG, &key).await;
    let (mut screen, _) = server.screen(SLUG).await;
    let (mut a, _) = server.participant(SLUG).await;
    let (mut b, _) = server.participant(SLUG).await;
    let questions = open_prompt(&mut fac, "Mitkä kysymykset ovat tärkeimpiä?").await;
    let mut ids = Vec::new();
    for text in ["Nuorten ääni", "Digituki", "Nuoret mukaan", "Rahoitus"] {
        let id = Uuid::new_v4().to_string();
        ok(
            &mut a,
            json!({"type":"submit","id":id,"prompt_id":questions,"text":text}),
        )
        .await;
        ids.push(id);
    }
    let [nuoret, digi, raha] = [(); 3].map(|_| Uuid::new_v4().to_string());
    for (theme, name, items) in [
        (&nuoret, "Nuoret", vec![&ids[0], &ids[2]]),
        (&digi, "Digi", vec![&ids[1]]),
        (&raha, "Raha", vec![&ids[3]]),
    ] {
        command(
            &mut fac,
            json!({"type":"add_theme","prompt":questions,"theme":theme,"name":name,"items":items}),
        )
        .await;
    }
    let vote = add_and_open(
        &mut fac,
        json!({"kind":"dot_vote","title":"Tärkeimmät teemat","source":questions,
               "dots":3,"max_per_item":2,"vote_on":"themes"}),
    )
    .await;
    let opened = prompt_frame(&mut b, "prompt_opened", &vote).await;
    assert_eq!(opened["prompt"]["vote_on"], "themes");
    assert_eq!(
        opened["prompt"]["ballot_items"],
        json!([
            {"id":nuoret,"text":"Nuoret"},
            {"id":digi,"text":"Digi"},
            {"id":raha,"text":"Raha"}
        ])
    );
    for (on_a, theme) in [
        (true, &nuoret),
        (true, &nuoret),
        (false, &raha),
        (false, &nuoret),
    ] {
        let phone = if on_a { &mut a } else { &mut b };
        ok(
            phone,
            json!({"type":"place_dot","prompt_id":vote,"item_id":theme}),
        )
        .await;
    }
    let refusal = ask(
        &mut a,
        json!({"type":"place_dot","prompt_id":vote,"item_id":nuoret}),
    )
    .await;
    assert_eq!(refusal["code"], "item_dot_limit", "{refusal}");
    // An item id is not on a ballot of themes.
    let refusal = ask(
        &mut b,
        json!({"type":"place_dot","prompt_id":vote,"item_id":ids[1]}),
    )
    .await;
    assert_eq!(refusal["code"], "not_on_ballot", "{refusal}");
    let r = results_until(&mut screen, &vote, |r| r["voters"] == 2).await;
    assert_eq!(
        ranking(&r),
        [("Nuoret".into(), 3), ("Raha".into(), 1), ("Digi".into(), 0)]
    );

    // A theme on the frozen ballot can be renamed (the phones hear it) but not removed.
    let refusal = ask(
        &mut fac,
        json!({"type":"remove_theme","prompt":questions,"theme":raha}),
    )
    .await;
    assert_eq!(refusal["code"], "theme_on_ballot", "{refusal}");
    command(
        &mut fac,
        json!({"type":"rename_theme","prompt":questions,"theme":raha,"name":"Rahoitus"}),
    )
    .await;
    let updated = prompt_frame(&mut b, "prompt_updated", &vote).await;
    assert_eq!(
        updated["prompt"]["ballot_items"][2],
        json!({"id":raha,"text":"Rahoitus"})
    );
    let r = results_until(&mut screen, &vote, |r| {
        r["ranking"][1]["text"] == "Rahoitus"
    })
    .await;
    assert_eq!(ranking(&r)[1], ("Rahoitus".into(), 1));

    // The exports name the themes, and the JSON keeps the dots on theme ids.
    let csv = server
        .get_with_key(
            &format!("/api/sessions/{SLUG}/export.csv?prompts=2&delimiter=semicolon"),
            &key,
        )
        .await;
    let text = csv.text();
    assert!(text.contains("Sija;Teema;Pisteitä"), "{text}");
    assert!(text.contains("1;Nuoret;3"), "{text}");
    assert!(text.contains("2;Rahoitus;1"), "{text}");
    let doc = server
        .get_with_key(&format!("/api/sessions/{SLUG}/export.json"), &key)
        .await
        .json();
    let exported = &doc["prompts"][1];
    assert_eq!(exported["vote_on"], "themes");
    assert_eq!(exported["ballot"], json!([nuoret, digi, raha]));
    let dots: Vec<&Value> = exported["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["dots"])
        .collect();
    assert!(dots.contains(&&json!({nuoret.clone(): 2})), "{dots:?}");
    let report = server
        .get_with_key(&format!("/api/sessions/{SLUG}/export.md"), &key)
        .await
        .text();
    assert!(
        report.contains("Äänestys kysymyksen 1 teemoista."),
        "{report}"
    );
    assert!(report.contains("| Sija | Teema | Pisteitä |"), "{report}");

    // A restart keeps the vote on themes, its ballot and its dots (journal and snapshot).
    let (_, before) = server.facilitator(SLUG, &key).await;
    drop((fac, screen, a, b));
    let server = server.restart().await;
    let (_, after) = server.facilitator(SLUG, &key).await;
    assert_eq!(after["prompts"], before["prompts"]);
    assert_eq!(after["results"], before["results"]);
    assert_eq!(after["prompts"][1]["vote_on"], "themes");
    assert_eq!(after["prompts"][1]["ballot_items"][2]["text"], "Rahoitus");
}
