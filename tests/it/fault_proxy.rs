//! A TCP proxy that injects the faults of a conference hall's network between the browsers and
//! the server: every connection reset at once, a blackhole that swallows every byte (the flows
//! it caught stay dead afterwards, as after a lost NAT mapping or a Wi-Fi that came back with a
//! new address), and a server that moved (restarted on another port). `tc netem` does not work
//! on these machines, so the harness does it in user space.
//!
//! Controlled over HTTP by the browser script (`tests/browser/faults.mjs`): see [`control`].

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the network does now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Weather {
    /// Bumped by every "reset all": connections older than the latest bump are reset.
    pub resets: u64,
    /// Swallowing: no byte passes, and flows caught meanwhile stay dead.
    pub blackhole: bool,
}

/// The proxy: where it listens, where it forwards, and the weather every relay watches.
#[derive(Clone)]
pub struct FaultProxy {
    /// The address browsers use.
    pub addr: SocketAddr,
    upstream: Arc<Mutex<SocketAddr>>,
    weather: Arc<watch::Sender<Weather>>,
}

impl FaultProxy {
    /// Listens on an ephemeral loopback port and forwards to `upstream`.
    pub async fn start(upstream: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let proxy = FaultProxy {
            addr: listener.local_addr().expect("proxy address"),
            upstream: Arc::new(Mutex::new(upstream)),
            weather: Arc::new(watch::channel(Weather::default()).0),
        };
        let accepting = proxy.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let _ = client.set_nodelay(true);
                let (upstream, weather) = (accepting.upstream(), accepting.weather.subscribe());
                tokio::spawn(relay(client, upstream, weather));
            }
        });
        proxy
    }

    fn upstream(&self) -> SocketAddr {
        *self.upstream.lock().expect("upstream lock")
    }

    /// Forwards new connections to `addr` from now on (the server restarted elsewhere).
    pub fn move_to(&self, addr: SocketAddr) {
        *self.upstream.lock().expect("upstream lock") = addr;
    }

    /// Resets every open connection (RST to both ends), as a Wi-Fi access point that rebooted.
    pub fn reset_all(&self) {
        self.weather.send_modify(|w| w.resets += 1);
    }

    /// Starts or stops swallowing every byte.
    pub fn blackhole(&self, on: bool) {
        self.weather.send_modify(|w| w.blackhole = on);
    }
}

/// Copies bytes both ways until either side ends or the weather kills the flow.
async fn relay(mut client: TcpStream, upstream: SocketAddr, mut weather: watch::Receiver<Weather>) {
    let born = *weather.borrow_and_update();
    if born.blackhole {
        // Accepted into the hole: nothing ever comes back.
        swallow(client).await;
        return;
    }
    let Ok(Ok(mut server)) =
        tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(upstream)).await
    else {
        // The server is down: the browser sees the connection fail at once, as with a refusal.
        return;
    };
    let _ = server.set_nodelay(true);
    let (mut from_client, mut from_server) = ([0u8; 16 * 1024], [0u8; 16 * 1024]);
    loop {
        tokio::select! {
            changed = weather.changed() => {
                let now = *weather.borrow_and_update();
                if changed.is_err() || now.resets > born.resets {
                    reset(client);
                    reset(server);
                    return;
                }
                if now.blackhole {
                    // A flow caught in the hole is dead for good: both ends wait in silence
                    // until they give up on it themselves (heartbeats, idle timeouts).
                    tokio::join!(swallow(client), swallow(server));
                    return;
                }
            }
            n = client.read(&mut from_client) => match n {
                Ok(n) if n > 0 => {
                    if server.write_all(&from_client[..n]).await.is_err() {
                        return;
                    }
                }
                _ => {
                    let _ = server.shutdown().await;
                    return;
                }
            },
            n = server.read(&mut from_server) => match n {
                Ok(n) if n > 0 => {
                    if client.write_all(&from_server[..n]).await.is_err() {
                        return;
                    }
                }
                _ => {
                    let _ = client.shutdown().await;
                    return;
                }
            },
        }
    }
}

/// Reads and drops everything until the peer gives up.
async fn swallow(mut stream: TcpStream) {
    let mut sink = [0u8; 4096];
    while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
}

/// Closes with RST instead of FIN (linger 0), so the peer sees "connection reset".
fn reset(stream: TcpStream) {
    #[allow(deprecated)] // set_linger: what we want here, blocking on close is no concern at 0
    let _ = stream.set_linger(Some(Duration::ZERO));
    drop(stream);
}
