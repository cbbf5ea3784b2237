//! Identifiers from the web: URLs, language tags, topics.

string_newtype! {
    /// An absolute `http` or `https` URL of printable ASCII (percent-encode anything else),
    /// whose host starts with a letter or digit; at most 2000 characters.
    pub struct WebUrl(String);
}

impl WebUrl {
    pub const MAX_CHARS: usize = 2000;
    pub const PATTERN: &'static str =
        "^https?://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?([/?#][!-~]*)?$";

    pub fn parse(value: impl Into<String>) -> Result<Self, String> {
        let value = value.into();
        let rest = value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"));
        if value.len() <= Self::MAX_CHARS && rest.is_some_and(Self::well_formed_after_scheme) {
            Ok(Self(value))
        } else {
            Err(format!(
                "must be an absolute http(s) URL (host name, optional port, then a path of printable \
                 ASCII), at most {} characters",
                Self::MAX_CHARS
            ))
        }
    }

    fn well_formed_after_scheme(rest: &str) -> bool {
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        let host_ok = host
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
            && host
                .bytes()
                .last()
                .is_some_and(|b| b.is_ascii_alphanumeric())
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        let port_ok = port
            .is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
        host_ok && port_ok && tail.bytes().all(|b| (b'!'..=b'~').contains(&b))
    }
}

impl utoipa::PartialSchema for WebUrl {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        super::schema::string_schema(
            "An absolute http(s) URL: a host name (letters, digits, dots, hyphens), an optional \
             port, then a path, query or fragment of printable ASCII (percent-encode anything else).",
            Some(Self::PATTERN),
            None,
            Some(Self::MAX_CHARS),
            "https://jamestown.org/program/kazakhstans-expanding-multi-vector-foreign-policy/",
        )
    }
}

string_newtype! {
    /// A BCP 47 language tag in its common shape: a 2–3 letter language subtag and optional
    /// subtags of 1–8 letters or digits (`en`, `kk`, `zh-Hans`, `en-GB`).
    pub struct LanguageTag(String);
}

impl LanguageTag {
    pub const PATTERN: &'static str = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$";

    pub fn parse(value: impl Into<String>) -> Result<Self, String> {
        let value = value.into();
        let mut parts = value.split('-');
        let language = parts.next().unwrap_or("");
        let rest: Vec<&str> = parts.collect();
        let ok = (2..=3).contains(&language.len())
            && language.bytes().all(|b| b.is_ascii_alphabetic())
            && rest.len() <= 4
            && rest.iter().all(|p| {
                (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric())
            });
        if ok {
            Ok(Self(value))
        } else {
            Err("must be a BCP 47 language tag such as `en`, `kk` or `zh-Hans`".into())
        }
    }
}

impl utoipa::PartialSchema for LanguageTag {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        super::schema::string_schema(
            "A BCP 47 language tag: a language subtag and up to four more (`en`, `zh-Hans`).",
            Some(Self::PATTERN),
            Some(2),
            Some(39),
            "en",
        )
    }
}

string_newtype! {
    /// A topic tag: lower-case letters and digits in groups joined by single hyphens
    /// (`energy`, `middle-corridor`), at most 64 characters.
    pub struct Topic(String);
}

impl Topic {
    pub const PATTERN: &'static str = "^[a-z0-9]+(-[a-z0-9]+)*$";

    pub fn parse(value: impl Into<String>) -> Result<Self, String> {
        let value = value.into();
        let ok = value.len() <= 64
            && value.split('-').all(|p| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if ok {
            Ok(Self(value))
        } else {
            Err("must be lower-case letters and digits in groups joined by hyphens (`middle-corridor`)".into())
        }
    }
}

impl utoipa::PartialSchema for Topic {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        super::schema::string_schema(
            "A topic tag: lower-case letters and digits in groups joined by single hyphens.",
            Some(Self::PATTERN),
            Some(1),
            Some(64),
            "middle-corridor",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agree(pattern: &str, parse: impl Fn(&str) -> bool, cases: &[&str]) {
        let re = regex::Regex::new(pattern).unwrap_or_else(|e| panic!("{e}"));
        for case in cases {
            assert_eq!(re.is_match(case), parse(case), "{pattern} vs {case:?}");
        }
    }

    #[test]
    fn urls() {
        agree(
            WebUrl::PATTERN,
            |s| WebUrl::parse(s).is_ok(),
            &[
                "https://a.b/c?d#e",
                "http://x",
                "http://x:8080/",
                "http://x:/",
                "http://x:123456",
                "ftp://x",
                "https://",
                "https:///x",
                "https://a b",
                "https://ä",
                "HTTPS://x",
                "https://[::1]/",
                "http://0[",
                "https://a\u{7f}",
                "https://a-.b",
                "https://a.b-",
                "https://a?q=[1]",
                "https://a#x y",
                "https://user@host/",
                "https://a/b/../c",
            ],
        );
        assert!(WebUrl::parse("https://eeas.europa.eu/x").is_ok());
    }

    #[test]
    fn language_tags() {
        agree(
            LanguageTag::PATTERN,
            |s| LanguageTag::parse(s).is_ok(),
            &[
                "en",
                "kk",
                "zh-Hans",
                "en-GB",
                "e",
                "english",
                "en-",
                "en-toolongtag",
                "a-b-c-d-e-f",
                "en-a-b-c-d",
                "ru-RU",
            ],
        );
    }

    #[test]
    fn topics() {
        agree(
            Topic::PATTERN,
            |s| Topic::parse(s).is_ok(),
            &[
                "energy",
                "middle-corridor",
                "g20",
                "",
                "-a",
                "a--b",
                "Energy",
                "a b",
            ],
        );
    }
}
