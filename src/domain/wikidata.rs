//! Wikidata item ids: where an actor is in Wikidata.

use serde::{Deserialize, Serialize};

/// A Wikidata item id: `Q` followed by a positive number (`Q232` is Kazakhstan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WikidataId(String);

impl WikidataId {
    pub const PATTERN: &'static str = "^Q[1-9][0-9]{0,11}$";

    pub fn parse(value: impl Into<String>) -> Result<Self, String> {
        let value = value.into();
        let digits = value.strip_prefix('Q').unwrap_or("");
        let ok = !digits.is_empty()
            && digits.len() <= 12
            && !digits.starts_with('0')
            && digits.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(Self(value))
        } else {
            Err(
                "must be a Wikidata item id: `Q` and a number without leading zeros (e.g. `Q232`)"
                    .into(),
            )
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A value read back from the database: it parsed when it was written, so it is taken as
    /// it is (a rule made stricter later leaves stored records readable).
    pub(crate) fn stored(value: String) -> Self {
        Self(value)
    }
}

impl TryFrom<String> for WikidataId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        if super::stored::reading_stored() {
            return Ok(Self::stored(value));
        }
        Self::parse(value)
    }
}

impl From<WikidataId> for String {
    fn from(value: WikidataId) -> String {
        value.0
    }
}

impl std::fmt::Display for WikidataId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl utoipa::PartialSchema for WikidataId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        super::schema::string_schema(
            "A Wikidata item id.",
            Some(Self::PATTERN),
            None,
            Some(13),
            "Q232",
        )
    }
}

impl utoipa::ToSchema for WikidataId {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_item_ids() {
        assert!(WikidataId::parse("Q232").is_ok());
        assert!(WikidataId::parse("Q1").is_ok());
        for bad in [
            "",
            "Q",
            "Q0",
            "Q01",
            "q232",
            "P31",
            "Q12a",
            "Q1234567890123",
        ] {
            assert!(WikidataId::parse(bad).is_err(), "{bad}");
        }
    }
}
