//! Superseded versions: the bytes a replaced or deleted file had, kept for a grace period so
//! that a query that listed the old version can still finish reading it.
//!
//! Gold partitions keep stable names (`part-00000.parquet`), which is what engines that read
//! the folders directly (DuckDB, Spark, Polars) want. But a rollup following the lake replaces
//! the current hour's partitions every second, and a query that takes longer than that (a
//! cold month-long leaderboard) would find every file it pinned replaced before it got to it
//! ([`crate::IndexedStore`] pins each read to the version listed) and fail again and again.
//! So before a writer replaces or deletes such a file it copies the version there to
//!
//! ```text
//! <lake>/_superseded/<object path>/e<hex of the e-tag>
//! ```
//!
//! and a pinned read whose version is gone reads that copy instead: the query sees the lake
//! as it was when it listed it, whole, never a mix of two versions. Copies older than
//! [`SUPERSEDED_GRACE`] are deleted by the writer ([`Lake::sweep_superseded`]); a query that
//! outlives the grace fails as before (the engine then lists again and retries), and the
//! engine's own time limit (30 s) is far below it.

use std::time::Duration;

use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectMeta, ObjectStoreExt};

use crate::error::{Error, Result};
use crate::lake::Lake;

/// The folder of superseded versions, relative to the lake root.
pub const SUPERSEDED_DIR: &str = "_superseded";

/// How long a superseded version is kept: longer than any query may run.
pub const SUPERSEDED_GRACE: Duration = Duration::from_secs(300);

/// Where the version of `object` with entity tag `e_tag` is kept once superseded.
pub fn superseded_path(object: &Path, e_tag: &str) -> Path {
    Path::from(format!("{SUPERSEDED_DIR}/{object}/e{}", hex::encode(e_tag)))
}

impl Lake {
    /// Keeps the version of `object` there now (if any) as a superseded version, before the
    /// caller replaces or deletes it. Returns whether a version was kept. Stores that give
    /// no entity tags have nothing to pin reads to, so nothing is kept there.
    pub async fn keep_superseded(&self, object: &Path) -> Result<bool> {
        let Some(ObjectMeta { e_tag: Some(e_tag), .. }) = self.head(object).await? else {
            return Ok(false);
        };
        let copy = superseded_path(object, &e_tag);
        match self.store().copy(object, &copy).await {
            Ok(()) => Ok(true),
            // Deleted between the head and the copy: nothing left to keep.
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(source) => Err(Error::ObjectStore { path: copy, source }),
        }
    }

    /// Deletes the superseded versions kept longer than `grace` ago (by their copy's
    /// modification time). Returns how many were deleted.
    pub async fn sweep_superseded(&self, grace: Duration) -> Result<usize> {
        let cutoff = chrono::Utc::now() - chrono::Duration::from_std(grace).unwrap_or(chrono::Duration::MAX);
        let metas: Vec<ObjectMeta> = self
            .store()
            .list(Some(&Path::from(SUPERSEDED_DIR)))
            .try_collect()
            .await
            .map_err(Error::List)?;
        let mut deleted = 0;
        for meta in metas.into_iter().filter(|meta| meta.last_modified <= cutoff) {
            self.delete(&meta.location).await?;
            deleted += 1;
        }
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[tokio::test]
    async fn a_replaced_version_is_kept_until_swept() {
        let lake = Lake::in_memory();
        let object = Path::from("gold/sessions/date=2026-01-08/hour=21/part-00000.parquet");
        assert!(!lake.keep_superseded(&object).await.unwrap(), "nothing there yet");
        lake.put(&object, Bytes::from_static(b"one")).await.unwrap();
        let e_tag = lake.head(&object).await.unwrap().unwrap().e_tag.unwrap();
        assert!(lake.keep_superseded(&object).await.unwrap());
        lake.put(&object, Bytes::from_static(b"two")).await.unwrap();
        assert_eq!(
            lake.get(&superseded_path(&object, &e_tag)).await.unwrap(),
            Bytes::from_static(b"one")
        );
        assert_eq!(lake.sweep_superseded(SUPERSEDED_GRACE).await.unwrap(), 0, "still young");
        assert_eq!(lake.sweep_superseded(Duration::ZERO).await.unwrap(), 1);
        assert!(
            lake.get_if_exists(&superseded_path(&object, &e_tag))
                .await
                .unwrap()
                .is_none()
        );
    }
}
