//! The read-only query engine shared by every public surface (Flight SQL, HTTP).
//!
//! Queries are planned with DDL, DML and statements (`SET`, transactions) disallowed, so
//! nothing submitted from outside can create tables, write or `COPY` files, or change
//! engine options; URL and file tables (`SELECT * FROM '/etc/passwd'`) are off and no file-reading
//! table function is registered. Each query runs under a
//! time limit, a memory limit and a result-row limit.

use std::sync::Arc;
use std::time::Duration;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use datafusion::error::DataFusionError;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::execution::context::SQLOptions;
use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::prelude::{DataFrame, SessionConfig, SessionContext};
use datafusion::scalar::ScalarValue;
use datafusion::sql::sqlparser::ast::Statement as SqlStatement;
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;
use futures::StreamExt;
use lakehouse_layout::{Dataset, IndexedStore, Lake, LakeIndex};
use object_store::ObjectStore;

use crate::catalog::{register_served_store, uncached_listings};
use crate::error::{Error, LakeChanged, Result};
use crate::resident::ResidentFiles;

/// Limits applied to every query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    /// Wall-clock time a query may run.
    pub timeout: Duration,
    /// Memory a query's operators may reserve, in bytes.
    pub memory_bytes: usize,
    /// Rows a result may have.
    pub max_rows: usize,
    /// Memory the engine keeps decoded gold files in, shared by all its queries
    /// ([`crate::resident`]); 0 decodes them again for every query.
    pub resident_bytes: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits {
            timeout: Duration::from_secs(30),
            memory_bytes: 512 * 1024 * 1024,
            max_rows: 1_000_000,
            resident_bytes: 256 * 1024 * 1024,
        }
    }
}

/// How much of a streamed result (Arrow memory) is computed before it is sent: results up to
/// this size are computed again, invisibly, when the lake changes under them.
pub const STREAM_HEAD_BYTES: usize = 8 << 20;

/// Which datasets a query engine exposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Silver and gold datasets, without their private columns
    /// ([`lakehouse_layout::privacy`]): what the public may query.
    Public,
    /// Every dataset, bronze and dead letters included: for operators.
    Operator,
}

impl Profile {
    /// The datasets of the profile.
    pub fn datasets(self) -> impl Iterator<Item = Dataset> {
        Dataset::ALL
            .into_iter()
            .filter(move |d| self == Profile::Operator || d.is_public())
    }
}

/// A read-only SQL engine over the lake.
///
/// It reads through a [`LakeIndex`] (see [`QueryEngine::index`]): the owner keeps it current
/// by calling [`LakeIndex::refresh`] (the servers do so every
/// `flight_server::LAKE_POLL`), and every answer is then computed from the lake as the change log
/// last described it, each file read in exactly the version listed.
#[derive(Clone)]
pub struct QueryEngine {
    ctx: SessionContext,
    limits: QueryLimits,
    profile: Profile,
    index: Arc<LakeIndex>,
    resident: Arc<ResidentFiles>,
    memo: Arc<Memo>,
}

/// Results of [`QueryEngine::query_memo`], by SQL and parameters, with the index generation
/// each was computed at.
#[derive(Debug, Default)]
struct Memo {
    entries: std::sync::Mutex<std::collections::HashMap<String, Memoized>>,
}

/// A kept result and the index generation it was computed at.
type Memoized = (u64, Arc<Vec<RecordBatch>>);

/// Results [`QueryEngine::query_memo`] keeps at most; past that, it starts again empty.
const MEMO_ENTRIES: usize = 1024;

impl std::fmt::Debug for QueryEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryEngine")
            .field("limits", &self.limits)
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl QueryEngine {
    /// An engine over `lake` exposing `profile`'s datasets, with `limits`.
    pub fn new(lake: &Lake, profile: Profile, limits: QueryLimits) -> Result<Self> {
        // No spilling: a public query that outgrows its memory limit fails instead of
        // filling the server's disk with temporary files.
        let runtime = RuntimeEnvBuilder::new()
            .with_memory_pool(Arc::new(FairSpillPool::new(limits.memory_bytes)))
            .with_disk_manager_builder(DiskManagerBuilder::default().with_mode(DiskManagerMode::Disabled))
            .with_cache_manager(uncached_listings())
            .build_arc()
            .map_err(Error::from_datafusion)?;
        let config = SessionConfig::new()
            .with_information_schema(true)
            .with_default_catalog_and_schema("naap", "public");
        let ctx = SessionContext::new_with_config_rt(config, runtime);
        let index = Arc::new(LakeIndex::new(lake.clone()));
        let store: Arc<dyn ObjectStore> = Arc::new(IndexedStore::new(Arc::clone(&index)));
        let resident = Arc::new(ResidentFiles::new(limits.resident_bytes));
        register_served_store(&ctx, &store, profile.datasets(), &resident, profile == Profile::Public)?;
        Ok(QueryEngine {
            ctx,
            limits,
            profile,
            index,
            resident,
            memo: Arc::default(),
        })
    }

    /// The index the engine lists the lake through; its generation changes whenever an
    /// answer may have changed.
    pub fn index(&self) -> &Arc<LakeIndex> {
        &self.index
    }

    /// The decoded gold files the engine answers from ([`crate::resident`]).
    pub fn resident(&self) -> &Arc<ResidentFiles> {
        &self.resident
    }

    /// The engine's limits.
    pub fn limits(&self) -> QueryLimits {
        self.limits
    }

    /// The engine's profile.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The DataFusion session (for catalog listings).
    pub fn context(&self) -> &SessionContext {
        &self.ctx
    }

    /// Plans `sql` as a read-only query.
    pub async fn plan(&self, sql: &str) -> Result<DataFrame> {
        check_single_query(sql)?;
        let options = SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false);
        // check_single_query already refused everything but a query; the options are the
        // second line of defence inside DataFusion's planner.
        self.ctx
            .sql_with_options(sql, options)
            .await
            .map_err(Error::from_datafusion)
    }

    /// The result schema of `sql`, without running it.
    pub async fn schema(&self, sql: &str) -> Result<SchemaRef> {
        let frame = self.plan(sql).await?;
        Ok(Arc::new(frame.schema().as_arrow().clone()))
    }

    /// Runs `sql` and collects the result, enforcing the time and row limits.
    pub async fn query(&self, sql: &str) -> Result<Vec<RecordBatch>> {
        self.query_with_params(sql, Vec::new()).await
    }

    /// Runs `sql` with its placeholders `$1`, `$2`, … bound to `params` (values never enter
    /// the SQL text), enforcing the time and row limits.
    pub async fn query_with_params(&self, sql: &str, params: Vec<ScalarValue>) -> Result<Vec<RecordBatch>> {
        Ok(self.query_table(sql, params).await?.1)
    }

    /// [`Self::query_with_params`] for a query that reads only `reads`, over rows of `window`
    /// (ms, end exclusive; `None`: any time): its result is kept and answered again until the
    /// lake index sees a change to one of those datasets within that window. For the part of
    /// an answer that changes slowly (capability reports read over a month) inside one that
    /// changes every tick (the current hour's SLA rows), so that recomputing the whole costs
    /// only the part that changed. A query reading a dataset not in `reads` could be answered
    /// stale: name every table it reads.
    pub async fn query_memo(
        &self,
        sql: &str,
        params: Vec<ScalarValue>,
        reads: &[Dataset],
        window: Option<(i64, i64)>,
    ) -> Result<Arc<Vec<RecordBatch>>> {
        let key = format!("{sql}\u{0}{params:?}");
        let kept = self.memo.entries.lock().expect("not poisoned").get(&key).cloned();
        if let Some((generation, batches)) = kept
            && self.index.changed_in(generation, window, Some(reads)).is_none()
        {
            return Ok(batches);
        }
        // The generation before the query: a change while it runs makes the result older.
        let generation = self.index.generation();
        let batches = Arc::new(self.query_with_params(sql, params).await?);
        let mut entries = self.memo.entries.lock().expect("not poisoned");
        if entries.len() >= MEMO_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (generation, Arc::clone(&batches)));
        Ok(batches)
    }

    /// Like [`Self::query_with_params`], with the result's schema (known even when no row
    /// comes back).
    ///
    /// A file replaced or deleted between listing and reading fails the read (never a mix of
    /// versions); the engine then lists its partition again and runs the query once more.
    pub async fn query_table(&self, sql: &str, params: Vec<ScalarValue>) -> Result<(SchemaRef, Vec<RecordBatch>)> {
        retry_when_changed(&self.index, || self.query_table_once(sql, params.clone())).await
    }

    async fn query_table_once(&self, sql: &str, params: Vec<ScalarValue>) -> Result<(SchemaRef, Vec<RecordBatch>)> {
        let limits = self.limits;
        let work = async {
            let frame = self.plan_with_params(sql, params).await?;
            let schema: SchemaRef = Arc::new(frame.schema().as_arrow().clone());
            let mut stream = frame.execute_stream().await.map_err(Error::from_datafusion)?;
            let mut batches = Vec::new();
            let mut rows = 0usize;
            while let Some(batch) = stream.next().await {
                let batch = batch.map_err(Error::from_datafusion)?;
                rows += batch.num_rows();
                if rows > limits.max_rows {
                    return Err(Error::TooManyRows(limits.max_rows));
                }
                batches.push(batch);
            }
            Ok((schema, batches))
        };
        tokio::time::timeout(limits.timeout, work)
            .await
            .map_err(|_| Error::Timeout(limits.timeout))?
    }

    /// Plans `sql` and starts executing it, returning the stream of result batches. The
    /// caller enforces the time and row limits while consuming it (see [`Self::query`]).
    pub async fn stream(&self, sql: &str) -> Result<SendableRecordBatchStream> {
        self.stream_with_params(sql, Vec::new()).await
    }

    /// [`Self::stream`] with placeholders bound to `params`.
    ///
    /// The first [`STREAM_HEAD_BYTES`] of the result are computed before the stream is
    /// returned, so that a result of that size whose files were replaced while it was read is
    /// computed again, as [`Self::query_table`] does; past that, such a stream ends with
    /// [`Error::LakeChanged`].
    pub async fn stream_with_params(&self, sql: &str, params: Vec<ScalarValue>) -> Result<SendableRecordBatchStream> {
        retry_when_changed(&self.index, || self.stream_head(sql, params.clone())).await
    }

    /// Starts `sql` and reads the head of its result (see [`Self::stream_with_params`]).
    async fn stream_head(&self, sql: &str, params: Vec<ScalarValue>) -> Result<SendableRecordBatchStream> {
        let frame = self.plan_with_params(sql, params).await?;
        let mut stream = frame.execute_stream().await.map_err(Error::from_datafusion)?;
        let schema = stream.schema();
        let index = Arc::clone(&self.index);
        let stale_before = index.stale_reads();
        let head = async {
            let mut head = Vec::new();
            let mut bytes = 0;
            while bytes < STREAM_HEAD_BYTES {
                match stream.next().await {
                    None => return Ok((head, true)),
                    Some(Err(e)) => return Err(Error::from_datafusion(e)),
                    Some(Ok(batch)) => {
                        bytes += batch.get_array_memory_size();
                        head.push(batch);
                    }
                }
            }
            Ok((head, false))
        };
        let (head, complete) = tokio::time::timeout(self.limits.timeout, head)
            .await
            .map_err(|_| Error::Timeout(self.limits.timeout))??;
        let head = futures::stream::iter(head.into_iter().map(Ok));
        let rest = match complete {
            true => futures::stream::empty().boxed(),
            // A failed read of a file replaced meanwhile is said as such.
            false => stream
                .map(move |item| {
                    item.map_err(|e| match index.stale_reads() != stale_before {
                        true => DataFusionError::External(Box::new(LakeChanged)),
                        false => e,
                    })
                })
                .boxed(),
        };
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, head.chain(rest))))
    }

    /// Plans `sql` with its placeholders bound to `params` (none: left as they are).
    async fn plan_with_params(&self, sql: &str, params: Vec<ScalarValue>) -> Result<DataFrame> {
        let frame = self.plan(sql).await?;
        if params.is_empty() {
            return Ok(frame);
        }
        frame.with_param_values(params).map_err(Error::from_datafusion)
    }

    /// What a prepared statement of `sql` describes, from one plan: the result schema, and
    /// the placeholders (`$1`, `$2`, …) with the types DataFusion infers for them, in order.
    pub async fn prepared_schemas(&self, sql: &str) -> Result<(SchemaRef, SchemaRef)> {
        let frame = self.plan(sql).await?;
        let result: SchemaRef = Arc::new(frame.schema().as_arrow().clone());
        let types = frame
            .logical_plan()
            .get_parameter_types()
            .map_err(Error::from_datafusion)?;
        let mut names: Vec<(usize, String, arrow::datatypes::DataType)> = types
            .into_iter()
            .map(|(name, data_type)| {
                let index = name.trim_start_matches('$').parse().unwrap_or(usize::MAX);
                (index, name, data_type.unwrap_or(arrow::datatypes::DataType::Utf8))
            })
            .collect();
        names.sort();
        let fields: Vec<arrow::datatypes::Field> = names
            .into_iter()
            .map(|(_, name, data_type)| arrow::datatypes::Field::new(name, data_type, true))
            .collect();
        Ok((result, Arc::new(arrow::datatypes::Schema::new(fields))))
    }
}

/// Runs `attempt` again (up to [`ATTEMPTS`] times in all) while it fails because a file it
/// read had been replaced since it was listed; the last such failure is [`Error::LakeChanged`].
async fn retry_when_changed<T, F, Fut>(index: &LakeIndex, mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut tries = 0;
    loop {
        let stale_before = index.stale_reads();
        tries += 1;
        match attempt().await {
            Err(e) if index.stale_reads() != stale_before && !matches!(e, Error::Timeout(_)) => {
                if tries >= ATTEMPTS {
                    return Err(match e {
                        Error::Execution(_) => Error::LakeChanged,
                        other => other,
                    });
                }
                tracing::debug!(error = %e, "the lake changed under a query; running it again");
            }
            other => return other,
        }
    }
}

/// How many times a query is run when files keep changing under it.
const ATTEMPTS: u32 = 3;

/// Rejects anything but exactly one `SELECT`-like query before DataFusion sees it. This is a
/// second line of defence behind [`SQLOptions`], and gives a precise message.
fn check_single_query(sql: &str) -> Result<()> {
    let statements = Parser::parse_sql(&GenericDialect {}, sql).map_err(|e| Error::InvalidQuery(e.to_string()))?;
    match statements.as_slice() {
        [SqlStatement::Query(_)] => Ok(()),
        [] => Err(Error::InvalidQuery("empty query".into())),
        [other] => Err(Error::NotReadOnly(format!(
            "{} statements are not allowed",
            statement_kind(other)
        ))),
        _ => Err(Error::NotReadOnly("exactly one statement per query".into())),
    }
}

fn statement_kind(statement: &SqlStatement) -> String {
    let text = statement.to_string();
    text.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}
