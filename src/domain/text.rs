//! Free text with documented limits. PostgreSQL cannot store NUL characters, so they are
//! refused here rather than failing in the database.

use serde::{Deserialize, Serialize};

/// Characters that count as blank. Kept to ASCII whitespace so that the schema pattern means
/// exactly the same in every regex dialect that reads it (ECMA-262, Python, Rust).
fn is_blank_char(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Checks a text value: no NUL, at most `max` characters, and not blank when `required`.
/// Returns the value with surrounding blanks removed.
pub(crate) fn check_text(value: String, max: usize, required: bool) -> Result<String, String> {
    if value.contains('\0') {
        return Err("must not contain NUL characters".into());
    }
    let trimmed = value.trim_matches(is_blank_char);
    if required && trimmed.is_empty() {
        return Err("must not be empty or blank".into());
    }
    let count = value.chars().count();
    if count > max {
        return Err(format!("must be at most {max} characters (got {count})"));
    }
    if trimmed.len() == value.len() {
        Ok(value)
    } else {
        Ok(trimmed.to_owned())
    }
}

/// A pattern for text that must hold at least one non-blank character and no NUL.
pub(crate) const NON_BLANK_PATTERN: &str = r"^[^\u0000]*[^\u0000\t\n\r ][^\u0000]*$";
/// A pattern for text that must hold no NUL.
pub(crate) const NO_NUL_PATTERN: &str = r"^[^\u0000]*$";

macro_rules! text_type {
    ($(#[$meta:meta])* $name:ident, max = $max:expr, required = $required:expr, example = $example:expr, doc = $doc:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(value: impl Into<String>) -> Result<Self, String> {
                check_text(value.into(), $max, $required).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
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

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                super::string_schema(
                    &format!("{} At most {} characters; no NUL characters{}.", $doc, $max,
                        if $required { "; not blank" } else { "" }),
                    Some(if $required { NON_BLANK_PATTERN } else { NO_NUL_PATTERN }),
                    if $required { Some(1) } else { None },
                    Some($max),
                    $example,
                )
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

text_type!(
    /// The name an actor is best known by.
    Name, max = 200, required = true, example = "Kazakhstan",
    doc = "A name."
);
text_type!(
    /// Another name for an actor: a transliteration, a former name, a metonym ("Akorda").
    Alias, max = 200, required = true, example = "Republic of Kazakhstan",
    doc = "Another name the actor is known by."
);
text_type!(
    /// A title of an office.
    Title, max = 200, required = true, example = "President",
    doc = "The title of an office, as the source gives it."
);
text_type!(
    /// Free-text description.
    Description, max = 5000, required = false, example = "Central Asian state; capital Astana.",
    doc = "A free-text description."
);

text_type!(
    /// Where a visit took place: a city or venue.
    Place, max = 200, required = true, example = "Astana",
    doc = "A city or venue."
);
text_type!(
    /// What a visit was for.
    Occasion, max = 300, required = true, example = "Sixth Summit of the Conference on Interaction and Confidence-Building Measures in Asia",
    doc = "The occasion of a visit."
);
text_type!(
    /// A summary of what happened.
    Summary, max = 5000, required = false, example = "Talks on trade, transit and the Middle Corridor.",
    doc = "A summary."
);
text_type!(
    /// What was said: the words (verbatim) or a faithful paraphrase.
    StatementText, max = 10000, required = true, example = "China will always support Kazakhstan in defending its independence, sovereignty and territorial integrity.",
    doc = "What was said, verbatim or paraphrased."
);
text_type!(
    /// The outlet or publisher of a source.
    Source, max = 300, required = true, example = "Eurasia Daily Monitor",
    doc = "The outlet or publisher."
);
text_type!(
    /// The title of a source.
    CitationTitle, max = 500, required = true, example = "Kazakhstan's Expanding Multi-Vector Foreign Policy",
    doc = "The title of the source."
);
text_type!(
    /// An author of a source.
    Author, max = 200, required = true, example = "Jane Doe",
    doc = "An author."
);
text_type!(
    /// A passage of a source, as it stands there.
    Excerpt, max = 5000, required = true, example = "Kazakhstan has been emboldened by a strategic relationship…",
    doc = "A passage of the source."
);
text_type!(
    /// Where in a source a claim is found: a page, paragraph or timestamp.
    Locator, max = 200, required = true, example = "paragraph 3",
    doc = "Where in the source: page, paragraph, timestamp."
);
text_type!(
    /// The words of a source that support a claim.
    Quote, max = 2000, required = true, example = "main economic powerhouse",
    doc = "The words of the source that support the claim."
);

/// Folds text for search: transliterated to ASCII (`Türkiye` -> `turkiye`, `Токаев` ->
/// `tokaev`), lower-case, every run of other characters made one space. Stored names and
/// search queries are folded the same way, in the service, so matching does not depend on the
/// database's locale or extensions.
pub fn search_key(text: &str) -> String {
    let ascii = deunicode::deunicode_with_tofu(text, " ");
    let mut key = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if matches!(c, '\'' | '`') {
            // Apostrophes join: "O'Brien" -> "obrien".
        } else if !key.is_empty() && !key.ends_with(' ') {
            key.push(' ');
        }
    }
    if key.ends_with(' ') {
        key.pop();
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_is_trimmed() {
        assert_eq!(
            Name::parse("  Astana \n").map(|n| n.0),
            Ok("Astana".to_owned())
        );
    }

    #[test]
    fn blank_and_nul_are_refused() {
        assert!(Name::parse("").is_err());
        assert!(Name::parse(" \t\r\n").is_err());
        assert!(Name::parse("a\0b").is_err());
        assert!(Description::parse("a\0").is_err());
        assert!(Description::parse("").is_ok());
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(Name::parse("ж".repeat(200)).is_ok());
        assert!(Name::parse("ж".repeat(201)).is_err());
    }

    #[test]
    fn search_keys_fold_case_accents_scripts_and_punctuation() {
        assert_eq!(search_key("Türkiye"), "turkiye");
        assert_eq!(
            search_key("Kassym-Jomart  Tokayev"),
            "kassym jomart tokayev"
        );
        assert_eq!(search_key("Токаев"), "tokaev");
        assert_eq!(search_key("  %_ "), "");
    }

    #[test]
    fn patterns_agree_with_the_checks() {
        let non_blank = regex::Regex::new(NON_BLANK_PATTERN).unwrap_or_else(|e| panic!("{e}"));
        let no_nul = regex::Regex::new(NO_NUL_PATTERN).unwrap_or_else(|e| panic!("{e}"));
        for text in ["a", " a ", "\u{a0}", "", " ", "\t\r\n ", "a\0", "\0", "ж"] {
            assert_eq!(
                non_blank.is_match(text),
                Name::parse(text).is_ok(),
                "{text:?}"
            );
            assert_eq!(
                no_nul.is_match(text),
                Description::parse(text).is_ok(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn non_blank_pattern_agrees_with_check() {
        // The schema pattern and the check must agree on what is blank.
        let pattern = NON_BLANK_PATTERN;
        assert!(pattern.contains(r"\t\n\r "));
        for blank in [' ', '\t', '\n', '\r'] {
            assert!(is_blank_char(blank));
        }
        // Other Unicode spaces are content, as far as both are concerned.
        assert!(Name::parse("\u{a0}").is_ok());
    }
}
