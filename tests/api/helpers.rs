//! Test harness: every test gets its own database and its own running server.
//!
//! With `DATABASE_URL` set, test databases are created on that server (its user must be
//! allowed to create databases). Without it, the harness starts one throwaway PostgreSQL from
//! the system's binaries in `target/tmp/test-postgres`, shared by every test process, and
//! leaves it running for the next; `scripts/test` stops and removes it at the end.

use std::str::FromStr;
use std::sync::OnceLock;

use chancery::auth::Scope;
use chancery::config::Settings;
use chancery::embedded_pg::{EmbeddedOptions, EmbeddedPostgres};
use chancery::startup::Application;
use reqwest::{Method, Response, StatusCode};
use serde_json::Value;
use sqlx::{Connection, Executor, PgConnection, PgPool};

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub pool: PgPool,
    pub database_url: String,
    /// The replica the app reads from, if it has one.
    pub read_database_url: String,
    pub write_token: String,
    pub read_token: String,
    pub admin_token: String,
    /// The separate metrics address's port, when one was configured.
    pub metrics_port: Option<u16>,
}

/// The URL of a server on which tests may create databases.
async fn server_url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    if let Some(url) = URL.get() {
        return url.clone();
    }
    let url = match std::env::var("DATABASE_URL") {
        Ok(url) => url,
        Err(_) => shared_embedded_server().await,
    };
    URL.get_or_init(|| url).clone()
}

async fn shared_embedded_server() -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("test-postgres");
    // Test processes run in parallel; one starts the server, the others attach to it.
    let lock_path = dir.with_extension("lock");
    let lock_file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .unwrap_or_else(|e| panic!("opening {}: {e}", lock_path.display()));
    let _lock = nix::fcntl::Flock::lock(lock_file, nix::fcntl::FlockArg::LockExclusive)
        .unwrap_or_else(|(_, e)| panic!("locking {}: {e}", lock_path.display()));
    let mut options = EmbeddedOptions::new(&dir);
    options.database = "postgres".into();
    options.extra_settings = [
        ("fsync", "off"),
        ("synchronous_commit", "off"),
        ("full_page_writes", "off"),
        ("max_connections", "400"),
        ("shared_buffers", "128MB"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let server = EmbeddedPostgres::start(&options)
        .await
        .unwrap_or_else(|e| panic!("starting the test PostgreSQL: {e:#}"));
    let url = server.url_for("postgres");
    server.detach();
    url
}

/// A PostgreSQL primary and a streaming replica of it (`pg_basebackup -R`), of one test's
/// own: small, so the copy takes a second, and free to be paused or promoted. Both stop,
/// and their directories go, when it is dropped.
pub struct Cluster {
    primary: Option<EmbeddedPostgres>,
    dirs: [std::path::PathBuf; 2],
    /// The `chancery` database on the primary, and on the replica.
    pub primary_url: String,
    pub replica_url: String,
}

impl Cluster {
    pub async fn start() -> Self {
        let tmp = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
        let tag = uuid::Uuid::now_v7().simple().to_string();
        let dirs = [
            tmp.join(format!("test-cluster-{tag}-primary")),
            tmp.join(format!("test-cluster-{tag}-replica")),
        ];
        let mut options = EmbeddedOptions::new(&dirs[0]);
        options.database = "chancery".into();
        options.extra_settings = [("fsync", "off"), ("full_page_writes", "off")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let primary = EmbeddedPostgres::start(&options)
            .await
            .unwrap_or_else(|e| panic!("starting a primary: {e:#}"));
        let primary_url = primary.database_url();
        let replica_url = chancery::embedded_pg::start_replica(&primary_url, &dirs[1], None)
            .unwrap_or_else(|e| panic!("starting a replica: {e:#}"));
        Self {
            primary: Some(primary),
            dirs,
            primary_url,
            replica_url,
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = chancery::embedded_pg::stop_data_dir(&self.dirs[1], None);
        drop(self.primary.take());
        for dir in &self.dirs {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A test app on a cluster of its own, reading from the replica.
pub async fn spawn_app_on(cluster: &Cluster) -> TestApp {
    spawn_app_with(|settings| {
        settings.database_url = cluster.primary_url.clone();
        settings.database_read_urls = vec![cluster.replica_url.clone()];
    })
    .await
}

fn with_database(server: &str, database: &str) -> String {
    let mut url =
        url::Url::parse(server).unwrap_or_else(|e| panic!("DATABASE_URL is not a URL: {e}"));
    url.set_path(database);
    url.to_string()
}

/// Creates an empty database of its own for one test.
pub async fn fresh_database() -> String {
    let server = server_url().await;
    let name = format!("chancery_test_{}", uuid::Uuid::now_v7().simple());
    let mut conn = PgConnection::connect(&server)
        .await
        .unwrap_or_else(|e| panic!("connecting to {server}: {e}"));
    conn.execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
        .await
        .unwrap_or_else(|e| panic!("creating {name}: {e}"));
    with_database(&server, &name)
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let database_url = fresh_database().await;
    let mut settings = Settings::new(&database_url);
    settings.port = 0;
    settings.workers = Some(2);
    settings.pool_max_connections = 8;
    configure(&mut settings);
    let migrated = settings.migrate;
    // What the app uses, which `configure` may have changed.
    let database_url = settings.database_url.clone();
    let read_database_url = settings
        .database_read_urls
        .first()
        .cloned()
        .unwrap_or_default();
    let application = Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("building the application: {e:#}"));
    let address = format!("http://127.0.0.1:{}", application.port());
    let pool = application.pool().clone();
    let metrics_port = application.metrics_port();
    tokio::spawn(application.run_until_stopped());

    let app = TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("{e}")),
        database_url,
        read_database_url,
        write_token: String::new(),
        read_token: String::new(),
        admin_token: String::new(),
        metrics_port,
        pool,
    };
    if !migrated {
        return app;
    }
    let write_token = app.create_token("writer", Scope::Write).await;
    let read_token = app.create_token("reader", Scope::Read).await;
    let admin_token = app.create_token("admin", Scope::Admin).await;
    TestApp {
        write_token,
        read_token,
        admin_token,
        ..app
    }
}

impl TestApp {
    pub async fn create_token(&self, name: &str, scope: Scope) -> String {
        let generated = chancery::auth::generate();
        let mut conn = self.pool.acquire().await.unwrap_or_else(|e| panic!("{e}"));
        chancery::store::tokens::insert(&mut conn, name, scope, &generated)
            .await
            .unwrap_or_else(|e| panic!("creating a token: {e}"));
        generated.token
    }

    /// The value of one series of `/metrics` (`name{labels}`), if it is there.
    pub async fn metric(&self, series: &str) -> Option<u64> {
        let text = self
            .request(Method::GET, "/metrics")
            .bearer_auth(&self.read_token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .text()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let prefix = format!("{series} ");
        text.lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .map(|n| n.trim().parse().unwrap_or_else(|e| panic!("{n}: {e}")))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// A GET with `token`.
    pub async fn get_as(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path)
            .bearer_auth(token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// Sends JSON with the write token.
    pub async fn send_json(&self, method: Method, path: &str, body: &Value) -> Response {
        self.request(method.clone(), path)
            .bearer_auth(&self.write_token)
            .json(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.send_json(Method::POST, path, body).await
    }

    pub async fn patch_json(&self, path: &str, body: &Value) -> Response {
        self.request(Method::PATCH, path)
            .bearer_auth(&self.write_token)
            .header("Content-Type", "application/merge-patch+json")
            .body(body.to_string())
            .send()
            .await
            .unwrap_or_else(|e| panic!("PATCH {path}: {e}"))
    }

    /// Sends NDJSON to `/v1/import` with the write token.
    pub async fn import(&self, body: impl AsRef<str>) -> Response {
        self.request(Method::POST, "/v1/import")
            .bearer_auth(&self.write_token)
            .header("Content-Type", "application/x-ndjson")
            .body(body.as_ref().to_owned())
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST /v1/import: {e}"))
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.request(Method::DELETE, path)
            .bearer_auth(&self.write_token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("DELETE {path}: {e}"))
    }

    /// Creates an actor and returns its JSON.
    pub async fn create_actor(&self, body: Value) -> Value {
        let response = self.post_json("/v1/actors", &body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "creating {body}");
        json(response).await
    }

    pub async fn create_role(&self, actor: &str, body: Value) -> Value {
        let response = self
            .post_json(&format!("/v1/actors/{actor}/roles"), &body)
            .await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "creating role {body}"
        );
        json(response).await
    }

    pub async fn create(&self, path: &str, body: Value) -> Value {
        let response = self.post_json(path, &body).await;
        let status = response.status();
        let created = json(response).await;
        assert_eq!(status, StatusCode::CREATED, "creating {body}: {created}");
        created
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&self.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// What `sql` gives, a text per row, for the record whose id is `$1`: what is stored,
    /// not what a read shows.
    #[allow(dead_code)]
    pub async fn stored(&self, sql: &str, id: &str) -> Vec<String> {
        sqlx::query_scalar(sql)
            .bind(id)
            .fetch_all(&self.pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}

pub async fn json(response: Response) -> Value {
    let text = response
        .text()
        .await
        .unwrap_or_else(|e| panic!("reading body: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Asserts a problem+json response with this status and returns the problem.
pub async fn problem(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = json(response).await;
    assert_eq!(actual, status, "unexpected status; body: {body}");
    assert_eq!(content_type, "application/problem+json", "body: {body}");
    assert_eq!(body["status"], status.as_u16(), "{body}");
    assert!(
        body["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("urn:chancery:problem:")),
        "{body}"
    );
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    body
}

/// The JSON pointers a validation problem names.
pub fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["pointer"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The lines an import refused: each one's number, pointer and detail.
pub fn refused_lines(problem: &Value) -> Vec<(u64, &str, &str)> {
    problem["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            (
                l["line"].as_u64().unwrap_or(0),
                l["pointer"].as_str().unwrap_or(""),
                l["detail"].as_str().unwrap_or(""),
            )
        })
        .collect()
}

pub fn header(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Kazakhstan, Tokayev and the EU: enough actors for most tests.
pub async fn seed_actors(app: &TestApp) -> (Value, Value, Value) {
    let kz = app
        .create_actor(serde_json::json!({
            "kind": "state", "name": "Kazakhstan", "aliases": ["Republic of Kazakhstan", "Qazaqstan"],
            "country_code": "KZ", "wikidata_id": "Q232"
        }))
        .await;
    let tokayev = app
        .create_actor(serde_json::json!({
            "kind": "person", "name": "Kassym-Jomart Tokayev", "aliases": ["Tokayev", "Токаев"],
            "country_code": "KZ"
        }))
        .await;
    let eu = app
        .create_actor(
            serde_json::json!({"kind": "organization", "name": "European Union", "slug": "eu"}),
        )
        .await;
    (kz, tokayev, eu)
}

/// The record around the seed article: actors, roles, a citation, a visit and a statement.
pub struct Record {
    pub kz: Value,
    pub china: Value,
    pub xi: Value,
    pub tokayev: Value,
    pub article: Value,
    pub fmprc: Value,
    pub visit: Value,
    pub pledge: Value,
}

pub async fn seed_record(app: &TestApp) -> Record {
    let (kz, tokayev, _) = seed_actors(app).await;
    let china = app
        .create_actor(serde_json::json!({"kind": "state", "name": "China", "country_code": "CN"}))
        .await;
    let xi = app
        .create_actor(
            serde_json::json!({"kind": "person", "name": "Xi Jinping", "country_code": "CN"}),
        )
        .await;
    app.create_role("xi-jinping", serde_json::json!({"of_actor_id": china["id"], "title": "President", "start": "2013-03-14"})).await;
    let article = app
        .create("/v1/citations", serde_json::json!({
            "source": "Eurasia Daily Monitor", "title": "Kazakhstan's Expanding Multi-Vector Foreign Policy",
            "url": "https://jamestown.org/program/kazakhstans-expanding-multi-vector-foreign-policy/",
            "published_on": "2023-01", "language": "en"
        }))
        .await;
    let fmprc = app
        .create(
            "/v1/citations",
            serde_json::json!({"source": "Fmprc.gov.cn", "published_on": "2022-09-15"}),
        )
        .await;
    let visit = app
        .create("/v1/visits", serde_json::json!({
            "visitor_ids": [xi["id"]], "host_id": kz["id"], "place": "Astana", "start": "2022-09",
            "kind": "official", "occasion": "First visit abroad after the pandemic",
            "citations": [{"citation_id": fmprc["id"]}, {"citation_id": article["id"], "locator": "paragraph 3"}]
        }))
        .await;
    let pledge = app
        .create("/v1/statements", serde_json::json!({
            "speaker_id": xi["id"], "stated_on": "2022-09", "kind": "pledge", "visit_id": visit["id"],
            "text": "Xi pledged to defend Kazakhstan's territorial integrity.",
            "topics": ["sovereignty", "security"],
            "subjects": [{"actor_id": kz["id"], "stance": "support"}],
            "citations": [{"citation_id": article["id"], "locator": "paragraph 3", "quote": "pledged to defend"}]
        }))
        .await;
    Record {
        kz,
        china,
        xi,
        tokayev,
        article,
        fmprc,
        visit,
        pledge,
    }
}

/// The `id`s of a page's items.
#[allow(dead_code)]
pub fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(uuid_of)
        .collect()
}

#[allow(dead_code)]
pub fn uuid_of(value: &Value) -> String {
    value["id"].as_str().unwrap_or_default().to_owned()
}

#[allow(dead_code)]
pub fn parse_options(url: &str) -> sqlx::postgres::PgConnectOptions {
    sqlx::postgres::PgConnectOptions::from_str(url).unwrap_or_else(|e| panic!("{e}"))
}

/// Reads the change feed from the start until `done` holds for what was read (or 20 s
/// pass). The feed holds back changes while any older transaction in the cluster still runs,
/// such as another test's, so a test waits for what it wrote rather than expecting it at once.
#[allow(dead_code)]
pub async fn feed_until(app: &TestApp, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut items: Vec<Value> = Vec::new();
    let mut cursor: Option<String> = None;
    while !done(&items) && std::time::Instant::now() < deadline {
        let path = match &cursor {
            Some(after) => format!("/v1/changes?limit=500&wait=2&after={after}"),
            None => "/v1/changes?limit=500&wait=2".to_owned(),
        };
        let page = json(app.get(&path).await).await;
        items.extend(page["items"].as_array().cloned().unwrap_or_default());
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    items
}
