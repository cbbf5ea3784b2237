//! The `chancery` command line: serve (the default), migrate, seed, openapi, token.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use chancery::auth::Scope;
use chancery::config::Settings;
use chancery::embedded_pg::{EmbeddedOptions, EmbeddedPostgres};
use chancery::startup::Application;
use chancery::telemetry::{self, LogFormat};
use chancery::{api, db, store};
use clap::{Args, Parser, Subcommand};

/// mimalloc gives freed memory back to the system; glibc's malloc kept the process at its
/// peak after large answers.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `purge_delay` option (`mi_option_purge_delay` in mimalloc.h, v2 and v3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// A record service for diplomatic activity.
///
/// Without DATABASE_URL, chancery runs its own PostgreSQL from the system's server binaries in
/// --data-dir. Every flag can also be set with the environment variable shown.
#[derive(Parser)]
#[command(name = "chancery", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
    #[command(flatten)]
    database: DatabaseArgs,
    /// Log format.
    #[arg(long, env = "CHANCERY_LOG_FORMAT", value_enum, default_value = "auto", global = true)]
    log_format: LogFormat,
}

#[derive(Args, Clone)]
struct DatabaseArgs {
    /// PostgreSQL URL. When unset, an embedded PostgreSQL is started in --data-dir.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    database_url: Option<String>,
    /// Data directory of the embedded PostgreSQL.
    #[arg(long, env = "CHANCERY_DATA_DIR", default_value = "data/postgres", global = true)]
    data_dir: PathBuf,
    /// Directory of the PostgreSQL server binaries (initdb, pg_ctl, postgres); found
    /// automatically when unset.
    #[arg(long, env = "CHANCERY_PG_BIN_DIR", global = true)]
    pg_bin_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Load the demo dataset (the seed article); loading it again changes nothing.
    Seed,
    /// Write every record (or those of `--types`) to stdout as NDJSON, as /v1/export does.
    Export {
        /// Kinds of record, comma-separated: citation,actor,role,visit,statement.
        #[arg(long)]
        types: Option<String>,
    },
    /// Import a file, all or nothing: NDJSON records (the format of /v1/import and
    /// /v1/export), or event data, ICEWS's or PLOVER's (as /v1/import/events).
    Import {
        /// The file; `-` for standard input.
        file: PathBuf,
        /// What the file is: ndjson, icews or plover.
        #[arg(long, default_value = "ndjson", value_parser = parse_format)]
        format: chancery::import::Format,
        /// Event data: the title of the dataset file's citation [default: the file's name].
        #[arg(long)]
        dataset_file: Option<String>,
        /// Event data: make each row a record of its own, rather than one record per event.
        #[arg(long)]
        one_record_per_row: bool,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token; it is printed once, alone on the last line of stdout.
    Create {
        #[arg(long, value_enum)]
        scope: Scope,
        /// A unique name for the token (who or what uses it).
        #[arg(long)]
        name: String,
    },
    /// List active tokens (names and scopes, never secrets).
    List,
    /// Revoke the active token with this name.
    Revoke { name: String },
}

#[derive(Args, Clone)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CHANCERY_HOST", default_value = "127.0.0.1", global = true)]
    host: String,
    /// Port to listen on.
    #[arg(long, env = "CHANCERY_PORT", default_value_t = 8080, global = true)]
    port: u16,
    /// HTTP worker threads (default: one per CPU).
    #[arg(long, env = "CHANCERY_WORKERS", global = true)]
    workers: Option<usize>,
    /// Require a `read` token for reads too.
    #[arg(long, env = "CHANCERY_REQUIRE_READ_TOKEN", global = true)]
    require_read_token: bool,
    /// Maximum database connections.
    #[arg(long, env = "CHANCERY_DB_POOL_SIZE", default_value_t = 16, global = true)]
    db_pool_size: u32,
    /// PostgreSQL streaming replicas to serve reads, comma-separated (writes stay on
    /// DATABASE_URL; a read falls back to it when no replica will do).
    #[arg(
        long,
        env = "DATABASE_READ_URL",
        hide_env_values = true,
        value_delimiter = ',',
        global = true
    )]
    database_read_url: Vec<String>,
    /// Milliseconds a read carrying a Chancery-Consistency token waits for a replica to
    /// replay past it before the primary serves it.
    #[arg(long, env = "CHANCERY_READ_WAIT_MS", default_value_t = 500, global = true)]
    read_wait_ms: u64,
    /// Longest a statement may run, in milliseconds.
    #[arg(long, env = "CHANCERY_STATEMENT_TIMEOUT_MS", default_value_t = 10_000, global = true)]
    statement_timeout_ms: u64,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "CHANCERY_BODY_LIMIT", default_value_t = 1024 * 1024, global = true)]
    body_limit: usize,
    /// Seconds a request body may pause before the request gets 408 [default: 10].
    #[arg(long, env = "CHANCERY_BODY_IDLE_TIMEOUT", global = true)]
    body_idle_timeout: Option<u64>,
    /// Seconds a client may take nothing of an answer before its connection is closed
    /// [default: 10].
    #[arg(long, env = "CHANCERY_ANSWER_IDLE_TIMEOUT", global = true)]
    answer_idle_timeout: Option<u64>,
    /// Seconds a request body may take in all, but an import's [default: 30].
    #[arg(long, env = "CHANCERY_BODY_TIMEOUT", global = true)]
    body_timeout: Option<u64>,
    /// Seconds an import's body may take in all [default: 600].
    #[arg(long, env = "CHANCERY_IMPORT_TIMEOUT", global = true)]
    import_timeout: Option<u64>,
    /// Largest import body, in bytes [default: 4 GiB].
    #[arg(long, env = "CHANCERY_IMPORT_MAX_BYTES", global = true)]
    import_max_bytes: Option<u64>,
    /// Imports at once; more get 429 [default: 2].
    #[arg(long, env = "CHANCERY_MAX_IMPORTS", global = true)]
    max_imports: Option<usize>,
    /// Most records one merge of actors may move; more is a 409 [default: 10000].
    #[arg(long, env = "CHANCERY_MERGE_MAX_RECORDS", global = true)]
    merge_max_records: Option<u64>,
    /// Seconds a database session may sit idle inside a transaction [default: 15].
    #[arg(long, env = "CHANCERY_IDLE_IN_TRANSACTION_TIMEOUT", global = true)]
    idle_in_transaction_timeout: Option<u64>,
    /// Requests per second from one client address; 0 turns the limit off [default: 200].
    #[arg(long, env = "CHANCERY_RATE_PER_ADDRESS", global = true)]
    rate_per_address: Option<u32>,
    /// Requests per second with one token, on top of its address's; 0: off [default: 100].
    #[arg(long, env = "CHANCERY_RATE_PER_TOKEN", global = true)]
    rate_per_token: Option<u32>,
    /// Name searches and analyses per minute from one address; 0: off [default: 120].
    #[arg(long, env = "CHANCERY_COSTLY_PER_MINUTE", global = true)]
    costly_per_minute: Option<u32>,
    /// Database time one resolve request may use, all its names together, in milliseconds
    /// (at most three quarters of the statement timeout) [default: 3000].
    #[arg(long, env = "CHANCERY_RESOLVE_BUDGET_MS", global = true)]
    resolve_budget_ms: Option<u64>,
    /// Costly requests (analyses, pages, resolve batches, exports) served at once [default:
    /// a quarter of the pool's connections, at least 1; always fewer than the pool's].
    #[arg(long, env = "CHANCERY_COSTLY_SLOTS", global = true)]
    costly_slots: Option<usize>,
    /// Of those, the most one client address may hold [default: 2].
    #[arg(long, env = "CHANCERY_COSTLY_PER_CALLER", global = true)]
    costly_per_caller: Option<usize>,
    /// Milliseconds a costly request waits for a turn before it gets 503 [default: 5000].
    #[arg(long, env = "CHANCERY_COSTLY_WAIT_MS", global = true)]
    costly_wait_ms: Option<u64>,
    /// Failed authentications per minute from one address; 0: off [default: 20].
    #[arg(long, env = "CHANCERY_FAILED_AUTH_PER_MINUTE", global = true)]
    failed_auth_per_minute: Option<u32>,
    /// Long polls of the change feed waiting at once from one address; 0: off [default: 8].
    #[arg(long, env = "CHANCERY_LONG_POLLS_PER_ADDRESS", global = true)]
    long_polls_per_address: Option<u32>,
    /// Long polls of the change feed waiting at once in this process; 0: off [default: 256].
    #[arg(long, env = "CHANCERY_LONG_POLLS", global = true)]
    long_polls: Option<u32>,
    /// Balancers whose `X-Forwarded-For` names the client: addresses or CIDR networks,
    /// comma-separated [default: none, the peer is the client].
    #[arg(long, env = "CHANCERY_TRUSTED_PROXIES", global = true)]
    trusted_proxies: Option<chancery::config::TrustedProxies>,
    /// Origins allowed to call from a browser, comma-separated (CORS); none by default.
    #[arg(long, env = "CHANCERY_CORS_ORIGINS", global = true, value_delimiter = ',',
        value_parser = chancery::api::cors::origin)]
    cors_origins: Vec<String>,
    /// Serve `/metrics` without a token (by default it needs a `read` token).
    #[arg(long, env = "CHANCERY_METRICS_OPEN", global = true)]
    metrics_open: bool,
    /// Also serve `/metrics`, without a token, on this `host:port` (an internal network).
    #[arg(long, env = "CHANCERY_METRICS_ADDRESS", global = true, value_parser = parse_address)]
    metrics_address: Option<(String, u16)>,
    /// Seconds in-flight requests get to finish after SIGTERM.
    #[arg(long, env = "CHANCERY_SHUTDOWN_TIMEOUT", default_value_t = 30, global = true)]
    shutdown_timeout: u64,
    /// Seconds between SIGTERM and closing the listener, while `/readyz` answers 503 and
    /// requests are still served: time for a load balancer's health checks to take this
    /// process out of rotation before it stops accepting.
    #[arg(long, env = "CHANCERY_DRAIN_SECONDS", default_value_t = 0, global = true)]
    drain_seconds: u64,
}

/// Freed pages go back to the system at once. With mimalloc's default delay (1 s) it purges
/// only when it next allocates, so an idle service kept the peak of its last large answer.
#[allow(unsafe_code)]
fn purge_freed_memory_at_once() {
    // SAFETY: an FFI call that sets one of mimalloc's options, which it reads atomically; no
    // pointers are passed.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

#[tokio::main]
async fn main() -> ExitCode {
    purge_freed_memory_at_once();
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => serve(cli.serve, cli.database).await,
        Some(Command::Serve) => serve(cli.serve, cli.database).await,
        Some(Command::Openapi) => {
            println!("{}", serde_json::to_string_pretty(&api::openapi_json())?);
            Ok(())
        }
        Some(Command::Migrate) => {
            with_database(&cli.database, async |_| {
                eprintln!("migrations applied");
                Ok(())
            })
            .await
        }
        Some(Command::Seed) => {
            let loaded = with_database(&cli.database, async |pool| {
                chancery::seed::load_demo(pool).await
            })
            .await?;
            if loaded.total() == 0 {
                eprintln!("the demo dataset was already loaded; nothing changed");
            } else {
                eprintln!("loaded the demo dataset: {loaded}");
            }
            Ok(())
        }
        Some(Command::Export { types }) => {
            with_database(&cli.database, async |pool| {
                export(pool, types.as_deref()).await
            })
            .await
        }
        Some(Command::Import {
            file,
            format,
            dataset_file,
            one_record_per_row,
        }) => {
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
            let options = chancery::events::load::Options {
                file: dataset_file.or(name).unwrap_or_else(|| {
                    let dataset = format.dataset().unwrap_or(chancery::events::Dataset::Icews);
                    dataset.default_file().to_owned()
                }),
                merge: !one_record_per_row,
            };
            with_database(&cli.database, async |pool| {
                import(pool, &file, format, options).await
            })
            .await
        }
        Some(Command::Token { command }) => {
            with_database(&cli.database, async |pool| token(pool, command).await).await
        }
    }
}

fn parse_format(value: &str) -> Result<chancery::import::Format, String> {
    chancery::import::Format::parse(value).ok_or_else(|| {
        format!(
            "expected one of {}",
            chancery::import::Format::NAMES.join(", ")
        )
    })
}

fn parse_address(value: &str) -> Result<(String, u16), String> {
    let (host, port) = value
        .rsplit_once(':')
        .ok_or_else(|| "expected host:port".to_owned())?;
    let port = port
        .parse()
        .map_err(|_| format!("`{port}` is not a port"))?;
    Ok((host.trim_matches(['[', ']']).to_owned(), port))
}

/// The database to use: `DATABASE_URL`, or the embedded one (started, or attached to if it
/// already runs).
async fn database(args: &DatabaseArgs) -> anyhow::Result<(String, Option<EmbeddedPostgres>)> {
    if let Some(url) = &args.database_url {
        return Ok((url.clone(), None));
    }
    let mut options = EmbeddedOptions::new(&args.data_dir);
    options.bin_dir = args.pg_bin_dir.clone();
    let embedded = EmbeddedPostgres::start(&options)
        .await
        .context("starting the embedded PostgreSQL")?;
    Ok((embedded.database_url(), Some(embedded)))
}

/// Runs a command's `work` on its database (see [`database`]), migrated first; then closes
/// the pool and stops the embedded PostgreSQL, whether the work succeeded or not.
async fn with_database<T>(
    args: &DatabaseArgs,
    work: impl AsyncFnOnce(&sqlx::PgPool) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let (url, embedded) = database(args).await?;
    let mut settings = Settings::new(url);
    // A command run by hand (or by a script right after its database started) waits for a
    // connection as long as a person would, not a request's two seconds.
    settings.pool_acquire_timeout = Duration::from_secs(30);
    let pool = db::pool(&settings)?;
    db::migrate(&pool).await?;
    let result = work(&pool).await;
    pool.close().await;
    stop(embedded)?;
    result
}

fn stop(embedded: Option<EmbeddedPostgres>) -> anyhow::Result<()> {
    match embedded {
        Some(embedded) => embedded.stop(),
        None => Ok(()),
    }
}

async fn serve(args: ServeArgs, database_args: DatabaseArgs) -> anyhow::Result<()> {
    let (url, embedded) = database(&database_args).await?;
    let mut settings = Settings::new(url);
    settings.host = args.host.clone();
    settings.port = args.port;
    settings.workers = args.workers;
    settings.require_read_token = args.require_read_token;
    settings.pool_max_connections = args.db_pool_size;
    settings.database_read_urls = args
        .database_read_url
        .iter()
        .map(|url| url.trim().to_owned())
        .filter(|url| !url.is_empty())
        .collect();
    settings.read_wait = Duration::from_millis(args.read_wait_ms);
    settings.statement_timeout = Duration::from_millis(args.statement_timeout_ms);
    settings.body_limit_bytes = args.body_limit;
    settings.shutdown_timeout = Duration::from_secs(args.shutdown_timeout);
    settings.drain = Duration::from_secs(args.drain_seconds);
    let seconds =
        |value: Option<u64>, default: Duration| value.map_or(default, Duration::from_secs);
    settings.body_idle_timeout = seconds(args.body_idle_timeout, settings.body_idle_timeout);
    settings.body_timeout = seconds(args.body_timeout, settings.body_timeout);
    settings.answer_idle_timeout = seconds(args.answer_idle_timeout, settings.answer_idle_timeout);
    settings.import_body_timeout = seconds(args.import_timeout, settings.import_body_timeout);
    settings.idle_in_transaction_timeout = seconds(
        args.idle_in_transaction_timeout,
        settings.idle_in_transaction_timeout,
    );
    settings.import_max_bytes = args.import_max_bytes.unwrap_or(settings.import_max_bytes);
    settings.max_concurrent_imports = args.max_imports.unwrap_or(settings.max_concurrent_imports);
    settings.merge_max_records = args.merge_max_records.unwrap_or(settings.merge_max_records);
    settings.metrics_open = args.metrics_open;
    settings.cors_origins = args.cors_origins.clone();
    settings.metrics_address = args.metrics_address.clone();
    let rate = &mut settings.rate_limits;
    rate.per_address = args.rate_per_address.unwrap_or(rate.per_address);
    rate.per_token = args.rate_per_token.unwrap_or(rate.per_token);
    rate.costly_per_minute = args.costly_per_minute.unwrap_or(rate.costly_per_minute);
    rate.failed_auth_per_minute = args
        .failed_auth_per_minute
        .unwrap_or(rate.failed_auth_per_minute);
    rate.long_polls_per_address = args
        .long_polls_per_address
        .unwrap_or(rate.long_polls_per_address);
    rate.long_polls = args.long_polls.unwrap_or(rate.long_polls);
    if let Some(proxies) = &args.trusted_proxies {
        rate.trusted_proxies = proxies.clone();
    }
    settings.resolve_budget = args
        .resolve_budget_ms
        .map_or(settings.resolve_budget, Duration::from_millis);
    let costly = &mut settings.costly;
    costly.slots = args.costly_slots.unwrap_or(costly.slots);
    costly.per_caller = args.costly_per_caller.unwrap_or(costly.per_caller);
    costly.wait = args
        .costly_wait_ms
        .map_or(costly.wait, Duration::from_millis);
    tracing::info!(settings = ?settings, "starting chancery");

    let app = Application::build(settings).await?;
    if embedded.as_ref().is_some_and(|e| e.created) {
        let loaded = chancery::seed::load_demo(app.pool())
            .await
            .context("loading the demo dataset")?;
        tracing::info!(%loaded, "loaded the demo dataset into the new database");
        let token = create_token(app.pool(), "admin", Scope::Admin).await?;
        let path = write_secret(&database_args.data_dir, "admin-token", &token)?;
        println!(
            "\nA new database was created. Its admin token is in {} (readable only by you).\n",
            path.display()
        );
    }
    let host = if args.host == "0.0.0.0" {
        "localhost"
    } else {
        args.host.as_str()
    };
    println!(
        "chancery is listening on http://{host}:{}/ — API docs at http://{host}:{}/docs/",
        app.port(),
        app.port()
    );
    let result = app.run_until_stopped().await;
    tracing::info!("server stopped");
    stop(embedded)?;
    result.context("serving HTTP")
}

/// Writes a secret beside the data directory, readable only by its owner, rather than to the
/// terminal or the logs, where it would outlive its use.
fn write_secret(data_dir: &std::path::Path, name: &str, secret: &str) -> anyhow::Result<PathBuf> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let dir = data_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| std::path::Path::new("."));
    let path = dir.join(name);
    // A token left by an earlier cluster is replaced: it names a database that is gone.
    let _ = std::fs::remove_file(&path);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("writing {}", path.display()))?;
    writeln!(file, "{secret}").with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

async fn export(pool: &sqlx::PgPool, types: Option<&str>) -> anyhow::Result<()> {
    use std::io::Write;
    let kinds = chancery::bulk::export::kinds(types).map_err(|detail| anyhow::anyhow!(detail))?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut conn = pool.acquire().await?;
    for kind in kinds {
        let mut after = uuid::Uuid::nil();
        loop {
            let (bytes, last) = chancery::bulk::export::export_page(&mut conn, kind, after, 1000)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.problem().detail.unwrap_or_default()))?;
            let Some(last) = last else { break };
            out.write_all(&bytes)?;
            after = last;
        }
    }
    out.flush()?;
    Ok(())
}

/// Imports a file with a progress bar; refused lines are listed and nothing is kept.
async fn import(
    pool: &sqlx::PgPool,
    file: &std::path::Path,
    format: chancery::import::Format,
    options: chancery::events::load::Options,
) -> anyhow::Result<()> {
    use std::io::{BufRead, Read};
    // Read as it is written, blocking: the command does nothing else meanwhile.
    let (reader, size): (Box<dyn Read>, Option<u64>) = if file.as_os_str() == "-" {
        (Box::new(std::io::stdin()), None)
    } else {
        let handle =
            std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
        let size = handle.metadata().ok().map(|m| m.len());
        (Box::new(handle), size)
    };
    let mut reader = std::io::BufReader::with_capacity(1 << 20, reader);
    // A gzip file (its first two bytes say so) is unpacked as it is read.
    let gzip = reader
        .fill_buf()
        .context("reading the file")?
        .starts_with(&[0x1f, 0x8b]);
    let mut reader: Box<dyn BufRead> = if gzip {
        Box::new(std::io::BufReader::with_capacity(
            1 << 20,
            flate2::bufread::MultiGzDecoder::new(reader),
        ))
    } else {
        Box::new(reader)
    };
    let progress = match size {
        Some(size) if !gzip => indicatif::ProgressBar::new(size).with_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {per_sec} eta {eta} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        ),
        _ => indicatif::ProgressBar::new_spinner(),
    };
    let started = std::time::Instant::now();
    let mut tx = pool.begin().await?;
    let mut import = chancery::import::Import::new(&mut tx, "import", format, options);
    let problem = |e: chancery::error::ApiError| {
        anyhow::anyhow!("{}", e.problem().detail.unwrap_or_default())
    };
    let (mut line, mut lines) = (Vec::new(), 0u64);
    loop {
        line.clear();
        if reader
            .read_until(b'\n', &mut line)
            .context("reading the file")?
            == 0
        {
            break;
        }
        progress.inc(line.len() as u64);
        import
            .push(line.strip_suffix(b"\n").unwrap_or(&line))
            .await
            .map_err(problem)?;
        lines += 1;
        if lines.is_multiple_of(10_000) {
            progress.set_message(format!("{lines} lines"));
        }
        if import.gave_up() {
            break;
        }
    }
    let outcome = import.finish().await.map_err(problem)?;
    progress.finish_and_clear();
    match outcome {
        Ok(summary) => {
            tx.commit().await?;
            let seconds = started.elapsed().as_secs_f64();
            eprintln!(
                "imported {} records from {} lines in {seconds:.1} s ({:.0} lines/s): {summary}",
                summary.total(),
                summary.lines,
                summary.lines as f64 / seconds.max(0.001),
            );
            if summary.rows_merged + summary.rows_repeated > 0 {
                eprintln!(
                    "rows that joined the record of their event: {}; rows read before: {}",
                    summary.rows_merged, summary.rows_repeated
                );
            }
            for skipped in &summary.skipped {
                eprintln!(
                    "skipped {} row(s) (lines {:?}…): {}",
                    skipped.rows, skipped.lines, skipped.reason
                );
            }
            Ok(())
        }
        Err(errors) => {
            for error in errors.iter().take(50) {
                eprintln!("line {}: {}: {}", error.line, error.pointer, error.detail);
            }
            anyhow::bail!("{} line(s) refused; nothing was imported", errors.len())
        }
    }
}

async fn create_token(pool: &sqlx::PgPool, name: &str, scope: Scope) -> anyhow::Result<String> {
    let generated = chancery::auth::generate();
    let mut conn = pool.acquire().await?;
    match store::tokens::insert(&mut conn, name, scope, &generated).await {
        Ok(_) => Ok(generated.token),
        Err(error) if error.constraint() == Some("api_tokens_name_key") => {
            anyhow::bail!(
                "a token was already named `{name}`, and names are never reused (the change feed \
                 and revisions name tokens by name); pick another name"
            )
        }
        Err(error) => Err(error.into()),
    }
}

async fn token(pool: &sqlx::PgPool, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create { scope, name } => {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
                anyhow::bail!("a token name is 1 to 100 printable characters");
            }
            let token = create_token(pool, name, scope).await?;
            eprintln!(
                "Created token `{name}` with scope `{scope}`. It is shown once; store it now:"
            );
            println!("{token}");
        }
        TokenCommand::List => {
            for token in store::tokens::list_active(pool).await? {
                println!(
                    "{}\t{}\t{}",
                    token.name,
                    token.scope,
                    token.created_at.to_rfc3339()
                );
            }
        }
        TokenCommand::Revoke { name } => {
            if store::tokens::revoke(pool, &name).await? {
                eprintln!("revoked `{name}`");
            } else {
                anyhow::bail!("no active token is named `{name}`");
            }
        }
    }
    Ok(())
}
