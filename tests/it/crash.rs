//! The real binary, killed with SIGKILL again and again while phones are sending: every
//! acknowledged item is there after each restart, exactly once, with the seq its ack carried.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use serde_json::json;
use tokio::sync::watch;
use uuid::Uuid;

use crate::support::{http, open_prompt, random_below, stored_items, Client, Paja, Phone, WAIT};

/// Throttling is not what this test is about: phones may send as fast as they can.
pub const LOAD: [&str; 4] = ["--participant-rate", "1000", "--participant-burst", "1000"];
const KILLS: usize = 20;
const PHONES: usize = 8;

/// Creates a session with an open brainstorm on a running binary: (key, prompt id).
pub async fn session_with_prompt(paja: &Paja, slug: &str) -> (String, String) {
    let created = http(
        paja.addr,
        "POST",
        "/api/sessions",
        &[],
        Some(&json!({"slug":slug,"title":"Kestääkö?"})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let key = created.json()["facilitator_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut facilitator = Client::connect(&paja.ws_url(slug)).await;
    facilitator
        .send(json!({"type":"hello","role":"facilitator","key":key}))
        .await;
    facilitator.expect("welcome").await;
    let prompt = open_prompt(&mut facilitator, "Kestääkö?").await;
    (key, prompt)
}

/// What the session holds compared with what the phones were told.
pub struct Tally {
    pub acked: usize,
    pub stored: usize,
    pub lost: usize,
    pub duplicated: usize,
    /// Stored items no phone has an ack for (accepted while the connection died).
    pub unacked: usize,
}

pub async fn tally(paja: &Paja, slug: &str, key: &str, phones: &[Phone]) -> Tally {
    let items = stored_items(&paja.ws_url(slug), key).await;
    let mut stored: HashMap<Uuid, u64> = HashMap::new();
    let mut duplicated = 0;
    for item in &items {
        let id: Uuid = item["id"].as_str().unwrap().parse().unwrap();
        let seq = item["seq"].as_u64().unwrap();
        if stored.insert(id, seq).is_some() {
            duplicated += 1;
        }
    }
    let mut acked = 0;
    let mut lost = 0;
    let mut acked_ids = HashSet::new();
    for phone in phones {
        for (id, seq) in &phone.acked {
            acked += 1;
            acked_ids.insert(*id);
            match stored.get(id) {
                Some(stored_seq) => assert_eq!(stored_seq, seq, "item {id} changed its seq"),
                None => lost += 1,
            }
        }
    }
    let unacked = stored.keys().filter(|id| !acked_ids.contains(id)).count();
    Tally {
        acked,
        stored: items.len(),
        lost,
        duplicated,
        unacked,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_items_survive_kill_9() {
    let tmp = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut paja = Paja::spawn(tmp.path(), &LOAD);
    let (key, prompt) = session_with_prompt(&paja, "kaatuu").await;
    let mut phones: Vec<Phone> = (0..PHONES).map(|_| Phone::new()).collect();

    for kill in 1..=KILLS {
        let (acks, mut counted) = watch::channel(0usize);
        let running: Vec<_> = phones
            .drain(..)
            .map(|phone| {
                tokio::spawn(phone.run(
                    paja.ws_url("kaatuu"),
                    prompt.clone(),
                    true,
                    4,
                    acks.clone(),
                ))
            })
            .collect();
        // A random moment: after somewhere between 1 and 150 acks of this round, with
        // submissions, fsyncs and acks in flight on every connection.
        let moment = 1 + random_below(150) as usize;
        tokio::time::timeout(WAIT, counted.wait_for(|n| *n >= moment))
            .await
            .expect("acks keep coming")
            .expect("watch open");
        paja.kill();
        for phone in running {
            phones.push(phone.await.expect("phone task"));
        }
        paja = Paja::spawn(tmp.path(), &LOAD);
        let t = tally(&paja, "kaatuu", &key, &phones).await;
        eprintln!(
            "kill {kill} after {moment} acks: acked {}, stored {}, lost {}, duplicated {}",
            t.acked, t.stored, t.lost, t.duplicated
        );
        assert_eq!(t.lost, 0, "kill {kill}: acknowledged items lost");
        assert_eq!(t.duplicated, 0, "kill {kill}: an item was stored twice");
    }

    // The phones come back once more and send what is still in their outboxes: the resends
    // are idempotent, so in the end the session holds exactly what was acknowledged.
    let (acks, _) = watch::channel(0usize);
    let running: Vec<_> = phones
        .drain(..)
        .map(|phone| {
            tokio::spawn(phone.run(
                paja.ws_url("kaatuu"),
                prompt.clone(),
                false,
                4,
                acks.clone(),
            ))
        })
        .collect();
    for phone in running {
        let phone = phone.await.expect("phone task");
        assert!(phone.outbox.is_empty(), "every resent item was acked");
        phones.push(phone);
    }
    let t = tally(&paja, "kaatuu", &key, &phones).await;
    let recovered = t.stored - t.unacked;
    eprintln!(
        "{KILLS} SIGKILLs in {:.1?}: acked {}, recovered {recovered}, lost {}, duplicated {}",
        started.elapsed(),
        t.acked,
        t.lost,
        t.duplicated
    );
    assert_eq!(t.lost, 0);
    assert_eq!(t.duplicated, 0);
    assert_eq!(t.unacked, 0, "nothing stored that was never acknowledged");
    assert_eq!(recovered, t.acked);
}
