//! The explorer page, loaded in a real browser (headless Chromium).

use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use serde_json::json;

use crate::engagement::demo_app;
use crate::helpers::*;

fn chromium() -> PathBuf {
    ["chromium", "chromium-browser"]
        .iter()
        .filter_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join(name))
                    .find(|path| path.is_file())
            })
        })
        .next()
        .unwrap_or_else(|| {
            panic!("headless Chromium is needed: apt-get install chromium (scripts/ensure-tools)")
        })
}

/// Runs headless Chromium on a page (without blocking the server, which runs on this
/// test's runtime) and returns what it printed.
async fn browse(url: &str, extra: &[&str]) -> String {
    let profile = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("chromium-{}", uuid::Uuid::now_v7().simple()));
    let output = tokio::time::timeout(
        std::time::Duration::from_secs(90),
        tokio::process::Command::new(chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,1800",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(url)
            .output(),
    )
    .await
    .unwrap_or_else(|_| panic!("Chromium did not finish loading {url}"))
    .unwrap_or_else(|e| panic!("running Chromium: {e}"));
    let _ = std::fs::remove_dir_all(&profile);
    assert!(
        output.status.success(),
        "Chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn the_explorer_shows_kazakhstans_2022_partners_in_a_real_browser() {
    let app = demo_app().await;
    let url = app.url("/explore/kazakhstan?from=2022&to=2022&by=quarter");
    let dom = browse(&url, &["--dump-dom"]).await;
    assert!(dom.contains(r#"id="engagement-chart""#), "no chart: {dom}");
    // One bar per quarter, and in them a share for each partner of the year.
    assert_eq!(dom.matches(r#"class="period""#).count(), 4);
    for (partner, quarters) in [
        ("russia", 2),
        ("turkey", 2),
        ("european-union", 1),
        ("china", 1),
        ("uzbekistan", 1),
    ] {
        let shares = dom
            .matches(&format!(r#"class="share" data-partner="{partner}""#))
            .count();
        assert_eq!(shares, quarters, "{partner}");
        assert!(
            dom.contains(&format!(r#"<tr data-partner="{partner}">"#)),
            "{partner} is not in the table"
        );
    }
    // The HHI line runs through the three quarters with records (Q1 is empty).
    assert_eq!(dom.matches(r#"class="hhi-point""#).count(), 3);
    assert!(dom.contains("<b>0.244</b>"), "the year's HHI");
    assert!(dom.contains("<b>4.09</b>"), "effective partners");
    // The evidence: records with their sources, and the timeline.
    assert!(
        dom.contains("Fmprc.gov.cn"),
        "Xi's visit cites the Chinese foreign ministry"
    );
    assert!(dom.contains(r#"id="timeline""#));
    assert!(!dom.contains("<script"), "the page runs no script");

    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/explorer");
    std::fs::create_dir_all(&shots).unwrap_or_else(|e| panic!("{e}"));
    let shot = shots.join("kazakhstan-2022.png");
    browse(&url, &[&format!("--screenshot={}", shot.display())]).await;
    let png = std::fs::read(&shot).unwrap_or_default();
    assert!(
        png.starts_with(b"\x89PNG"),
        "no screenshot at {}",
        shot.display()
    );
}

#[tokio::test]
async fn the_explorer_escapes_what_it_shows_and_explains_bad_questions() {
    let app = demo_app().await;
    let hostile = app
        .create_actor(json!({"kind": "state", "name": "<script>alert(1)</script> & \"Co\"", "slug": "hostile"}))
        .await;
    let page = app.get("/explore").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(
        header(&page, "content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    let policy = header(&page, "content-security-policy").unwrap_or_default();
    assert!(policy.contains("default-src 'none'"), "{policy}");
    let html = page.text().await.unwrap_or_default();
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;"),
        "{html}"
    );
    assert!(!html.contains("<script"));
    let dom = browse(
        &app.url(&format!("/explore/{}", uuid_of(&hostile))),
        &["--dump-dom"],
    )
    .await;
    assert!(!dom.contains("<script"), "{dom}");

    let backwards = app.get("/explore/kazakhstan?from=2023&to=2022").await;
    assert_eq!(backwards.status(), StatusCode::BAD_REQUEST);
    // A page's error is a page, for the person reading it, not a problem document.
    assert_eq!(
        backwards
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/html; charset=utf-8")
    );
    let text = backwards.text().await.unwrap_or_default();
    assert!(text.contains("is before `from`"), "{text}");
    assert!(text.contains(r#"<p class="error" role="alert">"#), "{text}");
    assert_eq!(
        app.get("/explore/atlantis").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/explore?actor=kazakhstan&colour=red")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    let picked = app.get("/explore?actor=kazakhstan&from=2022&to=2022").await;
    assert_eq!(picked.status(), StatusCode::OK);
    assert!(
        picked
            .text()
            .await
            .unwrap_or_default()
            .contains(r#"id="engagement-chart""#)
    );
}

#[tokio::test]
async fn the_api_docs_render_under_their_content_security_policy() {
    let app = spawn_app().await;
    let response = app.get("/docs/").await;
    let policy = response
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(!policy.contains("unsafe-eval"), "{policy}");
    // Swagger UI builds the page with script: if the policy blocked it, no operation shows.
    let dom = browse(
        &app.url("/docs/"),
        &["--dump-dom", "--virtual-time-budget=15000"],
    )
    .await;
    assert!(dom.contains("opblock"), "no operation rendered:\n{dom}");
    assert!(dom.contains("/v1/actors/{actor}/engagement"), "{dom}");
}

#[tokio::test]
async fn the_front_page_ranks_every_state_and_links_each_to_its_page() {
    let app = spawn_app().await;
    let sample = include_str!("../data/icews/sample.tab");
    let imported = app
        .request(reqwest::Method::POST, "/v1/import/events")
        .bearer_auth(&app.write_token)
        .header("Content-Type", "text/tab-separated-values")
        .body(sample)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(imported.status(), StatusCode::OK);
    let question = "from=2018-10&to=2018-10&basis=visits,interactions";
    let dom = browse(&app.url(&format!("/explore?{question}")), &["--dump-dom"]).await;
    assert!(dom.contains(r#"id="ranking""#), "no ranking: {dom}");
    // The API's order: Kazakhstan, with the most records, first; each state links to its page
    // with the same question.
    let rows: Vec<&str> = dom
        .match_indices(r#"<tr data-actor=""#)
        .map(|(at, m)| {
            let slug = &dom[at + m.len()..];
            &slug[..slug.find('"').unwrap_or(0)]
        })
        .collect();
    let api = json(
        app.get(&format!("/v1/engagement?{question}&limit=1000"))
            .await,
    )
    .await;
    let ranked: Vec<&str> = api["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["actor"]["slug"].as_str())
        .collect();
    assert_eq!(rows, ranked);
    assert_eq!(rows.first(), Some(&"kazakhstan"));
    let link = format!(r#"href="/explore/kazakhstan?{question}""#).replace('&', "&amp;");
    assert!(dom.contains(&link), "no link {link}: {dom}");
    // Sorted by a column, as the API sorts.
    let by_hhi = browse(
        &app.url(&format!("/explore?{question}&sort=hhi")),
        &["--dump-dom"],
    )
    .await;
    let first = by_hhi.find(r#"<tr data-actor=""#).unwrap_or(0);
    let api = json(
        app.get(&format!("/v1/engagement?{question}&sort=hhi&limit=1"))
            .await,
    )
    .await;
    let top = api["items"][0]["actor"]["slug"].as_str().unwrap_or("?");
    assert!(by_hhi[first..].starts_with(&format!(r#"<tr data-actor="{top}""#)));
    // The linked page counts what the row says.
    let page = app.get(&format!("/explore/kazakhstan?{question}")).await;
    let text = page.text().await.unwrap_or_default();
    assert!(text.contains("<b>0.167</b>"), "Kazakhstan's HHI: {text}");
}
