//! Reading JSON documents into records, with errors that point at the offending field (a
//! JSON pointer), for request bodies and import lines alike.

use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Parses JSON into `T`, reporting where in the document it went wrong.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    let value = match result {
        Ok(value) => value,
        Err(error) => {
            let pointer = pointer_of(error.path());
            let inner = error.into_inner();
            // A syntax error inside a field (`{"kind": null}` for an enum is one) is reported
            // at the field; one at the top level means the body is not JSON at all.
            return Err(match inner.classify() {
                serde_json::error::Category::Data => field_error(pointer, &inner.to_string()),
                _ if !pointer.is_empty() => field_error(pointer, &inner.to_string()),
                _ => ApiError::bad_request(format!("the body is not valid JSON: {inner}")),
            });
        }
    };
    deserializer
        .end()
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
    Ok(value)
}

/// Deserializes an already parsed JSON value into `T`, reporting where it went wrong, as
/// [`parse_json`] does for text.
pub fn parse_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let pointer = pointer_of(error.path());
        field_error(pointer, &error.into_inner().to_string())
    })
}

/// Applies a JSON Merge Patch (RFC 7396) to a document: members set to `null` are removed,
/// objects are merged member by member, anything else replaces what was there.
pub fn apply_merge_patch(target: &mut serde_json::Value, patch: serde_json::Value) {
    use serde_json::{Map, Value};
    let Value::Object(patch) = patch else {
        *target = patch;
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(map) = target {
        for (key, value) in patch {
            if value.is_null() {
                map.remove(&key);
            } else {
                apply_merge_patch(map.entry(key).or_insert(Value::Null), value);
            }
        }
    }
}

/// Turns a serde error at `pointer` into a 400 naming the field. serde reports unknown and
/// missing fields at their parent; they are moved to the field itself.
fn field_error(mut pointer: String, message: &str) -> ApiError {
    // serde_json appends " at line 1 column 42"; the pointer says where, more usefully.
    let message = message.rsplit_once(" at line ").map_or(message, |(m, _)| m);
    let named = ["unknown field `", "missing field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name);
    if let Some(name) = named
        && !pointer.ends_with(&format!("/{}", escape_pointer(name)))
    {
        pointer.push('/');
        pointer.push_str(&escape_pointer(name));
    }
    let detail = if message.starts_with("unknown field") {
        let known = message.split_once(", expected").map_or("", |(_, k)| k);
        format!("unknown field; expected{known}")
    } else {
        without_type_names(message)
    };
    ApiError::invalid_field(format!("#{pointer}"), detail)
}

/// serde names the Rust type it expected (`expected struct ActorPatch`); a client knows the
/// document's schemas, not our types, so the kind of JSON value is said instead.
fn without_type_names(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("expected ") {
        let (before, after) = rest.split_at(at + "expected ".len());
        out.push_str(before);
        let named = [
            ("struct ", "a JSON object"),
            ("tuple struct ", "a JSON array"),
            ("enum ", "one of the documented values"),
        ]
        .iter()
        .find_map(|(prefix, said)| after.strip_prefix(prefix).map(|name| (name, *said)));
        rest = match named {
            Some((name, said)) => {
                out.push_str(said);
                name.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_')
            }
            None => after,
        };
    }
    out.push_str(rest);
    out
}

pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&escape_pointer(key));
            }
            Segment::Enum { variant } => {
                pointer.push('/');
                pointer.push_str(&escape_pointer(variant));
            }
            Segment::Unknown => {}
        }
    }
    pointer
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        aliases: Vec<crate::domain::Alias>,
    }

    fn pointer(result: Result<Body, ApiError>) -> String {
        match result {
            Err(ApiError::BadRequest { errors, .. }) => errors
                .first()
                .map(|e| e.pointer.clone())
                .unwrap_or_default(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn errors_point_at_the_field() {
        assert_eq!(
            pointer(parse_json(br#"{"name": 1, "aliases": []}"#)),
            "#/name"
        );
        assert_eq!(
            pointer(parse_json(br#"{"name": "a", "aliases": ["ok", ""]}"#)),
            "#/aliases/1"
        );
        assert_eq!(
            pointer(parse_json(br#"{"name": "a", "aliases": [], "nmae": 1}"#)),
            "#/nmae"
        );
        assert_eq!(pointer(parse_json(br#"{"aliases": []}"#)), "#/name");
        assert_eq!(
            pointer(parse_json(br#"{"name": "a", "aliases": [], "a/b": 1}"#)),
            "#/a~1b"
        );
    }

    #[test]
    fn a_merge_patch_sets_merges_and_removes() {
        let mut doc = serde_json::json!({"a": 1, "b": {"c": 1, "d": 2}, "e": [1], "f": "x"});
        apply_merge_patch(
            &mut doc,
            serde_json::json!({"a": 2, "b": {"d": null, "g": 3}, "e": [2, 3], "f": null}),
        );
        assert_eq!(
            doc,
            serde_json::json!({"a": 2, "b": {"c": 1, "g": 3}, "e": [2, 3]})
        );
    }

    #[test]
    fn errors_do_not_name_our_types() {
        assert_eq!(
            without_type_names("invalid type: string \"x\", expected struct ActorPatch"),
            "invalid type: string \"x\", expected a JSON object"
        );
        assert_eq!(
            without_type_names("invalid type: integer `1`, expected enum Stance at the end"),
            "invalid type: integer `1`, expected one of the documented values at the end"
        );
        assert_eq!(without_type_names("expected a string"), "expected a string");
    }

    #[test]
    fn malformed_json_is_a_bad_request_without_pointer() {
        for body in [
            &b"{"[..],
            b"",
            b"{\"name\": \"a\", \"aliases\": []} trailing",
            b"\xff",
        ] {
            match parse_json::<Body>(body) {
                Err(ApiError::BadRequest { errors, .. }) => assert!(errors.is_empty()),
                other => panic!("{other:?}"),
            }
        }
    }
}
