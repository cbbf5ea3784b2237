//! An actor's alias: another name, what kind of name it is, and when it was in use.

use serde::Serialize;

use super::{Alias, AliasKind, PartialDate};

/// Another name an actor is known by, what kind of name it is, and when it was in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"name": "Akorda", "kind": "metonym"}))]
pub struct ActorAlias {
    #[schema(value_type = String)]
    pub name: Alias,
    pub kind: AliasKind,
    /// When the name came into use, as precisely as known; absent if unknown or always.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub start: Option<PartialDate>,
    /// When the name went out of use; absent while it is used.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub end: Option<PartialDate>,
}

impl ActorAlias {
    /// A name with no kind and no dates given: a plain other name, used at any time.
    pub fn plain(name: Alias) -> Self {
        Self {
            name,
            kind: AliasKind::Name,
            start: None,
            end: None,
        }
    }

    /// Whether the name was in use on a day: the day lies between the first day of `start`
    /// and the last day of `end`, either of which may be open.
    pub fn valid_on(&self, day: chrono::NaiveDate) -> bool {
        self.start.is_none_or(|s| s.first_day() <= day)
            && self.end.is_none_or(|e| day <= e.last_day())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alias(start: Option<&str>, end: Option<&str>) -> ActorAlias {
        let date = |d: Option<&str>| d.and_then(|d| PartialDate::parse(d).ok());
        ActorAlias {
            start: date(start),
            end: date(end),
            ..ActorAlias::plain(Alias::stored("Astana".to_owned()))
        }
    }

    fn day(s: &str) -> chrono::NaiveDate {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn validity_spans_whole_partial_dates() {
        let renamed = alias(Some("1998"), Some("2019-03"));
        assert!(!renamed.valid_on(day("1997-12-31")));
        assert!(renamed.valid_on(day("1998-01-01")));
        assert!(renamed.valid_on(day("2019-03-31")));
        assert!(!renamed.valid_on(day("2019-04-01")));
    }

    #[test]
    fn open_ends_are_always_valid() {
        assert!(alias(None, None).valid_on(day("1900-01-01")));
        assert!(alias(Some("2022-09-17"), None).valid_on(day("2030-01-01")));
        assert!(!alias(Some("2022-09-17"), None).valid_on(day("2022-09-16")));
    }
}
