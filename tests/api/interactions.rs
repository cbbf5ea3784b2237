//! Interactions: what one side did toward another, in PLOVER's terms.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

/// Russia, a citation, and an interaction of Russia toward Kazakhstan, on top of the record.
async fn seed_interaction(app: &TestApp, record: &Record) -> (Value, Value) {
    let russia = app
        .create_actor(json!({"kind": "state", "name": "Russia", "country_code": "RU"}))
        .await;
    let interaction = app
        .create(
            "/v1/interactions",
            json!({
                "source_ids": [russia["id"]], "target_ids": [record.kz["id"]],
                "event_type": "sanction", "mode": "discontinue", "contexts": ["economic", "natural_resource"],
                "source_code": "163", "start": "2022", "country_code": "RU",
                "summary": "Intermittent closures of the pipelines that carry Kazakhstan's oil exports.",
                "citations": [{"citation_id": record.article["id"], "locator": "paragraph 7"}]
            }),
        )
        .await;
    (russia, interaction)
}

#[tokio::test]
async fn an_interaction_embeds_its_sides_type_and_citations_and_reads_back_the_same() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let (_, interaction) = seed_interaction(&app, &record).await;
    assert_eq!(interaction["sources"][0]["slug"], "russia");
    assert_eq!(interaction["targets"][0]["slug"], "kazakhstan");
    assert_eq!(interaction["event_type"], "sanction");
    assert_eq!(interaction["quad_class"], "material_conflict");
    assert_eq!(interaction["mode"], "discontinue");
    assert_eq!(
        interaction["contexts"],
        json!(["economic", "natural_resource"])
    );
    assert_eq!(interaction["source_code"], "163");
    assert_eq!(interaction["start"], "2022");
    assert_eq!(interaction["citations"][0]["locator"], "paragraph 7");
    let path = format!("/v1/interactions/{}", uuid_of(&interaction));
    let response = app.get(&path).await;
    let etag = header(&response, "etag").unwrap_or_default();
    assert_eq!(json(response).await, interaction);
    let again = app
        .request(Method::GET, &path)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn interactions_need_a_source_existing_actors_and_a_mode_of_their_type() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let base = || {
        json!({"source_ids": [record.china["id"]], "target_ids": [record.kz["id"]],
               "event_type": "cooperate", "start": "2022-11",
               "citations": [{"citation_id": record.article["id"]}]})
    };
    let nowhere = "0190c0b2-8a5e-7c3d-9f1a-2b3c4d5e6f70";
    let with = |key: &str, value: Value| {
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
            with("target_ids", json!([])),
            StatusCode::BAD_REQUEST,
            "#/target_ids",
        ),
        (
            with("event_type", json!("meet")),
            StatusCode::BAD_REQUEST,
            "#/event_type",
        ),
        (
            with("source_code", json!("42a")),
            StatusCode::BAD_REQUEST,
            "#/source_code",
        ),
        (
            with("end", json!("2022-10")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/end",
        ),
        (
            with("mode", json!("visit")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/mode",
        ),
        (
            with("target_ids", json!([record.kz["id"], record.china["id"]])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/target_ids/1",
        ),
        (
            with("target_ids", json!([record.kz["id"], nowhere])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/target_ids/1",
        ),
        (
            with("citations", json!([{"citation_id": nowhere}])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "#/citations/0/citation_id",
        ),
    ] {
        let problem = problem(app.post_json("/v1/interactions", &body).await, status).await;
        assert!(
            pointers(&problem).contains(&pointer.to_owned()),
            "{body}: {problem}"
        );
    }
    assert_eq!(app.count("interactions").await, 0);
}

#[tokio::test]
async fn interactions_are_listed_by_side_type_quad_class_period_and_text() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let (russia, sanction) = seed_interaction(&app, &record).await;
    let railways = app
        .create(
            "/v1/interactions",
            json!({"source_ids": [record.kz["id"]], "target_ids": [record.china["id"]],
                   "event_type": "cooperate", "contexts": ["economic"], "start": "2022-11",
                   "summary": "Expanding railway connections for transit and trade.",
                   "citations": [{"citation_id": record.fmprc["id"]}]}),
        )
        .await;
    let listed = |query: &'static str| {
        let app = &app;
        async move { ids(&json(app.get(&format!("/v1/interactions{query}")).await).await) }
    };
    let (s, r) = (uuid_of(&sanction), uuid_of(&railways));
    assert_eq!(listed("").await, vec![r.clone(), s.clone()]);
    assert_eq!(
        listed("?actor=kazakhstan").await,
        vec![r.clone(), s.clone()]
    );
    assert_eq!(listed("?source=kazakhstan").await, vec![r.clone()]);
    assert_eq!(listed("?target=kazakhstan").await, vec![s.clone()]);
    assert_eq!(listed("?event_type=sanction").await, vec![s.clone()]);
    assert_eq!(
        listed("?quad_class=material_cooperation").await,
        vec![r.clone()]
    );
    assert_eq!(
        listed("?quad_class=verbal_conflict").await,
        Vec::<String>::new()
    );
    assert_eq!(
        listed("?event_type=sanction&quad_class=material_cooperation").await,
        Vec::<String>::new()
    );
    assert_eq!(listed("?from=2022-11-15").await, vec![r.clone(), s.clone()]);
    assert_eq!(listed("?to=2022-10").await, vec![s.clone()]);
    assert_eq!(listed("?q=railway").await, vec![r.clone()]);
    assert_eq!(listed("?country=RU").await, vec![s.clone()]);
    let citation = format!("?citation={}", uuid_of(&record.fmprc));
    let cited = ids(&json(app.get(&format!("/v1/interactions{citation}")).await).await);
    assert_eq!(cited, vec![r.clone()]);
    problem(
        app.get("/v1/interactions?source=nobody-at-all").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let csv = app
        .request(Method::GET, "/v1/interactions?source=russia")
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    assert!(
        csv.starts_with("id,start,end,event_type,quad_class"),
        "{csv}"
    );
    assert!(
        csv.contains("sanction,material_conflict,discontinue"),
        "{csv}"
    );
    let _ = russia;
}

#[tokio::test]
async fn an_interaction_is_patched_with_if_match_and_deleted_with_a_tombstone() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let (_, interaction) = seed_interaction(&app, &record).await;
    let path = format!("/v1/interactions/{}", uuid_of(&interaction));
    let etag = header(&app.get(&path).await, "etag").unwrap_or_default();
    let patched = app
        .request(Method::PATCH, &path)
        .bearer_auth(&app.write_token)
        .header("If-Match", &etag)
        .header("Content-Type", "application/merge-patch+json")
        .body(r#"{"end": "2022-12", "mode": null, "contexts": ["economic"]}"#)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(patched.status(), StatusCode::OK);
    let patched = json(patched).await;
    assert_eq!(patched["end"], "2022-12");
    assert!(patched.get("mode").is_none());
    assert_eq!(patched["contexts"], json!(["economic"]));
    assert_eq!(patched["summary"], interaction["summary"]);
    let stale = app
        .request(Method::DELETE, &path)
        .bearer_auth(&app.write_token)
        .header("If-Match", &etag)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    // A mode the new type does not have is refused, and nothing changes.
    problem(
        app.patch_json(
            &path,
            &json!({"event_type": "agree", "mode": "discontinue"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(app.delete(&path).await.status(), StatusCode::NO_CONTENT);
    problem(app.get(&path).await, StatusCode::NOT_FOUND).await;
    let revisions = json(app.get(&format!("{path}/revisions")).await).await;
    let operations: Vec<&str> = revisions["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["operation"].as_str())
        .collect();
    assert_eq!(operations, ["create", "update", "delete"]);
    assert_eq!(revisions["items"][1]["changes"]["end"], "2022-12");
    let id = interaction["id"].clone();
    let feed = feed_until(&app, |items| {
        items
            .iter()
            .any(|c| c["id"] == id && c["operation"] == "delete")
    })
    .await;
    let ours: Vec<&Value> = feed.iter().filter(|c| c["id"] == id).collect();
    assert!(ours.iter().all(|c| c["resource"] == "interaction"));
    assert_eq!(ours.len(), 3);
}

#[tokio::test]
async fn an_interaction_is_cited_by_its_citations_and_holds_its_actors() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let (russia, interaction) = seed_interaction(&app, &record).await;
    let cited = json(
        app.get(&format!(
            "/v1/citations/{}/cited-by",
            uuid_of(&record.article)
        ))
        .await,
    )
    .await;
    let ours = cited["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == interaction["id"])
        .cloned()
        .unwrap_or_default();
    assert_eq!(ours["resource"], "interaction");
    assert_eq!(
        ours["href"],
        format!("/v1/interactions/{}", uuid_of(&interaction))
    );
    assert_eq!(ours["date"], "2022");
    assert_eq!(ours["locator"], "paragraph 7");
    // The citation and the actors cannot go while the interaction names them.
    let refused = problem(
        app.delete(&format!("/v1/citations/{}", uuid_of(&record.article)))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        refused.to_string().contains("/v1/interactions/"),
        "{refused}"
    );
    let refused = problem(
        app.delete(&format!("/v1/actors/{}", uuid_of(&russia)))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(refused["references"][0]["resource"], "interaction");
}

#[tokio::test]
async fn a_merge_moves_interactions_and_refuses_one_toward_itself() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let (russia, interaction) = seed_interaction(&app, &record).await;
    let duplicate = app
        .create_actor(
            json!({"kind": "state", "name": "Russian Federation", "slug": "russian-federation"}),
        )
        .await;
    app.create(
        "/v1/interactions",
        json!({"source_ids": [duplicate["id"]], "target_ids": [record.china["id"]],
               "event_type": "agree", "start": "2022-09",
               "citations": [{"citation_id": record.fmprc["id"]}]}),
    )
    .await;
    // Kazakhstan into Russia would leave Russia acting toward itself.
    let refused = problem(
        app.post_json(
            &format!("/v1/actors/{}/merge", uuid_of(&record.kz)),
            &json!({"into": "russia"}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(refused["references"][0]["resource"], "interaction");
    let response = app
        .post_json(
            "/v1/actors/russian-federation/merge",
            &json!({"into": "russia"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let russia_acts = json(app.get("/v1/interactions?source=russia").await).await;
    assert_eq!(russia_acts["items"].as_array().map(Vec::len), Some(2));
    let moved = &russia_acts["items"][0];
    assert_eq!(moved["sources"][0]["id"], russia["id"]);
    assert_eq!(moved["targets"][0]["slug"], "china");
    let _ = interaction;
}

#[tokio::test]
async fn interactions_go_out_in_an_export_and_come_back_in_an_import() {
    let source = spawn_app().await;
    let record = seed_record(&source).await;
    let (_, interaction) = seed_interaction(&source, &record).await;
    let exported = source
        .get("/v1/export")
        .await
        .text()
        .await
        .unwrap_or_default();
    let lines: Vec<Value> = exported
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_default())
        .collect();
    let line = lines
        .iter()
        .find(|l| l["type"] == "interaction")
        .cloned()
        .unwrap_or_default();
    assert_eq!(line["id"], interaction["id"]);
    assert_eq!(line["event_type"], "sanction");
    assert_eq!(
        lines.last().map(|l| l["type"].clone()),
        Some(json!("interaction"))
    );
    let target = spawn_app().await;
    let response = target.import(&exported).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(response).await["interactions"], 1);
    let again = target
        .get("/v1/export")
        .await
        .text()
        .await
        .unwrap_or_default();
    assert_eq!(again, exported);
    // An import line may name its actors by the key of an earlier line.
    let response = target
        .import(format!(
            "{}\n{}\n",
            json!({"type": "actor", "key": "ukr", "kind": "state", "name": "Ukraine"}),
            json!({"type": "interaction", "source_ids": [record.kz["id"]], "target_ids": ["ukr"],
                   "event_type": "aid", "start": "2022-03",
                   "citations": [{"citation_id": record.article["id"]}]})
        ))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let aid = json(target.get("/v1/interactions?target=ukraine").await).await;
    assert_eq!(aid["items"][0]["event_type"], "aid");
}

#[tokio::test]
async fn an_actors_timeline_shows_its_interactions_directly_and_through_its_officials() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    let (_, sanction) = seed_interaction(&app, &record).await;
    // Xi, President of China since 2013, agrees something with Kazakhstan.
    let agreement = app
        .create(
            "/v1/interactions",
            json!({"source_ids": [record.xi["id"]], "target_ids": [record.kz["id"]],
                   "event_type": "agree", "start": "2022-09-14",
                   "citations": [{"citation_id": record.fmprc["id"]}]}),
        )
        .await;
    let kz = json(app.get("/v1/actors/kazakhstan/timeline?order=desc").await).await;
    let ours: Vec<(&str, &str, &str)> = kz["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["record"] == "interaction")
        .map(|e| {
            (
                e["interaction"]["id"].as_str().unwrap_or_default(),
                e["capacity"].as_str().unwrap_or_default(),
                e["date"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        ours,
        [
            (uuid_of(&agreement).as_str(), "target", "2022-09-14"),
            (uuid_of(&sanction).as_str(), "target", "2022"),
        ]
    );
    let china = json(app.get("/v1/actors/china/timeline").await).await;
    let through_xi = china["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["record"] == "interaction")
        .cloned()
        .unwrap_or_default();
    assert_eq!(through_xi["interaction"]["id"], agreement["id"]);
    assert_eq!(through_xi["capacity"], "source");
    assert_eq!(through_xi["via"]["slug"], "xi-jinping");
    let own = json(app.get("/v1/actors/china/timeline?via_roles=false").await).await;
    assert!(
        own["items"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|e| e["record"] != "interaction")
    );
}
