//! The network: its figures on the demo data, and its files read back by networkx and
//! graphology.

use std::path::{Path, PathBuf};
use tokio::process::Command;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::engagement::demo_app;
use crate::helpers::*;

/// (slug, in_strength, out_strength, in_degree, out_degree) of each node, heaviest first.
fn strengths(network: &Value) -> Vec<(String, u64, u64, u64, u64)> {
    network["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| {
            let n_ = |k: &str| n[k].as_u64().unwrap_or(99);
            (
                n["slug"].as_str().unwrap_or("").to_owned(),
                n_("in_strength"),
                n_("out_strength"),
                n_("in_degree"),
                n_("out_degree"),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_2022_network_of_the_article_centres_on_kazakhstan() {
    let app = demo_app().await;
    let network = json(app.get("/v1/network?from=2022&to=2022").await).await;
    // Into Kazakhstan: visits from China, Turkey, Russia and the EU (2 from the EU) and
    // statements about it by Xi, Erdoğan, Michel and Putin = 9 records from 4 partners. Out:
    // Tokayev to Turkey and Sochi and his two declarations, Akchulakov's denial about Russia
    // and Uzbekistan = 6 records to 3 partners. Putin's proposal is about Uzbekistan too.
    assert_eq!(
        strengths(&network),
        [
            ("kazakhstan".into(), 9, 6, 4, 3),
            ("russia".into(), 3, 3, 1, 2),
            ("turkey".into(), 2, 2, 1, 1),
            ("european-union".into(), 0, 3, 0, 1),
            ("china".into(), 0, 2, 0, 1),
            ("uzbekistan".into(), 2, 0, 2, 0),
        ]
    );
    // Everything between others passes through Kazakhstan: of the 5 · 4 ordered pairs of
    // other nodes, 9 are joined only through it (China, the EU, Russia and Turkey to
    // Uzbekistan, Turkey and Russia; Turkey ↔ Russia; and the EU and China to Russia and
    // Turkey), 9 / 20 = 0.45.
    assert_eq!(network["betweenness_computed"], true);
    assert_eq!(network["nodes"][0]["betweenness"], 0.45);
    let edges = network["edges"].as_array().cloned().unwrap_or_default();
    assert_eq!(edges.len(), 8);
    let total: u64 = edges.iter().filter_map(|e| e["weight"].as_u64()).sum();
    assert_eq!(
        total, 16,
        "15 records with Kazakhstan and Putin's words on Uzbekistan"
    );

    // At the participant level the people are nodes of their own.
    let people = json(
        app.get("/v1/network?from=2022&to=2022&level=participant")
            .await,
    )
    .await;
    let slugs: Vec<String> = strengths(&people).into_iter().map(|s| s.0).collect();
    assert!(
        slugs.contains(&"kassym-jomart-tokayev".to_owned()),
        "{slugs:?}"
    );
    assert!(!slugs.contains(&"nursultan-nazarbayev".to_owned()));

    // By quarter, an edge per pair and period; the proposal dated 2022 is on edges of its
    // own, without a period, over the whole year.
    let series = json(app.get("/v1/network?from=2022&to=2022&by=quarter").await).await;
    let edges = series["edges"].as_array().cloned().unwrap_or_default();
    let periods: Vec<&str> = edges.iter().filter_map(|e| e["period"].as_str()).collect();
    assert_eq!(periods.len(), 8, "{periods:?}");
    let coarse: Vec<&Value> = edges.iter().filter(|e| e.get("period").is_none()).collect();
    assert_eq!(
        coarse.len(),
        2,
        "Putin's proposal, to Kazakhstan and to Uzbekistan"
    );
    assert!(
        coarse
            .iter()
            .all(|e| e["start"] == "2022-01-01" && e["end"] == "2022-12-31")
    );
    assert_eq!(series["unplaced"].as_array().map(Vec::len), Some(1));
    assert_eq!(series["periods"].as_array().map(Vec::len), Some(4));
}

/// States and visits between them from a fixed pseudo-random sequence, imported in one go:
/// a network with paths of several lengths, for a betweenness worth comparing.
async fn import_random_visits(app: &TestApp) {
    let mut lines =
        vec![json!({"type": "citation", "key": "src", "source": "Test wire"}).to_string()];
    for i in 0..25 {
        lines.push(json!({"type": "actor", "key": format!("s{i}"), "kind": "state", "name": format!("State {i}"), "slug": format!("state-{i}")}).to_string());
    }
    let mut x: u64 = 7;
    let mut next = |n: u64| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) % n
    };
    for v in 0..90 {
        let (a, b) = (next(25), next(25));
        if a == b {
            continue;
        }
        let month = 1 + next(12);
        lines.push(
            json!({"type": "visit", "key": format!("v{v}"), "visitor_ids": [format!("s{a}")], "host_id": format!("s{b}"),
                   "start": format!("2021-{month:02}"), "kind": "working", "citations": [{"citation_id": "src"}]})
            .to_string(),
        );
    }
    let response = app.import(lines.join("\n")).await;
    assert_eq!(response.status(), StatusCode::OK);
}

async fn fetch(app: &TestApp, query: &str, accept: &str) -> (String, Vec<u8>) {
    let response = app
        .request(Method::GET, &format!("/v1/network?{query}"))
        .header("Accept", accept)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = header(&response, "content-type").unwrap_or_default();
    (
        content_type,
        response.bytes().await.unwrap_or_default().to_vec(),
    )
}

/// Runs a program without blocking this test's runtime (a blocked runtime cannot notice
/// the server closing idle connections, and the next request would fail on one).
async fn run(command: &mut Command) -> String {
    let output = command
        .output()
        .await
        .unwrap_or_else(|e| panic!("running {command:?}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{command:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[tokio::test]
async fn graphml_and_gexf_read_back_in_networkx_and_graphology_with_networkx_betweenness() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readers = PathBuf::from(
        run(&mut Command::new(root.join("tests/readers/setup")))
            .await
            .trim(),
    );
    let app = demo_app().await;
    import_random_visits(&app).await;
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("network-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));

    for query in ["from=2021&to=2022&by=quarter", "level=participant"] {
        let (_, answer) = fetch(&app, query, "application/json").await;
        let (graphml_type, graphml) = fetch(&app, query, "application/graphml+xml").await;
        assert_eq!(graphml_type, "application/graphml+xml");
        let (gexf_type, gexf) = fetch(&app, query, "application/gexf+xml").await;
        assert_eq!(gexf_type, "application/gexf+xml");
        let (_, by_format) = fetch(&app, &format!("{query}&format=gexf"), "application/json").await;
        assert_eq!(by_format.len(), gexf.len(), "format= wins over Accept");
        let answer_value: Value = serde_json::from_slice(&answer).unwrap_or_default();
        assert_eq!(answer_value["betweenness_computed"], true);
        for (name, bytes) in [
            ("answer.json", &answer),
            ("network.graphml", &graphml),
            ("network.gexf", &gexf),
        ] {
            std::fs::write(dir.join(name), bytes).unwrap_or_else(|e| panic!("{e}"));
        }
        let files = ["answer.json", "network.graphml", "network.gexf"].map(|f| dir.join(f));
        let python = run(Command::new(readers.join("venv/bin/python"))
            .arg(root.join("tests/readers/network_check.py"))
            .args(&files))
        .await;
        assert!(python.contains("betweenness of"), "{python}");
        let node = run(Command::new("node")
            .arg(root.join("tests/readers/network_check.cjs"))
            .args(&files)
            .env("NODE_PATH", readers.join("node/node_modules")))
        .await;
        assert!(node.starts_with("graphology:"), "{node}");
    }
}

#[tokio::test]
async fn the_network_is_csv_on_request_and_refuses_bad_questions() {
    let app = demo_app().await;
    let (content_type, body) = fetch(&app, "from=2022&to=2022", "text/csv").await;
    assert_eq!(content_type, "text/csv; charset=utf-8");
    let text = String::from_utf8_lossy(&body);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("source_id,source_slug,source_name,target_id,target_slug,target_name,period,start,end,weight"));
    assert_eq!(lines.len(), 1 + 8);
    for (query, pointer) in [
        ("level=everyone", "#/query/level"),
        ("format=pdf", "#/query/format"),
        ("basis=visits,deeds", "#/query/basis"),
        ("from=2022&to=2021", "#/query/to"),
        ("by=month&from=1000&to=2000", "#/query/by"),
    ] {
        let refused = problem(
            app.get(&format!("/v1/network?{query}")).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(pointers(&refused), [pointer], "{query}: {refused}");
    }
    // Without records in the window, an empty network.
    let empty = json(app.get("/v1/network?from=1990&to=1990").await).await;
    assert_eq!(
        (empty["nodes"].clone(), empty["edges"].clone()),
        (json!([]), json!([]))
    );
}
