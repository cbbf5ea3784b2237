//! Large answers go out as the client reads them, never whole in memory.
//!
//! An answer's bytes are written, from the computed result, on a costly thread (see
//! `costly`) into a [`Sink`] that hands them over in chunks of at most [`CHUNK`] through a
//! channel of one: the writer waits while the client has not taken the last chunk, so an
//! answer holds its result and a chunk or two, whatever its size. Whatever else the answer
//! holds (a permit for a large answer) goes with the writer and is let go when the last byte
//! is handed over or the client is gone.
//!
//! A client that takes nothing for the idle deadline, or takes longer than [`TOTAL`] over
//! the whole answer, has its connection closed. actix has no write timeout, and while the
//! socket is full it does not ask the body for more, so a timer inside the body would never
//! run: a watchdog beside it shuts the connection's socket down, actix's next write fails,
//! and the connection and the body are dropped.

use std::cell::Cell;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BodySize, MessageBody};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use bytes::{Bytes, BytesMut};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::super::costly;

/// The largest chunk handed to the connection.
pub const CHUNK: usize = 64 * 1024;

/// The longest one answer may take to be read, however steadily.
pub const TOTAL: Duration = Duration::from_secs(600);

/// The longest a client may take nothing of an answer before its connection is closed
/// (application data; the setting `answer_idle_timeout`).
#[derive(Debug, Clone, Copy)]
pub struct IdleDeadline(pub Duration);

/// The connection's socket, for the watchdog (set up by [`on_connect`]).
#[derive(Debug, Clone, Copy)]
struct ConnectionSocket(RawFd);

/// Remembers each connection's socket (for `HttpService::on_connect_ext`).
pub fn on_connect(io: &impl AsRawFd, extensions: &mut actix_web::dev::Extensions) {
    extensions.insert(ConnectionSocket(io.as_raw_fd()));
}

/// Where an answer is written: bytes leave in chunks of at most [`CHUNK`], each once the
/// client has taken the one before.
pub struct Sink {
    chunks: mpsc::Sender<io::Result<Bytes>>,
    buffer: BytesMut,
}

impl Sink {
    fn send(&mut self) -> io::Result<()> {
        let chunk = std::mem::replace(&mut self.buffer, BytesMut::with_capacity(CHUNK)).freeze();
        self.chunks
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client is gone"))
    }
}

impl Write for Sink {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(CHUNK - self.buffer.len());
        self.buffer.extend_from_slice(&data[..n]);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The response `builder` with a body that `write` produces as the client reads it.
/// `guard` is held until the body is written or the client is gone.
pub fn respond<G, F>(
    req: &HttpRequest,
    mut builder: HttpResponseBuilder,
    guard: G,
    write: F,
) -> HttpResponse
where
    G: Send + 'static,
    F: FnOnce(&mut Sink) -> io::Result<()> + Send + 'static,
{
    let (sender, chunks) = mpsc::channel(1);
    let writer = move || {
        let mut sink = Sink {
            chunks: sender,
            buffer: BytesMut::with_capacity(CHUNK),
        };
        let written = write(&mut sink).and_then(|()| {
            if sink.buffer.is_empty() {
                Ok(())
            } else {
                sink.send()
            }
        });
        drop(guard);
        if let Err(error) = written
            && error.kind() != io::ErrorKind::BrokenPipe
        {
            tracing::error!(error = %error, "writing an answer");
            let _ = sink.chunks.blocking_send(Err(error));
        }
    };
    // Below the workers' priority; should no thread start, the answer ends at once (its
    // sender is dropped with the writer) and the client sees it cut short.
    if let Err(error) = costly::spawn(writer) {
        tracing::error!(%error, "starting a costly thread");
    }
    let taken = Rc::new(Cell::new(Instant::now()));
    let idle = req.app_data::<IdleDeadline>().map(|d| d.0);
    let socket = req.conn_data::<ConnectionSocket>().copied();
    let watchdog = match (idle, socket) {
        (Some(idle), Some(socket)) => Socket::dup(socket.0)
            .map(|socket| actix_web::rt::spawn(watch(taken.clone(), idle, socket))),
        _ => None,
    };
    builder.body(Streamed {
        chunks,
        taken,
        watchdog,
    })
}

/// The body: chunks as the writer hands them over.
struct Streamed {
    chunks: mpsc::Receiver<io::Result<Bytes>>,
    /// When the connection last asked for more.
    taken: Rc<Cell<Instant>>,
    watchdog: Option<tokio::task::JoinHandle<()>>,
}

impl MessageBody for Streamed {
    type Error = io::Error;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.get_mut();
        // actix asks only once what it took before is (nearly) written to the socket.
        this.taken.set(Instant::now());
        this.chunks.poll_recv(cx)
    }
}

impl Drop for Streamed {
    fn drop(&mut self) {
        if let Some(watchdog) = self.watchdog.take() {
            watchdog.abort();
        }
    }
}

/// A descriptor of the connection's socket of the watchdog's own, so that it can never
/// name another connection's.
struct Socket(RawFd);

impl Socket {
    fn dup(fd: RawFd) -> Option<Self> {
        nix::unistd::dup(fd).ok().map(Self)
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        let _ = nix::unistd::close(self.0);
    }
}

/// Closes the connection once the client has taken nothing for `idle`, or the answer has
/// taken [`TOTAL`].
async fn watch(taken: Rc<Cell<Instant>>, idle: Duration, socket: Socket) {
    let until = Instant::now() + TOTAL;
    loop {
        tokio::time::sleep_until((taken.get() + idle).min(until)).await;
        let now = Instant::now();
        if now >= until || now >= taken.get() + idle {
            tracing::info!("a client stopped reading an answer: its connection is closed");
            let _ = nix::sys::socket::shutdown(socket.0, nix::sys::socket::Shutdown::Both);
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sink_hands_over_every_byte_in_chunks_no_larger_than_a_chunk() {
        let (sender, mut chunks) = mpsc::channel(1);
        let written: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let expected = written.clone();
        let writer = std::thread::spawn(move || {
            let mut sink = Sink {
                chunks: sender,
                buffer: BytesMut::with_capacity(CHUNK),
            };
            for piece in written.chunks(7_001) {
                sink.write_all(piece)?;
            }
            sink.send()
        });
        let mut received = Vec::new();
        while let Some(chunk) = chunks.blocking_recv() {
            let chunk = chunk.unwrap_or_else(|e| panic!("{e}"));
            assert!(chunk.len() <= CHUNK);
            received.extend_from_slice(&chunk);
        }
        assert!(writer.join().is_ok_and(|written| written.is_ok()));
        assert_eq!(received, expected);
    }
}
