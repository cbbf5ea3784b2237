//! Free text with documented limits. Besides length, text refuses what can only mislead a
//! reader or break a program that shows it, chosen by Unicode property (so a character
//! Unicode adds to a property is refused without a change here):
//!
//! - control characters (`Cc`: C0 and C1; a line of text also tab and line breaks, though
//!   blanks around it are trimmed), and NUL, which PostgreSQL cannot store;
//! - default-ignorable code points (`Default_Ignorable_Code_Point`): what renders as nothing.
//!   That covers the bidirectional embeddings, overrides and isolates ("Trojan Source"), the
//!   zero-width space, word joiner and BOM, the soft hyphen, the Hangul fillers (U+115F,
//!   U+3164) and the tag characters (U+E0000–U+E0FFF), all of which make two names look the
//!   same or hide text;
//! - noncharacters (`Noncharacter_Code_Point`: U+FDD0–U+FDEF and the last two of every plane)
//!   and private-use characters (`Co`), which mean nothing outside one program;
//! - the interlinear annotation characters (U+FFF9–U+FFFB), format characters that hide text
//!   but are not default-ignorable;
//! - in a line of text (a name, a title), the blank Braille pattern U+2800 too, which looks
//!   like a space and is not one.
//!
//! They are refused, not stripped, so what is stored is what was sent. Kept, although
//! default-ignorable, because writing needs them: the zero-width joiner and non-joiner
//! (Persian and the Indic scripts spell with them, emoji sequences join with them), and the
//! variation selectors (CJK ideographic variants, emoji presentation). The direction marks
//! LRM, RLM and ALM, which set direction without reordering, are kept in running text, where
//! scripts mix, and refused in a line of text, whose letters set its direction.

use std::sync::LazyLock;

use icu_properties::props::{
    DefaultIgnorableCodePoint, GeneralCategory, NoncharacterCodePoint, VariationSelector,
};
use icu_properties::{CodePointMapData, CodePointSetData};

/// Characters that count as blank. Kept to ASCII whitespace so that the schema pattern means
/// exactly the same in every regex dialect that reads it (ECMA-262, Python, Rust).
fn is_blank_char(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Whether `c` is refused in text of this kind (see the module's documentation). The check
/// and the schema pattern are both made from this one rule.
fn is_refused(c: char, lines: Lines) -> bool {
    match c {
        '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{2800}' => lines == Lines::One,
        '\u{200c}' | '\u{200d}' => false,
        '\u{200e}' | '\u{200f}' | '\u{061c}' => lines == Lines::One,
        '\u{fff9}'..='\u{fffb}' => true,
        _ => {
            let category = CodePointMapData::<GeneralCategory>::new().get(c);
            matches!(
                category,
                GeneralCategory::Control | GeneralCategory::PrivateUse
            ) || CodePointSetData::new::<NoncharacterCodePoint>().contains(c)
                || (CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
                    && !CodePointSetData::new::<VariationSelector>().contains(c))
        }
    }
}

/// The refused characters of each kind of text as inclusive ranges, for the schema pattern:
/// every code point tried once, at first use.
fn refused_ranges(lines: Lines) -> &'static [(char, char)] {
    fn ranges(lines: Lines) -> Vec<(char, char)> {
        let mut ranges: Vec<(char, char)> = Vec::new();
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            if !is_refused(c, lines) {
                continue;
            }
            match ranges.last_mut() {
                Some((_, to)) if u32::from(*to) + 1 == u32::from(c) => *to = c,
                _ => ranges.push((c, c)),
            }
        }
        ranges
    }
    static ONE: LazyLock<Vec<(char, char)>> = LazyLock::new(|| ranges(Lines::One));
    static MANY: LazyLock<Vec<(char, char)>> = LazyLock::new(|| ranges(Lines::Many));
    match lines {
        Lines::One => &ONE,
        Lines::Many => &MANY,
    }
}

/// Ranges as the inside of a regex class. Characters of the Basic Multilingual Plane are
/// escaped (`\u0000-\u0008`); the others are written as themselves, which ECMA-262 (with the
/// `u` flag that JSON Schema validators use), Python and Rust all read as one character.
fn class(ranges: &[(char, char)]) -> String {
    let code = |c: char| match u32::from(c) {
        bmp @ 0..=0xffff => format!("\\u{bmp:04X}"),
        _ => c.to_string(),
    };
    ranges
        .iter()
        .map(|(from, to)| {
            if from == to {
                code(*from)
            } else {
                format!("{}-{}", code(*from), code(*to))
            }
        })
        .collect()
}

/// Whether a text is one line (a name, a title) or may hold several (a description).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lines {
    One,
    Many,
}

/// Checks a text value: no refused character, at most `max` characters, not blank when
/// `required`. Returns the value with surrounding blanks removed.
pub(crate) fn check_text(
    value: String,
    max: usize,
    required: bool,
    lines: Lines,
) -> Result<String, String> {
    let trimmed = value.trim_matches(is_blank_char);
    if let Some(c) = trimmed.chars().find(|c| is_refused(*c, lines)) {
        return Err(match c {
            '\0' => "must not contain NUL characters".to_owned(),
            '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => {
                "must be one line: no tab or line break inside".to_owned()
            }
            other => format!(
                "must not contain U+{:04X} (a control, invisible, private-use or noncharacter code \
                 point)",
                u32::from(other)
            ),
        });
    }
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

/// The schema pattern that accepts exactly what [`check_text`] does.
pub(crate) fn pattern(required: bool, lines: Lines) -> String {
    let refused = class(refused_ranges(lines));
    match lines {
        // Blanks may surround the line; inside it, spaces only.
        Lines::One => {
            let line = format!(r"[^{refused}]*[^{refused} ][^{refused}]*");
            if required {
                format!(r"^[\t\n\r ]*{line}[\t\n\r ]*$")
            } else {
                format!(r"^[\t\n\r ]*({line}[\t\n\r ]*)?$")
            }
        }
        Lines::Many => {
            if required {
                format!(r"^[^{refused}]*[^{refused}\t\n\r ][^{refused}]*$")
            } else {
                format!(r"^[^{refused}]*$")
            }
        }
    }
}

/// A text newtype: the shell `string_newtype!` writes, `parse` by [`check_text`], and the
/// schema that says the same.
macro_rules! text_type {
    ($(#[$meta:meta])* $name:ident, max = $max:expr, required = $required:expr, lines = $lines:ident, example = $example:expr, doc = $doc:expr) => {
        string_newtype! {
            $(#[$meta])*
            pub struct $name(String);
        }

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(value: impl Into<String>) -> Result<Self, String> {
                check_text(value.into(), $max, $required, Lines::$lines).map(Self)
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                super::schema::string_schema(
                    &format!("{} At most {} characters{}{}; no control, default-ignorable \
                        (invisible: bidirectional overrides, zero-width spaces, fillers, tags; \
                        the joiners and variation selectors are kept{}), private-use or \
                        noncharacter code points: these are refused, not stripped.",
                        $doc, $max,
                        if $required { ", not blank" } else { "" },
                        if matches!(Lines::$lines, Lines::One) { ", one line" } else { "" },
                        if matches!(Lines::$lines, Lines::One) { "" } else { ", and so are the direction marks" }),
                    Some(&pattern($required, Lines::$lines)),
                    if $required { Some(1) } else { None },
                    Some($max),
                    $example,
                )
            }
        }
    };
}

text_type!(
    /// The name an actor is best known by.
    Name, max = 200, required = true, lines = One, example = "Kazakhstan",
    doc = "A name."
);
text_type!(
    /// Another name for an actor: a transliteration, a former name, a metonym ("Akorda").
    Alias, max = 200, required = true, lines = One, example = "Republic of Kazakhstan",
    doc = "Another name the actor is known by."
);
text_type!(
    /// A title of an office.
    Title, max = 200, required = true, lines = One, example = "President",
    doc = "The title of an office, as the source gives it."
);
text_type!(
    /// Free-text description.
    Description, max = 5000, required = false, lines = Many, example = "Central Asian state; capital Astana.",
    doc = "A free-text description."
);

text_type!(
    /// Where a visit took place: a city or venue.
    Place, max = 200, required = true, lines = One, example = "Astana",
    doc = "A city or venue."
);
text_type!(
    /// What a visit was for.
    Occasion, max = 300, required = true, lines = One, example = "Sixth Summit of the Conference on Interaction and Confidence-Building Measures in Asia",
    doc = "The occasion of a visit."
);
text_type!(
    /// A summary of what happened.
    Summary, max = 5000, required = false, lines = Many, example = "Talks on trade, transit and the Middle Corridor.",
    doc = "A summary."
);
text_type!(
    /// What was said: the words (verbatim) or a faithful paraphrase.
    StatementText, max = 10000, required = true, lines = Many, example = "China will always support Kazakhstan in defending its independence, sovereignty and territorial integrity.",
    doc = "What was said, verbatim or paraphrased."
);
text_type!(
    /// The outlet or publisher of a source.
    Source, max = 300, required = true, lines = One, example = "Eurasia Daily Monitor",
    doc = "The outlet or publisher."
);
text_type!(
    /// The title of a source.
    CitationTitle, max = 500, required = true, lines = One, example = "Kazakhstan's Expanding Multi-Vector Foreign Policy",
    doc = "The title of the source."
);
text_type!(
    /// An author of a source.
    Author, max = 200, required = true, lines = One, example = "Jane Doe",
    doc = "An author."
);
text_type!(
    /// A passage of a source, as it stands there.
    Excerpt, max = 5000, required = true, lines = Many, example = "Kazakhstan has been emboldened by a strategic relationship…",
    doc = "A passage of the source."
);
text_type!(
    /// Where in a source a claim is found: a page, paragraph or timestamp.
    Locator, max = 200, required = true, lines = One, example = "paragraph 3",
    doc = "Where in the source: page, paragraph, timestamp."
);
text_type!(
    /// The words of a source that support a claim.
    Quote, max = 2000, required = true, lines = Many, example = "main economic powerhouse",
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

    const SAMPLES: [&str; 30] = [
        "a",
        " a ",
        "\u{a0}",
        "",
        " ",
        "\t\r\n ",
        "a\0",
        "\0",
        "ж",
        "  Astana \n",
        "two\nlines",
        "tab\there",
        "a\u{2028}b",
        "\u{202e}kcatta",
        "evil\u{202e}",
        "x\u{2066}y\u{2069}",
        "in\u{200b}visible",
        "\u{feff}bom",
        "joiner\u{2060}",
        "bell\u{7}",
        "esc\u{1b}[31m",
        "c1\u{85}",
        "mongol\u{180e}",
        "\u{fffb}",
        "مى\u{200c}خواهم",
        "👨\u{200d}👩",
        "\u{200f}rlm",
        "\u{206a}",
        "\t lead and trail \r\n",
        "\u{200b}",
    ];

    #[test]
    fn patterns_agree_with_the_checks() {
        for lines in [Lines::One, Lines::Many] {
            for required in [true, false] {
                let pattern = pattern(required, lines);
                let regex = regex::Regex::new(&pattern).unwrap_or_else(|e| panic!("{e}"));
                for text in SAMPLES {
                    assert_eq!(
                        regex.is_match(text),
                        check_text(text.to_owned(), 100, required, lines).is_ok(),
                        "{text:?} ({lines:?}, required {required}): {pattern}"
                    );
                }
            }
        }
    }

    #[test]
    fn names_refuse_what_misleads_a_reader() {
        for hostile in [
            "Tokayev\u{202e}",
            "a\u{2066}b",
            "Tok\u{200b}ayev",
            "\u{feff}Putin",
            "Xi\nJinping",
            "Xi\tJinping",
            "bell\u{7}",
            "\u{9b}31m",
        ] {
            assert!(Name::parse(hostile).is_err(), "{hostile:?}");
        }
        // Scripts that spell with joiners, and variation selectors, are kept as sent; direction
        // marks in running text only.
        assert!(Name::parse("مى\u{200c}خواهم").is_ok());
        assert!(Name::parse("葛\u{e0100}城").is_ok());
        assert!(Name::parse("\u{200f}שלום").is_err());
        assert!(Description::parse("\u{200f}שלום").is_ok());
        // Text of several lines keeps its line breaks and tabs.
        assert!(Description::parse("one\n\ttwo").is_ok());
        assert!(Description::parse("one\u{202e}two").is_err());
    }

    #[test]
    fn names_refuse_invisible_private_and_noncharacters_by_property() {
        for c in [
            '\u{3164}',
            '\u{115f}',
            '\u{2800}',
            '\u{ad}',
            '\u{34f}',
            '\u{17b4}',
            '\u{61c}',
            '\u{e0001}',
            '\u{e0041}',
            '\u{e000}',
            '\u{fffe}',
            '\u{ffff}',
            '\u{10ffff}',
            '\u{fdd0}',
            '\u{1bca0}',
            '\u{f0000}',
            '\u{ffa0}',
        ] {
            let name = format!("Tokayev{c}");
            let error = Name::parse(name.as_str()).err();
            assert!(error.is_some(), "U+{:04X} was accepted", u32::from(c));
            assert!(
                error.is_some_and(|e| e.contains(&format!("U+{:04X}", u32::from(c)))),
                "{c:?}"
            );
        }
    }

    #[test]
    fn pattern_and_check_agree_at_every_range_edge_and_across_the_planes() {
        for lines in [Lines::One, Lines::Many] {
            let regex = regex::Regex::new(&pattern(true, lines)).unwrap_or_else(|e| panic!("{e}"));
            let edges = refused_ranges(lines).iter().flat_map(|(from, to)| {
                let (from, to) = (u32::from(*from), u32::from(*to));
                [from.saturating_sub(1), from, to, to + 1]
            });
            let spread = (0..=u32::from(char::MAX)).step_by(97);
            for c in edges.chain(spread).filter_map(char::from_u32) {
                let text = format!("a{c}b");
                assert_eq!(
                    regex.is_match(&text),
                    check_text(text.clone(), 100, true, lines).is_ok(),
                    "U+{:04X} ({lines:?})",
                    u32::from(c)
                );
            }
        }
    }

    #[test]
    fn non_blank_pattern_agrees_with_check() {
        // The schema pattern and the check must agree on what is blank.
        let pattern = pattern(true, Lines::Many);
        assert!(pattern.contains(r"\t\n\r "));
        for blank in [' ', '\t', '\n', '\r'] {
            assert!(is_blank_char(blank));
        }
        // Other Unicode spaces are content, as far as both are concerned.
        assert!(Name::parse("\u{a0}").is_ok());
    }
}
