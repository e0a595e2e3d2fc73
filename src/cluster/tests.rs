//! The owner's primitives against a real `nats-server` (JetStream on, a temp dir, an ephemeral
//! port): leases, fencing of a deposed owner, a lost PubAck, takeover replay, and purging
//! erased words. A missing `nats-server` fails these tests (it never skips them).

use std::process::{Child, Command as Process, Stdio};
use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use super::journal::{ClusterJournal, JournalError};
use super::lease::{ClaimError, Lease};
use super::{replay, snapshot, Cluster, ClusterConfig};
use crate::metrics::Metrics;
use crate::session::testkit::{self, TestSession};
use crate::session::{Activity, Command, Session, SessionName};
use crate::store;

/// A nats-server with JetStream, killed on drop.
pub(crate) struct Nats {
    child: Child,
    /// `nats://127.0.0.1:<port>`.
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `nats-server` binary: `PAJA_NATS_SERVER`, else the CI venv's.
fn server_binary() -> String {
    std::env::var("PAJA_NATS_SERVER").unwrap_or_else(|_| "/opt/natsvenv/bin/nats-server".into())
}

/// Starts one server and waits until it takes connections.
pub(crate) async fn nats() -> Nats {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let child = Process::new(server_binary())
        .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("nats-server ({}) must be installed: {e}", server_binary()));
    let url = format!("nats://127.0.0.1:{port}");
    wait_for_port(port).await;
    Nats {
        child,
        url,
        _dir: dir,
    }
}

/// Waits (up to 5 s) until a server takes connections on `port`.
async fn wait_for_port(port: u16) {
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Three servers routed into one JetStream cluster (R3 streams and buckets).
pub(crate) async fn nats_cluster() -> Vec<Nats> {
    let ports: Vec<(u16, u16)> = (0..3).map(|_| (free_port(), free_port())).collect();
    let routes: Vec<String> = ports
        .iter()
        .map(|(_, c)| format!("nats://127.0.0.1:{c}"))
        .collect();
    let mut servers = Vec::new();
    for (n, (port, cluster)) in ports.iter().enumerate() {
        let dir = tempfile::tempdir().expect("temp dir");
        let child = Process::new(server_binary())
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string()])
            .args(["--server_name", &format!("n{n}"), "--cluster_name", "paja"])
            .args(["--cluster", &format!("nats://127.0.0.1:{cluster}")])
            .args(["--routes", &routes.join(",")])
            .arg("-sd")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("nats-server ({}) must be installed: {e}", server_binary()));
        let url = format!("nats://127.0.0.1:{port}");
        servers.push(Nats {
            child,
            url,
            _dir: dir,
        });
    }
    servers
}

/// A node of an R3 cluster, connected to every server; waits for JetStream to be ready.
pub(crate) async fn node_r3(servers: &[Nats], id: &str, lease: Duration) -> Arc<Cluster> {
    let config = ClusterConfig {
        urls: servers.iter().map(|s| s.url.clone()).collect(),
        node_id: id.into(),
        replicas: 3,
        lease,
        security: Default::default(),
    };
    let mut last = String::new();
    for _ in 0..60 {
        match Cluster::connect(config.clone(), Arc::new(Metrics::new())).await {
            Ok(cluster) => return cluster,
            Err(error) => last = error.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("the R3 cluster did not come up: {last}");
}

/// A node of a one-server cluster.
pub(crate) async fn node(nats: &Nats, id: &str, lease: Duration) -> Arc<Cluster> {
    let config = ClusterConfig {
        urls: vec![nats.url.clone()],
        node_id: id.into(),
        replicas: 1,
        lease,
        security: Default::default(),
    };
    Cluster::connect(config, Arc::new(Metrics::new()))
        .await
        .expect("cluster")
}

fn slug(name: &str) -> SessionName {
    SessionName::parse(name).expect("slug")
}

/// A session named `name` with an open brainstorm prompt.
fn brainstorm(name: &str) -> (TestSession, crate::session::PromptId) {
    let mut kit = TestSession::new();
    kit.session.meta.slug = slug(name);
    let prompt = kit.add_open(Activity::Brainstorm(Default::default()));
    (kit, prompt)
}

/// Applies `command` to `kit` and returns its journal line, as the task writes it.
fn line(kit: &mut TestSession, command: Command) -> (u64, Vec<u8>) {
    kit.apply(command.clone());
    let mut out = Vec::new();
    store::encode_record(&mut out, kit.session.seq(), kit.now, &command.normalized());
    (kit.session.seq(), out)
}

fn submit(kit: &mut TestSession, prompt: &crate::session::PromptId, text: &str) -> Command {
    let _ = kit;
    Command::Submit {
        participant: testkit::pid(),
        item_id: testkit::iid(),
        prompt_id: prompt.clone(),
        text: text.into(),
        column: None,
        name: None,
    }
}

#[tokio::test]
async fn a_second_claimant_is_refused_a_stale_renewal_too_and_the_lease_expires() {
    let server = nats().await;
    let a = node(&server, "a", Duration::from_secs(10)).await;
    let b = node(&server, "b", Duration::from_secs(10)).await;
    let name = slug("lease-one");
    let lease = Lease::claim(&a, &name).await.expect("a claims");
    assert!(lease.valid());
    match Lease::claim(&b, &name).await {
        Err(ClaimError::Held(Some(node))) => assert_eq!(node, "a"),
        other => panic!("b must be refused, got {:?}", other.map(|l| l.epoch())),
    }
    let renewed = a
        .owners
        .update(name.as_str(), "x".into(), lease.epoch())
        .await
        .expect("a renews");
    let stale = a
        .owners
        .update(name.as_str(), "y".into(), lease.epoch())
        .await;
    assert!(stale.is_err(), "a renewal with a stale revision is refused");
    assert!(renewed > lease.epoch());

    // A key nobody renews is gone after the lease: a crashed owner's session is claimable.
    let short = node(&server, "c", Duration::from_secs(1)).await;
    let other = slug("lease-two");
    short
        .owners
        .create(other.as_str(), "c".into())
        .await
        .expect("c claims");
    assert!(Lease::claim(&b, &other).await.is_err());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let later = Lease::claim(&b, &other).await.expect("free after expiry");
    later.release().await;
}

#[tokio::test]
async fn a_deposed_owner_is_fenced_and_a_lost_ack_is_recognised() {
    let server = nats().await;
    let a = node(&server, "a", Duration::from_secs(10)).await;
    let b = node(&server, "b", Duration::from_secs(10)).await;
    let (mut kit, prompt) = brainstorm("fence");
    let name = kit.session.meta.slug.clone();
    let lease_a = Lease::claim(&a, &name).await.expect("a claims");
    let mut journal_a = ClusterJournal::open(&a, &name, lease_a.epoch(), 0, String::new())
        .await
        .expect("journal");
    journal_a.claim(&lease_a).await.expect("marker");
    let command = submit(&mut kit, &prompt, "eka");
    let (seq, body) = line(&mut kit, command);
    journal_a
        .append(seq, seq, body.clone(), &[], &lease_a)
        .await
        .expect("a appends");
    let (tail, prev) = (journal_a.tail, journal_a.prev.clone());

    // The PubAck was lost: the same batch again (same msg id) is known to have landed.
    journal_a.tail = tail - 1;
    journal_a.prev = String::new();
    journal_a
        .append(seq, seq, body, &[], &lease_a)
        .await
        .expect("landed");
    assert_eq!((journal_a.tail, journal_a.prev.clone()), (tail, prev));
    let stream =
        a.js.get_stream(super::JOURNAL_STREAM)
            .await
            .expect("stream");
    let last = super::journal::read_last(&stream, &journal_a.subject)
        .await
        .expect("read");
    assert_eq!(last.map(|l| l.sequence), Some(tail), "stored once");

    // a stalls; its lease is taken over (expiry, here a purge) and b claims the log.
    b.owners.purge(name.as_str()).await.expect("purge");
    let lease_b = Lease::claim(&b, &name).await.expect("b claims");
    let mut journal_b = ClusterJournal::open(&b, &name, lease_b.epoch(), 0, String::new())
        .await
        .expect("journal");
    journal_b.claim(&lease_b).await.expect("b's marker");
    assert!(lease_a.valid(), "a has not noticed yet");
    let command = submit(&mut kit, &prompt, "toka");
    let (seq, body) = line(&mut kit, command);
    let refused = journal_a.append(seq, seq, body, &[], &lease_a).await;
    assert!(matches!(refused, Err(JournalError::Fenced)), "{refused:?}");
}

/// Writes `kit`'s session as the cluster's snapshot (as creation does).
async fn create(cluster: &Arc<Cluster>, session: &Session) {
    snapshot::put(cluster, session, 0, "", 0, session.seq())
        .await
        .expect("snapshot");
}

#[tokio::test]
async fn takeover_replays_every_batch_rebuilds_the_ring_and_the_rids() {
    let server = nats().await;
    let a = node(&server, "a", Duration::from_secs(10)).await;
    let b = node(&server, "b", Duration::from_secs(10)).await;
    let (mut kit, prompt) = brainstorm("takeover");
    let name = kit.session.meta.slug.clone();
    create(&a, &kit.session).await;
    let lease_a = Lease::claim(&a, &name).await.expect("a claims");
    let mut loaded = replay::load(&a, &name, &lease_a, kit.now)
        .await
        .expect("a loads");
    let rid = Uuid::new_v4();
    for n in 0..5 {
        let mut body = Vec::new();
        let first = kit.session.seq() + 1;
        for m in 0..3 {
            let command = submit(&mut kit, &prompt, &format!("idea {n}.{m}"));
            body.extend(line(&mut kit, command).1);
        }
        let last = kit.session.seq();
        loaded
            .journal
            .append(first, last, body, &[(last, rid)], &lease_a)
            .await
            .expect("append");
    }
    // a crashes (no release); b takes over once the lease is free.
    b.owners.purge(name.as_str()).await.expect("expire");
    let lease_b = Lease::claim(&b, &name).await.expect("b claims");
    let taken = replay::load(&b, &name, &lease_b, kit.now)
        .await
        .expect("b loads");
    assert_eq!(taken.session.seq(), kit.session.seq());
    assert_eq!(taken.batches, 5);
    let items = |s: &Session| s.items().len();
    assert_eq!(items(&taken.session), 15);
    assert_eq!(
        taken.ring.back().and_then(|f| f.seq),
        Some(kit.session.seq())
    );
    assert_eq!(taken.rids.get(&rid), Some(&kit.session.seq()));
    assert_eq!(taken.journal.prev, loaded.journal.prev, "the chain goes on");

    // a, deposed, can no longer extend the log.
    let command = submit(&mut kit, &prompt, "late");
    let (seq, body) = line(&mut kit, command);
    let refused = loaded.journal.append(seq, seq, body, &[], &lease_a).await;
    assert!(matches!(refused, Err(JournalError::Fenced)));
}

#[tokio::test]
async fn erased_words_leave_the_stream_after_the_scrub_snapshot() {
    let server = nats().await;
    let a = node(&server, "a", Duration::from_secs(10)).await;
    let (mut kit, prompt) = brainstorm("erase");
    let name = kit.session.meta.slug.clone();
    create(&a, &kit.session).await;
    let lease = Lease::claim(&a, &name).await.expect("claim");
    let mut loaded = replay::load(&a, &name, &lease, kit.now)
        .await
        .expect("load");
    let canary = "kanarialintu-salaisuus";
    let command = submit(&mut kit, &prompt, canary);
    let Command::Submit { item_id, .. } = &command else {
        unreachable!()
    };
    let item_id = *item_id;
    let (seq, body) = line(&mut kit, command);
    loaded
        .journal
        .append(seq, seq, body, &[], &lease)
        .await
        .expect("append");
    let (seq, body) = line(&mut kit, Command::EraseItem { item_id });
    loaded
        .journal
        .append(seq, seq, body, &[], &lease)
        .await
        .expect("erase");
    let covered = loaded.journal.tail;
    snapshot::put(
        &a,
        &kit.session,
        covered,
        &loaded.journal.prev,
        lease.epoch(),
        kit.session.seq(),
    )
    .await
    .expect("snapshot");
    loaded.journal.purge_through(&lease).await.expect("purge");

    let stream =
        a.js.get_stream(super::JOURNAL_STREAM)
            .await
            .expect("stream");
    let mut found = 0;
    for sequence in 1..=loaded.journal.tail {
        if let Ok(message) = stream.get_raw_message(sequence).await {
            found += 1;
            let text = String::from_utf8_lossy(&message.payload);
            assert!(
                !text.contains(canary),
                "erased words in stream seq {sequence}"
            );
        }
    }
    assert!(found > 0);
    // The session still loads after the purge, and appends still fence.
    a.owners.purge(name.as_str()).await.expect("expire");
    let again = Lease::claim(&a, &name).await.expect("claim again");
    let reloaded = replay::load(&a, &name, &again, kit.now)
        .await
        .expect("reload");
    assert_eq!(reloaded.session.seq(), kit.session.seq());
}

#[tokio::test]
async fn a_batch_over_the_message_limit_is_split_and_replays_whole() {
    let server = nats().await;
    let a = node(&server, "a", Duration::from_secs(10)).await;
    let (mut kit, prompt) = brainstorm("iso-era");
    let name = kit.session.meta.slug.clone();
    create(&a, &kit.session).await;
    let lease = Lease::claim(&a, &name).await.expect("claim");
    let mut loaded = replay::load(&a, &name, &lease, kit.now)
        .await
        .expect("load");
    let before = loaded.journal.tail;
    let (first, mut body) = (kit.session.seq() + 1, Vec::new());
    let long = "sana ".repeat(50);
    while body.len() <= 2 * super::journal::MAX_MESSAGE {
        let command = submit(&mut kit, &prompt, &long);
        body.extend(line(&mut kit, command).1);
    }
    let count = kit.session.items().len();
    let last = kit.session.seq();
    loaded
        .journal
        .append(first, last, body, &[], &lease)
        .await
        .expect("append");
    assert!(
        loaded.journal.tail >= before + 3,
        "split into at least three messages"
    );

    a.owners.purge(name.as_str()).await.expect("expire");
    let again = Lease::claim(&a, &name).await.expect("claim again");
    let reloaded = replay::load(&a, &name, &again, kit.now)
        .await
        .expect("reload");
    assert_eq!(reloaded.session.seq(), last);
    assert_eq!(reloaded.session.items().len(), count);
}

#[tokio::test]
async fn an_owner_cut_off_from_nats_fences_itself() {
    let mut server = nats().await;
    let a = node(&server, "a", Duration::from_secs(2)).await;
    let (mut kit, prompt) = brainstorm("cut-off");
    let name = kit.session.meta.slug.clone();
    create(&a, &kit.session).await;
    let lease = Lease::claim(&a, &name).await.expect("claim");
    let mut loaded = replay::load(&a, &name, &lease, kit.now)
        .await
        .expect("load");
    let _ = server.child.kill();
    let _ = server.child.wait();
    // No renewal can succeed now: the lease turns invalid on this node's own clock.
    while lease.valid() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let command = submit(&mut kit, &prompt, "ei kuittausta");
    let (seq, body) = line(&mut kit, command);
    let refused = loaded.journal.append(seq, seq, body, &[], &lease).await;
    assert!(matches!(refused, Err(JournalError::Fenced)), "{refused:?}");
    assert!(a.metrics.cluster.renewal_failures.get() > 0);
}

#[tokio::test]
async fn on_three_servers_a_takeover_replays_and_the_deposed_owner_is_fenced() {
    let servers = nats_cluster().await;
    let a = node_r3(&servers, "a", Duration::from_secs(10)).await;
    let b = node_r3(&servers, "b", Duration::from_secs(10)).await;
    let (mut kit, prompt) = brainstorm("kolme");
    let name = kit.session.meta.slug.clone();
    create(&a, &kit.session).await;
    let lease_a = Lease::claim(&a, &name).await.expect("a claims");
    let mut on_a = replay::load(&a, &name, &lease_a, kit.now)
        .await
        .expect("a loads");
    for n in 0..20 {
        let command = submit(&mut kit, &prompt, &format!("idea {n}"));
        let (seq, body) = line(&mut kit, command);
        on_a.journal
            .append(seq, seq, body, &[], &lease_a)
            .await
            .expect("append");
    }
    b.owners.purge(name.as_str()).await.expect("expire");
    let lease_b = Lease::claim(&b, &name).await.expect("b claims");
    let on_b = replay::load(&b, &name, &lease_b, kit.now)
        .await
        .expect("b loads");
    assert_eq!(on_b.session.seq(), kit.session.seq());
    assert_eq!(on_b.session.items().len(), 20);
    let command = submit(&mut kit, &prompt, "late");
    let (seq, body) = line(&mut kit, command);
    let refused = on_a.journal.append(seq, seq, body, &[], &lease_a).await;
    assert!(matches!(refused, Err(JournalError::Fenced)), "{refused:?}");
}

/// A figure, not a check (`cargo test --lib -- --ignored replay_time --nocapture`): how long a
/// takeover takes to replay 20,000 records in 200 batches on one server.
#[tokio::test]
#[ignore]
async fn replay_time_of_twenty_thousand_records() {
    let server = nats().await;
    let a = node(&server, "a", Duration::from_secs(10)).await;
    let (mut kit, prompt) = brainstorm("mittaus");
    let name = kit.session.meta.slug.clone();
    create(&a, &kit.session).await;
    let lease = Lease::claim(&a, &name).await.expect("claim");
    let mut loaded = replay::load(&a, &name, &lease, kit.now)
        .await
        .expect("load");
    for _ in 0..200 {
        let (first, mut body) = (kit.session.seq() + 1, Vec::new());
        for n in 0..100 {
            let command = submit(&mut kit, &prompt, &format!("idea {n}"));
            body.extend(line(&mut kit, command).1);
        }
        let last = kit.session.seq();
        loaded
            .journal
            .append(first, last, body, &[], &lease)
            .await
            .expect("append");
    }
    a.owners.purge(name.as_str()).await.expect("expire");
    let again = Lease::claim(&a, &name).await.expect("claim");
    let started = std::time::Instant::now();
    let taken = replay::load(&a, &name, &again, kit.now)
        .await
        .expect("reload");
    let elapsed = started.elapsed();
    assert_eq!(taken.session.items().len(), 20_000);
    println!("replayed 20,000 records in 200 batches: {elapsed:?}");
}

#[tokio::test]
async fn a_broken_chain_is_refused_not_served() {
    let server = nats().await;
    let a = node(&server, "a", Duration::from_secs(10)).await;
    let (mut kit, prompt) = brainstorm("ketju");
    let name = kit.session.meta.slug.clone();
    create(&a, &kit.session).await;
    let lease = Lease::claim(&a, &name).await.expect("claim");
    let mut loaded = replay::load(&a, &name, &lease, kit.now)
        .await
        .expect("load");
    let command = submit(&mut kit, &prompt, "yksi");
    let (seq, body) = line(&mut kit, command);
    loaded
        .journal
        .append(seq, seq, body.clone(), &[], &lease)
        .await
        .expect("append");
    // The same batch again under another id (a duplicate a diverged replica would show).
    let mut headers = async_nats::HeaderMap::new();
    headers.insert(super::wire::header::SEQ, format!("{seq}-{seq}").as_str());
    headers.insert(super::wire::header::PREV, "");
    let subject = super::subject::journal(&name);
    a.js.publish_with_headers(subject, headers, body.into())
        .await
        .expect("publish")
        .await
        .expect("ack");
    a.owners.purge(name.as_str()).await.expect("expire");
    let again = Lease::claim(&a, &name).await.expect("claim again");
    let refused = replay::load(&a, &name, &again, kit.now).await;
    assert!(
        matches!(refused, Err(replay::ReplayError::Broken { .. })),
        "{:?}",
        refused.err()
    );
}

/// Runs `openssl` in `dir`.
fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = Process::new(std::env::var("PAJA_OPENSSL").unwrap_or_else(|_| "openssl".into()))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("openssl must be installed (scripts/test installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A nats-server that requires TLS (a certificate from a CA made here) and a user and
/// password; returns it and the CA's path.
async fn secure_nats() -> (Nats, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509", "-days", "2", "-subj", "/CN=paja-test-ca"];
    ca.extend(ec);
    ca.extend(["-addext", "basicConstraints=critical,CA:TRUE"]);
    ca.extend(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    ca.extend(["-keyout", "ca-key.pem", "-out", "ca.pem"]);
    openssl(d, &ca);
    let mut csr = vec!["req", "-subj", "/CN=127.0.0.1"];
    csr.extend(ec);
    csr.extend(["-keyout", "server-key.pem", "-out", "server.csr"]);
    openssl(d, &csr);
    std::fs::write(
        d.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext");
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca-key.pem",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
            "-out",
            "server.pem",
        ],
    );
    let port = free_port();
    let config = format!(
        "listen: \"127.0.0.1:{port}\"\n\
         jetstream {{ store_dir: \"{store}\" }}\n\
         tls {{ cert_file: \"{cert}\", key_file: \"{key}\", timeout: 2 }}\n\
         authorization {{ user: paja, password: \"kaksi-sanaa\" }}\n",
        store = d.join("js").display(),
        cert = d.join("server.pem").display(),
        key = d.join("server-key.pem").display(),
    );
    std::fs::write(d.join("nats.conf"), config).expect("conf");
    let child = Process::new(server_binary())
        .arg("-c")
        .arg(d.join("nats.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("nats-server ({}) must be installed: {e}", server_binary()));
    wait_for_port(port).await;
    let ca = d.join("ca.pem");
    let nats = Nats {
        child,
        url: format!("nats://127.0.0.1:{port}"),
        _dir: dir,
    };
    (nats, ca)
}

/// `--nats-user`, `--nats-password-file` and `--nats-ca` against a real server that requires
/// TLS and a login: the right ones join (and JetStream works over TLS); a wrong password or
/// none is refused at once with the reason, not after the 30 s of provisioning retries.
#[tokio::test]
async fn a_node_joins_nats_over_tls_with_a_password_and_is_refused_without() {
    let (server, ca) = secure_nats().await;
    let config = |password: &str, ca: Option<std::path::PathBuf>| ClusterConfig {
        urls: vec![server.url.clone()],
        node_id: "turvallinen".into(),
        replicas: 1,
        lease: Duration::from_secs(2),
        security: super::NatsSecurity {
            user: Some("paja".into()),
            password: Some(password.into()),
            ca,
            client: None,
        },
    };
    let joined = Cluster::connect(
        config("kaksi-sanaa", Some(ca.clone())),
        Arc::new(Metrics::new()),
    )
    .await
    .expect("the right password and CA join");
    let lease = Lease::claim(&joined, &slug("salattu"))
        .await
        .expect("JetStream works over TLS");
    assert!(lease.valid());
    drop(joined);

    let started = std::time::Instant::now();
    let wrong = Cluster::connect(config("väärä", Some(ca.clone())), Arc::new(Metrics::new())).await;
    let error = wrong
        .err()
        .expect("a wrong password is refused")
        .to_string();
    assert!(error.contains("authorization"), "{error}");
    let no_login = ClusterConfig {
        security: super::NatsSecurity {
            ca: Some(ca.clone()),
            ..Default::default()
        },
        ..config("", None)
    };
    let error = Cluster::connect(no_login, Arc::new(Metrics::new()))
        .await
        .err()
        .expect("no login is refused")
        .to_string();
    assert!(error.contains("authorization"), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "refusals took {:?}",
        started.elapsed()
    );
}
