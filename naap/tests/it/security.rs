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
