//! The controlled vocabularies of the record: kinds of actor, visit, statement and alias,
//! stances, role ranks and date precisions.

use serde::Deserialize;

vocabulary! {
    /// What an actor is.
    pub enum ActorKind as "actor_kind" {
        State => "state",
        Person => "person",
        Organization => "organization",
        Other => "other",
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

vocabulary! {
    /// The kind of a visit, from a controlled vocabulary.
    pub enum VisitKind as "visit_kind" {
        State => "state",
        Official => "official",
        Working => "working",
        Summit => "summit",
        Multilateral => "multilateral",
        Other => "other",
    }
}

vocabulary! {
    /// What a statement does.
    pub enum StatementKind as "statement_kind" {
        Declaration => "declaration",
        Pledge => "pledge",
        Proposal => "proposal",
        Denial => "denial",
        Criticism => "criticism",
        Agreement => "agreement",
        Other => "other",
    }
}

vocabulary! {
    /// A statement's position toward one of its subjects.
    pub enum Stance as "stance" {
        Support => "support",
        Oppose => "oppose",
        Neutral => "neutral",
    }
}

vocabulary! {
    /// How senior a role is, for weighting what its holder does on behalf of a state or
    /// organization.
    pub enum RoleRank as "role_rank" {
        HeadOfState => "head_of_state",
        HeadOfGovernment => "head_of_government",
        ForeignMinister => "foreign_minister",
        Minister => "minister",
        Envoy => "envoy",
        Official => "official",
    }
}

vocabulary! {
    /// What kind of name an alias is.
    #[derive(Default)]
    pub enum AliasKind as "alias_kind" {
        /// Another current name ("Republic of Kazakhstan", "Türkiye").
        #[default]
        Name => "name",
        /// A name no longer used ("Kazakh SSR").
        FormerName => "former_name",
        /// The same name in another spelling or script ("Tokaev", "Токаев").
        Transliteration => "transliteration",
        /// A short form ("PRC", "EU").
        Abbreviation => "abbreviation",
        /// A capital or seat standing for a state or organization ("the Kremlin", "Brussels").
        Metonym => "metonym",
    }
}
