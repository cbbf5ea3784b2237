//! How a request names an actor: by id or by slug.

use uuid::Uuid;

use super::Slug;

/// An actor named by its id or its slug, as paths and filters name one: `kazakhstan`,
/// `0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a`.
///
/// [`ActorKey::parse`] takes exactly what [`ActorKey::pattern`] (the schema of every such
/// parameter) admits, so a client that follows the schema is never refused with a 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorKey {
    Id(Uuid),
    Slug(Slug),
}

impl ActorKey {
    /// The longest value: a slug's (a UUID is shorter).
    pub const MAX_CHARS: usize = Slug::MAX_CHARS;

    /// A UUID in its hyphenated form, in either case.
    const UUID: &str =
        "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

    /// A UUID or a [`Slug`], unanchored: for patterns of several (`engagement`'s partners).
    pub fn alternatives() -> String {
        let slug = Slug::PATTERN.trim_start_matches('^').trim_end_matches('$');
        format!("{}|{slug}", Self::UUID)
    }

    /// The pattern of a value, anchored (with [`ActorKey::MAX_CHARS`] beside it).
    pub fn pattern() -> String {
        format!("^({})$", Self::alternatives())
    }

    /// Reads an actor's id or slug. An id is a UUID in its hyphenated form, in either case;
    /// 32 lower-case hex digits are an id too: the slug half of the pattern admits them, and
    /// no slug may have the shape of a UUID. Other forms of a UUID (braced, `urn:uuid:`, 32
    /// digits in upper case) are refused, as the pattern refuses them.
    pub fn parse(value: &str) -> Result<Self, String> {
        let id = match value.len() {
            36 => Uuid::try_parse(value).ok(),
            32 if !value.bytes().any(|b| b.is_ascii_uppercase()) => Uuid::try_parse(value).ok(),
            _ => None,
        };
        if let Some(id) = id {
            return Ok(Self::Id(id));
        }
        Slug::parse(value)
            .map(Self::Slug)
            .map_err(|e| format!("is neither an id nor a slug: {e}"))
    }

    /// That no actor has this id or slug, in words.
    pub fn missing(&self) -> String {
        match self {
            Self::Id(id) => format!("no actor with id `{id}`"),
            Self::Slug(slug) => format!("no actor with slug `{slug}`"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use regex::Regex;

    use super::*;

    static PATTERN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(&ActorKey::pattern()).unwrap_or_else(|e| panic!("{e}")));

    /// Whether the schema admits a value: its pattern and its length.
    fn admitted(value: &str) -> bool {
        PATTERN.is_match(value) && value.chars().count() <= ActorKey::MAX_CHARS
    }

    #[test]
    fn what_the_id_or_slug_pattern_accepts_parses_as_an_actor_key() {
        for value in [
            "kazakhstan",
            "xi-jinping",
            "g7",
            "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a",
            "0192F5C4-3B1E-7D2A-9C4F-5E6D7A8B9C0A",
            "0192f5c43b1e7d2a9c4f5e6d7a8b9c0a",
            &"a".repeat(64),
        ] {
            assert!(admitted(value), "{value}");
            assert!(ActorKey::parse(value).is_ok(), "{value}");
        }
        for value in [
            "Kazakhstan",
            "-kz",
            "kz-",
            "a--b",
            "kaz akh",
            "",
            "{0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a}",
            "urn:uuid:0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a",
            "0192F5C43B1E7D2A9C4F5E6D7A8B9C0A",
            &"a".repeat(65),
        ] {
            assert!(!admitted(value), "{value}");
            assert!(ActorKey::parse(value).is_err(), "{value}");
        }
    }

    #[test]
    fn ids_and_slugs_are_told_apart() {
        let id = "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a";
        let uuid = Uuid::try_parse(id).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ActorKey::parse(id), Ok(ActorKey::Id(uuid)));
        assert_eq!(
            ActorKey::parse(&id.to_ascii_uppercase()),
            Ok(ActorKey::Id(uuid))
        );
        assert_eq!(
            ActorKey::parse(&id.replace('-', "")),
            Ok(ActorKey::Id(uuid))
        );
        assert!(matches!(
            ActorKey::parse("0192f5c4-kazakhstan"),
            Ok(ActorKey::Slug(_))
        ));
    }

    #[test]
    fn the_parser_takes_exactly_what_the_pattern_admits() {
        // Near misses of both halves: UUIDs with a character changed, added or dropped,
        // slugs of hex digits and hyphens, the other forms of a UUID.
        let mut rng = StdRng::seed_from_u64(7);
        let alphabet: Vec<char> = "0123456789abcdefABCDEFxz-{}:".chars().collect();
        for _ in 0..20_000 {
            let mut value: Vec<char> = if rng.gen_bool(0.5) {
                Uuid::from_u128(rng.r#gen())
                    .hyphenated()
                    .to_string()
                    .chars()
                    .collect()
            } else {
                (0..rng.gen_range(0..40))
                    .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
                    .collect()
            };
            match rng.gen_range(0..6) {
                0 if !value.is_empty() => {
                    let at = rng.gen_range(0..value.len());
                    value[at] = alphabet[rng.gen_range(0..alphabet.len())];
                }
                1 => value.retain(|c| *c != '-'),
                2 => value = value.iter().map(char::to_ascii_uppercase).collect(),
                3 if !value.is_empty() => {
                    value.remove(rng.gen_range(0..value.len()));
                }
                _ => {}
            }
            let value: String = value.into_iter().collect();
            assert_eq!(admitted(&value), ActorKey::parse(&value).is_ok(), "{value}");
        }
    }
}
