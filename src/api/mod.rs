//! The HTTP API: one module per resource, registered with its OpenAPI documentation in one
//! place ([`configure`]) so a route cannot exist without its documentation.

pub mod actors;
pub mod analysis;
pub mod auth;
pub mod bibliography;
pub mod bulk;
pub mod changes;
pub mod citations;
pub mod conditional;
pub mod consistency;
pub mod cors;
pub mod costly;
pub mod cursors;
pub mod deadlines;
pub mod explorer;
pub mod extract;
pub mod formats;
pub mod framing;
pub mod idempotency;
pub mod interactions;
pub mod limits;
pub mod merges;
pub mod ops;
pub mod pagination;
pub mod problems;
pub mod record;
pub mod resolve;
pub mod roles;
pub mod routes;
pub mod semantics;
pub mod state;
pub mod statements;
pub mod timeline;
pub mod visits;

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::Problem;

pub use routes::{RouteTable, fallback};
pub use state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "chancery",
        description = "A record service for diplomatic activity: actors (states, leaders, ministers, \
            organizations), their roles over time, their statements and visits, and the citations \
            behind every claim.\n\n\
            Conventions: lists are keyset-paginated (`limit`, `cursor`, `next_cursor`, `Link: rel=\"next\"`), \
            and a page holds at most about 1 MiB of JSON, so a page of large records ends early: read \
            until `next_cursor` is null; \
            reads return an `ETag` and honour `If-None-Match`; `PATCH` takes a JSON Merge Patch and \
            `PATCH`/`DELETE` honour `If-Match`; `POST` honours `Idempotency-Key`; every error is \
            `application/problem+json` (RFC 9457). A 400 means the request does not match this \
            document; a 422 means it does but cannot be applied (a missing referenced record, dates \
            out of order, a reused idempotency key). Requests are rate-limited per client address and \
            per token, name searches and analyses more tightly, failed authentications most: \
            answers carry `RateLimit-Policy` and `RateLimit`, and a 429 says when to retry.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    servers((url = "/", description = "This server")),
    components(
        schemas(Problem),
        responses(
            problems::BadRequest, problems::Unauthorized, problems::Forbidden, problems::NotFound, problems::ActorNotFound,
            problems::RequestTimeout, problems::Conflict, problems::PreconditionFailed,
            problems::PayloadTooLarge, problems::RequestLineTooLong, problems::HeadTooLarge, problems::UnsupportedMediaType, problems::Unprocessable,
            problems::TooManyRequests, problems::Gone, problems::ServiceUnavailable, merges::ActorMerged,
        ),
    ),
    tags(
        (name = "actors", description = "States, people, organizations: who acts."),
        (name = "roles", description = "Offices and memberships over time: who held what, when."),
        (name = "statements", description = "Who said what, for whom, about whom, with its sources."),
        (name = "visits", description = "Who went where to meet whom, with its sources."),
        (name = "interactions", description = "What one side did toward another, in PLOVER's terms, with its sources."),
        (name = "citations", description = "The sources behind every claim, reusable across claims."),
        (name = "analysis", description = "What the record says: engagement and its concentration, dyads, the network; every number with the records behind it."),
        (name = "changes", description = "Every create, update and delete, in order: for keeping a copy in step."),
        (name = "bulk", description = "The whole record in and out as NDJSON."),
        (name = "operations", description = "Health, readiness and metrics."),
    ),
    modifiers(&BearerScheme),
)]
struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.description = Some(
            "A token made with `chancery token create --scope <read|write|admin> --name <name>`. \
             Writes need `write`; reads need `read` only when the service requires it."
                .into(),
        );
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(http));
        openapi.info.version = env!("CARGO_PKG_VERSION").into();
    }
}

/// Registers every documented route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(ops::healthz)
        .service(ops::readyz)
        .service(ops::metrics)
        .service(
            utoipa_actix_web::scope("/v1/actors")
                .service(actors::list_actors)
                .service(actors::create_actor)
                .service(actors::get_actor)
                .service(actors::update_actor)
                .service(actors::delete_actor)
                .service(merges::merge_actor)
                .service(roles::list_roles)
                .service(roles::create_role)
                .service(roles::get_role)
                .service(roles::update_role)
                .service(roles::delete_role)
                .service(timeline::get_timeline)
                .service(analysis::engagement::get_engagement)
                .service(actors::list_actor_revisions)
                .service(roles::list_role_revisions),
        )
        .service(
            utoipa_actix_web::scope("/v1/statements")
                .service(statements::list_statements)
                .service(statements::create_statement)
                .service(statements::get_statement)
                .service(statements::update_statement)
                .service(statements::delete_statement)
                .service(statements::list_statement_revisions),
        )
        .service(
            utoipa_actix_web::scope("/v1/visits")
                .service(visits::list_visits)
                .service(visits::create_visit)
                .service(visits::get_visit)
                .service(visits::update_visit)
                .service(visits::delete_visit)
                .service(visits::list_visit_revisions),
        )
        .service(
            utoipa_actix_web::scope("/v1/interactions")
                .service(interactions::list_interactions)
                .service(interactions::create_interaction)
                .service(interactions::get_interaction)
                .service(interactions::update_interaction)
                .service(interactions::delete_interaction)
                .service(interactions::list_interaction_revisions),
        )
        .service(
            utoipa_actix_web::scope("/v1/citations")
                .service(citations::list_citations)
                .service(citations::create_citation)
                .service(citations::get_citation)
                .service(citations::update_citation)
                .service(citations::delete_citation)
                .service(citations::list_citing_records)
                .service(citations::list_citation_revisions),
        )
        .service(
            utoipa_actix_web::scope("/v1/resolve")
                .service(resolve::resolve_name)
                .service(resolve::resolve_names),
        )
        .service(
            utoipa_actix_web::scope("/v1/engagement").service(analysis::ranking::rank_engagement),
        )
        .service(utoipa_actix_web::scope("/v1/dyads").service(analysis::dyads::get_dyads))
        .service(utoipa_actix_web::scope("/v1/network").service(analysis::network::get_network))
        .service(utoipa_actix_web::scope("/v1/changes").service(changes::list_changes))
        .service(
            utoipa_actix_web::scope("/v1/import")
                .service(bulk::import_records)
                .service(bulk::import_events),
        )
        .service(utoipa_actix_web::scope("/v1/export").service(bulk::export_records));
}

/// The OpenAPI document, built from the same registrations the server uses, then given what
/// operations share without each saying it: responses, security by method, the consistency
/// token.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa_actix_web::AppExt;
    let (_, doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(configure)
        .split_for_parts();
    let mut doc = doc;
    add_shared_responses(&mut doc);
    add_security(&mut doc);
    doc
}

/// Who may call an operation that does not say: a read (`GET`) anyone, or a token where the
/// service requires one (`auth::Read`); a write, a token with the `write` scope
/// (`auth::Write`). An operation whose `#[utoipa::path]` names its own `security` keeps it
/// (the probes, the metrics, the `POST` that reads).
fn add_security(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::security::SecurityRequirement;
    for item in doc.paths.paths.values_mut() {
        for (read, operation) in operations(item) {
            operation.security.get_or_insert_with(|| {
                let bearer = |scopes: &[&str]| SecurityRequirement::new("bearer", scopes.to_vec());
                if read {
                    vec![SecurityRequirement::default(), bearer(&[])]
                } else {
                    vec![bearer(&["write"])]
                }
            });
        }
    }
}

/// What any request may meet whatever its operation: a rate limit (429, see [`limits`]), a
/// request line too long (414), for a body, a deadline (408, see [`deadlines`]), and under
/// `/v1/actors/{actor}`, a merged actor (308, see [`merges`]).
fn add_shared_responses(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{Ref, RefOr};
    for (path, item) in doc.paths.paths.iter_mut() {
        // A merged actor's id and slug answer with a redirect (see `merges::follow_merges`).
        let names_an_actor = path.starts_with("/v1/actors/{actor}");
        for operation in operations(item).map(|(_, operation)| operation) {
            let responses = &mut operation.responses.responses;
            let mut add = |status: &str, name: &str| {
                responses
                    .entry(status.to_owned())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
            };
            add("408", "RequestTimeout");
            add("414", "RequestLineTooLong");
            add("431", "HeadTooLarge");
            add("429", "TooManyRequests");
            if names_an_actor {
                add("308", "ActorMerged");
            }
        }
        if path.starts_with("/v1/") {
            consistency::document(item);
        }
    }
}

/// The operations of a path, with whether each is a read (`GET`).
fn operations(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = (bool, &mut utoipa::openapi::path::Operation)> {
    [
        (true, &mut item.get),
        (false, &mut item.post),
        (false, &mut item.put),
        (false, &mut item.patch),
        (false, &mut item.delete),
    ]
    .into_iter()
    .filter_map(|(read, operation)| operation.as_mut().map(|o| (read, o)))
}

/// The OpenAPI document as served and committed.
///
/// utoipa 5 writes link objects with snake_case keys (`operation_id`); OpenAPI spells them
/// `operationId`, `operationRef` and `requestBody`, which this fixes.
pub fn openapi_json() -> serde_json::Value {
    let mut document = serde_json::to_value(openapi()).unwrap_or_default();
    fix_links(&mut document);
    document
}

fn fix_links(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Object(links)) = map.get_mut("links") {
                for link in links.values_mut() {
                    if let serde_json::Value::Object(link) = link {
                        for (from, to) in [
                            ("operation_id", "operationId"),
                            ("operation_ref", "operationRef"),
                            ("request_body", "requestBody"),
                        ] {
                            if let Some(v) = link.shift_remove(from) {
                                link.insert(to.to_owned(), v);
                            }
                        }
                    }
                }
            }
            map.values_mut().for_each(fix_links);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(fix_links),
        _ => {}
    }
}
