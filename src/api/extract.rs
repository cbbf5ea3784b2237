//! Request extractors that answer every malformed input with a problem document naming what
//! is wrong: JSON bodies (415, 413, 400 with a JSON pointer) and query strings.

use actix_web::dev::Payload;
use actix_web::http::{Method, header};
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

use super::AppState;

/// A JSON request body, parsed into `T` (whose input types refuse unknown fields).
/// `POST` takes `application/json`; `PATCH` also takes `application/merge-patch+json`.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(1024 * 1024, |state| state.body_limit_bytes);
        let content_type = check_content_type(req);
        let declared_length = declared_length(req);
        let mut payload = payload.take();
        Box::pin(async move {
            content_type?;
            if declared_length.is_some_and(|len| len > limit as u64) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(ApiError::body)?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
            // serde would read a struct from an array too (`[]` as an empty patch).
            let first = body.iter().find(|b| !b.is_ascii_whitespace());
            if first.is_some_and(|b| *b != b'{') {
                return Err(ApiError::invalid_field(
                    "#",
                    "the body must be a JSON object",
                ));
            }
            parse_json(&body).map(JsonBody)
        })
    }
}

/// The body's length as `Content-Length` declares it, if it does.
pub fn declared_length(req: &HttpRequest) -> Option<u64> {
    req.headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

fn media_type(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(
        value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

fn check_content_type(req: &HttpRequest) -> Result<(), ApiError> {
    let accepted: &[&str] = if req.method() == Method::PATCH {
        &["application/merge-patch+json", "application/json"]
    } else {
        &["application/json"]
    };
    match media_type(req) {
        Some(media) if accepted.contains(&media.as_str()) => Ok(()),
        Some(media) => Err(ApiError::UnsupportedMediaType(format!(
            "the body is `{media}`; send {}",
            accepted.join(" or ")
        ))),
        None => Err(ApiError::UnsupportedMediaType(format!(
            "the request has no Content-Type; send {}",
            accepted.join(" or ")
        ))),
    }
}

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

fn escape_pointer(segment: &str) -> String {
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

/// Query parameters parsed into `T` (which refuses unknown parameters), with errors that name
/// the parameter.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(Query))
    }
}

pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let message = error.into_inner().to_string();
        let named = ["unknown field `", "missing field `", "duplicate field `"]
            .iter()
            .find_map(|prefix| message.strip_prefix(prefix))
            .and_then(|rest| rest.split_once('`'))
            .map(|(name, _)| name.to_owned());
        let name = named.unwrap_or(path);
        let detail = if message.starts_with("unknown field") {
            let known = message.split_once(", expected").map_or("", |(_, k)| k);
            format!("unknown query parameter; expected{known}")
        } else if message.starts_with("duplicate field") {
            "given more than once".to_owned()
        } else {
            message
        };
        let error = FieldError::new(format!("#/query/{}", escape_pointer(&name)), detail);
        ApiError::BadRequest {
            detail: format!("query parameter `{name}`: {}", error.detail),
            errors: vec![error],
        }
    })
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
