//! Dead letters: messages that could not be accepted, kept with the reason.

use std::fmt;

/// Why a message was rejected. The tags are stable: they are the `reason` column and the
/// label of the dead-letter metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    /// The bytes are not UTF-8.
    NotUtf8,
    /// The text is not JSON.
    NotJson,
    /// The JSON is not an envelope object, or an envelope field has the wrong type.
    InvalidEnvelope,
    /// `id`, `type`, `timestamp` or `data` is missing or empty.
    MissingField,
    /// The envelope timestamp is not plausible epoch milliseconds.
    BadTimestamp,
    /// The payload violates its family's schema.
    InvalidPayload,
    /// The message is larger than the accepted maximum.
    TooLarge,
}

impl Reason {
    /// Every reason.
    pub const ALL: [Reason; 7] = [
        Reason::NotUtf8,
        Reason::NotJson,
        Reason::InvalidEnvelope,
        Reason::MissingField,
        Reason::BadTimestamp,
        Reason::InvalidPayload,
        Reason::TooLarge,
    ];

    /// The stable tag.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NotUtf8 => "not_utf8",
            Reason::NotJson => "not_json",
            Reason::InvalidEnvelope => "invalid_envelope",
            Reason::MissingField => "missing_field",
            Reason::BadTimestamp => "bad_timestamp",
            Reason::InvalidPayload => "invalid_payload",
            Reason::TooLarge => "too_large",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
