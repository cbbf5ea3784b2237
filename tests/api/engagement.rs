//! The engagement index on the demo data: the seed article's question, answered.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

pub async fn demo_app() -> TestApp {
    let app = spawn_app().await;
    chancery::seed::load_demo(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    app
}

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-9)
}

/// (slug, count, share) of each partner, heaviest first.
pub fn partners(portfolio: &Value) -> Vec<(String, u64, f64)> {
    portfolio["partners"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["actor"]["slug"].as_str().unwrap_or("").to_owned(),
                p["count"].as_u64().unwrap_or(0),
                (p["share"].as_f64().unwrap_or(-1.0) * 1e6).round() / 1e6,
            )
        })
        .collect()
}

#[tokio::test]
async fn kazakhstan_2022_spreads_its_engagement_across_russia_turkey_the_eu_and_china() {
    let app = demo_app().await;
    let answer = json(
        app.get("/v1/actors/kazakhstan/engagement?from=2022&to=2022&by=quarter")
            .await,
    )
    .await;
    // Worked from the article (demo/kazakhstan-2022.json), each record counted for the state
    // or organization its people held office in at the time:
    //   Russia  5: Tokayev in Sochi (Aug), Putin at the CICA summit in Astana (Oct), Tokayev
    //              on new transit routes (Jul), Putin's gas-union proposal (2022),
    //              Akchulakov's denial (Nov)
    //   Turkey  4: Tokayev's trip (May) and his words there, Erdoğan's visit (Oct) and his
    //   EU      3: Michel's visit (Oct) and his "powerhouse" words, Borrell in Astana (Nov)
    //   China   2: Xi's official visit (Sep) and his pledge
    //   Uzbekistan 1: Akchulakov's denial is about Russia and Uzbekistan
    // 15 record-partner pairs from 14 records. Shares 5/15, 4/15, 3/15, 2/15, 1/15:
    //   HHI = (25 + 16 + 9 + 4 + 1) / 225 = 55/225 = 0.244444; effective partners 225/55 = 4.0909
    //   entropy = −Σ p ln p = 1.489750 nats; evenness = 1.489750 / ln 5 = 0.925634.
    let window = &answer["window"];
    assert_eq!(window["n"], 14);
    assert_eq!(
        partners(window),
        [
            ("russia".into(), 5, 0.333333),
            ("turkey".into(), 4, 0.266667),
            ("european-union".into(), 3, 0.2),
            ("china".into(), 2, 0.133333),
            ("uzbekistan".into(), 1, 0.066667),
        ]
    );
    assert!(close(&window["hhi"], 55.0 / 225.0), "{window}");
    assert!(close(&window["effective_partners"], 225.0 / 55.0));
    let entropy: f64 = [5.0, 4.0, 3.0, 2.0, 1.0]
        .iter()
        .map(|c: &f64| -(c / 15.0) * (c / 15.0).ln())
        .sum();
    assert!(close(&window["entropy"], entropy));
    assert!((entropy - 1.489750).abs() < 1e-6);
    assert!(close(&window["evenness"], entropy / 5f64.ln()));
    assert!(close(&window["exp_entropy"], entropy.exp()));
    assert_eq!(window["top_partner"]["slug"], "russia");
    assert!(close(&window["top_share"], 1.0 / 3.0));

    // By quarter: nothing in Q1; Q2 Turkey only (the May trip and words); Q3 Russia 2 (Sochi,
    // Tokayev's July declaration) and China 2 (Xi); Q4 the EU 3, Turkey 2, Russia 2 (Putin in
    // Astana, Akchulakov), Uzbekistan 1 over 7 records: HHI (9 + 4 + 4 + 1) / 64 = 0.28125.
    // Putin's proposal is dated only "2022", so it is in the window but in no quarter.
    let periods = answer["periods"].as_array().cloned().unwrap_or_default();
    let labels: Vec<&str> = periods
        .iter()
        .filter_map(|p| p["period"].as_str())
        .collect();
    assert_eq!(labels, ["2022-Q1", "2022-Q2", "2022-Q3", "2022-Q4"]);
    let n: Vec<u64> = periods.iter().filter_map(|p| p["n"].as_u64()).collect();
    assert_eq!(n, [0, 2, 4, 7]);
    assert_eq!(
        periods[0]["hhi"],
        Value::Null,
        "an empty period has null indices"
    );
    assert_eq!(periods[0]["partners"], json!([]));
    assert!(close(&periods[1]["hhi"], 1.0));
    assert!(close(&periods[2]["hhi"], 0.5));
    assert!(close(&periods[3]["hhi"], 0.28125));
    // Q2 → Q3: no partner in common, 1 bit. Q3 (Russia ½, China ½) → Q4 (EU 3/8, Turkey 2/8,
    // Russia 2/8, Uzbekistan 1/8): the mixture has Russia 3/8, China 1/4, EU 3/16, Turkey
    // 1/8, Uzbekistan 1/16, and the divergence is 0.655639 bits.
    assert_eq!(periods[1]["divergence"], Value::Null);
    assert!(close(&periods[2]["divergence"], 1.0));
    assert!((periods[3]["divergence"].as_f64().unwrap_or(0.0) - 0.655639).abs() < 1e-6);
    let unplaced = answer["unplaced"].as_array().cloned().unwrap_or_default();
    assert_eq!(unplaced.len(), 1);
    let proposal = json(app.get(unplaced[0]["href"].as_str().unwrap_or("")).await).await;
    assert_eq!(proposal["speaker"]["slug"], "vladimir-putin");
    assert_eq!(answer["unresolved"], json!([]));

    // Every figure leads to its records, and they to their sources.
    let china = &window["partners"][3];
    let visit = json(
        app.get(&format!(
            "/v1/visits/{}",
            china["visit_ids"][0].as_str().unwrap_or("")
        ))
        .await,
    )
    .await;
    assert_eq!(visit["visitors"][0]["slug"], "xi-jinping");
    assert!(visit["citations"].as_array().is_some_and(|c| !c.is_empty()));
}

#[tokio::test]
async fn direction_partners_basis_and_weights_change_what_counts() {
    let app = demo_app().await;
    let get = |query: &'static str| {
        let app = &app;
        async move {
            json(
                app.get(&format!(
                    "/v1/actors/kazakhstan/engagement?from=2022&to=2022{query}"
                ))
                .await,
            )
            .await
        }
    };
    // Out: Tokayev's two trips and two declarations, Akchulakov's denial.
    let out = get("&direction=out").await;
    assert_eq!(
        partners(&out["window"]),
        [
            ("russia".into(), 3, 0.5),
            ("turkey".into(), 2, 0.333333),
            ("uzbekistan".into(), 1, 0.166667),
        ]
    );
    let statements = get("&basis=statements").await;
    assert_eq!(
        statements["window"]["n"], 7,
        "the article's seven statements"
    );
    let visits_in = get("&direction=in&basis=visits").await;
    assert_eq!(
        visits_in["window"]["n"], 5,
        "Xi, Erdoğan, Putin, Michel, Borrell"
    );
    assert_eq!(visits_in["basis"], json!(["visit"]));
    let vectors = get("&partners=russia,china").await;
    assert_eq!(
        partners(&vectors["window"]),
        [
            ("russia".into(), 5, 0.714286),
            ("china".into(), 2, 0.285714)
        ]
    );
    // Heads of state weigh 3, an official visit twice: Russia 3+3+3+3+1 (Akchulakov is a
    // minister), Turkey 4 × 3, China 3 × 2 + 3, the EU 3 + 3 + 1 (Borrell is the EU's foreign
    // minister), Uzbekistan 1.
    let weighted = get("&weights=rank:head_of_state=3;visit_kind:official=2").await;
    let weights: Vec<(String, f64)> = weighted["window"]["partners"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["actor"]["slug"].as_str().unwrap_or("").to_owned(),
                p["weight"].as_f64().unwrap_or(0.0),
            )
        })
        .collect();
    assert_eq!(
        weights,
        [
            ("russia".into(), 13.0),
            ("turkey".into(), 12.0),
            ("china".into(), 9.0),
            ("european-union".into(), 7.0),
            ("uzbekistan".into(), 1.0),
        ]
    );
    assert_eq!(weighted["window"]["total_weight"], 42.0);

    // A person is analysed through their own records; their state is not their partner.
    let tokayev = json(
        app.get("/v1/actors/kassym-jomart-tokayev/engagement?from=2022&to=2022")
            .await,
    )
    .await;
    assert_eq!(
        partners(&tokayev["window"]),
        [("russia".into(), 2, 0.5), ("turkey".into(), 2, 0.5)]
    );
}

#[tokio::test]
async fn someone_without_a_role_on_the_day_is_a_partner_in_their_own_right_and_reported() {
    let app = demo_app().await;
    // Nazarbayev's presidency ended in March 2019: in 2022 he speaks for himself.
    let citation = json(app.get("/v1/citations?limit=1").await).await["items"][0]["id"].clone();
    let kz = json(app.get("/v1/actors/kazakhstan").await).await["id"].clone();
    let nazarbayev = json(app.get("/v1/actors/nursultan-nazarbayev").await).await["id"].clone();
    app.create(
        "/v1/statements",
        json!({"speaker_id": nazarbayev, "stated_on": "2022-12", "kind": "declaration",
               "text": "A made-up remark for the test.", "verbatim": false,
               "subjects": [{"actor_id": kz, "stance": "support"}],
               "citations": [{"citation_id": citation}]}),
    )
    .await;
    let answer = json(
        app.get("/v1/actors/kazakhstan/engagement?from=2022-12&to=2022-12")
            .await,
    )
    .await;
    // Putin's proposal, dated "2022", overlaps December too.
    assert_eq!(
        partners(&answer["window"]),
        [
            ("russia".into(), 1, 0.5),
            ("nursultan-nazarbayev".into(), 1, 0.5)
        ],
        "equal weights are ordered by id, and Russia was created first"
    );
    let unresolved = answer["unresolved"].as_array().cloned().unwrap_or_default();
    assert_eq!(unresolved.len(), 1);
    assert_eq!(unresolved[0]["participant"]["slug"], "nursultan-nazarbayev");
    assert_eq!(unresolved[0]["record"]["record"], "statement");
}

#[tokio::test]
async fn engagement_is_csv_on_request() {
    let app = demo_app().await;
    let response = app
        .request(
            Method::GET,
            "/v1/actors/kazakhstan/engagement?from=2022&to=2022&by=quarter",
        )
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let text = response.text().await.unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with(
        "period,start,end,partner_id,partner_slug,partner_name,count,weight,share,n,"
    ));
    // The window's 5 partners, an empty Q1, then 1 + 2 + 4 partners.
    assert_eq!(lines.len(), 1 + 5 + 1 + 1 + 2 + 4, "{text}");
    assert!(lines[1].starts_with("window,,,"), "{text}");
    assert!(
        lines[6].starts_with("2022-Q1,2022-01-01,2022-03-31,,,,,,,0,0,,"),
        "{text}"
    );
}

#[tokio::test]
async fn bad_questions_are_400_naming_the_parameter_and_unknown_actors_404() {
    let app = demo_app().await;
    for (query, pointer) in [
        ("basis=visits,speeches", "#/query/basis"),
        ("weights=rank:emperor=3", "#/query/weights"),
        ("weights=rank=3", "#/query/weights"),
        ("weights=rank:minister=1,minister=2", "#/query/weights"),
        ("by=month&from=1900&to=2000-12", "#/query/by"),
        ("by=week", "#/query/by"),
        ("from=2023&to=2022", "#/query/to"),
        ("direction=sideways", "#/query/direction"),
        ("partners=Not A Slug", "#/query/partners"),
        ("colour=red", "#/query/colour"),
    ] {
        let refused = problem(
            app.get(&format!("/v1/actors/kazakhstan/engagement?{query}"))
                .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(pointers(&refused), [pointer], "{query}: {refused}");
    }
    // A century of months is fine; one month more is not.
    let century = app
        .get("/v1/actors/kazakhstan/engagement?by=month&from=1901&to=2000")
        .await;
    assert_eq!(century.status(), StatusCode::OK);
    assert_eq!(
        json(century).await["periods"].as_array().map(Vec::len),
        Some(1200)
    );

    problem(
        app.get("/v1/actors/atlantis/engagement").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let partner = problem(
        app.get("/v1/actors/kazakhstan/engagement?partners=russia,atlantis")
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert!(
        partner["detail"]
            .as_str()
            .unwrap_or("")
            .contains("atlantis"),
        "{partner}"
    );
}

/// The ranking counts in the database what each actor's engagement counts from its ties: on
/// the demo's records, whose principals come from roles (`principal_of`), in each direction,
/// for states and organizations, with a type filter.
#[tokio::test]
async fn the_ranking_counts_what_each_actors_engagement_counts() {
    let app = demo_app().await;
    for question in [
        "from=2021&to=2023&basis=all",
        "from=2022&to=2022&direction=out",
        "from=2022&to=2022&direction=in",
        "from=2019&to=2024&basis=all&kind=organization",
        "from=2019&to=2024&basis=all&quad_class=verbal_cooperation",
    ] {
        let ranking = json(app.get(&format!("/v1/engagement?{question}")).await).await;
        let items = ranking["items"].as_array().cloned().unwrap_or_default();
        assert!(!items.is_empty(), "{question}: {ranking}");
        for item in &items {
            let slug = item["actor"]["slug"].as_str().unwrap_or("");
            let own_question = question.replace("&kind=organization", "");
            let own = json(
                app.get(&format!("/v1/actors/{slug}/engagement?{own_question}"))
                    .await,
            )
            .await;
            let window = &own["window"];
            for field in ["n", "hhi", "effective_partners", "evenness", "top_partner"] {
                assert_eq!(item[field], window[field], "{question}: {slug} {field}");
            }
        }
    }
}
