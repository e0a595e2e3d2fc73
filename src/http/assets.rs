//! The web client, embedded in the binary so one file serves everything.
//!
//! Pages are revalidated on every load (`no-cache` with an ETag, so an unchanged page costs a
//! 304); scripts, styles and strings are served the same way. Every file is listed in
//! [`FILES`]; a test checks the list matches `web/`.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Every embedded file: name under `web/`, content type, bytes.
pub(super) static FILES: &[(&str, &str, &[u8])] = &[
    (
        "index.html",
        "text/html; charset=utf-8",
        include_bytes!("../../web/index.html"),
    ),
    (
        "participant.html",
        "text/html; charset=utf-8",
        include_bytes!("../../web/participant.html"),
    ),
    (
        "control.html",
        "text/html; charset=utf-8",
        include_bytes!("../../web/control.html"),
    ),
    (
        "screen.html",
        "text/html; charset=utf-8",
        include_bytes!("../../web/screen.html"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../web/app.css"),
    ),
    (
        "common.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/common.js"),
    ),
    (
        "index.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/index.js"),
    ),
    (
        "participant.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/participant.js"),
    ),
    (
        "control.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/control.js"),
    ),
    (
        "screen.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/screen.js"),
    ),
    (
        "results.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/results.js"),
    ),
    (
        "i18n/fi.json",
        "application/json",
        include_bytes!("../../web/i18n/fi.json"),
    ),
    (
        "i18n/en.json",
        "application/json",
        include_bytes!("../../web/i18n/en.json"),
    ),
];

/// ETags, computed once per file on first use.
fn etags() -> &'static Vec<String> {
    static ETAGS: OnceLock<Vec<String>> = OnceLock::new();
    ETAGS.get_or_init(|| {
        FILES
            .iter()
            .map(|(_, _, bytes)| {
                let digest = Sha256::digest(bytes);
                let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
                format!("\"{hex}\"")
            })
            .collect()
    })
}

fn serve(name: &str, request_headers: Option<&HeaderMap>) -> Response {
    let Some(index) = FILES.iter().position(|(n, _, _)| *n == name) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let (_, content_type, bytes) = FILES[index];
    let etag = &etags()[index];
    let fresh = request_headers
        .and_then(|h| h.get(header::IF_NONE_MATCH))
        .is_some_and(|v| v.as_bytes() == etag.as_bytes());
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], bytes).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    response
}

/// An HTML page by file name.
pub(super) fn page(name: &str) -> Response {
    serve(name, None)
}

/// `GET /assets/{*path}`.
pub(super) async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    if path.ends_with(".html") {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    serve(&path, Some(&headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file in `web/` is embedded, and nothing embedded is missing from `web/`.
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
        let mut embedded: Vec<String> = FILES.iter().map(|(n, _, _)| n.to_string()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk);
    }
}
