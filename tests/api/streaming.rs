//! Large answers are streamed as the client reads them, and a client that stops reading is
//! cut off: it cannot keep an answer (and the memory behind it) for as long as it likes.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

use crate::helpers::*;

/// The network of these records by month is a GraphML file of several megabytes: more than
/// the kernel's buffers on loopback hold, so a client that reads nothing stops the server.
const LARGE: &str = "/v1/network?from=1950&to=1999&by=month&format=graphml";

/// 21 states and 600 visits, each by 20 of them to the 21st in a month of its own: 12,000
/// edges by month.
async fn import_crowded_visits(app: &TestApp) {
    let mut lines =
        vec![json!({"type": "citation", "key": "src", "source": "Test wire"}).to_string()];
    for i in 0..21 {
        lines.push(json!({"type": "actor", "key": format!("s{i}"), "kind": "state", "name": format!("State {i}"), "slug": format!("state-{i}")}).to_string());
    }
    for v in 0..600 {
        let host = v % 21;
        let visitors: Vec<String> = (0..21)
            .filter(|i| *i != host)
            .map(|i| format!("s{i}"))
            .collect();
        let (year, month) = (1950 + v / 12, 1 + v % 12);
        lines.push(
            json!({"type": "visit", "key": format!("v{v}"), "visitor_ids": visitors, "host_id": format!("s{host}"),
                   "start": format!("{year}-{month:02}"), "kind": "working", "citations": [{"citation_id": "src"}]})
            .to_string(),
        );
    }
    let response = app.import(lines.join("\n")).await;
    assert_eq!(response.status(), StatusCode::OK);
}

/// Whether a raw HTTP/1.1 response holds its whole body (by `Content-Length`, or chunked
/// with the last chunk).
fn complete(response: &[u8]) -> bool {
    let text = String::from_utf8_lossy(response);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    let head = head.to_ascii_lowercase();
    if let Some(length) = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|l| l.trim().parse::<usize>().ok())
    {
        return body.len() >= length;
    }
    head.contains("transfer-encoding: chunked") && body.ends_with("\r\n0\r\n\r\n")
}

/// Sends `path` on a connection with a small receive buffer and reads nothing.
async fn stalled_reader(app: &TestApp, path: &str) -> tokio::net::TcpStream {
    let address = app
        .address
        .trim_start_matches("http://")
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let socket = TcpSocket::new_v4().unwrap_or_else(|e| panic!("{e}"));
    socket
        .set_recv_buffer_size(4096)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut stream = socket
        .connect(address)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    stream
}

#[tokio::test]
async fn a_client_that_stops_reading_a_large_answer_is_cut_off_and_its_turn_freed() {
    let app = spawn_app_with(|s| s.answer_idle_timeout = Duration::from_secs(1)).await;
    import_crowded_visits(&app).await;
    // As many stalled readers as there are turns for large answers.
    let mut stalled = vec![
        stalled_reader(&app, LARGE).await,
        stalled_reader(&app, LARGE).await,
    ];
    // Once the answers have begun (computing one may take a while), several deadlines pass
    // while they read nothing.
    for stream in &stalled {
        let _ = tokio::time::timeout(Duration::from_secs(120), stream.peek(&mut [0; 1]))
            .await
            .unwrap_or_else(|_| panic!("no answer began"));
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    for stream in &mut stalled {
        // Now reading: what was sent before the server gave up, then the end.
        let mut received = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut received))
            .await
            .unwrap_or_else(|_| panic!("the connection was never closed"));
        assert!(
            received.starts_with(b"HTTP/1.1 200"),
            "{:?}",
            String::from_utf8_lossy(&received[..received.len().min(200)])
        );
        assert!(
            !complete(&received),
            "a client that read nothing for 5 s got the whole answer ({} bytes)",
            received.len()
        );
    }
    // Their turns were given back: the next large answer is served.
    let response = app.get(LARGE).await;
    assert_eq!(response.status(), StatusCode::OK);
    // Larger than the buffers between server and client, or the readers would not have
    // stopped the server at all.
    let body = response.bytes().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(body.len() > 5_000_000, "{} bytes", body.len());
}

#[tokio::test]
async fn large_answers_are_streamed_not_buffered_whole() {
    let app = spawn_app().await;
    import_crowded_visits(&app).await;
    let analyses = [
        (LARGE, "application/graphml+xml"),
        ("/v1/network?from=1950&to=1999&by=month", "application/json"),
        (
            "/v1/network?from=1950&to=1999&by=month&format=csv",
            "text/csv",
        ),
        (
            "/v1/network?from=1950&to=1999&by=month&format=gexf",
            "application/gexf+xml",
        ),
        (
            "/v1/actors/state-0/engagement?from=1950&to=1999&by=month",
            "application/json",
        ),
        (
            "/v1/dyads?a=state-0&b=state-1&from=1950&to=1999&by=month",
            "application/json",
        ),
        ("/explore/state-0?from=1950&to=1999&by=month", "text/html"),
    ];
    for (path, media) in analyses {
        let response = app
            .request(Method::GET, path)
            .header("Accept", media)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.content_length(), None, "{path}");
        assert_eq!(
            header(&response, "transfer-encoding").as_deref(),
            Some("chunked"),
            "{path}"
        );
        let content_type = header(&response, "content-type").unwrap_or_default();
        assert!(content_type.starts_with(media), "{path}: {content_type}");
        let body = response.bytes().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(!body.is_empty(), "{path}");
    }
    // The same as CSV.
    for path in [
        "/v1/actors/state-0/engagement?from=1950&to=1999&by=month",
        "/v1/dyads?a=state-0&b=state-1&from=1950&to=1999&by=month",
    ] {
        let response = app
            .request(Method::GET, path)
            .header("Accept", "text/csv")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.content_length(), None, "{path}");
        let body = response.text().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(body.ends_with("\r\n"), "{path}");
    }
}
