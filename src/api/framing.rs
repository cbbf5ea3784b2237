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

/// The longest request line answered (method, target and version); a longer one gets 414.
pub const MAX_REQUEST_LINE: usize = 16 * 1024;
/// The largest request head answered (request line and headers); a larger one gets 431.
/// The HTTP parser's own limits (128 KiB, 96 headers) answer with an empty 400 or 431 before
/// the application sees anything, so a connection's first head is checked here first.
pub const MAX_HEAD: usize = 64 * 1024;
/// The most header fields a request may have (the parser's own limit).
const MAX_HEADERS: usize = 96;

/// Looks at (without reading) a new connection's first bytes until its request head is
/// whole, and answers what the HTTP parser would refuse with a problem document instead of
/// its empty answer: a request line past [`MAX_REQUEST_LINE`] (414), a head past
/// [`MAX_HEAD`] or with too many fields (431), a head that is not HTTP (400), part of a head
/// and no more within `wait` (408; a connection that sent nothing at all, such as a browser's
/// preconnect, is closed without an answer). Each ends the connection (`Err`). Later
/// requests on a kept-alive connection meet only the parser's limits.
pub async fn guard_first_head(
    io: &mut tokio::net::TcpStream,
    wait: std::time::Duration,
) -> Result<(), actix_http::error::DispatchError> {
    let deadline = tokio::time::Instant::now() + wait;
    // Grown as the head grows, so a connection that sends little holds little.
    let mut buffer = vec![0u8; 2048];
    let mut seen = 0;
    let mut pause = std::time::Duration::from_millis(2);
    let refusal = loop {
        let n = match tokio::time::timeout_at(deadline, io.peek(&mut buffer)).await {
            Ok(Ok(n)) => n,
            // Let the HTTP layer answer a broken connection.
            Ok(Err(_)) => return Ok(()),
            Err(_) if seen == 0 => return Err(nothing_in_time()),
            Err(_) => break head_in_time(wait, seen),
        };
        let bytes = &buffer[..n];
        if n == 0 {
            return Ok(());
        }
        let line_ends = bytes.iter().position(|b| *b == b'\n');
        if line_ends.unwrap_or(n) > MAX_REQUEST_LINE {
            break ApiError::RequestLineTooLong {
                limit: MAX_REQUEST_LINE,
            };
        }
        if line_ends.is_some() {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            match httparse::Request::new(&mut headers).parse(bytes) {
                Ok(httparse::Status::Complete(_)) => return Ok(()),
                Ok(httparse::Status::Partial) => {}
                Err(httparse::Error::TooManyHeaders) => {
                    break ApiError::HeadTooLarge {
                        detail: format!("the request has more than {MAX_HEADERS} header fields"),
                    };
                }
                Err(error) => {
                    break ApiError::bad_request(format!(
                        "the request head is not HTTP/1.1: {error}"
                    ));
                }
            }
        }
        if n > MAX_HEAD {
            break ApiError::HeadTooLarge {
                detail: format!("the request head is larger than {MAX_HEAD} bytes"),
            };
        }
        if n == buffer.len() {
            buffer.resize((n * 2).min(MAX_HEAD + 1), 0);
            continue;
        }
        if n == seen {
            // Nothing new since the last look: wait for more, longer each time (up to 100 ms),
            // rather than look again at once; a stalled sender costs a few wakeups a second.
            if tokio::time::Instant::now() >= deadline {
                break head_in_time(wait, seen);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(std::time::Duration::from_millis(100));
        } else {
            pause = std::time::Duration::from_millis(2);
        }
        seen = n;
    };
    refuse(io, &refusal).await;
    Err(actix_http::error::DispatchError::Io(std::io::Error::other(
        refusal.to_string(),
    )))
}

/// The 408 for a head that did not come whole in time.
fn head_in_time(wait: std::time::Duration, seen: usize) -> ApiError {
    ApiError::RequestTimeout(format!(
        "the request head did not arrive whole within {} s ({seen} bytes came); send it at once",
        wait.as_secs()
    ))
}

/// Answers `error` as a problem document on a connection the HTTP layer never read, then
/// closes it.
async fn refuse(io: &mut tokio::net::TcpStream, error: &ApiError) {
    use tokio::io::AsyncWriteExt;
    let status = actix_web::ResponseError::status_code(error);
    let body = serde_json::to_vec(&error.problem()).unwrap_or_default();
    let head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/problem+json\r\n\
         content-length: {}\r\nconnection: close\r\nx-content-type-options: nosniff\r\n\
         cache-control: no-store\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    );
    tracing::info!(status = status.as_u16(), detail = %error, "request head refused; answered and closed");
    let _ = io.write_all(head.as_bytes()).await;
    let _ = io.write_all(&body).await;
    let _ = io.shutdown().await;
    // Closing with the rest of the head unread would reset the connection, and the client
    // could lose the answer: read and drop what is still coming, for a bounded time.
    let mut rest = [0u8; 8192];
    let mut drained = 0;
    let drain_until = tokio::time::Instant::now() + std::time::Duration::from_secs(2);
    while drained < 4 * 1024 * 1024 {
        match tokio::time::timeout_at(drain_until, tokio::io::AsyncReadExt::read(io, &mut rest))
            .await
        {
            Ok(Ok(n)) if n > 0 => drained += n,
            _ => break,
        }
    }
}

fn nothing_in_time() -> actix_http::error::DispatchError {
    actix_http::error::DispatchError::Io(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "nothing came in time",
    ))
}
