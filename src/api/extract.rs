//! Request extractors that answer every malformed input with a problem document naming what
//! is wrong: JSON bodies (415, 413, 400 with a JSON pointer), query strings, ids and actors
//! named in paths and queries.

use actix_web::dev::Payload;
use actix_web::http::{Method, header};
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::ActorKey;
use crate::error::{ApiError, FieldError};
use crate::records::json::{escape_pointer, parse_json};
use crate::store::actors as actor_store;

use super::state::AppState;

/// A JSON request body, parsed into `T` (whose input types refuse unknown fields).
/// `POST` takes `application/json`; `PATCH` also takes `application/merge-patch+json`.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // serde would read a struct from an array too (`[]` as an empty patch).
        json_body(
            req,
            payload,
            b'{',
            "the body must be a JSON object",
            JsonBody,
        )
    }
}

/// A JSON request body that is an array, parsed into `T`.
pub struct JsonArray<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonArray<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        json_body(
            req,
            payload,
            b'[',
            "the body must be a JSON array",
            JsonArray,
        )
    }
}

/// Reads a JSON body within the size limit, checks that it opens with `opening`, and parses it.
fn json_body<T: DeserializeOwned + 'static, B: 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    opening: u8,
    refusal: &'static str,
    wrap: fn(T) -> B,
) -> LocalBoxFuture<'static, Result<B, ApiError>> {
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
        let first = body.iter().find(|b| !b.is_ascii_whitespace());
        if first.is_some_and(|b| *b != opening) {
            return Err(ApiError::invalid_field("#", refusal));
        }
        parse_json(&body).map(wrap)
    })
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

/// Query parameters parsed into `T`, with errors that name the parameter. An operation may
/// take several (`Query<Paging>` beside its filters): each reads the parameters it knows. One
/// the operation does not document is refused before, by `semantics` from the route table.
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

/// Checks a search query: no NUL, 1 to 200 characters.
pub fn text_query(q: &str, pointer: &str) -> Result<String, ApiError> {
    if q.contains('\0') {
        return Err(ApiError::invalid_field(
            pointer,
            "must not contain NUL characters",
        ));
    }
    let count = q.chars().count();
    if count == 0 || count > 200 {
        return Err(ApiError::invalid_field(
            pointer,
            "must be 1 to 200 characters",
        ));
    }
    Ok(q.to_owned())
}

/// Checks a name query like [`text_query`] and folds it like the names it is matched against;
/// the result may be empty (a query of punctuation only matches nothing).
pub fn search_query(q: &str, pointer: &str) -> Result<String, ApiError> {
    text_query(q, pointer).map(|q| crate::domain::search_key(&q))
}

/// A record's id in the path (`{visit_id}`, named by `name`); not a UUID is a 400.
pub fn parse_id(value: &str, name: &str) -> Result<Uuid, ApiError> {
    Uuid::try_parse(value)
        .map_err(|_| ApiError::invalid_field(format!("#/path/{name}"), "is not a UUID"))
}

/// An actor named by id or slug at `pointer`; a value that is neither is a 400.
pub fn actor_key(value: &str, pointer: &str) -> Result<ActorKey, ApiError> {
    ActorKey::parse(value).map_err(|e| ApiError::invalid_field(pointer, e))
}

/// The `{actor}` path parameter; a value that is neither an id nor a slug is a 400. (An
/// actor it does not name is a 404, once looked up.)
pub fn actor_from_path(value: &str) -> Result<ActorKey, ApiError> {
    actor_key(value, "#/path/actor")
}

/// An actor filter of a list (`?host=`, `?speaker=`), as the id of the actor it names or of
/// the one that actor was merged into: not an id or slug is a 400, no such actor a 422 (a
/// reference to a record that does not exist, as in a body).
pub async fn actor_filter(
    conn: &mut PgConnection,
    value: Option<&str>,
    name: &str,
) -> Result<Option<Uuid>, ApiError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let pointer = format!("#/query/{name}");
    let key = actor_key(value, &pointer)?;
    match actor_store::resolve_merged(conn, &key).await? {
        Some(id) => Ok(Some(id)),
        None => Err(ApiError::unprocessable_field(
            pointer,
            "no actor has this id or slug",
        )),
    }
}

/// An actor an analysis asks about in its query (`?a=`, `?partners=`), as the id of the actor
/// it names or of the one that actor was merged into: not an id or slug is a 400, no such
/// actor a 404, as for the actor in an analysis' path.
pub async fn actor_in_question(
    conn: &mut PgConnection,
    value: &str,
    name: &str,
) -> Result<Uuid, ApiError> {
    let key = actor_key(value, &format!("#/query/{name}"))?;
    actor_store::resolve_merged(conn, &key)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no actor `{value}` (query parameter `{name}`)")))
}
