//! The demo dataset: the seed article, and the questions it answers.

use crate::helpers::*;

#[tokio::test]
async fn the_demo_dataset_loads_and_loading_it_again_changes_nothing() {
    let app = spawn_app().await;
    let first = chancery::seed::load_demo(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(
        (
            first.citations,
            first.actors,
            first.roles,
            first.visits,
            first.statements
        ),
        (12, 19, 8, 7, 7)
    );
    let counts = |app: &TestApp| {
        let app_pool = app.pool.clone();
        async move {
            let mut counts = Vec::new();
            for table in [
                "actors",
                "roles",
                "citations",
                "visits",
                "statements",
                "statement_citations",
                "visit_citations",
                "role_citations",
            ] {
                let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
                    .fetch_one(&app_pool)
                    .await
                    .unwrap_or(-1);
                counts.push(n);
            }
            counts
        }
    };
    let before = counts(&app).await;
    let second = chancery::seed::load_demo(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(second.total(), 0);
    assert_eq!(counts(&app).await, before);
}

#[tokio::test]
async fn the_seed_command_loads_the_demo_dataset_once() {
    let url = fresh_database().await;
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_chancery"))
            .arg("seed")
            .env("DATABASE_URL", &url)
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let first = run();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stderr).contains("7 visits"));
    let second = run();
    assert!(String::from_utf8_lossy(&second.stderr).contains("nothing changed"));
}

#[tokio::test]
async fn the_article_answers_who_visited_kazakhstan_in_2022_with_sources() {
    let app = spawn_app().await;
    chancery::seed::load_demo(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let visits = json(
        app.get("/v1/visits?host=kazakhstan&from=2022&to=2022")
            .await,
    )
    .await;
    let mut first_visitors: Vec<String> = visits["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["visitors"][0]["slug"].as_str().map(str::to_owned))
        .collect();
    first_visitors.sort();
    assert_eq!(
        first_visitors,
        [
            "charles-michel",
            "josep-borrell",
            "recep-tayyip-erdogan",
            "vladimir-putin",
            "xi-jinping"
        ]
    );
    for visit in visits["items"].as_array().into_iter().flatten() {
        let sources: Vec<&str> = visit["citations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["citation"]["source"].as_str())
            .collect();
        assert!(sources.contains(&"Eurasia Daily Monitor"), "{visit}");
        assert!(sources.len() >= 2, "{visit}");
    }
    // Precision as the article allows: Borrell's days, the others' months.
    let borrell = visits["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["visitors"][0]["slug"] == "josep-borrell")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (borrell["start"].as_str(), borrell["end"].as_str()),
        (Some("2022-11-16"), Some("2022-11-17"))
    );
    let putin = visits["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["visitors"][0]["slug"] == "vladimir-putin")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (putin["start"].as_str(), putin["kind"].as_str()),
        (Some("2022-10"), Some("summit"))
    );
}

#[tokio::test]
async fn the_article_answers_what_xi_jinping_pledged_and_where_it_is_sourced() {
    let app = spawn_app().await;
    chancery::seed::load_demo(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let pledges = json(
        app.get("/v1/statements?speaker=xi-jinping&kind=pledge")
            .await,
    )
    .await;
    let items = pledges["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1);
    let pledge = &items[0];
    assert!(
        pledge["text"]
            .as_str()
            .is_some_and(|t| t.contains("territorial integrity"))
    );
    assert_eq!(pledge["on_behalf_of"]["slug"], "china");
    assert_eq!(pledge["subjects"][0]["actor"]["slug"], "kazakhstan");
    assert_eq!(pledge["stated_on"], "2022-09");
    let visit = json(
        app.get(&format!(
            "/v1/visits/{}",
            pledge["visit_id"].as_str().unwrap_or_default()
        ))
        .await,
    )
    .await;
    assert_eq!(visit["place"], "Astana");
    let fmprc = &pledge["citations"][0]["citation"];
    assert_eq!(fmprc["published_on"], "2022-09-15");
    assert_eq!(pledge["citations"][1]["locator"], "paragraph 3");
}

#[tokio::test]
async fn every_claim_in_the_demo_cites_the_article() {
    let app = spawn_app().await;
    chancery::seed::load_demo(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let article = json(app.get("/v1/citations?q=multi-vector").await).await;
    let id = article["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let cited_by = json(
        app.get(&format!("/v1/citations/{id}/cited-by?limit=500"))
            .await,
    )
    .await;
    let count = |kind: &str| {
        cited_by["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|i| i["resource"] == kind)
            .count()
    };
    assert_eq!(
        (count("role"), count("statement"), count("visit")),
        (8, 7, 7)
    );
}

#[tokio::test]
async fn demo_roles_are_dated_so_only_the_office_holders_of_the_day_answer() {
    let app = spawn_app().await;
    chancery::seed::load_demo(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let holders = |page: serde_json::Value| -> Vec<String> {
        let mut slugs: Vec<String> = page["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| r["actor"]["slug"].as_str().unwrap_or("").to_owned())
            .collect();
        slugs.sort();
        slugs
    };
    let on_2022 = json(
        app.get("/v1/actors/kazakhstan/roles?on=2022-10-01&side=of_actor")
            .await,
    )
    .await;
    assert_eq!(
        holders(on_2022),
        ["bolat-akchulakov", "kassym-jomart-tokayev"],
        "Nazarbayev's presidency ended in March 2019"
    );
    let on_2010 = json(
        app.get("/v1/actors/kazakhstan/roles?on=2010&side=of_actor")
            .await,
    )
    .await;
    assert_eq!(holders(on_2010), ["nursultan-nazarbayev"]);
}
