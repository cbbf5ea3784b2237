use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r["title"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn a_role_is_embedded_in_its_holder_and_readable_under_both_actors() {
    let app = spawn_app().await;
    let (kz, tokayev, eu) = seed_actors(&app).await;
    let response = app
        .post_json(
            "/v1/actors/kassym-jomart-tokayev/roles",
            &json!({"of_actor_id": kz["id"], "title": "President", "start": "2019-03"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = header(&response, "location").unwrap_or_default();
    let role = json(response).await;
    assert_eq!(role["start"], "2019-03", "a month stays a month");
    assert!(role.get("end").is_none());
    assert_eq!(role["actor"]["slug"], "kassym-jomart-tokayev");
    assert_eq!(role["of_actor"]["slug"], "kazakhstan");
    assert_eq!(role["of_actor"]["kind"], "state");

    assert_eq!(json(app.get(&location).await).await, role);
    let under_state = format!("/v1/actors/kazakhstan/roles/{}", uuid_of(&role));
    assert_eq!(json(app.get(&under_state).await).await, role);
    problem(
        app.get(&format!(
            "/v1/actors/{}/roles/{}",
            uuid_of(&eu),
            uuid_of(&role)
        ))
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let actor = json(app.get(&format!("/v1/actors/{}", uuid_of(&tokayev))).await).await;
    assert_eq!(actor["roles"], json!([role]));
    // Kazakhstan does not hold the role: it is not embedded there.
    assert_eq!(
        json(app.get("/v1/actors/kazakhstan").await).await["roles"],
        json!([])
    );
}

#[tokio::test]
async fn who_held_which_office_on_a_date_is_one_call() {
    let app = spawn_app().await;
    let (kz, _, _) = seed_actors(&app).await;
    app.create_actor(json!({"kind": "person", "name": "Nursultan Nazarbayev"}))
        .await;
    app.create_actor(json!({"kind": "person", "name": "Bolat Akchulakov"}))
        .await;
    app.create_actor(
        json!({"kind": "organization", "name": "Eurasian Economic Union", "slug": "eaeu"}),
    )
    .await;
    app.create_role("nursultan-nazarbayev", json!({"of_actor_id": kz["id"], "title": "President", "start": "1991-12-16", "end": "2019-03-20"})).await;
    app.create_role(
        "kassym-jomart-tokayev",
        json!({"of_actor_id": kz["id"], "title": "President", "start": "2019-03-20"}),
    )
    .await;
    app.create_role("bolat-akchulakov", json!({"of_actor_id": kz["id"], "title": "Minister of Energy", "start": "2022-01", "end": "2023"})).await;
    let eaeu = json(app.get("/v1/actors/eaeu").await).await;
    app.create_role(
        "kazakhstan",
        json!({"of_actor_id": eaeu["id"], "title": "Member state", "start": "2015-01-01"}),
    )
    .await;

    let on = |date: &str, extra: &str| format!("/v1/actors/kazakhstan/roles?on={date}{extra}");
    assert_eq!(
        titles(&json(app.get(&on("2022-10-01", "")).await).await),
        ["Minister of Energy", "President", "Member state"]
    );
    let page = json(app.get(&on("2022-10-01", "&side=of_actor")).await).await;
    assert_eq!(titles(&page), ["Minister of Energy", "President"]);
    assert_eq!(page["items"][1]["actor"]["slug"], "kassym-jomart-tokayev");
    assert_eq!(
        titles(&json(app.get(&on("2022-10-01", "&side=actor")).await).await),
        ["Member state"]
    );
    // On the day of the handover both presidents match; a month or a year matches by overlap.
    let handover = json(app.get(&on("2019-03-20", "&side=of_actor")).await).await;
    assert_eq!(handover["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        titles(&json(app.get(&on("2010", "&side=of_actor")).await).await),
        ["President"]
    );
    // A role that ends in "2023" (the whole year) is held on 2023-12-31, not on 2024-01-01.
    assert_eq!(
        titles(&json(app.get(&on("2023-12-31", "&side=of_actor")).await).await),
        ["Minister of Energy", "President"]
    );
    assert_eq!(
        titles(&json(app.get(&on("2024-01-01", "&side=of_actor")).await).await),
        ["President"]
    );
}

#[tokio::test]
async fn roles_are_paginated_latest_start_first_with_undated_last() {
    let app = spawn_app().await;
    let (kz, _, _) = seed_actors(&app).await;
    for (title, start) in [
        ("A", Some("2001")),
        ("B", None),
        ("C", Some("2010-05")),
        ("D", Some("2001")),
        ("E", None),
    ] {
        let mut body = json!({"of_actor_id": kz["id"], "title": title});
        if let Some(start) = start {
            body["start"] = json!(start);
        }
        app.create_role("kassym-jomart-tokayev", body).await;
    }
    let mut path = "/v1/actors/kassym-jomart-tokayev/roles?limit=2".to_owned();
    let mut seen = Vec::new();
    loop {
        let page = json(app.get(&path).await).await;
        seen.extend(titles(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/v1/actors/kassym-jomart-tokayev/roles?limit=2&cursor={cursor}")
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    assert_eq!(seen[0], "C");
    let mut dated: Vec<String> = seen[1..3].to_vec();
    dated.sort();
    assert_eq!(dated, ["A", "D"]);
    let mut undated: Vec<String> = seen[3..].to_vec();
    undated.sort();
    assert_eq!(undated, ["B", "E"]);
}

#[tokio::test]
async fn roles_that_cannot_be_applied_are_422_naming_the_field() {
    let app = spawn_app().await;
    let (kz, tokayev, _) = seed_actors(&app).await;
    let path = "/v1/actors/kassym-jomart-tokayev/roles";
    let cases = [
        (
            json!({"of_actor_id": kz["id"], "title": "President", "start": "2022-10-12", "end": "2022-10-11"}),
            "#/end",
        ),
        (
            json!({"of_actor_id": "0190c0b2-8a5e-7c3d-9f1a-2b3c4d5e6f70", "title": "President"}),
            "#/of_actor_id",
        ),
        (
            json!({"of_actor_id": tokayev["id"], "title": "Self"}),
            "#/of_actor_id",
        ),
    ];
    for (body, pointer) in cases {
        let problem = problem(
            app.post_json(path, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(pointers(&problem), vec![pointer], "{body}");
    }
    // Precision is respected: an end in the same month as a day start is not before it.
    app.create_role(
        "kassym-jomart-tokayev",
        json!({"of_actor_id": kz["id"], "title": "Chair", "start": "2022-10-12", "end": "2022-10"}),
    )
    .await;
    assert_eq!(app.count("roles").await, 1);
}

#[tokio::test]
async fn invalid_roles_are_400_naming_the_field() {
    let app = spawn_app().await;
    let (kz, _, _) = seed_actors(&app).await;
    let path = "/v1/actors/kassym-jomart-tokayev/roles";
    for (body, pointer) in [
        (json!({"title": "President"}), "#/of_actor_id"),
        (
            json!({"of_actor_id": "not-a-uuid", "title": "President"}),
            "#/of_actor_id",
        ),
        (json!({"of_actor_id": kz["id"], "title": ""}), "#/title"),
        (
            json!({"of_actor_id": kz["id"], "title": "P", "start": "2022-13"}),
            "#/start",
        ),
        (
            json!({"of_actor_id": kz["id"], "title": "P", "start": "2023-02-29"}),
            "#/start",
        ),
        (
            json!({"of_actor_id": kz["id"], "title": "P", "end": "22"}),
            "#/end",
        ),
        (
            json!({"of_actor_id": kz["id"], "title": "P", "start": null}),
            "#/start",
        ),
        (
            json!({"of_actor_id": kz["id"], "title": "P", "note": "x"}),
            "#/note",
        ),
    ] {
        let problem = problem(app.post_json(path, &body).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(pointers(&problem), vec![pointer], "{body}");
    }
    problem(
        app.post_json(
            "/v1/actors/nobody/roles",
            &json!({"of_actor_id": kz["id"], "title": "P"}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get("/v1/actors/kazakhstan/roles?on=2022-02-30").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    problem(
        app.get("/v1/actors/kazakhstan/roles?side=both").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    problem(
        app.get("/v1/actors/kazakhstan/roles/not-a-uuid").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(app.count("roles").await, 0);
}

#[tokio::test]
async fn a_role_can_be_patched_with_if_match_and_deleted() {
    let app = spawn_app().await;
    let (kz, _, eu) = seed_actors(&app).await;
    let role = app.create_role("kassym-jomart-tokayev", json!({"of_actor_id": kz["id"], "title": "Prime Minister", "start": "1999-10", "end": "2002-01"})).await;
    let path = format!("/v1/actors/kassym-jomart-tokayev/roles/{}", uuid_of(&role));
    let etag = header(&app.get(&path).await, "etag").unwrap_or_default();

    let response = app
        .request(Method::PATCH, &path)
        .bearer_auth(&app.write_token)
        .header("If-Match", &etag)
        .header("Content-Type", "application/merge-patch+json")
        .body(json!({"end": null, "title": "Prime Minister of Kazakhstan"}).to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK);
    let patched = json(response).await;
    assert!(patched.get("end").is_none());
    assert_eq!(patched["start"], "1999-10");
    assert_eq!(patched["title"], "Prime Minister of Kazakhstan");

    let stale = app
        .request(Method::PATCH, &path)
        .bearer_auth(&app.write_token)
        .header("If-Match", &etag)
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let backwards = problem(
        app.patch_json(&path, &json!({"end": "1999-09"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(pointers(&backwards), vec!["#/end"]);

    // Moving the role to another organization.
    let moved = json(
        app.patch_json(&path, &json!({"of_actor_id": eu["id"]}))
            .await,
    )
    .await;
    assert_eq!(moved["of_actor"]["slug"], "eu");

    assert_eq!(app.delete(&path).await.status(), StatusCode::NO_CONTENT);
    problem(app.get(&path).await, StatusCode::NOT_FOUND).await;
    assert_eq!(
        json(app.get("/v1/actors/kassym-jomart-tokayev").await).await["roles"],
        json!([])
    );
    // With its role gone, the actor can be deleted.
    assert_eq!(
        app.delete("/v1/actors/eu").await.status(),
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn a_role_change_changes_the_holders_etag() {
    let app = spawn_app().await;
    let (kz, _, _) = seed_actors(&app).await;
    let before = header(&app.get("/v1/actors/kassym-jomart-tokayev").await, "etag");
    app.create_role(
        "kassym-jomart-tokayev",
        json!({"of_actor_id": kz["id"], "title": "President"}),
    )
    .await;
    let after = header(&app.get("/v1/actors/kassym-jomart-tokayev").await, "etag");
    assert_ne!(before, after);
}

#[tokio::test]
async fn a_role_has_an_optional_rank_that_a_patch_sets_and_removes() {
    let app = spawn_app().await;
    let (kz, _, _) = seed_actors(&app).await;
    let role = app
        .create_role(
            "kassym-jomart-tokayev",
            json!({"of_actor_id": kz["id"], "title": "President", "rank": "head_of_state"}),
        )
        .await;
    assert_eq!(role["rank"], "head_of_state");
    let path = format!("/v1/actors/kazakhstan/roles/{}", uuid_of(&role));

    let unranked = json(app.patch_json(&path, &json!({"rank": null})).await).await;
    assert!(unranked.get("rank").is_none(), "{unranked}");
    let envoy = json(app.patch_json(&path, &json!({"rank": "envoy"})).await).await;
    assert_eq!(envoy["rank"], "envoy");
    let untouched = json(
        app.patch_json(&path, &json!({"title": "Special Envoy"}))
            .await,
    )
    .await;
    assert_eq!(untouched["rank"], "envoy", "a patch without rank keeps it");

    let refused = problem(
        app.patch_json(&path, &json!({"rank": "emperor"})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(pointers(&refused), ["#/rank"]);
    let csv = app
        .request(Method::GET, "/v1/actors/kazakhstan/roles")
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    assert!(
        csv.lines().next().unwrap_or("").contains(",title,rank,"),
        "{csv}"
    );
    assert!(csv.contains(",Special Envoy,envoy,"), "{csv}");
}

/// A read by id (one statement) and by slug (two) give what a list page (three statements for
/// the page) gives: each role latest start first, undated last, with its citations in order.
#[tokio::test]
async fn an_actor_reads_the_same_with_many_roles_and_citations_however_it_is_read() {
    let app = spawn_app().await;
    let (kz, tokayev, eu) = seed_actors(&app).await;
    let source = |n: u32| json!({"source": format!("Source {n}"), "title": format!("Report {n}")});
    let (first, second) = (
        app.create("/v1/citations", source(1)).await,
        app.create("/v1/citations", source(2)).await,
    );
    let roles = [
        json!({"of_actor_id": kz["id"], "title": "Prime Minister", "start": "1999-10",
               "citations": [{"citation_id": second["id"], "locator": "p. 2"},
                             {"citation_id": first["id"], "quote": "appointed"}]}),
        json!({"of_actor_id": kz["id"], "title": "President", "start": "2019-03-20"}),
        json!({"of_actor_id": eu["id"], "title": "Envoy",
               "citations": [{"citation_id": first["id"]}]}),
    ];
    for role in roles {
        app.create_role("kassym-jomart-tokayev", role).await;
    }

    let by_id = json(app.get(&format!("/v1/actors/{}", uuid_of(&tokayev))).await).await;
    assert_eq!(
        titles(&json!({"items": by_id["roles"]})),
        ["President", "Prime Minister", "Envoy"]
    );
    let cited: Vec<Value> = by_id["roles"][1]["citations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| json!([c["citation"]["source"], c["locator"], c["quote"]]))
        .collect();
    assert_eq!(
        cited,
        [
            json!(["Source 2", "p. 2", null]),
            json!(["Source 1", null, "appointed"])
        ]
    );
    assert_eq!(by_id["roles"][0]["citations"], json!([]));
    assert_eq!(
        by_id["roles"][2]["citations"][0]["citation"]["title"],
        "Report 1"
    );

    let by_slug = json(app.get("/v1/actors/kassym-jomart-tokayev").await).await;
    assert_eq!(by_slug, by_id);
    let page = json(app.get("/v1/actors?q=tokayev").await).await;
    assert_eq!(page["items"], json!([by_id]));
}

#[tokio::test]
async fn a_patch_leaves_exactly_the_new_citations_in_the_role_and_its_holder() {
    let app = spawn_app().await;
    let (kz, _, _) = seed_actors(&app).await;
    let cite = |source: &str| {
        let app = &app;
        let body = json!({"source": source});
        async move { app.create("/v1/citations", body).await }
    };
    let (old, new) = (cite("Akorda").await, cite("Tengrinews").await);
    let role = app
        .create_role(
            "kassym-jomart-tokayev",
            json!({"of_actor_id": kz["id"], "title": "President",
                   "citations": [{"citation_id": old["id"]}]}),
        )
        .await;
    let id = uuid_of(&role);
    let path = format!("/v1/actors/kassym-jomart-tokayev/roles/{id}");
    let patched = json(
        app.patch_json(
            &path,
            &json!({"citations": [{"citation_id": new["id"], "locator": "p. 2"}]}),
        )
        .await,
    )
    .await;
    assert_eq!(patched["citations"].as_array().map(Vec::len), Some(1));
    assert_eq!(patched["citations"][0]["citation"]["id"], new["id"]);
    let links = "SELECT citation_id::text FROM role_citations WHERE role_id = $1::uuid";
    assert_eq!(app.stored(links, &id).await, [uuid_of(&new)]);
    let holder = json(app.get("/v1/actors/kassym-jomart-tokayev").await).await;
    assert_eq!(holder["roles"][0]["citations"], patched["citations"]);
}
