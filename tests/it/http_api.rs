//! The HTTP surface: creating sessions, export authorization, pages and headers.

use serde_json::json;

use crate::support::{today_in, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_sessions() {
    let server = TestServer::start().await;
    let created = server
        .http(
            "POST",
            "/api/sessions",
            &[],
            Some(&json!({"slug":"hyvinsivi","title":"Työpaja","language":"en"})),
        )
        .await;
    assert_eq!(created.status, 201);
    let body = created.json();
    let key = body["facilitator_key"].as_str().unwrap();
    assert!(
        key.len() >= 32 && key.chars().all(|c| c.is_ascii_hexdigit()),
        "at least 128 random bits"
    );
    assert_eq!(body["participant_url"], "/hyvinsivi");
    assert_eq!(body["screen_url"], "/hyvinsivi/screen");
    assert_eq!(body["control_url"], format!("/hyvinsivi/control#key={key}"));

    let again = server
        .http(
            "POST",
            "/api/sessions",
            &[],
            Some(&json!({"slug":"hyvinsivi","title":"Toinen"})),
        )
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.json()["error"]["code"], "slug_taken");

    // Swedish has its strings, so a session in Swedish is accepted.
    let swedish = server
        .http(
            "POST",
            "/api/sessions",
            &[],
            Some(&json!({"slug":"paa-svenska","title":"Workshop","language":"sv"})),
        )
        .await;
    assert_eq!(swedish.status, 201);
    assert_eq!(
        server.http("GET", "/paa-svenska", &[], None).await.status,
        200
    );
    let strings = server.http("GET", "/assets/i18n/sv.json", &[], None).await;
    assert_eq!(strings.status, 200);
    assert_eq!(strings.json()["participant.send"], "Skicka");

    for (body, code) in [
        (json!({"slug":"ab","title":"x"}), "invalid_slug"),
        (json!({"slug":"Iso-Kirjain","title":"x"}), "invalid_slug"),
        (json!({"slug":"api","title":"x"}), "invalid_slug"),
        (json!({"slug":"assets","title":"x"}), "invalid_slug"),
        (json!({"slug":"ws","title":"x"}), "invalid_slug"),
        (json!({"slug":"hyvä","title":"x"}), "invalid_slug"),
        (json!({"slug":"ok-name","title":"  "}), "invalid_title"),
        (
            json!({"slug":"ok-name","title":"x","language":"de"}),
            "invalid_request",
        ),
        (json!({"title":"x"}), "invalid_request"),
    ] {
        let response = server.http("POST", "/api/sessions", &[], Some(&body)).await;
        assert_eq!(response.status, 400, "for {body}");
        let error = response.json();
        assert_eq!(error["error"]["code"], code, "for {body}");
        assert!(error["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    // Nothing was created by the refused requests.
    assert_eq!(server.http("GET", "/ok-name", &[], None).await.status, 404);
}

/// Issue 7: a session has a time zone (Europe/Helsinki unless its creator chose another);
/// exports show times in it unless the download asks for another, and it travels with the
/// JSON export.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_keeps_its_time_zone_for_exports() {
    let server = TestServer::start().await;
    let created = server
        .http(
            "POST",
            "/api/sessions",
            &[],
            Some(&json!({"slug":"tukholma","title":"Workshop","language":"sv","time_zone":"Europe/Stockholm"})),
        )
        .await;
    assert_eq!(created.status, 201);
    let key = created.json()["facilitator_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let json = server
        .get_with_key("/api/sessions/tukholma/export.json", &key)
        .await
        .json();
    assert_eq!(json["session"]["time_zone"], "Europe/Stockholm");
    let report = server
        .get_with_key("/api/sessions/tukholma/export.html", &key)
        .await
        .text();
    assert!(report.contains("Europe/Stockholm"), "{report}");
    let asked = server
        .get_with_key("/api/sessions/tukholma/export.html?tz=UTC", &key)
        .await
        .text();
    assert!(asked.contains("tidszonen UTC"), "{asked}");

    let unknown = server
        .http(
            "POST",
            "/api/sessions",
            &[],
            Some(&json!({"slug":"espoo","title":"x","time_zone":"Europe/Espoo"})),
        )
        .await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.json()["error"]["code"], "invalid_time_zone");
    assert_eq!(server.http("GET", "/espoo", &[], None).await.status, 404);

    let default_key = server.create_session("helsinki").await;
    let json = server
        .get_with_key("/api/sessions/helsinki/export.json", &default_key)
        .await
        .json();
    assert_eq!(json["session"]["time_zone"], "Europe/Helsinki");
}

/// Issue 11 §5: a download's name carries the session and the day it was held, in the session's
/// time zone unless the download asks for another. UTC+14 and UTC−11 are always a day apart,
/// so the date shows which zone was used.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_names_carry_the_session_and_its_local_date() {
    let server = TestServer::start().await;
    let key = server
        .create_session_from(
            json!({"slug":"kiritimati","title":"Workshop","time_zone":"Pacific/Kiritimati"}),
        )
        .await;
    for (query, zone, name) in [
        ("", "Pacific/Kiritimati", "export.xlsx"),
        ("?tz=Pacific/Pago_Pago", "Pacific/Pago_Pago", "export.html"),
    ] {
        let before = today_in(zone);
        let response = server
            .get_with_key(&format!("/api/sessions/kiritimati/{name}{query}"), &key)
            .await;
        let after = today_in(zone);
        let extension = name.trim_start_matches("export.");
        let disposition = response.header("content-disposition").map(str::to_owned);
        // Around midnight the day may turn during the request: either side is right.
        assert!(
            [&before, &after].iter().any(|day| disposition.as_deref()
                == Some(&format!("attachment; filename=\"kiritimati-{day}.{extension}\"")[..])),
            "{name}{query}: {disposition:?} (zone {zone}, {before})"
        );
    }
    assert_ne!(
        today_in("Pacific/Kiritimati"),
        today_in("Pacific/Pago_Pago")
    );
}

/// Issue 11 §5: `/Hyvinsivi` (a capital from a slide or a phone's keyboard) leads to
/// `/hyvinsivi`, for the phone's, the projector's and the console's pages, keeping the query.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_name_in_other_case_redirects_to_its_page() {
    let server = TestServer::start().await;
    server.create_session("hyvinsivi").await;
    for (asked, to) in [
        ("/Hyvinsivi", "/hyvinsivi"),
        ("/HYVINSIVI/screen?group=g1", "/hyvinsivi/screen?group=g1"),
        ("/hyvinSivi/control", "/hyvinsivi/control"),
    ] {
        let response = server.http("GET", asked, &[], None).await;
        assert_eq!(response.status, 308, "{asked}");
        assert_eq!(response.header("location"), Some(to), "{asked}");
        let page = server.http("GET", to, &[], None).await;
        assert_eq!(page.status, 200, "{to}");
    }
    // A name that is not a session in any case is still not found, never redirected.
    let missing = server.http("GET", "/Eiole", &[], None).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("location"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_need_the_facilitator_key() {
    let server = TestServer::start().await;
    let key = server.create_session("salainen").await;
    let path = "/api/sessions/salainen/export.csv";
    let none = server.http("GET", path, &[], None).await;
    assert_eq!(
        (none.status, none.json()["error"]["code"].as_str()),
        (401, Some("key_required"))
    );
    let wrong = server
        .http("GET", path, &[("Authorization", "Bearer nope")], None)
        .await;
    assert_eq!(
        (wrong.status, wrong.json()["error"]["code"].as_str()),
        (403, Some("invalid_key"))
    );
    let bearer = format!("Bearer {key}");
    let ok = server
        .http("GET", path, &[("Authorization", &bearer)], None)
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(
        ok.body,
        b"\xEF\xBB\xBFprompt,text,participant,time,hidden,column,group,likes,dots,merged_into,history,item_id,theme\n"
    );
    let missing = server
        .http(
            "GET",
            "/api/sessions/eiole/export.csv",
            &[("Authorization", &bearer)],
            None,
        )
        .await;
    assert_eq!(missing.status, 404);
    // One session's key opens no other session.
    let other = server.create_session("toinen").await;
    let cross = server
        .http(
            "GET",
            "/api/sessions/salainen/export.json",
            &[("Authorization", &format!("Bearer {other}"))],
            None,
        )
        .await;
    assert_eq!(cross.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_served_with_security_headers() {
    let server = TestServer::start().await;
    server.create_session("sivut").await;
    for path in ["/", "/sivut", "/sivut/control", "/sivut/screen"] {
        let page = server.http("GET", path, &[], None).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(page
            .header("content-type")
            .unwrap()
            .starts_with("text/html"));
        let csp = page.header("content-security-policy").expect("CSP");
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
        assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    }
    assert_eq!(server.http("GET", "/eiole", &[], None).await.status, 404);
    let css = server.http("GET", "/assets/app.css", &[], None).await;
    assert_eq!(css.status, 200);
    let etag = css.header("etag").expect("etag").to_owned();
    let cached = server
        .http("GET", "/assets/app.css", &[("If-None-Match", &etag)], None)
        .await;
    assert_eq!(cached.status, 304);
    let strings = server.http("GET", "/assets/i18n/fi.json", &[], None).await;
    assert_eq!(strings.status, 200);
    assert_eq!(
        server
            .http("GET", "/assets/nope.js", &[], None)
            .await
            .status,
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_qr_code_is_the_participant_address_as_svg() {
    let server = TestServer::start().await;
    server.create_session("qr-koodi").await;
    let qr = server.http("GET", "/qr-koodi/qr.svg", &[], None).await;
    assert_eq!(qr.status, 200);
    assert_eq!(qr.header("content-type"), Some("image/svg+xml"));
    assert_eq!(qr.header("cache-control"), Some("no-cache"));
    assert!(qr
        .header("content-security-policy")
        .is_some_and(|csp| csp.contains("img-src 'self'")));
    let svg = qr.text();
    assert!(
        svg.contains("<svg") && svg.trim_end().ends_with("</svg>"),
        "{svg}"
    );
    // The address the browser used (the Host header), so phones reach the same server.
    let expected = qrcode::QrCode::new(format!("http://{}/qr-koodi", server.addr))
        .unwrap()
        .render::<qrcode::render::svg::Color<'_>>()
        .quiet_zone(true)
        .build();
    assert_eq!(svg, expected);

    let missing = server.http("GET", "/eiole/qr.svg", &[], None).await;
    assert_eq!(missing.status, 404);
    assert_ne!(missing.header("content-type"), Some("image/svg+xml"));
}

/// Issues 6, 12 and 17: a phone's first visit is at most 22 KB on the wire, as a current
/// browser fetches it (brotli). The worst phone is counted: the page, its CSS, its modules, the
/// largest kind with what it brings (the phone loads only the current prompt's kind),
/// `translate.js` (a phone reading a prompt in a language other than the main one) and the
/// largest language's share of the strings. A second visit loads nothing but the page's
/// revalidation: every asset is immutable under its versioned URL, and the page answers 304 to
/// its ETag.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_page_first_load_is_under_22_kb_and_then_cached() {
    let server = TestServer::start().await;
    server.create_session("kevyt").await;
    let accept = [("Accept-Encoding", "gzip, deflate, br, zstd")];
    let page = server.http("GET", "/kevyt", &accept, None).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-encoding"), Some("br"));
    assert_eq!(page.header("vary"), Some("Accept-Encoding"));
    let html = decoded(&page);
    let mut wire = page.body.len();
    let mut fetched = vec![format!("/kevyt {} B", page.body.len())];

    // Everything the page pulls in: `/assets/…` references, then the modules' own imports
    // (relative to the importing module) and the strings (Finnish, the session's language,
    // the phone's share) their code fetches.
    let mut queue = references(&html, "\"/assets/", '"');
    let mut seen = std::collections::HashSet::new();
    // Modules loaded on demand (`import('./poll.js')`): only the current prompt's kind.
    let mut lazy = std::collections::BTreeSet::new();
    while let Some(path) = queue.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let asset = server.http("GET", &path, &accept, None).await;
        assert_eq!(asset.status, 200, "{path}");
        assert_eq!(
            asset.header("cache-control"),
            Some("public, max-age=31536000, immutable"),
            "{path} must be cached for good: a second visit must not fetch it"
        );
        wire += asset.body.len();
        fetched.push(format!("{path} {} B", asset.body.len()));
        if path.contains(".js?") {
            let text = decoded(&asset);
            let dir = &path[..path.rfind('/').unwrap_or(0)];
            let on_demand: Vec<String> = references(&text, " import('./", '\'')
                .into_iter()
                .map(|r| r.replacen("import('", "", 1))
                .collect();
            for import in references(&text, "'./", '\'')
                .into_iter()
                .chain(references(&text, "'../", '\''))
            {
                if on_demand.contains(&import) {
                    lazy.insert(resolve(dir, &import));
                } else {
                    queue.push(resolve(dir, &import));
                }
            }
            if let Some(version) = text
                .split("/assets/i18n/${page}.${l}.json?v=")
                .nth(1)
                .and_then(|rest| rest.split('`').next())
            {
                queue.push(format!("/assets/i18n/participant.fi.json?v={version}"));
            }
        }
    }
    assert!(
        fetched
            .iter()
            .any(|f| f.starts_with("/assets/i18n/participant.fi.json"))
            && fetched.iter().any(|f| f.starts_with("/assets/common.js"))
            && fetched.iter().any(|f| f.starts_with("/assets/limits.js")),
        "the crawl missed the strings, the shared module or the limits: {fetched:#?}"
    );
    // A kind's module brings what the base page did not already load: its static imports
    // (`results.js` for the kinds that draw results) and the phone view it loads on demand
    // (`questions_phone.js`), all fetched before the phone shows the prompt, so they count with
    // the kind. Only the staff's views (`*_views.js`: the console's editor, the projector's
    // drawing) are left out.
    let mut largest = (0, String::new());
    let mut translate = (0, String::new());
    let mut kinds = Vec::new();
    for path in &lazy {
        let mut size = 0;
        let mut parts = Vec::new();
        let mut todo = vec![path.clone()];
        while let Some(module) = todo.pop() {
            if parts.contains(&module) || (module != *path && seen.contains(&module)) {
                continue;
            }
            let asset = server.http("GET", &module, &accept, None).await;
            assert_eq!(asset.status, 200, "{module}");
            size += asset.body.len();
            parts.push(module.clone());
            if !module.starts_with("/assets/activities/") {
                continue;
            }
            let text = decoded(&asset);
            let dir = &module[..module.rfind('/').unwrap_or(0)];
            let imports = references(&text, "'./", '\'')
                .into_iter()
                .chain(references(&text, "'../", '\''));
            for import in imports {
                if !import
                    .split('?')
                    .next()
                    .is_some_and(|f| f.ends_with("_views.js"))
                {
                    todo.push(resolve(dir, &import));
                }
            }
        }
        kinds.push(format!("{} {size} B", parts.join(" + ")));
        if path.starts_with("/assets/activities/") {
            largest = largest.max((size, parts.join(" + ")));
        } else if path.starts_with("/assets/translate.js") {
            translate = (size, path.clone());
        }
    }
    println!(
        "on demand (each kind with what it brings):\n  {}",
        kinds.join("\n  ")
    );
    assert!(
        lazy.len() >= 5,
        "the crawl missed the activity modules: {lazy:?}"
    );
    wire += largest.0;
    fetched.push(format!(
        "{} {} B (the largest kind of {} modules on demand)",
        largest.1,
        largest.0,
        lazy.len()
    ));
    // The worst phone reads the prompt in a language that is not the session's main one: it
    // loads `translate.js` too, and its own strings, the largest of the three languages'.
    assert!(translate.0 > 0, "the crawl missed translate.js: {lazy:?}");
    wire += translate.0;
    fetched.push(format!(
        "{} {} B (a phone in another language)",
        translate.1, translate.0
    ));
    let fi = fetched
        .iter()
        .find_map(|f| f.strip_prefix("/assets/i18n/participant.fi.json?v="))
        .and_then(|rest| rest.split(' ').next())
        .map(str::to_owned)
        .expect("the Finnish strings were fetched");
    let strings = |l: &str| format!("/assets/i18n/participant.{l}.json?v={fi}");
    let fi_size = server
        .http("GET", &strings("fi"), &accept, None)
        .await
        .body
        .len();
    for l in ["sv", "en"] {
        let other = server.http("GET", &strings(l), &accept, None).await;
        assert_eq!(other.status, 200, "{l}");
        if other.body.len() > fi_size {
            wire += other.body.len() - fi_size;
            fetched.push(format!(
                "{} {} B (more than Finnish)",
                strings(l),
                other.body.len()
            ));
        }
    }
    println!(
        "first load: {wire} bytes brotli\n  {}",
        fetched.join("\n  ")
    );
    assert!(
        wire <= 22 * 1024,
        "first load {wire} B > 22 KB: {fetched:#?}"
    );

    // A browser without brotli still gets gzip.
    let gzip = server
        .http("GET", "/kevyt", &[("Accept-Encoding", "gzip")], None)
        .await;
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    assert_eq!(gunzip(&gzip.body), html);

    let etag = page.header("etag").expect("the page has an ETag");
    let again = server
        .http("GET", "/kevyt", &[("If-None-Match", etag)], None)
        .await;
    assert_eq!(again.status, 304, "a second visit revalidates the page");
}

/// Quoted references that start with `prefix` (whose first quote is kept out), up to `end`.
fn references(text: &str, prefix: &str, end: char) -> Vec<String> {
    text.split(prefix)
        .skip(1)
        .filter_map(|rest| rest.split(end).next())
        .map(|tail| format!("{}{tail}", &prefix[1..]))
        .collect()
}

/// An import specifier (`./x.js`, `../x.js`) of a module in `dir` (`/assets/control`) as a path.
fn resolve(dir: &str, spec: &str) -> String {
    let mut dir = dir.to_owned();
    let mut spec = spec;
    loop {
        if let Some(rest) = spec.strip_prefix("./") {
            spec = rest;
        } else if let Some(rest) = spec.strip_prefix("../") {
            spec = rest;
            dir.truncate(dir.rfind('/').unwrap_or(0));
        } else {
            return format!("{dir}/{spec}");
        }
    }
}

fn decoded(response: &crate::support::HttpResponse) -> String {
    match response.header("content-encoding") {
        Some("gzip") => gunzip(&response.body),
        Some("br") => {
            let mut out = String::new();
            std::io::Read::read_to_string(
                &mut brotli::Decompressor::new(&response.body[..], 4096),
                &mut out,
            )
            .expect("brotli");
            out
        }
        _ => response.text(),
    }
}

fn gunzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(bytes), &mut out)
        .expect("gzip");
    out
}
