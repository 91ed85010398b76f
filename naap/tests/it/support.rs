//! Helpers: run the `naap` binary, query it over HTTP and Flight SQL.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use arrow::record_batch::RecordBatch;
use arrow_flight::error::FlightError;
use arrow_flight::sql::client::FlightSqlServiceClient;
use futures::TryStreamExt;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

const NAAP: &str = env!("CARGO_BIN_EXE_naap");

/// Runs `naap --lake LAKE ARGS…` to completion.
pub(crate) fn naap(lake: &Path, args: &[&str]) -> Output {
    Command::new(NAAP)
        .arg("--lake")
        .arg(lake)
        .args(args)
        .env("NAAP_LOG", "warn")
        .output()
        .expect("run naap")
}

/// Runs a naap command that must succeed and returns its stdout.
pub(crate) fn naap_ok(lake: &Path, args: &[&str]) -> String {
    let output = naap(lake, args);
    assert!(
        output.status.success(),
        "naap {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A running `naap demo` or `naap serve`. Killed when dropped.
#[derive(Debug)]
pub(crate) struct Naap {
    child: tokio::process::Child,
    pub(crate) http: String,
    pub(crate) flight: SocketAddr,
}

impl Naap {
    /// Starts naap on free ports and waits (at most 60 s) until it prints its addresses.
    pub(crate) async fn spawn(lake: &Path, args: &[&str]) -> Naap {
        Naap::spawn_with(lake.to_str().expect("UTF-8 path"), args, &[]).await
    }

    /// [`Naap::spawn`] for a lake URL, with extra environment variables.
    pub(crate) async fn spawn_with(lake: &str, args: &[&str], envs: &[(&str, &str)]) -> Naap {
        let mut child = tokio::process::Command::new(NAAP)
            .arg("--lake")
            .arg(lake)
            .args(args)
            .args(["--http", "127.0.0.1:0", "--flight", "127.0.0.1:0"])
            .env("NAAP_LOG", "warn")
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn naap");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut http = None;
        let mut flight = None;
        let ready = async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(url) = line.trim().strip_prefix("health:") {
                    http = Some(url.trim().trim_end_matches("/healthz").to_string());
                }
                if let Some(url) = line.trim().strip_prefix("flight sql:") {
                    flight = Some(url.trim().trim_start_matches("grpc://").parse().unwrap());
                }
                if line.contains("press Ctrl-C to stop") {
                    return;
                }
            }
            panic!("naap exited before it was ready");
        };
        tokio::time::timeout(Duration::from_secs(60), ready)
            .await
            .expect("naap answers within 60 s");
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Naap {
            child,
            http: http.unwrap(),
            flight: flight.unwrap(),
        }
    }

    /// Sends SIGINT (Ctrl-C) and checks that naap exits cleanly within 10 s.
    pub(crate) async fn stop_with_ctrl_c(mut self) {
        let pid = self.child.id().expect("naap is running");
        let status = Command::new("kill").args(["-INT", &pid.to_string()]).status().unwrap();
        assert!(status.success());
        let exit = tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .expect("naap stops within 10 s of Ctrl-C")
            .unwrap();
        assert!(exit.success(), "naap exited with {exit}");
    }
}

/// GETs `base + path` and returns the status and JSON body.
pub(crate) async fn http_get(base: &str, path: &str) -> (u16, Value) {
    let response = reqwest::get(format!("{base}{path}")).await.unwrap();
    let status = response.status().as_u16();
    let body = response.json().await.unwrap();
    (status, body)
}

/// GETs `base + path` and returns the status and the body as text.
pub(crate) async fn http_get_text(base: &str, path: &str) -> (u16, String) {
    let response = reqwest::get(format!("{base}{path}")).await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Waits (at most 60 s) until `base + path` answers `want`; returns the body as text.
pub(crate) async fn until_status(base: &str, path: &str, want: u16) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = http_get_text(base, path).await;
        if status == want {
            return body;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{path} still {status} after 60 s: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn client(addr: SocketAddr) -> FlightSqlServiceClient<tonic::transport::Channel> {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    FlightSqlServiceClient::new(channel)
}

/// Runs a statement query over Flight SQL; rows as JSON objects (arrow-json encoding).
pub(crate) async fn flight_sql_query(addr: SocketAddr, sql: &str) -> Result<Vec<Value>, tonic::Status> {
    let mut client = client(addr).await;
    let info = client.execute(sql.to_string(), None).await.map_err(to_status)?;
    fetch(&mut client, info).await
}

/// Runs a prepared statement over Flight SQL.
pub(crate) async fn flight_sql_prepared_query(addr: SocketAddr, sql: &str) -> Result<Vec<Value>, tonic::Status> {
    let mut client = client(addr).await;
    let mut statement = client.prepare(sql.to_string(), None).await.map_err(to_status)?;
    let info = statement.execute().await.map_err(to_status)?;
    let rows = fetch(&mut client, info).await;
    statement.close().await.map_err(to_status)?;
    rows
}

async fn fetch(
    client: &mut FlightSqlServiceClient<tonic::transport::Channel>,
    info: arrow_flight::FlightInfo,
) -> Result<Vec<Value>, tonic::Status> {
    let mut batches: Vec<RecordBatch> = Vec::new();
    for endpoint in info.endpoint {
        let ticket = endpoint.ticket.expect("endpoint has a ticket");
        let stream = client.do_get(ticket).await.map_err(to_status)?;
        batches.extend(stream.try_collect::<Vec<_>>().await.map_err(to_status)?);
    }
    let mut writer = arrow::json::ArrayWriter::new(Vec::new());
    for batch in &batches {
        writer.write(batch).unwrap();
    }
    writer.finish().unwrap();
    let bytes = writer.into_inner();
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    Ok(serde_json::from_slice(&bytes).unwrap())
}

fn to_status(error: FlightError) -> tonic::Status {
    match error {
        FlightError::Tonic(status) => *status,
        other => tonic::Status::unknown(other.to_string()),
    }
}

/// Every row of `dataset` as canonical CSV lines (`sql::canonical`), sorted: a row set that
/// does not depend on how the rows are split into files.
pub(crate) async fn sorted_rows(lake: &lakehouse_layout::Lake, dataset: lakehouse_layout::Dataset) -> Vec<String> {
    sorted_rows_where(lake, dataset, |_| true).await
}

/// [`sorted_rows`] of the files whose path `keep` accepts.
pub(crate) async fn sorted_rows_where(
    lake: &lakehouse_layout::Lake,
    dataset: lakehouse_layout::Dataset,
    keep: impl Fn(&lakehouse_layout::DataFilePath) -> bool,
) -> Vec<String> {
    let mut batches = Vec::new();
    for (_, meta) in lake
        .list_files(dataset)
        .await
        .unwrap()
        .into_iter()
        .filter(|(path, _)| keep(path))
    {
        let bytes = lake.get(&meta.location).await.unwrap();
        let reader = datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(bytes)
            .unwrap()
            .build()
            .unwrap();
        batches.extend(reader.map(Result::unwrap));
    }
    let mut rows = sql::canonical::rows(&batches).unwrap();
    rows.sort();
    rows
}
