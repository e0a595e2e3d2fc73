//! Writes N stored sessions of realistic size into a data directory, for measuring a server
//! that holds thousands of them (`scripts/bench-stored.sh`, docs/benchmarks.md "Thousands of
//! stored sessions").
//!
//! Each session runs through the real state machine and is written by the real store, as a
//! server leaves it after a graceful stop: `meta.json`, the journal (archived as a segment) and
//! a snapshot. Its agenda has 8 prompts — four brainstorms, two polls, a word cloud and a dot
//! vote over the first brainstorm — answered by 40–200 participants with 100–600 items in all,
//! likes, poll votes and dots. Deterministic for a given `--seed`.
//!
//! ```sh
//! cargo run --release --example gen_sessions -- --data-dir /tmp/paja-10k --count 10000
//! ```
//!
//! Session names are `s00000`, `s00001`, …; their times lie `--days-ago` days in the past
//! (retention measurements age them past the retention period).
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use paja::session::{Command, Session, SessionMeta, SessionName};
use paja::store::{encode_record, encode_snapshot_at, Store};
use serde_json::{json, Value};
use uuid::Uuid;

/// Writes realistic stored sessions.
#[derive(Parser)]
struct Args {
    /// The data directory (created if needed).
    #[arg(long)]
    data_dir: PathBuf,
    /// How many sessions.
    #[arg(long, default_value_t = 10_000)]
    count: usize,
    /// The first session's number (to add to an existing directory).
    #[arg(long, default_value_t = 0)]
    first: usize,
    /// How long ago the sessions ran, in days.
    #[arg(long, default_value_t = 1)]
    days_ago: u64,
    /// The random seed.
    #[arg(long, default_value_t = 15)]
    seed: u64,
}

/// A small deterministic generator (xorshift64*): no dependency for a benchmark tool.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn uuid(&mut self) -> Uuid {
        Uuid::from_u64_pair(self.next(), self.next())
    }
}

const WORDS: &[&str] = &[
    "kirjasto",
    "pyörätie",
    "puisto",
    "koulu",
    "nuoriso",
    "liikenne",
    "asuminen",
    "kulttuuri",
    "terveys",
    "vanhukset",
    "lapset",
    "ilmasto",
    "keskusta",
    "ranta",
    "metsä",
    "tapahtumat",
];

fn sentence(rng: &mut Rng) -> String {
    let n = rng.between(3, 12);
    (0..n)
        .map(|_| WORDS[rng.next() as usize % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

/// The agenda: what each prompt is, as `add_prompt` drafts.
fn agenda() -> Vec<Value> {
    let poll =
        |t: &str| json!({"kind":"poll","title":t,"options":["Kyllä","Ei","En osaa sanoa","Ehkä"]});
    vec![
        json!({"kind":"brainstorm","title":"Mikä toimii?"}),
        json!({"kind":"brainstorm","title":"Mikä ei toimi?"}),
        poll("Oletko tyytyväinen?"),
        json!({"kind":"word_cloud","title":"Yksi sana","max_answers":3}),
        json!({"kind":"brainstorm","title":"Ideat"}),
        poll("Jatketaanko?"),
        json!({"kind":"brainstorm","title":"Palaute"}),
        json!({"kind":"dot_vote","title":"Tärkeimmät","source":"p1","dots":3,"max_per_item":2}),
    ]
}

/// Applies `command` at `at`; an accepted one is journaled onto `journal`.
fn apply(session: &mut Session, journal: &mut (Vec<u8>, usize), at: u64, command: Value) {
    let Ok(command) = serde_json::from_value::<Command>(command) else {
        return;
    };
    if let Ok(applied) = session.apply(&command, at) {
        if !applied.events.is_empty() {
            encode_record(&mut journal.0, session.seq(), at, &command.normalized());
            journal.1 += 1;
        }
    }
}

/// One session's whole run: the agenda, then each prompt opened and answered in turn.
fn run(session: &mut Session, rng: &mut Rng, start: u64) -> ((Vec<u8>, usize), u64) {
    let mut journal = (Vec::new(), 0);
    let mut at = start;
    for draft in agenda() {
        at += 1_000;
        apply(
            session,
            &mut journal,
            at,
            json!({"type":"add_prompt","prompt":draft}),
        );
    }
    let people: Vec<Uuid> = (0..rng.between(40, 200)).map(|_| rng.uuid()).collect();
    let items_wanted = rng.between(100, 600) as usize;
    let mut items: Vec<Uuid> = Vec::new();
    let mut first_items: Vec<Uuid> = Vec::new();
    for p in 1..=8 {
        let prompt = format!("p{p}");
        at += 60_000;
        apply(
            session,
            &mut journal,
            at,
            json!({"type":"open_prompt","prompt_id":prompt}),
        );
        let kind = agenda()[p - 1]["kind"].as_str().unwrap_or("").to_owned();
        let answers = match kind.as_str() {
            "brainstorm" | "word_cloud" => items_wanted / 5,
            _ => people.len(),
        };
        for n in 0..answers {
            at += rng.between(200, 5_000);
            let who = people[n % people.len()];
            let command = match kind.as_str() {
                "poll" => {
                    json!({"type":"vote","participant":who,"prompt_id":prompt,"options":[rng.next() % 4]})
                }
                "dot_vote" if !first_items.is_empty() => {
                    let item = first_items[rng.next() as usize % first_items.len()];
                    json!({"type":"place_dot","participant":who,"prompt_id":prompt,"item_id":item})
                }
                "dot_vote" => continue,
                _ => {
                    let item = rng.uuid();
                    items.push(item);
                    if p == 1 {
                        first_items.push(item);
                    }
                    let text = if kind == "word_cloud" {
                        WORDS[rng.next() as usize % WORDS.len()].to_owned()
                    } else {
                        sentence(rng)
                    };
                    json!({"type":"submit","participant":who,"item_id":item,"prompt_id":prompt,"text":text})
                }
            };
            apply(session, &mut journal, at, command);
            if !items.is_empty() && rng.next().is_multiple_of(3) {
                let item = items[rng.next() as usize % items.len()];
                let liker = people[rng.next() as usize % people.len()];
                apply(
                    session,
                    &mut journal,
                    at + 1,
                    json!({"type":"like","participant":liker,"item_id":item,"liked":true}),
                );
            }
        }
        at += 1_000;
        apply(
            session,
            &mut journal,
            at,
            json!({"type":"close_prompt","prompt_id":prompt}),
        );
    }
    (journal, at)
}

/// Creates session number `n` in `store`.
fn write_one(store: &Store, n: usize, args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = Rng(args.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (n as u64 + 1));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as u64;
    let start = now - args.days_ago * 24 * 3_600_000 - rng.between(0, 3_600_000);
    let meta = SessionMeta {
        slug: SessionName::parse(&format!("s{n:05}"))?,
        title: format!("Asukasilta {n}"),
        language: Default::default(),
        created_at: start,
        key_hash: paja::keys::hash_key(&format!("bench-key-{n}")),
        time_zone: Default::default(),
        series: None,
    };
    let mut session = Session::new(meta);
    let mut files = store.create(&session)?;
    let ((journal, records), last) = run(&mut session, &mut rng, start);
    files.append(&journal, records)?;
    // As a graceful stop leaves it: a snapshot, the journal archived as a segment.
    let snapshot = encode_snapshot_at(&session, Some(last))?;
    files.snapshot(&snapshot, session.seq())?;
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    let store = match Store::open(&args.data_dir) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("cannot open {}: {e}", args.data_dir.display());
            return ExitCode::FAILURE;
        }
    };
    for n in args.first..args.first + args.count {
        if let Err(e) = write_one(&store, n, &args) {
            eprintln!("session {n}: {e}");
            return ExitCode::FAILURE;
        }
    }
    println!("{} sessions in {}", args.count, args.data_dir.display());
    ExitCode::SUCCESS
}
