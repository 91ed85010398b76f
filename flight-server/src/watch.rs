//! Keeps a served lake view current: polls the lake's change log every [`LAKE_POLL`].

use std::sync::Arc;
use std::time::Duration;

use lakehouse_layout::LakeIndex;

use crate::metrics::ServeMetrics;

/// How often a server reads the lake's change log.
pub const LAKE_POLL: Duration = Duration::from_millis(250);

/// Spawns the poll loop of `index` on the current runtime (none: nothing is spawned). The loop
/// ends when the last engine holding the index is dropped.
pub fn spawn_lake_watcher(index: &Arc<LakeIndex>, metrics: Arc<ServeMetrics>, poll: Duration) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let index = Arc::downgrade(index);
    runtime.spawn(async move {
        let mut tick = tokio::time::interval(poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut failing = false;
        loop {
            tick.tick().await;
            let Some(index) = index.upgrade() else {
                return;
            };
            match index.refresh().await {
                Ok(records) => {
                    if failing {
                        tracing::info!("the lake's change log answers again");
                        failing = false;
                    }
                    metrics.lake_polled(Ok(records.len()), &index);
                }
                Err(e) => {
                    // Said once per outage, counted every time.
                    if !failing {
                        tracing::warn!(error = %e, "cannot read the lake's change log; serving what is known");
                        failing = true;
                    }
                    metrics.lake_polled(Err(()), &index);
                }
            }
        }
    });
}
