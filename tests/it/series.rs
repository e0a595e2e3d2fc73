//! A series of seminars (issue 14, part 3): one agenda template, sessions made from it with
//! template refs, each session changing its own agenda, and a series key that reads every
//! session of its series and nothing else — through the real server, over HTTP and websockets.

use serde_json::{json, Value};

use crate::support::*;

/// The seminar's agenda as a `paja-agenda` file: a poll, the groups' brainstorm and a dot
/// vote on it (`@1`).
fn agenda() -> Value {
    json!({
        "format": "paja-agenda",
        "version": 1,
        "title": "HYVINSIVI",
        "prompts": [
            {"kind":"poll","options":["Kunta","Hyvinvointialue","Järjestö"],"title":"Millä sektorilla työskentelet?"},
            {"kind":"brainstorm","title":"Mitkä kysymykset ovat tärkeitä teemassanne?","per_group":true},
            {"kind":"dot_vote","source":"@1","dots":3,"max_per_item":2,"title":"Tärkeimmät kysymykset"}
        ]
    })
}

fn bearer(key: &str) -> String {
    format!("Bearer {key}")
}

/// Creates a series; returns its name and key.
async fn create_series(server: &TestServer, body: Value) -> (String, String) {
    let response = server.http("POST", "/api/series", &[], Some(&body)).await;
    assert_eq!(response.status, 201, "{}", response.text());
    let created = response.json();
    let name = created["name"].as_str().unwrap().to_owned();
    let key = created["key"].as_str().unwrap().to_owned();
    assert_eq!(created["url"], format!("/series/{name}#key={key}"));
    (name, key)
}

/// Creates a session in a series; returns the creation's answer.
async fn create_in(server: &TestServer, series: &str, key: &str, body: Value) -> Value {
    let response = server
        .http(
            "POST",
            &format!("/api/series/{series}/sessions"),
            &[("Authorization", &bearer(key))],
            Some(&body),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}

async fn get_series(server: &TestServer, name: &str, key: &str) -> HttpResponse {
    server
        .get_with_key(&format!("/api/series/{name}"), key)
        .await
}

fn code(response: &HttpResponse) -> String {
    response.json()["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_made_in_a_series_copy_its_agenda_with_template_refs_and_go_their_own_way() {
    let server = TestServer::start().await;
    let (name, series_key) =
        create_series(&server, json!({"title":"HYVINSIVI 2018","agenda":agenda()})).await;
    assert_eq!(name, "hyvinsivi-2018");
    let rovaniemi = create_in(
        &server,
        &name,
        &series_key,
        json!({"title":"Rovaniemi 24.5."}),
    )
    .await;
    assert_eq!(rovaniemi["slug"], "rovaniemi-24-5");
    let control = rovaniemi["control_url"].as_str().unwrap();
    let facilitator_key = rovaniemi["facilitator_key"].as_str().unwrap();
    assert_eq!(
        control,
        format!("/rovaniemi-24-5/control#key={facilitator_key}")
    );
    let seinajoki = create_in(
        &server,
        &name,
        &series_key,
        json!({"title":"Seinäjoki 3.5.","slug":"seinajoki","language":"sv"}),
    )
    .await;
    assert_eq!(seinajoki["slug"], "seinajoki");

    // Both have the agenda, each prompt with its template ref; the vote draws on its own
    // session's brainstorm.
    let (mut a, welcome_a) = server.facilitator("rovaniemi-24-5", facilitator_key).await;
    let (_b, welcome_b) = server
        .facilitator("seinajoki", seinajoki["facilitator_key"].as_str().unwrap())
        .await;
    for welcome in [&welcome_a, &welcome_b] {
        let prompts = welcome["prompts"].as_array().unwrap();
        let refs: Vec<&str> = prompts
            .iter()
            .map(|p| p["template"].as_str().unwrap())
            .collect();
        assert_eq!(refs, ["p1", "p2", "p3"], "{welcome}");
        assert_eq!(prompts[2]["source"], prompts[1]["id"]);
        assert_eq!(prompts[0]["title"], "Millä sektorilla työskentelet?");
        assert_eq!(prompts[1]["per_group"], true);
    }

    // Rovaniemi changes its own agenda: a retitled question keeps its template ref, and an
    // added prompt has none. Seinäjoki is untouched.
    let brainstorm = welcome_a["prompts"][1].clone();
    let mut draft = brainstorm.clone();
    draft["title"] = json!("Mitkä kysymykset ovat tärkeitä Lapissa?");
    draft.as_object_mut().unwrap().remove("template");
    command(
        &mut a,
        json!({"type":"update_prompt","prompt_id":brainstorm["id"],"prompt":draft}),
    )
    .await;
    add_prompt(&mut a, json!({"kind":"brainstorm","title":"Lisäkysymys"})).await;
    let json_a = server
        .get_with_key("/api/sessions/rovaniemi-24-5/export.json", facilitator_key)
        .await
        .json();
    let prompts = json_a["prompts"].as_array().unwrap();
    assert_eq!(prompts.len(), 4);
    assert_eq!(
        prompts[1]["title"],
        "Mitkä kysymykset ovat tärkeitä Lapissa?"
    );
    assert_eq!(prompts[1]["template"], "p2");
    assert!(prompts[3].get("template").is_none(), "{}", prompts[3]);
    let json_b = server
        .get_with_key("/api/sessions/seinajoki/export.json", &series_key)
        .await;
    assert_eq!(json_b.status, 200, "the series key reads its sessions");
    let prompts_b = json_b.json()["prompts"].as_array().unwrap().clone();
    assert_eq!(prompts_b.len(), 3);
    assert_eq!(
        prompts_b[1]["title"],
        "Mitkä kysymykset ovat tärkeitä teemassanne?"
    );

    // Rovaniemi is tried out first: the series page marks it as a rehearsal.
    command(&mut a, json!({"type":"set_rehearsal","on":true})).await;
    // The series lists both, with counts, and its agenda with the refs.
    let view = get_series(&server, &name, &series_key).await;
    assert_eq!(view.status, 200);
    assert_eq!(view.header("cache-control"), Some("no-store"));
    let view = view.json();
    assert_eq!(view["title"], "HYVINSIVI 2018");
    assert_eq!(view["agenda"][2]["source"], "@1");
    assert_eq!(view["agenda"][2]["template"], "p3");
    let listed: Vec<&str> = view["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["rovaniemi-24-5", "seinajoki"]);
    assert_eq!(view["sessions"][0]["title"], "Rovaniemi 24.5.");
    assert_eq!(view["sessions"][0]["items"], 0);
    assert_eq!(view["sessions"][0]["participants"], 0);
    assert_eq!(view["sessions"][0]["rehearsal"], true);
    assert!(view["sessions"][1].get("rehearsal").is_none());
    assert!(view["sessions"][0].get("control_url").is_none());
    assert!(view["sessions"][0].get("facilitator_key").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_series_key_reads_its_own_sessions_exports_and_nothing_else() {
    let server = TestServer::start().await;
    let (ours, our_key) = create_series(
        &server,
        json!({"title":"HYVINSIVI 2018","name":"hyvinsivi"}),
    )
    .await;
    let (theirs, their_key) =
        create_series(&server, json!({"title":"Toinen sarja","name":"toinen"})).await;
    let mine = create_in(
        &server,
        &ours,
        &our_key,
        json!({"title":"Rovaniemi","slug":"rovaniemi"}),
    )
    .await;
    create_in(
        &server,
        &theirs,
        &their_key,
        json!({"title":"Oulu","slug":"oulu"}),
    )
    .await;
    server.create_session("yksin").await;

    for file in [
        "export.json",
        "export.csv",
        "export.md",
        "export.html",
        "export.xlsx",
        "agenda.json",
    ] {
        let read = server
            .get_with_key(&format!("/api/sessions/rovaniemi/{file}"), &our_key)
            .await;
        assert_eq!(read.status, 200, "{file}: {}", read.text());
    }
    // Another series' session, and a session of no series.
    for slug in ["oulu", "yksin"] {
        let refused = server
            .get_with_key(&format!("/api/sessions/{slug}/export.json"), &our_key)
            .await;
        assert_eq!(
            (refused.status, code(&refused).as_str()),
            (403, "invalid_key"),
            "{slug}"
        );
    }
    // Another series' key on ours, on its page and on the series itself.
    let refused = server
        .get_with_key("/api/sessions/rovaniemi/export.json", &their_key)
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(get_series(&server, &ours, &their_key).await.status, 403);
    assert_eq!(get_series(&server, &theirs, &our_key).await.status, 403);
    // The series key cannot control: no console, no delete, no new session in another series.
    let mut console = Client::connect(&server.ws_url("rovaniemi")).await;
    console
        .send(json!({"type":"hello","protocol":1,"role":"facilitator","key":our_key,"last_seq":0}))
        .await;
    let error = console.expect("error").await;
    assert_eq!(error["code"], "invalid_key");
    assert_eq!(console.closed().await, Some(1008));
    let delete = server
        .http(
            "DELETE",
            "/api/sessions/rovaniemi",
            &[("Authorization", &bearer(&our_key))],
            None,
        )
        .await;
    assert_eq!(delete.status, 403);
    let sneak = server
        .http(
            "POST",
            &format!("/api/series/{theirs}/sessions"),
            &[("Authorization", &bearer(&our_key))],
            Some(&json!({"title":"Ujutus"})),
        )
        .await;
    assert_eq!((sneak.status, code(&sneak).as_str()), (403, "invalid_key"));
    // The session's own key still works as ever.
    let own = server
        .get_with_key(
            "/api/sessions/rovaniemi/export.json",
            mine["facilitator_key"].as_str().unwrap(),
        )
        .await;
    assert_eq!(own.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn series_survive_a_restart_and_forget_deleted_sessions() {
    let server = TestServer::start().await;
    let (name, key) =
        create_series(&server, json!({"title":"HYVINSIVI 2018","agenda":agenda()})).await;
    let first = create_in(
        &server,
        &name,
        &key,
        json!({"title":"Rovaniemi","slug":"rovaniemi"}),
    )
    .await;
    let gone = create_in(
        &server,
        &name,
        &key,
        json!({"title":"Peruttu","slug":"peruttu"}),
    )
    .await;
    let server = server.restart().await;
    assert!(server
        .data_dir
        .join("series/hyvinsivi-2018/series.json")
        .is_file());

    let view = get_series(&server, &name, &key).await.json();
    assert_eq!(view["sessions"].as_array().unwrap().len(), 2, "{view}");
    assert_eq!(view["agenda"].as_array().unwrap().len(), 3);
    let read = server
        .get_with_key("/api/sessions/rovaniemi/export.json", &key)
        .await;
    assert_eq!(
        read.status, 200,
        "the series key still reads after a restart"
    );
    let _ = first;

    // A deleted session leaves the list; a new session by its name is not the series'.
    let delete = server
        .http(
            "DELETE",
            "/api/sessions/peruttu",
            &[(
                "Authorization",
                &bearer(gone["facilitator_key"].as_str().unwrap()),
            )],
            None,
        )
        .await;
    assert_eq!(delete.status, 204);
    server.create_session("peruttu").await;
    let view = get_series(&server, &name, &key).await.json();
    let listed: Vec<&str> = view["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["rovaniemi"]);
    let refused = server
        .get_with_key("/api/sessions/peruttu/export.json", &key)
        .await;
    assert_eq!(refused.status, 403, "a stranger's session by a listed name");

    // After the restart the series still makes sessions.
    let later = create_in(&server, &name, &key, json!({"title":"Seinäjoki"})).await;
    assert_eq!(later["slug"], "seinajoki");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_agenda_reaches_only_sessions_made_after_it() {
    let server = TestServer::start().await;
    let (name, key) = create_series(&server, json!({"title":"Sarja"})).await;
    assert_eq!(name, "sarja");
    let empty = create_in(
        &server,
        &name,
        &key,
        json!({"title":"Ensimmäinen","slug":"eka"}),
    )
    .await;
    let put = server
        .http(
            "PUT",
            &format!("/api/series/{name}/agenda"),
            &[("Authorization", &bearer(&key))],
            Some(&agenda()),
        )
        .await;
    assert_eq!(put.status, 204, "{}", put.text());
    create_in(
        &server,
        &name,
        &key,
        json!({"title":"Toinen","slug":"toka"}),
    )
    .await;
    let (_a, first) = server
        .facilitator("eka", empty["facilitator_key"].as_str().unwrap())
        .await;
    assert_eq!(first["prompts"].as_array().unwrap().len(), 0);
    let second = server
        .get_with_key("/api/sessions/toka/agenda.json", &key)
        .await
        .json();
    let refs: Vec<&str> = second["prompts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["template"].as_str().unwrap())
        .collect();
    assert_eq!(
        refs,
        ["p1", "p2", "p3"],
        "an agenda file keeps the template refs"
    );
    // That agenda file is a series template again, refs and all.
    let (_, again) = create_series(&server, json!({"title":"Sarja 2","agenda":second})).await;
    let view = get_series(&server, "sarja-2", &again).await.json();
    assert_eq!(view["agenda"][1]["template"], "p2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_series_requests_get_typed_errors() {
    let server = TestServer::start().await;
    let (name, key) = create_series(&server, json!({"title":"HYVINSIVI","name":"hyvinsivi"})).await;
    let post = |path: &'static str, body: Value| {
        let server = &server;
        async move { server.http("POST", path, &[], Some(&body)).await }
    };
    let cases = [
        (
            post("/api/series", json!({"title":"Taas","name":"hyvinsivi"})).await,
            409,
            "series_taken",
        ),
        (
            post("/api/series", json!({"title":"X","name":"Ä!"})).await,
            400,
            "invalid_slug",
        ),
        (
            post("/api/series", json!({"title":"  "})).await,
            400,
            "invalid_title",
        ),
        (
            post(
                "/api/series",
                json!({"title":"Y","agenda":{"format":"paja-session","version":1,"prompts":[]}}),
            )
            .await,
            400,
            "invalid_request",
        ),
        (
            post(
                "/api/series",
                json!({"title":"Z","agenda":{"format":"paja-agenda","version":1,"prompts":[
                    {"kind":"dot_vote","source":"@0","dots":3,"max_per_item":2,"title":"Itseensä"}
                ]}}),
            )
            .await,
            400,
            "invalid_agenda",
        ),
    ];
    for (response, status, expected) in cases {
        assert_eq!(
            (response.status, code(&response)),
            (status, expected.to_owned()),
            "{}",
            response.text()
        );
    }
    let path = format!("/api/series/{name}");
    let no_key = server.http("GET", &path, &[], None).await;
    assert_eq!(
        (no_key.status, code(&no_key).as_str()),
        (401, "key_required")
    );
    let wrong = server.get_with_key(&path, "00").await;
    assert_eq!((wrong.status, code(&wrong).as_str()), (403, "invalid_key"));
    let unknown = server.get_with_key("/api/series/ei-ole", &key).await;
    assert_eq!(
        (unknown.status, code(&unknown).as_str()),
        (404, "series_not_found")
    );
    server.create_session("varattu").await;
    let taken = server
        .http(
            "POST",
            &format!("/api/series/{name}/sessions"),
            &[("Authorization", &bearer(&key))],
            Some(&json!({"title":"Varattu","slug":"varattu"})),
        )
        .await;
    assert_eq!((taken.status, code(&taken).as_str()), (409, "slug_taken"));
    let view = get_series(&server, &name, &key).await.json();
    assert_eq!(
        view["sessions"],
        json!([]),
        "a refused creation lists nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_sites_pages_cannot_change_a_series_and_the_admin_password_rule_holds() {
    let server = TestServer::start_with(paja::Config {
        admin_password: Some("sala-sana".into()),
        ..paja::Config::default()
    })
    .await;
    let missing = server
        .http("POST", "/api/series", &[], Some(&json!({"title":"Sarja"})))
        .await;
    assert_eq!(
        (missing.status, code(&missing).as_str()),
        (401, "admin_password_required")
    );
    let (name, key) = create_series(
        &server,
        json!({"title":"Sarja","admin_password":"sala-sana"}),
    )
    .await;
    let auth = bearer(&key);
    let no_password = server
        .http(
            "POST",
            &format!("/api/series/{name}/sessions"),
            &[("Authorization", &auth)],
            Some(&json!({"title":"Ilman"})),
        )
        .await;
    assert_eq!(code(&no_password), "admin_password_required");
    create_in(
        &server,
        &name,
        &key,
        json!({"title":"Kanssa","admin_password":"sala-sana"}),
    )
    .await;
    let routes = [
        (
            "POST",
            "/api/series".to_owned(),
            json!({"title":"Ulkoa","admin_password":"sala-sana"}),
        ),
        ("PUT", format!("/api/series/{name}/agenda"), agenda()),
        (
            "POST",
            format!("/api/series/{name}/sessions"),
            json!({"title":"Ulkoa","admin_password":"sala-sana"}),
        ),
    ];
    for (method, path, body) in &routes {
        for headers in [
            [
                ("Sec-Fetch-Site", "cross-site"),
                ("Authorization", auth.as_str()),
            ],
            [
                ("Origin", "https://evil.example"),
                ("Authorization", auth.as_str()),
            ],
        ] {
            let response = server.http(method, path, &headers, Some(body)).await;
            assert_eq!(
                (response.status, code(&response).as_str()),
                (403, "cross_site"),
                "{method} {path} {headers:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_series_page_is_served_and_a_session_named_series_keeps_its_pages() {
    let server = TestServer::start().await;
    let (name, _) = create_series(&server, json!({"title":"Sivu"})).await;
    let page = server
        .http("GET", &format!("/series/{name}"), &[], None)
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("series"), "{}", page.text());
    let unknown = server.http("GET", "/series/ei-ole", &[], None).await;
    assert_eq!(unknown.status, 404);
    server.create_session("series").await;
    for (path, marker) in [("/series/control", "control"), ("/series/screen", "screen")] {
        let page = server.http("GET", path, &[], None).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(page.text().contains(marker), "{path}: {}", page.text());
    }
    assert_eq!(server.http("GET", "/series", &[], None).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_series_key_downloads_the_comparison_report_in_every_format() {
    let server = TestServer::start().await;
    let (name, key) =
        create_series(&server, json!({"title":"HYVINSIVI 2018","agenda":agenda()})).await;
    create_in(
        &server,
        &name,
        &key,
        json!({"title":"Rovaniemi","slug":"rovaniemi"}),
    )
    .await;
    create_in(
        &server,
        &name,
        &key,
        json!({"title":"Seinäjoki","slug":"seinajoki"}),
    )
    .await;
    for (ext, content_type) in [
        ("html", "text/html; charset=utf-8"),
        ("md", "text/markdown; charset=utf-8"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("csv", "text/csv; charset=utf-8"),
        ("json", "application/json"),
    ] {
        let report = server
            .get_with_key(&format!("/api/series/{name}/report.{ext}?lang=sv"), &key)
            .await;
        assert_eq!(report.status, 200, "{ext}: {}", report.text());
        assert_eq!(report.header("content-type"), Some(content_type), "{ext}");
        assert_eq!(
            report.header("content-disposition").map(str::to_owned),
            Some(format!("attachment; filename=\"{name}-report.{ext}\""))
        );
        assert!(!report.body.is_empty(), "{ext}");
    }
    let json = server
        .get_with_key(&format!("/api/series/{name}/report.json"), &key)
        .await
        .json();
    assert_eq!(json["format"], "paja-comparison");
    let unknown = server
        .get_with_key(&format!("/api/series/{name}/report.pdf"), &key)
        .await;
    assert_eq!(unknown.status, 404);
    let (_, other) = create_series(&server, json!({"title":"Toinen"})).await;
    let refused = server
        .get_with_key(&format!("/api/series/{name}/report.json"), &other)
        .await;
    assert_eq!(refused.status, 403);
}
