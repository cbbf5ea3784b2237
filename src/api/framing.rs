//! Requests whose framing is ambiguous are refused before anything reads them.
//!
//! A request with both `Content-Length` and `Transfer-Encoding` can be read two ways; a
//! proxy in front that reads it the other way would let the bytes after the body run as a
//! second request (request smuggling). RFC 9112 §6.1 says to treat it as an error and close
//! the connection, which is done here: a 400 problem document, then the connection closes,
//! so nothing after it on the connection is read as a request. An HTTP/1.1 request without
//! exactly one `Host` is refused the same way (RFC 9112 §3.2).
//!
//! actix answers requests it has already read from the connection (pipelined) before it
//! closes it, so the connection is also marked: every later request on it is refused unread,
//! and nothing sent after an ambiguous request ever reaches a handler.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{ConnectionType, Version, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, ResponseError};

use crate::error::ApiError;

/// Per-connection state, set up by [`on_connect`].
#[derive(Debug, Default)]
pub struct Connection {
    refused: std::cell::Cell<bool>,
}

/// Gives every connection its [`Connection`] state (for `HttpServer::on_connect`).
pub fn on_connect(_: &dyn std::any::Any, extensions: &mut actix_web::dev::Extensions) {
    extensions.insert(Connection::default());
}

/// What is wrong with a request's framing, if anything.
fn ambiguity(req: &ServiceRequest) -> Option<&'static str> {
    let headers = req.headers();
    if headers.contains_key(header::CONTENT_LENGTH)
        && headers.contains_key(header::TRANSFER_ENCODING)
    {
        return Some("the request has both Content-Length and Transfer-Encoding; send one of them");
    }
    if req.version() == Version::HTTP_11 {
        match headers.get_all(header::HOST).count() {
            0 => return Some("an HTTP/1.1 request needs a Host header"),
            1 => {}
            _ => return Some("the request has more than one Host header"),
        }
    }
    None
}

pub async fn refuse_ambiguous(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let connection = req.conn_data::<Connection>();
    let refused = if connection.is_some_and(|c| c.refused.get()) {
        Some(
            "an earlier request on this connection was refused for its framing; open a new connection",
        )
    } else {
        ambiguity(&req)
    };
    if let Some(detail) = refused {
        if let Some(connection) = connection {
            connection.refused.set(true);
        }
        // The body is never read: dropping it tells the connection not to wait for it.
        drop(req.take_payload());
        let mut response = ApiError::bad_request(detail).error_response();
        response
            .head_mut()
            .set_connection_type(ConnectionType::Close);
        return Ok(req.into_response(response));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}
