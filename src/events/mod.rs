//! Coded event data: the rows of event datasets (ICEWS's tab-separated files), read and
//! checked one at a time, and what each becomes in the record.
//!
//! A row is read on its own first ([`icews`]): every column parsed to the domain's types,
//! every fault reported with the row's line and the column's name. What the row becomes
//! ([`EventRow::becomes`]) needs no database either: a visit for CAMEO's 042 and 043, an
//! interaction of the type PLOVER's correspondence gives every other code, or nothing, with
//! the reason, for a code the correspondence does not place.

mod group;
pub mod icews;
pub mod load;
mod resolve;

use chrono::NaiveDate;

use crate::domain::cameo::{self, Placed};
use crate::domain::{Name, Place, Source, SourceCode};

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

/// The news story a row was coded from.
#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    pub id: String,
    pub sentence: Option<u32>,
    pub publisher: Option<Source>,
}

/// One row of an event dataset, read and checked on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    /// The dataset's id of the event. Not unique alone in ICEWS: with the date, it is.
    pub event_id: String,
    pub date: NaiveDate,
    pub source: CodedActor,
    pub target: CodedActor,
    pub code: SourceCode,
    pub story: Story,
    /// City, district, province and country, those given, joined.
    pub place: Option<Place>,
}

/// What a row becomes in the record.
#[derive(Debug, Clone, PartialEq)]
pub enum Becomes {
    /// CAMEO 042 (the source makes a visit to the target) or 043 (the source hosts the
    /// target): a visit of the side that travels to the other side's principal.
    Visit { source_travels: bool },
    /// Every other placed code.
    Interaction(Placed),
    /// A code PLOVER's correspondence does not place: reported, never guessed.
    Skipped(cameo::NotPlaced),
}

impl EventRow {
    pub fn becomes(&self) -> Becomes {
        match self.code.as_str() {
            "042" => Becomes::Visit {
                source_travels: true,
            },
            "043" => Becomes::Visit {
                source_travels: false,
            },
            _ => match cameo::place(&self.code) {
                Ok(placed) => Becomes::Interaction(placed),
                Err(reason) => Becomes::Skipped(reason),
            },
        }
    }
}
