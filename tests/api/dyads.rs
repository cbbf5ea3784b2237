//! Dyads on the demo data: Kazakhstan and Russia in 2022, each way.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::engagement::demo_app;
use crate::helpers::*;

fn cells(flow: &Value, list: &str) -> Vec<Value> {
    flow[list]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let mut c = c.clone();
            if let Some(c) = c.as_object_mut() {
                c.retain(|k, _| !k.ends_with("_ids"));
            }
            c
        })
        .collect()
}

#[tokio::test]
async fn kazakhstan_and_russia_in_2022_each_way_by_kind_and_stance() {
    let app = demo_app().await;
    let dyad = json(
        app.get("/v1/dyads?a=kazakhstan&b=russia&from=2022&to=2022&by=quarter")
            .await,
    )
    .await;
    assert_eq!(
        (dyad["a"]["slug"].as_str(), dyad["b"]["slug"].as_str()),
        (Some("kazakhstan"), Some("russia"))
    );
    // Kazakhstan → Russia: Tokayev in Sochi (Aug); Tokayev on new transit routes (Jul) and
    // Akchulakov's denial (Nov), both neutral about Russia.
    let out = &dyad["a_to_b"];
    assert_eq!(
        (out["visits"].as_u64(), out["statements"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        cells(out, "visit_kinds"),
        [json!({"kind": "other", "count": 1})]
    );
    assert_eq!(
        cells(out, "statement_kinds"),
        [
            json!({"kind": "declaration", "stance": "neutral", "count": 1}),
            json!({"kind": "denial", "stance": "neutral", "count": 1}),
        ]
    );
    // Russia → Kazakhstan: Putin at the CICA summit (Oct) and his gas-union proposal (2022).
    let back = &dyad["b_to_a"];
    assert_eq!(
        cells(back, "visit_kinds"),
        [json!({"kind": "summit", "count": 1})]
    );
    assert_eq!(
        cells(back, "statement_kinds"),
        [json!({"kind": "proposal", "stance": "support", "count": 1})]
    );
    let proposal = back["statement_kinds"][0]["statement_ids"][0]
        .as_str()
        .unwrap_or("");
    let statement = json(app.get(&format!("/v1/statements/{proposal}")).await).await;
    assert_eq!(statement["speaker"]["slug"], "vladimir-putin");

    let per_quarter: Vec<(u64, u64, u64, u64)> = dyad["periods"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let n = |f: &str, k: &str| p[f][k].as_u64().unwrap_or(99);
            (
                n("a_to_b", "visits"),
                n("a_to_b", "statements"),
                n("b_to_a", "visits"),
                n("b_to_a", "statements"),
            )
        })
        .collect();
    assert_eq!(
        per_quarter,
        [(0, 0, 0, 0), (0, 0, 0, 0), (1, 1, 0, 0), (0, 1, 1, 0)]
    );
    assert_eq!(
        dyad["unplaced"].as_array().map(Vec::len),
        Some(1),
        "the proposal is dated 2022"
    );

    // The same dyad from the other side swaps the directions.
    let swapped = json(
        app.get("/v1/dyads?a=russia&b=kazakhstan&from=2022&to=2022")
            .await,
    )
    .await;
    assert_eq!(swapped["a_to_b"], dyad["b_to_a"]);
    assert_eq!(swapped["b_to_a"], dyad["a_to_b"]);

    // Only visits: the statements are gone.
    let visits = json(
        app.get("/v1/dyads?a=kazakhstan&b=russia&from=2022&to=2022&basis=visits")
            .await,
    )
    .await;
    assert_eq!(visits["a_to_b"]["statements"], 0);
    assert_eq!(visits["b_to_a"]["visits"], 1);
}

#[tokio::test]
async fn a_dyad_is_csv_on_request_and_bad_pairs_are_refused() {
    let app = demo_app().await;
    let response = app
        .request(
            Method::GET,
            "/v1/dyads?a=kazakhstan&b=china&from=2022&to=2022",
        )
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "period,start,end,direction,record,kind,stance,count,ids"
    );
    // China → Kazakhstan: Xi's official visit and his supportive pledge.
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[1].starts_with("window,,,b_to_a,visit,official,,1,"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("window,,,b_to_a,statement,pledge,support,1,"),
        "{text}"
    );

    for (query, status, pointer) in [
        ("a=kazakhstan", StatusCode::BAD_REQUEST, Some("#/query/b")),
        (
            "a=kazakhstan&b=kazakhstan",
            StatusCode::BAD_REQUEST,
            Some("#/query/b"),
        ),
        (
            "a=kazakhstan&b=Russia!",
            StatusCode::BAD_REQUEST,
            Some("#/query/b"),
        ),
        (
            "a=kazakhstan&b=russia&from=2022-12&to=2022-01",
            StatusCode::BAD_REQUEST,
            Some("#/query/to"),
        ),
        (
            "a=kazakhstan&b=russia&basis=letters",
            StatusCode::BAD_REQUEST,
            Some("#/query/basis"),
        ),
        ("a=kazakhstan&b=atlantis", StatusCode::NOT_FOUND, None),
    ] {
        let refused = problem(app.get(&format!("/v1/dyads?{query}")).await, status).await;
        if let Some(pointer) = pointer {
            assert_eq!(pointers(&refused), [pointer], "{query}: {refused}");
        }
    }
}
