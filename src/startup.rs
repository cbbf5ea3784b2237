//! Builds the HTTP server. `main` and the tests use the same [`Application::build`].

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_http::{HttpService, KeepAlive, Protocol};
use actix_service::{IntoServiceFactory, ServiceFactoryExt, fn_service, map_config};
use actix_web::dev::Server;
use actix_web::dev::{AppConfig, Extensions};
use actix_web::middleware::{Condition, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;
use sqlx::PgPool;
use tokio::net::TcpStream;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::costly::CostlyGate;
use crate::api::deadlines::BodyDeadlines;
use crate::api::limits::RateLimits;
use crate::api::{self, AppState, RouteTable};
use crate::config::Settings;
use crate::db;
use crate::replicas::Pools;
use crate::telemetry::{self, Metrics};

/// How long a client has to send a request's head.
const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

pub struct Application {
    port: u16,
    server: Server,
    metrics_port: Option<u16>,
    metrics_server: Option<Server>,
    pool: PgPool,
    state: web::Data<AppState>,
    drain: Duration,
}

impl Application {
    /// Connects (lazily), applies migrations if asked, and binds the listener. The server
    /// runs once [`Application::run_until_stopped`] is awaited.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let pool = db::pool(&settings)?;
        if settings.migrate {
            db::migrate(&pool).await?;
        }
        let listener = TcpListener::bind((settings.host.as_str(), settings.port))
            .with_context(|| format!("binding {}:{}", settings.host, settings.port))?;
        let port = listener.local_addr()?.port();

        let metrics = Arc::new(Metrics::new(settings.pool_max_connections)?);
        let reads = Pools::new(pool.clone(), db::read_pools(&settings)?, settings.read_wait);
        let state = web::Data::new(AppState {
            pool: pool.clone(),
            reads,
            require_read_token: settings.require_read_token,
            body_limit_bytes: settings.body_limit_bytes,
            metrics: metrics.clone(),
            costly: CostlyGate::new(settings.costly, settings.pool_max_connections),
            resolve_budget: settings
                .resolve_budget
                .min(settings.statement_timeout.mul_f64(0.75)),
            imports: tokio::sync::Semaphore::new(settings.max_concurrent_imports),
            import_max_bytes: settings.import_max_bytes,
            merge_max_records: settings.merge_max_records,
            metrics_open: settings.metrics_open,
            draining: false.into(),
        });
        let rate_limits = web::Data::new(RateLimits::new(settings.rate_limits.clone()));
        let body_deadlines = web::Data::new(BodyDeadlines {
            idle: settings.body_idle_timeout,
            total: settings.body_timeout,
            import_total: settings.import_body_timeout,
        });
        tokio::spawn(forget_idle_callers(rate_limits.clone()));
        let metrics_state = state.clone();
        let drain_state = state.clone();
        let routes = web::Data::new(RouteTable::from_openapi(&api::openapi()));
        let cursor_keys = web::Data::new(api::cursors::Keys::default());
        // Serialized once and shared by every worker (a copy of the document per worker
        // cost each some megabytes).
        let document = web::Bytes::from(serde_json::to_vec(&api::openapi_json())?);
        let cors_origins = settings.cors_origins.clone();

        let on_connect_timeout = CLIENT_REQUEST_TIMEOUT;
        let answer_idle = settings.answer_idle_timeout;
        let local = listener.local_addr()?;
        let mut builder = actix_server::Server::build()
            .shutdown_timeout(settings.shutdown_timeout.as_secs())
            // Signals are ours (see `run_until_stopped`): SIGTERM drains first.
            .disable_signals();
        if let Some(workers) = settings.workers {
            builder = builder.workers(workers);
        }
        let server = builder
            .listen("chancery", listener, move || {
                let app = App::new()
                    .into_utoipa_app()
                    .configure(api::configure)
                    .into_app()
                    .app_data(state.clone())
                    .app_data(rate_limits.clone())
                    .app_data(body_deadlines.clone())
                    .app_data(api::analysis::stream::IdleDeadline(answer_idle))
                    .app_data(routes.clone())
                    .app_data(cursor_keys.clone())
                    // For the telemetry middleware, which knows nothing of the API's state.
                    .app_data(web::Data::from(metrics.clone()))
                    .service(
                        SwaggerUi::new("/docs/{_:.*}")
                            .config(utoipa_swagger_ui::Config::new(["/openapi.json"])),
                    )
                    .service(web::resource("/openapi.json").route(web::get().to({
                        let document = document.clone();
                        move || {
                            let document = document.clone();
                            async move {
                                HttpResponse::Ok()
                                    .content_type("application/json")
                                    .body(document)
                            }
                        }
                    })))
                    .service(web::resource("/docs").route(web::get().to(|| async {
                        // A body too, for a client that does not follow redirects (curl).
                        HttpResponse::PermanentRedirect()
                            .insert_header(("Location", "/docs/"))
                            .content_type("text/plain; charset=utf-8")
                            .body("The API documentation is at /docs/\n")
                    })))
                    .service(web::resource("/explore").route(web::get().to(api::explorer::explore)))
                    .service(
                        web::resource("/explore/{actor}")
                            .route(web::get().to(api::explorer::explore_actor)),
                    )
                    .default_service(web::to(api::fallback))
                    .wrap(from_fn(api::merges::follow_merges))
                    .wrap(from_fn(api::cursors::keys))
                    .wrap(from_fn(api::consistency::tokens))
                    .wrap(from_fn(api::deadlines::enforce))
                    .wrap(from_fn(api::limits::enforce))
                    .wrap(from_fn(api::semantics::shared_semantics))
                    .wrap(Condition::new(
                        !cors_origins.is_empty(),
                        api::cors::policy(&cors_origins),
                    ))
                    // Before anything else may answer: an ambiguous request must close the
                    // connection whatever else is wrong with it.
                    .wrap(from_fn(api::framing::refuse_ambiguous))
                    .wrap(from_fn(telemetry::observe));
                let http = HttpService::build()
                    .keep_alive(KeepAlive::Timeout(Duration::from_secs(5)))
                    .client_request_timeout(CLIENT_REQUEST_TIMEOUT)
                    .client_disconnect_timeout(Duration::from_secs(1))
                    .local_addr(local)
                    .on_connect_ext(|io: &TcpStream, extensions: &mut Extensions| {
                        api::framing::on_connect(io, extensions);
                        api::analysis::stream::on_connect(io, extensions);
                    })
                    .finish(map_config(
                        app.into_factory()
                            .map_err(|error: actix_web::Error| error.error_response()),
                        |_| AppConfig::default(),
                    ));
                // Before HTTP parsing: what the parser refuses in a first request head would
                // get its empty 400 or 431; this answers with a problem instead.
                fn_service(move |mut io: TcpStream| async move {
                    api::framing::guard_first_head(&mut io, on_connect_timeout).await?;
                    let peer = io.peer_addr().ok();
                    Ok((io, Protocol::Http1, peer))
                })
                .and_then(http)
            })?
            .run();
        let (metrics_port, metrics_server) = match &settings.metrics_address {
            Some((host, port)) => {
                let (port, server) = metrics_server(host, *port, metrics_state)?;
                (Some(port), Some(server))
            }
            None => (None, None),
        };

        tokio::spawn(purge_idempotency_keys(pool.clone()));
        Ok(Self {
            port,
            server,
            metrics_port,
            metrics_server,
            pool,
            state: drain_state,
            drain: settings.drain,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the separate metrics address, when there is one.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_port
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Serves until SIGTERM or SIGINT. Both stop gracefully (in-flight requests finish);
    /// SIGTERM first drains: for `drain`, readiness fails while requests are still served,
    /// so a load balancer moves callers elsewhere before the listener closes.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let (state, drain) = (self.state, self.drain);
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::spawn(async move {
            tokio::select! {
                _ = terminate.recv() => {
                    state.draining.store(true, std::sync::atomic::Ordering::Relaxed);
                    tracing::info!(seconds = drain.as_secs_f64(), "SIGTERM: draining, then stopping");
                    tokio::time::sleep(drain).await;
                }
                _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT: stopping"),
            }
            handle.stop(true).await;
        });
        let metrics = self.metrics_server.map(|server| {
            let handle = server.handle();
            tokio::spawn(server);
            handle
        });
        let result = self.server.await;
        if let Some(handle) = metrics {
            handle.stop(true).await;
        }
        result
    }
}

/// `/metrics` alone, without a token, on an address of its own (an internal network).
fn metrics_server(
    host: &str,
    port: u16,
    state: web::Data<AppState>,
) -> anyhow::Result<(u16, Server)> {
    let listener = TcpListener::bind((host, port))
        .with_context(|| format!("binding the metrics address {host}:{port}"))?;
    let port = listener.local_addr()?.port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(api::ops::render_metrics))
    })
    .workers(1)
    .listen(listener)?
    .run();
    Ok((port, server))
}

async fn forget_idle_callers(rate_limits: web::Data<RateLimits>) {
    let mut interval = tokio::time::interval(Duration::from_secs(60));
    loop {
        interval.tick().await;
        rate_limits.forget_idle();
    }
}

async fn purge_idempotency_keys(pool: PgPool) {
    let mut interval = tokio::time::interval(Duration::from_secs(3600));
    loop {
        interval.tick().await;
        match crate::store::idempotency::purge_expired(&pool).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "purged expired idempotency keys"),
            Err(error) => tracing::warn!(error = %error, "could not purge idempotency keys"),
        }
    }
}
