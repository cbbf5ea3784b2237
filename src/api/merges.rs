//! Merging a duplicate actor into another (`POST /v1/actors/{actor}/merge`), and the
//! redirects its id and slug answer afterwards.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, HttpResponse, post, web};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Response, ResponseBuilder};

use crate::domain::ActorKey;
use crate::error::Result;
use crate::records::actors::Actor;
use crate::records::merges::{self, MergeInto, Target};
use crate::store::merges::redirected;

use super::actors::ActorPath;
use super::auth::Write;
use super::conditional::{IfMatch, Representation, check_if_match};
use super::extract::{JsonBody, actor_from_path};
use super::problems::*;
use super::state::AppState;

type MergeActorRequest = Write<(web::Path<String>, JsonBody<MergeInto>)>;

/// Merge an actor into another.
///
/// For a duplicate. In one transaction, every record that refers to this actor moves to
/// `into`: the roles it holds and those in it, visits as visitor and host, statements as
/// speaker, on behalf of and subject. Its name, aliases, Wikidata id and country code (where
/// `into` has none) join `into`'s. A role that would repeat one already there is folded into
/// it, citations united; a visitor or subject already there is kept once. Refused with 409,
/// listing them, when records would relate `into` to itself (a role in itself, a visit to
/// itself, two stances toward itself), with nothing changed.
///
/// Afterwards this actor's id and slug answer `308 Permanent Redirect` to `into` for every
/// method (or to the actor `into` was merged into later, at the end of the chain), and list
/// filters take them for `into`; the change feed shows a `merge` of this
/// actor (`merged_into`) and an update of every record that moved; its revisions stay
/// readable by id. Honours `If-Match` (this actor's ETag). Repeating the request answers the
/// same.
///
/// A merge is one transaction, during which the change feed shows nothing newer: one that
/// would move more records than the service's bound (`CHANCERY_MERGE_MAX_RECORDS`, 10,000 by
/// default) is refused with 409, naming the count and the bound; move some of the records to
/// `into` first, then merge.
#[utoipa::path(
    tag = "actors",
    operation_id = "merge_actor",
    params(ActorPath, IfMatch),
    request_body(content = MergeInto, content_type = "application/json"),
    responses(
        (status = 200, description = "The actor merged into, as it now reads", body = Actor,
            headers(("ETag" = String))),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        WriteProblems, BodyProblems,
    ),
)]
#[post("/{actor}/merge")]
pub async fn merge_actor(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: MergeActorRequest,
) -> Result<HttpResponse> {
    let Write(caller, (path, JsonBody(merge))) = write;
    let key = actor_from_path(&path)?;
    let into = merge.key()?;
    let mut tx = state.pool.begin().await?;
    let survivor = match merges::target(&mut tx, &key, &into).await? {
        Target::Done(survivor) => survivor,
        Target::Merge(from) => {
            check_if_match(&req, Some(&Representation::of(&from)?.etag))?;
            merges::merge(&mut tx, from, &into, &caller.name, state.merge_max_records).await?
        }
    };
    tx.commit().await?;
    Ok(Representation::of(&survivor)?.with_status(StatusCode::OK))
}

/// What a merged actor's id or slug answers, documented on every operation under
/// `/v1/actors/{actor}`.
pub struct ActorMerged;

impl<'s> utoipa::ToResponse<'s> for ActorMerged {
    fn response() -> (&'s str, RefOr<Response>) {
        let location = HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::String))
            .description(Some(
                "The same path with the survivor's id (or slug, for a slug)",
            ))
            .build();
        let response = ResponseBuilder::new()
            .description(
                "The actor was merged into another: send the same request to `Location` (a 308 \
                 keeps the method and body).",
            )
            .header("Location", location)
            .build();
        ("ActorMerged", response.into())
    }
}

/// The actor a path under `/v1/actors/` names, if it names one.
fn actor_in_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/v1/actors/")?;
    let segment = rest.split('/').next()?;
    (!segment.is_empty()).then_some(segment)
}

/// Answers `308 Permanent Redirect` to the survivor where a request under
/// `/v1/actors/{actor}` found no actor because it was merged: the path with the survivor's
/// id (or slug, for a slug), the query kept. Only a 404 is looked at, so other requests cost
/// nothing more.
pub async fn follow_merges(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let named = actor_in_path(req.path()).map(str::to_owned);
    let response = next.call(req).await?.map_into_boxed_body();
    let Some(named) = named else {
        return Ok(response);
    };
    if response.status() != StatusCode::NOT_FOUND {
        return Ok(response);
    }
    let Some(state) = response
        .request()
        .app_data::<web::Data<AppState>>()
        .cloned()
    else {
        return Ok(response);
    };
    // A segment that is neither an id nor a slug names no actor, merged or not.
    let Ok(key) = ActorKey::parse(&named) else {
        return Ok(response);
    };
    let found = match state.pool.acquire().await {
        Ok(mut conn) => redirected(&mut conn, &key).await.ok().flatten(),
        Err(_) => None,
    };
    let Some((into_id, into_slug)) = found else {
        return Ok(response);
    };
    let target = if matches!(key, ActorKey::Id(_)) {
        into_id.to_string()
    } else {
        into_slug
    };
    let request = response.request();
    let path = request.path().replacen(
        &format!("/v1/actors/{named}"),
        &format!("/v1/actors/{target}"),
        1,
    );
    let location = match request.query_string() {
        "" => path,
        query => format!("{path}?{query}"),
    };
    let (request, _) = response.into_parts();
    let redirect = HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, location))
        .finish();
    Ok(ServiceResponse::new(request, redirect))
}
