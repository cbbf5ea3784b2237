//! Slugs: the human-friendly handle of an actor, and how one is derived from a name.

string_newtype! {
    /// A short, human-friendly, unique handle for an actor: `kazakhstan`, `xi-jinping`.
    ///
    /// Lower-case ASCII letters and digits in groups joined by single hyphens, at most 64
    /// characters. A slug never has the shape of a UUID, so `/v1/actors/{id-or-slug}` is never
    /// ambiguous.
    pub struct Slug(String);
}

impl Slug {
    pub const MAX_CHARS: usize = 64;
    pub const PATTERN: &'static str = "^[a-z0-9]+(-[a-z0-9]+)*$";

    pub fn parse(value: impl Into<String>) -> Result<Self, String> {
        let value = value.into();
        if value.is_empty() {
            return Err("must not be empty".into());
        }
        if value.len() > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        let well_formed = value.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        if !well_formed {
            return Err(
                "must be lower-case letters and digits in groups joined by single hyphens (e.g. `xi-jinping`)"
                    .into(),
            );
        }
        if uuid::Uuid::try_parse(&value).is_ok() {
            return Err("must not have the form of a UUID".into());
        }
        Ok(Self(value))
    }

    /// Derives a slug from a name: `Recep Tayyip Erdoğan` -> `recep-tayyip-erdogan`.
    /// Returns `None` when nothing usable remains (a name without Latin transliteration).
    pub fn from_name(name: &str) -> Option<Self> {
        let ascii = deunicode::deunicode(name).to_ascii_lowercase();
        let mut slug = String::with_capacity(ascii.len());
        for c in ascii.chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if matches!(c, '\'' | '`') {
                // Apostrophes join rather than split: "O'Brien" -> "obrien".
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        let mut slug = slug.trim_end_matches('-').to_owned();
        if slug.len() > Self::MAX_CHARS {
            slug.truncate(Self::MAX_CHARS);
            slug = slug.trim_end_matches('-').to_owned();
        }
        Self::parse(slug).ok()
    }
}

impl utoipa::PartialSchema for Slug {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        super::schema::string_schema(
            "A unique, human-friendly handle: lower-case letters and digits in groups joined by \
             single hyphens; never shaped like a UUID.",
            Some(Self::PATTERN),
            Some(1),
            Some(Self::MAX_CHARS),
            "kazakhstan",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_well_formed_slugs() {
        for ok in ["kazakhstan", "xi-jinping", "g20", "a-1-b"] {
            assert!(Slug::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_malformed_slugs() {
        for bad in [
            "",
            "-a",
            "a-",
            "a--b",
            "A",
            "a b",
            "é",
            "a_b",
            &"a".repeat(65),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn refuses_uuid_shaped_slugs() {
        assert!(Slug::parse("0190c0b2-8a5e-7c3d-9f1a-2b3c4d5e6f70").is_err());
    }

    #[test]
    fn derives_from_names() {
        let slug = |n: &str| Slug::from_name(n).map(|s| s.0);
        assert_eq!(
            slug("Recep Tayyip Erdoğan").as_deref(),
            Some("recep-tayyip-erdogan")
        );
        assert_eq!(
            slug("Kassym-Jomart Tokayev").as_deref(),
            Some("kassym-jomart-tokayev")
        );
        assert_eq!(
            slug("  European Union (EU) ").as_deref(),
            Some("european-union-eu")
        );
        assert_eq!(
            slug("Қасым-Жомарт Тоқаев").as_deref(),
            Some("kasym-zhomart-tokaev")
        );
        assert_eq!(slug("Sergey O'Brien").as_deref(), Some("sergey-obrien"));
        assert_eq!(slug("!!!"), None);
    }
}
