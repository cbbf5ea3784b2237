//! The error responses every operation documents, as shared OpenAPI response components.

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Ref, RefOr, Response, ResponseBuilder};

use crate::error::PROBLEM_JSON;

fn problem_response(
    description: &str,
    status: u16,
    kind: &str,
    title: &str,
    detail: &str,
    header: Option<(&str, &str)>,
) -> Response {
    let example = serde_json::json!({
        "type": format!("urn:chancery:problem:{kind}"),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": "/v1/actors/kazakhstan",
        "request_id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0d",
    });
    let mut builder = ResponseBuilder::new().description(description).content(
        PROBLEM_JSON,
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .example(Some(example))
            .build(),
    );
    if let Some((name, header_description)) = header {
        builder = builder.header(
            name,
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::String))
                .description(Some(header_description))
                .build(),
        );
    }
    builder.build()
}

macro_rules! problem_responses {
    ($($name:ident => ($status:expr, $kind:expr, $title:expr, $description:expr, $detail:expr $(, $header:expr)?);)*) => {
        $(
            pub struct $name;

            impl<'s> utoipa::ToResponse<'s> for $name {
                fn response() -> (&'s str, RefOr<Response>) {
                    #[allow(unused_mut, unused_assignments)]
                    let mut header = None;
                    $( header = Some($header); )?
                    (stringify!($name), problem_response($description, $status, $kind, $title, $detail, header).into())
                }
            }
        )*
    };
}

problem_responses! {
    BadRequest => (400, "validation", "The request is not valid",
        "The request does not match the documented schema: malformed JSON, an unknown field, a value out of range, a bad parameter. `errors` points at each offending field.",
        "/name: must not be empty or blank");
    Unauthorized => (401, "unauthorized", "Authentication required",
        "No bearer token, or a token that is unknown, malformed or revoked.",
        "this operation needs a bearer token with the `write` scope",
        ("WWW-Authenticate", "`Bearer realm=\"chancery\"`, with `error=\"invalid_token\"` for a bad token"));
    Forbidden => (403, "forbidden", "Insufficient scope",
        "The token is valid but its scope is too small.",
        "the token's scope is too small; `write` is needed",
        ("WWW-Authenticate", "`Bearer … error=\"insufficient_scope\"` with the scope needed"));
    NotFound => (404, "not-found", "Not found",
        "Nothing exists at this path.",
        "no actor with slug `kazakhstan`");
    ActorNotFound => (404, "not-found", "Not found",
        "No actor has an id or slug the question names: in the path, or an actor parameter of an analysis (what it is about, as a path names a record; a list's actor filter answers 422 instead).",
        "no actor `atlantis` (query parameter `b`)");
    Conflict => (409, "conflict", "Conflict",
        "The request conflicts with the current state: a unique value is taken, the record is still referred to (see `references`), or a request with the same Idempotency-Key is in flight.",
        "an actor with slug `kazakhstan` already exists");
    PreconditionFailed => (412, "precondition-failed", "Precondition failed",
        "`If-Match` names a version that is no longer current: read the record again and reapply the change.",
        "the resource has changed since the version named in If-Match");
    RequestTimeout => (408, "request-timeout", "The request came too slowly",
        "The request head did not come whole within 5 s of its first byte, or the body stalled longer than the idle deadline or took longer than the total one; the connection is closed.",
        "no part of the request body came for 10 s");
    RequestLineTooLong => (414, "uri-too-long", "Request line too long",
        "The request line (method, path and query) is longer than 16 KiB; the connection is closed.",
        "the request line is longer than 16384 bytes; send long queries in fewer or shorter parameters");
    HeadTooLarge => (431, "header-fields-too-large", "Request header fields too large",
        "The request head (request line and header fields) of a connection's first request is larger than 64 KiB or has more than 96 fields; the connection is closed.",
        "the request head is larger than 65536 bytes");
    PayloadTooLarge => (413, "payload-too-large", "Request body too large",
        "The body is larger than the configured limit.",
        "the request body is larger than 1048576 bytes");
    UnsupportedMediaType => (415, "unsupported-media-type", "Unsupported media type",
        "The body is not sent as `application/json` (or, for PATCH, `application/merge-patch+json`).",
        "the body is `text/plain`; send application/json");
    Unprocessable => (422, "unprocessable", "The request cannot be applied",
        "The request matches the schema but cannot be applied: it refers to a record that does not exist, its dates are out of order, its Idempotency-Key was used with another request, or its Chancery-Consistency names a position no write gave.",
        "/of_actor_id: no actor has this id");
    TooManyRequests => (429, "too-many-requests", "Too many requests",
        "This caller has used up a rate limit (`RateLimit-Policy` and `RateLimit` name it and what is left), or as many imports as the service takes at once are running; retry after the delay given.",
        "2 imports are already running; retry when one has finished",
        ("Retry-After", "Seconds to wait before retrying"));
    Gone => (410, "gone", "Gone",
        "The feed position was issued before the database failed over to a new timeline (or by another database): changes after it may have been lost or numbered again. Read the feed again from the start, without `after`, replacing what you kept.",
        "this position comes from timeline 1 of the database, which is now on timeline 2; read the feed again from the start (without `after`)");
    ServiceUnavailable => (503, "unavailable", "Service unavailable",
        "The database is unreachable or overloaded; retry after the delay given.",
        "The database is unavailable; retry shortly.",
        ("Retry-After", "Seconds to wait before retrying"));
}

/// Sets of the responses above that operations share, for `responses(…)` in
/// `#[utoipa::path]`; each answers with references to the shared components.
macro_rules! problem_sets {
    ($($(#[$doc:meta])* $set:ident => [$($status:literal: $name:ident),*];)*) => {
        $(
            $(#[$doc])*
            pub struct $set;

            impl utoipa::IntoResponses for $set {
                fn responses() -> std::collections::BTreeMap<String, RefOr<Response>> {
                    [$(($status.to_string(), Ref::from_response_name(stringify!($name)).into())),*]
                        .into_iter()
                        .collect()
                }
            }
        )*
    };
}

problem_sets! {
    /// What any read can answer besides its result.
    ReadProblems => [400: BadRequest, 401: Unauthorized, 503: ServiceUnavailable];
    /// What any write can answer besides its result.
    WriteProblems => [400: BadRequest, 401: Unauthorized, 403: Forbidden, 503: ServiceUnavailable];
    /// What a write with a JSON body can answer about the body.
    BodyProblems => [413: PayloadTooLarge, 415: UnsupportedMediaType, 422: Unprocessable];
}
