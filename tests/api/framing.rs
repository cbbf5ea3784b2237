//! Ambiguous request framing, over a raw socket: refused and the connection closed.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;

/// Sends raw bytes and reads until the server closes the connection (or 10 s pass).
async fn exchange(app: &TestApp, request: &str) -> (String, bool) {
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    stream
        .write_all(request.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut received = Vec::new();
    let closed = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut received),
    )
    .await
    .is_ok();
    (String::from_utf8_lossy(&received).into_owned(), closed)
}

/// The status of every response in what came back (a body need not end with a line break).
fn statuses(text: &str) -> Vec<&str> {
    text.match_indices("HTTP/1.")
        .filter_map(|(i, m)| text.get(i + m.len() + 2..i + m.len() + 5))
        .filter(|code| code.bytes().all(|b| b.is_ascii_digit()))
        .collect()
}

#[tokio::test]
async fn content_length_with_transfer_encoding_is_refused_and_the_connection_closed() {
    let app = spawn_app().await;
    // Read as chunked, the body ends at `0`; what follows would run as a second request.
    let smuggled = "POST /v1/actors HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
                    Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n\
                    GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n";
    let (text, closed) = exchange(&app, smuggled).await;
    assert!(closed, "the connection stayed open: {text}");
    assert!(text.contains("application/problem+json"), "{text}");
    assert!(
        text.contains("Content-Length and Transfer-Encoding"),
        "{text}"
    );
    assert!(
        text.to_ascii_lowercase().contains("connection: close"),
        "{text}"
    );
    // The request actix had already read behind it is refused too: nothing ran.
    let statuses = statuses(&text);
    assert!(
        !statuses.is_empty() && statuses.iter().all(|s| *s == "400"),
        "{text}"
    );
    assert!(
        !text.contains(r#"{"status":"ok"}"#),
        "the smuggled request ran: {text}"
    );
    assert_eq!(app.count("actors").await, 0);
}

#[tokio::test]
async fn an_http_1_1_request_needs_exactly_one_host() {
    let app = spawn_app().await;
    let (missing, closed) = exchange(&app, "GET /healthz HTTP/1.1\r\n\r\n").await;
    assert!(closed);
    assert_eq!(statuses(&missing), ["400"], "{missing}");
    assert!(missing.contains("needs a Host header"), "{missing}");
    let (twice, _) = exchange(&app, "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").await;
    assert_eq!(statuses(&twice), ["400"], "{twice}");
    // HTTP/1.0 has no Host requirement; one Host on 1.1 is served as usual.
    let (old, _) = exchange(&app, "GET /healthz HTTP/1.0\r\n\r\n").await;
    assert_eq!(statuses(&old), ["200"], "{old}");
    let (fine, _) = exchange(
        &app,
        "GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(statuses(&fine), ["200"], "{fine}");
}

#[tokio::test]
async fn a_request_line_too_long_gets_a_problem_and_the_connection_closed() {
    let app = spawn_app().await;
    let request = format!(
        "GET /v1/actors?q={} HTTP/1.1\r\nHost: test\r\n\r\n",
        "a".repeat(100_000)
    );
    let (response, closed) = exchange(&app, &request).await;
    assert!(closed, "the connection stayed open");
    assert_eq!(statuses(&response), ["414"], "{response}");
    assert!(
        response.contains("content-type: application/problem+json"),
        "{response}"
    );
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    let problem: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(problem["status"], 414);
    assert_eq!(problem["type"], "urn:chancery:problem:uri-too-long");
    // A long line the limit allows is served as usual.
    let (response, _) = exchange(
        &app,
        &format!(
            "GET /healthz?{} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
            "a".repeat(10_000)
        ),
    )
    .await;
    assert_eq!(statuses(&response), ["400"], "{response}");
}

/// The problem document of a raw answer, checked to be one.
fn problem_of(response: &str) -> serde_json::Value {
    assert!(
        response.contains("content-type: application/problem+json"),
        "{response}"
    );
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[tokio::test]
async fn a_head_that_stops_coming_gets_a_408_problem_and_silence_gets_nothing() {
    let app = spawn_app().await;
    let (response, closed) = exchange(&app, "GET /v1/act").await;
    assert!(closed, "a connection idle within its head stayed open");
    assert_eq!(statuses(&response), ["408"], "{response}");
    assert_eq!(
        problem_of(&response)["type"],
        "urn:chancery:problem:request-timeout"
    );
    let (response, closed) = exchange(&app, "GET /healthz HTTP/1.1\r\nHost: te").await;
    assert!(closed);
    assert_eq!(statuses(&response), ["408"], "{response}");
    // A connection that sends nothing (a browser's preconnect) is closed without a word.
    let (response, closed) = exchange(&app, "").await;
    assert!(closed);
    assert!(response.is_empty(), "{response}");
}

#[tokio::test]
async fn what_the_parser_refuses_in_a_head_is_a_problem_document() {
    let app = spawn_app().await;
    let big = format!(
        "GET /healthz HTTP/1.1\r\nHost: test\r\nX-Big: {}\r\n\r\n",
        "a".repeat(70_000)
    );
    let (response, closed) = exchange(&app, &big).await;
    assert!(closed);
    assert_eq!(statuses(&response), ["431"], "{response}");
    assert_eq!(problem_of(&response)["status"], 431);
    let many: String = (0..100).map(|i| format!("X-{i}: {i}\r\n")).collect();
    let (response, _) = exchange(
        &app,
        &format!("GET /healthz HTTP/1.1\r\nHost: test\r\n{many}\r\n"),
    )
    .await;
    assert_eq!(statuses(&response), ["431"], "{response}");
    for malformed in [
        "GET /healthz HTTP/1.1\r\nHost: test\r\nno colon here\r\n\r\n",
        "GET /healthz HTTP/9\r\nHost: test\r\n\r\n",
        "\u{1}\u{2}\u{3} nonsense\r\n\r\n",
    ] {
        let (response, closed) = exchange(&app, malformed).await;
        assert!(closed);
        assert_eq!(statuses(&response), ["400"], "{malformed:?}: {response}");
        assert_eq!(
            problem_of(&response)["type"],
            "urn:chancery:problem:validation"
        );
    }
    // Heads the limits allow are served as usual.
    let fine: String = (0..90)
        .map(|i| format!("X-{i}: {}\r\n", "b".repeat(500)))
        .collect();
    let (response, _) = exchange(
        &app,
        &format!("GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n{fine}\r\n"),
    )
    .await;
    assert_eq!(statuses(&response), ["200"], "{response}");
}

#[tokio::test]
async fn ambiguous_framing_is_refused_before_any_other_check_can_answer() {
    let app = spawn_app().await;
    // An unknown query parameter would be a 400 of its own; the connection must still close,
    // or the bytes after the chunked body would run as a second request.
    let smuggled = "POST /v1/actors?unknown=1 HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
                    Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n\
                    GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n";
    let (response, closed) = exchange(&app, smuggled).await;
    assert!(closed, "the connection stayed open");
    let statuses = statuses(&response);
    assert_eq!(statuses.first(), Some(&"400"), "{response}");
    assert!(
        !statuses.contains(&"200"),
        "the smuggled request ran: {response}"
    );
}
