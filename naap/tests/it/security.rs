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
