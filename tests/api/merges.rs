//! Merging duplicate actors: `POST /v1/actors/{actor}/merge`, and the redirects after.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

fn location(response: &reqwest::Response) -> String {
    header(response, "location").unwrap_or_default()
}

/// China, a duplicate of it ("PRC"), and records that refer to the duplicate.
async fn duplicate_of_china(app: &TestApp, record: &Record) -> Value {
    let prc = app
        .create_actor(
            json!({"kind": "state", "name": "People's Republic of China", "slug": "prc",
                             "aliases": [{"name": "Zhongguo", "kind": "transliteration"}],
                             "country_code": "CN", "wikidata_id": "Q148"}),
        )
        .await;
    app.create_role(
        "xi-jinping",
        json!({"of_actor_id": prc["id"], "title": "President", "start": "2013-03-14",
               "citations": [{"citation_id": record.article["id"], "locator": "paragraph 3"}]}),
    )
    .await;
    app.create(
        "/v1/visits",
        json!({"visitor_ids": [record.tokayev["id"]], "host_id": prc["id"], "start": "2022-05",
               "kind": "official", "citations": [{"citation_id": record.article["id"]}]}),
    )
    .await;
    app.create(
        "/v1/statements",
        json!({"speaker_id": record.tokayev["id"], "stated_on": "2022-05", "kind": "declaration",
               "text": "Relations with China are strategic.",
               "subjects": [{"actor_id": prc["id"], "stance": "support"}],
               "citations": [{"citation_id": record.article["id"]}]}),
    )
    .await;
    prc
}

#[tokio::test]
async fn a_merge_moves_every_reference_and_leaves_redirects() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let prc = duplicate_of_china(&app, &record).await;
    let (prc_id, china_id) = (uuid_of(&prc), uuid_of(&record.china));
    let actors_before = app.count("actors").await;

    let response = app
        .post_json("/v1/actors/prc/merge", &json!({"into": "china"}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let etag = header(&response, "etag");
    let china = json(response).await;
    assert_eq!(uuid_of(&china), china_id);
    assert_eq!(
        china["aliases"],
        json!([{"name": "People's Republic of China", "kind": "name"},
               {"name": "Zhongguo", "kind": "transliteration"}])
    );
    assert_eq!(
        china["wikidata_id"], "Q148",
        "filled where the survivor had none"
    );
    assert_eq!(app.count("actors").await, actors_before - 1);

    // Xi's two identical presidencies are one now, with the citation of both.
    let roles = json(app.get("/v1/actors/xi-jinping/roles").await).await;
    let presidencies: Vec<&Value> = roles["items"].as_array().into_iter().flatten().collect();
    assert_eq!(presidencies.len(), 1, "{roles}");
    assert_eq!(presidencies[0]["of_actor_id"], china["id"]);
    assert_eq!(presidencies[0]["citations"][0]["locator"], "paragraph 3");

    // The old id and slug lead to the survivor, for every method, under every path.
    for (method, path, to) in [
        (
            Method::GET,
            format!("/v1/actors/{prc_id}"),
            format!("/v1/actors/{china_id}"),
        ),
        (
            Method::GET,
            "/v1/actors/prc".to_owned(),
            "/v1/actors/china".to_owned(),
        ),
        (
            Method::GET,
            "/v1/actors/prc/roles?limit=5".to_owned(),
            "/v1/actors/china/roles?limit=5".to_owned(),
        ),
        (
            Method::PATCH,
            "/v1/actors/prc".to_owned(),
            "/v1/actors/china".to_owned(),
        ),
        (
            Method::DELETE,
            format!("/v1/actors/{prc_id}"),
            format!("/v1/actors/{china_id}"),
        ),
    ] {
        let mut request = app
            .request(method.clone(), &path)
            .bearer_auth(&app.write_token);
        if method == Method::PATCH {
            request = request
                .header("Content-Type", "application/merge-patch+json")
                .body("{}");
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        assert_eq!(
            response.status(),
            StatusCode::PERMANENT_REDIRECT,
            "{method} {path}"
        );
        assert_eq!(location(&response), to, "{method} {path}");
    }
    // Filters take the old id and slug for the survivor.
    let hosted = json(app.get(&format!("/v1/visits?host={prc_id}")).await).await;
    assert_eq!(
        hosted["items"].as_array().map(Vec::len),
        Some(1),
        "{hosted}"
    );
    assert_eq!(hosted["items"][0]["host"]["slug"], "china");
    let about = json(app.get("/v1/statements?subject=prc").await).await;
    assert_eq!(about["items"].as_array().map(Vec::len), Some(1), "{about}");

    // The feed: the merge of the old actor, and updates of what moved.
    let survivor_updated = |items: &[Value]| {
        items.iter().any(|c| {
            c["resource"] == "actor" && c["operation"] == "update" && c["id"] == china["id"]
        })
    };
    let feed = feed_until(&app, survivor_updated).await;
    let items: Vec<&Value> = feed.iter().collect();
    let merged = items
        .iter()
        .find(|c| c["operation"] == "merge" && c["resource"] == "actor")
        .unwrap_or_else(|| panic!("no merge in {feed:?}"));
    assert_eq!(merged["id"], prc["id"]);
    assert_eq!(merged["merged_into"], china["id"]);
    assert!(merged.get("record").is_none());
    let after: Vec<(&str, &str)> = items
        .iter()
        .skip_while(|c| c["operation"] != "merge")
        .filter_map(|c| Some((c["resource"].as_str()?, c["operation"].as_str()?)))
        .collect();
    for expected in [
        ("role", "merge"),
        ("role", "update"),
        ("visit", "update"),
        ("statement", "update"),
        ("actor", "update"),
    ] {
        assert!(after.contains(&expected), "{expected:?} in {after:?}");
    }
    // The old actor's history stays readable by id, ending with the merge.
    let revisions = json(app.get(&format!("/v1/actors/{prc_id}/revisions")).await).await;
    let last = revisions["items"]
        .as_array()
        .and_then(|r| r.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (last["operation"].clone(), last["merged_into"].clone()),
        (json!("merge"), china["id"].clone())
    );

    // Repeating the merge answers the same, and changes nothing.
    let changes = items.len();
    let again = app
        .post_json("/v1/actors/prc/merge", &json!({"into": "china"}))
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(header(&again, "etag"), etag);
    assert_eq!(json(again).await, china);
    let feed = feed_until(&app, |items| items.len() >= changes).await;
    assert_eq!(feed.len(), changes);
}

#[tokio::test]
async fn a_merge_that_would_relate_an_actor_to_itself_is_refused_with_nothing_changed() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let role = app
        .create_role(
            "kassym-jomart-tokayev",
            json!({"of_actor_id": record.kz["id"], "title": "President"}),
        )
        .await;
    let changes = app.count("changes").await;

    // Tokayev holds a role in Kazakhstan: merged, Kazakhstan would hold a role in itself.
    let refused = problem(
        app.post_json(
            "/v1/actors/kassym-jomart-tokayev/merge",
            &json!({"into": "kazakhstan"}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(refused["references"][0]["id"], role["id"], "{refused}");
    // Xi visited Kazakhstan: merged, Kazakhstan would visit itself.
    let refused = problem(
        app.post_json(
            &format!("/v1/actors/{}/merge", uuid_of(&record.xi)),
            &json!({"into": "kazakhstan"}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    let listed: Vec<&str> = refused["references"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(
        listed.contains(&uuid_of(&record.visit).as_str()),
        "{refused}"
    );
    assert_eq!(app.count("changes").await, changes, "nothing was written");
    assert_eq!(
        app.get("/v1/actors/xi-jinping").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_merge_checks_its_target_and_if_match() {
    let app = spawn_app().await;
    let (kz, _, _) = seed_actors(&app).await;
    for (body, status, pointer) in [
        (
            json!({"into": "nobody"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/into",
        ),
        (
            json!({"into": "kazakhstan"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/into",
        ),
        (
            json!({"into": "Not A Slug"}),
            StatusCode::BAD_REQUEST,
            "#/into",
        ),
        (
            json!({"into": "eu", "also": 1}),
            StatusCode::BAD_REQUEST,
            "#/also",
        ),
    ] {
        let problem = problem(
            app.post_json("/v1/actors/kazakhstan/merge", &body).await,
            status,
        )
        .await;
        assert_eq!(
            pointers(&problem),
            vec![pointer.to_owned()],
            "{body}: {problem}"
        );
    }
    problem(
        app.post_json("/v1/actors/nobody/merge", &json!({"into": "eu"}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let stale = app
        .request(Method::POST, "/v1/actors/kazakhstan/merge")
        .bearer_auth(&app.write_token)
        .header("If-Match", "\"stale\"")
        .json(&json!({"into": "eu"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
    // A body that does not match the schema is a 400 before any precondition is looked at.
    let invalid = app
        .request(Method::POST, "/v1/actors/kazakhstan/merge")
        .bearer_auth(&app.write_token)
        .header("If-Match", "\"stale\"")
        .json(&json!({"into": ""}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    problem(invalid, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        json(app.get("/v1/actors/kazakhstan").await).await["id"],
        kz["id"]
    );
}

#[tokio::test]
async fn redirects_follow_a_chain_of_merges_to_the_last_survivor() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let prc = duplicate_of_china(&app, &record).await;
    let middle = app
        .create_actor(json!({"kind": "state", "name": "Cathay", "slug": "cathay"}))
        .await;
    let (prc_id, middle_id, china_id) = (uuid_of(&prc), uuid_of(&middle), uuid_of(&record.china));
    // PRC → Cathay, then Cathay → China: both lead to China now.
    for (from, into) in [("prc", "cathay"), ("cathay", "china")] {
        let response = app
            .post_json(&format!("/v1/actors/{from}/merge"), &json!({"into": into}))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{from} into {into}");
    }
    let china_path = format!("/v1/actors/{china_id}");
    for (path, to) in [
        (format!("/v1/actors/{prc_id}"), china_path.as_str()),
        ("/v1/actors/prc".to_owned(), "/v1/actors/china"),
        (format!("/v1/actors/{middle_id}"), china_path.as_str()),
        ("/v1/actors/cathay".to_owned(), "/v1/actors/china"),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT, "{path}");
        assert_eq!(location(&response), to, "{path}");
    }
    // Filters and analyses take the first actor of the chain for the last.
    let hosted = json(app.get("/v1/visits?host=prc").await).await;
    assert_eq!(hosted["items"][0]["host"]["slug"], "china", "{hosted}");
    let dyad = app
        .get(&format!(
            "/v1/dyads?a=kazakhstan&b={prc_id}&from=2022&to=2022"
        ))
        .await;
    assert_eq!(dyad.status(), StatusCode::OK);
    // An import may not take the first one's id, and is told where it leads now.
    let line = json!({"type": "actor", "id": prc["id"], "kind": "state", "name": "PRC again"});
    let refused = problem(
        app.import(line.to_string()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let detail = refused["lines"][0]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(&format!("merged into {china_id}")),
        "{refused}"
    );
    // Merging the first again into the middle one answers as done, with the last survivor.
    let again = app
        .post_json("/v1/actors/prc/merge", &json!({"into": "cathay"}))
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(json(again).await["id"], record.china["id"]);
    // The survivor's new slug is where the old slugs lead.
    let renamed = app
        .patch_json("/v1/actors/china", &json!({"slug": "zhonghua"}))
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let response = app.get("/v1/actors/prc").await;
    assert_eq!(location(&response), "/v1/actors/zhonghua");
}

#[tokio::test]
async fn a_chain_broken_by_an_earlier_merge_is_mended_by_the_migration() {
    let app = spawn_app().await;
    let (_, _, eu) = seed_actors(&app).await;
    for slug in ["eec", "ec"] {
        app.create_actor(json!({"kind": "organization", "name": slug, "slug": slug}))
            .await;
    }
    let eec = app.get("/v1/actors/eec").await;
    let eec_id = uuid_of(&json(eec).await);
    for (from, into) in [("eec", "ec"), ("ec", "eu")] {
        let response = app
            .post_json(&format!("/v1/actors/{from}/merge"), &json!({"into": into}))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{from} into {into}");
    }
    // What merges did before: the redirect that led to `ec` went with it.
    sqlx::query("DELETE FROM actor_redirects WHERE slug = 'eec'")
        .execute(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        app.get("/v1/actors/eec").await.status(),
        StatusCode::NOT_FOUND
    );
    sqlx::raw_sql(include_str!(
        "../../migrations/20261208000501_merge_redirect_chains.sql"
    ))
    .execute(&app.pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    for (path, to) in [
        ("/v1/actors/eec".to_owned(), "/v1/actors/eu".to_owned()),
        (
            format!("/v1/actors/{eec_id}"),
            format!("/v1/actors/{}", uuid_of(&eu)),
        ),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT, "{path}");
        assert_eq!(location(&response), to, "{path}");
    }
}

#[tokio::test]
async fn a_merge_moving_more_records_than_the_bound_is_refused_before_any_work() {
    let app = spawn_app_with(|s| s.merge_max_records = 2).await;
    let record = seed_record(&app).await;
    let prc = duplicate_of_china(&app, &record).await;
    let changes = app.count("changes").await;

    // A role in it, a visit to it, a statement about it: three records, over the bound.
    let refused = problem(
        app.post_json("/v1/actors/prc/merge", &json!({"into": "china"}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    let detail = refused["detail"].as_str().unwrap_or_default();
    for told in [
        "move 3 records",
        "than the 2",
        "PATCH",
        "CHANCERY_MERGE_MAX_RECORDS",
    ] {
        assert!(detail.contains(told), "{told} in {detail}");
    }
    assert_eq!(app.count("changes").await, changes, "nothing was written");
    assert_eq!(app.get("/v1/actors/prc").await.status(), StatusCode::OK);

    // Moving one of them first brings the merge within the bound.
    let visits = json(app.get("/v1/visits?host=prc").await).await;
    let visit = visits["items"][0]["id"].as_str().unwrap_or_default();
    let moved = app
        .patch_json(
            &format!("/v1/visits/{visit}"),
            &json!({"host_id": record.china["id"]}),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let merged = app
        .post_json(
            &format!("/v1/actors/{}/merge", uuid_of(&prc)),
            &json!({"into": "china"}),
        )
        .await;
    assert_eq!(merged.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_actor_recreated_under_a_merged_id_can_be_merged_again() {
    let app = spawn_app().await;
    let (_, _, eu) = seed_actors(&app).await;
    let eec = app
        .create_actor(json!({"kind": "organization", "name": "EEC", "slug": "eec"}))
        .await;
    let merged = app
        .post_json("/v1/actors/eec/merge", &json!({"into": "eu"}))
        .await;
    assert_eq!(merged.status(), StatusCode::OK);
    // What an import could do before merged ids were reserved: the id taken again.
    sqlx::query(
        "INSERT INTO actors (id, slug, kind, name, search_text)
         VALUES ($1::text::uuid, 'eec2', 'organization', 'EEC', 'eec')",
    )
    .bind(uuid_of(&eec))
    .execute(&app.pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let again = app
        .post_json("/v1/actors/eec2/merge", &json!({"into": "eu"}))
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    let response = app.get(&format!("/v1/actors/{}", uuid_of(&eec))).await;
    assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(location(&response), format!("/v1/actors/{}", uuid_of(&eu)));
}
