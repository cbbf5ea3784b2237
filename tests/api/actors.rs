use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn create_returns_201_with_location_and_etag_and_reads_back_by_id_and_slug() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/v1/actors",
            &json!({"kind": "person", "name": "Recep Tayyip Erdoğan", "aliases": ["Erdogan"], "country_code": "TR", "wikidata_id": "Q39723"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = header(&response, "location").unwrap_or_default();
    let etag = header(&response, "etag").unwrap_or_default();
    let created = json(response).await;
    assert_eq!(created["slug"], "recep-tayyip-erdogan");
    assert_eq!(
        location,
        format!("/v1/actors/{}", created["id"].as_str().unwrap_or_default())
    );
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert_eq!(created["roles"], json!([]));

    for path in [
        location.clone(),
        "/v1/actors/recep-tayyip-erdogan".to_owned(),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header(&response, "etag").as_deref(), Some(etag.as_str()));
        assert_eq!(json(response).await, created);
    }
}

#[tokio::test]
async fn if_none_match_with_the_current_etag_returns_304() {
    let app = spawn_app().await;
    let (kz, _, _) = seed_actors(&app).await;
    let path = format!("/v1/actors/{}", uuid_of(&kz));
    let etag = header(&app.get(&path).await, "etag").unwrap_or_default();
    let response = app
        .request(Method::GET, &path)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&response, "etag"), Some(etag));
    let response = app
        .request(Method::GET, &path)
        .header("If-None-Match", "\"other\"")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn duplicate_slug_or_wikidata_id_is_a_409() {
    let app = spawn_app().await;
    seed_actors(&app).await;
    let problem = problem(
        app.post_json(
            "/v1/actors",
            &json!({"kind": "state", "name": "Kazakhstan"}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("kazakhstan"),
        "{problem}"
    );
    let problem = problem_of(
        app.post_json(
            "/v1/actors",
            &json!({"kind": "state", "name": "Other", "wikidata_id": "Q232"}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        problem["detail"].as_str().unwrap_or("").contains("Q232"),
        "{problem}"
    );
    assert_eq!(app.count("actors").await, 3);
}

async fn problem_of(response: reqwest::Response, status: StatusCode) -> Value {
    problem(response, status).await
}

#[tokio::test]
async fn invalid_actors_are_400_naming_the_field() {
    let app = spawn_app().await;
    let long = "x".repeat(201);
    let cases = [
        (json!({"kind": "state"}), "#/name"),
        (json!({"kind": "state", "name": ""}), "#/name"),
        (json!({"kind": "state", "name": "  \t "}), "#/name"),
        (
            json!({"kind": "state", "name": "Ka\u{0}zakhstan"}),
            "#/name",
        ),
        (json!({"kind": "state", "name": long}), "#/name"),
        (json!({"kind": "empire", "name": "Rome"}), "#/kind"),
        (
            json!({"kind": "state", "name": "Rome", "country_code": "ZZ"}),
            "#/country_code",
        ),
        (
            json!({"kind": "state", "name": "Rome", "country_code": "kz"}),
            "#/country_code",
        ),
        (
            json!({"kind": "state", "name": "Rome", "country_code": null}),
            "#/country_code",
        ),
        (
            json!({"kind": "state", "name": "Rome", "wikidata_id": "232"}),
            "#/wikidata_id",
        ),
        (
            json!({"kind": "state", "name": "Rome", "slug": "Not A Slug"}),
            "#/slug",
        ),
        (
            json!({"kind": "state", "name": "Rome", "slug": "0190c0b2-8a5e-7c3d-9f1a-2b3c4d5e6f70"}),
            "#/slug",
        ),
        (
            json!({"kind": "state", "name": "Rome", "aliases": ["ok", ""]}),
            "#/aliases/1",
        ),
        (
            json!({"kind": "state", "name": "Rome", "aliases": "Roma"}),
            "#/aliases",
        ),
        (
            json!({"kind": "state", "name": "Rome", "aliases": ["Roma", 42]}),
            "#/aliases/1",
        ),
        (
            json!({"kind": "state", "name": "Rome", "aliases": [{"name": "Roma", "kind": "nickname"}]}),
            "#/aliases/0/kind",
        ),
        (
            json!({"kind": "state", "name": "Rome", "aliases": [{"name": "Roma", "start": "2022-13"}]}),
            "#/aliases/0/start",
        ),
        (
            json!({"kind": "state", "name": "Rome", "aliases": [{"name": "Roma", "kind": null}]}),
            "#/aliases/0/kind",
        ),
        (
            json!({"kind": "state", "name": "Rome", "aliases": [{"name": "Roma", "nmae": "typo"}]}),
            "#/aliases/0/nmae",
        ),
        (
            json!({"kind": "state", "name": "Rome", "aliases": [{"name": ""}]}),
            "#/aliases/0/name",
        ),
        (
            json!({"kind": "state", "name": "Rome", "aliases": vec!["a"; 51]}),
            "#/aliases",
        ),
        (
            json!({"kind": "state", "name": "Rome", "nmae": "typo"}),
            "#/nmae",
        ),
        (
            json!({"kind": "state", "name": "Rome", "id": "0190c0b2-8a5e-7c3d-9f1a-2b3c4d5e6f70"}),
            "#/id",
        ),
        (
            json!({"kind": "state", "name": "Rome", "description": "x".repeat(5001)}),
            "#/description",
        ),
    ];
    for (body, pointer) in cases {
        let problem = problem(
            app.post_json("/v1/actors", &body).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(
            pointers(&problem),
            vec![pointer.to_owned()],
            "{body} -> {problem}"
        );
    }
    assert_eq!(app.count("actors").await, 0);
}

#[tokio::test]
async fn a_name_without_a_latin_slug_needs_an_explicit_slug() {
    let app = spawn_app().await;
    let problem = problem(
        app.post_json("/v1/actors", &json!({"kind": "other", "name": "!!!"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(pointers(&problem), vec!["#/slug"]);
    app.create_actor(json!({"kind": "other", "name": "!!!", "slug": "bangs"}))
        .await;
}

#[tokio::test]
async fn list_is_paginated_by_cursor_to_the_end_with_link_headers() {
    let app = spawn_app().await;
    for i in 0..7 {
        app.create_actor(json!({"kind": "state", "name": format!("State {i:02}")}))
            .await;
    }
    let mut path = "/v1/actors?limit=3".to_owned();
    let mut names = Vec::new();
    let mut pages = 0;
    loop {
        let response = app.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK);
        let link = header(&response, "link");
        let page = json(response).await;
        pages += 1;
        names.extend(
            page["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| a["name"].as_str().unwrap_or("").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                let link = link.unwrap_or_default();
                assert!(
                    link.contains("rel=\"next\"") && link.contains(cursor),
                    "{link}"
                );
                path = format!("/v1/actors?limit=3&cursor={cursor}");
            }
            None => {
                assert!(link.is_none());
                assert!(
                    page["next_cursor"].is_null(),
                    "next_cursor is present and null on the last page"
                );
                break;
            }
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..7).map(|i| format!("State {i:02}")).collect();
    assert_eq!(names, expected);
}

#[tokio::test]
async fn list_limits_out_of_range_and_foreign_cursors_are_400() {
    let app = spawn_app().await;
    for i in 0..3 {
        app.create_actor(json!({"kind": "state", "name": format!("State {i}")}))
            .await;
    }
    for query in [
        "limit=0",
        "limit=501",
        "limit=-1",
        "limit=ten",
        "kind=empire",
        "country=ZZ",
        "q=",
        "cursor=%21%21",
        "unknown=1",
        "limit=1&limit=2",
    ] {
        let response = app.get(&format!("/v1/actors?{query}")).await;
        let problem = problem(response, StatusCode::BAD_REQUEST).await;
        assert!(
            pointers(&problem).iter().all(|p| p.starts_with("#/query/")),
            "{query}: {problem}"
        );
    }
    let page = json(app.get("/v1/actors?limit=1&kind=state").await).await;
    let cursor = page["next_cursor"].as_str().unwrap_or_default().to_owned();
    assert!(!cursor.is_empty());
    let problem = problem(
        app.get(&format!("/v1/actors?limit=1&kind=person&cursor={cursor}"))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(pointers(&problem), vec!["#/query/cursor"]);
    assert_eq!(
        app.get(&format!("/v1/actors?limit=1&kind=state&cursor={cursor}"))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn list_filters_by_kind_country_and_text_in_names_and_aliases() {
    let app = spawn_app().await;
    seed_actors(&app).await;
    app.create_actor(
        json!({"kind": "state", "name": "Türkiye", "aliases": ["Turkey"], "country_code": "TR"}),
    )
    .await;
    let names = |page: Value| -> Vec<String> {
        page["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| a["name"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(
        names(json(app.get("/v1/actors?kind=state").await).await),
        ["Kazakhstan", "Türkiye"]
    );
    assert_eq!(
        names(json(app.get("/v1/actors?country=KZ").await).await),
        ["Kassym-Jomart Tokayev", "Kazakhstan"]
    );
    assert_eq!(
        names(json(app.get("/v1/actors?country=KZ&kind=person").await).await),
        ["Kassym-Jomart Tokayev"]
    );
    // Case- and accent-insensitive, in aliases too, in any script.
    assert_eq!(
        names(json(app.get("/v1/actors?q=turkiye").await).await),
        ["Türkiye"]
    );
    assert_eq!(
        names(json(app.get("/v1/actors?q=TURKEY").await).await),
        ["Türkiye"]
    );
    assert_eq!(
        names(json(app.get("/v1/actors?q=qazaq").await).await),
        ["Kazakhstan"]
    );
    assert_eq!(
        names(
            json(
                app.get("/v1/actors?q=%D1%82%D0%BE%D0%BA%D0%B0%D0%B5%D0%B2")
                    .await
            )
            .await
        ),
        ["Kassym-Jomart Tokayev"]
    );
    // LIKE wildcards match themselves.
    assert!(names(json(app.get("/v1/actors?q=%25").await).await).is_empty());
    assert!(names(json(app.get("/v1/actors?q=_").await).await).is_empty());
}

#[tokio::test]
async fn merge_patch_changes_given_fields_removes_nulls_and_keeps_the_rest() {
    let app = spawn_app().await;
    let (kz, _, _) = seed_actors(&app).await;
    let path = format!("/v1/actors/{}", uuid_of(&kz));
    let response = app
        .patch_json(
            &path,
            &json!({"description": "Central Asia", "wikidata_id": null, "aliases": ["Qazaqstan"]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let etag = header(&response, "etag");
    let patched = json(response).await;
    assert_eq!(patched["description"], "Central Asia");
    assert!(patched.get("wikidata_id").is_none(), "{patched}");
    assert_eq!(
        patched["aliases"],
        json!([{"name": "Qazaqstan", "kind": "name"}])
    );
    assert_eq!(patched["name"], kz["name"]);
    assert_eq!(patched["country_code"], "KZ");
    assert_ne!(patched["updated_at"], kz["updated_at"]);
    assert_eq!(header(&app.get(&path).await, "etag"), etag);

    // Plain JSON is accepted too; an empty patch changes nothing.
    let response = app.send_json(Method::PATCH, &path, &json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(response).await["description"], "Central Asia");

    for (body, pointer) in [
        (json!({"name": null}), "#/name"),
        (json!({"kind": null}), "#/kind"),
        (json!({"slug": "Bad Slug"}), "#/slug"),
        (json!({"id": "x"}), "#/id"),
        (json!({"country_code": "XX"}), "#/country_code"),
    ] {
        let problem = problem(app.patch_json(&path, &body).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(pointers(&problem), vec![pointer], "{body}");
    }
}

#[tokio::test]
async fn patch_with_stale_etag_returns_412_and_changes_nothing() {
    let app = spawn_app().await;
    let (kz, _, _) = seed_actors(&app).await;
    let path = format!("/v1/actors/{}", uuid_of(&kz));
    let etag = header(&app.get(&path).await, "etag").unwrap_or_default();
    let first = app
        .request(Method::PATCH, &path)
        .bearer_auth(&app.write_token)
        .header("If-Match", &etag)
        .json(&json!({"description": "first"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first.status(), StatusCode::OK);
    let stale = app
        .request(Method::PATCH, &path)
        .bearer_auth(&app.write_token)
        .header("If-Match", &etag)
        .json(&json!({"description": "second"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
    assert_eq!(json(app.get(&path).await).await["description"], "first");
}

#[tokio::test]
async fn two_concurrent_patches_with_the_same_etag_give_one_200_and_one_412() {
    let app = spawn_app().await;
    let (kz, _, _) = seed_actors(&app).await;
    let path = format!("/v1/actors/{}", uuid_of(&kz));
    for round in 0..5 {
        let etag = header(&app.get(&path).await, "etag").unwrap_or_default();
        let send = |text: String| {
            app.request(Method::PATCH, &path)
                .bearer_auth(&app.write_token)
                .header("If-Match", &etag)
                .json(&json!({"description": text}))
                .send()
        };
        let (a, b) = tokio::join!(send(format!("a{round}")), send(format!("b{round}")));
        let mut statuses = [
            a.map(|r| r.status().as_u16()).unwrap_or(0),
            b.map(|r| r.status().as_u16()).unwrap_or(0),
        ];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 412], "round {round}");
    }
}

#[tokio::test]
async fn delete_returns_204_then_404_and_honours_if_match() {
    let app = spawn_app().await;
    let (_, _, eu) = seed_actors(&app).await;
    let path = format!("/v1/actors/{}", uuid_of(&eu));
    let stale = app
        .request(Method::DELETE, &path)
        .bearer_auth(&app.write_token)
        .header("If-Match", "\"stale\"")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let etag = header(&app.get(&path).await, "etag").unwrap_or_default();
    let response = app
        .request(Method::DELETE, &path)
        .bearer_auth(&app.write_token)
        .header("If-Match", &etag)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    problem(app.get(&path).await, StatusCode::NOT_FOUND).await;
    problem(app.delete(&path).await, StatusCode::NOT_FOUND).await;
    problem(app.get("/v1/actors/eu").await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn deleting_a_referenced_actor_is_a_409_naming_the_references() {
    let app = spawn_app().await;
    let (kz, tokayev, _) = seed_actors(&app).await;
    let role = app
        .create_role(
            "kassym-jomart-tokayev",
            json!({"of_actor_id": kz["id"], "title": "President", "start": "2019-03-20"}),
        )
        .await;
    for actor in [&kz, &tokayev] {
        let problem = problem(
            app.delete(&format!("/v1/actors/{}", uuid_of(actor))).await,
            StatusCode::CONFLICT,
        )
        .await;
        assert_eq!(problem["references"][0]["resource"], "role", "{problem}");
        assert_eq!(problem["references"][0]["id"], role["id"], "{problem}");
        let href = problem["references"][0]["href"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(app.get(&href).await.status(), StatusCode::OK, "{href}");
    }
    assert_eq!(app.count("actors").await, 3);
}

#[tokio::test]
async fn malformed_actor_path_is_400_and_unknown_is_404() {
    let app = spawn_app().await;
    let problem_body = problem(
        app.get("/v1/actors/Not%20A%20Slug").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(pointers(&problem_body), vec!["#/path/actor"]);
    problem(
        app.get("/v1/actors/no-such-actor").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get("/v1/actors/0190c0b2-8a5e-7c3d-9f1a-2b3c4d5e6f70")
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn names_that_would_mislead_a_reader_are_refused_everywhere() {
    let app = spawn_app().await;
    for name in [
        "Kazakh\u{202e}natsi",
        "Tok\u{200b}ayev",
        "Astana\nAlmaty",
        "bell\u{7}",
    ] {
        let response = app
            .post_json("/v1/actors", &json!({"kind": "state", "name": name}))
            .await;
        let body = problem(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(body["errors"][0]["pointer"], "#/name", "{name:?}: {body}");
    }
    // The import checks each line the same way, and keeps nothing.
    let response = app.import("{\"type\": \"actor\", \"kind\": \"state\", \"name\": \"Kazakhstan\"}\n{\"type\": \"actor\", \"kind\": \"state\", \"name\": \"\\u202eKazakhstan\"}\n").await;
    let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["lines"][0]["line"], 2, "{body}");
    assert_eq!(app.count("actors").await, 0);
    // Persian spelled with a zero-width non-joiner is a name like any other.
    app.create_actor(json!({"kind": "person", "name": "مى\u{200c}خواهم"}))
        .await;
}

#[tokio::test]
async fn aliases_carry_a_kind_and_the_dates_they_were_used() {
    let app = spawn_app().await;
    let created = app
        .create_actor(json!({"kind": "state", "name": "Kazakhstan", "aliases": [
            "Republic of Kazakhstan",
            {"name": "Akorda", "kind": "metonym"},
            {"name": "Kazakh SSR", "kind": "former_name", "start": "1936-12-05", "end": "1991-12"},
            {"name": "Akorda", "kind": "metonym"},
        ]}))
        .await;
    // A plain name is a `name` of any time; a repeated alias is kept once.
    assert_eq!(
        created["aliases"],
        json!([
            {"name": "Republic of Kazakhstan", "kind": "name"},
            {"name": "Akorda", "kind": "metonym"},
            {"name": "Kazakh SSR", "kind": "former_name", "start": "1936-12-05", "end": "1991-12"},
        ])
    );
    let path = format!("/v1/actors/{}", uuid_of(&created));
    assert_eq!(
        json(app.get(&path).await).await["aliases"],
        created["aliases"]
    );

    // Aliases are found by `q` whatever their kind.
    let found = json(app.get("/v1/actors?q=kazakh%20ssr").await).await;
    assert_eq!(ids(&found), vec![uuid_of(&created)]);

    // An end before the start is refused at the alias, and nothing changes.
    let problem = problem(
        app.patch_json(
            &path,
            &json!({"aliases": ["Qazaqstan", {"name": "Akmola", "start": "1998", "end": "1992"}]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(pointers(&problem), vec!["#/aliases/1/end".to_owned()]);
    assert_eq!(
        json(app.get(&path).await).await["aliases"],
        created["aliases"]
    );
}

#[tokio::test]
async fn a_patch_leaves_exactly_the_new_names_to_search() {
    let app = spawn_app().await;
    let created = app
        .create_actor(
            json!({"kind": "state", "name": "Kazakhstan", "aliases": ["Qazaqstan", "Kazakh SSR"]}),
        )
        .await;
    let id = uuid_of(&created);
    let path = format!("/v1/actors/{id}");
    let patched = json(
        app.patch_json(
            &path,
            &json!({"name": "Republic of Kazakhstan", "aliases": ["Akorda"]}),
        )
        .await,
    )
    .await;
    assert_eq!(
        patched["aliases"],
        json!([{"name": "Akorda", "kind": "name"}])
    );
    let names = "SELECT name FROM actor_names WHERE actor_id = $1::uuid ORDER BY position";
    assert_eq!(
        app.stored(names, &id).await,
        ["Republic of Kazakhstan", "Akorda"]
    );
    for (q, found) in [
        ("qazaqstan", false),
        ("kazakh%20ssr", false),
        ("akorda", true),
    ] {
        let page = json(app.get(&format!("/v1/actors?q={q}")).await).await;
        assert_eq!(ids(&page).contains(&id), found, "{q}");
    }
}
