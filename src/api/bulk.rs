//! `/v1/import` and `/v1/export`: the whole record, or part of it, as NDJSON (see crate::bulk
//! for the line format).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use bytes::Bytes;
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::fs::File;
use tokio::io::{AsyncBufReadExt, AsyncSeekExt, AsyncWriteExt, BufReader, BufWriter};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::bulk::{self, ImportSummary, Importer, MAX_LINE_BYTES};
use crate::domain::Resource;
use crate::error::{ApiError, Result};

use super::auth::{Read, Write};
use super::extract::{Query, declared_length};
use super::problems::*;
use super::state::AppState;

pub const NDJSON: &str = "application/x-ndjson";

type ImportRequest = Write<web::Payload>;
type ExportRequest = Read<Query<ExportQuery>>;

/// Import records.
///
/// NDJSON, one record per line: `{"type", "key"?, "id"?, …the fields of a create}`, where
/// `type` is a kind of record as the change feed names it (`ChangedResource`) and a role also
/// has `actor_id`. A reference may name a record by id or by the `key` of an earlier line. All or nothing: the
/// whole file is one transaction; if any line is refused, nothing is kept and the 422 lists
/// the refused lines (up to 1000; after the first refused batch of 2000 lines, later lines
/// are checked on their own, without the database). The body is received whole (into a
/// temporary file) before anything is written, then written in batches; what is imported
/// appears in the change feed. Limits, all configurable: the body's size (4 GiB), its
/// arrival (10 s without a byte, 600 s in all: 408), and imports at once (2: 429).
#[utoipa::path(
    tag = "bulk",
    operation_id = "import_records",
    request_body(content = String, content_type = "application/x-ndjson",
        description = "One JSON object per line.",
        example = json!("{\"type\": \"citation\", \"key\": \"edm\", \"source\": \"Eurasia Daily Monitor\"}\n{\"type\": \"actor\", \"key\": \"kz\", \"kind\": \"state\", \"name\": \"Kazakhstan\"}\n")),
    responses(
        (status = 200, description = "Everything was imported", body = ImportSummary),
        (status = 408, response = RequestTimeout),
        (status = 429, response = TooManyRequests),
        WriteProblems, BodyProblems,
    ),
)]
#[post("")]
pub async fn import_records(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: ImportRequest,
) -> Result<HttpResponse> {
    let Write(caller, payload) = write;
    let media = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    if !matches!(
        media.as_deref(),
        Some(NDJSON | "application/jsonl" | "application/jsonlines")
    ) {
        return Err(ApiError::UnsupportedMediaType(format!(
            "send the records as {NDJSON}, one JSON object per line"
        )));
    }
    let _turn = state
        .imports
        .try_acquire()
        .map_err(|_| ApiError::TooManyRequests {
            detail: "as many imports as this service takes at once are running; retry when one \
                     has finished"
                .into(),
            retry_after: 10,
        })?;
    let mut body = spool(payload, declared_length(&req), state.import_max_bytes).await?;
    // Only now, with the whole body here, does the import take a connection and a transaction:
    // a slow sender holds neither.
    let mut tx = state.pool.begin().await?;
    let mut importer = Importer::new(&mut tx, caller.name.clone());
    let mut line = Vec::new();
    loop {
        line.clear();
        if body
            .read_until(b'\n', &mut line)
            .await
            .map_err(spool_error)?
            == 0
        {
            break;
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        push(&mut importer, text).await?;
        if importer.gave_up() {
            break;
        }
    }
    match importer.finish().await? {
        Ok(summary) => {
            tx.commit().await?;
            Ok(HttpResponse::Ok().json(summary))
        }
        Err(lines) => Err(ApiError::ImportRefused {
            detail: format!(
                "{} line(s) refused (the first on line {}); nothing was imported",
                lines.len(),
                lines.first().map_or(0, |l| l.line)
            ),
            lines,
        }),
    }
}

fn spool_error(error: std::io::Error) -> ApiError {
    ApiError::Internal(anyhow::Error::new(error).context("the import's temporary file"))
}

/// Receives the whole body into an unnamed temporary file (gone when closed, even if the
/// process dies), checking sizes on the way, and returns it ready to read from the start.
async fn spool(
    mut payload: web::Payload,
    declared: Option<u64>,
    max_bytes: u64,
) -> Result<BufReader<File>> {
    if declared.is_some_and(|len| len > max_bytes) {
        return Err(ApiError::PayloadTooLarge {
            limit: usize::try_from(max_bytes).unwrap_or(usize::MAX),
        });
    }
    let file = tokio::task::spawn_blocking(tempfile::tempfile)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(spool_error)?;
    let mut file = BufWriter::with_capacity(256 * 1024, File::from_std(file));
    let (mut received, mut lines, mut since_newline) = (0u64, 0usize, 0usize);
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(ApiError::body)?;
        received += chunk.len() as u64;
        if received > max_bytes {
            return Err(ApiError::PayloadTooLarge {
                limit: usize::try_from(max_bytes).unwrap_or(usize::MAX),
            });
        }
        for part in chunk.split_inclusive(|b| *b == b'\n') {
            since_newline += part.len();
            if since_newline > MAX_LINE_BYTES + 1 {
                return Err(ApiError::invalid_field(
                    format!("#/{}", lines + 1),
                    format!("line {} is longer than {MAX_LINE_BYTES} bytes", lines + 1),
                ));
            }
            if part.ends_with(b"\n") {
                lines += 1;
                since_newline = 0;
            }
        }
        file.write_all(&chunk).await.map_err(spool_error)?;
    }
    file.flush().await.map_err(spool_error)?;
    let mut file = file.into_inner();
    file.seek(std::io::SeekFrom::Start(0))
        .await
        .map_err(spool_error)?;
    Ok(BufReader::with_capacity(256 * 1024, file))
}

async fn push(importer: &mut Importer<'_>, line: &[u8]) -> Result<()> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    match std::str::from_utf8(line) {
        Ok(text) => importer.push(text).await,
        Err(_) => importer.push("\u{0}not utf-8").await,
    }
}

/// What to export.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// The kinds of record to export, comma-separated (as the change feed names them); all
    /// when absent. Whatever the order given, they come out in the order the pattern lists
    /// them, so that each record follows those it refers to.
    #[param(value_type = Option<ExportTypes>, inline, example = "citation,actor")]
    pub types: Option<String>,
}

/// A comma-separated list of kinds of record, its pattern made from `domain::Resource::ALL`.
pub struct ExportTypes;

impl utoipa::PartialSchema for ExportTypes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let names = Resource::ALL.map(Resource::as_str);
        let one = format!("({})", names.join("|"));
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(100))
            .pattern(Some(format!("^{one}(,{one})*$")))
            .into()
    }
}

impl utoipa::ToSchema for ExportTypes {}

/// Export records.
///
/// NDJSON in the import's line format, ids kept and references by id, citations first, then
/// actors, roles, visits and statements, each by id: importing it into an empty database and
/// exporting again gives the same bytes. Streamed as it is read.
#[utoipa::path(
    tag = "bulk",
    operation_id = "export_records",
    params(ExportQuery),
    responses(
        (status = 200, description = "The records, one per line", body = String, content_type = "application/x-ndjson"),
        ReadProblems,
    ),
)]
#[get("")]
pub async fn export_records(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: ExportRequest,
) -> Result<HttpResponse> {
    let Read(Query(query)) = read;
    let kinds = bulk::export::kinds(query.types.as_deref())
        .map_err(|detail| ApiError::invalid_field("#/query/types", detail))?;
    // Held by the task that writes the export, until its last page.
    let turn = state.costly.enter(&req).await?;
    // Check the database answers before the 200 goes out; errors later end the stream.
    drop(state.pool.acquire().await?);
    let pool = state.pool.clone();
    let (sender, receiver) =
        tokio::sync::mpsc::channel::<std::result::Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        let _turn = turn;
        for kind in kinds {
            let mut after = Uuid::nil();
            loop {
                let page = match pool.acquire().await {
                    Ok(mut conn) => bulk::export::export_page(&mut conn, kind, after, 500).await,
                    Err(e) => Err(e.into()),
                };
                match page {
                    Ok((bytes, Some(last))) => {
                        after = last;
                        if sender.send(Ok(Bytes::from(bytes))).await.is_err() {
                            return; // The client went away.
                        }
                    }
                    Ok((_, None)) => break,
                    Err(error) => {
                        tracing::error!(error = %error, "export failed midway");
                        let _ = sender
                            .send(Err(std::io::Error::other("export failed")))
                            .await;
                        return;
                    }
                }
            }
        }
    });
    let stream = tokio_stream::wrappers::ReceiverStream::new(receiver);
    Ok(HttpResponse::Ok().content_type(NDJSON).streaming(stream))
}
