use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

fn entries(page: &Value) -> Vec<(String, String, String, Option<String>)> {
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["record"].as_str().unwrap_or("").to_owned(),
                e["date"].as_str().unwrap_or("").to_owned(),
                e["capacity"].as_str().unwrap_or("").to_owned(),
                e["via"]["slug"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn entry(
    record: &str,
    date: &str,
    capacity: &str,
    via: Option<&str>,
) -> (String, String, String, Option<String>) {
    (
        record.to_owned(),
        date.to_owned(),
        capacity.to_owned(),
        via.map(str::to_owned),
    )
}

#[tokio::test]
async fn a_timeline_merges_visits_and_statements_in_date_order_through_roles() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    // Tokayev, President of Kazakhstan, goes to China: it counts for Kazakhstan through him.
    app.create_role(
        "kassym-jomart-tokayev",
        json!({"of_actor_id": record.kz["id"], "title": "President", "start": "2019-03-20"}),
    )
    .await;
    app.create("/v1/visits", json!({"visitor_ids": [record.tokayev["id"]], "host_id": record.china["id"], "start": "2022-02-05",
                                     "kind": "working", "citations": [{"citation_id": record.fmprc["id"]}]}))
        .await;

    let kazakhstan = json(app.get("/v1/actors/kazakhstan/timeline").await).await;
    assert_eq!(
        entries(&kazakhstan),
        [
            entry(
                "visit",
                "2022-02-05",
                "visitor",
                Some("kassym-jomart-tokayev")
            ),
            entry("statement", "2022-09", "subject", None),
            entry("visit", "2022-09", "host", None),
        ]
    );
    assert_eq!(kazakhstan["items"][2]["visit"]["id"], record.visit["id"]);
    assert_eq!(
        kazakhstan["items"][1]["statement"]["id"],
        record.pledge["id"]
    );

    // Xi's visit counts for China through him; the pledge is China's directly (derived).
    let china = json(app.get("/v1/actors/china/timeline?order=desc").await).await;
    assert_eq!(
        entries(&china),
        [
            entry("visit", "2022-09", "visitor", Some("xi-jinping")),
            entry("statement", "2022-09", "on_behalf_of", None),
            entry("visit", "2022-02-05", "host", None),
        ]
    );
    let direct_only = json(
        app.get("/v1/actors/kazakhstan/timeline?via_roles=false")
            .await,
    )
    .await;
    assert_eq!(direct_only["items"].as_array().map(Vec::len), Some(2));
    let windowed = json(
        app.get("/v1/actors/kazakhstan/timeline?from=2022-03&to=2022-12")
            .await,
    )
    .await;
    assert_eq!(windowed["items"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn a_timeline_is_paginated_to_the_end_in_both_orders() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    for day in 1..=7 {
        app.create("/v1/statements", json!({"speaker_id": record.tokayev["id"], "stated_on": format!("2021-06-{day:02}"), "kind": "declaration",
                                             "text": format!("Day {day}"), "subjects": [{"actor_id": record.kz["id"], "stance": "neutral"}],
                                             "citations": [{"citation_id": record.fmprc["id"]}]}))
            .await;
    }
    for order in ["asc", "desc"] {
        let mut dates = Vec::new();
        let mut path = format!("/v1/actors/kazakhstan/timeline?limit=3&order={order}");
        loop {
            let page = json(app.get(&path).await).await;
            dates.extend(entries(&page).into_iter().map(|(_, date, _, _)| date));
            match page["next_cursor"].as_str() {
                Some(cursor) => {
                    path = format!(
                        "/v1/actors/kazakhstan/timeline?limit=3&order={order}&cursor={cursor}"
                    )
                }
                None => break,
            }
        }
        assert_eq!(dates.len(), 9, "{order}");
        let mut sorted = dates.clone();
        sorted.sort();
        if order == "desc" {
            sorted.reverse();
        }
        assert_eq!(dates, sorted, "{order}");
    }
    problem(
        app.get("/v1/actors/nobody/timeline").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get("/v1/actors/kazakhstan/timeline?order=sideways")
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}
