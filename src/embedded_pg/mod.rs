//! A local PostgreSQL cluster, started from the system's server binaries when no
//! `DATABASE_URL` is given.
//!
//! - The cluster lives in a data directory (default `./data/postgres`), is created on first
//!   use with a random password for the `postgres` superuser, and listens only on
//!   127.0.0.1 (no unix socket, so no path-length limits).
//! - PostgreSQL refuses to run as root; when we are root, every server command runs as the
//!   `postgres` system user, which must own the data directory and be able to reach it.
//! - PostgreSQL's own `postmaster.pid` says whether a server already runs on the directory;
//!   if one does, we attach to it instead of starting a second one, and leave it running.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use sqlx::{Connection, Executor, PgConnection};

mod replica;

pub use replica::{start_replica, stop_data_dir};

const INSTALL_HINT: &str = "Install the server: `apt-get install postgresql` on Debian/Ubuntu, \
    `dnf install postgresql-server postgresql-contrib` on Fedora, `brew install postgresql@16` on \
    macOS; or point CHANCERY_PG_BIN_DIR at the binaries; or set DATABASE_URL to use a running server.";
const PASSWORD_FILE: &str = "chancery.password";
const SERVER_LOG: &str = "server.log";

#[derive(Debug, Clone)]
pub struct EmbeddedOptions {
    pub data_dir: PathBuf,
    /// Where `initdb`, `pg_ctl` and `postgres` are; found automatically when `None`.
    pub bin_dir: Option<PathBuf>,
    /// The database to create and connect to.
    pub database: String,
    /// Extra `postgresql.conf` settings written when the cluster is created.
    pub extra_settings: Vec<(String, String)>,
}

impl EmbeddedOptions {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            bin_dir: None,
            database: "chancery".into(),
            extra_settings: Vec::new(),
        }
    }
}

#[derive(Debug)]
pub struct EmbeddedPostgres {
    data_dir: PathBuf,
    bin_dir: PathBuf,
    run_as: Option<String>,
    port: u16,
    password: String,
    database: String,
    /// Whether this process started the server (and so stops it).
    started_here: bool,
    /// Whether the cluster was created by this start.
    pub created: bool,
}

impl EmbeddedPostgres {
    /// Creates the cluster if needed, starts it unless it already runs, and makes sure the
    /// database exists.
    pub async fn start(options: &EmbeddedOptions) -> anyhow::Result<Self> {
        let bin_dir = find_bin_dir(options.bin_dir.as_deref())?;
        let run_as = server_user()?;
        let data_dir = usable_data_dir(&options.data_dir, run_as.as_deref())?;

        let mut created = false;
        if !data_dir.join("PG_VERSION").exists() {
            initdb(
                &bin_dir,
                &data_dir,
                run_as.as_deref(),
                &options.extra_settings,
            )?;
            created = true;
        }
        // Everything in the data directory belongs to the server user: a base backup of the
        // cluster (a replica) reads every file, this one too.
        if let Some(user) = run_as.as_deref() {
            own_by(&data_dir.join(PASSWORD_FILE), user)?;
        }
        let password = std::fs::read_to_string(data_dir.join(PASSWORD_FILE))
            .with_context(|| format!("reading the cluster password in {}", data_dir.display()))?
            .trim()
            .to_owned();

        let (port, started_here) = match running_port(&data_dir) {
            Some(port) => {
                tracing::info!(
                    data_dir = %data_dir.display(), port,
                    "PostgreSQL is already running on this data directory; using it"
                );
                (port, false)
            }
            None => (pg_ctl_start(&bin_dir, &data_dir, run_as.as_deref())?, true),
        };

        let server = Self {
            data_dir,
            bin_dir,
            run_as,
            port,
            password,
            database: options.database.clone(),
            started_here,
            created,
        };
        server.create_database().await?;
        Ok(server)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn url_for(&self, database: &str) -> String {
        format!(
            "postgres://postgres:{}@127.0.0.1:{}/{}",
            self.password, self.port, database
        )
    }

    pub fn database_url(&self) -> String {
        self.url_for(&self.database)
    }

    /// Leaves the server running when this handle goes away (the test harness shares one).
    pub fn detach(mut self) {
        self.started_here = false;
    }

    /// Stops the server if this process started it.
    pub fn stop(mut self) -> anyhow::Result<()> {
        self.stop_inner()
    }

    fn stop_inner(&mut self) -> anyhow::Result<()> {
        if !std::mem::take(&mut self.started_here) {
            return Ok(());
        }
        tracing::info!(data_dir = %self.data_dir.display(), "stopping PostgreSQL");
        let data_dir = self.data_dir.to_string_lossy().into_owned();
        run(
            server_command(&self.bin_dir, "pg_ctl", self.run_as.as_deref())
                .args(["-D", &data_dir, "-m", "fast", "-w", "-t", "60", "stop"]),
            "pg_ctl stop",
        )
    }

    async fn create_database(&self) -> anyhow::Result<()> {
        let mut conn = PgConnection::connect(&self.url_for("postgres"))
            .await
            .with_context(|| format!("connecting to the local PostgreSQL on port {}", self.port))?;
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(&self.database)
                .fetch_one(&mut conn)
                .await?;
        if !exists {
            let quoted = format!("\"{}\"", self.database.replace('"', "\"\""));
            if let Err(error) = conn
                .execute(format!("CREATE DATABASE {quoted}").as_str())
                .await
            {
                // Another process may have created it between our check and now.
                let duplicate = matches!(&error, sqlx::Error::Database(db) if db.code().as_deref() == Some("42P04"));
                if !duplicate {
                    return Err(error).context("creating the database");
                }
            }
        }
        Ok(())
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        if let Err(error) = self.stop_inner() {
            tracing::warn!(error = format!("{error:#}"), "could not stop PostgreSQL");
        }
    }
}

/// Finds the directory of the server binaries: the given one, `pg_config --bindir`, the
/// newest `/usr/lib/postgresql/*/bin`, or the directory of `initdb` on the `PATH`.
pub fn find_bin_dir(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    let has_binaries = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|b| dir.join(b).is_file())
    };
    if let Some(dir) = given {
        if has_binaries(dir) {
            return Ok(dir.to_path_buf());
        }
        bail!(
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) are not in {} (CHANCERY_PG_BIN_DIR). {INSTALL_HINT}",
            dir.display()
        );
    }
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        candidates.push(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
    }
    let mut versioned: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            Some((version, e.path().join("bin")))
        })
        .collect();
    versioned.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    candidates.extend(versioned.into_iter().map(|(_, p)| p));
    candidates.extend(
        [
            "/usr/local/pgsql/bin",
            "/opt/homebrew/bin",
            "/usr/local/bin",
            "/usr/bin",
        ]
        .map(PathBuf::from),
    );
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path));
    }
    for dir in candidates {
        if has_binaries(&dir) {
            // Resolve symlinks so that pg_ctl finds `postgres` beside itself.
            let initdb =
                std::fs::canonicalize(dir.join("initdb")).unwrap_or_else(|_| dir.join("initdb"));
            return Ok(initdb.parent().map(Path::to_path_buf).unwrap_or(dir));
        }
    }
    bail!(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found (looked in pg_config \
         --bindir, /usr/lib/postgresql/*/bin and the PATH). {INSTALL_HINT}"
    )
}

/// `Some("postgres")` when we are root and must run the server as that user.
fn server_user() -> anyhow::Result<Option<String>> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    match nix::unistd::User::from_name("postgres") {
        Ok(Some(_)) => Ok(Some("postgres".into())),
        _ => bail!(
            "PostgreSQL refuses to run as root, and there is no `postgres` system user to run it \
             as. Install the postgresql package (it creates the user), run chancery as an \
             ordinary user, or set DATABASE_URL."
        ),
    }
}

fn server_command(bin_dir: &Path, program: &str, run_as: Option<&str>) -> Command {
    let program = bin_dir.join(program);
    match run_as {
        Some(user) => {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", user, "--"]).arg(program);
            cmd
        }
        None => Command::new(program),
    }
}

fn run(cmd: &mut Command, what: &str) -> anyhow::Result<()> {
    let output = cmd.output().with_context(|| format!("running {what}"))?;
    if !output.status.success() {
        bail!(
            "{what} failed ({}): {}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim(),
            String::from_utf8_lossy(&output.stdout).trim()
        );
    }
    Ok(())
}

/// Makes the data directory exist and be usable by the server user. When that user cannot
/// reach the requested place (a private parent such as `/root`), falls back to a directory
/// under `/var/lib/chancery` and says so.
fn usable_data_dir(requested: &Path, run_as: Option<&str>) -> anyhow::Result<PathBuf> {
    let requested = std::path::absolute(requested).context("resolving the data directory")?;
    let Some(user) = run_as else {
        std::fs::create_dir_all(&requested)
            .with_context(|| format!("creating the data directory {}", requested.display()))?;
        set_mode(&requested, 0o700)?;
        return Ok(requested);
    };
    if prepare_for(&requested, user).is_ok() && reachable_by(&requested, user) {
        return Ok(requested);
    }
    let digest = crate::auth::hex(&crate::auth::sha256(requested.to_string_lossy().as_bytes()));
    let fallback = PathBuf::from("/var/lib/chancery").join(format!("postgres-{}", &digest[..12]));
    tracing::warn!(
        requested = %requested.display(), using = %fallback.display(),
        "the postgres user cannot reach the data directory (a parent directory is private); using another"
    );
    eprintln!(
        "note: the postgres user cannot reach {}; the database lives in {} instead",
        requested.display(),
        fallback.display()
    );
    prepare_for(&fallback, user)?;
    if !reachable_by(&fallback, user) {
        bail!("the postgres user cannot use {} either", fallback.display());
    }
    Ok(fallback)
}

fn prepare_for(dir: &Path, user: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    own_by(dir, user)?;
    set_mode(dir, 0o700)
}

fn own_by(path: &Path, user: &str) -> anyhow::Result<()> {
    let owner = nix::unistd::User::from_name(user)
        .ok()
        .flatten()
        .context("looking up the postgres user")?;
    std::os::unix::fs::chown(path, Some(owner.uid.as_raw()), Some(owner.gid.as_raw()))
        .with_context(|| format!("giving {} to {user}", path.display()))
}

fn reachable_by(dir: &Path, user: &str) -> bool {
    Command::new("runuser")
        .args(["-u", user, "--", "test", "-w"])
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success())
}

fn set_mode(path: &Path, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("setting permissions of {}", path.display()))
}

fn initdb(
    bin_dir: &Path,
    data_dir: &Path,
    run_as: Option<&str>,
    extra: &[(String, String)],
) -> anyhow::Result<()> {
    tracing::info!(data_dir = %data_dir.display(), "creating a PostgreSQL cluster");
    let password = crate::auth::hex(&{
        use rand::RngCore;
        let mut bytes = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        bytes
    });
    // initdb reads the password from a file the server user can read; it lives only as long
    // as initdb runs.
    let pwfile =
        std::env::temp_dir().join(format!("chancery-pw-{}", uuid::Uuid::now_v7().simple()));
    std::fs::write(&pwfile, format!("{password}\n"))
        .context("writing a temporary password file")?;
    set_mode(&pwfile, 0o600)?;
    if let Some(user) = run_as {
        own_by(&pwfile, user)?;
    }
    let result = run(
        server_command(bin_dir, "initdb", run_as)
            .arg("-D")
            .arg(data_dir)
            .args([
                "-U",
                "postgres",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--no-locale",
            ])
            .arg(format!("--pwfile={}", pwfile.display())),
        "initdb",
    );
    let _ = std::fs::remove_file(&pwfile);
    result?;

    let mut conf = String::from(
        "\n# chancery: an embedded cluster, reachable only from this machine over TCP.\n\
         listen_addresses = '127.0.0.1'\n\
         unix_socket_directories = ''\n",
    );
    for (key, value) in extra {
        conf.push_str(&format!("{key} = '{}'\n", value.replace('\'', "''")));
    }
    append(&data_dir.join("postgresql.conf"), &conf)?;
    std::fs::write(data_dir.join(PASSWORD_FILE), format!("{password}\n"))
        .context("storing the cluster password")?;
    set_mode(&data_dir.join(PASSWORD_FILE), 0o600)?;
    Ok(())
}

fn append(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

/// The port of a server running on `data_dir`, read from its `postmaster.pid`, if the
/// process it names is alive.
fn running_port(data_dir: &Path) -> Option<u16> {
    let pid_file = std::fs::read_to_string(data_dir.join("postmaster.pid")).ok()?;
    let mut lines = pid_file.lines();
    let pid: i32 = lines.next()?.trim().parse().ok()?;
    let port: u16 = lines.nth(2)?.trim().parse().ok()?;
    let alive = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok();
    alive.then_some(port)
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

fn pg_ctl_start(bin_dir: &Path, data_dir: &Path, run_as: Option<&str>) -> anyhow::Result<u16> {
    let mut last_error = None;
    // A free port can be taken between our check and the server's bind; try a few.
    for _ in 0..3 {
        let port = free_port()?;
        tracing::info!(data_dir = %data_dir.display(), port, "starting PostgreSQL");
        let result = run(
            server_command(bin_dir, "pg_ctl", run_as)
                .arg("-D")
                .arg(data_dir)
                .arg("-l")
                .arg(data_dir.join(SERVER_LOG))
                .args(["-w", "-t", "60", "-o"])
                .arg(format!("-p {port}"))
                .arg("start")
                .stdout(std::process::Stdio::null()),
            "pg_ctl start",
        );
        match result {
            Ok(()) => return Ok(port),
            Err(error) => {
                if running_port(data_dir).is_some() {
                    bail!(
                        "another PostgreSQL started on {} at the same time: {error:#}",
                        data_dir.display()
                    );
                }
                last_error = Some(error);
            }
        }
    }
    let log = std::fs::read_to_string(data_dir.join(SERVER_LOG)).unwrap_or_default();
    let tail: Vec<&str> = log.lines().rev().take(10).collect();
    Err(last_error.unwrap_or_else(|| anyhow::anyhow!("pg_ctl start failed"))).with_context(|| {
        format!(
            "starting PostgreSQL on {}; the end of its log:\n{}",
            data_dir.display(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )
    })
}
