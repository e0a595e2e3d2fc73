//! The layers around every route, through a real server: gzip of exports when the client
//! accepts it (the same bytes once decoded; never for xlsx), and a request timeout that cuts
//! neither a websocket nor a download read slowly past it.

use std::io::Read;
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

use crate::support::{command, open_prompt, Client, TestServer, WAIT};

/// The request timeout the server runs with here: short, so waiting past it is cheap.
const TIMEOUT: Duration = Duration::from_secs(1);
/// Items the session gets: enough for an export of a few hundred kilobytes.
const ITEMS: usize = 600;

/// A server with a one-second request timeout and room for a phone to send quickly.
async fn server() -> (TestServer, tempfile::TempDir) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start_with(paja::Config {
        data_dir: tmp.path().to_path_buf(),
        request_timeout: TIMEOUT,
        participant_rate: 100_000,
        participant_burst: 100_000,
        ..paja::Config::default()
    })
    .await;
    (server, tmp)
}

/// A session with [`ITEMS`] long items from one phone (sent without waiting, then acked);
/// returns its key and the facilitator, still connected.
async fn big_session(server: &TestServer, slug: &str) -> (String, Client) {
    let key = server.create_session(slug).await;
    let (mut facilitator, _) = server.facilitator(slug, &key).await;
    let prompt = open_prompt(&mut facilitator, "Isoja ajatuksia").await;
    let (mut phone, _) = server.participant(slug).await;
    let text = "Yhteistyö kuntien, järjestöjen ja seurakuntien välillä – ".repeat(4);
    let text: String = text.chars().take(250).collect();
    for n in 0..ITEMS {
        let frame = json!({"type":"submit","id":Uuid::new_v4(),"prompt_id":prompt,"text":format!("{n} {text}")});
        phone.send(frame).await;
    }
    let mut acks = 0;
    while acks < ITEMS {
        let reply = phone.next().await.expect("open");
        assert_ne!(reply["type"], "error", "{reply}");
        acks += usize::from(reply["type"] == "ack");
    }
    (key, facilitator)
}

/// GET `path` with the key, reading the head, then waiting `pause` before the body: the
/// status, the headers (lower-case names) and the body as sent (chunked decoding aside).
async fn slow_get(
    server: &TestServer,
    path: &str,
    key: &str,
    gzip: bool,
    pause: Duration,
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    // A small receive window, so a large body is still being sent during the pause.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let mut stream = socket.connect(server.addr).await.expect("connect");
    let accept = if gzip {
        "Accept-Encoding: gzip\r\n"
    } else {
        ""
    };
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {key}\r\n{accept}Connection: close\r\n\r\n",
        server.addr
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    let mut buf = [0u8; 1024];
    let split = loop {
        if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break split;
        }
        let n = tokio::time::timeout(WAIT, stream.read(&mut buf))
            .await
            .expect("head in time")
            .expect("read");
        assert!(n > 0, "closed before the head");
        raw.extend_from_slice(&buf[..n]);
    };
    tokio::time::sleep(pause).await;
    tokio::time::timeout(WAIT, stream.read_to_end(&mut raw))
        .await
        .expect("body in time")
        .expect("read body");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers: Vec<(String, String)> = head
        .split("\r\n")
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    (status, headers, body)
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&raw[..end]).trim(), 16)
            .expect("chunk size");
        if size == 0 {
            break;
        }
        out.extend_from_slice(&raw[end + 2..end + 2 + size]);
        raw = &raw[end + 2 + size + 2..];
    }
    out
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

#[tokio::test]
async fn exports_are_gzipped_when_accepted_and_decode_to_the_same_bytes() {
    let (server, _tmp) = server().await;
    let (key, _facilitator) = big_session(&server, "pakattu").await;
    for file in ["export.csv", "export.json", "export.md", "export.html"] {
        let path = format!("/api/sessions/pakattu/{file}");
        let (status, plain_headers, plain) =
            slow_get(&server, &path, &key, false, Duration::ZERO).await;
        assert_eq!(status, 200, "{file}");
        assert_eq!(header(&plain_headers, "content-encoding"), None, "{file}");
        let (status, headers, packed) = slow_get(&server, &path, &key, true, Duration::ZERO).await;
        assert_eq!(status, 200, "{file}");
        assert_eq!(header(&headers, "content-encoding"), Some("gzip"), "{file}");
        assert!(
            packed.len() * 3 < plain.len(),
            "{file}: {} → {}",
            plain.len(),
            packed.len()
        );
        println!("{file}: {} bytes, gzipped {}", plain.len(), packed.len());
        let unpacked = gunzip(&packed);
        // The reports and the JSON say when they were made (to the second or millisecond):
        // the CSV must be the same bytes, the others the same but for that time.
        if file.ends_with("csv") {
            assert!(unpacked == plain, "{file}: decoded bytes differ");
        } else {
            assert!(unpacked.len().abs_diff(plain.len()) < 64, "{file}");
        }
    }
    let path = "/api/sessions/pakattu/export.xlsx";
    let (status, headers, _) = slow_get(&server, path, &key, true, Duration::ZERO).await;
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "content-encoding"),
        None,
        "xlsx is a zip already"
    );
}

#[tokio::test]
async fn the_request_timeout_cuts_neither_a_websocket_nor_a_slow_download() {
    let (server, _tmp) = server().await;
    let (key, mut facilitator) = big_session(&server, "hidas").await;
    // A download read slowly, past the timeout: it arrives whole.
    let path = "/api/sessions/hidas/export.json";
    let (_, _, quick) = slow_get(&server, path, &key, false, Duration::ZERO).await;
    let (status, _, slow) = slow_get(&server, path, &key, false, TIMEOUT * 2).await;
    assert_eq!(status, 200);
    assert_eq!(slow.len(), quick.len());
    serde_json::from_slice::<serde_json::Value>(&slow).expect("the whole export");
    // The websocket opened before the waits above is still served.
    command(
        &mut facilitator,
        json!({"type":"add_group","name":"Myöhemmin"}),
    )
    .await;
}
