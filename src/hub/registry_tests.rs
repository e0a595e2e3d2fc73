//! The registry's states: Stored → Live on first use (once, however many ask at once), Live →
//! Stored when idle, Failed for files that do not load; and the race between use and unload.

use std::time::Duration;

use super::*;

fn command(json: serde_json::Value) -> Command {
    serde_json::from_value(json).unwrap()
}

/// A data directory holding the session `slug` with an open brainstorm, stored by a hub that
/// has stopped; returns its directory.
async fn stored(slug: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::start(
        Store::open(dir.path()).unwrap(),
        Clock::system(),
        CancellationToken::new(),
    )
    .await
    .unwrap();
    let name = SessionName::parse(slug).unwrap();
    hub.create(name, "T".into(), Language::default(), Default::default())
        .await
        .unwrap();
    let handle = hub.get(slug).await.unwrap();
    let draft = serde_json::json!({"kind":"brainstorm","title":"?"});
    for c in [
        serde_json::json!({"type":"add_prompt","prompt":draft}),
        serde_json::json!({"type":"next_prompt"}),
    ] {
        handle.command(command(c)).await.await.unwrap().unwrap();
    }
    drop(handle);
    hub.shutdown().await;
    dir
}

async fn hub_on(dir: &std::path::Path, unload_after: Duration) -> Arc<Hub> {
    let store = Store::open(dir).unwrap();
    Hub::start_with(
        store,
        Clock::system(),
        CancellationToken::new(),
        unload_after,
    )
    .await
    .unwrap()
}

fn submit(text: String) -> Command {
    command(serde_json::json!({
        "type": "submit",
        "participant": uuid::Uuid::new_v4(),
        "item_id": uuid::Uuid::new_v4(),
        "prompt_id": "p1",
        "text": text,
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_uses_load_a_cold_session_once() {
    let dir = stored("kylma").await;
    let hub = hub_on(dir.path(), Duration::ZERO).await;
    assert_eq!(hub.session_counts(), SessionCounts { live: 0, stored: 1 });
    assert!(hub.exists("kylma") && !hub.exists("muu"));
    let gets = (0..16).map(|_| hub.get("kylma"));
    let handles: Vec<SessionHandle> = futures_util::future::join_all(gets)
        .await
        .into_iter()
        .map(Option::unwrap)
        .collect();
    assert!(handles
        .iter()
        .all(|h| h.requests.same_channel(&handles[0].requests)));
    assert_eq!(hub.session_counts(), SessionCounts { live: 1, stored: 1 });
    assert!(hub.get("muu").await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_that_does_not_load_fails_once_and_keeps_its_name() {
    let dir = stored("rikki").await;
    let session_dir = dir.path().join("sessions/rikki");
    // A middle line of the journal rots: the load refuses it.
    std::fs::remove_file(session_dir.join("snapshot.json")).unwrap();
    let journal = std::fs::read_dir(&session_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("journal-"))
        .unwrap_or_else(|| session_dir.join("journal.jsonl"));
    let text = std::fs::read_to_string(&journal).unwrap();
    std::fs::write(&journal, text.replacen("\"seq\":1", "\"seq\":7", 1)).unwrap();
    let hub = hub_on(dir.path(), Duration::ZERO).await;
    assert!(hub.get("rikki").await.is_none());
    assert!(hub.get("rikki").await.is_none(), "failed stays failed");
    assert_eq!(hub.session_counts(), SessionCounts { live: 0, stored: 1 });
    let again = hub
        .create(
            SessionName::parse("rikki").unwrap(),
            "T".into(),
            Language::default(),
            Default::default(),
        )
        .await;
    assert!(matches!(again, Err(CreateError::Taken)));
    // Never deleted by retention: a person looks at it.
    hub.expire(1, u64::MAX / 2).await;
    assert!(session_dir.is_dir());
}

/// Commands sent through freshly got handles at random moments around a 1 ms unload time:
/// every one is acknowledged, and every acknowledged item is on disk afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uses_racing_the_unload_are_all_served_by_one_task() {
    let dir = stored("kilpa").await;
    let hub = hub_on(dir.path(), Duration::from_millis(1)).await;
    let (mut sent, mut reloads) = (0usize, 0usize);
    // The previous round's task's queue (not a handle: that would keep it loaded).
    let mut previous: Option<mpsc::Sender<task::Request>> = None;
    for round in 0..200u64 {
        tokio::time::sleep(Duration::from_micros(round * 37 % 6_000)).await;
        let uses = (0..4).map(|n| {
            let hub = hub.clone();
            async move {
                let handle = hub.get("kilpa").await.expect("found");
                // Held a moment before use, as a request handler does (checks, parsing):
                // across the instant the task would unload if it ignored held handles.
                tokio::time::sleep(Duration::from_micros((round * 7 + n * 500) % 2_500)).await;
                let text = format!("{round}-{n}");
                let queue = handle.requests.clone();
                (handle.command(submit(text)).await.await, queue)
            }
        });
        for (result, queue) in futures_util::future::join_all(uses).await {
            assert!(matches!(result, Ok(Ok(_))), "{result:?}");
            sent += 1;
            if !previous.as_ref().is_some_and(|p| p.same_channel(&queue)) {
                reloads += 1;
            }
            previous = Some(queue);
        }
        assert!(hub.session_counts().live <= 1);
    }
    assert!(reloads > 20, "it unloaded and reloaded often: {reloads}");
    hub.shutdown().await;
    let session = Store::open(dir.path())
        .unwrap()
        .read(&SessionName::parse("kilpa").unwrap())
        .unwrap();
    assert_eq!(session.items().len(), sent);
}
