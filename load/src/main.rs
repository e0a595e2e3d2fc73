//! `paja-load`: a load generator that drives Paja over real websockets and measures what one
//! machine carries — join, prompt fan-out, durable submissions, the wall — with the server's
//! CPU and memory. `docs/benchmarks.md` has the method and the numbers.
//!
//! It only ever targets this machine's loopback, and every run is bounded: a count of
//! connections and items, a timeout per phase and an overall `--max-secs` deadline after which
//! it reports what it has and exits (a watchdog thread exits even if the runtime is stuck).
//!
//! One tokio task per simulated connection; they record instants into shared atomics on one
//! clock, and the controller (`run`) only orchestrates and reads them afterwards.
#![forbid(unsafe_code)]

mod check;
mod conn;
mod ids;
mod rejoin;
mod report;
mod run;
mod staff;
mod stats;
mod target;
mod wire;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};

use run::{Phases, Plan};
use stats::Watched;

/// Thread-name prefix of the in-process server's runtime (`--spawn`), so its CPU time can be
/// told apart from the generator's.
const SERVER_THREADS: &str = "paja-srv";
/// Extra time the watchdog allows past `--max-secs` before it exits the process outright.
const WATCHDOG_GRACE: Duration = Duration::from_secs(20);

/// Drive a running Paja (or the floor server) on loopback and measure it.
#[derive(Parser, Debug)]
#[command(version)]
struct Cli {
    /// The server, e.g. http://127.0.0.1:8080 (loopback only). Repeat it or separate URLs
    /// with commas to spread the phones over the nodes of a cluster (phone i on URL i mod n).
    #[arg(
        long,
        value_delimiter = ',',
        required_unless_present = "spawn",
        conflicts_with = "spawn"
    )]
    url: Vec<String>,
    /// Start Paja in this process on 127.0.0.1:0 with a temporary data directory.
    #[arg(long)]
    spawn: bool,
    /// The target is the floor server (`cargo run --release --example floor`): join and
    /// fan-out only.
    #[arg(long, requires = "url")]
    floor: bool,
    /// Simulated participants (phones).
    #[arg(short = 'n', long, default_value_t = 1000)]
    participants: usize,
    /// Sessions the participants are spread over (each with a facilitator and a projector).
    #[arg(long, default_value_t = 1)]
    sessions: usize,
    /// Prompts opened in the fan-out phase.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Items per submission workload (closed loop, fixed rate, wall).
    #[arg(short = 'k', long, default_value_t = 1000)]
    items: usize,
    /// Participants who send items [default: min(N, 1000)].
    #[arg(long)]
    senders: Option<usize>,
    /// Offered rate of the fixed-rate workload, items/s (without it that workload is skipped).
    #[arg(long)]
    rate: Option<f64>,
    /// Phases to run after the join.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "fanout,closed,rate,wall"
    )]
    phases: Vec<PhaseArg>,
    /// Connections opening at once during the join.
    #[arg(long, default_value_t = 256)]
    connect_concurrency: usize,
    /// Hold everyone connected and idle this many seconds after the join.
    #[arg(long, default_value_t = 0)]
    hold_secs: u64,
    /// Longest any one phase may take, seconds.
    #[arg(long, default_value_t = 60)]
    phase_secs: u64,
    /// The whole run stops by itself after this many seconds.
    #[arg(long, default_value_t = 120)]
    max_secs: u64,
    /// A separate Paja process whose CPU and memory to read from /proc.
    #[arg(long, conflicts_with = "spawn")]
    server_pid: Option<u32>,
    /// Each simulated client's websocket read buffer, bytes.
    #[arg(long, default_value_t = 16 * 1024)]
    read_buffer: usize,
    /// A phone whose connection ends joins again (same participant, its `last_seq`), on the
    /// same URL or the next one that answers, and resends what was not acknowledged: what
    /// real phones do when a node dies. Counts `resumed` against `welcome`.
    #[arg(long)]
    reconnect: bool,
    /// Write every ack received (item id, seq, node, unix ms) to this file, one a line.
    #[arg(long)]
    ack_log: Option<PathBuf>,
    /// At the end, fetch each session's JSON export from this node (or, if it does not answer,
    /// the others) and check every acknowledged item is in it once, at its acked seq.
    #[arg(long)]
    check_from: Option<String>,
    /// A file of fault instants (unix ms, first field of each line; `#` comments), appended by
    /// whoever injects faults during the run; read at the end for the write stall per fault.
    #[arg(long)]
    faults: Option<PathBuf>,
    /// Write the unix ms to this file when the first submission workload starts sending (a
    /// fault script waits for it).
    #[arg(long)]
    started_file: Option<PathBuf>,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PhaseArg {
    Fanout,
    Closed,
    Rate,
    Wall,
}

/// Most connections and items one run may ask for: bounded, whatever the flags say.
const MAX_PARTICIPANTS: usize = 100_000;
/// Items per workload: a session holds at most 200,000, and a fault run at 2,000 items/s
/// needs minutes of them.
const MAX_ITEMS: usize = 200_000;
/// Most server URLs (cluster nodes) one run spreads its phones over.
const MAX_NODES: usize = 16;
/// Paja allows 500 prompts per session; the run adds three besides the rounds.
const MAX_ROUNDS: usize = 400;

/// Commands per second (and burst) each simulated phone may send to a spawned server; real
/// phones get 5/s after a burst of 20, which a closed-loop benchmark would hit at once.
const LOAD_PARTICIPANT_RATE: u32 = 1_000_000;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(true) => ExitCode::SUCCESS,
        // The report was printed; something did not arrive or was cut short.
        Ok(false) => ExitCode::from(2),
        Err(message) => {
            eprintln!("paja-load: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one measurement as the flags say; `Ok(false)` when the report is incomplete.
fn run(cli: Cli) -> Result<bool, String> {
    check_bounds(&cli)?;
    let started = std::time::Instant::now();
    let max = Duration::from_secs(cli.max_secs);
    // The last line of defence for "stops by itself": even a wedged runtime ends here.
    std::thread::spawn(move || {
        std::thread::sleep(max + WATCHDOG_GRACE);
        eprintln!("paja-load: --max-secs passed and the run did not stop; exiting");
        std::process::exit(3);
    });
    let (target, spawned) = if cli.spawn {
        let spawned = Spawned::start()?;
        (spawned.target(), Some(spawned))
    } else {
        (Target::remote(&cli)?, None)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name("paja-load")
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let plan = plan(&cli, target, tokio::time::Instant::from_std(started + max))?;
    let result = runtime.block_on(async {
        // The controller's own bound, in case a phase's waits misjudge: report what there is.
        tokio::time::timeout(max + Duration::from_secs(5), run::run(plan))
            .await
            .map_err(|_| "the run passed --max-secs".to_owned())?
    });
    // Close every client socket before the server stops, so it sees clean disconnects.
    drop(runtime);
    if let Some(spawned) = spawned {
        spawned.stop();
    }
    let report = result?;
    if cli.json {
        let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        println!("{json}");
    } else {
        print!("{}", report.table());
    }
    Ok(report.complete)
}

/// Refuses flags outside the bounds, and a run that needs more open files than it may have.
fn check_bounds(cli: &Cli) -> Result<(), String> {
    if cli.participants == 0 || cli.participants > MAX_PARTICIPANTS {
        return Err(format!("--participants must be 1..={MAX_PARTICIPANTS}"));
    }
    if cli.items > MAX_ITEMS {
        return Err(format!("--items must be at most {MAX_ITEMS}"));
    }
    if cli.rounds == 0 || cli.rounds > MAX_ROUNDS {
        return Err(format!("--rounds must be 1..={MAX_ROUNDS}"));
    }
    if cli.sessions == 0 || cli.sessions > cli.participants {
        return Err("--sessions must be 1..=participants".into());
    }
    if cli.url.len() > MAX_NODES {
        return Err(format!("at most {MAX_NODES} --url"));
    }
    if cli.rate.is_some_and(|r| !(r > 0.0 && r.is_finite())) {
        return Err("--rate must be a positive number of items per second".into());
    }
    // Each connection is a descriptor here, and another in the server when it is in-process.
    let limit = rlimit::increase_nofile_limit(u64::MAX).map_err(|e| format!("rlimit: {e}"))?;
    let per_connection = if cli.spawn { 2 } else { 1 };
    let needed = (cli.participants + 2 * cli.sessions) as u64 * per_connection + 32;
    if needed > limit {
        return Err(format!(
            "{} connections need about {needed} open files, the limit is {limit}: raise it \
             (as root: `ulimit -n {}`) or use fewer participants",
            cli.participants,
            needed.next_power_of_two()
        ));
    }
    Ok(())
}

/// What the run drives and whose resources it reads.
struct Target {
    /// One address per node (one for a single server).
    addrs: Vec<SocketAddr>,
    label: String,
    watched: Watched,
}

impl Target {
    /// A server in another process, at `--url` (loopback only), or several nodes.
    fn remote(cli: &Cli) -> Result<Self, String> {
        let addrs = cli
            .url
            .iter()
            .map(|url| target::loopback_addr(url))
            .collect::<Result<Vec<_>, _>>()?;
        let kind = if cli.floor { "floor server" } else { "Paja" };
        let at = addrs
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let label = match cli.server_pid {
            Some(pid) => format!("{kind} at {at} (pid {pid})"),
            None => format!("{kind} at {at}"),
        };
        let watched = cli.server_pid.map_or(Watched::None, Watched::Pid);
        Ok(Self {
            addrs,
            label,
            watched,
        })
    }
}

/// Paja started in this process (`--spawn`), on a runtime of its own.
struct Spawned {
    runtime: tokio::runtime::Runtime,
    server: paja::Server,
    data_dir: PathBuf,
}

impl Spawned {
    /// Starts Paja on 127.0.0.1:0 with a temporary data directory.
    fn start() -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .thread_name(SERVER_THREADS)
            // Keep idle blocking threads (journal writes) so their CPU time stays countable.
            .thread_keep_alive(Duration::from_secs(3600))
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let data_dir = temp_data_dir()?;
        let server = runtime
            .block_on(paja::Server::start(paja::Config {
                addr: "127.0.0.1:0".parse().map_err(|_| "addr")?,
                data_dir: data_dir.clone(),
                // The generator is one machine pretending to be a room: lift the per-phone
                // and per-address limits that protect a real server from one bad client.
                participant_rate: LOAD_PARTICIPANT_RATE,
                participant_burst: LOAD_PARTICIPANT_RATE,
                max_connections_per_ip: usize::MAX,
                ..paja::Config::default()
            }))
            .map_err(|e| format!("starting Paja: {e}"))?;
        Ok(Self {
            runtime,
            server,
            data_dir,
        })
    }

    /// The in-process server as a target; its CPU is told apart by thread name.
    fn target(&self) -> Target {
        let addr = self.server.addr();
        Target {
            addrs: vec![addr],
            label: format!("Paja in-process at {addr}"),
            watched: Watched::Threads(SERVER_THREADS),
        }
    }

    /// Shuts the server down and removes its data directory.
    fn stop(self) {
        self.runtime.block_on(self.server.shutdown());
        drop(self.runtime);
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// The controller's plan from the flags.
fn plan(cli: &Cli, target: Target, deadline: tokio::time::Instant) -> Result<Plan, String> {
    let phase = |p: PhaseArg| !cli.floor && cli.phases.contains(&p);
    let phases = Phases {
        fanout: cli.floor || cli.phases.contains(&PhaseArg::Fanout),
        closed: phase(PhaseArg::Closed),
        rate: phase(PhaseArg::Rate) && cli.rate.is_some(),
        wall: phase(PhaseArg::Wall),
    };
    let senders = if cli.floor {
        0
    } else {
        // At least one per session, so every session's wall has items to show.
        cli.senders
            .unwrap_or(1000)
            .clamp(cli.sessions, cli.participants)
    };
    let check_from = cli
        .check_from
        .as_deref()
        .map(target::loopback_addr)
        .transpose()?;
    Ok(Plan {
        addrs: target.addrs,
        floor: cli.floor,
        reconnect: cli.reconnect,
        ack_log: cli.ack_log.clone(),
        check_from,
        faults: cli.faults.clone(),
        started_file: cli.started_file.clone(),
        label: target.label,
        participants: cli.participants,
        sessions: cli.sessions,
        rounds: cli.rounds,
        items: cli.items,
        senders,
        rate: cli.rate,
        phases,
        concurrency: cli.connect_concurrency,
        read_buffer: cli.read_buffer.max(1024),
        phase_timeout: Duration::from_secs(cli.phase_secs),
        hold: Duration::from_secs(cli.hold_secs),
        deadline,
        watched: target.watched,
    })
}

/// A fresh, private data directory for the in-process server (removed afterwards).
fn temp_data_dir() -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!(
        "paja-load-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}
