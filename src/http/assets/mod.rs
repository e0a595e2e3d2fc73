//! The web client, embedded in the binary so one file serves everything.
//!
//! Pages are revalidated on every load (`no-cache` with an ETag, so an unchanged page costs a
//! 304); scripts, styles and strings are served the same way. Every file is listed in
//! [`FILES`]; a test checks the list matches `web/` (less the type checker's `.d.ts` files and
//! `tsconfig*.json`). Beside them the server makes [`generated`] assets: `limits.js` and each
//! page's strings. Each is sent brotli-compressed to browsers that accept it (all current
//! ones, over HTTPS), else gzipped: the phone's first load is what a seminar hall's Wi-Fi
//! carries a few hundred times at once.

use std::sync::OnceLock;

use axum::extract::{Path, Query};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

mod generated;
#[cfg(test)]
mod i18n_check;

/// `(name under web/, content type, bytes)` for each listed file, embedded at compile time.
macro_rules! web_files {
    ($($kind:ident $name:literal),* $(,)?) => {
        &[$(($name, web_files!(@type $kind), include_bytes!(concat!("../../../web/", $name)))),*]
    };
    (@type html) => { "text/html; charset=utf-8" };
    (@type css) => { "text/css; charset=utf-8" };
    (@type js) => { "text/javascript; charset=utf-8" };
    (@type json) => { "application/json" };
}

/// Every embedded file: name under `web/`, content type, bytes.
pub(super) static FILES: &[(&str, &str, &[u8])] = web_files![
    html "index.html",
    html "participant.html",
    html "control.html",
    html "screen.html",
    html "series.html",
    css "app.css",
    css "screen.css",
    css "control.css",
    js "common.js",
    js "index.js",
    js "series.js",
    js "participant.js",
    js "control.js",
    js "screen.js",
    js "results.js",
    js "api.js",
    js "control/keys.js",
    js "control/editor.js",
    js "control/exporter.js",
    js "control/store.js",
    js "control/ui.js",
    js "control/agenda.js",
    js "control/groups.js",
    js "control/head.js",
    js "control/items.js",
    js "control/files.js",
    js "control/themes.js",
    js "control/notes.js",
    js "control/rehearsal.js",
    js "participant/store.js",
    js "participant/text.js",
    js "participant/wall.js",
    js "participant/mine.js",
    js "participant/groups.js",
    js "screen/store.js",
    js "screen/wall.js",
    js "screen/fit.js",
    js "screen/themes.js",
    js "activities/index.js",
    js "activities/brainstorm.js",
    js "activities/poll.js",
    js "activities/scale.js",
    js "activities/word_cloud.js",
    js "activities/dot_vote.js",
    js "activities/matrix.js",
    js "activities/matrix_views.js",
    js "activities/questions.js",
    js "activities/questions_views.js",
    js "activities/questions_phone.js",
    js "screen/questions.js",
    js "translate.js",
    js "control/languages.js",
    json "i18n/fi.json",
    json "i18n/sv.json",
    json "i18n/en.json",
];

/// One file as served: references to other assets rewritten to carry the version, gzipped
/// once, brotli-compressed on first request (best quality is slow, and a test process or a
/// server that never serves a file should not pay for it), with its ETag.
struct Asset {
    name: String,
    content_type: &'static str,
    body: Vec<u8>,
    gzip: Option<Vec<u8>>,
    brotli: OnceLock<Option<Vec<u8>>>,
    etag: String,
}

impl Asset {
    fn new(name: String, content_type: &'static str, bytes: &[u8], version: &str) -> Self {
        let body = versioned(&name, &without_comments(&name, bytes), version);
        let gzip = gzip(&body).filter(|z| z.len() < body.len());
        let etag = format!("\"{}\"", hex(&Sha256::digest(&body)[..8]));
        Asset {
            name,
            content_type,
            body,
            gzip,
            brotli: OnceLock::new(),
            etag,
        }
    }

    /// The brotli body, if brotli makes it smaller.
    fn brotli(&self) -> Option<&Vec<u8>> {
        self.brotli
            .get_or_init(|| brotli(&self.body).filter(|b| b.len() < self.body.len()))
            .as_ref()
    }
}

/// Every asset, and the version that all asset URLs carry (`/assets/app.css?v=…`): a hash of
/// all the web files and the generated ones, so any change gives every URL a new name and
/// browsers may keep a versioned file forever. The second visit then costs only the page's
/// revalidation (304) and the websocket.
struct Assets {
    version: String,
    files: Vec<Asset>,
}

/// The files made at startup ([`generated`]): name, content type, bytes.
fn generated_files() -> Vec<(String, &'static str, Vec<u8>)> {
    let mut out = vec![(
        "limits.js".to_owned(),
        "text/javascript; charset=utf-8",
        generated::limits_js().into_bytes(),
    )];
    for lang in generated::LANGUAGES {
        let all = FILES
            .iter()
            .find(|(n, _, _)| *n == format!("i18n/{lang}.json"))
            .map_or(&b"{}"[..], |(_, _, bytes)| bytes);
        for (page, namespaces) in generated::PAGE_STRINGS {
            out.push((
                format!("i18n/{page}.{lang}.json"),
                "application/json",
                generated::page_strings(all, namespaces),
            ));
        }
    }
    out
}

fn assets() -> &'static Assets {
    static ASSETS: OnceLock<Assets> = OnceLock::new();
    ASSETS.get_or_init(|| {
        let made = generated_files();
        let mut all = Sha256::new();
        for (name, _, bytes) in FILES {
            all.update(name.as_bytes());
            all.update(bytes);
        }
        for (name, _, bytes) in &made {
            all.update(name.as_bytes());
            all.update(bytes);
        }
        let version = hex(&all.finalize()[..6]);
        let files = FILES
            .iter()
            .map(|&(name, content_type, bytes)| {
                Asset::new(name.to_owned(), content_type, bytes, &version)
            })
            .chain(made.into_iter().map(|(name, content_type, bytes)| {
                Asset::new(name, content_type, &bytes, &version)
            }))
            .collect();
        Assets { version, files }
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `bytes` without the comments that fill whole lines, for scripts and stylesheets: the web
/// client has no build step and its comments say why things are as they are, but a phone on a
/// seminar hall's Wi-Fi should not download them (they were a fifth of the phone's first load).
/// Only lines that start with `//`, and `/* … */` blocks that start a line, go; a comment after
/// code stays, so no string can be cut (the scripts hold no multi-line template literals).
fn without_comments(name: &str, bytes: &[u8]) -> Vec<u8> {
    let is_js = name.ends_with(".js");
    if !is_js && !name.ends_with(".css") {
        return bytes.to_vec();
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return bytes.to_vec();
    };
    let mut out = String::with_capacity(text.len());
    let mut in_block = false;
    for line in text.lines() {
        let mut rest = line.trim_start();
        if !in_block && rest.starts_with("/*") {
            in_block = true;
            rest = &rest[2..];
        }
        if in_block {
            match rest.find("*/") {
                Some(end) => {
                    in_block = false;
                    rest = rest[end + 2..].trim_start();
                    if rest.is_empty() {
                        continue;
                    }
                }
                None => continue,
            }
        } else if is_js && rest.starts_with("//") {
            continue;
        } else {
            rest = line;
        }
        out.push_str(rest);
        out.push('\n');
    }
    out.into_bytes()
}

/// Rewrites the references a page or module makes to other assets so they carry `version`:
/// `"/assets/x.css"` in pages, `'./x.js'` imports in modules (`'../x.js'` from a folder), and
/// the strings' fetch URL.
fn versioned(name: &str, bytes: &[u8], version: &str) -> Vec<u8> {
    let is_html = name.ends_with(".html");
    let is_js = name.ends_with(".js");
    if !is_html && !is_js {
        return bytes.to_vec();
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return bytes.to_vec();
    };
    let mut text = text.to_owned();
    let made = ["limits.js"];
    for other in FILES.iter().map(|(n, _, _)| *n).chain(made) {
        if is_html {
            text = text.replace(
                &format!("\"/assets/{other}\""),
                &format!("\"/assets/{other}?v={version}\""),
            );
        } else if other.ends_with(".js") {
            let spec = relative(name, other);
            text = text.replace(&format!("'{spec}'"), &format!("'{spec}?v={version}'"));
        }
    }
    if is_js {
        text = text.replace(
            "/assets/i18n/${page}.${l}.json`",
            &format!("/assets/i18n/${{page}}.${{l}}.json?v={version}`"),
        );
    }
    text.into_bytes()
}

/// How a module at `from` names the module at `to` in an import: `./x.js`, `./kind/x.js`,
/// `../x.js` (both are paths under `web/`).
fn relative(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from
        .rsplit_once('/')
        .map_or(Vec::new(), |(dir, _)| dir.split('/').collect());
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dirs
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to_parts.len() - 1);
    let up = from_dirs.len() - common;
    let rest = to_parts[common..].join("/");
    if up == 0 {
        format!("./{rest}")
    } else {
        format!("{}{rest}", "../".repeat(up))
    }
}

fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3),
        flate2::Compression::best(),
    );
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

fn brotli(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut out = Vec::with_capacity(bytes.len() / 3);
    {
        // Quality 11 (the best), a 4 MiB window: each file is compressed once per process.
        let mut encoder = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        encoder.write_all(bytes).ok()?;
        encoder.flush().ok()?;
    }
    Some(out)
}

/// Whether the request's `Accept-Encoding` names `coding` without refusing it (`;q=0`).
fn accepts(request: Option<&HeaderMap>, coding: &str) -> bool {
    request
        .and_then(|h| h.get(header::ACCEPT_ENCODING))
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|e| {
                let mut parts = e.split(';').map(str::trim);
                parts.next() == Some(coding)
                    && parts.all(|p| {
                        p.strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                            .is_none_or(|q| q > 0.0)
                    })
            })
        })
}

fn serve(name: &str, request: Option<&HeaderMap>, version: Option<&str>) -> Response {
    let all = assets();
    let Some(asset) = all.files.iter().find(|a| a.name == name) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let fresh = request
        .and_then(|h| h.get(header::IF_NONE_MATCH))
        .is_some_and(|v| v.as_bytes() == asset.etag.as_bytes());
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let (coding, body) = match asset.brotli().filter(|_| accepts(request, "br")) {
            Some(b) => (Some("br"), b),
            None => match asset.gzip.as_ref().filter(|_| accepts(request, "gzip")) {
                Some(z) => (Some("gzip"), z),
                None => (None, &asset.body),
            },
        };
        let mut response =
            ([(header::CONTENT_TYPE, asset.content_type)], body.clone()).into_response();
        if let Some(coding) = coding {
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        response
    };
    let headers = response.headers_mut();
    // A URL with the current version never changes; anything else is revalidated.
    let immutable = version == Some(all.version.as_str());
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if immutable {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Ok(value) = HeaderValue::from_str(&asset.etag) {
        headers.insert(header::ETAG, value);
    }
    response
}

/// An HTML page by file name.
pub(super) fn page(name: &str, request: &HeaderMap) -> Response {
    serve(name, Some(request), None)
}

/// `GET /assets/{*path}`.
pub(super) async fn asset(
    Path(path): Path<String>,
    Query(query): Query<AssetQuery>,
    headers: HeaderMap,
) -> Response {
    if path.ends_with(".html") {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    serve(&path, Some(&headers), query.v.as_deref())
}

/// The query of an asset URL.
#[derive(serde::Deserialize)]
pub(super) struct AssetQuery {
    v: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file in `web/` is embedded, and nothing embedded is missing from `web/`.
    #[test]
    fn whole_line_comments_are_not_served() {
        let js = "// The phone.\nimport { a } from './common.js';\n/**\n * Why.\n */\nconst u = `${p}//${h}`; // kept\n  // indented\nf('/* not a comment */');\n";
        assert_eq!(
            String::from_utf8(without_comments("participant.js", js.as_bytes())).unwrap(),
            "import { a } from './common.js';\nconst u = `${p}//${h}`; // kept\nf('/* not a comment */');\n"
        );
        let css = "/* Paja. */\n:root { --a: 1; }\n/* Two\n   lines. */ .b { c: d; }\n.url { background: url(//x); }\n";
        assert_eq!(
            String::from_utf8(without_comments("app.css", css.as_bytes())).unwrap(),
            ":root { --a: 1; }\n.b { c: d; }\n.url { background: url(//x); }\n"
        );
        // Pages and strings are served as they are.
        assert_eq!(without_comments("fi.json", b"// x\n"), b"// x\n");
        // Every script and stylesheet keeps its code: each non-comment line survives.
        for (name, _, bytes) in FILES {
            let served = String::from_utf8(without_comments(name, bytes)).unwrap();
            let code = std::str::from_utf8(bytes)
                .unwrap()
                .lines()
                .filter(|l| l.contains("function ") || l.contains('{'))
                .filter(|l| {
                    !l.trim_start().starts_with("//")
                        && !l.trim_start().starts_with('*')
                        && !l.trim_start().starts_with("/*")
                })
                .count();
            let kept = served
                .lines()
                .filter(|l| l.contains("function ") || l.contains('{'))
                .count();
            assert!(kept >= code, "{name}: {kept} of {code} code lines kept");
        }
    }

    #[test]
    fn imports_are_named_relative_to_the_importing_module() {
        assert_eq!(relative("control.js", "common.js"), "./common.js");
        assert_eq!(
            relative("control.js", "control/keys.js"),
            "./control/keys.js"
        );
        assert_eq!(relative("control/keys.js", "common.js"), "../common.js");
        assert_eq!(relative("control/keys.js", "control/api.js"), "./api.js");
        assert_eq!(
            relative("control/keys.js", "activities/poll.js"),
            "../activities/poll.js"
        );
    }

    #[test]
    fn brotli_is_offered_only_where_accepted_and_round_trips() {
        use std::io::Read;
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(v));
            h
        };
        assert!(accepts(Some(&with("gzip, deflate, br, zstd")), "br"));
        assert!(accepts(Some(&with("br;q=0.5, gzip")), "br"));
        assert!(!accepts(Some(&with("br;q=0, gzip")), "br"));
        assert!(!accepts(Some(&with("gzip")), "br"));
        assert!(!accepts(None, "gzip"));
        let js = assets()
            .files
            .iter()
            .find(|a| a.name == "participant.js")
            .unwrap();
        let mut back = Vec::new();
        brotli::Decompressor::new(&js.brotli().unwrap()[..], 4096)
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, js.body);
        let served = serve("participant.js", Some(&with("gzip, br")), None);
        assert_eq!(served.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(served.headers()[header::VARY], "Accept-Encoding");
        let served = serve("participant.js", Some(&with("gzip")), None);
        assert_eq!(served.headers()[header::CONTENT_ENCODING], "gzip");
        let served = serve("limits.js", None, None);
        assert!(served.headers().get(header::CONTENT_ENCODING).is_none());
    }

    #[test]
    fn the_embedded_list_matches_the_web_directory() {
        fn walk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, base, out);
                } else {
                    out.push(
                        path.strip_prefix(base)
                            .unwrap()
                            .to_string_lossy()
                            .replace('\\', "/"),
                    );
                }
            }
        }
        let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
        let mut on_disk = Vec::new();
        walk(&base, &base, &mut on_disk);
        on_disk.sort();
        on_disk.retain(|n| !n.ends_with(".d.ts") && !n.starts_with("tsconfig."));
        let mut embedded: Vec<String> = FILES.iter().map(|(n, _, _)| n.to_string()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk);
    }

    #[test]
    fn references_carry_the_version_and_gzip_round_trips() {
        use std::io::Read;
        let all = assets();
        let page = all
            .files
            .iter()
            .find(|a| a.name == "participant.html")
            .unwrap();
        let html = std::str::from_utf8(&page.body).unwrap();
        assert!(html.contains(&format!("/assets/participant.js?v={}", all.version)));
        assert!(html.contains(&format!("/assets/app.css?v={}", all.version)));
        let js = all
            .files
            .iter()
            .find(|a| a.name == "participant.js")
            .unwrap();
        let js_text = std::str::from_utf8(&js.body).unwrap();
        assert!(js_text.contains(&format!("'./common.js?v={}'", all.version)));
        assert!(!js_text.contains("'./common.js'"));
        let common = all.files.iter().find(|a| a.name == "common.js").unwrap();
        assert!(std::str::from_utf8(&common.body)
            .unwrap()
            .contains(&format!(".json?v={}`", all.version)));
        let zipped = js.gzip.as_ref().unwrap();
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&zipped[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, js.body);
    }
}
