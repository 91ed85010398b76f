//! A real S3 API server for tests: moto's `moto_server`, a separate process speaking the S3
//! protocol over HTTP (`pip install "moto[server]"`; `.ci/run` installs it).
//!
//! Without `moto_server` on the PATH an S3 test reports that it was skipped, unless
//! `NAAP_REQUIRE_S3_SERVER` is set (as `.ci/run` does), in which case it fails: CI never
//! passes an S3 test that did not run.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) struct S3Server {
    child: Child,
    pub(crate) endpoint: String,
}

impl S3Server {
    /// Starts a server with one empty bucket, or `None` when moto is not installed (and not
    /// required).
    pub(crate) async fn start(bucket: &str) -> Option<S3Server> {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = match Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(child) => child,
            Err(e) if std::env::var_os("NAAP_REQUIRE_S3_SERVER").is_none() => {
                eprintln!("SKIPPED: no S3 server (moto_server: {e}); pip install \"moto[server]\" to run this test");
                return None;
            }
            Err(e) => panic!("NAAP_REQUIRE_S3_SERVER is set but moto_server cannot start: {e}"),
        };
        let server = S3Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match client.put(format!("{}/{bucket}", server.endpoint)).send().await {
                Ok(response) if response.status().is_success() => return Some(server),
                Ok(response) => panic!("creating bucket {bucket}: HTTP {}", response.status()),
                Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
                Err(e) => panic!("moto_server did not answer within 30 s: {e}"),
            }
        }
    }

    /// The environment that points `object_store`'s S3 client (`AmazonS3Builder::from_env`)
    /// at this server.
    pub(crate) fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_ACCESS_KEY_ID", "naap-test".into()),
            ("AWS_SECRET_ACCESS_KEY", "naap-test-secret".into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
