//! Which hosts the server answers for and which pages may act on it: the guards against DNS
//! rebinding and cross-site requests.
//!
//! **Hosts.** A page on `evil.example` whose name is rebound to this server's address reaches
//! it with `Host: evil.example` (and a matching `Origin`), so comparing `Origin` with `Host`
//! proves nothing; the `Host` itself must be one we serve. The rule:
//!
//! - loopback (`localhost`, `127.0.0.0/8`, `[::1]`) and the bind address are always served, so
//!   an operator can `curl` the machine itself;
//! - with `--public-url`, otherwise only those URLs' host names;
//! - without it (a laptop on a LAN), any IP literal as well (phones type `192.168.1.20:8080`;
//!   with a `0.0.0.0` bind the machine's own interface addresses are IP literals), but no other
//!   DNS name: no one rebinds an IP literal.
//!
//! Anything else gets 421 Misdirected Request, pages, API and the websocket upgrade alike.
//! `/healthz`, `/readyz` and `/metrics` are exempt: they say only "ok", "ready" or counts
//! (never a session's name or content), and load balancers and scrapers use the instance's
//! address. A request with no `Host` at all (HTTP/1.0) is not a browser's and is served.
//!
//! **State-changing requests** (create, import, delete, the exports with the key) refuse
//! `Sec-Fetch-Site: cross-site` and `same-site` (a sibling subdomain is another site's code as
//! far as we know), an `Origin` that is not allowed, and, for the `POST`s, any body that is not
//! `application/json`: a cross-site HTML form can send `text/plain` without a preflight.

use std::net::IpAddr;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{ApiError, AppState, HttpSettings};

/// Longest host accepted, in bytes (a DNS name is at most 253, plus a port).
const HOST_MAX: usize = 260;

/// One address the server is published at (`--public-url https://paja.example.fi`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// `http` or `https`.
    scheme: String,
    /// The authority as given, lower case: `paja.example.fi` or `paja.example.fi:8443`.
    host: String,
    /// The host name alone, without port or brackets: what a `Host` header is matched on.
    name: String,
}

impl PublicUrl {
    /// Parses `https://name[:port][/]`; anything with a path, user or query is refused, as the
    /// server is served from the root.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim().to_ascii_lowercase();
        let (scheme, rest) = raw
            .split_once("://")
            .ok_or_else(|| format!("{raw:?}: give the scheme, e.g. https://paja.example.fi"))?;
        if scheme != "http" && scheme != "https" {
            return Err(format!("{raw:?}: the scheme must be http or https"));
        }
        let host = rest.strip_suffix('/').unwrap_or(rest);
        let name = host_name(host)
            .filter(|_| !host.contains('/'))
            .ok_or_else(|| format!("{raw:?}: not a host name (no path, user or query)"))?;
        Ok(Self {
            scheme: scheme.to_owned(),
            name: name.to_owned(),
            host: host.to_owned(),
        })
    }

    /// `https://paja.example.fi`: the origin its pages have.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme, self.host)
    }
}

/// The host name of an authority (`Host` header value) without port or IPv6 brackets, if it
/// is one: lower-case letters, digits, `.`, `-`, `:` (IPv6) only; one trailing dot dropped.
fn host_name(authority: &str) -> Option<&str> {
    if authority.is_empty() || authority.len() > HOST_MAX {
        return None;
    }
    let name = if let Some(rest) = authority.strip_prefix('[') {
        let (inner, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        inner
    } else {
        match authority.rsplit_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return None,
            None => authority,
        }
    };
    let name = name.strip_suffix('.').unwrap_or(name);
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b".-:".contains(&b));
    ok.then_some(name)
}

fn is_port(s: &str) -> bool {
    !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit())
}

impl HttpSettings {
    /// Whether requests naming `authority` (a `Host` value) are ours to serve (the rule in the
    /// module docs).
    pub fn host_allowed(&self, authority: &str) -> bool {
        let authority = authority.to_ascii_lowercase();
        let Some(name) = host_name(&authority) else {
            return false;
        };
        if name == "localhost" {
            return true;
        }
        if let Ok(ip) = name.parse::<IpAddr>() {
            if ip.is_loopback() || Some(ip) == self.bind || self.public_urls.is_empty() {
                return true;
            }
        }
        self.public_urls.iter().any(|p| p.name == name)
    }

    /// The host the browser used: with `--trust-proxy` the proxy's `X-Forwarded-Host` when it
    /// is itself allowed, otherwise `Host`.
    pub fn request_host<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        let forwarded = self
            .trust_proxy
            .then(|| last_value(headers, "x-forwarded-host"))
            .flatten()
            .filter(|h| self.host_allowed(h));
        forwarded.or_else(|| {
            headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .filter(|h| self.host_allowed(h))
        })
    }

    /// Where participants join: the public URL whose host the request named (else the first),
    /// or without `--public-url` the scheme and host the browser used. `None` when the request
    /// names no usable host.
    pub fn join_origin(&self, headers: &HeaderMap) -> Option<String> {
        let host = self.request_host(headers);
        if !self.public_urls.is_empty() {
            let name = host.map(str::to_ascii_lowercase);
            let name = name.as_deref().and_then(host_name);
            let chosen = self
                .public_urls
                .iter()
                .find(|p| Some(p.name.as_str()) == name)
                .or(self.public_urls.first());
            return chosen.map(PublicUrl::origin);
        }
        let scheme = super::public_scheme(self.trust_proxy, headers);
        host.map(|h| format!("{scheme}://{}", h.to_ascii_lowercase()))
    }

    /// Whether a browser page of `origin` may act on this server: one of the public URLs or
    /// `--allowed-origins`, or the same host as the request (`Host`, or an allowed forwarded
    /// host). `null` (sandboxed frames, `file:` pages) never is.
    pub fn origin_allowed(&self, origin: &str, headers: &HeaderMap) -> bool {
        let origin = origin.trim_end_matches('/');
        let listed = self
            .allowed_origins
            .iter()
            .map(|a| a.trim_end_matches('/').to_owned())
            .chain(self.public_urls.iter().map(PublicUrl::origin))
            .any(|a| a.eq_ignore_ascii_case(origin));
        if listed {
            return true;
        }
        let Some((_, origin_host)) = origin.split_once("://") else {
            return false;
        };
        let own = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .into_iter()
            .chain(self.request_host(headers));
        own.into_iter()
            .any(|h| h.eq_ignore_ascii_case(origin_host) && self.host_allowed(h))
    }
}

/// The last value of header `name`, trimmed, from the last comma (what the nearest proxy set).
fn last_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(name)
        .iter()
        .next_back()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Every route but `/healthz`, `/readyz` and `/metrics` (probed by address): a `Host` we do
/// not serve gets 421 (DNS rebinding).
pub(super) async fn host_guard(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(request.uri().path(), "/healthz" | "/readyz" | "/metrics") {
        return next.run(request).await;
    }
    let host = request
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or(""))
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    match host {
        Some(host) if !state.settings.host_allowed(host) => {
            ApiError::MisdirectedRequest.into_response()
        }
        _ => next.run(request).await,
    }
}

/// Every state-changing API request: no cross-site browser request, no foreign `Origin`, and
/// JSON bodies only.
pub(super) async fn api_guard(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match check_api_request(&state.settings, request.method(), request.headers()) {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

fn check_api_request(
    settings: &HttpSettings,
    method: &Method,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    let fetch_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase);
    if matches!(fetch_site.as_deref(), Some("cross-site" | "same-site")) {
        return Err(ApiError::CrossSite);
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("null");
        if !settings.origin_allowed(origin, headers) {
            return Err(ApiError::CrossSite);
        }
    }
    if method == Method::POST && !is_json(headers) {
        return Err(ApiError::UnsupportedMediaType);
    }
    Ok(())
}

/// Whether the body is declared `application/json` (parameters such as `charset` allowed).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn settings(public: &[&str]) -> HttpSettings {
        HttpSettings {
            public_urls: public
                .iter()
                .map(|u| PublicUrl::parse(u).unwrap())
                .collect(),
            bind: Some("10.1.2.3".parse().unwrap()),
            ..HttpSettings::default()
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn by_default_loopback_the_bind_address_and_ip_literals_are_served_but_no_dns_name() {
        let s = settings(&[]);
        for ok in [
            "localhost",
            "localhost:8080",
            "LOCALHOST:8080",
            "127.0.0.1:8080",
            "[::1]:8080",
            "[::1]",
            "10.1.2.3:8080",
            "192.168.1.20:8080",
            "[fe80::1]:80",
        ] {
            assert!(s.host_allowed(ok), "{ok}");
        }
        for refused in [
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "",
            "a b",
            "host:port",
            "[::1]x",
            "example.com/x",
        ] {
            assert!(!s.host_allowed(refused), "{refused}");
        }
    }

    #[test]
    fn with_a_public_url_only_its_host_loopback_and_the_bind_address_are_served() {
        let s = settings(&["https://paja.example.fi/", "http://Other.Example:8081"]);
        for ok in [
            "paja.example.fi",
            "PAJA.example.fi:443",
            "paja.example.fi.",
            "other.example:8081",
            "127.0.0.1:8080",
            "localhost",
            "10.1.2.3",
        ] {
            assert!(s.host_allowed(ok), "{ok}");
        }
        for refused in ["192.168.1.20:8080", "evil.example", "example.fi"] {
            assert!(!s.host_allowed(refused), "{refused}");
        }
    }

    #[test]
    fn public_urls_must_be_a_scheme_and_a_host() {
        assert_eq!(
            PublicUrl::parse("https://Paja.Example.fi/")
                .unwrap()
                .origin(),
            "https://paja.example.fi"
        );
        for bad in [
            "paja.example.fi",
            "ftp://paja.example.fi",
            "https://paja.example.fi/path",
            "https://user@paja.example.fi",
            "https://",
        ] {
            assert!(PublicUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_join_address_is_the_matching_public_url_else_the_first_else_the_host() {
        let s = settings(&["https://paja.example.fi", "https://paja.example.se"]);
        let via = |host| s.join_origin(&headers(&[("host", host)]));
        assert_eq!(via("paja.example.se").unwrap(), "https://paja.example.se");
        assert_eq!(via("127.0.0.1:8080").unwrap(), "https://paja.example.fi");
        let lan = settings(&[]);
        assert_eq!(
            lan.join_origin(&headers(&[("host", "192.168.1.20:8080")]))
                .unwrap(),
            "http://192.168.1.20:8080"
        );
        assert_eq!(lan.join_origin(&headers(&[("host", "evil.example")])), None);
    }

    #[test]
    fn a_forwarded_host_counts_only_behind_a_trusted_proxy_and_only_when_allowed() {
        let mut s = settings(&[]);
        let h = headers(&[
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-host", "192.168.1.20"),
        ]);
        assert_eq!(s.request_host(&h), Some("127.0.0.1:8080"));
        s.trust_proxy = true;
        assert_eq!(s.request_host(&h), Some("192.168.1.20"));
        let evil = headers(&[
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-host", "evil.example"),
        ]);
        assert_eq!(s.request_host(&evil), Some("127.0.0.1:8080"));
    }

    #[test]
    fn state_changing_requests_refuse_other_sites_and_non_json() {
        let s = settings(&["https://paja.example.fi"]);
        let post = Method::POST;
        let json = ("content-type", "application/json; charset=utf-8");
        let host = ("host", "paja.example.fi");
        let check = |pairs: &[(&'static str, &'static str)]| {
            check_api_request(&s, &post, &headers(pairs)).map_err(|e| e.code())
        };
        assert_eq!(check(&[host, json]), Ok(()));
        assert_eq!(
            check(&[host, json, ("origin", "https://paja.example.fi")]),
            Ok(())
        );
        assert_eq!(
            check(&[host, json, ("sec-fetch-site", "same-origin")]),
            Ok(())
        );
        assert_eq!(check(&[host, json, ("sec-fetch-site", "none")]), Ok(()));
        for site in ["cross-site", "same-site"] {
            assert_eq!(
                check(&[host, json, ("sec-fetch-site", site)]),
                Err("cross_site")
            );
        }
        for origin in [
            "https://evil.example",
            "null",
            "http://paja.example.fi.evil",
        ] {
            assert_eq!(check(&[host, json, ("origin", origin)]), Err("cross_site"));
        }
        assert_eq!(
            check(&[host, ("content-type", "text/plain")]),
            Err("unsupported_media_type")
        );
        assert_eq!(check(&[host]), Err("unsupported_media_type"));
        assert!(check_api_request(&s, &Method::DELETE, &headers(&[host])).is_ok());
    }
}
