//! `naap serve`: HTTP JSON + Flight SQL over the lake until Ctrl-C.

use std::io::Write;
use std::time::Duration;

use flight_server::middleware::RateLimit;
use flight_server::{RunningServers, ServeConfig};
use lakehouse_layout::Lake;
use sql::{Profile, QueryLimits};

use crate::cli::{ServeAddrs, ServeArgs};

pub(crate) async fn run(lake: Lake, args: ServeArgs) -> anyhow::Result<()> {
    let profile = if args.operator {
        Profile::Operator
    } else {
        Profile::Public
    };
    let credentials = match &args.credentials {
        Some(path) => Some(std::sync::Arc::new(lakehouse_layout::credentials::Credentials::load(
            path,
        )?)),
        None => None,
    };
    let servers = start_with(&lake, &args.serve, profile, credentials).await?;
    wait_for_shutdown_signal().await;
    eprintln!("stopping: finishing in-flight requests");
    servers.shutdown().await;
    Ok(())
}

/// Starts both public servers and prints where they listen and how to query them.
pub(crate) async fn start(lake: &Lake, addrs: &ServeAddrs, profile: Profile) -> anyhow::Result<RunningServers> {
    start_with(lake, addrs, profile, None).await
}

/// [`start`] with the credentials an operator server checks.
pub(crate) async fn start_with(
    lake: &Lake,
    addrs: &ServeAddrs,
    profile: Profile,
    credentials: Option<std::sync::Arc<lakehouse_layout::credentials::Credentials>>,
) -> anyhow::Result<RunningServers> {
    let config = ServeConfig {
        credentials,
        http: addrs.http,
        flight: addrs.flight,
        profile,
        limits: QueryLimits {
            timeout: Duration::from_secs(addrs.query_timeout_secs),
            memory_bytes: addrs.query_memory_mb * 1024 * 1024,
            max_rows: addrs.query_max_rows,
            resident_bytes: addrs.resident_cache_mb * 1024 * 1024,
        },
        rate_limit: (addrs.rate_limit_per_second > 0.0).then_some(RateLimit {
            per_second: addrs.rate_limit_per_second,
            burst: addrs.rate_limit_burst.max(1.0),
        }),
        stall_after: Duration::from_secs(addrs.stall_secs),
        slo_orchestrators: addrs.slo_orchestrators.clone(),
    };
    let servers = flight_server::start(lake, config).await?;
    let http = format!("http://{}", servers.http_addr);
    let flight = servers.flight_addr;
    let mut out = std::io::stdout().lock();
    writeln!(out, "naap is serving the lake at {}", lake.location())?;
    writeln!(out, "  dashboard:   {http}/")?;
    writeln!(out, "  health:      {http}/healthz")?;
    writeln!(out, "  datasets:    {http}/v1/datasets")?;
    writeln!(
        out,
        "  rollup rows: {http}/v1/datasets/orchestrator_sessions_hourly/rows"
    )?;
    writeln!(out, "  flight sql:  grpc://{flight}")?;
    writeln!(out, "try:")?;
    writeln!(
        out,
        "  curl -s '{http}/v1/datasets/orchestrator_sessions_hourly/rows?limit=5'"
    )?;
    writeln!(
        out,
        "  python3 -c \"import adbc_driver_flightsql.dbapi as f; c=f.connect('grpc://{flight}').cursor(); \
         c.execute('SELECT orchestrator_address, sum(sessions) FROM orchestrator_sessions_hourly GROUP BY 1 ORDER BY 2 DESC'); print(c.fetchall())\""
    )?;
    writeln!(out, "press Ctrl-C to stop")?;
    out.flush()?;
    Ok(servers)
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM.
pub(crate) async fn wait_for_shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
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
