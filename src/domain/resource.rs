//! The kinds of record chancery keeps, named once. The change feed, cited-by, import and
//! export, the paths, and the reference and merge queries derive from this list; every match
//! on it is exhaustive, so a new kind is a list of compile errors, not a silent mislabel.

use serde::{Deserialize, Serialize};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};
use utoipa::ToSchema;

/// A kind of record.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
// The change feed's name for it since the first release.
#[schema(as = ChangedResource, description = "What kind of record a change is about.")]
pub enum Resource {
    Actor,
    Role,
    Citation,
    Visit,
    Statement,
    Interaction,
}

impl Resource {
    /// Every kind, in the order an import needs them and an export writes them: what a record
    /// refers to comes before it.
    pub const ALL: [Resource; 6] = [
        Self::Citation,
        Self::Actor,
        Self::Role,
        Self::Visit,
        Self::Statement,
        Self::Interaction,
    ];

    /// Its name in the change feed, import lines (`type`) and references.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Actor => "actor",
            Self::Role => "role",
            Self::Citation => "citation",
            Self::Visit => "visit",
            Self::Statement => "statement",
            Self::Interaction => "interaction",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// Its collection's name: the path segment under `/v1/` and the table.
    pub fn plural(self) -> &'static str {
        match self {
            Self::Actor => "actors",
            Self::Role => "roles",
            Self::Citation => "citations",
            Self::Visit => "visits",
            Self::Statement => "statements",
            Self::Interaction => "interactions",
        }
    }

    /// Whether its records are claims, which cite their sources.
    pub fn claim(self) -> Option<Claim> {
        match self {
            Self::Actor | Self::Citation => None,
            Self::Role => Some(Claim::Role),
            Self::Visit => Some(Claim::Visit),
            Self::Statement => Some(Claim::Statement),
            Self::Interaction => Some(Claim::Interaction),
        }
    }
}

impl std::fmt::Display for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A kind of record that makes a claim and cites its sources (at least one for a visit or a
/// statement; a role may have none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Claim {
    Role,
    Visit,
    Statement,
    Interaction,
}

impl Claim {
    /// Every kind of claim, in [`Resource::ALL`]'s order.
    pub fn all() -> impl Iterator<Item = Claim> {
        Resource::ALL.into_iter().filter_map(Resource::claim)
    }

    pub fn resource(self) -> Resource {
        match self {
            Self::Role => Resource::Role,
            Self::Visit => Resource::Visit,
            Self::Statement => Resource::Statement,
            Self::Interaction => Resource::Interaction,
        }
    }
}

// Stored as its name (the `changes.resource` column and the reference queries' text).
impl Type<Postgres> for Resource {
    fn type_info() -> PgTypeInfo {
        <&str as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <&str as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for Resource {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <&str as Encode<Postgres>>::encode(self.as_str(), buf)
    }
}

impl<'r> Decode<'r, Postgres> for Resource {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        let name = <&str as Decode<Postgres>>::decode(value)?;
        Self::parse(name).ok_or_else(|| format!("`{name}` is not a kind of record").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::PartialSchema;

    #[test]
    fn every_kind_is_listed_once_and_named_both_ways() {
        // The schema lists the enum's variants as the derive sees them: a kind left out of
        // `ALL` is missing here.
        let schema = serde_json::to_value(Resource::schema()).unwrap_or_default();
        let mut declared: Vec<String> = schema["enum"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        declared.sort();
        let mut listed: Vec<String> = Resource::ALL.iter().map(|r| r.to_string()).collect();
        listed.sort();
        assert!(!declared.is_empty());
        assert_eq!(declared, listed);
        for kind in Resource::ALL {
            assert_eq!(Resource::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_value(kind).unwrap_or_default();
            assert_eq!(json, kind.as_str());
            assert!(kind.plural().starts_with(kind.as_str()));
        }
        assert_eq!(Resource::parse("Visit"), None);
    }

    #[test]
    fn claims_are_the_kinds_that_cite_sources() {
        let claims: Vec<Resource> = Claim::all().map(Claim::resource).collect();
        assert_eq!(
            claims,
            [
                Resource::Role,
                Resource::Visit,
                Resource::Statement,
                Resource::Interaction
            ]
        );
        for claim in Claim::all() {
            assert_eq!(claim.resource().claim(), Some(claim));
        }
    }
}
