//! Deadlines on request bodies. A caller that sends its body slowly holds a worker's memory
//! and, for an import, a slot that others wait for; past the deadline it gets a 408 and the
//! connection is closed. Two clocks: `idle` (the longest wait for the next bytes) and `total`
//! (the whole body; imports get a longer one, being large by design).

use std::io;
use std::pin::Pin;
use std::time::Duration;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web;
use bytes::Bytes;
use futures_util::{Stream, StreamExt, stream};
use tokio::time::Instant;

/// How long a request body may take: application data (`web::Data<BodyDeadlines>`), read
/// by [`enforce`].
#[derive(Debug, Clone, Copy)]
pub struct BodyDeadlines {
    /// The longest pause between two parts of a body.
    pub idle: Duration,
    /// The whole body, for every route but the import.
    pub total: Duration,
    /// The whole body of `POST /v1/import`.
    pub import_total: Duration,
}

pub const IMPORT_PATH: &str = "/v1/import";

pub async fn enforce(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let has_body = req.headers().contains_key(header::TRANSFER_ENCODING)
        || req
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0");
    let deadlines = req
        .app_data::<web::Data<BodyDeadlines>>()
        .map(|deadlines| *deadlines.get_ref());
    if let (true, Some(deadlines)) = (has_body, deadlines) {
        let total = if req.path() == IMPORT_PATH {
            deadlines.import_total
        } else {
            deadlines.total
        };
        let body = within(req.parts_mut().1.take(), deadlines.idle, total);
        req.set_payload(Payload::from(body));
    }
    next.call(req).await
}

type Body = Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>;

/// The body's stream, ending with a `TimedOut` error when either clock runs out.
fn within(payload: Payload, idle: Duration, total: Duration) -> Body {
    let end = Instant::now() + total;
    let state = Some(payload);
    Box::pin(stream::unfold(state, move |state| async move {
        let mut payload = state?;
        let wait = end.saturating_duration_since(Instant::now()).min(idle);
        match tokio::time::timeout(wait, payload.next()).await {
            Ok(Some(item)) => Some((item, Some(payload))),
            Ok(None) => None,
            Err(_) => {
                let what = if Instant::now() >= end {
                    format!(
                        "the request body did not arrive within {} s",
                        total.as_secs()
                    )
                } else {
                    format!("no part of the request body came for {} s", idle.as_secs())
                };
                Some((
                    Err(PayloadError::Io(io::Error::new(
                        io::ErrorKind::TimedOut,
                        what,
                    ))),
                    None,
                ))
            }
        }
    }))
}
