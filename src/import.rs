//! An import of any format, line by line, for the HTTP API and the command line alike:
//! records as NDJSON ([`bulk`]), or event data ([`events`]): ICEWS's or PLOVER's.

use sqlx::PgConnection;

use crate::bulk::{ImportSummary, Importer};
use crate::error::{LineError, Result};
use crate::events::Dataset;
use crate::events::load::{EventLoader, Options};

/// What an import's lines are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One record per line, as `/v1/export` writes them.
    Ndjson,
    /// ICEWS's coded event data: tab-separated, a header line first.
    Icews,
    /// PLOVER's JSON records: an array, or a record a line.
    Plover,
}

impl Format {
    pub const NAMES: [&str; 3] = ["ndjson", "icews", "plover"];

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "ndjson" => Some(Self::Ndjson),
            "icews" => Some(Self::Icews),
            "plover" => Some(Self::Plover),
            _ => None,
        }
    }

    /// The event dataset this format is; none for records.
    pub fn dataset(self) -> Option<Dataset> {
        match self {
            Self::Ndjson => None,
            Self::Icews => Some(Dataset::Icews),
            Self::Plover => Some(Dataset::Plover),
        }
    }
}

/// An import in progress, in the caller's transaction.
pub enum Import<'c> {
    Records(Importer<'c>),
    Events(EventLoader<'c>),
}

impl<'c> Import<'c> {
    /// `options` matter to event data only.
    pub fn new(conn: &'c mut PgConnection, by: &str, format: Format, options: Options) -> Self {
        match format.dataset() {
            None => Self::Records(Importer::new(conn, by)),
            Some(dataset) => Self::Events(EventLoader::new(conn, by, dataset, options)),
        }
    }

    /// Takes one line, without its newline.
    pub async fn push(&mut self, line: &[u8]) -> Result<()> {
        match self {
            Self::Records(importer) => {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                match std::str::from_utf8(line) {
                    Ok(text) => importer.push(text).await,
                    // Not JSON either: refused as such, with its line.
                    Err(_) => importer.push("\u{0}not utf-8").await,
                }
            }
            Self::Events(loader) => loader.push(line).await,
        }
    }

    /// Whether enough errors were found to stop reading.
    pub fn gave_up(&self) -> bool {
        match self {
            Self::Records(importer) => importer.gave_up(),
            Self::Events(loader) => loader.gave_up(),
        }
    }

    /// What was imported, or every line refused (the caller then rolls back).
    pub async fn finish(self) -> Result<std::result::Result<ImportSummary, Vec<LineError>>> {
        match self {
            Self::Records(importer) => importer.finish().await,
            Self::Events(loader) => loader.finish().await,
        }
    }
}
