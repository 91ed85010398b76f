//! Retention horizons: how far back each dataset's input has been deleted, so that history
//! computed from it survives.
//!
//! `naap compact --retain silver_dataset=30` deletes old partitions of raw data. Gold computed
//! from them is the long-term history that is the product, so it must not be recomputed from
//! nothing: before deleting, retention records the dataset's *horizon* (everything before it
//! is gone) in `_retention/horizons.json`, and the rollups treat every output window whose
//! reads reach before an input's horizon as final: never recomputed, never deleted.
//! Horizons only move forward.

use std::collections::BTreeMap;

use object_store::path::Path;
use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::lake::Lake;

/// Where the horizons are kept, relative to the lake root.
pub const RETENTION_HORIZONS_PATH: &str = "_retention/horizons.json";

/// Per dataset, the time (epoch ms) before which its partitions have been deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionHorizons {
    /// Dataset name → horizon, epoch ms.
    pub horizons: BTreeMap<String, i64>,
}

impl RetentionHorizons {
    /// The horizons stored in `lake` (none yet: empty).
    pub async fn load(lake: &Lake) -> Result<RetentionHorizons> {
        let object = Path::from(RETENTION_HORIZONS_PATH);
        match lake.get_if_exists(&object).await? {
            None => Ok(RetentionHorizons::default()),
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::CorruptState {
                path: RETENTION_HORIZONS_PATH.to_string(),
                detail: e.to_string(),
            }),
        }
    }

    /// The horizon of `dataset`, if its data has ever been retained.
    pub fn of(&self, dataset: Dataset) -> Option<i64> {
        self.horizons.get(dataset.name()).copied()
    }

    /// Records that `dataset` is deleted before `cutoff_ms` (a horizon never moves back) and
    /// stores the horizons. Called before the deletion, so that a reader that sees a deleted
    /// file also sees why.
    pub async fn advance(lake: &Lake, dataset: Dataset, cutoff_ms: i64) -> Result<RetentionHorizons> {
        let mut horizons = RetentionHorizons::load(lake).await?;
        let entry = horizons.horizons.entry(dataset.name().to_string()).or_insert(cutoff_ms);
        *entry = (*entry).max(cutoff_ms);
        let bytes = serde_json::to_vec_pretty(&horizons).expect("horizons serialize");
        lake.put(&Path::from(RETENTION_HORIZONS_PATH), bytes.into()).await?;
        Ok(horizons)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn horizons_only_move_forward() {
        let lake = Lake::in_memory();
        assert_eq!(
            RetentionHorizons::load(&lake).await.unwrap().of(Dataset::StreamTrace),
            None
        );
        RetentionHorizons::advance(&lake, Dataset::StreamTrace, 100)
            .await
            .unwrap();
        RetentionHorizons::advance(&lake, Dataset::StreamTrace, 50)
            .await
            .unwrap();
        let loaded = RetentionHorizons::load(&lake).await.unwrap();
        assert_eq!(loaded.of(Dataset::StreamTrace), Some(100));
        assert_eq!(loaded.of(Dataset::Payments), None);
    }
}
