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

/// Every entry of a timeline, followed page by page from `path` (which has no cursor).
async fn follow(app: &TestApp, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut next = path.to_owned();
    for _ in 0..200 {
        let page = json(app.get(&next).await).await;
        let page_items = page["items"].as_array().cloned().unwrap_or_default();
        assert!(
            !page_items.is_empty(),
            "an empty page before the end: {next}"
        );
        items.extend(page_items);
        match page["next_cursor"].as_str() {
            Some(cursor) => next = format!("{path}&cursor={cursor}"),
            None => return items,
        }
    }
    panic!("more than 200 pages for {path}");
}

#[tokio::test]
async fn short_pages_give_the_same_timeline_as_one_long_page() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let kz = &record.kz["id"];
    let eu = json(app.get("/v1/actors/eu").await).await;
    let minister = app
        .create_actor(json!({"kind": "person", "name": "Mukhtar Tileuberdi", "country_code": "KZ"}))
        .await;
    // Tokayev holds two roles in Kazakhstan at once, so his records come through both.
    app.create_role(
        "kassym-jomart-tokayev",
        json!({"of_actor_id": kz, "title": "President", "start": "2019-03-20"}),
    )
    .await;
    app.create_role(
        "kassym-jomart-tokayev",
        json!({"of_actor_id": kz, "title": "Chairman of the Security Council", "start": "2022-01"}),
    )
    .await;
    app.create_role(
        "mukhtar-tileuberdi",
        json!({"of_actor_id": kz, "title": "Minister of Foreign Affairs", "start": "2021-01", "end": "2022-12"}),
    )
    .await;
    let cite = json!([{"citation_id": record.fmprc["id"]}]);
    // Few distinct dates, so that many entries tie on the date and the cursor has to
    // break ties on the record kind and id.
    let dates = [
        "2022-01",
        "2022-01-15",
        "2020",
        "2022-06-30",
        "2023",
        "2021-11",
    ];
    for n in 0..24 {
        // Each of the six shapes below gets four different dates.
        let date = dates[(n + n / 6) % 6];
        match n % 6 {
            // Two holders on one visit: it comes through both.
            0 => app.create("/v1/visits", json!({"visitor_ids": [record.tokayev["id"], minister["id"]], "host_id": record.china["id"],
                                                 "start": date, "kind": "official", "citations": cite})).await,
            1 => app.create("/v1/visits", json!({"visitor_ids": [record.xi["id"]], "host_id": kz,
                                                 "start": date, "kind": "state", "citations": cite})).await,
            // A holder hosting: through a role, as host.
            2 => app.create("/v1/visits", json!({"visitor_ids": [eu["id"]], "host_id": record.tokayev["id"],
                                                 "start": date, "kind": "working", "citations": cite})).await,
            // Spoken by a holder about Kazakhstan: directly as subject, and through the role.
            3 => app.create("/v1/statements", json!({"speaker_id": record.tokayev["id"], "stated_on": date, "kind": "declaration",
                                                     "text": format!("Statement {n}"), "subjects": [{"actor_id": kz, "stance": "neutral"}],
                                                     "citations": cite})).await,
            // On behalf of Kazakhstan when the minister held the role, otherwise not at all.
            4 => app.create("/v1/statements", json!({"speaker_id": minister["id"], "stated_on": date, "kind": "declaration",
                                                     "text": format!("Statement {n}"), "citations": cite})).await,
            _ => app.create("/v1/statements", json!({"speaker_id": kz, "stated_on": date, "kind": "declaration",
                                                     "text": format!("Statement {n}"), "citations": cite})).await,
        };
    }

    for filters in ["", "&via_roles=false", "&from=2022-01-10&to=2022-07"] {
        let mut whole = Vec::new();
        for order in ["asc", "desc"] {
            let path = format!("/v1/actors/kazakhstan/timeline?order={order}{filters}");
            let one_page = json(app.get(&format!("{path}&limit=500")).await).await;
            assert_eq!(one_page["next_cursor"], Value::Null);
            let one_page = one_page["items"].as_array().cloned().unwrap_or_default();
            for limit in [1, 2, 3, 5, 8] {
                let paged = follow(&app, &format!("{path}&limit={limit}")).await;
                assert_eq!(paged, one_page, "{order}, {limit} per page{filters}");
            }
            whole.push(one_page);
        }
        let (mut ascending, descending) = (whole[0].clone(), &whole[1]);
        ascending.reverse();
        assert_eq!(&ascending, descending, "{filters}");
        if filters.is_empty() {
            // 4 records of each of the 6 shapes, but the minister's statement of 2023 is
            // after his term; and the seeded visit and pledge.
            assert_eq!(descending.len(), 24 - 1 + 2);
            let mut capacities: Vec<_> = descending
                .iter()
                .map(|e| (e["capacity"].as_str(), e["via"]["slug"].as_str()))
                .collect();
            capacities.sort();
            capacities.dedup();
            assert_eq!(
                capacities,
                [
                    (Some("host"), None),
                    (Some("host"), Some("kassym-jomart-tokayev")),
                    (Some("on_behalf_of"), None),
                    (Some("speaker"), None),
                    (Some("subject"), None),
                    (Some("visitor"), Some("kassym-jomart-tokayev")),
                ]
            );
        }
    }
}

#[tokio::test]
async fn a_record_moved_to_another_date_moves_on_the_timeline() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let kz_first = |page: &Value| entries(page).first().cloned();
    let timeline = json(app.get("/v1/actors/kazakhstan/timeline").await).await;
    assert_eq!(
        kz_first(&timeline),
        Some(entry("statement", "2022-09", "subject", None))
    );

    // Kazakhstan is the pledge's subject; China takes part in Xi's visit through him.
    let pledge = format!("/v1/statements/{}", uuid_of(&record.pledge));
    let moved = app
        .patch_json(&pledge, &json!({"stated_on": "2023-03-02"}))
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let visit = format!("/v1/visits/{}", uuid_of(&record.visit));
    let moved = app.patch_json(&visit, &json!({"start": "2014-05"})).await;
    assert_eq!(moved.status(), StatusCode::OK);

    let timeline = json(app.get("/v1/actors/kazakhstan/timeline").await).await;
    assert_eq!(
        entries(&timeline),
        [
            entry("visit", "2014-05", "host", None),
            entry("statement", "2023-03-02", "subject", None),
        ]
    );
    let china = json(app.get("/v1/actors/china/timeline?to=2015").await).await;
    assert_eq!(
        entries(&china),
        [entry("visit", "2014-05", "visitor", Some("xi-jinping"))]
    );
    // The copies of the dates on the links followed the records.
    assert_eq!(
        app.count(
            "visit_visitors x JOIN visits v ON v.id = x.visit_id WHERE x.start_date <> v.start_date"
        )
        .await,
        0
    );
    assert_eq!(
        app.count("statement_subjects x JOIN statements s ON s.id = x.statement_id WHERE x.stated_date <> s.stated_date")
            .await,
        0
    );
}
