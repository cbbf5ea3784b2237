use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_citation_is_created_read_and_its_dates_keep_their_precision() {
    let app = spawn_app().await;
    let response = app
        .post_json("/v1/citations", &json!({
            "source": "Eurasianet", "title": "Kazakhstan, China expand rail links", "authors": ["A. Writer"],
            "url": "https://eurasianet.org/example", "published_on": "2022-11", "accessed_on": "2026-11-27",
            "language": "en-GB", "excerpt": "the two countries are expanding railway connections",
            "archive_url": "https://web.archive.org/web/2022/https://eurasianet.org/example"
        }))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = header(&response, "location").unwrap_or_default();
    let citation = json(response).await;
    assert_eq!(citation["published_on"], "2022-11");
    assert_eq!(citation["accessed_on"], "2026-11-27");
    assert_eq!(json(app.get(&location).await).await, citation);
}

#[tokio::test]
async fn invalid_citations_are_400_naming_the_field() {
    let app = spawn_app().await;
    for (body, pointer) in [
        (json!({}), "#/source"),
        (json!({"source": ""}), "#/source"),
        (json!({"source": "X", "url": "ftp://example.org"}), "#/url"),
        (json!({"source": "X", "url": "example.org"}), "#/url"),
        (
            json!({"source": "X", "url": "https://exa mple.org"}),
            "#/url",
        ),
        (
            json!({"source": "X", "published_on": "2022-02-30"}),
            "#/published_on",
        ),
        (
            json!({"source": "X", "accessed_on": "2022-10"}),
            "#/accessed_on",
        ),
        (json!({"source": "X", "language": "english"}), "#/language"),
        (json!({"source": "X", "authors": [""]}), "#/authors/0"),
        (json!({"source": "X", "publisher": "Y"}), "#/publisher"),
    ] {
        let problem = problem(
            app.post_json("/v1/citations", &body).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(pointers(&problem), vec![pointer], "{body}");
    }
    assert_eq!(app.count("citations").await, 0);
}

#[tokio::test]
async fn a_url_is_cited_once() {
    let app = spawn_app().await;
    let body = json!({"source": "France 24", "url": "https://www.france24.com/x"});
    app.create("/v1/citations", body.clone()).await;
    problem(
        app.post_json("/v1/citations", &body).await,
        StatusCode::CONFLICT,
    )
    .await;
    // Citations without a URL are not duplicates of each other.
    app.create("/v1/citations", json!({"source": "France 24"}))
        .await;
    app.create("/v1/citations", json!({"source": "France 24"}))
        .await;
}

#[tokio::test]
async fn cited_by_lists_the_statements_visits_and_roles_that_cite_it() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let role = app
        .create_role("kassym-jomart-tokayev", json!({
            "of_actor_id": record.kz["id"], "title": "President",
            "citations": [{"citation_id": record.article["id"], "locator": "paragraph 5", "quote": "Kazakhstani President"}]
        }))
        .await;
    assert_eq!(
        role["citations"][0]["citation"]["source"],
        "Eurasia Daily Monitor"
    );
    assert_eq!(role["citations"][0]["quote"], "Kazakhstani President");

    let page = json(
        app.get(&format!(
            "/v1/citations/{}/cited-by",
            uuid_of(&record.article)
        ))
        .await,
    )
    .await;
    let kinds: Vec<&str> = page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["resource"].as_str())
        .collect();
    assert_eq!(kinds, ["role", "statement", "visit"]);
    for item in page["items"].as_array().into_iter().flatten() {
        let href = item["href"].as_str().unwrap_or_default();
        assert_eq!(app.get(href).await.status(), StatusCode::OK, "{href}");
    }
    assert_eq!(page["items"][1]["quote"], "pledged to defend");
    assert_eq!(page["items"][2]["locator"], "paragraph 3");

    // Paged one at a time, to the end.
    let mut seen = 0;
    let mut path = format!(
        "/v1/citations/{}/cited-by?limit=1",
        uuid_of(&record.article)
    );
    loop {
        let page = json(app.get(&path).await).await;
        seen += page["items"].as_array().map_or(0, Vec::len);
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!(
                    "/v1/citations/{}/cited-by?limit=1&cursor={cursor}",
                    uuid_of(&record.article)
                )
            }
            None => break,
        }
    }
    assert_eq!(seen, 3);
}

#[tokio::test]
async fn a_cited_citation_cannot_be_deleted_and_an_uncited_one_can() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let problem = problem(
        app.delete(&format!("/v1/citations/{}", uuid_of(&record.article)))
            .await,
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
    let lone = app
        .create("/v1/citations", json!({"source": "Unused"}))
        .await;
    assert_eq!(
        app.delete(&format!("/v1/citations/{}", uuid_of(&lone)))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.count("citations").await, 2);
}

#[tokio::test]
async fn citations_are_listed_by_publication_and_searched() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    app.create("/v1/citations", json!({"source": "Undated pamphlet"}))
        .await;
    let page = json(app.get("/v1/citations").await).await;
    let sources: Vec<&str> = page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["source"].as_str())
        .collect();
    assert_eq!(
        sources,
        ["Eurasia Daily Monitor", "Fmprc.gov.cn", "Undated pamphlet"]
    );
    assert_eq!(
        ids(&json(app.get("/v1/citations?q=multi-vector%20policy").await).await),
        vec![uuid_of(&record.article)]
    );
    assert_eq!(
        ids(&json(app.get("/v1/citations?from=2022-09-15&to=2022-09").await).await),
        vec![uuid_of(&record.fmprc)]
    );
    assert_eq!(
        ids(&json(app.get("/v1/citations?language=en").await).await),
        vec![uuid_of(&record.article)]
    );
    let problem = problem(
        app.get("/v1/citations?from=2023&to=2022").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(pointers(&problem), vec!["#/query/to"]);
}

#[tokio::test]
async fn a_citation_is_merge_patched() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let path = format!("/v1/citations/{}", uuid_of(&record.article));
    let patched = json(
        app.patch_json(
            &path,
            &json!({"language": null, "authors": ["Someone"], "accessed_on": "2026-11-27"}),
        )
        .await,
    )
    .await;
    assert!(patched.get("language").is_none(), "{patched}");
    assert_eq!(patched["authors"], json!(["Someone"]));
    assert_eq!(patched["title"], record.article["title"]);
    let stale = app
        .request(Method::PATCH, &path)
        .bearer_auth(&app.write_token)
        .header("If-Match", "\"old\"")
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
    // The statement citing it shows the change.
    let statement = json(
        app.get(&format!("/v1/statements/{}", uuid_of(&record.pledge)))
            .await,
    )
    .await;
    assert_eq!(
        statement["citations"][0]["citation"]["title"],
        record.article["title"]
    );
}
