//! Domain types that parse: a value of one of these types is valid by construction.
//!
//! Each type checks its input once, at the edge (`parse`, or serde through `TryFrom<String>`),
//! and documents the same rules in its OpenAPI schema, so that a client that follows the
//! schema is never refused with a 400. What the database gives back is taken as it is
//! (`stored`, for the record layer only): it parsed when it was written, and a rule made
//! stricter since must not make a stored record unreadable or unwritable.
#[macro_use]
mod macros;

mod actor_key;
mod alias;
mod country;
mod kinds;
mod names;
mod partial_date;
mod plover;
mod resource;
mod schema;
mod slug;
mod stored;
mod text;
mod web;
mod wikidata;

pub use actor_key::ActorKey;
pub use alias::ActorAlias;
pub use country::CountryCode;
pub use kinds::{ActorKind, AliasKind, DatePrecision, RoleRank, Stance, StatementKind, VisitKind};
pub use names::{MatchKind, NameQuery, score as score_name};
pub use partial_date::PartialDate;
pub use plover::cameo;
pub use plover::{
    InteractionContext, InteractionMode, InteractionSide, InteractionType, QuadClass, SourceCode,
};
pub use resource::{Claim, Resource};
pub use slug::Slug;
pub use stored::as_stored;
pub use text::{
    Alias, Author, CitationTitle, Description, Excerpt, Locator, Name, Occasion, Place, Quote,
    Source, StatementText, Summary, Title, search_key,
};
pub use web::{LanguageTag, Topic, WebUrl};
pub use wikidata::WikidataId;
