//! A lease in the object store: one writer at a time (`naap rollup`), a second that waits and
//! takes over when the first stops renewing.
//!
//! The lease is a sequence of objects `_leases/<name>/<generation, 20 digits>.json`, each
//! created with a conditional put that fails if it exists (`If-None-Match: *`; a hard link on
//! a local disk), so of two processes that try to create the same generation exactly one
//! succeeds. The newest generation says who holds the lease and until when:
//!
//! * to acquire, a process creates the generation after the newest, if that one has expired
//!   (or there is none);
//! * to renew, the holder creates the next generation with a later expiry: if it cannot, a
//!   waiter took the lease over (the holder was too slow) and the holder must stop writing;
//! * to release, the holder creates the next generation already expired.
//!
//! Expiry compares wall clocks of different machines: keep them in sync (NTP) and the time to
//! live well above the skew. Old generations are deleted by the holder.

use std::time::Duration;

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectMeta, PutMode, PutOptions, PutPayload};
use serde::{Deserialize, Serialize};

use crate::change_log::wall_clock_ms;
use crate::error::{Error, Result};
use crate::lake::{Lake, retry};

/// The folder of leases, relative to the lake root.
pub const LEASES_DIR: &str = "_leases";

/// One generation of a lease: who holds it until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseRecord {
    /// The holder (host, process and a random part).
    pub holder: String,
    /// Until when (wall clock, epoch ms); 0 when released.
    pub expires_ms: i64,
}

/// A lease held by this process.
#[derive(Debug)]
pub struct Lease {
    lake: Lake,
    name: String,
    holder: String,
    generation: u64,
    expires_ms: i64,
    ttl: Duration,
}

/// What [`Lease::try_acquire`] found when it could not take the lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// Who holds it.
    pub holder: String,
    /// Until when (epoch ms), unless renewed.
    pub expires_ms: i64,
}

fn generation_path(name: &str, generation: u64) -> Path {
    Path::from(format!("{LEASES_DIR}/{name}/{generation:020}.json"))
}

/// The newest generation of lease `name` and its record.
async fn newest(lake: &Lake, name: &str) -> Result<Option<(u64, LeaseRecord)>> {
    let prefix = Path::from(format!("{LEASES_DIR}/{name}"));
    let metas: Vec<ObjectMeta> = lake
        .store()
        .list(Some(&prefix))
        .try_collect()
        .await
        .map_err(Error::List)?;
    let Some(generation) = metas
        .iter()
        .filter_map(|m| m.location.filename()?.strip_suffix(".json")?.parse::<u64>().ok())
        .max()
    else {
        return Ok(None);
    };
    let object = generation_path(name, generation);
    let bytes = lake.get(&object).await?;
    let record = serde_json::from_slice(&bytes).map_err(|e| Error::CorruptState {
        path: object.to_string(),
        detail: e.to_string(),
    })?;
    Ok(Some((generation, record)))
}

/// Creates `generation` of lease `name` unless it exists; whether it was created.
///
/// Transient failures are retried. A retry that finds the object existing may be finding its
/// own earlier attempt, stored although its answer was lost (a timeout): the generation is
/// ours exactly when it holds our record (the holder name is unique, the expiry to the ms).
async fn create(lake: &Lake, name: &str, generation: u64, record: &LeaseRecord) -> Result<bool> {
    let object = generation_path(name, generation);
    let payload = PutPayload::from(Bytes::from(
        serde_json::to_vec(record).expect("a lease record serializes"),
    ));
    let options = PutOptions {
        mode: PutMode::Create,
        ..PutOptions::default()
    };
    let mut attempts = 0;
    let outcome = retry(&object, || {
        attempts += 1;
        lake.store().put_opts(&object, payload.clone(), options.clone())
    })
    .await;
    match outcome {
        Ok(_) => Ok(true),
        Err(Error::ObjectStore {
            source: object_store::Error::AlreadyExists { .. } | object_store::Error::Precondition { .. },
            ..
        }) if attempts == 1 => Ok(false),
        Err(Error::ObjectStore {
            source: object_store::Error::AlreadyExists { .. } | object_store::Error::Precondition { .. },
            ..
        }) => {
            let bytes = lake.get(&object).await?;
            let found: LeaseRecord = serde_json::from_slice(&bytes).map_err(|e| Error::CorruptState {
                path: object.to_string(),
                detail: e.to_string(),
            })?;
            Ok(found == *record)
        }
        Err(error) => Err(error),
    }
}

impl Lease {
    /// Takes lease `name` for `holder` if nobody holds it (or its holder let it expire);
    /// otherwise says who holds it.
    pub async fn try_acquire(
        lake: &Lake,
        name: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<std::result::Result<Lease, Held>> {
        let now = wall_clock_ms();
        let next = match newest(lake, name).await? {
            Some((_, record)) if record.expires_ms > now && record.holder != holder => {
                return Ok(Err(Held {
                    holder: record.holder,
                    expires_ms: record.expires_ms,
                }));
            }
            Some((generation, _)) => generation + 1,
            None => 0,
        };
        let expires_ms = now + ttl.as_millis() as i64;
        let record = LeaseRecord {
            holder: holder.to_string(),
            expires_ms,
        };
        if !create(lake, name, next, &record).await? {
            // Another process took this generation first.
            return Box::pin(Lease::try_acquire(lake, name, holder, ttl)).await;
        }
        Ok(Ok(Lease {
            lake: lake.clone(),
            name: name.to_string(),
            holder: holder.to_string(),
            generation: next,
            expires_ms,
            ttl,
        }))
    }

    /// Extends the lease by its time to live. [`Error::LeaseLost`] when another process took
    /// it over: the caller must stop writing at once.
    pub async fn renew(&mut self) -> Result<()> {
        let expires_ms = wall_clock_ms() + self.ttl.as_millis() as i64;
        let record = LeaseRecord {
            holder: self.holder.clone(),
            expires_ms,
        };
        if !create(&self.lake, &self.name, self.generation + 1, &record).await? {
            let taker = newest(&self.lake, &self.name).await?.map(|(_, r)| r.holder);
            return Err(Error::LeaseLost {
                name: self.name.clone(),
                taker: taker.unwrap_or_default(),
            });
        }
        // The generation before the one renewed is no longer needed by anyone.
        if self.generation > 0 {
            self.lake
                .delete(&generation_path(&self.name, self.generation - 1))
                .await?;
        }
        self.generation += 1;
        self.expires_ms = expires_ms;
        Ok(())
    }

    /// Whether the lease is still held with at least `margin` to spare (by this clock).
    pub fn is_valid(&self, margin: Duration) -> bool {
        wall_clock_ms() + (margin.as_millis() as i64) < self.expires_ms
    }

    /// When the lease should be renewed: a third of its time to live.
    pub fn renew_every(&self) -> Duration {
        self.ttl / 3
    }

    /// The holder's name.
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Gives the lease up, so that a waiter takes it at once.
    pub async fn release(self) -> Result<()> {
        let record = LeaseRecord {
            holder: self.holder.clone(),
            expires_ms: 0,
        };
        create(&self.lake, &self.name, self.generation + 1, &record).await?;
        Ok(())
    }
}

/// A holder name for this process: host, process id and a random part.
pub fn holder_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
    let nonce = wall_clock_ms() as u64 ^ u64::from(std::process::id()).rotate_left(32);
    format!("{host}-{}-{:x}", std::process::id(), nonce & 0xffff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: Duration = Duration::from_secs(30);

    #[tokio::test]
    async fn one_holder_at_a_time_and_a_takeover_after_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
        let mut first = Lease::try_acquire(&lake, "rollup", "a", TTL).await.unwrap().unwrap();
        let held = Lease::try_acquire(&lake, "rollup", "b", TTL)
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(held.holder, "a");
        first.renew().await.unwrap();
        assert!(first.is_valid(Duration::from_secs(1)));

        // "a" stops renewing; once its lease has expired, "b" takes it over and "a" learns it
        // lost the lease when it next tries to renew.
        let mut first_short = Lease::try_acquire(&lake, "short", "a", Duration::ZERO)
            .await
            .unwrap()
            .unwrap();
        let second = Lease::try_acquire(&lake, "short", "b", TTL).await.unwrap().unwrap();
        assert_eq!(second.holder(), "b");
        let lost = first_short.renew().await.unwrap_err();
        assert!(
            matches!(lost, Error::LeaseLost { ref taker, .. } if taker == "b"),
            "{lost}"
        );

        // A released lease is taken at once.
        first.release().await.unwrap();
        assert!(Lease::try_acquire(&lake, "rollup", "c", TTL).await.unwrap().is_ok());
    }
}
