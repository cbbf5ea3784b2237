//! The controlled vocabularies of the record: kinds of actor, visit, statement and alias,
//! stances, role ranks and date precisions.

use serde::{Deserialize, Serialize};

/// What an actor is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "actor_kind", rename_all = "snake_case")]
pub enum ActorKind {
    State,
    Person,
    Organization,
    Other,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::State => "state",
            Self::Person => "person",
            Self::Organization => "organization",
            Self::Other => "other",
        }
    }
}

/// How much of a partial date the source gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "date_precision", rename_all = "snake_case")]
pub enum DatePrecision {
    Year,
    Month,
    Day,
}

/// The kind of a visit, from a controlled vocabulary.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    sqlx::Type,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "visit_kind", rename_all = "snake_case")]
pub enum VisitKind {
    State,
    Official,
    Working,
    Summit,
    Multilateral,
    Other,
}

/// What a statement does.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    sqlx::Type,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "statement_kind", rename_all = "snake_case")]
pub enum StatementKind {
    Declaration,
    Pledge,
    Proposal,
    Denial,
    Criticism,
    Agreement,
    Other,
}

/// A statement's position toward one of its subjects.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    sqlx::Type,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "stance", rename_all = "snake_case")]
pub enum Stance {
    Support,
    Oppose,
    Neutral,
}

/// How senior a role is, for weighting what its holder does on behalf of a state or
/// organization.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "role_rank", rename_all = "snake_case")]
pub enum RoleRank {
    HeadOfState,
    HeadOfGovernment,
    ForeignMinister,
    Minister,
    Envoy,
    Official,
}

/// What kind of name an alias is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Serialize,
    Deserialize,
    sqlx::Type,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "alias_kind", rename_all = "snake_case")]
pub enum AliasKind {
    /// Another current name ("Republic of Kazakhstan", "Türkiye").
    #[default]
    Name,
    /// A name no longer used ("Kazakh SSR").
    FormerName,
    /// The same name in another spelling or script ("Tokaev", "Токаев").
    Transliteration,
    /// A short form ("PRC", "EU").
    Abbreviation,
    /// A capital or seat standing for a state or organization ("the Kremlin", "Brussels").
    Metonym,
}

macro_rules! as_str {
    ($($ty:ident { $($variant:ident => $s:expr),* $(,)? })*) => {
        $(impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $s),* }
            }
        })*
    };
}

as_str! {
    VisitKind { State => "state", Official => "official", Working => "working", Summit => "summit", Multilateral => "multilateral", Other => "other" }
    StatementKind { Declaration => "declaration", Pledge => "pledge", Proposal => "proposal", Denial => "denial", Criticism => "criticism", Agreement => "agreement", Other => "other" }
    Stance { Support => "support", Oppose => "oppose", Neutral => "neutral" }
    AliasKind { Name => "name", FormerName => "former_name", Transliteration => "transliteration", Abbreviation => "abbreviation", Metonym => "metonym" }
    RoleRank { HeadOfState => "head_of_state", HeadOfGovernment => "head_of_government", ForeignMinister => "foreign_minister", Minister => "minister", Envoy => "envoy", Official => "official" }
}
