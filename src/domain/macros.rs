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
}
