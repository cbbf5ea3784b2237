//! Event data in: PLOVER's JSON records through `/v1/import/events`, on the published
//! gold-standard records (tests/data/plover/README.md says where from) and on records written
//! for the edge cases.

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

const GOLD: &str = include_str!("../data/plover/PLOVER_GSR_CAMEO.txt");
const ICEWS: &str = include_str!("../data/icews/sample.tab");

async fn import(app: &TestApp, query: &str, media: &str, body: &str) -> Response {
    app.request(Method::POST, &format!("/v1/import/events{query}"))
        .bearer_auth(&app.write_token)
        .header("Content-Type", media)
        .body(body.to_owned())
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST /v1/import/events: {e}"))
}

async fn imported(app: &TestApp, query: &str, media: &str, body: &str) -> Value {
    let response = import(app, query, media, body).await;
    assert_eq!(response.status(), StatusCode::OK);
    json(response).await
}

/// The lines named for the skipped rows whose reason starts with `reason`.
fn skipped<'s>(summary: &'s Value, reason: &str) -> Vec<&'s Value> {
    summary["skipped"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["reason"].as_str().unwrap_or("").starts_with(reason))
        .flat_map(|s| s["lines"].as_array().into_iter().flatten())
        .collect()
}

#[tokio::test]
async fn the_gold_standard_records_become_cited_visits_and_interactions() {
    let app = spawn_app().await;
    // ICEWS first: the states it made ("Russian Federation") are the ones PLOVER's `RUS` names.
    imported(&app, "", "text/tab-separated-values", ICEWS).await;
    let russia = |page: Value| page["items"].as_array().map(Vec::len);
    let before = russia(json(app.get("/v1/actors?q=russia&kind=state").await).await);
    assert_eq!(before, Some(1));

    let summary = imported(
        &app,
        "?dataset_file=PLOVER_GSR_CAMEO.txt",
        "application/json",
        GOLD,
    )
    .await;
    assert_eq!(summary["visits"], 4, "{summary}");
    assert_eq!(skipped(&summary, "a documentation record"), [&json!(2)]);
    assert_eq!(skipped(&summary, "actor code `JAP`").len(), 3, "{summary}");
    assert!(!skipped(&summary, "the source names several states").is_empty());
    assert_eq!(
        russia(json(app.get("/v1/actors?q=russia&kind=state").await).await),
        before
    );

    // CONSULT with mode `visit`: Morocco's king to the United States, cited to the record's
    // text (quoted) and to the file (the record's id as locator).
    let page = json(
        app.get("/v1/visits?host=united-states&from=2000-01-01&to=2000-01-01")
            .await,
    )
    .await;
    let visit = &page["items"][0];
    assert_eq!(visit["visitors"][0]["slug"], "morocco", "{page}");
    assert_eq!(visit["visitor_principal"]["slug"], "morocco");
    let citations = visit["citations"].as_array().cloned().unwrap_or_default();
    assert_eq!(citations.len(), 2, "{citations:?}");
    assert_eq!(
        citations[0]["citation"]["source"],
        "OEDA team from CAMEO 1.1b3 manual"
    );
    assert_eq!(
        citations[0]["citation"]["title"],
        "PLOVER record PLOVER-GSR01-CONSULT-0001"
    );
    assert!(
        citations[0]["quote"]
            .as_str()
            .is_some_and(|q| q.contains("Morocco")),
        "{citations:?}"
    );
    assert_eq!(citations[1]["citation"]["title"], "PLOVER_GSR_CAMEO.txt");
    assert_eq!(citations[1]["locator"], "event PLOVER-GSR01-CONSULT-0001");
    // CONSULT with mode `host`: France hosts South Africa.
    let page = json(app.get("/v1/visits?host=france&visitor=south-africa").await).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1), "{page}");

    // A 0.5 type read as 2.0 has it, with PLOVER's code left empty (no CAMEO code).
    let page = json(
        app.get("/v1/interactions?event_type=accuse&from=2000-01-01&to=2000-01-01&limit=100")
            .await,
    )
    .await;
    let accusations = page["items"].as_array().cloned().unwrap_or_default();
    assert!(!accusations.is_empty(), "{page}");
    assert!(accusations.iter().all(|i| i.get("source_code").is_none()));

    // Loading it again changes nothing. (The file gives one id, PLOVER-GSR01-COERCE-0004, to
    // two records: the second is passed over as the first's repetition both times.)
    assert_eq!(summary["rows_repeated"], 1);
    let again = imported(&app, "?format=plover", "application/octet-stream", GOLD).await;
    let taken = ["visits", "interactions", "rows_merged", "rows_repeated"]
        .iter()
        .map(|k| summary[k].as_u64().unwrap_or(0))
        .sum::<u64>();
    assert_eq!(again["rows_repeated"].as_u64(), Some(taken), "{again}");
    assert_eq!(again["visits"], 0, "{again}");
    assert_eq!(again.get("interactions"), None, "{again}"); // as rows_merged: absent when none
}

#[tokio::test]
async fn faulty_records_are_refused_naming_line_and_field_and_leave_nothing() {
    let app = spawn_app().await;
    let body = "[\n{\"id\": \"a\", \"date\": \"2020-01-01\", \"event\": \"AGREE\", \"actor\": [{\"code\": \"KAZ\"}], \"recipient\": [{\"code\": \"CHN\"}]},\n{\"id\": \"b\",\n \"date\": \"01/02/2020\", \"event\": \"PARLEY\", \"actor\": [{\"code\": \"KAZ\"}]}\n]\n";
    let response = import(&app, "", "application/json", body).await;
    let problem = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    let lines: Vec<(u64, &str)> = refused_lines(&problem)
        .into_iter()
        .map(|(line, pointer, _)| (line, pointer))
        .collect();
    assert_eq!(lines, [(3, "#/date"), (3, "#/event")], "{problem}");
    assert_eq!(app.count("interactions").await, 0);
    assert_eq!(app.count("actors").await, 0);

    let truncated = import(
        &app,
        "?format=plover",
        "application/x-ndjson",
        "{\"id\": \"a\", \"date\"",
    )
    .await;
    let problem = self::problem(truncated, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        problem["lines"][0]["detail"]
            .as_str()
            .unwrap_or("")
            .contains("not closed"),
        "{problem}"
    );

    // The format named wins over the media type; a media type of neither is refused.
    let as_icews = import(&app, "?format=icews", "application/json", body).await;
    let problem = self::problem(as_icews, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["lines"][0]["pointer"], "#/header", "{problem}");
    let xml = import(&app, "", "application/xml", body).await;
    problem_of(xml, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let unknown = import(&app, "?format=polecat", "application/json", body).await;
    problem_of(unknown, StatusCode::BAD_REQUEST).await;
}

async fn problem_of(response: Response, status: StatusCode) {
    problem(response, status).await;
}
