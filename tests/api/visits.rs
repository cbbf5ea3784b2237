use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_visit_embeds_its_visitors_host_and_citations() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let visit = &record.visit;
    assert_eq!(visit["visitors"][0]["slug"], "xi-jinping");
    assert_eq!(visit["host"]["slug"], "kazakhstan");
    assert_eq!(visit["start"], "2022-09");
    assert!(visit.get("end").is_none());
    // The country defaults to the host's.
    assert_eq!(visit["country_code"], "KZ");
    assert_eq!(
        visit["citations"][1]["citation"]["source"],
        "Eurasia Daily Monitor"
    );
    assert_eq!(visit["citations"][1]["locator"], "paragraph 3");
    let read = json(app.get(&format!("/v1/visits/{}", uuid_of(visit))).await).await;
    assert_eq!(&read, visit);
}

#[tokio::test]
async fn visits_need_a_source_and_existing_actors() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let base = || {
        json!({"visitor_ids": [record.tokayev["id"]], "host_id": record.china["id"], "start": "2022-09", "kind": "state",
                         "citations": [{"citation_id": record.fmprc["id"]}]})
    };
    let nowhere = "0190c0b2-8a5e-7c3d-9f1a-2b3c4d5e6f70";
    let with = |key: &str, value: serde_json::Value| {
        let mut body = base();
        body[key] = value;
        body
    };
    for (body, status, pointer) in [
        (
            with("citations", json!([])),
            StatusCode::BAD_REQUEST,
            "#/citations",
        ),
        (
            with("visitor_ids", json!([])),
            StatusCode::BAD_REQUEST,
            "#/visitor_ids",
        ),
        (
            with("kind", json!("holiday")),
            StatusCode::BAD_REQUEST,
            "#/kind",
        ),
        (
            with("start", json!("2022-9")),
            StatusCode::BAD_REQUEST,
            "#/start",
        ),
        (
            with("end", json!("2022-08-31")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/end",
        ),
        (
            with("host_id", json!(nowhere)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/host_id",
        ),
        (
            with("visitor_ids", json!([record.tokayev["id"], nowhere])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/visitor_ids/1",
        ),
        (
            with(
                "visitor_ids",
                json!([record.tokayev["id"], record.tokayev["id"]]),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/visitor_ids/1",
        ),
        (
            with("visitor_ids", json!([record.china["id"]])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/visitor_ids/0",
        ),
        (
            with("citations", json!([{"citation_id": nowhere}])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/citations/0/citation_id",
        ),
        (
            with(
                "citations",
                json!([{"citation_id": record.fmprc["id"]}, {"citation_id": record.fmprc["id"]}]),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/citations/1/citation_id",
        ),
    ] {
        let problem = problem(app.post_json("/v1/visits", &body).await, status).await;
        assert_eq!(pointers(&problem), vec![pointer], "{body}");
    }
    assert_eq!(app.count("visits").await, 1);
    assert_eq!(app.count("visit_visitors").await, 1);
    // An end in the start's month is not before it.
    app.create("/v1/visits", with("end", json!("2022-09-01")))
        .await;
}

#[tokio::test]
async fn date_filters_match_partial_dates_by_overlap() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let visit = uuid_of(&record.visit);
    // Dated "2022-09": it matches a filter from the middle of the month, not from the next.
    for (query, expected) in [
        ("from=2022-09-15", true),
        ("to=2022-09-01", true),
        ("from=2022-09-30&to=2022-09-30", true),
        ("from=2022", true),
        ("from=2022-10", false),
        ("to=2022-08-31", false),
    ] {
        let found = ids(&json(app.get(&format!("/v1/visits?{query}")).await).await);
        assert_eq!(found.contains(&visit), expected, "{query}");
    }
}

#[tokio::test]
async fn visits_are_filtered_by_actor_in_any_capacity_kind_country_citation_and_text() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let other = app
        .create("/v1/visits", json!({"visitor_ids": [record.tokayev["id"]], "host_id": record.china["id"], "start": "2022-09-14",
                                      "kind": "state", "summary": "Talks on railway transit", "citations": [{"citation_id": record.fmprc["id"]}]}))
        .await;
    let (xi_visit, tokayev_visit) = (uuid_of(&record.visit), uuid_of(&other));
    for (query, expected) in [
        ("actor=kazakhstan", vec![xi_visit.clone()]),
        ("actor=china", vec![tokayev_visit.clone()]),
        ("visitor=xi-jinping", vec![xi_visit.clone()]),
        (
            &format!("visitor={}", uuid_of(&record.tokayev)),
            vec![tokayev_visit.clone()],
        ),
        ("host=china", vec![tokayev_visit.clone()]),
        ("kind=official", vec![xi_visit.clone()]),
        ("country=CN", vec![tokayev_visit.clone()]),
        (
            &format!("citation={}", uuid_of(&record.article)),
            vec![xi_visit.clone()],
        ),
        ("q=railway", vec![tokayev_visit.clone()]),
        ("q=pandemic", vec![xi_visit.clone()]),
        ("", vec![tokayev_visit.clone(), xi_visit.clone()]),
    ] {
        assert_eq!(
            ids(&json(app.get(&format!("/v1/visits?{query}")).await).await),
            expected,
            "{query}"
        );
    }
    let problem = problem(
        app.get("/v1/visits?host=nobody").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(pointers(&problem), vec!["#/query/host"]);
    problem_of(app.get("/v1/visits?host=Not%20A%20Slug").await).await;
}

async fn problem_of(response: reqwest::Response) {
    problem(response, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn a_list_page_embeds_the_same_visitors_and_citations_as_single_reads() {
    // The page loads visitors and citations for all its visits at once (three queries per
    // page, see visits::assemble); each must still get exactly its own.
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    for day in 1..=12 {
        app.create("/v1/visits", json!({"visitor_ids": [record.tokayev["id"], record.xi["id"]], "host_id": record.china["id"],
                                         "start": format!("2021-03-{day:02}"), "kind": "working",
                                         "citations": [{"citation_id": record.fmprc["id"]}, {"citation_id": record.article["id"]}]}))
            .await;
    }
    let page = json(app.get("/v1/visits?limit=13").await).await;
    for visit in page["items"].as_array().into_iter().flatten() {
        let read = json(app.get(&format!("/v1/visits/{}", uuid_of(visit))).await).await;
        assert_eq!(visit, &read);
    }
    assert_eq!(page["items"].as_array().map(Vec::len), Some(13));
}

#[tokio::test]
async fn a_visit_is_patched_and_deleted_unless_statements_refer_to_it() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let path = format!("/v1/visits/{}", uuid_of(&record.visit));
    let patched = json(app.patch_json(&path, &json!({"end": "2022-09-15", "place": null, "visitor_ids": [record.xi["id"], record.tokayev["id"]]})).await).await;
    assert_eq!(patched["end"], "2022-09-15");
    assert!(patched.get("place").is_none());
    assert_eq!(patched["visitors"].as_array().map(Vec::len), Some(2));
    assert_eq!(patched["citations"], record.visit["citations"]);
    let problem = problem(
        app.patch_json(&path, &json!({"citations": []})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(pointers(&problem), vec!["#/citations"]);

    let problem = problem_conflict(app.delete(&path).await).await;
    assert_eq!(problem["references"][0]["id"], record.pledge["id"]);
    assert_eq!(
        app.delete(&format!("/v1/statements/{}", uuid_of(&record.pledge)))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let etag = header(&app.get(&path).await, "etag").unwrap_or_default();
    let response = app
        .request(Method::DELETE, &path)
        .bearer_auth(&app.write_token)
        .header("If-Match", etag)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.count("visit_citations").await, 0);
}

async fn problem_conflict(response: reqwest::Response) -> serde_json::Value {
    problem(response, StatusCode::CONFLICT).await
}

#[tokio::test]
async fn deleting_an_actor_with_visits_and_statements_is_refused_naming_them() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let problem = problem(
        app.delete("/v1/actors/kazakhstan").await,
        StatusCode::CONFLICT,
    )
    .await;
    let resources: Vec<&str> = problem["references"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["resource"].as_str())
        .collect();
    assert_eq!(resources, ["statement", "visit"]);
    let _ = record;
}

/// Values stored before a rule was made stricter stay readable and writable: a patch of other
/// fields keeps them as they are, with no 500 and nothing dropped.
#[tokio::test]
async fn a_patch_keeps_stored_values_that_newer_rules_would_refuse() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let visit_id = uuid_of(&record.visit);
    let actor_id = uuid_of(&record.kz);
    // A zero-width space and a bell: both refused today.
    let legacy = "Astana\u{200b}\u{7}";
    sqlx::query("UPDATE visits SET place = $1, occasion = $1 WHERE id = $2")
        .bind(legacy)
        .bind(uuid::Uuid::parse_str(&visit_id).unwrap_or_default())
        .execute(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sqlx::query(
        "UPDATE actors SET aliases = jsonb_build_array(jsonb_build_object('name', $1::text, 'kind', 'name'),
                                                 jsonb_build_object('name', 'Qazaqstan', 'kind', 'former_name')),
                description = $1, name = $1 WHERE id = $2",
    )
    .bind(legacy)
    .bind(uuid::Uuid::parse_str(&actor_id).unwrap_or_default())
    .execute(&app.pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"));

    let response = app
        .patch_json(
            &format!("/v1/visits/{visit_id}"),
            &serde_json::json!({"summary": "Talks on transit."}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let visit = json(response).await;
    assert_eq!(visit["place"], legacy);
    assert_eq!(visit["occasion"], legacy);
    assert_eq!(visit["summary"], "Talks on transit.");

    let response = app
        .patch_json(
            &format!("/v1/actors/{actor_id}"),
            &serde_json::json!({"kind": "organization"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let actor = json(response).await;
    assert_eq!(actor["name"], legacy);
    assert_eq!(actor["description"], legacy);
    assert_eq!(
        actor["aliases"],
        serde_json::json!([{"name": legacy, "kind": "name"}, {"name": "Qazaqstan", "kind": "former_name"}])
    );
    assert_eq!(actor["kind"], "organization");
}

#[tokio::test]
async fn a_patch_leaves_exactly_the_new_visitors_and_citations() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let id = uuid_of(&record.visit);
    let path = format!("/v1/visits/{id}");
    let patched = json(
        app.patch_json(
            &path,
            &json!({"visitor_ids": [record.tokayev["id"], record.xi["id"]],
                    "citations": [{"citation_id": record.article["id"], "quote": "new"}]}),
        )
        .await,
    )
    .await;
    assert_eq!(patched["visitors"].as_array().map(Vec::len), Some(2));
    assert_eq!(patched["visitors"][0]["id"], record.tokayev["id"]);
    assert_eq!(patched["visitors"][1]["id"], record.xi["id"]);
    assert_eq!(patched["citations"].as_array().map(Vec::len), Some(1));
    assert_eq!(patched["citations"][0]["quote"], "new");
    assert_eq!(patched["created_at"], record.visit["created_at"]);
    assert_ne!(patched["updated_at"], record.visit["updated_at"]);
    // The old rows are gone from the tables, not only from what is read.
    let visitors =
        "SELECT actor_id::text FROM visit_visitors WHERE visit_id = $1::uuid ORDER BY position";
    assert_eq!(
        app.stored(visitors, &id).await,
        [uuid_of(&record.tokayev), uuid_of(&record.xi)]
    );
    let links = "SELECT citation_id::text FROM visit_citations WHERE visit_id = $1::uuid";
    assert_eq!(app.stored(links, &id).await, [uuid_of(&record.article)]);
    assert_eq!(app.count("visit_visitors").await, 2);
    assert_eq!(app.count("visit_citations").await, 1);
}

#[tokio::test]
async fn a_visit_given_no_country_takes_its_hosts_created_imported_or_patched() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    // Created (the seed's visit names no country).
    assert_eq!(record.visit["country_code"], "KZ");
    // Imported.
    let line = json!({"type": "visit", "visitor_ids": [record.xi["id"]], "host_id": record.kz["id"],
                      "start": "2023-05", "kind": "official", "citations": [{"citation_id": record.fmprc["id"]}]});
    assert_eq!(app.import(line.to_string()).await.status(), StatusCode::OK);
    let imported = json(app.get("/v1/visits?from=2023-05&to=2023-05").await).await;
    assert_eq!(imported["items"][0]["country_code"], "KZ");
    // Patched: a country given is kept; one removed is the host's again, as for a new visit.
    let path = format!("/v1/visits/{}", uuid_of(&record.visit));
    let given = json(app.patch_json(&path, &json!({"country_code": "CN"})).await).await;
    assert_eq!(given["country_code"], "CN");
    let removed = json(app.patch_json(&path, &json!({"country_code": null})).await).await;
    assert_eq!(removed["country_code"], "KZ");
}
