//! Decoder versions: which rules turned a message into silver rows.
//!
//! Every silver and dead-letter row records the version of the decoders that produced it, so
//! that data quality can show which days were decoded with which rules and `naap reprocess`
//! can re-derive them with the current ones. Bump [`DecoderVersion::CURRENT`] whenever a
//! decoder's output for some input changes, and say how in [`DecoderVersion::CHANGES`].

/// A version of the decoders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DecoderVersion(i32);

impl DecoderVersion {
    /// The first version naap recorded. Silver rows written before versions were recorded
    /// have a NULL `decoder_version`: they were decoded by version 1's rules or older ones.
    pub const V1: DecoderVersion = DecoderVersion(1);

    /// The decoders of this build.
    pub const CURRENT: DecoderVersion = DecoderVersion(2);

    /// What each version changed, newest last.
    pub const CHANGES: &[(DecoderVersion, &str)] = &[
        (DecoderVersion(1), "the first recorded version"),
        (
            DecoderVersion(2),
            "network_capabilities: an orchestrator entry of an unexpected shape is rejected alone \
             (a dead letter naming it); the report's other entries are kept",
        ),
    ];

    /// Every version this build can decode with.
    pub const ALL: [DecoderVersion; 2] = [DecoderVersion::V1, DecoderVersion::CURRENT];

    /// The version by number, if this build has it.
    pub fn from_number(number: i32) -> Option<DecoderVersion> {
        Self::ALL.into_iter().find(|v| v.0 == number)
    }

    /// The number recorded in `decoder_version` columns.
    pub fn number(self) -> i32 {
        self.0
    }

    /// Whether a report's entries are accepted or rejected one by one (version 2 on).
    pub(crate) fn accepts_entries_one_by_one(self) -> bool {
        self.0 >= 2
    }
}

impl std::fmt::Display for DecoderVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_says_what_it_changed() {
        let listed: Vec<DecoderVersion> = DecoderVersion::CHANGES.iter().map(|(v, _)| *v).collect();
        assert_eq!(listed, DecoderVersion::ALL.to_vec());
        assert_eq!(DecoderVersion::ALL.last(), Some(&DecoderVersion::CURRENT));
    }
}
