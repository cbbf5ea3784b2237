//! Declarative macros for the domain's data. Each writes out a shape that every such type
//! shares, so that a type states only what is its own.

/// A closed vocabulary: an enum of unit variants, each with its name in the API (and in the
/// database), which is the variant's name in `snake_case`.
///
/// ```ignore
/// vocabulary! {
///     /// What an actor is.
///     pub enum ActorKind as "actor_kind" {
///         State => "state",
///         Person => "person",
///     }
/// }
/// ```
///
/// generates:
///
/// - the enum, with its doc comments and those of its variants (the doc comments become its
///   OpenAPI description) and any other attribute given (such as `#[derive(Default)]`);
/// - `Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
///   utoipa::ToSchema`, with `#[serde(rename_all = "snake_case")]`;
/// - with `as "type_name"`: `sqlx::Type` for the PostgreSQL enum of that name, its values
///   in `snake_case` too. Without it, the vocabulary is not stored (one derived from another);
/// - `ALL`, every value in the order declared;
/// - `as_str`, the name given beside each variant. It must be the `snake_case` serde and sqlx
///   write; the test below checks it for every vocabulary.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident $(as $type_name:literal)? {
            $($(#[$variant_meta:meta])* $variant:ident => $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        $(
            #[derive(sqlx::Type)]
            #[sqlx(type_name = $type_name, rename_all = "snake_case")]
        )?
        #[serde(rename_all = "snake_case")]
        $vis enum $name {
            $($(#[$variant_meta])* $variant),+
        }

        impl $name {
            /// Every value, in the order declared.
            pub const ALL: [Self; [$(stringify!($variant)),+].len()] = [$(Self::$variant),+];

            /// The name in the API and in the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }
    };
}

/// The shell of a string newtype: a `String` that parsed, written and read as a JSON string.
///
/// ```ignore
/// string_newtype! {
///     /// A Wikidata item id.
///     pub struct WikidataId(String);
/// }
/// ```
///
/// generates the struct (`Debug, Clone, PartialEq, Eq, Hash`, serde through `String`), `as_str`,
/// `stored`, `TryFrom<String>` (which parses, or takes the value as stored inside
/// [`as_stored`](super::as_stored)), `From<_> for String`, `AsRef<str>`, `Display` and
/// `utoipa::ToSchema`. The type itself writes `parse(impl Into<String>) -> Result<Self,
/// String>` and its `utoipa::PartialSchema`, which say what a valid value is.
macro_rules! string_newtype {
    ($(#[$meta:meta])* $vis:vis struct $name:ident(String);) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        $vis struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// A value read back from the database: it parsed when it was written, so it is
            /// taken as it is (a rule made stricter later leaves stored records readable).
            pub(crate) fn stored(value: String) -> Self {
                Self(value)
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
                if $crate::domain::stored::reading_stored() {
                    return Ok(Self::stored(value));
                }
                Self::parse(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

#[cfg(test)]
mod tests {
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use utoipa::PartialSchema;

    use crate::domain::*;

    /// `as_str` is the serde name of every value, and `ALL` lists the values the schema does,
    /// in its order: a variant left out of `ALL` fails.
    fn check_vocabulary<T>(all: &[T], as_str: fn(T) -> &'static str)
    where
        T: Copy + PartialEq + std::fmt::Debug + Serialize + DeserializeOwned + PartialSchema,
    {
        let schema = serde_json::to_value(T::schema()).unwrap_or_default();
        let declared = schema["enum"].as_array().cloned().unwrap_or_default();
        let listed: Vec<serde_json::Value> = all.iter().map(|v| as_str(*v).into()).collect();
        assert!(!declared.is_empty(), "{schema}");
        assert_eq!(listed, declared, "ALL lists every value of {schema}");
        for value in all {
            let name = as_str(*value);
            assert_eq!(serde_json::to_value(value).ok(), Some(name.into()));
            let back: Option<T> = serde_json::from_value(name.into()).ok();
            assert_eq!(back, Some(*value));
        }
    }

    #[test]
    fn every_vocabulary_names_its_values_as_serde_does_and_lists_them_all() {
        check_vocabulary(&ActorKind::ALL, ActorKind::as_str);
        check_vocabulary(&VisitKind::ALL, VisitKind::as_str);
        check_vocabulary(&StatementKind::ALL, StatementKind::as_str);
        check_vocabulary(&Stance::ALL, Stance::as_str);
        check_vocabulary(&RoleRank::ALL, RoleRank::as_str);
        check_vocabulary(&AliasKind::ALL, AliasKind::as_str);
        check_vocabulary(&InteractionType::ALL, InteractionType::as_str);
        check_vocabulary(&InteractionMode::ALL, InteractionMode::as_str);
        check_vocabulary(&InteractionContext::ALL, InteractionContext::as_str);
        check_vocabulary(&InteractionSide::ALL, InteractionSide::as_str);
        check_vocabulary(&QuadClass::ALL, QuadClass::as_str);
    }

    /// A value no newtype parses (PostgreSQL cannot even store NUL) is refused, but taken as
    /// it is when read back as stored.
    fn check_newtype<T>()
    where
        T: DeserializeOwned + AsRef<str> + TryFrom<String, Error = String>,
    {
        let refused = "not\0valid";
        let name = std::any::type_name::<T>();
        assert!(T::try_from(refused.to_owned()).is_err(), "{name}");
        assert!(
            serde_json::from_value::<T>(refused.into()).is_err(),
            "{name}"
        );
        let text = |value: Option<T>| value.map(|v| v.as_ref().to_owned());
        let stored = as_stored(|| T::try_from(refused.to_owned()));
        assert_eq!(text(stored.ok()), Some(refused.to_owned()), "{name}");
        let read = as_stored(|| serde_json::from_value::<T>(refused.into()));
        assert_eq!(text(read.ok()), Some(refused.to_owned()), "{name}");
    }

    #[test]
    fn every_string_newtype_checks_its_input_but_takes_a_stored_value_as_it_is() {
        check_newtype::<Name>();
        check_newtype::<Alias>();
        check_newtype::<Title>();
        check_newtype::<Description>();
        check_newtype::<Place>();
        check_newtype::<Occasion>();
        check_newtype::<Summary>();
        check_newtype::<StatementText>();
        check_newtype::<Source>();
        check_newtype::<CitationTitle>();
        check_newtype::<Author>();
        check_newtype::<Excerpt>();
        check_newtype::<Locator>();
        check_newtype::<Quote>();
        check_newtype::<WebUrl>();
        check_newtype::<LanguageTag>();
        check_newtype::<Topic>();
        check_newtype::<Slug>();
        check_newtype::<WikidataId>();
        check_newtype::<SourceCode>();
    }
}
