//! Where the load goes: a loopback address only, and the one HTTP call the run needs.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// How long the create-session call may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest HTTP answer read, in bytes (the create answer is a few hundred).
const HTTP_MAX_BYTES: u64 = 64 * 1024;

/// Parses `http://host:port[/…]` or `ws://host:port[/…]` and refuses every host that is not
/// this machine's loopback: a load generator must never be pointed at someone else's server.
pub fn loopback_addr(url: &str) -> Result<SocketAddr, String> {
    let rest = ["http://", "ws://"]
        .iter()
        .find_map(|scheme| url.strip_prefix(scheme))
        .ok_or_else(|| format!("{url}: only http:// or ws:// URLs on loopback are supported"))?;
    let authority = rest.split('/').next().unwrap_or_default();
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => v6
            .split_once("]:")
            .ok_or_else(|| format!("{url}: expected [::1]:PORT"))?,
        None => authority
            .rsplit_once(':')
            .ok_or_else(|| format!("{url}: the port is missing"))?,
    };
    let port: u16 = port
        .parse()
        .map_err(|_| format!("{url}: {port:?} is not a port"))?;
    let ip: IpAddr = match host {
        // Resolved here, not by the system, so it cannot be mapped anywhere else.
        "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
        other => other
            .parse()
            .map_err(|_| format!("{url}: the host must be 127.0.0.1, ::1 or localhost"))?,
    };
    if !ip.is_loopback() {
        return Err(format!(
            "{url}: refusing a non-loopback target; paja-load only loads this machine"
        ));
    }
    Ok(SocketAddr::new(ip, port))
}

/// Sessions created from one loopback source address: Paja lets one address create 10 at once
/// and then one a minute, so a run of many sessions spreads its creations over addresses.
const CREATES_PER_SOURCE: usize = 8;

/// The loopback address session `index` of the run `nonce` is created from (IPv4 targets):
/// 127.n.x.y with n from 2 to 201 picked by the nonce, so two generators running at once
/// (scripts/cluster-bench's `sessions`) almost never share one; the phones' 127.0.0.x never.
pub fn create_source(target: SocketAddr, index: usize, nonce: u64) -> Option<IpAddr> {
    match target.ip() {
        IpAddr::V4(ip) if ip.is_loopback() => {
            let k = index / CREATES_PER_SOURCE;
            let n = 2 + (nonce % 200) as u8;
            let (x, y) = ((k / 250) as u8, (k % 250 + 1) as u8);
            Some(IpAddr::V4(Ipv4Addr::new(127, n, x, y)))
        }
        _ => None,
    }
}

/// Creates a session with `POST /api/sessions` (from `source` when given) and returns its
/// facilitator key. A minimal HTTP/1.1 request (`Connection: close`), so the generator needs no
/// HTTP client crate.
pub async fn create_session(
    addr: SocketAddr,
    slug: &str,
    source: Option<IpAddr>,
) -> Result<String, String> {
    let body =
        serde_json::json!({"slug": slug, "title": "paja-load", "language": "en"}).to_string();
    let request = format!(
        "POST /api/sessions HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let (status, body) = exchange(addr, source, request, HTTP_MAX_BYTES, HTTP_TIMEOUT)
        .await
        .map_err(|e| format!("creating the session: {e}"))?;
    if status != "201" {
        return Err(format!(
            "creating the session: HTTP {status}: {}",
            String::from_utf8_lossy(&body).trim()
        ));
    }
    let json: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| format!("creating the session: {e}"))?;
    json["facilitator_key"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "creating the session: no facilitator_key in the answer".to_owned())
}

/// Largest export read for the loss check, bytes (200,000 items are about 100 MB).
const EXPORT_MAX_BYTES: u64 = 512 * 1024 * 1024;
/// How long fetching one export may take.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(120);

/// Fetches a session's JSON export (`GET /api/sessions/{slug}/export.json`, the key as Bearer).
pub async fn export_json(
    addr: SocketAddr,
    slug: &str,
    key: &str,
) -> Result<serde_json::Value, String> {
    let request = format!(
        "GET /api/sessions/{slug}/export.json HTTP/1.1\r\nHost: {addr}\r\n\
         Connection: close\r\nAuthorization: Bearer {key}\r\n\r\n"
    );
    let (status, body) = exchange(addr, None, request, EXPORT_MAX_BYTES, EXPORT_TIMEOUT).await?;
    if status != "200" {
        return Err(format!("export of {slug} from {addr}: HTTP {status}"));
    }
    serde_json::from_slice(&body).map_err(|e| format!("export of {slug}: {e}"))
}

/// One request on a fresh connection (from `source` when given): the status code and the body
/// (de-chunked).
async fn exchange(
    addr: SocketAddr,
    source: Option<IpAddr>,
    request: String,
    limit: u64,
    wait: Duration,
) -> Result<(String, Vec<u8>), String> {
    let exchange = async {
        let mut stream = match source {
            Some(source) => {
                let socket = TcpSocket::new_v4()?;
                socket.bind(SocketAddr::new(source, 0))?;
                socket.connect(addr).await?
            }
            None => TcpStream::connect(addr).await?,
        };
        stream.write_all(request.as_bytes()).await?;
        let mut raw = Vec::new();
        stream.take(limit).read_to_end(&mut raw).await?;
        Ok::<_, std::io::Error>(raw)
    };
    let raw = tokio::time::timeout(wait, exchange)
        .await
        .map_err(|_| "timed out".to_owned())?
        .map_err(|e| e.to_string())?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no HTTP answer")?;
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status = head.split(' ').nth(1).unwrap_or_default().to_owned();
    let body = &raw[split + 4..];
    let body = if head.contains("transfer-encoding: chunked") {
        dechunk(body)?
    } else {
        body.to_vec()
    };
    Ok((status, body))
}

/// The body of a `Transfer-Encoding: chunked` answer.
fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("a chunk without its size line")?;
        let size = std::str::from_utf8(&body[..line])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next()?.trim(), 16).ok())
            .ok_or("a chunk size that is not hex")?;
        body = &body[line + 2..];
        if size == 0 {
            return Ok(out);
        }
        let chunk = body.get(..size).ok_or("a chunk cut short")?;
        out.extend_from_slice(chunk);
        body = body.get(size + 2..).unwrap_or_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_targets_are_accepted() {
        for ok in [
            "http://127.0.0.1:8080",
            "ws://127.0.0.1:8080/ws/x",
            "http://localhost:1",
            "http://[::1]:8080/",
            "http://127.0.0.2:80",
        ] {
            assert!(loopback_addr(ok).is_ok(), "{ok}");
        }
        for refused in [
            "http://10.0.0.1:8080",
            "http://192.168.1.2:80",
            "http://example.com:80",
            "http://0.0.0.0:8080",
            "https://127.0.0.1:443",
            "http://127.0.0.1",
            "http://[2001:db8::1]:80",
        ] {
            assert!(loopback_addr(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn chunked_bodies_are_joined() {
        let body = b"4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n";
        assert_eq!(dechunk(body).unwrap(), b"{\"a\":1}");
        assert!(dechunk(b"zz\r\n").is_err());
    }
}
