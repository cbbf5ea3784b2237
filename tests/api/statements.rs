use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn on_behalf_of_is_derived_from_the_speakers_role_on_that_date() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let pledge = &record.pledge;
    assert_eq!(pledge["on_behalf_of"]["slug"], "china");
    let role_id = pledge["on_behalf_of_role_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!role_id.is_empty());
    assert_eq!(pledge["stated_on"], "2022-09");
    assert_eq!(
        pledge["subjects"],
        json!([{"actor": {"id": record.kz["id"], "slug": "kazakhstan", "name": "Kazakhstan", "kind": "state"}, "stance": "support"}])
    );
    assert_eq!(pledge["visit_id"], record.visit["id"]);
    assert_eq!(pledge["verbatim"], false);

    // Before the role began, there is no one to speak for.
    let early = app
        .create("/v1/statements", json!({"speaker_id": record.xi["id"], "stated_on": "2012", "kind": "declaration", "text": "Earlier words.",
                                          "citations": [{"citation_id": record.fmprc["id"]}]}))
        .await;
    assert!(early.get("on_behalf_of").is_none(), "{early}");

    // Given explicitly, it is kept as given.
    let given = app
        .create("/v1/statements", json!({"speaker_id": record.xi["id"], "on_behalf_of_id": record.kz["id"], "stated_on": "2022-09",
                                          "kind": "other", "text": "As a guest.", "citations": [{"citation_id": record.fmprc["id"]}]}))
        .await;
    assert_eq!(given["on_behalf_of"]["slug"], "kazakhstan");
    assert!(given.get("on_behalf_of_role_id").is_none());

    // Moving the derived statement before the role derives it again: no one.
    let path = format!("/v1/statements/{}", uuid_of(pledge));
    let moved = json(app.patch_json(&path, &json!({"stated_on": "2010"})).await).await;
    assert!(moved.get("on_behalf_of").is_none(), "{moved}");
    let back = json(
        app.patch_json(&path, &json!({"stated_on": "2022-09-14"}))
            .await,
    )
    .await;
    assert_eq!(back["on_behalf_of"]["slug"], "china");
    // An explicit one replaces the derivation; null derives again.
    let explicit = json(
        app.patch_json(&path, &json!({"on_behalf_of_id": record.kz["id"]}))
            .await,
    )
    .await;
    assert_eq!(explicit["on_behalf_of"]["slug"], "kazakhstan");
    assert!(explicit.get("on_behalf_of_role_id").is_none());
    let derived = json(
        app.patch_json(&path, &json!({"on_behalf_of_id": null}))
            .await,
    )
    .await;
    assert_eq!(derived["on_behalf_of"]["slug"], "china");

    // The role cannot be deleted while a statement is attributed through it.
    let role_path = format!("/v1/actors/xi-jinping/roles/{role_id}");
    let conflict = problem(app.delete(&role_path).await, StatusCode::CONFLICT).await;
    assert_eq!(conflict["references"][0]["id"], record.pledge["id"]);
}

#[tokio::test]
async fn statements_need_a_source_and_existing_references() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let nowhere = "0190c0b2-8a5e-7c3d-9f1a-2b3c4d5e6f70";
    let base = || {
        json!({"speaker_id": record.xi["id"], "stated_on": "2022-09", "kind": "pledge", "text": "Words.",
                         "citations": [{"citation_id": record.fmprc["id"]}]})
    };
    let with = |key: &str, value: serde_json::Value| {
        let mut body = base();
        body[key] = value;
        body
    };
    let without_citations = {
        let mut body = base();
        body.as_object_mut().map(|o| o.remove("citations"));
        body
    };
    for (body, status, pointer) in [
        (without_citations, StatusCode::BAD_REQUEST, "#/citations"),
        (
            with("citations", json!([])),
            StatusCode::BAD_REQUEST,
            "#/citations",
        ),
        (
            with("kind", json!("threat")),
            StatusCode::BAD_REQUEST,
            "#/kind",
        ),
        (with("text", json!("")), StatusCode::BAD_REQUEST, "#/text"),
        (
            with("topics", json!(["Not A Topic"])),
            StatusCode::BAD_REQUEST,
            "#/topics/0",
        ),
        (
            with(
                "subjects",
                json!([{"actor_id": record.kz["id"], "stance": "love"}]),
            ),
            StatusCode::BAD_REQUEST,
            "#/subjects/0/stance",
        ),
        (
            with("language", json!("xx-")),
            StatusCode::BAD_REQUEST,
            "#/language",
        ),
        (
            with("verbatim", json!("yes")),
            StatusCode::BAD_REQUEST,
            "#/verbatim",
        ),
        (
            with("speaker_id", json!(nowhere)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/speaker_id",
        ),
        (
            with("on_behalf_of_id", json!(nowhere)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/on_behalf_of_id",
        ),
        (
            with("visit_id", json!(nowhere)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/visit_id",
        ),
        (
            with(
                "subjects",
                json!([{"actor_id": nowhere, "stance": "oppose"}]),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/subjects/0/actor_id",
        ),
        (
            with(
                "subjects",
                json!([{"actor_id": record.kz["id"], "stance": "oppose"}, {"actor_id": record.kz["id"], "stance": "support"}]),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/subjects/1/actor_id",
        ),
        (
            with("citations", json!([{"citation_id": nowhere}])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/citations/0/citation_id",
        ),
    ] {
        let problem = problem(app.post_json("/v1/statements", &body).await, status).await;
        assert_eq!(pointers(&problem), vec![pointer], "{body}");
    }
    assert_eq!(app.count("statements").await, 1);
    assert_eq!(app.count("statement_citations").await, 1);
    assert_eq!(app.count("statement_subjects").await, 1);
}

#[tokio::test]
async fn statements_are_filtered_by_actor_in_any_capacity_and_by_what_they_say() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let denial = app
        .create("/v1/statements", json!({"speaker_id": record.tokayev["id"], "on_behalf_of_id": record.kz["id"], "stated_on": "2022-11-29",
                                          "kind": "denial", "text": "No formal discussions have been held on a gas union.",
                                          "topics": ["energy", "gas-union"], "subjects": [{"actor_id": record.china["id"], "stance": "neutral"}],
                                          "citations": [{"citation_id": record.fmprc["id"]}]}))
        .await;
    let (pledge, denial) = (uuid_of(&record.pledge), uuid_of(&denial));
    for (query, expected) in [
        ("", vec![denial.clone(), pledge.clone()]),
        ("actor=kazakhstan", vec![denial.clone(), pledge.clone()]),
        ("actor=china", vec![denial.clone(), pledge.clone()]),
        ("speaker=xi-jinping", vec![pledge.clone()]),
        ("on_behalf_of=china", vec![pledge.clone()]),
        ("on_behalf_of=kazakhstan", vec![denial.clone()]),
        ("subject=kazakhstan", vec![pledge.clone()]),
        ("kind=denial", vec![denial.clone()]),
        ("topic=gas-union", vec![denial.clone()]),
        ("topic=security", vec![pledge.clone()]),
        ("country=CN", vec![pledge.clone()]),
        (
            &format!("citation={}", uuid_of(&record.article)),
            vec![pledge.clone()],
        ),
        (
            &format!("visit={}", uuid_of(&record.visit)),
            vec![pledge.clone()],
        ),
        ("from=2022-10", vec![denial.clone()]),
        ("from=2022-09-20&to=2022-09-20", vec![pledge.clone()]),
        ("q=territorial", vec![pledge.clone()]),
        ("q=%22gas%20union%22", vec![denial.clone()]),
        ("q=discussion", vec![denial.clone()]),
        ("q=-gas", vec![pledge.clone()]),
    ] {
        assert_eq!(
            ids(&json(app.get(&format!("/v1/statements?{query}")).await).await),
            expected,
            "{query}"
        );
    }
}

#[tokio::test]
async fn statements_are_paginated_newest_first_through_every_page() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    for month in 1..=9 {
        app.create("/v1/statements", json!({"speaker_id": record.tokayev["id"], "stated_on": format!("2021-{month:02}"), "kind": "declaration",
                                             "text": format!("Statement {month}"), "citations": [{"citation_id": record.fmprc["id"]}]}))
            .await;
    }
    let mut path = "/v1/statements?limit=4&speaker=kassym-jomart-tokayev".to_owned();
    let mut texts = Vec::new();
    loop {
        let response = app.get(&path).await;
        let link = header(&response, "link");
        let page = json(response).await;
        texts.extend(
            page["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s["text"].as_str().map(str::to_owned)),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                assert!(link.is_some_and(|l| l.contains("speaker=kassym-jomart-tokayev")));
                path =
                    format!("/v1/statements?limit=4&speaker=kassym-jomart-tokayev&cursor={cursor}");
            }
            None => break,
        }
    }
    let expected: Vec<String> = (1..=9).rev().map(|m| format!("Statement {m}")).collect();
    assert_eq!(texts, expected);
}

#[tokio::test]
async fn a_statement_is_patched_with_its_lists_replaced_whole() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let path = format!("/v1/statements/{}", uuid_of(&record.pledge));
    let patched = json(app.patch_json(&path, &json!({"topics": ["security"], "subjects": [], "verbatim": true,
                                                     "citations": [{"citation_id": record.fmprc["id"], "quote": "new"}]})).await).await;
    assert_eq!(patched["topics"], json!(["security"]));
    assert_eq!(patched["subjects"], json!([]));
    assert_eq!(patched["verbatim"], true);
    assert_eq!(patched["citations"][0]["quote"], "new");
    assert_eq!(patched["text"], record.pledge["text"]);
    let problem = problem(
        app.patch_json(
            &path,
            &json!({"visit_id": "0190c0b2-8a5e-7c3d-9f1a-2b3c4d5e6f70"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(pointers(&problem), vec!["#/visit_id"]);
    let cleared = json(app.patch_json(&path, &json!({"visit_id": null})).await).await;
    assert!(cleared.get("visit_id").is_none());
}

#[tokio::test]
async fn a_patch_leaves_exactly_the_new_subjects_and_citations() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let id = uuid_of(&record.pledge);
    let path = format!("/v1/statements/{id}");
    let patched = json(
        app.patch_json(
            &path,
            &json!({"subjects": [{"actor_id": record.tokayev["id"], "stance": "oppose"},
                                 {"actor_id": record.china["id"], "stance": "neutral"}],
                    "citations": [{"citation_id": record.fmprc["id"]}]}),
        )
        .await,
    )
    .await;
    assert_eq!(patched["subjects"][0]["actor"]["id"], record.tokayev["id"]);
    assert_eq!(patched["subjects"][1]["stance"], "neutral");
    assert_eq!(patched["subjects"].as_array().map(Vec::len), Some(2));
    assert_eq!(patched["citations"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        patched["on_behalf_of"], record.pledge["on_behalf_of"],
        "the attribution is derived again"
    );
    let subjects = "SELECT actor_id || ' ' || stance FROM statement_subjects
                    WHERE statement_id = $1::uuid ORDER BY position";
    assert_eq!(
        app.stored(subjects, &id).await,
        [
            format!("{} oppose", uuid_of(&record.tokayev)),
            format!("{} neutral", uuid_of(&record.china))
        ]
    );
    let links = "SELECT citation_id::text FROM statement_citations WHERE statement_id = $1::uuid";
    assert_eq!(app.stored(links, &id).await, [uuid_of(&record.fmprc)]);
}
