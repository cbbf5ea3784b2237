//! `/v1/resolve`: which actors a free-text name may stand for.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::{ActorKind, Alias};
use crate::error::{ApiError, Result};
use crate::records::resolve::{
    self, DEFAULT_CANDIDATES, MAX_CANDIDATES, Names, Options, Resolution,
};

use super::auth::Read;
use super::extract::{JsonArray, Query};
use super::problems::*;
use super::state::AppState;

/// One name, and how to resolve it.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ResolveParams {
    /// The name: any spelling, script or word order; titles ("President", "Mr") and a leading
    /// "the" are set aside.
    #[param(value_type = Alias, example = "President Tokaev")]
    pub name: String,
    /// Only actors of this kind.
    pub kind: Option<ActorKind>,
    /// As for `POST /v1/resolve`.
    #[param(value_type = Option<String>, format = Date, example = "2022-09-14")]
    pub on: Option<NaiveDate>,
    /// Candidates, 1 to 50 (default 5).
    #[param(minimum = 1, maximum = 50, example = 5)]
    pub limit: Option<u32>,
}

/// How names are resolved.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ResolveOptions {
    /// Only actors of this kind.
    pub kind: Option<ActorKind>,
    /// The day the name was used: aliases not in use then (a former name, a capital since
    /// moved) score half.
    #[param(value_type = Option<String>, format = Date, example = "2022-09-14")]
    pub on: Option<NaiveDate>,
    /// Candidates per name, 1 to 50 (default 5).
    #[param(minimum = 1, maximum = 50, example = 5)]
    pub limit: Option<u32>,
}

impl ResolveOptions {
    fn options(&self) -> Result<Options> {
        let limit = self.limit.unwrap_or(DEFAULT_CANDIDATES);
        if !(1..=MAX_CANDIDATES).contains(&limit) {
            return Err(ApiError::invalid_field(
                "#/query/limit",
                format!("must be 1 to {MAX_CANDIDATES}"),
            ));
        }
        Ok(Options {
            kind: self.kind,
            on: self.on,
            limit,
        })
    }
}

impl ResolveParams {
    fn split(self) -> (String, ResolveOptions) {
        let options = ResolveOptions {
            kind: self.kind,
            on: self.on,
            limit: self.limit,
        };
        (self.name, options)
    }
}

/// The candidates for each name, in the order given.
#[derive(Debug, Serialize, ToSchema)]
pub struct Resolutions {
    pub results: Vec<Resolution>,
}

type ResolveRequest = Read<Query<ResolveParams>>;

/// Resolve a name.
///
/// The actors a name may stand for, best first, each with a score in [0, 1] and why it
/// matched: the actor's slug, its exact name or alias, the same once case, accents,
/// punctuation, script and titles are set aside, some of its words in any order (initials
/// too), or a similar spelling (trigrams). Aliases carry a kind (`metonym`: "the Kremlin",
/// "Brussels"; `transliteration`; `former_name`…) and may carry dates: with `on`, one not in
/// use that day scores half.
#[utoipa::path(
    tag = "actors",
    operation_id = "resolve_name",
    params(ResolveParams),
    responses(
        (status = 200, description = "The candidates, best first (none when nothing is alike)", body = Resolution),
        ReadProblems,
    ),
)]
#[get("")]
pub async fn resolve_name(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: ResolveRequest,
) -> Result<HttpResponse> {
    let Read(Query(params)) = read;
    let (name, options) = params.split();
    let options = options.options()?;
    let name =
        Alias::parse(name).map_err(|detail| ApiError::invalid_field("#/query/name", detail))?;
    let mut conn = state.reader(&req).await?;
    let answers = resolve::resolve(
        &mut conn,
        std::slice::from_ref(&name),
        options,
        state.resolve_budget,
    )
    .await?;
    let answer = answers.into_iter().next().unwrap_or_else(|| Resolution {
        name: name.into_inner(),
        candidates: Vec::new(),
    });
    Ok(HttpResponse::Ok().json(answer))
}

type ResolveManyRequest = Read<(Query<ResolveOptions>, JsonArray<Names>)>;

/// Resolve many names.
///
/// Up to 1,000 names as a JSON array; one result per name, in the same order, each as
/// `GET /v1/resolve` gives it. A name given several times is looked up once. The whole batch
/// has 3 s of database time: a batch that needs more is a 422 asking for fewer names. A read:
/// it changes nothing, and needs no `write` scope.
#[utoipa::path(
    tag = "actors",
    operation_id = "resolve_names",
    params(ResolveOptions),
    request_body(content = Names, content_type = "application/json"),
    responses(
        (status = 200, description = "One result per name, in order", body = Resolutions),
        ReadProblems, BodyProblems,
    ),
    // A read sent as a POST: its security is a read's, not the one writes are given.
    security((), ("bearer" = [])),
)]
#[post("")]
pub async fn resolve_names(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: ResolveManyRequest,
) -> Result<HttpResponse> {
    let Read((Query(options), JsonArray(Names(names)))) = read;
    let options = options.options()?;
    let _turn = state.costly.enter(&req).await?;
    let mut conn = state.reader(&req).await?;
    let results = resolve::resolve(&mut conn, &names, options, state.resolve_budget).await?;
    Ok(HttpResponse::Ok().json(Resolutions { results }))
}
