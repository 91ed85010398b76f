//! Where an event came from, when its envelope does not say.
//!
//! go-livepeer sends `gateway: ""` in every envelope of the real captures, and the org whose
//! gateways feed a topic is nowhere in a message: the predecessor hard-codes it per topic
//! (`network_events` is Daydream's, `streaming_events` Cloud SPE's). So each source — a
//! Kafka topic, an HTTP push source (its credential's name), a replayed file (its stem) — can
//! be given an org and a gateway; silver rows take the org always and the gateway when the
//! envelope's is empty, and the gateway's region follows from `--gateway-region` in the
//! rollups. Bronze keeps the envelope as sent.

use std::collections::BTreeMap;

use lakehouse_layout::{SourceKind, SourceRange};

/// The org and gateway of one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceIdentity {
    /// Who runs the source's gateways (e.g. `daydream`, `cloudspe`).
    pub org: String,
    /// The gateway to record when an envelope names none.
    pub gateway: Option<String>,
}

/// The identities of the sources an ingest reads, by source name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceIdentities {
    by_source: BTreeMap<String, SourceIdentity>,
}

/// The two production topics and their orgs (`prior-art.md`, the predecessor's topology).
pub const REAL_TOPICS: [(&str, &str); 2] = [("network_events", "daydream"), ("streaming_events", "cloudspe")];

impl Default for SourceIdentities {
    /// The real topics' orgs, without a gateway (their envelopes name none, and no
    /// configuration says which gateway sent them).
    fn default() -> Self {
        let mut identities = SourceIdentities::none();
        for (topic, org) in REAL_TOPICS {
            identities = identities.with(
                topic,
                SourceIdentity {
                    org: org.to_string(),
                    gateway: None,
                },
            );
        }
        identities
    }
}

impl SourceIdentities {
    /// No source has an identity.
    pub fn none() -> SourceIdentities {
        SourceIdentities {
            by_source: BTreeMap::new(),
        }
    }

    /// These identities with `source`'s set to `identity` (replacing a default).
    pub fn with(mut self, source: &str, identity: SourceIdentity) -> SourceIdentities {
        self.by_source.insert(source.to_string(), identity);
        self
    }

    /// The defaults with `assignments` (`SOURCE=ORG` or `SOURCE=ORG/GATEWAY`) applied.
    pub fn parse<'a>(assignments: impl IntoIterator<Item = &'a str>) -> Result<SourceIdentities, String> {
        let mut identities = SourceIdentities::default();
        for assignment in assignments {
            let (source, identity) = parse_assignment(assignment)?;
            identities = identities.with(&source, identity);
        }
        Ok(identities)
    }

    /// The identity of the source `range` reads: by its name (a Kafka topic, an HTTP push
    /// source), or for a replayed file by its stem (the name without its content hash).
    pub fn of(&self, range: &SourceRange) -> Option<&SourceIdentity> {
        self.of_source(range.kind(), range.name())
    }

    /// [`Self::of`] for a source given by its kind and name.
    pub fn of_source(&self, kind: SourceKind, name: &str) -> Option<&SourceIdentity> {
        if let Some(identity) = self.by_source.get(name) {
            return Some(identity);
        }
        match kind {
            SourceKind::File => {
                let (stem, _hash) = name.rsplit_once('-')?;
                self.by_source.get(stem)
            }
            _ => None,
        }
    }
}

/// `SOURCE=ORG[/GATEWAY]`.
fn parse_assignment(text: &str) -> Result<(String, SourceIdentity), String> {
    let bad = |why: &str| format!("{text:?}: {why} (expected SOURCE=ORG or SOURCE=ORG/GATEWAY)");
    let (source, identity) = text.split_once('=').ok_or_else(|| bad("no '='"))?;
    let (org, gateway) = match identity.split_once('/') {
        Some((org, gateway)) => (org, Some(gateway)),
        None => (identity, None),
    };
    if source.trim().is_empty() || org.trim().is_empty() || gateway.is_some_and(|g| g.trim().is_empty()) {
        return Err(bad("empty source, org or gateway"));
    }
    Ok((
        source.trim().to_string(),
        SourceIdentity {
            org: org.trim().to_string(),
            gateway: gateway.map(|g| g.trim().to_string()),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(kind: SourceKind, name: &str) -> SourceRange {
        SourceRange::new(kind, name, 0, 0, 0).unwrap()
    }

    #[test]
    fn the_real_topics_have_their_orgs_by_default() {
        let identities = SourceIdentities::default();
        let org = |topic| identities.of(&range(SourceKind::Kafka, topic)).map(|i| i.org.as_str());
        assert_eq!(org("network_events"), Some("daydream"));
        assert_eq!(org("streaming_events"), Some("cloudspe"));
        assert_eq!(org("other_topic"), None);
    }

    #[test]
    fn assignments_override_defaults_and_name_a_gateway() {
        let identities =
            SourceIdentities::parse(["network_events=livepeer-inc", "capture=cloudspe/gw-cloudspe-1"]).unwrap();
        assert_eq!(
            identities.of(&range(SourceKind::Kafka, "network_events")),
            Some(&SourceIdentity {
                org: "livepeer-inc".into(),
                gateway: None
            })
        );
        // A replayed file is named by its stem and a content hash.
        let file = identities.of(&range(SourceKind::File, "capture-0123abcd")).unwrap();
        assert_eq!(file.gateway.as_deref(), Some("gw-cloudspe-1"));
        // The stem rule is for files only.
        assert_eq!(identities.of(&range(SourceKind::Http, "capture-0123abcd")), None);
    }

    #[test]
    fn malformed_assignments_say_what_is_expected() {
        for bad in ["network_events", "=daydream", "t=", "t=org/", "t= /gw"] {
            let error = SourceIdentities::parse([bad]).unwrap_err();
            assert!(error.contains("SOURCE=ORG"), "{bad}: {error}");
        }
    }
}
