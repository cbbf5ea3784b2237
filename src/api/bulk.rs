//! `/v1/import` and `/v1/export`: the whole record, or part of it, as NDJSON (see crate::bulk
//! for the line format).

use actix_web::dev::Decompress;
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use tokio::fs::File;
use tokio::io::{AsyncBufReadExt, AsyncSeekExt, AsyncWriteExt, BufReader, BufWriter};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::bulk::{self, ImportSummary, MAX_LINE_BYTES};
use crate::domain::CitationTitle;
use crate::domain::Resource;
use crate::error::{ApiError, Result};
use crate::events::Dataset;
use crate::events::load::Options;
use crate::import::{Format, Import};

use super::auth::{Read, Write};
use super::extract::{Query, declared_length};
use super::problems::*;
use super::state::AppState;

pub const NDJSON: &str = "application/x-ndjson";

type ImportRequest = Write<web::Payload>;
type ImportEventsRequest = Write<(Query<EventsQuery>, web::Payload)>;
type ExportRequest = Read<Query<ExportQuery>>;

/// ICEWS's event data, as its files are published.
pub const TSV: &str = "text/tab-separated-values";
/// PLOVER's records: a JSON array, or one record a line.
const JSON_TYPES: [&str; 4] = [
    "application/json",
    NDJSON,
    "application/jsonl",
    "application/jsonlines",
];

/// A file sent as it is, whatever the dataset.
const BINARY: [&str; 2] = ["application/octet-stream", "text/plain"];

/// The formats of event data: ICEWS's tab-separated files, PLOVER's JSON records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventFormat {
    Icews,
    Plover,
}

/// A body of lines, sent as it is (a file): NDJSON records, or a dataset's rows.
pub struct Lines;

impl utoipa::PartialSchema for Lines {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl utoipa::ToSchema for Lines {}

/// How to read event data.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// The dataset's format: `icews` (tab-separated, as published) or `plover` (PLOVER's
    /// JSON records). Without it, the body's media type says: JSON types are PLOVER's,
    /// anything else ICEWS's.
    #[param(inline, example = "icews")]
    pub format: Option<EventFormat>,
    /// The title of the citation every record cites for the dataset file (its name, or its
    /// version), the event id as locator. The same title names the same citation in a later
    /// import.
    #[param(value_type = Option<CitationTitle>, example = "events.2018.20181119.tab")]
    pub dataset_file: Option<String>,
    /// Rows of one event (same day, principals and type) become one record with every row's
    /// stories (the default), or, `false`, each row a record of its own.
    #[param(example = true)]
    pub merge_events: Option<bool>,
}

/// Import records.
///
/// NDJSON, one record per line: `{"type", "key"?, "id"?, …the fields of a create}`, where
/// `type` is a kind of record as the change feed names it (`ChangedResource`) and a role also
/// has `actor_id`. A reference may name a record by id or by the `key` of an earlier line.
/// All or nothing: the whole file is one transaction; if any line is refused, nothing is kept
/// and the 422 lists the refused lines (up to 1000; after the first refused batch of 2000
/// lines, later lines are checked on their own, without the database). The body is received
/// whole (into a temporary file) before anything is written, then written in batches; what is
/// imported appears in the change feed. A body may be sent with `Content-Encoding: gzip`.
/// Limits, all configurable: the body's size unpacked (4 GiB), its arrival (10 s without a
/// byte, 600 s in all: 408), and imports at once (2: 429).
#[utoipa::path(
    tag = "bulk",
    operation_id = "import_records",
    request_body(content = Lines, content_type = "application/x-ndjson",
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
    if !matches!(
        media_type(&req).as_deref(),
        Some(NDJSON | "application/jsonl" | "application/jsonlines")
    ) {
        return Err(ApiError::UnsupportedMediaType(format!(
            "send the records as {NDJSON}, one JSON object per line (event data goes to \
             /v1/import/events)"
        )));
    }
    let options = Options {
        file: String::new(),
        merge: true,
    };
    import(&state, &req, &caller.name, payload, Format::Ndjson, options).await
}

/// Import event data.
///
/// An ICEWS file, as published: tab-separated, its header line with the published column
/// names first (in any order). Or PLOVER's JSON records (`format=plover`, or a JSON media
/// type): a JSON array, or one record a line, in the manual's spelling (`actor`, `recipient`,
/// `event`, `mode`, `context`, `cite_info`) or the 0.5 draft's (`source`, `target`).
///
/// CAMEO 042 (make a visit) and 043 (host a visit), and PLOVER's CONSULT with mode `visit`
/// or `host`, become visits; every other row an interaction of its PLOVER type (for CAMEO,
/// the one the published CAMEO→PLOVER correspondence gives; the code is kept). A row that
/// cannot be taken — a code the correspondence does not place, two sides counting for one
/// state, a PLOVER documentation record, a side naming several states — is skipped and
/// reported with its line. Each side counts for the state its row names (ICEWS's country
/// column, PLOVER's ISO 3166-1 alpha-3 `code`: `visitor_principal`, `source_principal`,
/// `target_principal`, what every analysis counts), or for itself without one. States are
/// found by name or ISO code, everyone else by name, and made when absent. Each record cites
/// the story (the sentence as locator; PLOVER's `text` as the quote) and the dataset file (the
/// event id as locator). Rows of one event — the same day, principals and type — are one
/// record, which later rows and later files join; a row already read (the dataset's event id
/// and date) is passed over, so loading a file again changes nothing.
///
/// All or nothing, with the limits of `POST /v1/import`; a refused line is named with its
/// field (`#/Event Date`, `#/date`). One import of event data at a time: another is a 429.
#[utoipa::path(
    tag = "bulk",
    operation_id = "import_events",
    params(EventsQuery),
    request_body(content = Lines, content_type = "text/tab-separated-values",
        description = "An ICEWS file, header line first; or PLOVER's records (as \
                       `application/json` or `application/x-ndjson`)."),
    responses(
        (status = 200, description = "Everything was imported", body = ImportSummary),
        (status = 408, response = RequestTimeout),
        (status = 429, response = TooManyRequests),
        WriteProblems, BodyProblems,
    ),
)]
#[post("/events")]
pub async fn import_events(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: ImportEventsRequest,
) -> Result<HttpResponse> {
    let Write(caller, (Query(query), payload)) = write;
    let media = media_type(&req);
    let json = media.as_deref().is_some_and(|m| JSON_TYPES.contains(&m));
    let format = match query.format {
        None if json => Format::Plover,
        None | Some(EventFormat::Icews) => Format::Icews,
        Some(EventFormat::Plover) => Format::Plover,
    };
    let dataset = format.dataset().unwrap_or(Dataset::Icews);
    let known = [TSV].iter().chain(&JSON_TYPES).chain(&BINARY);
    if let Some(media) = &media
        && !known.clone().any(|m| m == media)
    {
        return Err(ApiError::UnsupportedMediaType(format!(
            "send the dataset's file as it is published: ICEWS's as {TSV}, PLOVER's as \
             application/json or {NDJSON}"
        )));
    }
    let file = query
        .dataset_file
        .map(|title| {
            CitationTitle::parse(title)
                .map_err(|e| ApiError::invalid_field("#/query/dataset_file", e))
        })
        .transpose()?;
    let options = Options {
        file: file.map_or_else(
            || dataset.default_file().to_owned(),
            |t| t.as_str().to_owned(),
        ),
        merge: query.merge_events.unwrap_or(true),
    };
    import(&state, &req, &caller.name, payload, format, options).await
}

/// The media type a request names, lower case, without parameters.
fn media_type(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
}

/// Receives the body, then reads it into the record in one transaction.
async fn import(
    state: &AppState,
    req: &HttpRequest,
    by: &str,
    payload: web::Payload,
    format: Format,
    options: Options,
) -> Result<HttpResponse> {
    let _turn = state
        .imports
        .try_acquire()
        .map_err(|_| ApiError::TooManyRequests {
            detail: "as many imports as this service takes at once are running; retry when one \
                     has finished"
                .into(),
            retry_after: 10,
        })?;
    // A gzip body (`Content-Encoding: gzip`) is unpacked as it arrives; the size limit is
    // the unpacked size's, so a small bomb is refused like a large file.
    let payload = Decompress::from_headers(payload.into_inner(), req.headers());
    let mut body = spool(payload, declared_length(req), state.import_max_bytes).await?;
    // Only now, with the whole body here, does the import take a connection and a transaction:
    // a slow sender holds neither.
    let mut tx = state.pool.begin().await?;
    let mut import = Import::new(&mut tx, by, format, options);
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
        import
            .push(line.strip_suffix(b"\n").unwrap_or(&line))
            .await?;
        if import.gave_up() {
            break;
        }
    }
    match import.finish().await? {
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
    payload: impl Stream<Item = std::result::Result<Bytes, PayloadError>>,
    declared: Option<u64>,
    max_bytes: u64,
) -> Result<BufReader<File>> {
    let mut payload = std::pin::pin!(payload);
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
