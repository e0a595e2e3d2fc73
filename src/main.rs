//! The `paja` command: serve (the default), or export or import a session offline, or back up
//! and restore a data directory.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use paja::export::{self, Format};
use paja::http::PublicUrl;
use paja::server::{
    DEFAULT_ADDR, DEFAULT_DATA_DIR, DEFAULT_MAX_CONNECTIONS_PER_IP, DEFAULT_RETENTION_DAYS,
};
use paja::session::{Language, Session, SessionName};
use paja::store::{Store, StoreError};
use paja::{Config, Server};

/// Paja: live audience participation for workshops and seminars.
#[derive(Parser)]
// `PAJA_VERSION` is set by build.rs: the package version and the commit, when known.
#[command(version = env!("PAJA_VERSION"), args_conflicts_with_subcommands = true)]
struct Cli {
    /// Log line format: `text`, or `json` (one object per line) for a log pipeline.
    #[arg(
        long,
        global = true,
        env = "PAJA_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    log_format: paja::logging::LogFormat,
    #[command(subcommand)]
    command: Option<Cmd>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve Paja (the default when no command is given).
    Serve(Box<ServeArgs>),
    /// Write a session's export without a running server.
    Export(ExportArgs),
    /// Make a session from a JSON export (`paja export --format json`) in the data directory.
    Import(ImportArgs),
    /// Compare sessions from their JSON exports (`paja export --format json`), side by side.
    Report(ReportArgs),
    /// Archive every session and series into one .tar.gz, consistently, while a server runs.
    Backup(BackupArgs),
    /// Restore a `paja backup` archive into an empty or missing data directory.
    Restore(RestoreArgs),
}

#[derive(Args)]
struct BackupArgs {
    /// Where sessions are stored.
    #[arg(long, env = "PAJA_DATA_DIR", default_value = DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
    /// The archive to write (`-`: standard output).
    #[arg(long, required_unless_present = "check")]
    out: Option<PathBuf>,
    /// Instead: verify this archive as a restore would, without restoring it.
    #[arg(long, conflicts_with = "out")]
    check: Option<PathBuf>,
}

#[derive(Args)]
struct RestoreArgs {
    /// The data directory to restore into: missing or empty.
    #[arg(long, env = "PAJA_DATA_DIR", default_value = DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
    /// The archive (`-`: standard input).
    file: PathBuf,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "PAJA_ADDR", default_value = DEFAULT_ADDR)]
    addr: SocketAddr,
    /// Where sessions are stored.
    #[arg(long, env = "PAJA_DATA_DIR", default_value = DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
    /// Require this password to create sessions (for a public deployment). Visible to every
    /// user of the machine in `ps`: prefer `--admin-password-file`.
    #[arg(long, env = "PAJA_ADMIN_PASSWORD")]
    admin_password: Option<String>,
    /// Read the admin password from this file (its trailing newline dropped), e.g. systemd's
    /// `$CREDENTIALS_DIRECTORY/admin-password`.
    #[arg(
        long,
        env = "PAJA_ADMIN_PASSWORD_FILE",
        conflicts_with = "admin_password"
    )]
    admin_password_file: Option<PathBuf>,
    /// Other origins allowed to open websockets, comma-separated (the server's own always is).
    #[arg(long, env = "PAJA_ALLOWED_ORIGINS", value_delimiter = ',')]
    allowed_origins: Vec<String>,
    /// The address(es) the server is published at, e.g. `https://paja.example.fi`
    /// (comma-separated or repeated): the only host names answered besides loopback and the
    /// bind address, and the join address in QR codes. Without it, any IP address is answered
    /// but no other name (DNS rebinding).
    #[arg(long, env = "PAJA_PUBLIC_URL", value_delimiter = ',', value_parser = PublicUrl::parse)]
    public_url: Vec<PublicUrl>,
    /// Delete sessions with no activity for this many days (0 keeps them forever).
    #[arg(long, env = "PAJA_RETENTION_DAYS", default_value_t = DEFAULT_RETENTION_DAYS)]
    retention_days: u32,
    /// Unload a session with no connection and no request for this many seconds (0 never):
    /// it is snapshotted and loads again on its next use.
    #[arg(long, env = "PAJA_UNLOAD_AFTER_SECS", default_value_t = paja::hub::DEFAULT_UNLOAD_AFTER.as_secs())]
    unload_after_secs: u64,
    /// Most concurrent websockets from one IP address.
    #[arg(long, env = "PAJA_MAX_CONNECTIONS_PER_IP", default_value_t = DEFAULT_MAX_CONNECTIONS_PER_IP)]
    max_connections_per_ip: usize,
    /// Trust X-Forwarded-For for client addresses (only behind your own reverse proxy).
    #[arg(long, env = "PAJA_TRUST_PROXY")]
    trust_proxy: bool,
    /// A participant's sustained commands per second (raise only for load tests).
    #[arg(long, env = "PAJA_PARTICIPANT_RATE", default_value_t = paja::limits::PARTICIPANT_PER_SEC)]
    participant_rate: u32,
    /// How many commands a participant may send at once.
    #[arg(long, env = "PAJA_PARTICIPANT_BURST", default_value_t = paja::limits::PARTICIPANT_BURST)]
    participant_burst: u32,
    /// Longest time to produce an HTTP response, in seconds (503 past it; websockets and
    /// downloads in progress are not cut).
    #[arg(long, env = "PAJA_REQUEST_TIMEOUT_SECS", default_value_t = paja::http::DEFAULT_REQUEST_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    request_timeout_secs: u64,
    /// Require `Authorization: Bearer <token>` on `/metrics` (prefer --metrics-token-file).
    #[arg(
        long,
        env = "PAJA_METRICS_TOKEN",
        conflicts_with = "metrics_token_file"
    )]
    metrics_token: Option<String>,
    /// …the same, read from this file (not visible in `ps`).
    #[arg(long, env = "PAJA_METRICS_TOKEN_FILE")]
    metrics_token_file: Option<PathBuf>,
    /// Run as a node of a cluster: the NATS servers (`nats://10.0.0.1:4222`, comma-separated
    /// or repeated; JetStream on, NATS ≥ 2.11). Without it Paja is one server on its own.
    #[arg(long, env = "PAJA_NATS", value_delimiter = ',')]
    nats: Vec<String>,
    /// This node's name in the cluster, unique (letters, digits, `-`, `_`); default: the
    /// host name.
    #[arg(long, env = "PAJA_NODE_ID", requires = "nats")]
    node_id: Option<String>,
    /// Copies of every stream and bucket in NATS (3 for a 3-server NATS cluster).
    #[arg(long, env = "PAJA_NATS_REPLICAS", default_value_t = 3, requires = "nats", value_parser = clap::value_parser!(u64).range(1..=5))]
    nats_replicas: u64,
    /// A session's owner lease, in seconds: a dead owner's sessions move after this long.
    #[arg(long, env = "PAJA_LEASE_SECS", default_value_t = paja::cluster::DEFAULT_LEASE.as_secs(), requires = "nats", value_parser = clap::value_parser!(u64).range(2..=300))]
    lease_secs: u64,
    /// NATS user name (with `--nats-password-file`).
    #[arg(long, env = "PAJA_NATS_USER", requires_all = ["nats", "nats_password_file"])]
    nats_user: Option<String>,
    /// A file holding the NATS user's password (not visible in `ps`).
    #[arg(long, env = "PAJA_NATS_PASSWORD_FILE", requires = "nats_user")]
    nats_password_file: Option<PathBuf>,
    /// The CA certificate (PEM) that signed the NATS servers' certificates: the connection
    /// then requires TLS.
    #[arg(long, env = "PAJA_NATS_CA", requires = "nats")]
    nats_ca: Option<PathBuf>,
    /// This node's client certificate (PEM), for NATS servers that verify clients.
    #[arg(long, env = "PAJA_NATS_CERT", requires_all = ["nats", "nats_key"])]
    nats_cert: Option<PathBuf>,
    /// The key (PEM) of `--nats-cert`.
    #[arg(long, env = "PAJA_NATS_KEY", requires = "nats_cert")]
    nats_key: Option<PathBuf>,
}

#[derive(Args)]
struct ExportArgs {
    /// Where sessions are stored.
    #[arg(long, env = "PAJA_DATA_DIR", default_value = DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
    /// The session's short name.
    session: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    format: Format,
    /// Output file (default: standard output); with `--per-prompt`, the directory to write to.
    #[arg(long)]
    out: Option<PathBuf>,
    /// With `--format csv`: one file per prompt, `<out>/<session>-<date>-<place>.csv` (a poll's,
    /// scale's, word cloud's or dot vote's results table; a brainstorm's items).
    #[arg(long, requires = "out")]
    per_prompt: bool,
    /// Only these prompts: agenda places from 1, or ids, comma-separated (`1,3` or `p2`).
    #[arg(long)]
    prompts: Option<String>,
    /// Hidden items in (`true`) or out (`false`); default: in for csv/json/xlsx, out for md/html.
    #[arg(long)]
    hidden: Option<bool>,
    /// Language of headings and labels (default: the session's).
    #[arg(long, value_parser = parse_language)]
    lang: Option<Language>,
    /// Time zone of the times shown (IANA name; default: the session's, Europe/Helsinki
    /// unless it was created with another).
    #[arg(long)]
    tz: Option<String>,
    /// CSV separator: `semicolon` for Excel where the comma is the decimal separator.
    #[arg(long, value_enum, default_value = "comma")]
    delimiter: export::Delimiter,
}

#[derive(Args)]
struct ImportArgs {
    /// Where sessions are stored.
    #[arg(long, env = "PAJA_DATA_DIR", default_value = DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
    /// The JSON export to import.
    file: PathBuf,
    /// A new short name (default: the one in the file).
    #[arg(long)]
    slug: Option<String>,
    /// A new title (default: the one in the file).
    #[arg(long)]
    title: Option<String>,
}

#[derive(Args)]
struct ReportArgs {
    /// The sessions' JSON exports, in the order to show them.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "html")]
    format: export::compare::Format,
    /// Language of headings and labels (and, for CSV, `;` with a decimal comma for fi and sv);
    /// default: the first session's.
    #[arg(long, value_parser = parse_language)]
    lang: Option<Language>,
    /// The report's title (default: a generic heading).
    #[arg(long)]
    title: Option<String>,
    /// Time zone of the dates shown (IANA name; default: each session's own).
    #[arg(long)]
    tz: Option<String>,
    /// Output file (default: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Largest file `paja import` reads, in bytes: well above the HTTP import's bound, as the
/// command line is the operator's own, yet a guard against pointing it at the wrong file.
const CLI_IMPORT_MAX_BYTES: u64 = 512 * 1024 * 1024;

/// `fi`, `sv` or `en`.
fn parse_language(s: &str) -> Result<Language, String> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|_| format!("{s:?} is not fi, sv or en"))
}

/// The wall clock now, for the offline commands (no server, so no injected clock).
fn now_ms() -> paja::clock::Millis {
    paja::clock::Clock::system().now_ms()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = paja::logging::init(cli.log_format) {
        eprintln!("paja: logging: {e}");
    }
    let result = match cli.command {
        Some(Cmd::Export(args)) => export_offline(args),
        Some(Cmd::Import(args)) => import_offline(args),
        Some(Cmd::Report(args)) => report_offline(args),
        Some(Cmd::Backup(args)) => backup(args),
        Some(Cmd::Restore(args)) => restore(args),
        Some(Cmd::Serve(args)) => serve(*args, cli.log_format),
        None => serve(cli.serve, cli.log_format),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("paja: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Raises the open-files soft limit to the hard limit: every participant is a socket, and the
/// usual soft limit (1024) would refuse connections long before memory or CPU run out.
fn raise_open_files_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        // Each connection holds one descriptor, so this is roughly the most phones served.
        Ok(limit) => tracing::info!(limit, "open-files limit"),
        Err(error) => tracing::warn!(%error, "could not raise the open-files limit"),
    }
}

fn serve(args: ServeArgs, log_format: paja::logging::LogFormat) -> Result<(), String> {
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        commit = option_env!("PAJA_COMMIT").unwrap_or("unknown"),
        "paja"
    );
    let admin_password = match &args.admin_password_file {
        Some(path) => Some(
            paja::secret::read_secret_file(path)
                .map_err(|e| format!("--admin-password-file: {e}"))?,
        ),
        None => args.admin_password.filter(|p| !p.is_empty()),
    };
    raise_open_files_limit();
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let public = args.public_url.first().map(PublicUrl::origin);
    let metrics_token = match &args.metrics_token_file {
        Some(file) => Some(paja::secret::read_secret_file(file).map_err(|e| e.to_string())?),
        None => args.metrics_token.filter(|t| !t.is_empty()),
    };
    let nats_password = match &args.nats_password_file {
        Some(file) => Some(
            paja::secret::read_secret_file(file)
                .map_err(|e| format!("--nats-password-file: {e}"))?,
        ),
        None => None,
    };
    runtime.block_on(async {
        let server = Server::start(Config {
            addr: args.addr,
            data_dir: args.data_dir,
            admin_password,
            allowed_origins: args.allowed_origins,
            public_urls: args.public_url,
            retention_days: args.retention_days,
            unload_after: std::time::Duration::from_secs(args.unload_after_secs),
            max_connections_per_ip: args.max_connections_per_ip,
            trust_proxy: args.trust_proxy,
            participant_rate: args.participant_rate,
            participant_burst: args.participant_burst,
            request_timeout: std::time::Duration::from_secs(args.request_timeout_secs),
            metrics_token,
            cluster: (!args.nats.is_empty()).then(|| paja::cluster::ClusterConfig {
                urls: args.nats.clone(),
                node_id: args.node_id.clone().unwrap_or_else(host_name),
                replicas: args.nats_replicas as usize,
                lease: std::time::Duration::from_secs(args.lease_secs),
                security: paja::cluster::NatsSecurity {
                    user: args.nats_user.clone(),
                    password: nats_password,
                    ca: args.nats_ca.clone(),
                    client: args.nats_cert.clone().zip(args.nats_key.clone()),
                },
            }),
            ..Config::default()
        })
        .await
        .map_err(|e| format!("could not start: {e}"))?;
        // The banner is for a person; in JSON mode every line must parse ("Paja is serving"
        // has the address).
        if log_format == paja::logging::LogFormat::Text {
            eprintln!("Paja is running at http://{}/", server.addr());
            if let Some(url) = &public {
                eprintln!("Participants join at {url}/");
            }
        }
        shutdown_signal().await;
        tracing::info!("shutting down");
        server.shutdown().await;
        Ok(())
    })
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

fn export_offline(args: ExportArgs) -> Result<(), String> {
    let slug = SessionName::parse(&args.session).map_err(|e| e.to_string())?;
    let store = Store::open_read_only(&args.data_dir).map_err(|e| e.to_string())?;
    let session = store.read(&slug).map_err(|e| format!("{slug}: {e}"))?;
    let options = export::Options {
        prompts: args
            .prompts
            .as_deref()
            .map(export::PromptSelector::parse_list),
        hidden: args.hidden,
        language: args.lang,
        time_zone: args.tz,
        delimiter: args.delimiter,
    };
    if args.per_prompt {
        let dir = args.out.unwrap_or_default();
        return export_per_prompt(&session, args.format, options, &dir);
    }
    let bytes =
        export::render(&session, args.format, &options, now_ms()).map_err(|e| e.to_string())?;
    match args.out {
        Some(path) => std::fs::write(&path, &bytes).map_err(|e| format!("{}: {e}", path.display())),
        None => std::io::stdout()
            .write_all(&bytes)
            .map_err(|e| e.to_string()),
    }
}

/// `--per-prompt`: each chosen prompt alone, as `dir/<slug>-<date>-<place>.csv`.
fn export_per_prompt(
    session: &paja::session::Session,
    format: Format,
    options: export::Options,
    dir: &std::path::Path,
) -> Result<(), String> {
    if format != Format::Csv {
        return Err("--per-prompt writes CSV files: use it with --format csv".to_owned());
    }
    let places: Vec<usize> = export::View::new(session, format, &options)
        .map_err(|e| e.to_string())?
        .prompts
        .iter()
        .map(|p| export::tables::place(session, p))
        .collect();
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for place in places {
        let one = export::Options {
            prompts: Some(vec![export::PromptSelector::Position(place)]),
            ..options.clone()
        };
        let bytes = export::render(session, format, &one, now_ms()).map_err(|e| e.to_string())?;
        let path = dir.join(export::file_name(session, format, &one));
        std::fs::write(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("{}", path.display());
    }
    Ok(())
}

/// Imports a session into the data directory with a new facilitator key, printed once.
///
/// Safe beside a running server on the same directory (creating the session's directory is
/// the atomic claim on its name), but that server serves the session only after a restart.
fn import_offline(args: ImportArgs) -> Result<(), String> {
    let file = args.file.display().to_string();
    let size = std::fs::metadata(&args.file)
        .map_err(|e| format!("{file}: {e}"))?
        .len();
    if size > CLI_IMPORT_MAX_BYTES {
        return Err(format!(
            "{file}: larger than {} MB; not a Paja export",
            CLI_IMPORT_MAX_BYTES / 1024 / 1024
        ));
    }
    let bytes = std::fs::read(&args.file).map_err(|e| format!("{file}: {e}"))?;
    let doc = paja::session::document::parse(&bytes)
        .map_err(|e| format!("{file}: {e} ({})", e.code()))?;
    let slug = args
        .slug
        .as_deref()
        .map(SessionName::parse)
        .transpose()
        .map_err(|e| format!("--slug: {e}"))?;
    let (key, target) = paja::hub::import_target(slug, args.title, now_ms());
    let session =
        Session::import(doc, target).map_err(|e| format!("{file}: {e} ({})", e.code()))?;
    let slug = session.meta.slug.clone();
    let store = Store::open(&args.data_dir).map_err(|e| e.to_string())?;
    store.create(&session).map_err(|e| match e {
        StoreError::Exists => format!(
            "a session named {slug} already exists in {}; choose another name with --slug",
            args.data_dir.display()
        ),
        other => format!("{slug}: {other}"),
    })?;
    println!("Imported \u{201c}{}\u{201d} as {slug}.", session.meta.title);
    println!("Participants: /{slug}");
    println!("Control view (private; the key is shown only this once): /{slug}/control#key={key}");
    println!("A server already running on this data directory serves it after its next restart.");
    Ok(())
}

/// Writes the comparison of the sessions in the named JSON exports.
fn report_offline(args: ReportArgs) -> Result<(), String> {
    let options = export::compare::CompareOptions {
        lang: args.lang.unwrap_or(Language::Fi),
        title: args.title,
        time_zone: args.tz,
    };
    let bytes = export::compare::files::report_files(
        &args.files,
        &options,
        args.lang,
        args.format,
        now_ms(),
    )
    .map_err(|e| e.to_string())?;
    match args.out {
        Some(path) => std::fs::write(&path, &bytes).map_err(|e| format!("{}: {e}", path.display())),
        None => std::io::stdout()
            .write_all(&bytes)
            .map_err(|e| e.to_string()),
    }
}

/// `paja backup`: the archive, or with `--check` the verdict on one.
fn backup(args: BackupArgs) -> Result<(), String> {
    if let Some(archive) = args.check {
        let checked = paja::backup::check(&archive)?;
        let taken = i64::try_from(checked.manifest.created_at)
            .ok()
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
            .map_or_else(|| "at an unknown time".to_owned(), |t| t.to_string());
        eprintln!(
            "{}: a sound backup of {} sessions and {} series, taken {taken} by Paja {}",
            archive.display(),
            checked.manifest.sessions.len(),
            checked.manifest.series.len(),
            checked.manifest.paja_version
        );
        return Ok(());
    }
    let out = args.out.unwrap_or_default();
    let report = paja::backup::backup(&args.data_dir, &out, now_ms()).map_err(|e| e.to_string())?;
    for (name, why) in &report.skipped {
        eprintln!("skipped session {name}: {why}");
    }
    eprintln!(
        "backed up {} sessions and {} series to {} ({} reads redone after a journal rotation)",
        report.manifest.sessions.len(),
        report.manifest.series.len(),
        out.display(),
        report.rereads
    );
    Ok(())
}

/// `paja restore`: prints what it restored.
fn restore(args: RestoreArgs) -> Result<(), String> {
    let restored = paja::backup::restore(&args.file, &args.data_dir)?;
    for session in &restored.manifest.sessions {
        println!("restored session {} (seq {})", session.name, session.seq);
    }
    for series in &restored.manifest.series {
        println!("restored series {series}");
    }
    println!(
        "restored {} sessions and {} series into {}; start the server on it",
        restored.manifest.sessions.len(),
        restored.manifest.series.len(),
        args.data_dir.display()
    );
    Ok(())
}

/// This machine's host name (the default node id), with anything a node id refuses replaced.
fn host_name() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let name: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        "paja".to_owned()
    } else {
        name
    }
}
