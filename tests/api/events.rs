//! Event data in: ICEWS files through `/v1/import`, on real published rows
//! (tests/data/icews/README.md says where from) and on files written for the edge cases.

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

const SAMPLE: &str = include_str!("../data/icews/sample.tab");

fn header() -> &'static str {
    SAMPLE.lines().next().unwrap_or_default()
}

/// The sample's header and the rows whose lines (from 2) `keep` picks.
fn rows(keep: impl Fn(usize, &str) -> bool) -> String {
    let mut file = format!("{}\n", header());
    for (i, line) in SAMPLE.lines().enumerate().skip(1) {
        if keep(i + 1, line) {
            file.push_str(line);
            file.push('\n');
        }
    }
    file
}

async fn import_tsv(app: &TestApp, query: &str, body: impl Into<Vec<u8>>) -> Response {
    app.request(Method::POST, &format!("/v1/import/events{query}"))
        .bearer_auth(&app.write_token)
        .header("Content-Type", "text/tab-separated-values")
        .body(body.into())
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST /v1/import/events: {e}"))
}

async fn imported(app: &TestApp, query: &str, body: impl Into<Vec<u8>>) -> Value {
    let response = import_tsv(app, query, body).await;
    assert_eq!(response.status(), StatusCode::OK);
    json(response).await
}

/// The visits of a day to a host, as `GET /v1/visits` lists them.
async fn visits(app: &TestApp, query: &str) -> Vec<Value> {
    let page = json(app.get(&format!("/v1/visits?{query}")).await).await;
    page["items"].as_array().cloned().unwrap_or_default()
}

fn slugs(actors: &Value) -> Vec<&str> {
    actors
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["slug"].as_str())
        .collect()
}

#[tokio::test]
async fn an_icews_file_becomes_cited_visits_and_interactions() {
    let app = spawn_app().await;
    let summary = imported(&app, "?dataset_file=icews-weekly-2018-10", SAMPLE).await;
    // 40 rows: 24 visit rows (each visit coded twice, 042 by the visitor and 043 by the host,
    // and one visit told by two stories) make 10 visits; 13 other placed rows make 9
    // interactions (a day's 036 by Moon Jae-in and by South Korea toward Kazakhstan are one
    // AGREE); 3 rows have codes PLOVER does not place.
    assert_eq!(summary["lines"], 41);
    assert_eq!(summary["visits"], 10);
    assert_eq!(summary["interactions"], 9);
    assert_eq!(summary["rows_merged"], 18);
    assert_eq!(summary.get("rows_repeated"), None);
    let skipped = summary["skipped"].as_array().cloned().unwrap_or_default();
    let lines: Vec<&Value> = skipped
        .iter()
        .flat_map(|s| s["lines"].as_array().into_iter().flatten())
        .collect();
    assert_eq!(lines, [&json!(40), &json!(41), &json!(38)], "{skipped:?}");
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("no PLOVER type")
    );

    // Russia's visit to Kazakhstan on 29 October 2018: Russia coded it (042, event 33748605)
    // and Kazakhstan coded hosting it (043, event 33748620), from one Interfax story.
    let found = visits(
        &app,
        "host=kazakhstan&from=2018-10-29&to=2018-10-29&visitor=russian-federation",
    )
    .await;
    assert_eq!(found.len(), 1, "{found:?}");
    let visit = &found[0];
    assert_eq!(slugs(&visit["visitors"]), ["russian-federation"]);
    assert_eq!(visit["host"]["slug"], "kazakhstan");
    assert_eq!(visit["visitor_principal"]["slug"], "russian-federation");
    assert_eq!(visit["kind"], "other");
    assert_eq!(visit["start"], "2018-10-29");
    let citations = visit["citations"].as_array().cloned().unwrap_or_default();
    assert_eq!(citations.len(), 2, "{citations:?}");
    assert_eq!(citations[0]["citation"]["source"], "Interfax News Service");
    assert_eq!(
        citations[0]["citation"]["title"],
        "Story 48434215 (as coded in ICEWS)"
    );
    assert_eq!(citations[0]["locator"], "sentence 2");
    assert_eq!(citations[1]["citation"]["title"], "icews-weekly-2018-10");
    assert_eq!(citations[1]["locator"], "event 33748605; event 33748620");

    // The head of government of Kazakhstan, coded for Kazakhstan: a visitor of kind `other`,
    // counted for Kazakhstan, with the dataset's sectors.
    let found = visits(&app, "host=finland&from=2018-10-17&to=2018-10-17").await;
    assert_eq!(
        slugs(&found[0]["visitors"]),
        ["head-of-government-kazakhstan"]
    );
    assert_eq!(found[0]["visitor_principal"]["slug"], "kazakhstan");
    let official = json(app.get("/v1/actors/head-of-government-kazakhstan").await).await;
    assert_eq!(official["kind"], "other");
    assert_eq!(official["country_code"], "KZ");
    assert!(
        official["description"]
            .as_str()
            .unwrap_or("")
            .starts_with("Sectors (ICEWS): ")
    );

    // States by their ISO or common names: "Russian Federation" and "Russia" are one.
    let russia = json(app.get("/v1/actors?q=russia&kind=state").await).await;
    assert_eq!(
        russia["items"].as_array().map(Vec::len),
        Some(1),
        "{russia}"
    );
    // An interaction keeps its CAMEO code, with PLOVER's type and contexts.
    let page = json(
        app.get("/v1/interactions?source=russian-federation&target=kazakhstan")
            .await,
    )
    .await;
    let signed = &page["items"][0];
    assert_eq!(signed["event_type"], "support");
    assert_eq!(signed["source_code"], "057");
    assert_eq!(signed["source_principal"]["slug"], "russian-federation");
    assert_eq!(signed["target_principal"]["slug"], "kazakhstan");
    assert_eq!(signed["contexts"], json!(["diplomatic"]));
}

#[tokio::test]
async fn loading_again_changes_nothing_and_a_later_file_joins_the_records_of_its_events() {
    let app = spawn_app().await;
    // The visitors' side first (042), then the whole file: its hosts' rows (043) join the
    // visits the first made, which the feed shows as new versions.
    let visitors_side = rows(|_, line| line.split('\t').nth(6) != Some("043"));
    let first = imported(&app, "", visitors_side).await;
    assert_eq!(first["visits"], 10);
    let changes = app.count("changes").await;
    // Rows skipped (codes PLOVER does not place) are not noted: they are reported each time.
    let kept = |summary: &Value| {
        let skipped: u64 = summary["skipped"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["rows"].as_u64())
            .sum();
        summary["lines"].as_u64().unwrap_or(0) - 1 - skipped
    };
    let second = imported(&app, "", SAMPLE).await;
    assert_eq!(second["visits"], 0);
    assert_eq!(second.get("interactions"), None);
    assert_eq!(second["rows_repeated"], kept(&first));
    // Every host's row joined the visit its visitor's row made.
    assert_eq!(second["rows_merged"].as_u64(), Some(37 - kept(&first)));
    let found = visits(
        &app,
        "host=kazakhstan&from=2018-10-29&to=2018-10-29&visitor=russian-federation",
    )
    .await;
    let locators: Vec<&Value> = found[0]["citations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| &c["locator"])
        .collect();
    // The host's row cites what the visitor's did: the links stay as the first file made them.
    assert_eq!(locators, [&json!("sentence 2"), &json!("event 33748605")]);
    assert!(app.count("changes").await > changes);

    // A third time: nothing at all.
    let (changes, visits_stored) = (app.count("changes").await, app.count("visits").await);
    let third = imported(&app, "", SAMPLE).await;
    assert_eq!(third["rows_repeated"], 37);
    assert_eq!(third.get("rows_merged"), None);
    assert_eq!(app.count("changes").await, changes);
    assert_eq!(app.count("visits").await, visits_stored);
    assert_eq!(app.count("event_rows").await, 37);
}

#[tokio::test]
async fn each_row_is_a_record_of_its_own_when_asked() {
    let app = spawn_app().await;
    let summary = imported(&app, "?merge_events=false", SAMPLE).await;
    assert_eq!(summary["visits"], 24);
    assert_eq!(summary["interactions"], 13);
    assert_eq!(summary.get("rows_merged"), None);
}

#[tokio::test]
async fn the_dataset_coding_is_what_the_analyses_count() {
    let app = spawn_app().await;
    imported(&app, "", SAMPLE).await;
    // Nobody imported holds a role: each counts for the state its row codes it for.
    // Kazakhstan in October 2018, visits only: Finland twice (Nazarbayev on the 16th, the
    // head of government on the 17th), Serbia, the United States, Iran, Turkey and Russia once.
    let answer = json(
        app.get("/v1/actors/kazakhstan/engagement?from=2018-10&to=2018-10&basis=visits")
            .await,
    )
    .await;
    let partners: Vec<(String, u64)> = crate::engagement::partners(&answer["window"])
        .into_iter()
        .map(|(slug, count, _)| (slug, count))
        .collect();
    assert_eq!(
        partners.first(),
        Some(&("finland".to_owned(), 2)),
        "{answer}"
    );
    let mut rest: Vec<&str> = partners[1..].iter().map(|(s, _)| s.as_str()).collect();
    rest.sort_unstable();
    assert_eq!(
        rest,
        [
            "iran",
            "russian-federation",
            "serbia",
            "turkey",
            "united-states"
        ]
    );
    assert_eq!(answer["window"]["n"], 7);
}

/// The row with its `č` (UTF-8 `c4 8d`) written as Latin-1 would write `è` (`e8`).
fn latin1(row: &str) -> Vec<u8> {
    let mut bytes = row.as_bytes().to_vec();
    if let Some(at) = bytes.windows(2).position(|w| w == [0xc4, 0x8d]) {
        bytes.splice(at..at + 2, [0xe8]);
    }
    bytes.push(b'\n');
    bytes
}

#[tokio::test]
async fn faulty_files_are_refused_naming_line_and_column_and_leave_nothing() {
    let app = spawn_app().await;
    let row = SAMPLE.lines().nth(1).unwrap_or_default();
    let cases: Vec<(&str, Vec<u8>, usize, &str)> = vec![
        (
            "a misspelt column",
            header().replace("Event Date", "Event Dat").into_bytes(),
            1,
            "#/header",
        ),
        (
            "a date that is not one",
            format!(
                "{}\n{row}\n{}\n",
                header(),
                row.replace("2018-10-08", "2018-13-08")
            )
            .into_bytes(),
            3,
            "#/Event Date",
        ),
        (
            "an unknown code",
            format!("{}\n{}\n", header(), row.replace("\t042\t", "\t999\t")).into_bytes(),
            2,
            "#/CAMEO Code",
        ),
        (
            "too few columns",
            format!(
                "{}\n{}\n",
                header(),
                row.rsplit_once('\t').map_or("", |(a, _)| a)
            )
            .into_bytes(),
            2,
            "#",
        ),
        (
            "bytes that are not UTF-8",
            [format!("{}\n{row}\n", header()).into_bytes(), latin1(row)].concat(),
            3,
            "#/Source Name",
        ),
        ("an empty file", Vec::new(), 1, "#/header"),
    ];
    for (what, body, line, pointer) in cases {
        let refused = problem(
            import_tsv(&app, "", body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        let first = &refused["lines"][0];
        assert_eq!(first["line"], line, "{what}: {refused}");
        assert_eq!(first["pointer"], pointer, "{what}: {refused}");
    }
    for table in [
        "visits",
        "interactions",
        "actors",
        "citations",
        "event_rows",
        "changes",
    ] {
        assert_eq!(app.count(table).await, 0, "{table}");
    }
    // A good row after a bad one is not kept either.
    let body = format!("{}\n{row}\n{}\n", header(), row.replace("042", "4x2"));
    problem(
        import_tsv(&app, "", body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(app.count("visits").await, 0);
    // The format is ICEWS's; records go to /v1/import, event data to /v1/import/events.
    let refused = problem(
        import_tsv(&app, "?format=gdelt", SAMPLE).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(pointers(&refused), ["#/query/format"]);
    let as_records = app
        .request(Method::POST, "/v1/import")
        .bearer_auth(&app.write_token)
        .header("Content-Type", "text/tab-separated-values")
        .body(SAMPLE)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    problem(as_records, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let by_name = app
        .request(Method::POST, "/v1/import/events?format=icews")
        .bearer_auth(&app.write_token)
        .header("Content-Type", "text/plain")
        .body(SAMPLE)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(by_name.status(), StatusCode::OK);
}

#[tokio::test]
async fn one_import_of_event_data_at_a_time() {
    let app = spawn_app().await;
    let mut other = app.pool.begin().await.unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('chancery:event-import'))")
        .execute(&mut *other)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let refused = problem(
        import_tsv(&app, "", SAMPLE).await,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap_or("")
            .contains("another import of event data")
    );
    assert_eq!(app.count("visits").await, 0);
    other.rollback().await.unwrap_or_else(|e| panic!("{e}"));
    imported(&app, "", SAMPLE).await;
}

#[tokio::test]
async fn a_gzip_body_is_read_and_a_truncated_one_refused() {
    use std::io::Write;
    let app = spawn_app().await;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(SAMPLE.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let packed = gz.finish().unwrap_or_else(|e| panic!("{e}"));
    let send = |body: Vec<u8>| {
        app.request(Method::POST, "/v1/import/events?format=icews")
            .bearer_auth(&app.write_token)
            .header("Content-Encoding", "gzip")
            .body(body)
            .send()
    };
    let cut = send(packed[..packed.len() - 12].to_vec())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let refused = problem(cut, StatusCode::BAD_REQUEST).await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap_or("")
            .contains("request body"),
        "{refused}"
    );
    assert_eq!(app.count("visits").await, 0);
    let whole = send(packed).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json(whole).await["visits"], 10);
}

#[tokio::test]
async fn every_state_is_ranked_as_its_own_engagement_counts_it() {
    let app = spawn_app().await;
    imported(&app, "", SAMPLE).await;
    let window = "from=2018-10&to=2018-10&basis=visits,interactions";
    let ranking = json(app.get(&format!("/v1/engagement?{window}")).await).await;
    let items = ranking["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(ranking["total"].as_u64(), Some(items.len() as u64));
    assert_eq!(items[0]["actor"]["slug"], "kazakhstan", "{ranking}");
    assert_eq!(items[0]["n"], 12);
    assert!(items.iter().all(|i| i["actor"]["kind"] == "state"));
    // Each row is what that state's own engagement says.
    for item in &items {
        let slug = item["actor"]["slug"].as_str().unwrap_or("");
        let own = json(
            app.get(&format!("/v1/actors/{slug}/engagement?{window}"))
                .await,
        )
        .await;
        assert_eq!(item["n"], own["window"]["n"], "{slug}");
        assert_eq!(item["hhi"], own["window"]["hhi"], "{slug}");
        assert_eq!(item["top_partner"], own["window"]["top_partner"], "{slug}");
    }
    // Sorted as asked, paged, and as CSV.
    let by_hhi = json(
        app.get(&format!(
            "/v1/engagement?{window}&sort=hhi&order=asc&limit=2&offset=1"
        ))
        .await,
    )
    .await;
    let hhi: Vec<f64> = items.iter().filter_map(|i| i["hhi"].as_f64()).collect();
    let mut sorted = hhi.clone();
    sorted.sort_by(f64::total_cmp);
    let page: Vec<f64> = by_hhi["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["hhi"].as_f64())
        .collect();
    assert_eq!(page, sorted[1..3]);
    let csv = app
        .request(Method::GET, &format!("/v1/engagement?{window}"))
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    assert!(
        csv.starts_with("actor_id,actor_slug,actor_name,n,hhi,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), items.len() + 1);
    let refused = problem(
        app.get("/v1/engagement?kind=person").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(pointers(&refused), ["#/query/kind"]);
}
