//! Coded event data: the records of event datasets — ICEWS's tab-separated rows ([`icews`]),
//! PLOVER's JSON records ([`plover`]) — read and checked one at a time, and what each becomes
//! in the record.
//!
//! A record is read on its own first: every field parsed to the domain's types, every fault
//! reported with its line and the field's name. What it becomes ([`Becomes`]) needs no
//! database either: a visit (CAMEO's 042 and 043, PLOVER's CONSULT with mode `visit` or
//! `host`), an interaction of a PLOVER type (for CAMEO, the one PLOVER's correspondence
//! gives), or nothing, with the reason ([`Read::Skipped`]).

mod group;
pub mod icews;
pub mod load;
pub mod plover;
mod resolve;

use chrono::NaiveDate;

use crate::domain::cameo::{self, Placed};
use crate::domain::{Name, Place, Quote, Source, SourceCode, WebUrl};

/// The datasets whose files are read, each under its own name for its event ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    Icews,
    Plover,
}

impl Dataset {
    /// The name the dataset's event ids and stories are kept under.
    pub fn name(self) -> &'static str {
        match self {
            Self::Icews => "icews",
            Self::Plover => "plover",
        }
    }

    /// How its files name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Icews => "ICEWS",
            Self::Plover => "PLOVER",
        }
    }

    /// The source of the citation a dataset file is.
    pub fn source(self) -> &'static str {
        match self {
            Self::Icews => "ICEWS Coded Event Data (Harvard Dataverse)",
            Self::Plover => "PLOVER-coded event data",
        }
    }

    /// The file's citation title when the caller names none.
    pub fn default_file(self) -> &'static str {
        match self {
            Self::Icews => "ICEWS Coded Event Data",
            Self::Plover => "PLOVER-coded event data",
        }
    }
}

/// An actor as the dataset coded it on one row.
#[derive(Debug, Clone, PartialEq)]
pub struct CodedActor {
    pub name: Name,
    /// The dataset's sectors (`Executive`, `Government`…), in its order.
    pub sectors: Vec<String>,
    /// The state the dataset says the actor counts for on this row, as the dataset names it
    /// ("Russian Federation"); none for an international organization.
    pub country: Option<Name>,
}

/// The news story a row was coded from, as a citation.
#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    /// What names the story in its dataset: ICEWS's Story ID; for PLOVER, the citation or
    /// URL the record gives, or else the record's own id.
    pub id: String,
    pub title: String,
    pub publisher: Option<Source>,
    pub url: Option<WebUrl>,
    pub published_on: Option<NaiveDate>,
    /// Where in the story the row was coded (`sentence 2`).
    pub locator: String,
    /// The words coded, when the dataset gives them (PLOVER's `text`).
    pub quote: Option<Quote>,
}

/// One row of an event dataset, read and checked on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    /// The dataset's id of the event. Not unique alone in ICEWS: with the date, it is.
    pub event_id: String,
    pub date: NaiveDate,
    pub source: CodedActor,
    pub target: CodedActor,
    pub becomes: Becomes,
    /// The dataset's own event code, kept on an interaction (ICEWS's CAMEO code).
    pub code: Option<SourceCode>,
    pub story: Story,
    /// City, district, province and country, those given, joined.
    pub place: Option<Place>,
}

/// What a row becomes in the record.
#[derive(Debug, Clone, PartialEq)]
pub enum Becomes {
    /// A visit of the side that travels (the source, or the target when the source hosts)
    /// to the other side's principal.
    Visit { source_travels: bool },
    /// An interaction of the source toward the target.
    Interaction(Placed),
}

impl Becomes {
    /// What a CAMEO code becomes: 042 (make a visit) and 043 (host a visit) a visit, every
    /// other code what PLOVER's correspondence places it as; or why nothing.
    pub fn of_cameo(code: &SourceCode) -> Result<Self, String> {
        match code.as_str() {
            "042" => Ok(Self::Visit {
                source_travels: true,
            }),
            "043" => Ok(Self::Visit {
                source_travels: false,
            }),
            _ => cameo::place(code)
                .map(Self::Interaction)
                .map_err(|reason| format!("CAMEO {}: {reason}", code.as_str())),
        }
    }
}

/// A record of a file, read on its own.
#[derive(Debug, Clone, PartialEq)]
pub enum Read {
    Row(Box<EventRow>),
    /// Read, and not taken: the reason (a code PLOVER does not place, a record without a
    /// target, a documentation record…) is reported with its lines, never guessed past.
    Skipped(String),
}

/// A fault in a record: the field (`#/Event Date`, `#/source/0/code`, or `#` for the whole
/// record) and what is wrong.
pub type Fault = (String, String);

/// A record read, or its faults, with the line it begins on.
pub type Parsed = (usize, Result<Read, Vec<Fault>>);

/// Reads a dataset's file line by line into records.
pub enum Reader {
    Icews(icews::Reader),
    Plover(plover::Reader),
}

impl Reader {
    pub fn new(dataset: Dataset) -> Self {
        match dataset {
            Dataset::Icews => Self::Icews(icews::Reader::default()),
            Dataset::Plover => Self::Plover(plover::Reader::default()),
        }
    }

    /// Takes line `number` (without its newline); the records it completes go to `out`.
    pub fn line(&mut self, number: usize, bytes: &[u8], out: &mut Vec<Parsed>) {
        match self {
            Self::Icews(reader) => reader.line(number, bytes, out),
            Self::Plover(reader) => reader.line(number, bytes, out),
        }
    }

    /// The end of the file, after line `last`: a fault if it ends where no file may.
    pub fn end(&mut self, last: usize, out: &mut Vec<Parsed>) {
        match self {
            Self::Icews(reader) => reader.end(out),
            Self::Plover(reader) => reader.end(last, out),
        }
    }

    /// Whether nothing more can be read (an ICEWS header that could not be).
    pub fn stuck(&self) -> bool {
        match self {
            Self::Icews(reader) => reader.stuck(),
            Self::Plover(_) => false,
        }
    }
}
