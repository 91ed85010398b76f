//! The command line refuses to open the lake to writers or operators without credentials.

use crate::support::naap;

#[test]
fn push_on_a_public_address_needs_credentials() {
    let lake = tempfile::tempdir().unwrap();
    let output = naap(
        lake.path(),
        &["ingest", "--listen", "0.0.0.0:0", "--metrics-listen", "127.0.0.1:0"],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("without credentials"), "{stderr}");
}

#[test]
fn operator_serving_needs_credentials() {
    let lake = tempfile::tempdir().unwrap();
    let output = naap(
        lake.path(),
        &[
            "serve",
            "--operator",
            "--http",
            "127.0.0.1:0",
            "--flight",
            "127.0.0.1:0",
        ],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--credentials"), "{stderr}");
}

#[test]
fn a_malformed_credentials_file_is_refused_with_its_line_and_no_secret() {
    let lake = tempfile::tempdir().unwrap();
    let file = lake.path().join("credentials");
    std::fs::write(&file, "gw push plaintext-secret-token\n").unwrap();
    let output = naap(
        lake.path(),
        &[
            "ingest",
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "127.0.0.1:0",
            "--credentials",
            file.to_str().unwrap(),
        ],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 1") && stderr.contains("SHA-256"), "{stderr}");
    assert!(!stderr.contains("plaintext-secret-token"), "{stderr}");
}

/// TLS for the public surfaces is terminated in front of naap (docs/operations.md): the
/// tested setup is stunnel with a certificate, forwarding to `naap serve` on loopback; a
/// client that trusts the CA reads the API over HTTPS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_is_served_over_tls_by_a_terminator_in_front() {
    use crate::kafka_tls::{available, test_certificates, tls_terminator};

    if !["openssl", "stunnel", "curl"].into_iter().all(available) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    test_certificates(dir.path());
    let lake = dir.path().join("lake");
    let naap = crate::support::Naap::spawn(&lake, &["serve"]).await;
    let plain: u16 = naap.http.rsplit(':').next().unwrap().parse().unwrap();
    let tls = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut terminator = tls_terminator(dir.path(), tls, plain).await;
    let output = tokio::process::Command::new("curl")
        .args(["-sS", "--fail", "--cacert"])
        .arg(dir.path().join("ca.pem"))
        .arg(format!("https://127.0.0.1:{tls}/healthz"))
        .output()
        .await
        .unwrap();
    let _ = terminator.kill();
    let _ = terminator.wait();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("ok"));
    naap.stop_with_ctrl_c().await;
}

/// The way docs/operations.md says to make a push token, run as written: the file it appends
/// to is accepted by `naap ingest --credentials`, the token it made is let in and another is
/// not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_token_made_as_the_operations_guide_says_is_accepted() {
    use tokio::io::{AsyncBufReadExt, BufReader};

    if !["openssl", "sha256sum", "sh"]
        .into_iter()
        .all(crate::kafka_tls::available)
    {
        return;
    }
    let doc = include_str!("../../../docs/operations.md");
    let snippet = doc
        .split("```sh\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap())
        .find(|block| block.contains("openssl rand"))
        .expect("the guide shows how to make a token");
    let dir = tempfile::tempdir().unwrap();
    let made = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("set -e\n{snippet}printf %s \"$token\""))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let token = String::from_utf8(made.stdout).unwrap();
    assert_eq!(token.len(), 64, "32 random bytes in hex");

    let mut ingest = tokio::process::Command::new(env!("CARGO_BIN_EXE_naap"))
        .arg("--lake")
        .arg(dir.path().join("lake"))
        .args(["ingest", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"])
        .arg("--credentials")
        .arg(dir.path().join("credentials"))
        .env("NAAP_LOG", "warn")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(ingest.stderr.take().unwrap()).lines();
    let url = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(url) = line.strip_prefix("accepting pushed events at ") {
                return url.to_string();
            }
        }
        panic!("naap ingest ended before listening");
    })
    .await
    .expect("naap ingest listens within 60 s");
    let event = r#"{"id":"doc-token-1","type":"ai_stream_status","timestamp":"1767909125608","gateway":"","data":{"type":"status","timestamp":1767909125608,"stream_id":"s","request_id":"r","pipeline":"p","state":"ONLINE"}}"#;
    let client = reqwest::Client::new();
    for (bearer, expected) in [(token.as_str(), 200), (&"0".repeat(64), 401)] {
        let status = client
            .post(&url)
            .bearer_auth(bearer)
            .body(event)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status.as_u16(), expected);
    }
    let _ = ingest.kill().await;
}
