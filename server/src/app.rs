//! Wiring: the shared state, the route table, middleware, workers, start and stop.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_http::HttpService;
use actix_service::{map_config, IntoServiceFactory};
use actix_web::body::MessageBody;
use actix_web::dev::{AppConfig, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Compress, ErrorHandlers};
use actix_web::rt::net::TcpStream;
use actix_web::{web, App, HttpServer};
use tokio::sync::{watch, Notify};

use crate::accounts::tokens::Keys;
use crate::config::Config;
use crate::db::Db;
use crate::error::{ApiError, ErrorCode};
use crate::http::{middleware, openapi, routes, Endpoint};
use crate::live::hub::Hub;
use crate::ratelimit::RateLimiter;
use crate::state::AppState;

/// Every API endpoint of every feature.
pub fn endpoints() -> Vec<Endpoint> {
    let mut all = Vec::new();
    all.extend(crate::health::endpoints());
    all.extend(crate::accounts::endpoints());
    all.extend(crate::consultations::endpoints());
    all.extend(crate::delegations::endpoints());
    all.extend(crate::bodies::endpoints());
    all.extend(crate::negotiation::endpoints());
    all.extend(crate::search::endpoints());
    all.extend(crate::review::endpoints());
    all.extend(crate::events::endpoints());
    all.extend(crate::live::endpoints());
    all.extend(crate::notifications::endpoints());
    all
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(crate::health::healthz))
        .route("/readyz", web::get().to(crate::health::readyz))
        .route("/metrics", web::get().to(crate::metrics::behind_token))
        .service(
            web::scope("/api/v1")
                .configure(|c| routes::register(c, &endpoints()))
                .default_service(web::to(routes::no_route)),
        )
        .configure(crate::web::configure)
        .default_service(web::to(crate::web::pages::not_found));
}

fn path_error(err: actix_web::error::PathError, _: &actix_web::HttpRequest) -> actix_web::Error {
    ApiError::new(ErrorCode::NotFound, format!("no such resource ({err})")).into()
}

fn query_error(
    err: actix_web::error::QueryPayloadError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    let message = err.to_string();
    let mut e = ApiError::new(ErrorCode::InvalidQuery, message.clone());
    e.fields = Some([("query".to_owned(), message)].into());
    e.into()
}

/// A running server: its address, and a handle to stop it.
pub struct Running {
    pub addr: std::net::SocketAddr,
    /// Where `/metrics` is served on its own (`INDABA_METRICS_BIND`).
    pub metrics_addr: Option<std::net::SocketAddr>,
    pub server: actix_web::dev::ServerHandle,
    metrics_server: Option<actix_web::dev::ServerHandle>,
    pub hub: Arc<Hub>,
    /// The server's own pool (and, on SQLite, its one writer's lock).
    pub db: Db,
    stop: watch::Sender<bool>,
    stop_listener: Arc<std::sync::atomic::AtomicBool>,
    workers: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Graceful stop: live connections are closed with 1001 (clients resume with
    /// `since` elsewhere), in-flight requests finish, then the workers stop.
    pub async fn stop(self) {
        self.hub.shutdown();
        // Until every listener has written its close frame (a listener is counted until
        // it has), for 2 s at most: a fixed pause was too short for a worker
        // busy with thousands of listeners, and its sockets were then cut without one.
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(2);
        while self.hub.counts().1 > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        self.server.stop(true).await;
        if let Some(m) = self.metrics_server {
            m.stop(true).await;
        }
        self.stop_listener
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = self.stop.send(true);
        for w in self.workers {
            let _ = w.await;
        }
    }
}

/// Opens storage, migrates, and starts the HTTP server and the workers on the current
/// actix system. Returns once listening.
pub async fn start(
    config: Config,
    listener: TcpListener,
) -> Result<(Running, actix_web::dev::Server), String> {
    let db = Db::connect(&config.database, config.db_pool_size)?;
    let migrate_db = db.clone();
    let applied = web::block(move || migrate_db.migrate())
        .await
        .map_err(|e| e.to_string())??;
    if applied > 0 {
        tracing::info!(applied, "migrations applied");
    }
    let secret = config.signing_secret()?;
    if !config.rate_limits {
        tracing::warn!(
            "rate limits are OFF (INDABA_RATE_LIMITS=off): for load tests and benchmarks only"
        );
    }
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let https = config.public_url.starts_with("https://");
    let hub = Hub::start(db.clone(), config.live)?;
    let stuck_after = Duration::from_secs(config.live.timeout_seconds);
    let search = crate::search::open(&config)?;
    tracing::info!(backend = search.backend(), "search index open");
    let stop_listener = Arc::new(std::sync::atomic::AtomicBool::new(false));
    if let crate::config::DatabaseUrl::Postgres(url) = &config.database {
        crate::live::pg::spawn_listener(url.clone(), Arc::downgrade(&hub), stop_listener.clone())?;
    }
    let state = web::Data::new(AppState {
        hub: hub.clone(),
        search: search.clone(),
        keys: Keys::new(&secret),
        limiter: RateLimiter::new(config.rate_limits),
        mail_wakeup: Arc::new(Notify::new()),
        openapi: openapi::document(&endpoints()),
        db: db.clone(),
        rendered: Default::default(),
        config,
    });
    crate::accounts::standing::load(&state)
        .await
        .map_err(|e| format!("cannot read suspended accounts: {e}"))?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let standing = actix_web::rt::spawn(crate::accounts::standing::follow(
        state.clone(),
        stop_rx.clone(),
    ));
    let indexer = actix_web::rt::spawn(crate::search::indexer::run(
        db.clone(),
        search,
        stop_rx.clone(),
    ));
    let scheduler = actix_web::rt::spawn(crate::notifications::scheduler::run(
        db.clone(),
        crate::notifications::scheduler::Ctx {
            public_url: state.config.public_url.clone(),
            link_secret: state.keys.link_secret.clone(),
        },
        state.mail_wakeup.clone(),
        stop_rx.clone(),
    ));
    let mail_worker = actix_web::rt::spawn(crate::mail::worker::spawn(
        db,
        &state.config.mail,
        &state.config.mail_from,
        state.mail_wakeup.clone(),
        stop_rx,
    )?);

    // What actix-web's HttpServer sets up, plus the one thing it cannot do: hand WebSocket
    // requests over with their socket (`live::handover`).
    let builder = actix_web::dev::Server::build();
    let stopping = builder.graceful_shutdown_signal();
    let app_state = state.clone();
    let server = builder
        .listen("indaba", listener, move || {
            let state = app_state.clone();
            let make_app = move || app(state.clone(), https).into_factory();
            let on_connect = move |tcp: &TcpStream, _: &mut actix_web::dev::Extensions| {
                drop_when_stuck(tcp, stuck_after)
            };
            let stopping = stopping.clone();
            HttpService::build()
                // On a graceful stop, idle keep-alive connections close at once and busy
                // ones after their answer, instead of holding the stop for their timeout.
                .graceful_shutdown_signal(move || {
                    let stopping = stopping.clone();
                    async move { stopping.notified().await }
                })
                .client_request_timeout(Duration::from_secs(10))
                .client_disconnect_timeout(Duration::from_secs(1))
                // Without it, Nagle's algorithm holds a response's last segment until
                // the client's delayed ACK (40 ms on Linux): measured as 48 ms searches
                // that took 3 ms to answer.
                .tcp_nodelay(true)
                .local_addr(addr)
                .on_connect_ext(on_connect)
                // Every WebSocket request, with its socket (live::handover).
                .upgrade(crate::live::handover::factory(make_app.clone()))
                // The host stands in only for a request without a `Host` header, which
                // HTTP/1.1 requires (actix-web's own constructor for it is private).
                .finish(map_config(make_app(), move |_| AppConfig::default()))
                .tcp()
        })
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?
        .shutdown_timeout(30)
        // Signals are handled by the caller, which closes live connections first.
        .disable_signals()
        .run();
    tracing::info!(%addr, "listening");
    let (metrics_addr, metrics_server) = match state.config.metrics_bind {
        Some(bind) => {
            let (addr, handle) = serve_metrics(state.clone(), bind)?;
            (Some(addr), Some(handle))
        }
        None => (None, None),
    };
    Ok((
        Running {
            addr,
            metrics_addr,
            metrics_server,
            server: server.handle(),
            hub,
            db: state.db.clone(),
            stop: stop_tx,
            stop_listener,
            workers: vec![mail_worker, indexer, scheduler, standing],
        },
        server,
    ))
}

/// The application: every route, with its middleware.
fn app(
    state: web::Data<AppState>,
    https: bool,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .configure(configure)
        .wrap(ErrorHandlers::new().default_handler(middleware::json_errors))
        .wrap(Compress::default())
        .wrap(middleware::security_headers(https))
        .wrap(from_fn(middleware::trace_requests))
}

/// `/metrics` on an address of its own (loopback by default): an internal view of the
/// instance that the public address does not give.
fn serve_metrics(
    state: web::Data<AppState>,
    bind: std::net::SocketAddr,
) -> Result<(std::net::SocketAddr, actix_web::dev::ServerHandle), String> {
    let listener = TcpListener::bind(bind)
        .map_err(|e| format!("INDABA_METRICS_BIND: cannot listen on {bind}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(crate::metrics::metrics))
    })
    .workers(1)
    .listen(listener)
    .map_err(|e| format!("cannot listen on {addr}: {e}"))?
    .disable_signals()
    .shutdown_timeout(1)
    .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    tracing::info!(%addr, "metrics listening");
    Ok((addr, handle))
}

/// A client that stops reading leaves its connection's writes waiting for good, and no
/// timer of ours runs while they wait (a live listener is only polled when the socket
/// takes more). The kernel drops such a connection once what it sent has gone
/// unacknowledged, or its window stayed shut, for `after` (TCP_USER_TIMEOUT).
fn drop_when_stuck(tcp: &TcpStream, after: Duration) {
    use std::os::fd::AsRawFd;
    let ms = libc::c_uint::try_from(after.as_millis()).unwrap_or(libc::c_uint::MAX);
    // SAFETY: setsockopt reads `ms` for the size given, on a socket this process owns.
    let failed = unsafe {
        libc::setsockopt(
            tcp.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_USER_TIMEOUT,
            (&ms as *const libc::c_uint).cast(),
            std::mem::size_of::<libc::c_uint>() as libc::socklen_t,
        )
    } != 0;
    if failed {
        tracing::debug!(error = %std::io::Error::last_os_error(), "TCP_USER_TIMEOUT not set");
    }
}
