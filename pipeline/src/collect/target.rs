//! Collector targets: what to poll, where, and how often. From a TOML file, from flags, or
//! both.

use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::error::{Error, Result};

/// What a target serves, which decides the event family its answers become.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// A gateway's `/getNetworkCapabilities` → `network_capabilities` events, as the gateway
    /// would publish them to Kafka.
    NetworkCapabilities,
    /// A gateway's `/registeredOrchestrators` → `naap_orchestrator_registry` events.
    OrchestratorRegistry,
    /// A node's Prometheus `/metrics` → `naap_metrics_scrape` events.
    Metrics,
}

impl Endpoint {
    /// The name in configuration and in the `endpoint` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Endpoint::NetworkCapabilities => "network_capabilities",
            Endpoint::OrchestratorRegistry => "orchestrator_registry",
            Endpoint::Metrics => "metrics",
        }
    }

    /// The event family an answer becomes.
    pub fn family(self) -> &'static str {
        match self {
            Endpoint::NetworkCapabilities => "network_capabilities",
            Endpoint::OrchestratorRegistry => "naap_orchestrator_registry",
            Endpoint::Metrics => "naap_metrics_scrape",
        }
    }

    /// The default poll interval: a gateway refreshes capabilities every 25 min and the
    /// registry once per round, while metrics are counters worth a minute's resolution.
    pub fn default_interval(self) -> Duration {
        match self {
            Endpoint::NetworkCapabilities => Duration::from_secs(300),
            Endpoint::OrchestratorRegistry => Duration::from_secs(900),
            Endpoint::Metrics => Duration::from_secs(60),
        }
    }
}

/// One thing to poll.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Unique name, `[A-Za-z0-9._-]`: the source name of the files written for it.
    pub name: String,
    /// What the URL serves.
    pub endpoint: Endpoint,
    /// The full URL polled.
    pub url: Url,
    /// Time between polls (before jitter and back-off).
    pub interval: Duration,
    /// Time a poll may take, body included.
    pub timeout: Duration,
}

impl Target {
    /// The envelope `gateway` of the events: the polled host for gateway endpoints (a gateway
    /// publishing to Kafka names itself), empty for node metrics.
    pub(crate) fn gateway(&self) -> String {
        match self.endpoint {
            Endpoint::Metrics => String::new(),
            _ => host_port(&self.url),
        }
    }
}

fn host_port(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        _ => String::new(),
    }
}

/// A source name from a URL's host and port (`gw1.example.com-7935`).
fn name_from(url: &Url, suffix: &str) -> String {
    let base: String = host_port(url)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{base}-{suffix}")
}

/// Settings shared by every target unless a target overrides them.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectorConfig {
    /// The targets, with unique names.
    pub targets: Vec<Target>,
    /// Polls are buffered and written at most this often, per target: a file per poll
    /// would leave thousands of tiny files a day.
    pub flush_interval: Duration,
    /// Each wait is the interval times a random factor in `[1 − jitter, 1 + jitter]`, so
    /// that many collectors do not poll a node at the same instant.
    pub jitter: f64,
    /// After failures the wait doubles per consecutive failure, up to this.
    pub max_backoff: Duration,
    /// The largest answer accepted, in bytes.
    pub max_response_bytes: usize,
    /// Seed of the jitter generator (reproducible schedules in tests).
    pub seed: u64,
}

/// Default time a poll may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

impl Default for CollectorConfig {
    fn default() -> Self {
        CollectorConfig {
            targets: Vec::new(),
            flush_interval: Duration::from_secs(300),
            jitter: 0.1,
            max_backoff: Duration::from_secs(1800),
            max_response_bytes: 32 << 20,
            seed: 0,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    interval_secs: Option<f64>,
    #[serde(default)]
    timeout_secs: Option<f64>,
    #[serde(default)]
    flush_secs: Option<f64>,
    #[serde(default)]
    jitter: Option<f64>,
    #[serde(default)]
    max_backoff_secs: Option<f64>,
    #[serde(default)]
    max_response_bytes: Option<usize>,
    #[serde(default)]
    gateways: Vec<String>,
    #[serde(default)]
    metrics: Vec<String>,
    #[serde(default, rename = "target")]
    targets: Vec<TargetFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetFile {
    #[serde(default)]
    name: Option<String>,
    endpoint: Endpoint,
    url: String,
    #[serde(default)]
    interval_secs: Option<f64>,
    #[serde(default)]
    timeout_secs: Option<f64>,
}

fn seconds(value: f64, what: &str) -> Result<Duration> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| Error::Config(format!("{what} must be a positive number of seconds, got {value}")))
}

fn parse_url(text: &str) -> Result<Url> {
    let url = Url::parse(text).map_err(|e| Error::Config(format!("{text:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::Config(format!("{text:?} is not an http(s) URL with a host")));
    }
    Ok(url)
}

/// A gateway's base URL → its capabilities and registry endpoints.
fn gateway_targets(base: &str, interval: Option<Duration>, timeout: Duration) -> Result<Vec<Target>> {
    let url = parse_url(base)?;
    [
        (Endpoint::NetworkCapabilities, "getNetworkCapabilities", "capabilities"),
        (Endpoint::OrchestratorRegistry, "registeredOrchestrators", "registry"),
    ]
    .into_iter()
    .map(|(endpoint, path, suffix)| {
        let full = url.join(path).map_err(|e| Error::Config(format!("{base:?}: {e}")))?;
        Ok(Target {
            name: name_from(&url, suffix),
            endpoint,
            url: full,
            interval: interval.unwrap_or(endpoint.default_interval()),
            timeout,
        })
    })
    .collect()
}

/// A node's metrics URL; a bare host gets the `/metrics` path.
fn metrics_target(text: &str, interval: Option<Duration>, timeout: Duration) -> Result<Target> {
    let mut url = parse_url(text)?;
    if url.path() == "/" || url.path().is_empty() {
        url.set_path("/metrics");
    }
    Ok(Target {
        name: name_from(&url, "metrics"),
        endpoint: Endpoint::Metrics,
        url,
        interval: interval.unwrap_or(Endpoint::Metrics.default_interval()),
        timeout,
    })
}

impl CollectorConfig {
    /// A configuration from the text of a TOML file:
    ///
    /// ```toml
    /// interval_secs = 60          # optional: every target's interval
    /// timeout_secs = 10
    /// flush_secs = 300
    /// gateways = ["http://gw1:7935"]          # capabilities + registry of each
    /// metrics = ["http://orch1:7935/metrics"]
    ///
    /// [[target]]
    /// name = "gw2-caps"                       # optional
    /// endpoint = "network_capabilities"       # or orchestrator_registry, metrics
    /// url = "http://gw2:7935/getNetworkCapabilities"
    /// interval_secs = 300
    /// ```
    pub fn from_toml(text: &str) -> Result<CollectorConfig> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| Error::Config(e.to_string()))?;
        let mut config = CollectorConfig::default();
        let interval = file.interval_secs.map(|s| seconds(s, "interval_secs")).transpose()?;
        let timeout = match file.timeout_secs {
            Some(s) => seconds(s, "timeout_secs")?,
            None => DEFAULT_TIMEOUT,
        };
        if let Some(s) = file.flush_secs {
            config.flush_interval = seconds(s, "flush_secs")?;
        }
        if let Some(s) = file.max_backoff_secs {
            config.max_backoff = seconds(s, "max_backoff_secs")?;
        }
        if let Some(jitter) = file.jitter {
            if !(0.0..1.0).contains(&jitter) {
                return Err(Error::Config(format!("jitter must be in [0, 1), got {jitter}")));
            }
            config.jitter = jitter;
        }
        if let Some(bytes) = file.max_response_bytes {
            config.max_response_bytes = bytes;
        }
        for gateway in &file.gateways {
            config.targets.extend(gateway_targets(gateway, interval, timeout)?);
        }
        for metrics in &file.metrics {
            config.targets.push(metrics_target(metrics, interval, timeout)?);
        }
        for t in file.targets {
            let url = parse_url(&t.url)?;
            let interval = match t.interval_secs {
                Some(s) => seconds(s, "interval_secs")?,
                None => interval.unwrap_or(t.endpoint.default_interval()),
            };
            let timeout = match t.timeout_secs {
                Some(s) => seconds(s, "timeout_secs")?,
                None => timeout,
            };
            config.targets.push(Target {
                name: t.name.unwrap_or_else(|| name_from(&url, t.endpoint.as_str())),
                endpoint: t.endpoint,
                url,
                interval,
                timeout,
            });
        }
        Ok(config)
    }

    /// Adds the targets of `--gateway` and `--metrics` flags.
    pub fn add_flags(
        &mut self,
        gateways: &[String],
        metrics: &[String],
        interval: Option<Duration>,
        timeout: Duration,
    ) -> Result<()> {
        for gateway in gateways {
            self.targets.extend(gateway_targets(gateway, interval, timeout)?);
        }
        for url in metrics {
            self.targets.push(metrics_target(url, interval, timeout)?);
        }
        Ok(())
    }

    /// Checks that there is something to poll and that names are unique source names.
    pub fn validate(&self) -> Result<()> {
        if self.targets.is_empty() {
            return Err(Error::Config(
                "no targets: give --gateway URL, --metrics URL or a --config file".into(),
            ));
        }
        let mut names = std::collections::BTreeSet::new();
        for target in &self.targets {
            lakehouse_layout::SourceRange::new(lakehouse_layout::SourceKind::Collector, &target.name, 0, 0, 0)
                .map_err(|e| Error::Config(format!("target {:?}: {e}", target.name)))?;
            if !names.insert(target.name.as_str()) {
                return Err(Error::Config(format!(
                    "two targets are named {:?}: give them distinct names",
                    target.name
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gateway_flag_becomes_two_targets() {
        let mut config = CollectorConfig::default();
        config
            .add_flags(
                &["http://gw1.example.com:7935".into()],
                &["http://orch:7935".into()],
                None,
                DEFAULT_TIMEOUT,
            )
            .unwrap();
        let urls: Vec<_> = config
            .targets
            .iter()
            .map(|t| (t.name.as_str(), t.url.as_str()))
            .collect();
        assert_eq!(
            urls,
            [
                (
                    "gw1.example.com-7935-capabilities",
                    "http://gw1.example.com:7935/getNetworkCapabilities"
                ),
                (
                    "gw1.example.com-7935-registry",
                    "http://gw1.example.com:7935/registeredOrchestrators"
                ),
                ("orch-7935-metrics", "http://orch:7935/metrics"),
            ]
        );
        config.validate().unwrap();
    }

    #[test]
    fn a_config_file_is_read_and_checked() {
        let config = CollectorConfig::from_toml(
            "timeout_secs = 2\nflush_secs = 30\ngateways = [\"http://gw:7935\"]\n\
             [[target]]\nendpoint = \"metrics\"\nurl = \"http://ai-worker:7935/metrics\"\ninterval_secs = 15\n",
        )
        .unwrap();
        assert_eq!(config.targets.len(), 3);
        assert_eq!(config.flush_interval, Duration::from_secs(30));
        assert_eq!(config.targets[2].interval, Duration::from_secs(15));
        assert_eq!(config.targets[2].timeout, Duration::from_secs(2));
        for (bad, expected) in [
            ("gateways = [\"ftp://x\"]", "http(s)"),
            ("interval_secs = 0", "positive"),
            ("jitter = 2.0", "jitter"),
            ("[[target]]\nendpoint = \"nope\"\nurl = \"http://x\"", "unknown variant"),
            ("colour = 1", "unknown field"),
        ] {
            let error = CollectorConfig::from_toml(bad).unwrap_err().to_string();
            assert!(error.contains(expected), "{bad}: {error}");
        }
        let duplicate = CollectorConfig::from_toml("metrics = [\"http://a:1\", \"http://a:1/metrics\"]").unwrap();
        assert!(duplicate.validate().unwrap_err().to_string().contains("two targets"));
    }
}
