//! The report (issue 7): a small Finnish workshop run over real websockets, then its report
//! downloaded as HTML and Markdown with the facilitator key, read as a reader would.

use serde_json::json;
use uuid::Uuid;

use crate::support::{add_and_open, command, ok, today_in, Client, HttpResponse, TestServer};

const SLUG: &str = "raportti";
const BRAINSTORM: &str = "Mikä toimii nuorten palveluissa?";
const POLL: &str = "Millä sektorilla työskentelet?";
const SCALE: &str = "Miten hyvin yhteistyö sujuu?";
const CLOUD: &str = "Yksi sana hyvästä yhteistyöstä";
const VOTE: &str = "Mihin tartutaan ensin?";
const SCRIPT: &str = "<script>alert('x')</script> ja ÄÖÅ";
const IMG: &str = "\"><img src=x onerror=alert(1)>";
const HIDDEN: &str = "Tämä on poistettava asiaton viesti";

/// Sends an item; returns its id.
async fn submit(phone: &mut Client, prompt: &str, text: &str, column: Option<u8>) -> String {
    let id = Uuid::new_v4().to_string();
    let mut frame = json!({"type":"submit","id":id,"prompt_id":prompt,"text":text});
    if let Some(c) = column {
        frame["column"] = json!(c);
    }
    ok(phone, frame).await;
    id
}

/// Runs the workshop: a brainstorm in two columns by two groups (a hidden item, a merged
/// duplicate, a starred item, markup), a poll, a scale, a word cloud and a dot vote.
async fn workshop(server: &TestServer) -> String {
    let key = server.create_session(SLUG).await;
    let (mut fac, _) = server.facilitator(SLUG, &key).await;
    command(
        &mut fac,
        json!({"type":"add_group","name":"Toimijat ja verkostot","color":"#1f77b4"}),
    )
    .await;
    command(&mut fac, json!({"type":"add_group","name":"Digitaalisuus"})).await;
    let mut phones = Vec::new();
    for group in ["g1", "g1", "g2"] {
        let (mut phone, _) = server.participant(SLUG).await;
        ok(&mut phone, json!({"type":"choose_group","group_id":group})).await;
        phones.push(phone);
    }

    let brainstorm = add_and_open(
        &mut fac,
        json!({"kind":"brainstorm","title":BRAINSTORM,"instructions":"Kirjatkaa yksi asia kerrallaan.",
               "columns":["Toimii nyt","Ei toimi vielä"]}),
    )
    .await;
    let ohjaamo = submit(&mut phones[0], &brainstorm, "Ohjaamo", Some(0)).await;
    let dup = submit(&mut phones[2], &brainstorm, "Ohjaamo!", Some(0)).await;
    submit(&mut phones[2], &brainstorm, "Etsivä nuorisotyö", Some(0)).await;
    let star = submit(&mut phones[1], &brainstorm, "Tiedonkulku kouluun", Some(1)).await;
    submit(&mut phones[2], &brainstorm, SCRIPT, Some(1)).await;
    submit(&mut phones[0], &brainstorm, IMG, Some(1)).await;
    let hidden = submit(&mut phones[1], &brainstorm, HIDDEN, Some(1)).await;
    command(&mut fac, json!({"type":"hide_item","item_id":hidden})).await;
    command(
        &mut fac,
        json!({"type":"merge_items","into":ohjaamo,"items":[dup]}),
    )
    .await;
    command(
        &mut fac,
        json!({"type":"star_item","item_id":star,"starred":true}),
    )
    .await;

    let poll = add_and_open(
        &mut fac,
        json!({"kind":"poll","title":POLL,"options":["Kunta","Hyvinvointialue","Järjestö"]}),
    )
    .await;
    for (phone, option) in [(0, 0), (1, 0), (2, 2)] {
        ok(
            &mut phones[phone],
            json!({"type":"vote","prompt_id":poll,"options":[option]}),
        )
        .await;
    }

    let scale = add_and_open(
        &mut fac,
        json!({"kind":"scale","title":SCALE,"statements":["Tieto kulkee","Tavoitteet ovat yhteiset"],
               "max":5,"min_label":"Ei lainkaan","max_label":"Erittäin hyvin"}),
    )
    .await;
    for (phone, statement, value) in [(0, 0, 2), (1, 0, 4), (2, 0, 5), (0, 1, 3)] {
        ok(
            &mut phones[phone],
            json!({"type":"rate","prompt_id":scale,"statement":statement,"value":value}),
        )
        .await;
    }

    let cloud = add_and_open(
        &mut fac,
        json!({"kind":"word_cloud","title":CLOUD,"max_answers":3}),
    )
    .await;
    submit(&mut phones[0], &cloud, "Luottamus", None).await;
    submit(&mut phones[1], &cloud, "luottamus", None).await;
    submit(&mut phones[2], &cloud, "Yhteistyö", None).await;

    let vote = add_and_open(
        &mut fac,
        json!({"kind":"dot_vote","title":VOTE,"source":brainstorm,"dots":3,"max_per_item":2}),
    )
    .await;
    for phone in &mut phones[..2] {
        ok(
            phone,
            json!({"type":"place_dot","prompt_id":vote,"item_id":star}),
        )
        .await;
    }
    ok(
        &mut phones[2],
        json!({"type":"place_dot","prompt_id":vote,"item_id":ohjaamo}),
    )
    .await;
    command(&mut fac, json!({"type":"close_prompt","prompt_id":vote})).await;
    key
}

async fn download(server: &TestServer, key: &str, file: &str) -> HttpResponse {
    server
        .get_with_key(&format!("/api/sessions/{SLUG}/{file}"), key)
        .await
}

/// The HTML with its markup taken out and its white space (no-break spaces too) collapsed:
/// roughly what a reader sees.
fn visible_text(html: &str) -> String {
    let body = html.split("<body>").nth(1).unwrap_or(html);
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_reads_as_the_workshop_went() {
    let server = TestServer::start().await;
    let key = workshop(&server).await;

    let html = download(&server, &key, "export.html").await;
    assert_eq!(html.status, 200, "{}", html.text());
    assert_eq!(
        html.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(
        html.header("content-disposition"),
        Some(
            format!(
                "attachment; filename=\"raportti-{}.html\"",
                today_in("Europe/Helsinki")
            )
            .as_str()
        )
    );
    let page = html.text();
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"fi\">"));
    let seen = visible_text(&page);
    for text in [
        "HYVINSIVI – työpaja",
        "Osallistujia: 3",
        "1. Mikä toimii nuorten palveluissa?",
        "Ideointi · Suljettu",
        "Ohjeet: Kirjatkaa yksi asia kerrallaan.",
        "Toimii nyt Toimijat ja verkostot Ohjaamo ● 1 piste +1 samankaltainen Tähän yhdistetyt: Ohjaamo!",
        "Ei toimi vielä Toimijat ja verkostot Tiedonkulku kouluun ★ nostettu esiin",
        "Digitaalisuus Etsivä nuorisotyö",
        SCRIPT,
        IMG,
        "Vaihtoehto Ääniä Osuus Kunta 2 67 % Hyvinvointialue 0 0 % Järjestö 1 33 %",
        "Vastanneita: 3",
        "Tieto kulkee 0 1 0 1 1 3 3,7",
        "Tavoitteet ovat yhteiset 0 0 1 0 0 1 3,0",
        "ka. 3,7",
        "Ei lainkaan",
        "luottamus (2) yhteistyö (1)",
        "Äänestys kysymyksen 1 vastauksista.",
        "Sija Vastaus Pisteitä 1 Tiedonkulku kouluun 2 2 Ohjaamo 1",
        "Äänestäneitä: 3",
    ] {
        assert!(
            seen.contains(text),
            "the report does not show {text:?}:\n{seen}"
        );
    }
    // Participant markup is text, never markup.
    assert!(!page.contains("<script") && !page.contains("<img"));
    assert!(!seen.contains(HIDDEN), "a hidden item is in the report");
    // Charts: the poll, two statements, the dot vote; poll bars as long as their votes.
    assert_eq!(page.matches("<svg").count(), 4);
    assert!(page.contains("class=\"bar\" x=\"0\" y=\"21\" width=\"333.3\""));

    // Hidden items on request, marked; headings in English on request.
    let with_hidden = download(&server, &key, "export.html?hidden=true&lang=en").await;
    assert_eq!(with_hidden.status, 200);
    let seen = visible_text(&with_hidden.text());
    assert!(with_hidden.text().contains("<html lang=\"en\">"));
    assert!(seen.contains(&format!("{HIDDEN} hidden")), "{seen}");
    for text in [
        "Participants: 3",
        "Brainstorm · Closed",
        "Option Votes Share Kunta 2 67%",
        "Answered: 3",
        "Rank Answer Dots",
        "Hidden answers are included and marked.",
    ] {
        assert!(seen.contains(text), "{text:?} not in:\n{seen}");
    }

    // Markdown: the same, as headings, lists and tables, participant text escaped.
    let md = download(&server, &key, "export.md").await;
    assert_eq!(md.status, 200);
    assert_eq!(
        md.header("content-type"),
        Some("text/markdown; charset=utf-8")
    );
    let md = md.text();
    for text in [
        "# HYVINSIVI – työpaja\n",
        "\n## 1. Mikä toimii nuorten palveluissa?\n\n**Ideointi** · Suljettu",
        "\n### Toimii nyt\n\n#### Toimijat ja verkostot\n\n- Ohjaamo — *● 1 piste · +1 samankaltainen*\n  - Ohjaamo!\n",
        "\n#### Digitaalisuus\n\n- Etsivä nuorisotyö\n",
        "- \\<script\\>alert('x')\\</script\\> ja ÄÖÅ\n",
        "- \"\\>\\<img src=x onerror=alert(1)\\>",
        "| Kunta | 2 | 67\u{a0}% |\n| Hyvinvointialue | 0 | 0\u{a0}% |\n| Järjestö | 1 | 33\u{a0}% |\n",
        "| Tieto kulkee | 0 | 1 | 0 | 1 | 1 | 3 | 3,7 |\n",
        "- luottamus (2)\n- yhteistyö (1)\n",
        "| 1 | Tiedonkulku kouluun | 2 |\n| 2 | Ohjaamo | 1 |\n",
    ] {
        assert!(md.contains(text), "{text:?} not in:\n{md}");
    }
    assert!(!md.contains(HIDDEN));
    let md_hidden = download(&server, &key, "export.md?hidden=true&lang=sv")
        .await
        .text();
    assert!(
        md_hidden.contains(&format!("- {HIDDEN} — *dold*\n")),
        "{md_hidden}"
    );
    assert!(md_hidden.contains("| Alternativ | Röster | Andel |"));

    // One prompt alone; no key, no report.
    let poll_only = download(&server, &key, "export.md?prompts=2").await;
    assert_eq!(
        poll_only.header("content-disposition"),
        Some(
            format!(
                "attachment; filename=\"raportti-{}-2.md\"",
                today_in("Europe/Helsinki")
            )
            .as_str()
        )
    );
    let poll_only = poll_only.text();
    assert!(poll_only.contains("## 2. Millä sektorilla työskentelet?"));
    assert!(!poll_only.contains("## 1.") && !poll_only.contains("## 3."));
    let refused = server
        .http(
            "GET",
            &format!("/api/sessions/{SLUG}/export.html"),
            &[],
            None,
        )
        .await;
    assert_eq!(refused.status, 401);

    // Offline, from the data directory: the same page, byte for byte.
    let out = server.data_dir.join("offline.html");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_paja"))
        .args(["export", "--data-dir"])
        .arg(&server.data_dir)
        .args([SLUG, "--format", "html", "--out"])
        .arg(&out)
        .status()
        .expect("run paja export");
    assert!(status.success());
    assert_eq!(std::fs::read_to_string(&out).expect("read"), page);
}
