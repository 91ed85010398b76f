//! The Arrow Flight SQL service: statement queries, prepared statements, catalog listings
//! and SQL info, all through the read-only [`QueryEngine`].

use std::pin::Pin;
use std::sync::{Arc, LazyLock};

use arrow::datatypes::Schema;
use arrow::ipc::writer::IpcWriteOptions;
use arrow::record_batch::RecordBatch;
use arrow_flight::encode::FlightDataEncoderBuilder;
use arrow_flight::error::FlightError;
use arrow_flight::flight_service_server::FlightService;
use arrow_flight::sql::metadata::{SqlInfoData, SqlInfoDataBuilder};
use arrow_flight::sql::server::FlightSqlService;
use arrow_flight::sql::{
    ActionClosePreparedStatementRequest, ActionCreatePreparedStatementRequest, ActionCreatePreparedStatementResult,
    Any, CommandGetCatalogs, CommandGetDbSchemas, CommandGetPrimaryKeys, CommandGetSqlInfo, CommandGetTableTypes,
    CommandGetTables, CommandPreparedStatementQuery, CommandStatementQuery, ProstMessageExt, SqlInfo,
    TicketStatementQuery,
};
use arrow_flight::{FlightDescriptor, FlightEndpoint, FlightInfo, IpcMessage, SchemaAsIpc, Ticket};
use futures::{Stream, StreamExt, TryStreamExt};
use lakehouse_layout::Dataset;
use prost::Message;
use sql::QueryEngine;
use tonic::{Request, Response, Status};

use crate::error::{grpc_status, rejection_reason};
use crate::metrics::ServeMetrics;

/// The catalog name under which every dataset is listed.
pub const CATALOG: &str = "naap";
/// The schema name under which every dataset is listed.
pub const SCHEMA: &str = "public";

static SQL_INFO: LazyLock<SqlInfoData> = LazyLock::new(|| {
    let mut builder = SqlInfoDataBuilder::new();
    builder.append(SqlInfo::FlightSqlServerName, "naap");
    builder.append(SqlInfo::FlightSqlServerVersion, env!("CARGO_PKG_VERSION"));
    builder.append(SqlInfo::FlightSqlServerArrowVersion, "1.3");
    builder.append(SqlInfo::FlightSqlServerReadOnly, true);
    builder.append(SqlInfo::FlightSqlServerSql, true);
    builder.append(SqlInfo::FlightSqlServerSubstrait, false);
    builder.append(SqlInfo::FlightSqlServerTransaction, 0i32);
    builder.append(SqlInfo::FlightSqlServerCancel, false);
    builder.build().expect("static SQL info is valid")
});

/// The Flight SQL service.
#[derive(Debug, Clone)]
pub struct NaapFlightSql {
    engine: QueryEngine,
    metrics: Arc<ServeMetrics>,
}

impl NaapFlightSql {
    /// A service answering through `engine`.
    pub fn new(engine: QueryEngine, metrics: Arc<ServeMetrics>) -> Self {
        NaapFlightSql { engine, metrics }
    }

    /// Counts the refusal of `command` and maps the error to its gRPC status.
    fn refuse(&self, command: &str, error: &sql::Error) -> Status {
        self.metrics.flight_command(command, Err(rejection_reason(error)));
        grpc_status(error)
    }

    async fn flight_info(&self, sql: &str, ticket: Ticket, descriptor: FlightDescriptor) -> Result<FlightInfo, Status> {
        let schema = self.engine.schema(sql).await.map_err(|e| self.refuse("plan", &e))?;
        FlightInfo::new()
            .try_with_schema(&schema)
            .map_err(|e| Status::internal(format!("cannot encode schema: {e}")))
            .map(|info| {
                info.with_endpoint(FlightEndpoint::new().with_ticket(ticket))
                    .with_descriptor(descriptor)
                    .with_ordered(true)
            })
    }

    /// Runs `sql` and streams the result, stopping with an error when the time or row limit
    /// is exceeded.
    async fn run(
        &self,
        command: &'static str,
        sql: &str,
        params: Vec<datafusion::scalar::ScalarValue>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        let stream = self
            .engine
            .stream_with_params(sql, params)
            .await
            .map_err(|e| self.refuse(command, &e))?;
        let metrics = Arc::clone(&self.metrics);
        let schema = stream.schema();
        let limits = self.engine.limits();
        let deadline = tokio::time::Instant::now() + limits.timeout;
        // The state is the stream still to read and the rows sent so far; `None` once the
        // query has ended, with or without an error.
        let limited = futures::stream::unfold((Some(stream), 0usize), move |(stream, rows)| {
            let metrics = Arc::clone(&metrics);
            async move {
                let mut stream = stream?;
                let stop = |error: sql::Error| {
                    metrics.flight_command(command, Err(rejection_reason(&error)));
                    Some((Err(FlightError::Tonic(Box::new(grpc_status(&error)))), (None, rows)))
                };
                match tokio::time::timeout_at(deadline, stream.next()).await {
                    Err(_) => stop(sql::Error::Timeout(limits.timeout)),
                    Ok(None) => {
                        metrics.flight_command(command, Ok(()));
                        None
                    }
                    Ok(Some(Err(e))) => stop(sql::Error::from_datafusion(e)),
                    Ok(Some(Ok(batch))) => {
                        let rows = rows + batch.num_rows();
                        if rows > limits.max_rows {
                            stop(sql::Error::TooManyRows(limits.max_rows))
                        } else {
                            Some((Ok(batch), (Some(stream), rows)))
                        }
                    }
                }
            }
        });
        let encoded = FlightDataEncoderBuilder::new()
            .with_schema(schema)
            .build(limited)
            .map_err(Status::from);
        Ok(Response::new(Box::pin(encoded)))
    }
}

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

fn one_batch<E: std::fmt::Display>(
    batch: Result<RecordBatch, E>,
) -> Result<BoxStream<arrow_flight::FlightData>, Status> {
    let batch = batch.map_err(|e| Status::internal(e.to_string()))?;
    let schema = batch.schema();
    let stream = FlightDataEncoderBuilder::new()
        .with_schema(schema)
        .build(futures::stream::once(async { Ok(batch) }))
        .map_err(Status::from);
    Ok(Box::pin(stream))
}

fn utf8_handle(bytes: &[u8]) -> Result<String, Status> {
    String::from_utf8(bytes.to_vec()).map_err(|_| Status::invalid_argument("statement handle is not UTF-8"))
}

/// Prepared-statement handles carry everything, so any replica can run them and none holds
/// state: the SQL alone, or, once parameters are bound, `NPS1` + the SQL's length (u32 LE) +
/// the SQL + the parameter row as an Arrow IPC stream.
const BOUND_HANDLE: &[u8] = b"NPS1";

fn bound_handle(sql: &str, parameters: &RecordBatch) -> Result<Vec<u8>, Status> {
    let mut out = BOUND_HANDLE.to_vec();
    out.extend_from_slice(&(sql.len() as u32).to_le_bytes());
    out.extend_from_slice(sql.as_bytes());
    let mut writer = arrow::ipc::writer::StreamWriter::try_new(&mut out, &parameters.schema())
        .map_err(|e| Status::internal(e.to_string()))?;
    writer.write(parameters).map_err(|e| Status::internal(e.to_string()))?;
    writer.finish().map_err(|e| Status::internal(e.to_string()))?;
    drop(writer);
    Ok(out)
}

/// The SQL of a handle and its bound parameter values (none for a plain handle).
fn decode_handle(bytes: &[u8]) -> Result<(String, Vec<datafusion::scalar::ScalarValue>), Status> {
    let Some(rest) = bytes.strip_prefix(BOUND_HANDLE) else {
        return Ok((utf8_handle(bytes)?, Vec::new()));
    };
    let bad = || Status::invalid_argument("malformed prepared statement handle");
    let len = u32::from_le_bytes(rest.get(..4).ok_or_else(bad)?.try_into().map_err(|_| bad())?) as usize;
    let sql = utf8_handle(rest.get(4..4 + len).ok_or_else(bad)?)?;
    let reader =
        arrow::ipc::reader::StreamReader::try_new(std::io::Cursor::new(&rest[4 + len..]), None).map_err(|_| bad())?;
    let batch = reader.into_iter().next().ok_or_else(bad)?.map_err(|_| bad())?;
    let values = batch
        .columns()
        .iter()
        .map(|column| datafusion::scalar::ScalarValue::try_from_array(column, 0).map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    Ok((sql, values))
}

#[tonic::async_trait]
impl FlightSqlService for NaapFlightSql {
    type FlightService = NaapFlightSql;

    async fn get_flight_info_statement(
        &self,
        query: CommandStatementQuery,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        // The handle is the SQL text itself: tickets stay valid on any replica and after restarts.
        let ticket = TicketStatementQuery {
            statement_handle: query.query.clone().into(),
        };
        let ticket = Ticket::new(ticket.as_any().encode_to_vec());
        let info = self.flight_info(&query.query, ticket, request.into_inner()).await?;
        Ok(Response::new(info))
    }

    async fn get_flight_info_prepared_statement(
        &self,
        query: CommandPreparedStatementQuery,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let (sql, _) = decode_handle(&query.prepared_statement_handle)?;
        let ticket = Ticket::new(query.as_any().encode_to_vec());
        let info = self.flight_info(&sql, ticket, request.into_inner()).await?;
        Ok(Response::new(info))
    }

    async fn get_flight_info_catalogs(
        &self,
        query: CommandGetCatalogs,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let schema = query.into_builder().schema();
        metadata_info(query.as_any(), &schema, request)
    }

    async fn get_flight_info_schemas(
        &self,
        query: CommandGetDbSchemas,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let schema = query.clone().into_builder().schema();
        metadata_info(query.as_any(), &schema, request)
    }

    async fn get_flight_info_tables(
        &self,
        query: CommandGetTables,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let schema = query.clone().into_builder().schema();
        metadata_info(query.as_any(), &schema, request)
    }

    async fn get_flight_info_primary_keys(
        &self,
        query: CommandGetPrimaryKeys,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        metadata_info(query.as_any(), &PRIMARY_KEYS_SCHEMA, request)
    }

    async fn get_flight_info_table_types(
        &self,
        query: CommandGetTableTypes,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let schema = query.into_builder().schema();
        metadata_info(query.as_any(), &schema, request)
    }

    async fn get_flight_info_sql_info(
        &self,
        query: CommandGetSqlInfo,
        request: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        let schema = query.clone().into_builder(&SQL_INFO).schema();
        metadata_info(query.as_any(), &schema, request)
    }

    async fn do_get_statement(
        &self,
        ticket: TicketStatementQuery,
        _request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        let sql = utf8_handle(&ticket.statement_handle)?;
        self.run("statement", &sql, Vec::new()).await
    }

    async fn do_get_prepared_statement(
        &self,
        query: CommandPreparedStatementQuery,
        _request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        let (sql, params) = decode_handle(&query.prepared_statement_handle)?;
        self.run("prepared_statement", &sql, params).await
    }

    async fn do_get_catalogs(
        &self,
        query: CommandGetCatalogs,
        _request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        let mut builder = query.into_builder();
        builder.append(CATALOG);
        Ok(Response::new(one_batch(builder.build())?))
    }

    async fn do_get_schemas(
        &self,
        query: CommandGetDbSchemas,
        _request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        let mut builder = query.into_builder();
        builder.append(CATALOG, SCHEMA);
        Ok(Response::new(one_batch(builder.build())?))
    }

    async fn do_get_tables(
        &self,
        query: CommandGetTables,
        _request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        let mut builder = query.into_builder();
        for dataset in self.engine.profile().datasets() {
            let schema = table_schema(&self.engine, dataset).await?;
            builder
                .append(CATALOG, SCHEMA, dataset.name(), "TABLE", &schema)
                .map_err(|e| Status::internal(e.to_string()))?;
        }
        Ok(Response::new(one_batch(builder.build())?))
    }

    async fn do_get_primary_keys(
        &self,
        query: CommandGetPrimaryKeys,
        _request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        Ok(Response::new(one_batch(primary_keys(&query, self.engine.profile()))?))
    }

    async fn do_get_table_types(
        &self,
        query: CommandGetTableTypes,
        _request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        let mut builder = query.into_builder();
        builder.append("TABLE");
        Ok(Response::new(one_batch(builder.build())?))
    }

    async fn do_get_sql_info(
        &self,
        query: CommandGetSqlInfo,
        _request: Request<Ticket>,
    ) -> Result<Response<<Self as FlightService>::DoGetStream>, Status> {
        let builder = query.into_builder(&SQL_INFO);
        Ok(Response::new(one_batch(builder.build())?))
    }

    async fn do_action_create_prepared_statement(
        &self,
        query: ActionCreatePreparedStatementRequest,
        _request: Request<arrow_flight::Action>,
    ) -> Result<ActionCreatePreparedStatementResult, Status> {
        let (schema, parameters) = self
            .engine
            .prepared_schemas(&query.query)
            .await
            .map_err(|e| self.refuse("prepare", &e))?;
        let IpcMessage(dataset_schema) = SchemaAsIpc::new(&schema, &IpcWriteOptions::default())
            .try_into()
            .map_err(|e: arrow::error::ArrowError| Status::internal(e.to_string()))?;
        let parameter_schema = if parameters.fields().is_empty() {
            Default::default()
        } else {
            let IpcMessage(bytes) = SchemaAsIpc::new(&parameters, &IpcWriteOptions::default())
                .try_into()
                .map_err(|e: arrow::error::ArrowError| Status::internal(e.to_string()))?;
            bytes
        };
        Ok(ActionCreatePreparedStatementResult {
            prepared_statement_handle: query.query.into(),
            dataset_schema,
            parameter_schema,
        })
    }

    /// Binds one row of parameter values: the answer is a new handle that carries them.
    async fn do_put_prepared_statement_query(
        &self,
        query: CommandPreparedStatementQuery,
        request: Request<arrow_flight::sql::server::PeekableFlightDataStream>,
    ) -> Result<arrow_flight::sql::DoPutPreparedStatementResult, Status> {
        let (sql, _) = decode_handle(&query.prepared_statement_handle)?;
        let stream = request.into_inner().map_err(FlightError::from);
        let batches: Vec<RecordBatch> = arrow_flight::decode::FlightRecordBatchStream::new_from_flight_data(stream)
            .try_collect()
            .await
            .map_err(|e| Status::invalid_argument(format!("parameters: {e}")))?;
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        let Some(batch) = batches.into_iter().find(|b| b.num_rows() > 0) else {
            return Err(Status::invalid_argument("no parameter values were sent"));
        };
        if rows != 1 {
            return Err(Status::invalid_argument(format!(
                "one row of parameter values is bound at a time, got {rows}"
            )));
        }
        Ok(arrow_flight::sql::DoPutPreparedStatementResult {
            prepared_statement_handle: Some(bound_handle(&sql, &batch)?.into()),
        })
    }

    async fn do_action_close_prepared_statement(
        &self,
        _query: ActionClosePreparedStatementRequest,
        _request: Request<arrow_flight::Action>,
    ) -> Result<(), Status> {
        // Handles carry the SQL; there is no server-side state to free.
        Ok(())
    }

    async fn register_sql_info(&self, _id: i32, _result: &SqlInfo) {}
}

/// The result schema of `CommandGetPrimaryKeys`, as the Flight SQL specification fixes it.
static PRIMARY_KEYS_SCHEMA: LazyLock<Schema> = LazyLock::new(|| {
    use arrow::datatypes::{DataType, Field};
    Schema::new(vec![
        Field::new("catalog_name", DataType::Utf8, true),
        Field::new("db_schema_name", DataType::Utf8, true),
        Field::new("table_name", DataType::Utf8, false),
        Field::new("column_name", DataType::Utf8, false),
        Field::new("key_name", DataType::Utf8, true),
        Field::new("key_seq", DataType::Int32, false),
    ])
});

/// The key columns of the requested table (gold datasets have one; see
/// [`Dataset::primary_key`]). An unknown table, or one of another catalog or schema, has no
/// rows, as in any database's metadata listing.
fn primary_keys(query: &CommandGetPrimaryKeys, profile: sql::Profile) -> Result<RecordBatch, arrow::error::ArrowError> {
    use arrow::array::{Int32Array, StringArray};
    let ours =
        query.catalog.as_deref().is_none_or(|c| c == CATALOG) && query.db_schema.as_deref().is_none_or(|s| s == SCHEMA);
    let key: &[&str] = match profile.datasets().find(|d| d.name() == query.table) {
        Some(dataset) if ours => dataset.primary_key(),
        _ => &[],
    };
    let rows = key.len();
    let key_name = format!("{}_pkey", query.table);
    RecordBatch::try_new(
        Arc::new(PRIMARY_KEYS_SCHEMA.clone()),
        vec![
            Arc::new(StringArray::from(vec![CATALOG; rows])),
            Arc::new(StringArray::from(vec![SCHEMA; rows])),
            Arc::new(StringArray::from(vec![query.table.as_str(); rows])),
            Arc::new(StringArray::from(key.to_vec())),
            Arc::new(StringArray::from(vec![key_name.as_str(); rows])),
            Arc::new(Int32Array::from_iter_values(1..=rows as i32)),
        ],
    )
}

fn metadata_info(
    any: Any,
    schema: &Schema,
    request: Request<FlightDescriptor>,
) -> Result<Response<FlightInfo>, Status> {
    let ticket = Ticket::new(any.encode_to_vec());
    let info = FlightInfo::new()
        .try_with_schema(schema)
        .map_err(|e| Status::internal(format!("cannot encode schema: {e}")))?
        .with_endpoint(FlightEndpoint::new().with_ticket(ticket))
        .with_descriptor(request.into_inner());
    Ok(Response::new(info))
}

async fn table_schema(engine: &QueryEngine, dataset: Dataset) -> Result<Schema, Status> {
    let provider = engine
        .context()
        .table_provider(dataset.name())
        .await
        .map_err(|e| Status::internal(e.to_string()))?;
    Ok(provider.schema().as_ref().clone())
}
