//! The event code the source dataset gave an interaction (CAMEO), kept as it was given.

string_newtype! {
    /// The event code the source dataset gave an interaction, as it stands there: a CAMEO code
    /// (`057`, `0311`, `1823`), two to four digits whose first two name one of CAMEO's twenty cue
    /// categories (`01` to `20`).
    ///
    /// A string, not a number: `042` and `42` differ, and a code read as a number and written
    /// back (`42`) is refused rather than stored as something CAMEO does not have.
    pub struct SourceCode(String);
}

impl SourceCode {
    pub const MAX_CHARS: usize = 4;
    /// The exact grammar the parser accepts.
    pub const PATTERN: &'static str = "^(0[1-9]|1[0-9]|20)[0-9]{0,2}$";

    pub fn parse(value: impl Into<String>) -> Result<Self, String> {
        let value = value.into();
        let digits = value.bytes().all(|b| b.is_ascii_digit());
        let cue = value.get(..2).and_then(|cue| cue.parse::<u8>().ok());
        if digits && (2..=Self::MAX_CHARS).contains(&value.len()) && matches!(cue, Some(1..=20)) {
            Ok(Self(value))
        } else {
            Err(format!(
                "`{value}` is not a CAMEO event code: two to four digits, the first two `01` to `20`, leading zeros kept (e.g. `042`)"
            ))
        }
    }
}

impl utoipa::PartialSchema for SourceCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::domain::schema::string_schema(
            "The event code the source dataset gave the interaction, as it stands there: a \
             CAMEO code of two to four digits whose first two are a cue category `01` to `20` \
             (`057` is \"sign formal agreement\"). Leading zeros are part of the code.",
            Some(Self::PATTERN),
            Some(2),
            Some(Self::MAX_CHARS),
            "057",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_leading_zeros() {
        for code in ["042", "0311", "1823", "01", "20", "057", "2042"] {
            assert_eq!(
                SourceCode::parse(code).map(|c| c.to_string()),
                Ok(code.to_owned())
            );
        }
        let json: Result<SourceCode, _> = serde_json::from_str("\"042\"");
        let written = json.ok().and_then(|c| serde_json::to_value(c).ok());
        assert_eq!(written, Some(serde_json::json!("042")));
    }

    #[test]
    fn refuses_what_is_not_a_cameo_code() {
        for bad in [
            "",
            "0",
            "42a",
            "42",
            "00",
            "21",
            "99",
            "04a",
            "12345",
            "042 ",
            " 042",
            "+042",
            "-042",
            "04.2",
            "０４２",
            "04\u{0}",
        ] {
            assert!(SourceCode::parse(bad).is_err(), "{bad:?}");
        }
        assert!(
            serde_json::from_str::<SourceCode>("42").is_err(),
            "a number is not a code"
        );
    }

    #[test]
    fn pattern_matches_exactly_what_parses() {
        let pattern = regex::Regex::new(SourceCode::PATTERN).unwrap_or_else(|e| panic!("{e}"));
        let mut accepted = 0;
        for len in 0..=5u32 {
            for n in 0..10u32.pow(len) {
                let code = if len == 0 {
                    String::new()
                } else {
                    format!("{n:0width$}", width = len as usize)
                };
                let parses = SourceCode::parse(code.as_str()).is_ok();
                assert_eq!(pattern.is_match(&code), parses, "{code}");
                accepted += usize::from(parses);
            }
        }
        // Twenty cue categories, each with 1 + 10 + 100 codes below it.
        assert_eq!(accepted, 20 * 111);
        for other in ["42a", "a042", "04 2", "٠٤٢", "0\n42", "042\n"] {
            assert_eq!(
                pattern.is_match(other),
                SourceCode::parse(other).is_ok(),
                "{other:?}"
            );
        }
    }
}
