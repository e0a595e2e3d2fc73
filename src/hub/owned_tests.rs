//! The cluster owner end to end inside two hubs on one real nats-server: takeover after a
//! lost lease (every acked item once, seqs continuing, a resume answered `resumed`), a
//! relayed retry not applied twice across the takeover, the deposed owner refused, and erased
//! words leaving the stream.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{CommandError, Hub, SessionHandle};
use crate::clock::Clock;
use crate::cluster::tests::{nats, node, Nats};
use crate::metrics::Metrics;
use crate::protocol::Role;
use crate::session::{Command, Language, SessionName};
use crate::store::Store;

/// Two nodes "a" and "b" on one nats-server (kept running while the pair lives).
struct Pair {
    a: Arc<Hub>,
    b: Arc<Hub>,
    _server: Nats,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

async fn pair() -> Pair {
    let server = nats().await;
    let dirs = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let a = hub(&server, "a", dirs.0.path()).await;
    let b = hub(&server, "b", dirs.1.path()).await;
    Pair {
        a,
        b,
        _server: server,
        _dirs: dirs,
    }
}

async fn hub(server: &Nats, id: &str, dir: &std::path::Path) -> Arc<Hub> {
    hub_with(server, id, Store::open(dir).expect("store")).await
}

async fn hub_with(server: &Nats, id: &str, store: Store) -> Arc<Hub> {
    let cluster = node(server, id, Duration::from_secs(2)).await;
    Hub::start_node(
        store,
        Clock::system(),
        CancellationToken::new(),
        Duration::ZERO,
        Arc::new(Metrics::new()),
        Some(cluster),
    )
    .await
    .expect("hub")
}

fn command(json: serde_json::Value) -> Command {
    serde_json::from_value(json).expect("command")
}

async fn send(
    handle: &SessionHandle,
    json: serde_json::Value,
    rid: Uuid,
) -> Result<u64, CommandError> {
    handle
        .command_relayed(command(json), rid)
        .await
        .await
        .unwrap_or(Err(CommandError::Unavailable))
}

fn submit(text: &str) -> serde_json::Value {
    serde_json::json!({
        "type": "submit",
        "participant": Uuid::new_v4(),
        "item_id": Uuid::new_v4(),
        "prompt_id": "p1",
        "text": text,
    })
}

/// A session `name` created through `a`, owned by `a`, with three brainstorm prompts.
async fn owned_session(a: &Arc<Hub>, name: &str) -> (SessionName, SessionHandle) {
    // A name the rendezvous hash gives to `a` over the nodes "a" and "b": a new session is
    // owned at once by its preferred node.
    let nodes = ["a".to_owned(), "b".to_owned()];
    let slug = (0..)
        .map(|n| SessionName::parse(&format!("{name}-{n}")).expect("slug"))
        .find(|slug| super::placement::rendezvous(slug, &nodes) == Some("a"))
        .expect("a name for a");
    a.create(
        slug.clone(),
        "Vuoro".into(),
        Language::default(),
        Default::default(),
    )
    .await
    .expect("create");
    assert!(a.claim_here(&slug).await.expect("claim"));
    let handle = a.owned_handle(&slug).expect("owned");
    for title in ["Yksi", "Kaksi", "Kolme"] {
        let draft = serde_json::json!({"kind": "brainstorm", "title": title});
        let add = serde_json::json!({"type": "add_prompt", "prompt": draft});
        send(&handle, add, Uuid::new_v4()).await.expect("add");
    }
    (slug, handle)
}

#[tokio::test]
async fn a_takeover_keeps_every_ack_once_resumes_and_answers_known_rids() {
    let Pair { a, b, .. } = &pair().await;
    let (slug, on_a) = owned_session(a, "takeover").await;
    let next = Uuid::new_v4();
    let opened = send(&on_a, serde_json::json!({"type": "next_prompt"}), next)
        .await
        .expect("next");
    let mut acks = Vec::new();
    for n in 0..10 {
        acks.push(
            send(&on_a, submit(&format!("idea {n}")), Uuid::new_v4())
                .await
                .expect("ack"),
        );
    }
    let last = *acks.last().expect("acks");

    // a stalls past its lease (here: the key is gone at once) and b takes over.
    let cluster = a.cluster().expect("cluster").clone();
    cluster.owners.purge(slug.as_str()).await.expect("expire");
    assert!(b.claim_here(&slug).await.expect("b claims"));
    let on_b = b.owned_handle(&slug).expect("b owns");
    let state = on_b.read().await.expect("read");
    assert_eq!(state.seq(), last, "seqs continue from the last ack");
    assert_eq!(state.items().len(), 10, "every acked item, once");

    // The edge's retry of `next` (same rid) is answered, not applied again.
    let again = send(&on_b, serde_json::json!({"type": "next_prompt"}), next).await;
    assert_eq!(again, Ok(opened));
    assert_eq!(on_b.read().await.expect("read").seq(), last);
    let fresh = send(&on_b, submit("after"), Uuid::new_v4())
        .await
        .expect("b acks");
    assert_eq!(fresh, last + 1);

    // A screen that saw up to the middle resumes instead of a fresh welcome.
    let joined = on_b.join(Role::Screen, None, acks[4]).await.expect("join");
    let first: serde_json::Value = serde_json::from_str(joined.frames[0].as_str()).expect("json");
    assert_eq!(first["type"], "resumed", "{first}");

    // The deposed a acknowledges nothing more.
    let late = send(&on_a, submit("late"), Uuid::new_v4()).await;
    assert!(late.is_err(), "{late:?}");
    assert_eq!(
        b.owned_handle(&slug)
            .expect("b")
            .read()
            .await
            .expect("read")
            .items()
            .len(),
        11
    );
}

/// The snapshot a takeover starts from is newer than a quiet phone's last frame: items are
/// not shown on phones, so a phone that saw the prompt open has missed nothing and resumes on
/// the next owner (it used to get a fresh welcome: the snapshot's seq was the horizon).
#[tokio::test]
async fn a_quiet_phone_resumes_on_the_next_owner_from_before_the_snapshot() {
    let server = nats().await;
    let (dir_a, dir_b) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    // A replicated snapshot every 4 records.
    let store = Store::open(dir_a.path())
        .expect("store")
        .with_compact_after(4);
    let a = hub_with(&server, "a", store).await;
    let b = hub(&server, "b", dir_b.path()).await;
    let (slug, on_a) = owned_session(&a, "hiljainen").await;
    let phone = crate::session::ParticipantId(Uuid::new_v4());
    let opened = send(
        &on_a,
        serde_json::json!({"type": "next_prompt"}),
        Uuid::new_v4(),
    )
    .await
    .expect("next");
    let mut last = opened;
    for n in 0..12 {
        last = send(&on_a, submit(&format!("idea {n}")), Uuid::new_v4())
            .await
            .expect("ack");
    }
    let cluster = a.cluster().expect("cluster").clone();
    // The compaction's replicated snapshot is uploaded in the background.
    let mut record = None;
    for _ in 0..50 {
        let (got, _) = crate::cluster::snapshot::get(&cluster, &slug)
            .await
            .expect("get")
            .expect("snapshot");
        if got.seq > opened {
            record = Some(got);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let record = record.expect("a snapshot after the prompt opened");
    assert_eq!(record.phones_seq, Some(opened), "the last frame phones got");

    cluster.owners.purge(slug.as_str()).await.expect("expire");
    assert!(b.claim_here(&slug).await.expect("b claims"));
    let on_b = b.owned_handle(&slug).expect("b owns");
    assert_eq!(on_b.read().await.expect("read").seq(), last);
    let joined = on_b
        .join(Role::Participant, Some(phone), opened)
        .await
        .expect("join");
    let first: serde_json::Value = serde_json::from_str(joined.frames[0].as_str()).expect("json");
    assert_eq!(first["type"], "resumed", "{first}");
}

/// Retention in a cluster: the session's last change is its journal's last message; only
/// the node the rendezvous hash picks sweeps it, and the deletion reaches every node.
#[tokio::test]
async fn retention_deletes_an_untouched_session_everywhere_from_one_node() {
    let Pair { a, b, .. } = &pair().await;
    let (slug, on_a) = owned_session(a, "vanha").await;
    send(
        &on_a,
        serde_json::json!({"type": "next_prompt"}),
        Uuid::new_v4(),
    )
    .await
    .expect("next");
    send(&on_a, submit("kanarialintu"), Uuid::new_v4())
        .await
        .expect("ack");
    // Both nodes heartbeat and know the session.
    let cluster = a.cluster().expect("cluster").clone();
    let mut nodes = Vec::new();
    for _ in 0..50 {
        nodes = super::placement::live_nodes(&cluster).await.expect("nodes");
        if nodes.len() == 2 && b.sessions.contains_key(&slug) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(nodes.len(), 2, "{nodes:?}");
    let sweeper = match super::placement::rendezvous(&slug, &nodes) {
        Some("a") => &a,
        Some("b") => &b,
        other => panic!("no sweeper: {other:?}"),
    };
    let other = if Arc::ptr_eq(sweeper, a) { &b } else { &a };
    let day = 24 * 60 * 60 * 1000;
    let now = Clock::system().now_ms();
    let sweep = |hub: &Arc<Hub>, at| {
        let hub = hub.clone();
        async move { hub.expire_cluster(30, at).await }
    };

    // 29 days later: kept. 31 days later, on the node that does not sweep it: kept.
    assert!(sweep(sweeper, now + 29 * day).await.is_empty());
    assert!(sweep(other, now + 31 * day).await.is_empty());
    assert!(cluster
        .sessions
        .get(slug.as_str())
        .await
        .expect("kv")
        .is_some());

    // 31 days later, on its sweeper: gone from the cluster and from both nodes.
    assert_eq!(sweep(sweeper, now + 31 * day).await, vec![slug.clone()]);
    assert!(cluster
        .sessions
        .get(slug.as_str())
        .await
        .expect("kv")
        .is_none());
    for _ in 0..50 {
        if !a.sessions.contains_key(&slug) && !b.sessions.contains_key(&slug) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!a.sessions.contains_key(&slug), "a forgot it");
    assert!(!b.sessions.contains_key(&slug), "b forgot it");
}

#[tokio::test]
async fn erased_words_leave_jetstream_after_the_scrub() {
    let server = nats().await;
    let dir = tempfile::tempdir().expect("dir");
    let a = hub(&server, "a", dir.path()).await;
    let (slug, handle) = owned_session(&a, "erase-owned").await;
    send(
        &handle,
        serde_json::json!({"type": "next_prompt"}),
        Uuid::new_v4(),
    )
    .await
    .expect("next");
    let canary = "kanarialintu-owned";
    let item = Uuid::new_v4();
    let mut words = submit(canary);
    words["item_id"] = serde_json::json!(item);
    send(&handle, words, Uuid::new_v4()).await.expect("submit");
    let cluster = a.cluster().expect("cluster").clone();
    let stream = cluster
        .js
        .get_stream(crate::cluster::JOURNAL_STREAM)
        .await
        .expect("stream");
    let subject = crate::cluster::subject::journal(&slug);
    let held = stream
        .raw_message_builder()
        .last_by_subject(subject.as_str())
        .send()
        .await;
    let held = held.expect("the item's batch");
    assert!(
        String::from_utf8_lossy(&held.payload).contains(canary),
        "replicated before erasure"
    );
    let erase = serde_json::json!({"type": "erase_item", "item_id": item});
    send(&handle, erase, Uuid::new_v4()).await.expect("erase");
    assert!(
        leaves_the_stream(&a, &slug, canary).await,
        "the erased words stay in PAJA_J"
    );
}

/// Whether `words` are gone from every batch of `slug`'s journal in PAJA_J within 10 s (the
/// scrub runs after the erasing batch, in the background).
async fn leaves_the_stream(hub: &Hub, slug: &SessionName, words: &str) -> bool {
    let cluster = hub.cluster().expect("cluster").clone();
    let stream = cluster
        .js
        .get_stream(crate::cluster::JOURNAL_STREAM)
        .await
        .expect("stream");
    let subject = crate::cluster::subject::journal(slug);
    for _ in 0..100 {
        let mut seen = false;
        let last = crate::cluster::journal::read_last(&stream, &subject)
            .await
            .expect("last");
        for sequence in 1..=last.map_or(0, |l| l.sequence) {
            if let Ok(message) = stream.get_raw_message(sequence).await {
                seen |= String::from_utf8_lossy(&message.payload).contains(words);
            }
        }
        if !seen {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// A rehearsal's reset takes its answers out of the replicated journal too; the agenda stays.
#[tokio::test]
async fn a_reset_rehearsal_leaves_jetstream_and_keeps_the_agenda() {
    let server = nats().await;
    let dir = tempfile::tempdir().expect("dir");
    let a = hub(&server, "a", dir.path()).await;
    let (slug, handle) = owned_session(&a, "reset-owned").await;
    let on = serde_json::json!({"type": "set_rehearsal", "on": true});
    send(&handle, on, Uuid::new_v4()).await.expect("rehearsal");
    let next = serde_json::json!({"type": "next_prompt"});
    send(&handle, next, Uuid::new_v4()).await.expect("next");
    let canary = "kanarialintu-harjoitus";
    send(&handle, submit(canary), Uuid::new_v4())
        .await
        .expect("submit");
    let reset = serde_json::json!({"type": "reset_rehearsal"});
    send(&handle, reset, Uuid::new_v4()).await.expect("reset");
    assert!(
        leaves_the_stream(&a, &slug, canary).await,
        "the rehearsal stays in PAJA_J"
    );
    let session = handle.read().await.expect("read");
    assert!(session.items().is_empty());
    assert!(!session.prompts().is_empty(), "the agenda stays");
    assert!(session.rehearsal().last_reset.is_some());
}

#[tokio::test]
async fn a_created_session_gets_one_owner_and_a_deletion_removes_it_everywhere() {
    let Pair { a, b, .. } = &pair().await;
    let slug = SessionName::parse("placed").expect("slug");
    let session = crate::session::Session::new(crate::session::SessionMeta {
        slug: slug.clone(),
        title: "Paikka".into(),
        language: Language::default(),
        created_at: 1,
        key_hash: "00".repeat(32),
        time_zone: Default::default(),
        series: None,
    });
    a.create_clustered(session.clone()).await.expect("create");
    let again = b.create_clustered(session).await;
    assert!(matches!(again, Err(super::CreateError::Taken)), "{again:?}");
    // Asked on both nodes: exactly one of them owns it.
    let on_a = a.ensure_owner(&slug).await.expect("a");
    let on_b = b.ensure_owner(&slug).await.expect("b");
    let owners = [&a, &b]
        .iter()
        .filter(|h| h.owned_handle(&slug).is_some())
        .count();
    assert_eq!(owners, 1, "a says {on_a}, b says {on_b}");
    let (owner, other) = if a.owned_handle(&slug).is_some() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    assert!(!other.ensure_owner(&slug).await.expect("asked"));

    owner.delete_owned(&slug).await.expect("delete");
    assert!(owner.owned_handle(&slug).is_none());
    assert!(matches!(
        other.ensure_owner(&slug).await,
        Err(super::owned::OwnerError::Unknown)
    ));
    let cluster = owner.cluster().expect("cluster");
    assert!(crate::cluster::snapshot::get(cluster, &slug)
        .await
        .expect("get")
        .is_none());
    let stream = cluster
        .js
        .get_stream(crate::cluster::JOURNAL_STREAM)
        .await
        .expect("stream");
    let subject = crate::cluster::subject::journal(&slug);
    let last = crate::cluster::journal::read_last(&stream, &subject)
        .await
        .expect("read");
    assert!(last.is_none(), "the journal subject is purged");
}

#[tokio::test]
async fn a_shutdown_hands_the_session_over_at_once() {
    let Pair { a, b, .. } = &pair().await;
    let (slug, on_a) = owned_session(a, "handoff").await;
    send(
        &on_a,
        serde_json::json!({"type": "next_prompt"}),
        Uuid::new_v4(),
    )
    .await
    .expect("next");
    let acked = send(&on_a, submit("ennen"), Uuid::new_v4())
        .await
        .expect("ack");
    drop(on_a);
    a.shutdown().await;
    let cluster = a.cluster().expect("cluster");
    assert_eq!(
        cluster.metrics.cluster.releases.get(),
        1,
        "the lease was given back"
    );
    // No expiry to wait for: b claims now, from the final snapshot.
    assert!(b.claim_here(&slug).await.expect("b claims"));
    let state = b
        .owned_handle(&slug)
        .expect("b")
        .read()
        .await
        .expect("read");
    assert_eq!(state.seq(), acked);
    assert_eq!(state.items().len(), 1);
}
