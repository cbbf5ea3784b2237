//! Who is calling: extractors that authenticate the bearer token and check its scope.
//! A write handler takes [`Write`], so a write route cannot exist without the check.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use uuid::Uuid;

use crate::auth::Scope;
use crate::error::ApiError;
use crate::store;

use super::limits::RateLimits;
use super::state::AppState;

/// An authenticated token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token_id: Uuid,
    pub name: String,
    pub scope: Scope,
}

/// A request whose token allows writes, and what `T` extracts from it once that is checked.
///
/// The check comes first, so a caller without the right token learns nothing about the body
/// (no 400 or 415 before the 401 or 403). Write handlers take `Write<…>`: a write route cannot
/// exist without it.
pub struct Write<T = ()>(pub Caller, pub T);

/// A request allowed to read (anyone, unless the service requires a `read` token), and what
/// `T` extracts from it once that is checked. A token that is sent is checked even when reads
/// are open, so a wrong one is noticed.
pub struct Read<T = ()>(pub T);

impl<T: FromRequest + 'static> FromRequest for Write<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let state = app_state(&req)?;
            let caller = match authenticate(&state, &req).await? {
                Some(caller) if caller.scope.allows(Scope::Write) => caller,
                Some(_) => {
                    return Err(ApiError::Forbidden {
                        required: Scope::Write,
                    }
                    .into());
                }
                None => {
                    return Err(ApiError::Unauthorized {
                        detail: "this operation needs a bearer token with the `write` scope".into(),
                        invalid_token: false,
                    }
                    .into());
                }
            };
            let inner = T::from_request(&req, &mut payload)
                .await
                .map_err(Into::into)?;
            Ok(Write(caller, inner))
        })
    }
}

impl<T: FromRequest + 'static> FromRequest for Read<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let state = app_state(&req)?;
            let caller = authenticate(&state, &req).await?;
            if caller.is_none() && state.require_read_token {
                return Err(ApiError::Unauthorized {
                    detail: "this service requires a bearer token to read".into(),
                    invalid_token: false,
                }
                .into());
            }
            let inner = T::from_request(&req, &mut payload)
                .await
                .map_err(Into::into)?;
            Ok(Read(inner))
        })
    }
}

/// The caller, who must have sent a token with `scope`: for handlers that check it themselves.
pub async fn require(
    state: &AppState,
    req: &HttpRequest,
    scope: Scope,
) -> Result<Caller, ApiError> {
    match authenticate(state, req).await? {
        Some(caller) if caller.scope.allows(scope) => Ok(caller),
        Some(_) => Err(ApiError::Forbidden { required: scope }),
        None => Err(ApiError::Unauthorized {
            detail: format!("this operation needs a bearer token with the `{scope}` scope"),
            invalid_token: false,
        }),
    }
}

fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))
}

/// The caller a request's token names, if it sends one; an authenticated request is also
/// taken from its token's rate limit.
async fn authenticate(state: &AppState, req: &HttpRequest) -> Result<Option<Caller>, ApiError> {
    let token = crate::auth::bearer(req.headers()).map_err(|detail| ApiError::Unauthorized {
        detail: detail.into(),
        invalid_token: true,
    })?;
    let Some(token) = token else {
        return Ok(None);
    };
    let invalid = || ApiError::Unauthorized {
        detail: "the bearer token is not valid (unknown, malformed or revoked)".into(),
        invalid_token: true,
    };
    let (lookup, secret) = crate::auth::split(token).ok_or_else(invalid)?;
    let row = store::tokens::find_active(&state.pool, lookup)
        .await?
        .ok_or_else(invalid)?;
    if !crate::auth::verify(secret, &row.secret_sha256) {
        return Err(invalid());
    }
    let limits = req
        .app_data::<web::Data<RateLimits>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("rate limits missing")))?;
    limits.trust(token);
    limits.charge_token(req, &row.name)?;
    Ok(Some(Caller {
        token_id: row.id,
        name: row.name,
        scope: row.scope,
    }))
}
