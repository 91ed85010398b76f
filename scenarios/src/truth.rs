//! The ground truth a simulation writes beside its events: the true parameters of every
//! orchestrator and the exact counts naap must report from the events.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::network::SimOrchestrator;

/// Everything that is true about a simulated run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GroundTruth {
    /// Scenario name.
    pub scenario: String,
    /// Seed used.
    pub seed: u64,
    /// First arrival, ms since the epoch.
    pub start_ms: i64,
    /// End of arrivals, ms since the epoch (sessions may run past it).
    pub end_ms: i64,
    /// Gateways and their regions.
    pub gateways: BTreeMap<String, String>,
    /// Every orchestrator with its drawn, true behaviour.
    pub orchestrators: Vec<SimOrchestrator>,
    /// What was delivered, with every fault injected.
    pub delivery: DeliveryTruth,
    /// Organic live-video sessions by outcome, as naap defines them (`docs/metrics.md`).
    pub live: LiveTruth,
    /// Synthetic probe streams (`aiJobTesterStream-*`), kept apart as naap keeps them.
    pub probe_live: LiveTruth,
    /// Batch and LLM jobs.
    pub jobs: JobsTruth,
    /// Payments created by the gateways.
    pub payments: PaymentTruth,
    /// Live payments signed by remote signers (`create_signed_ticket`).
    pub signed_tickets: SignedTicketTruth,
    /// The scenario's incidents, as they happened.
    pub incidents: Vec<IncidentTruth>,
}

/// Remote-signer payments.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SignedTicketTruth {
    /// `create_signed_ticket` events.
    pub events: u64,
    /// Sum of `computed_fee`, wei (a decimal string: exact beyond 2^53).
    pub fee_wei: String,
    /// Fees per orchestrator (on-chain address, lowercase), wei as decimal strings.
    pub fee_wei_by_orchestrator: BTreeMap<String, String>,
    #[serde(skip)]
    pub(crate) fee_sums: BTreeMap<String, u128>,
}

/// Envelopes and faults.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DeliveryTruth {
    /// Lines written (envelopes, their duplicates and malformed messages).
    pub lines: u64,
    /// Distinct envelopes delivered.
    pub envelopes: u64,
    /// Distinct envelopes delivered, per family.
    pub by_family: BTreeMap<String, u64>,
    /// Extra copies of an envelope (same id, same bytes).
    pub duplicates: u64,
    /// Envelopes delivered out of order, late.
    pub late: u64,
    /// Samples lost before delivery, per family (never lifecycle events).
    pub dropped: BTreeMap<String, u64>,
    /// Malformed messages, per dead-letter reason naap must give them.
    pub malformed: BTreeMap<String, u64>,
}

/// Live sessions. Each session counts for the orchestrator that served it last (naap's
/// attribution); excused sessions are excluded from the success rate's denominator.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LiveTruth {
    /// All requested sessions.
    pub total: SessionCounts,
    /// Sessions no orchestrator was available for (excused, unattributed).
    pub no_orchestrator: u64,
    /// Sessions the client left before the start (excused).
    pub client_abandoned: u64,
    /// Per orchestrator, by on-chain address.
    pub by_orchestrator: BTreeMap<String, SessionCounts>,
    /// Sessions of an off-chain gateway (no payment) that no event names an orchestrator for
    /// (attribution `none`): failed or abandoned before the first segment.
    pub unnamed: SessionCounts,
    /// Every requested session that started or failed to (excused ones aside), in start order:
    /// what an objective on startup success counts. Not serialised (a day has tens of
    /// thousands); tests read it from the simulation.
    #[serde(skip)]
    pub outcomes: Vec<SessionOutcome>,
    /// Sessions served behind a service URI and hot wallet that two orchestrators share, which
    /// no payment to that URL names (an off-chain gateway's, or swapped there): no report, key
    /// or payment says which one served (attribution `ambiguous`).
    pub ambiguous: SessionCounts,
}

/// One session's start and whether it failed, with the orchestrator naap can attribute it to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOutcome {
    /// The stream request's time, ms.
    pub started_ms: i64,
    /// The on-chain address it counts for; `None` when naap cannot know (unnamed, ambiguous).
    pub orchestrator: Option<String>,
    /// It failed to start.
    pub failed: bool,
}

/// An incident as it happened: an orchestrator whose streams started with another
/// probability, or ran slower, in [from_ms, to_ms).
#[derive(Debug, Clone, Serialize)]
pub struct IncidentTruth {
    /// On-chain address.
    pub orchestrator: String,
    /// Start, ms.
    pub from_ms: i64,
    /// End (exclusive), ms.
    pub to_ms: i64,
    /// The probability of a start in the period, if the incident changes it.
    pub startup_success: Option<f64>,
    /// The factor on the output FPS of the streams started in the period, if any.
    pub output_fps_factor: Option<f64>,
}

/// Session counts by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SessionCounts {
    /// Requested (`gateway_receive_stream_request`).
    pub requested: u64,
    /// Became playable.
    pub success: u64,
    /// Failed for a reason that is not excused.
    pub failed: u64,
    /// Failed for an excused reason.
    pub excused: u64,
    /// Swapped from another orchestrator.
    pub swapped: u64,
    /// Played but never left LOADING (with at least one status sample).
    pub loading_only: u64,
    /// Played but never reported an output frame (with at least one status sample).
    pub zero_fps: u64,
    /// Played, not loading-only, not zero-FPS.
    pub good: u64,
}

/// Jobs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct JobsTruth {
    /// Batch AI requests.
    pub batch: JobCounts,
    /// LLM requests.
    pub llm: JobCounts,
    /// BYOC jobs.
    pub byoc: JobCounts,
    /// BYOC fees (charged compute × price per unit), wei, per worker URL.
    pub byoc_fee_wei_by_worker: BTreeMap<String, u64>,
    /// Per orchestrator URL (batch and LLM).
    pub by_orchestrator_url: BTreeMap<String, JobCounts>,
}

/// Job counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JobCounts {
    /// Requests.
    pub requests: u64,
    /// Completed successfully.
    pub succeeded: u64,
    /// Completed with an error.
    pub failed: u64,
}

/// Payments.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PaymentTruth {
    /// `create_new_payment` events.
    pub events: u64,
    /// Tickets in them.
    pub tickets: u64,
    /// Sum of face value × tickets, wei (a decimal string: exact beyond 2^53).
    pub face_value_wei: String,
    #[serde(skip)]
    pub(crate) face_value_sum: u128,
}

impl SessionCounts {
    /// Requested sessions that were not excused: the success rate's denominator.
    pub fn tried(&self) -> u64 {
        self.requested - self.excused
    }
}
