//! Kafka as it runs in production: SASL over TLS against real broker processes.
//!
//! The broker is tansu (crates.io, built with its SQLite storage so that SCRAM users persist),
//! which authenticates SASL/SCRAM-SHA-256 and -512 but cannot terminate TLS from its command
//! line in 0.6.0 (`--cert` and `--key` are mutually exclusive there); stunnel (Debian's
//! `stunnel4`) terminates TLS in front of it with a certificate from a CA made for the test
//! by `openssl`. The client sees one `SASL_SSL` endpoint, as on Confluent Cloud. A consumer
//! reads half the messages with SCRAM-SHA-512, stops, and a second life with SCRAM-SHA-256
//! reads the rest, each message once; a wrong password must end `naap ingest` with a clear
//! error. PLAIN (Confluent Cloud's mechanism) is not tested here: tansu 0.6 accepts any PLAIN
//! password, and a consumer logged in with PLAIN received nothing in 120 s (tried: the second
//! life with PLAIN), so PLAIN is covered by the settings' unit tests only.
//!
//! `.ci/run` installs both and sets `NAAP_REQUIRE_KAFKA_BROKER`; without them the test says it
//! was skipped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lakehouse_layout::{Dataset, Lake};
use rdkafka::ClientConfig;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

use crate::live::Process;
use crate::support::sorted_rows;

const TOPIC: &str = "streaming_events";
const USER_512: (&str, &str) = ("naap-ingest", "correct-horse-512");
const USER_256: (&str, &str) = ("naap-standby", "battery-staple-256");

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn run(program: &str, args: &[&str], dir: &Path) {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

async fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(Instant::now() < deadline, "{what} did not listen on {port} within 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Writes a CA (`ca.pem`) and a certificate for 127.0.0.1 signed by it (`server.pem`,
/// `server.key`) into `dir`.
pub(crate) fn test_certificates(d: &Path) {
    run(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=naap test CA",
        ],
        d,
    );
    run(
        "openssl",
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
        d,
    );
    std::fs::write(d.join("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n").unwrap();
    run(
        "openssl",
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ],
        d,
    );
}

/// stunnel terminating TLS on `tls` for the plain TCP service on `plain`, with the
/// certificate of [`test_certificates`] in `d`.
pub(crate) async fn tls_terminator(d: &Path, tls: u16, plain: u16) -> Child {
    let conf = d.join(format!("stunnel-{tls}.conf"));
    std::fs::write(
        &conf,
        format!(
            "foreground = yes\npid =\n[service]\naccept = 127.0.0.1:{tls}\nconnect = 127.0.0.1:{plain}\ncert = {0}/server.pem\nkey = {0}/server.key\n",
            d.display()
        ),
    )
    .unwrap();
    let child = Command::new("stunnel")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start stunnel");
    wait_for_port(tls, "stunnel").await;
    child
}

/// Whether `program` can be run here; with `NAAP_REQUIRE_KAFKA_BROKER` set (`.ci/run`), a
/// missing one fails the test instead of skipping it.
pub(crate) fn available(program: &str) -> bool {
    if Command::new(program).arg("--version").output().is_ok() {
        return true;
    }
    if std::env::var_os("NAAP_REQUIRE_KAFKA_BROKER").is_some() {
        panic!("NAAP_REQUIRE_KAFKA_BROKER is set but {program} is missing");
    }
    eprintln!("SKIPPED: {program} not found (.ci/run installs tansu, stunnel4 and openssl)");
    false
}

/// A SASL_SSL Kafka endpoint: tansu behind stunnel.
struct KafkaTls {
    dir: tempfile::TempDir,
    children: Vec<Child>,
    /// The TLS endpoint clients use.
    bootstrap: String,
    /// The CA that signed the endpoint's certificate.
    ca: PathBuf,
}

impl Drop for KafkaTls {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl KafkaTls {
    async fn start() -> Option<KafkaTls> {
        let tansu = std::env::var("NAAP_TANSU").unwrap_or_else(|_| "tansu".into());
        if !["openssl", "stunnel", &tansu].into_iter().all(available) {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        test_certificates(d);

        let (plain, tls) = (free_port(), free_port());
        let broker = |authentication: bool| {
            let mut command = Command::new(&tansu);
            command
                .args(["broker", "--listener-url", &format!("tcp://127.0.0.1:{plain}")])
                .args(["--advertised-listener-url", &format!("tcp://127.0.0.1:{tls}")])
                .args(["--storage-engine", "sqlite://tansu.db", "--silent"])
                .current_dir(d)
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            if authentication {
                command.arg("--authentication");
            }
            command.spawn().expect("start tansu")
        };
        // Users and the topic are made before authentication is required (tansu's admin
        // commands do not authenticate), and kept in its SQLite file across the restart.
        let mut setup = broker(false);
        wait_for_port(plain, "tansu").await;
        let url = format!("tcp://127.0.0.1:{plain}");
        for ((user, password), mechanism) in [(USER_512, "scram512"), (USER_256, "scram256")] {
            run(
                &tansu,
                &[
                    "user",
                    "create",
                    user,
                    password,
                    "--mechanism",
                    mechanism,
                    "--broker",
                    &url,
                ],
                d,
            );
        }
        run(
            &tansu,
            &["topic", "create", TOPIC, "--partitions", "2", "--broker", &url],
            d,
        );
        let _ = setup.kill();
        let _ = setup.wait();
        let mut children = vec![broker(true)];
        wait_for_port(plain, "tansu with authentication").await;

        children.push(tls_terminator(d, tls, plain).await);
        Some(KafkaTls {
            ca: d.join("ca.pem"),
            dir,
            children,
            bootstrap: format!("127.0.0.1:{tls}"),
        })
    }

    /// Produces `messages` over SASL_SSL (one message per batch: tansu 0.6 skips the rest of a
    /// batch a fetch starts in the middle of, see docs/../build notes).
    fn produce(&self, messages: &[String]) {
        let producer: BaseProducer = ClientConfig::new()
            .set("bootstrap.servers", &self.bootstrap)
            .set("security.protocol", "sasl_ssl")
            .set("sasl.mechanisms", "SCRAM-SHA-512")
            .set("sasl.username", USER_512.0)
            .set("sasl.password", USER_512.1)
            .set("ssl.ca.location", self.ca.to_str().unwrap())
            .set("batch.num.messages", "1")
            .set("linger.ms", "0")
            .create()
            .unwrap();
        for (n, message) in messages.iter().enumerate() {
            let key = n.to_string();
            let mut record = BaseRecord::to(TOPIC).key(key.as_str()).payload(message.as_str());
            loop {
                match producer.send(record) {
                    Ok(()) => break,
                    Err((_, returned)) => {
                        producer.poll(Duration::from_millis(10));
                        record = returned;
                    }
                }
            }
        }
        producer.flush(Duration::from_secs(60)).unwrap();
    }

    fn ingest_args(&self, user: &str, mechanism: &str) -> Vec<String> {
        [
            "ingest",
            "--kafka-brokers",
            &self.bootstrap,
            "--kafka-topics",
            TOPIC,
            "--kafka-group",
            "naap-tls",
            "--kafka-security-protocol",
            "sasl_ssl",
            "--kafka-sasl-mechanism",
            mechanism,
            "--kafka-user",
            user,
            "--kafka-ca-file",
            self.ca.to_str().unwrap(),
            "--kafka-flush-ms",
            "200",
            "--metrics-listen",
            "127.0.0.1:0",
        ]
        .map(String::from)
        .to_vec()
    }
}

async fn bronze_ids(lake: &Lake) -> (usize, usize) {
    let rows = sorted_rows(lake, Dataset::Events).await;
    let distinct: std::collections::BTreeSet<&str> = rows.iter().filter_map(|r| r.split(',').next()).collect();
    (rows.len(), distinct.len())
}

async fn until_bronze_holds(lake: &Lake, expected: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (rows, distinct) = bronze_ids(lake).await;
        assert_eq!(rows, distinct, "a message was stored twice");
        if rows == expected {
            return;
        }
        assert!(rows < expected, "{rows} rows for {expected} messages");
        assert!(
            Instant::now() < deadline,
            "{rows} of {expected} messages in bronze after 120 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn stop(process: Process) {
    process.stop_with_ctrl_c().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sasl_over_tls_exactly_once_across_a_restart_and_a_wrong_password_fails_fast() {
    let Some(kafka) = KafkaTls::start().await else {
        return;
    };
    let scenario = scenarios::library::load("demo").unwrap();
    let options = scenarios::SimulateOptions {
        seed: Some(9),
        start_ms: Some(1_767_880_800_000),
        hours: Some(1),
    };
    let (lines, _) = scenarios::simulate_to_vec(&scenario, options).unwrap();
    let lines = &lines[..lines.len().min(800)];
    let (first, second) = lines.split_at(lines.len() / 2);
    let lake_dir = kafka.dir.path().join("lake");
    let lake_path = lake_dir.to_str().unwrap().to_string();
    let lake = Lake::open(&lake_path).unwrap();

    // First life, SCRAM-SHA-512: reads the first half, stops cleanly (Ctrl-C).
    kafka.produce(first);
    let args = kafka.ingest_args(USER_512.0, "SCRAM-SHA-512");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (consumer, _) = Process::spawn(&lake_path, &args, &[("NAAP_KAFKA_PASSWORD", USER_512.1)], "consuming").await;
    until_bronze_holds(&lake, first.len()).await;
    stop(consumer).await;

    // Second life, another user with SCRAM-SHA-256: resumes where the group committed.
    kafka.produce(second);
    let args = kafka.ingest_args(USER_256.0, "SCRAM-SHA-256");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (consumer, _) = Process::spawn(&lake_path, &args, &[("NAAP_KAFKA_PASSWORD", USER_256.1)], "consuming").await;
    until_bronze_holds(&lake, lines.len()).await;
    stop(consumer).await;

    // The simulator produces with the same security flags (its password from the same
    // variable): another hour of the demo network, over SASL_SSL, one message per batch
    // (tansu 0.6, above). A third consumer life reads all of it.
    let more = scenarios::SimulateOptions {
        seed: Some(10),
        start_ms: Some(1_767_880_800_000),
        hours: Some(1),
    };
    let (more, _) = scenarios::simulate_to_vec(&scenario, more).unwrap();
    let truth = kafka.dir.path().join("truth.json");
    let simulate = tokio::process::Command::new(env!("CARGO_BIN_EXE_naap"))
        .args(["--lake", &lake_path, "scenario", "simulate", "demo", "--seed", "10"])
        .args(["--start", "2026-01-08T14:00:00Z", "--hours", "1"])
        .args(["--kafka-brokers", &kafka.bootstrap, "--kafka-topic", TOPIC])
        .args([
            "--kafka-security-protocol",
            "sasl_ssl",
            "--kafka-sasl-mechanism",
            "SCRAM-SHA-512",
        ])
        .args([
            "--kafka-user",
            USER_512.0,
            "--kafka-ca-file",
            kafka.ca.to_str().unwrap(),
        ])
        .args([
            "--kafka-property",
            "batch.num.messages=1",
            "--kafka-property",
            "linger.ms=0",
        ])
        .args(["--truth", truth.to_str().unwrap()])
        .env("NAAP_KAFKA_PASSWORD", USER_512.1)
        .env("NAAP_LOG", "warn")
        .output();
    let output = tokio::time::timeout(Duration::from_secs(300), simulate)
        .await
        .expect("the simulator produces an hour within 5 minutes")
        .unwrap();
    assert!(
        output.status.success(),
        "naap scenario simulate --kafka-brokers over SASL_SSL: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let args = kafka.ingest_args(USER_256.0, "SCRAM-SHA-256");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (consumer, _) = Process::spawn(&lake_path, &args, &[("NAAP_KAFKA_PASSWORD", USER_256.1)], "consuming").await;
    until_bronze_holds(&lake, lines.len() + more.len()).await;
    stop(consumer).await;

    // A wrong password: a clear error and a non-zero exit, soon; the password never shown.
    let started = Instant::now();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_naap"))
        .args(["--lake", &lake_path])
        .args(kafka.ingest_args(USER_256.0, "SCRAM-SHA-256"))
        .env("NAAP_KAFKA_PASSWORD", "not-the-password")
        .env("NAAP_LOG", "warn")
        .output();
    let output = tokio::time::timeout(Duration::from_secs(60), output)
        .await
        .expect("a refused login ends naap ingest within a minute")
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("kafka refused the connection"), "{stderr}");
    assert!(!stderr.contains("not-the-password"), "{stderr}");
    eprintln!("wrong password refused in {:?}", started.elapsed());
}
