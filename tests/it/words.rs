//! Words that belong together, over the real server: a word cloud groups inflected forms on
//! the projector and in the exports, and the theme suggestions endpoint proposes groupings of
//! a brainstorm's items (key as Bearer, typed errors, nothing changes).

use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::*;

/// The next `results` frame for `prompt` that satisfies `done`.
async fn results_until(client: &mut Client, prompt: &str, done: impl Fn(&Value) -> bool) -> Value {
    loop {
        let frame = client.until("results").await;
        if frame["prompt_id"] == prompt && done(&frame["results"]) {
            return frame["results"].clone();
        }
    }
}

async fn send(phone: &mut Client, prompt: &str, text: &str) -> String {
    let id = Uuid::new_v4().to_string();
    ok(
        phone,
        json!({"type":"submit","id":id,"prompt_id":prompt,"text":text}),
    )
    .await;
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_word_cloud_counts_inflections_as_one_word_live_and_in_exports() {
    let server = TestServer::start().await;
    let key = server.create_session("sanapilvi").await;
    let (mut fac, _) = server.facilitator("sanapilvi", &key).await;
    let (mut screen, _) = server.screen("sanapilvi").await;
    let cloud = add_and_open(
        &mut fac,
        json!({"kind":"word_cloud","title":"Kenen hyvinvointi?","max_answers":3}),
    )
    .await;
    let answers = [
        ["Nuoret", "kunnat"],
        ["nuorten", "Kunta"],
        ["nuoret", "järjestöt"],
        ["nuorille", "kuntien"],
    ];
    for pair in answers {
        let (mut phone, _) = server.participant("sanapilvi").await;
        for text in pair {
            send(&mut phone, &cloud, text).await;
        }
    }
    let r = results_until(&mut screen, &cloud, |r| r["participants"] == 4).await;
    // Each group shows its most common form; "kunnat", "Kunta", "kuntien" tie and the
    // shortest shows.
    assert_eq!(
        r["words"],
        json!([
            {"text":"nuoret","count":4},
            {"text":"kunta","count":3},
            {"text":"järjestöt","count":1}
        ])
    );
    let csv = server
        .get_with_key(
            "/api/sessions/sanapilvi/export.csv?prompts=1&delimiter=semicolon",
            &key,
        )
        .await;
    assert_eq!(csv.status, 200);
    let text = csv.text();
    assert!(text.contains("nuoret;4"), "{text}");
    assert!(text.contains("kunta;3"), "{text}");
    assert!(!text.contains("nuorten;"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_group_a_brainstorms_items_by_shared_stems() {
    let server = TestServer::start().await;
    let key = server.create_session("ehdotus").await;
    let (mut fac, _) = server.facilitator("ehdotus", &key).await;
    let ideas = open_prompt(&mut fac, "Mikä yhdyspinnoissa toimii?").await;
    let (mut phone, _) = server.participant("ehdotus").await;
    let mut ids = Vec::new();
    for text in [
        "Nuorten ohjaamo lähellä",
        "Järjestöt mukaan",
        "Nuoret tuntevat palvelut",
        "Kahvi",
        "järjestöjen rahoitus",
        "nuorille oma tila",
        "Piilotettu nuoret",
    ] {
        ids.push(send(&mut phone, &ideas, text).await);
    }
    command(&mut fac, json!({"type":"hide_item","item_id":ids[6]})).await;
    let url = format!("/api/sessions/ehdotus/suggestions?prompt={ideas}");
    let response = server.get_with_key(&url, &key).await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.header("cache-control"), Some("no-store"));
    // Biggest first; the hidden item is left out; "Kahvi" is alone.
    assert_eq!(
        response.json(),
        json!({"prompt":ideas,"suggestions":[
            {"label":"nuoret","items":[ids[0],ids[2],ids[5]]},
            {"label":"järjestöt","items":[ids[1],ids[4]]}
        ]})
    );
    // Asking changed nothing: the same answer again.
    assert_eq!(
        server.get_with_key(&url, &key).await.json(),
        response.json()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_need_the_key_a_known_brainstorm_and_a_prompt() {
    let server = TestServer::start().await;
    let key = server.create_session("ehdotus-virheet").await;
    let (mut fac, _) = server.facilitator("ehdotus-virheet", &key).await;
    let poll = add_prompt(
        &mut fac,
        json!({"kind":"poll","title":"Kumpi?","options":["A","B"]}),
    )
    .await;
    let base = "/api/sessions/ehdotus-virheet/suggestions";
    let code = |r: &HttpResponse| r.json()["error"]["code"].clone();
    let r = server
        .http("GET", &format!("{base}?prompt=p1"), &[], None)
        .await;
    assert_eq!((r.status, code(&r)), (401, json!("key_required")));
    let r = server
        .get_with_key(&format!("{base}?prompt=p1"), "wrong")
        .await;
    assert_eq!((r.status, code(&r)), (403, json!("invalid_key")));
    let r = server
        .get_with_key(&format!("{base}?prompt=p99"), &key)
        .await;
    assert_eq!((r.status, code(&r)), (404, json!("unknown_prompt")));
    let r = server
        .get_with_key(&format!("{base}?prompt={poll}"), &key)
        .await;
    assert_eq!((r.status, code(&r)), (400, json!("not_themable")));
    let r = server.get_with_key(base, &key).await;
    assert_eq!((r.status, code(&r)), (400, json!("invalid_options")));
    let r = server
        .get_with_key("/api/sessions/ei-ole/suggestions?prompt=p1", &key)
        .await;
    assert_eq!(r.status, 404);
}
