//! How the Kafka source authenticates: TLS and SASL as the production clusters want them.
//!
//! go-livepeer gateways publish with SASL/PLAIN over TLS whenever `-kafkaUser` and
//! `-kafkaPassword` are set, and the `network_events` topic comes out of a Confluent Cloud
//! cluster (`security.protocol=SASL_SSL`, `sasl.mechanisms=PLAIN`, an API key as user and its
//! secret as password). Self-hosted clusters often use SCRAM instead. This module turns those
//! settings into librdkafka properties, checks that the linked librdkafka was built with what
//! they need, and keeps the password out of every `Debug`, log line and error message.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use rdkafka::config::ClientConfig;

use crate::error::{Error, Result};

/// `security.protocol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecurityProtocol {
    /// No TLS, no authentication (a broker on a private network, tests).
    #[default]
    Plaintext,
    /// TLS, no SASL.
    Ssl,
    /// SASL without TLS (the password crosses the network in the clear with PLAIN).
    SaslPlaintext,
    /// SASL over TLS: Confluent Cloud and go-livepeer's own producer settings.
    SaslSsl,
}

impl SecurityProtocol {
    /// librdkafka's name of the protocol.
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityProtocol::Plaintext => "plaintext",
            SecurityProtocol::Ssl => "ssl",
            SecurityProtocol::SaslPlaintext => "sasl_plaintext",
            SecurityProtocol::SaslSsl => "sasl_ssl",
        }
    }

    fn uses_tls(self) -> bool {
        matches!(self, SecurityProtocol::Ssl | SecurityProtocol::SaslSsl)
    }

    fn uses_sasl(self) -> bool {
        matches!(self, SecurityProtocol::SaslPlaintext | SecurityProtocol::SaslSsl)
    }
}

impl FromStr for SecurityProtocol {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().replace('-', "_").as_str() {
            "plaintext" => Ok(SecurityProtocol::Plaintext),
            "ssl" => Ok(SecurityProtocol::Ssl),
            "sasl_plaintext" => Ok(SecurityProtocol::SaslPlaintext),
            "sasl_ssl" => Ok(SecurityProtocol::SaslSsl),
            other => Err(format!(
                "unknown security protocol {other:?} (plaintext, ssl, sasl_plaintext, sasl_ssl)"
            )),
        }
    }
}

/// `sasl.mechanisms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SaslMechanism {
    /// User and password sent as they are (inside TLS): Confluent Cloud API keys.
    #[default]
    Plain,
    /// SCRAM with SHA-256: the password never crosses the network.
    ScramSha256,
    /// SCRAM with SHA-512.
    ScramSha512,
}

impl SaslMechanism {
    /// librdkafka's name of the mechanism.
    pub fn as_str(self) -> &'static str {
        match self {
            SaslMechanism::Plain => "PLAIN",
            SaslMechanism::ScramSha256 => "SCRAM-SHA-256",
            SaslMechanism::ScramSha512 => "SCRAM-SHA-512",
        }
    }

    /// The `builtin.features` entry librdkafka needs for the mechanism.
    fn feature(self) -> &'static str {
        match self {
            SaslMechanism::Plain => "sasl_plain",
            SaslMechanism::ScramSha256 | SaslMechanism::ScramSha512 => "sasl_scram",
        }
    }
}

impl FromStr for SaslMechanism {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_uppercase().replace('_', "-").as_str() {
            "PLAIN" => Ok(SaslMechanism::Plain),
            "SCRAM-SHA-256" => Ok(SaslMechanism::ScramSha256),
            "SCRAM-SHA-512" => Ok(SaslMechanism::ScramSha512),
            other => Err(format!(
                "unknown SASL mechanism {other:?} (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)"
            )),
        }
    }
}

/// A secret: shown as `***` by `Debug` and `Display`, readable only with [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// Reads a secret from a file (one line; a trailing newline is not part of it).
    pub fn from_file(path: &std::path::Path) -> Result<Secret> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::ReadFile {
            path: path.display().to_string(),
            source,
        })?;
        Ok(Secret(text.trim_end_matches(['\r', '\n']).to_string()))
    }

    /// The secret itself, for the one place that hands it to the client library.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// TLS and SASL settings of a Kafka client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KafkaSecurity {
    /// `security.protocol`.
    pub protocol: SecurityProtocol,
    /// `sasl.mechanisms` (SASL protocols only).
    pub mechanism: SaslMechanism,
    /// `sasl.username` (SASL protocols only).
    pub username: Option<String>,
    /// `sasl.password` (SASL protocols only).
    pub password: Option<Secret>,
    /// `ssl.ca.location`: the CA bundle that signs the brokers' certificates; the system's
    /// trust store when not given.
    pub ca_file: Option<PathBuf>,
}

/// librdkafka properties that carry secrets: set through [`KafkaSecurity`], never as plain
/// `--kafka-property` values (which end up in shell histories, process lists and logs).
pub const SECRET_PROPERTIES: [&str; 4] = [
    "sasl.password",
    "ssl.key.password",
    "ssl.keystore.password",
    "sasl.oauthbearer.client.secret",
];

impl KafkaSecurity {
    /// Checks that the settings make sense together (a user and a password with SASL, none
    /// without it, a readable CA file).
    pub fn validate(&self) -> Result<()> {
        if self.protocol.uses_sasl() {
            if self.username.as_deref().is_none_or(str::is_empty) {
                return Err(Error::Config(format!(
                    "security protocol {} needs a SASL user (--kafka-user / NAAP_KAFKA_USER)",
                    self.protocol.as_str()
                )));
            }
            if self.password.as_ref().is_none_or(|p| p.expose().is_empty()) {
                return Err(Error::Config(format!(
                    "security protocol {} needs a SASL password (NAAP_KAFKA_PASSWORD or --kafka-password-file)",
                    self.protocol.as_str()
                )));
            }
        } else if self.username.is_some() || self.password.is_some() {
            return Err(Error::Config(format!(
                "a SASL user or password is set but the security protocol is {}: \
                 use --kafka-security-protocol sasl_ssl",
                self.protocol.as_str()
            )));
        }
        if let Some(ca) = &self.ca_file {
            if !self.protocol.uses_tls() {
                return Err(Error::Config(format!(
                    "--kafka-ca-file is set but the security protocol {} has no TLS",
                    self.protocol.as_str()
                )));
            }
            if !ca.is_file() {
                return Err(Error::Config(format!(
                    "CA file {} is not a readable file",
                    ca.display()
                )));
            }
        }
        Ok(())
    }

    /// The `builtin.features` the settings need from librdkafka.
    fn needed_features(&self) -> Vec<&'static str> {
        let mut needed = Vec::new();
        if self.protocol.uses_tls() {
            needed.push("ssl");
        }
        if self.protocol.uses_sasl() {
            needed.push(self.mechanism.feature());
        }
        needed
    }

    /// Sets the properties on `client` after checking that this librdkafka supports them.
    pub fn apply(&self, client: &mut ClientConfig) -> Result<()> {
        self.validate()?;
        check_builtin_features(&self.needed_features())?;
        client.set("security.protocol", self.protocol.as_str());
        if self.protocol.uses_sasl() {
            client.set("sasl.mechanisms", self.mechanism.as_str());
            client.set("sasl.username", self.username.as_deref().unwrap_or_default());
            client.set(
                "sasl.password",
                self.password.as_ref().map(Secret::expose).unwrap_or_default(),
            );
        }
        if self.protocol.uses_tls() {
            // OpenSSL is built from source here, so its compiled-in trust store path may not
            // be this system's: without a CA file, librdkafka probes the usual locations.
            let ca = self.ca_file.as_ref().map(|ca| ca.display().to_string());
            client.set("ssl.ca.location", ca.as_deref().unwrap_or("probe"));
        }
        Ok(())
    }
}

/// Fails with a clear message when the linked librdkafka was built without one of `needed`
/// (its `builtin.features` property lists what it was built with).
pub fn check_builtin_features(needed: &[&str]) -> Result<()> {
    if needed.is_empty() {
        return Ok(());
    }
    let native = ClientConfig::new()
        .create_native_config()
        .map_err(|e| Error::Kafka(e.to_string()))?;
    let built = native
        .get("builtin.features")
        .map_err(|e| Error::Kafka(e.to_string()))?;
    let built: Vec<&str> = built.split(',').collect();
    let missing: Vec<&str> = needed.iter().copied().filter(|f| !built.contains(f)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::Config(format!(
        "this librdkafka was built without {} (it has: {})",
        missing.join(", "),
        built.join(", ")
    )))
}

/// Whether a librdkafka error means the credentials or the TLS trust were refused: retrying
/// with the same settings cannot succeed, so the consumer stops instead of looking healthy.
pub fn is_fatal_auth_error(code: rdkafka::types::RDKafkaErrorCode) -> bool {
    use rdkafka::types::RDKafkaErrorCode as C;
    matches!(
        code,
        C::Authentication
            | C::SaslAuthenticationFailed
            | C::SSL
            | C::UnsupportedSASLMechanism
            | C::IllegalSASLState
            | C::TopicAuthorizationFailed
            | C::GroupAuthorizationFailed
            | C::ClusterAuthorizationFailed
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sasl_ssl() -> KafkaSecurity {
        KafkaSecurity {
            protocol: SecurityProtocol::SaslSsl,
            mechanism: SaslMechanism::ScramSha512,
            username: Some("naap".into()),
            password: Some(Secret::new("s3cret-value")),
            ca_file: None,
        }
    }

    #[test]
    fn names_parse_as_librdkafka_and_confluent_spell_them() {
        assert_eq!("SASL_SSL".parse(), Ok(SecurityProtocol::SaslSsl));
        assert_eq!("sasl-plaintext".parse(), Ok(SecurityProtocol::SaslPlaintext));
        assert_eq!("scram-sha-256".parse(), Ok(SaslMechanism::ScramSha256));
        assert_eq!("SCRAM_SHA_512".parse(), Ok(SaslMechanism::ScramSha512));
        assert!("kerberos".parse::<SaslMechanism>().is_err());
        assert!("tls".parse::<SecurityProtocol>().is_err());
    }

    #[test]
    fn the_password_never_shows() {
        let security = sasl_ssl();
        let shown = format!("{security:?} {}", security.password.as_ref().unwrap());
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("***"));
    }

    #[test]
    fn settings_that_cannot_work_are_refused_before_connecting() {
        assert!(sasl_ssl().validate().is_ok());
        let no_password = KafkaSecurity {
            password: None,
            ..sasl_ssl()
        };
        let error = no_password.validate().unwrap_err().to_string();
        assert!(error.contains("NAAP_KAFKA_PASSWORD"), "{error}");
        let plaintext_with_user = KafkaSecurity {
            protocol: SecurityProtocol::Plaintext,
            ..sasl_ssl()
        };
        assert!(plaintext_with_user.validate().is_err());
        let missing_ca = KafkaSecurity {
            ca_file: Some("/nonexistent/ca.pem".into()),
            ..sasl_ssl()
        };
        assert!(
            missing_ca
                .validate()
                .unwrap_err()
                .to_string()
                .contains("/nonexistent/ca.pem")
        );
    }

    #[test]
    fn this_build_supports_tls_plain_and_scram() {
        check_builtin_features(&["ssl", "sasl_plain", "sasl_scram"]).unwrap();
        let error = check_builtin_features(&["no_such_feature"]).unwrap_err().to_string();
        assert!(error.contains("no_such_feature"), "{error}");
    }

    #[test]
    fn properties_carry_the_settings() {
        let mut client = ClientConfig::new();
        sasl_ssl().apply(&mut client).unwrap();
        assert_eq!(client.get("security.protocol"), Some("sasl_ssl"));
        assert_eq!(client.get("sasl.mechanisms"), Some("SCRAM-SHA-512"));
        assert_eq!(client.get("sasl.username"), Some("naap"));
        assert_eq!(client.get("sasl.password"), Some("s3cret-value"));
    }
}
