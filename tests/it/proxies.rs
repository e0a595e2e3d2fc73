//! The shipped proxy configurations (`deploy/nginx/paja.conf`, `deploy/caddy/Caddyfile`) in
//! Debian's nginx and Caddy, in front of the real server, driven by Chromium through
//! `tests/browser/proxies.mjs` (issue 11 §2).
//!
//! Each proxy runs the shipped file with only these changes, each checked to apply (so a change
//! to the shipped file that the test would miss fails here instead):
//! - the listening ports: nginx's `listen 443`/`listen 80` (and `[::]:…`) become loopback
//!   addresses on free ports; Caddy's come from a global options block put before the file
//!   (`http_port`, `https_port`, `default_bind 127.0.0.1`, and `admin off`);
//! - the upstream `127.0.0.1:8080` becomes the test server's address;
//! - `/etc/ssl/paja/` becomes the temporary directory holding a self-signed certificate for
//!   paja.example.org, made with `openssl` for the test.
//!
//! nginx's main file is the test's own (the shipped file is a server block for Debian's), with
//! every path in the temporary directory and `worker_shutdown_timeout 1s`, so a reload's old
//! worker really closes its websockets. The server runs with `--trust-proxy` and a small
//! per-address connection limit. Nothing is skipped: without nginx, Caddy or openssl the test
//! fails with one line (`scripts/test` installs them).

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::FutureExt;

use crate::node::{run_node, skipped, ONE_BROWSER};
use crate::support::TestServer;

/// The public name in the shipped files.
const NAME: &str = "paja.example.org";
/// The server's connections per address: room for the console, the projector and the phone
/// (with a reconnect overlapping) from 127.0.0.1, and few enough to fill from 127.0.0.2.
const LIMIT: usize = 6;
/// The whole script: two browsers' worth of pages and a reload.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(300);
/// How long a proxy may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// nginx with `deploy/nginx/paja.conf`: a phone joins over https and is acked, the projector
/// says https://paja.example.org, the limits see each client's own address, and the phone
/// survives `nginx -s reload` (its websocket really closed) through the proxy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_nginx_a_phone_joins_over_https_and_survives_a_reload() {
    through(Kind::Nginx).await;
}

/// Caddy with `deploy/caddy/Caddyfile`: a phone joins over https and is acked, the projector
/// says https://paja.example.org, the limits see each client's own address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_caddy_a_phone_joins_over_https() {
    through(Kind::Caddy).await;
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Nginx,
    Caddy,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Nginx => "nginx",
            Kind::Caddy => "caddy",
        }
    }

    /// The program: `PAJA_NGINX` / `PAJA_CADDY`, or found on `PATH`, or where Debian puts it.
    fn program(self) -> PathBuf {
        match self {
            Kind::Nginx => program("PAJA_NGINX", "nginx", "/usr/sbin/nginx"),
            Kind::Caddy => program("PAJA_CADDY", "caddy", "/usr/bin/caddy"),
        }
    }
}

/// `var` when set, else the first `name` on `PATH`, else `fallback` (Debian's nginx is in
/// /usr/sbin, which a user's `PATH` may lack).
fn program(var: &str, name: &str, fallback: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(var) {
        return PathBuf::from(path);
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
        .unwrap_or_else(|| PathBuf::from(fallback))
}

fn openssl() -> PathBuf {
    program("PAJA_OPENSSL", "openssl", "/usr/bin/openssl")
}

async fn through(kind: Kind) {
    let script = "proxies.mjs";
    if skipped(script) {
        return;
    }
    require(&[kind.program(), openssl()]);
    let _turn = ONE_BROWSER.lock().await;
    let data = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start_with(paja::Config {
        data_dir: data.path().to_path_buf(),
        trust_proxy: true,
        max_connections_per_ip: LIMIT,
        // The proxies pass the browser's Host through: a public name is served only when the
        // server is told it is its own (DNS rebinding; tests/it/trust_http.rs).
        public_urls: vec![paja::http::PublicUrl::parse(&format!("https://{NAME}")).expect("URL")],
        ..paja::Config::default()
    })
    .await;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    // The workers of nginx started as root run as `nobody` and need to reach their temp dirs.
    set_mode(dir, 0o755);
    let tls = make_certificate(dir);

    let slug = format!("hyvinsivi-{}", kind.name());
    let qr = dir.join("expected-qr.svg");
    std::fs::write(&qr, expected_qr(&format!("https://{NAME}/{slug}"))).expect("write QR");

    let ports = Ports::free();
    let proxy = match kind {
        Kind::Nginx => Proxy::nginx(dir, &tls, server.addr, &ports),
        Kind::Caddy => Proxy::caddy(dir, &tls, server.addr, &ports),
    };
    let https = format!("127.0.0.1:{}", ports.https);
    let http = format!("127.0.0.1:{}", ports.http);
    let ca = tls.join("fullchain.pem");
    let limit = LIMIT.to_string();
    let mut env: Vec<(&str, &str)> = vec![
        ("PAJA_PROXY", kind.name()),
        ("PAJA_PROXY_HTTPS", &https),
        ("PAJA_PROXY_HTTP", &http),
        ("PAJA_PROXY_CA", ca.to_str().expect("utf-8 path")),
        ("PAJA_PROXY_SLUG", &slug),
        ("PAJA_PROXY_QR", qr.to_str().expect("utf-8 path")),
        ("PAJA_PROXY_LIMIT", &limit),
    ];
    let reload = proxy
        .reload
        .as_ref()
        .map(|argv| serde_json::to_string(argv).expect("reload command as JSON"));
    if let Some(reload) = &reload {
        env.push(("PAJA_PROXY_RELOAD", reload));
    }
    let base = format!("https://{NAME}");
    let outcome = AssertUnwindSafe(run_node(script, &base, &env, SCRIPT_TIMEOUT))
        .catch_unwind()
        .await;
    if let Err(panic) = outcome {
        // What the proxy said often explains a failure seen in the browser.
        eprintln!("--- {} log\n{}", kind.name(), proxy.log());
        drop(proxy);
        std::panic::resume_unwind(panic);
    }
}

/// Fails the test with one line when a program it needs is missing.
fn require(programs: &[PathBuf]) {
    let missing: Vec<String> = programs
        .iter()
        .filter(|p| !p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !missing.is_empty() {
        let line = format!(
            "proxy tests cannot run: {} missing; scripts/test installs nginx, caddy and openssl",
            missing.join(", ")
        );
        eprintln!("{line}");
        std::panic::resume_unwind(Box::new(line));
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// A self-signed certificate for paja.example.org: `<dir>/tls/fullchain.pem` and `privkey.pem`,
/// the names the shipped files use. Returns the directory.
fn make_certificate(dir: &Path) -> PathBuf {
    let tls = dir.join("tls");
    std::fs::create_dir(&tls).expect("mkdir tls");
    set_mode(&tls, 0o755);
    let output = Command::new(openssl())
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "2", "-subj"])
        .arg(format!("/CN={NAME}"))
        .arg("-addext")
        .arg(format!("subjectAltName=DNS:{NAME}"))
        .arg("-keyout")
        .arg(tls.join("privkey.pem"))
        .arg("-out")
        .arg(tls.join("fullchain.pem"))
        .stdin(Stdio::null())
        .output()
        .expect("run openssl");
    assert!(
        output.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    tls
}

/// The QR code Paja must serve for `url`, rendered as the server renders its own.
fn expected_qr(url: &str) -> String {
    let render = |url: &str| {
        qrcode::QrCode::new(url.as_bytes())
            .expect("QR code")
            .render::<qrcode::render::svg::Color<'_>>()
            .quiet_zone(true)
            .build()
    };
    let svg = render(url);
    // The comparison in the script can fail: the same address over http is another code.
    assert_ne!(svg, render(&url.replacen("https://", "http://", 1)));
    svg
}

/// Free loopback ports for the proxy's https and http; on both 127.0.0.1 and ::1 when this
/// machine has IPv6, as the shipped nginx file listens on both.
struct Ports {
    https: u16,
    http: u16,
    ipv6: bool,
}

impl Ports {
    fn free() -> Ports {
        let ipv6 = TcpListener::bind("[::1]:0").is_ok();
        let one = || {
            for _ in 0..50 {
                let v4 = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
                let port = v4.local_addr().expect("addr").port();
                if !ipv6 || TcpListener::bind(("::1", port)).is_ok() {
                    return port;
                }
            }
            panic!("no port free on both 127.0.0.1 and ::1");
        };
        let https = one();
        let mut http = one();
        while http == https {
            http = one();
        }
        Ports { https, http, ipv6 }
    }
}

/// The shipped file with each `(from, to)` replaced; each `from` must occur in it.
fn substitute(file: &str, shipped: &str, replacements: &[(&str, String)]) -> String {
    let mut text = shipped.to_owned();
    for (from, to) in replacements {
        assert!(
            text.contains(from),
            "{file} no longer has {from:?}: update tests/it/proxies.rs"
        );
        text = text.replace(from, to);
    }
    text
}

/// No directive (comments aside) still points at the production upstream or certificates.
fn assert_all_substituted(config: &str) {
    for line in config.lines() {
        let directive = line.split('#').next().unwrap_or_default();
        assert!(
            !directive.contains(":8080") && !directive.contains("/etc/ssl/"),
            "not substituted: {line}"
        );
    }
}

fn shipped(path: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A running proxy, stopped (SIGTERM, then SIGKILL) when dropped.
struct Proxy {
    child: Child,
    /// Where its output goes.
    logs: Vec<PathBuf>,
    /// The command that reloads its configuration, if the test does that.
    reload: Option<Vec<String>>,
}

impl Proxy {
    fn nginx(dir: &Path, tls: &Path, upstream: SocketAddr, ports: &Ports) -> Proxy {
        let (https, http) = (ports.https, ports.http);
        let v6 = |port: u16| {
            if ports.ipv6 {
                format!("listen [::1]:{port}")
            } else {
                // No IPv6 on this machine: a second IPv4 loopback address stands in.
                format!("listen 127.0.0.2:{port}")
            }
        };
        let server = substitute(
            "deploy/nginx/paja.conf",
            &shipped("deploy/nginx/paja.conf"),
            &[
                ("http://127.0.0.1:8080;", format!("http://{upstream};")),
                ("/etc/ssl/paja/", format!("{}/", tls.display())),
                ("listen 80;", format!("listen 127.0.0.1:{http};")),
                ("listen [::]:80;", format!("{};", v6(http))),
                ("listen 443 ssl", format!("listen 127.0.0.1:{https} ssl")),
                ("listen [::]:443 ssl", format!("{} ssl", v6(https))),
            ],
        );
        assert_all_substituted(&server);
        let prefix = dir.join("nginx");
        std::fs::create_dir(&prefix).expect("mkdir nginx");
        set_mode(&prefix, 0o755);
        std::fs::write(prefix.join("paja.conf"), server).expect("write paja.conf");
        let p = prefix.display();
        let main = format!(
            "# The test's main file: everything under {p}; old workers close their connections\n\
             # one second after a reload.\n\
             daemon off;\n\
             worker_processes 1;\n\
             pid {p}/nginx.pid;\n\
             error_log {p}/error.log notice;\n\
             worker_shutdown_timeout 1s;\n\
             events {{ worker_connections 512; }}\n\
             http {{\n\
             \x20   access_log {p}/access.log;\n\
             \x20   client_body_temp_path {p}/client_body;\n\
             \x20   proxy_temp_path {p}/proxy;\n\
             \x20   fastcgi_temp_path {p}/fastcgi;\n\
             \x20   uwsgi_temp_path {p}/uwsgi;\n\
             \x20   scgi_temp_path {p}/scgi;\n\
             \x20   include {p}/paja.conf;\n\
             }}\n"
        );
        let conf = prefix.join("nginx.conf");
        std::fs::write(&conf, main).expect("write nginx.conf");
        let nginx = Kind::Nginx.program();
        let mut args: Vec<String> = vec![
            "-p".into(),
            format!("{p}/"),
            "-c".into(),
            conf.display().to_string(),
            "-e".into(),
            format!("{p}/error.log"),
        ];
        let stderr = prefix.join("stderr.log");
        let child = Command::new(&nginx)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr).expect("stderr file"))
            .spawn()
            .expect("start nginx");
        let mut proxy = Proxy {
            child,
            logs: vec![stderr, prefix.join("error.log")],
            reload: None,
        };
        proxy.wait_listening(&[https, http]);
        args.insert(0, nginx.display().to_string());
        args.extend(["-s".into(), "reload".into()]);
        proxy.reload = Some(args);
        proxy
    }

    fn caddy(dir: &Path, tls: &Path, upstream: SocketAddr, ports: &Ports) -> Proxy {
        let site = substitute(
            "deploy/caddy/Caddyfile",
            &shipped("deploy/caddy/Caddyfile"),
            &[
                (
                    "reverse_proxy 127.0.0.1:8080",
                    format!("reverse_proxy {upstream}"),
                ),
                ("/etc/ssl/paja/", format!("{}/", tls.display())),
            ],
        );
        assert_all_substituted(&site);
        // Caddy 2.6 binds its automatic HTTP redirect to only the last of several
        // `default_bind` addresses, so IPv4 loopback alone.
        let config = format!(
            "{{\n\tadmin off\n\thttp_port {}\n\thttps_port {}\n\tdefault_bind 127.0.0.1\n}}\n\n{site}",
            ports.http, ports.https
        );
        let home = dir.join("caddy");
        std::fs::create_dir(&home).expect("mkdir caddy");
        let file = home.join("Caddyfile");
        std::fs::write(&file, config).expect("write Caddyfile");
        let log = home.join("caddy.log");
        let child = Command::new(Kind::Caddy.program())
            .args(["run", "--adapter", "caddyfile", "--config"])
            .arg(&file)
            // Its certificates' storage and autosaved configuration stay in the temp dir.
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("start caddy");
        let mut proxy = Proxy {
            child,
            logs: vec![log],
            reload: None,
        };
        proxy.wait_listening(&[ports.https, ports.http]);
        proxy
    }

    /// Waits until every port accepts connections; fails with the log if the proxy exits.
    fn wait_listening(&mut self, ports: &[u16]) {
        let start = Instant::now();
        for port in ports {
            while TcpStream::connect(("127.0.0.1", *port)).is_err() {
                if let Some(status) = self.child.try_wait().expect("try_wait") {
                    panic!(
                        "the proxy exited ({status}) before listening:\n{}",
                        self.log()
                    );
                }
                assert!(
                    start.elapsed() < START_TIMEOUT,
                    "the proxy is not listening on {port} after {START_TIMEOUT:?}:\n{}",
                    self.log()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    /// Everything it has logged.
    fn log(&self) -> String {
        self.logs
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // SIGTERM: nginx's master stops its workers too (a SIGKILL would leave them running).
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
