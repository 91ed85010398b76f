//! Starts the HTTP and Flight SQL servers on their addresses and stops them in order.

use std::net::SocketAddr;

use arrow_flight::flight_service_server::FlightServiceServer;
use lakehouse_layout::Lake;
use sql::{Profile, QueryEngine, QueryLimits};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_stream::wrappers::TcpListenerStream;

use crate::flight::NaapFlightSql;
use crate::http::{AppState, router};

/// Where and how to serve.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// HTTP listen address (port 0 picks a free port).
    pub http: SocketAddr,
    /// Flight SQL listen address (port 0 picks a free port).
    pub flight: SocketAddr,
    /// Which datasets are exposed.
    pub profile: Profile,
    /// Per-query limits.
    pub limits: QueryLimits,
    /// Per-client HTTP request rate; `None` for no limit.
    pub rate_limit: Option<crate::middleware::RateLimit>,
    /// Tokens an operator server checks every request against; required with
    /// [`Profile::Operator`].
    pub credentials: Option<std::sync::Arc<lakehouse_layout::credentials::Credentials>>,
    /// How long the change-log watcher may go without reading the lake before `/healthz`
    /// fails (default [`crate::http::DEFAULT_STALL_AFTER`]).
    pub stall_after: std::time::Duration,
    /// The orchestrators (lowercase addresses) whose service-level objectives `/metrics`
    /// carries beside the network's; empty: every orchestrator's.
    pub slo_orchestrators: Vec<String>,
}

/// Errors starting the servers.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The query engine could not be built.
    #[error(transparent)]
    Engine(#[from] sql::Error),
    /// An operator server was asked for without credentials to check.
    #[error(
        "serving operator data (bronze, dead letters, private columns) needs a credentials file: give --credentials FILE"
    )]
    NoCredentials,
}

/// The running servers.
#[derive(Debug)]
pub struct RunningServers {
    /// The bound HTTP address.
    pub http_addr: SocketAddr,
    /// The bound Flight SQL address.
    pub flight_addr: SocketAddr,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningServers {
    /// Stops accepting connections, lets in-flight requests finish, and waits for both servers.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Binds both listeners and starts serving `lake`.
pub async fn start(lake: &Lake, config: ServeConfig) -> Result<RunningServers, ServeError> {
    let credentials = match (config.profile, &config.credentials) {
        (Profile::Operator, None) => return Err(ServeError::NoCredentials),
        (Profile::Operator, Some(credentials)) => Some(std::sync::Arc::clone(credentials)),
        // A public server has nothing behind a credential.
        (Profile::Public, _) => None,
    };
    let engine = QueryEngine::new(lake, config.profile, config.limits)?;
    let (http, http_addr) = bind(config.http).await?;
    let (flight, flight_addr) = bind(config.flight).await?;
    let (stop, stopped) = watch::channel(false);

    let state = AppState {
        rate_limit: config.rate_limit,
        credentials: credentials.clone(),
        stall_after: config.stall_after,
        slo_orchestrators: config.slo_orchestrators.clone().into(),
        ..AppState::new(engine.clone(), lake.clone())
    };
    let metrics = std::sync::Arc::clone(&state.metrics);
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let mut http_stop = stopped.clone();
    let http_task = tokio::spawn(async move {
        let shutdown = async move {
            let _ = http_stop.wait_for(|s| *s).await;
        };
        if let Err(e) = axum::serve(http, app).with_graceful_shutdown(shutdown).await {
            tracing::error!(error = %e, "HTTP server failed");
        }
    });

    let interceptor = crate::auth::OperatorInterceptor::new(credentials, std::sync::Arc::clone(&metrics));
    let service = FlightServiceServer::with_interceptor(NaapFlightSql::new(engine, metrics), interceptor);
    let mut flight_stop = stopped;
    let flight_task = tokio::spawn(async move {
        let shutdown = async move {
            let _ = flight_stop.wait_for(|s| *s).await;
        };
        let result = tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming_shutdown(TcpListenerStream::new(flight), shutdown)
            .await;
        if let Err(e) = result {
            tracing::error!(error = %e, "Flight SQL server failed");
        }
    });

    Ok(RunningServers {
        http_addr,
        flight_addr,
        stop,
        tasks: vec![http_task, flight_task],
    })
}

/// Binds `addr` and returns the listener with the address it actually got (port 0 picks one).
async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), ServeError> {
    let fail = |source| ServeError::Bind { addr, source };
    let listener = TcpListener::bind(addr).await.map_err(fail)?;
    let bound = listener.local_addr().map_err(fail)?;
    Ok((listener, bound))
}
