//! Wikidata item ids: where an actor is in Wikidata.

string_newtype! {
    /// A Wikidata item id: `Q` followed by a positive number (`Q232` is Kazakhstan).
    pub struct WikidataId(String);
}

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
