//! Bulk import and export.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

async fn export(app: &TestApp, query: &str) -> String {
    let response = app.get(&format!("/v1/export{query}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "content-type").as_deref(),
        Some("application/x-ndjson")
    );
    response.text().await.unwrap_or_default()
}

#[tokio::test]
async fn the_demo_exported_imports_into_an_empty_database_and_exports_back_byte_for_byte() {
    let source = spawn_app().await;
    chancery::seed::load_demo(&source.pool)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let exported = export(&source, "").await;
    assert_eq!(exported.lines().count(), 12 + 19 + 8 + 7 + 7 + 3);
    assert_eq!(
        exported.matches(r#""rank":"head_of_state""#).count(),
        6,
        "roles carry their rank through export and import"
    );

    let target = spawn_app().await;
    let response = target.import(&exported).await;
    assert_eq!(response.status(), StatusCode::OK);
    let summary = json(response).await;
    assert_eq!(
        summary,
        json!({"lines": 56, "citations": 12, "actors": 19, "roles": 8, "visits": 7, "statements": 7, "interactions": 3})
    );
    let again = export(&target, "").await;
    assert_eq!(again, exported);

    // What was imported reads the same through the API, attribution derived again included.
    let pledge = |app: &TestApp| {
        let app_url = app.url("/v1/statements?speaker=xi-jinping&kind=pledge");
        async move {
            json(
                reqwest::get(app_url)
                    .await
                    .unwrap_or_else(|e| panic!("{e}")),
            )
            .await
        }
    };
    let (a, b) = (pledge(&source).await, pledge(&target).await);
    let strip = |mut v: Value| {
        for item in v["items"].as_array_mut().into_iter().flatten() {
            item.as_object_mut().map(|o| {
                o.remove("created_at");
                o.remove("updated_at")
            });
        }
        v
    };
    assert_eq!(strip(a), strip(b));
}

#[tokio::test]
async fn lines_refer_to_earlier_lines_by_key_and_imports_enter_the_change_feed() {
    let app = spawn_app().await;
    let (kz, _, _) = seed_actors(&app).await;
    let body = format!(
        "{}\n{}\n\n{}\n{}\n{}\n",
        json!({"type": "citation", "key": "edm", "source": "Eurasia Daily Monitor", "published_on": "2023-01"}),
        json!({"type": "actor", "key": "xi", "kind": "person", "name": "Xi Jinping", "country_code": "CN"}),
        json!({"type": "actor", "key": "china", "kind": "state", "name": "China", "country_code": "CN"}),
        json!({"type": "role", "key": "xi-president", "actor_id": "xi", "of_actor_id": "china", "title": "President",
               "citations": [{"citation_id": "edm"}]}),
        json!({"type": "visit", "key": "astana", "visitor_ids": ["xi"], "host_id": kz["id"], "start": "2022-09",
               "kind": "official", "citations": [{"citation_id": "edm", "locator": "paragraph 3"}]}),
    ) + &format!(
        "{}\n",
        json!({"type": "statement", "speaker_id": "xi", "stated_on": "2022-09", "kind": "pledge", "visit_id": "astana",
               "text": "Xi pledged support.", "subjects": [{"actor_id": kz["id"], "stance": "support"}],
               "citations": [{"citation_id": "edm"}]})
    );
    let response = app.import(&body).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        json(response).await,
        json!({"lines": 7, "citations": 1, "actors": 2, "roles": 1, "visits": 1, "statements": 1})
    );

    let statements = json(app.get("/v1/statements?speaker=xi-jinping").await).await;
    let statement = &statements["items"][0];
    assert_eq!(
        statement["on_behalf_of"]["slug"], "china",
        "attribution is derived from the imported role"
    );
    assert_eq!(
        statement["citations"][0]["citation"]["source"],
        "Eurasia Daily Monitor"
    );
    let visit = json(
        app.get(&format!(
            "/v1/visits/{}",
            statement["visit_id"].as_str().unwrap_or_default()
        ))
        .await,
    )
    .await;
    assert_eq!(
        visit["country_code"], "KZ",
        "a visit without a country takes its host's"
    );
    assert_eq!(visit["citations"][0]["locator"], "paragraph 3");

    let mut seen = Vec::new();
    let mut cursor = String::new();
    for _ in 0..20 {
        let path = if cursor.is_empty() {
            "/v1/changes?limit=500&wait=1".to_owned()
        } else {
            format!("/v1/changes?limit=500&wait=1&after={cursor}")
        };
        let page = json(app.get(&path).await).await;
        seen.extend(page["items"].as_array().cloned().unwrap_or_default());
        cursor = page["next_cursor"].as_str().unwrap_or_default().to_owned();
        if seen.iter().any(|c| c["resource"] == "statement") {
            break;
        }
    }
    let imported: Vec<&Value> = seen
        .iter()
        .filter(|c| c["changed_by"] == "writer" && c["operation"] == "create")
        .collect();
    assert!(
        imported
            .iter()
            .any(|c| c["resource"] == "statement" && c["record"]["text"] == "Xi pledged support.")
    );
    let xi = imported
        .iter()
        .find(|c| c["resource"] == "actor" && c["record"]["slug"] == "xi-jinping")
        .cloned()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        xi["record"]["roles"][0]["title"], "President",
        "a new actor's record includes its imported roles"
    );
}

#[tokio::test]
async fn an_import_with_bad_lines_keeps_nothing_and_reports_every_line() {
    let app = spawn_app().await;
    let (kz, _, _) = seed_actors(&app).await;
    let nowhere = "0190c0b2-8a5e-7c3d-9f1a-2b3c4d5e6f70";
    let lines = [
        json!({"type": "citation", "key": "ok", "source": "Fine"}).to_string(),
        "not json".to_owned(),
        json!({"type": "actor", "kind": "state", "name": "Kazakhstan"}).to_string(),
        json!({"type": "empire", "name": "Rome"}).to_string(),
        json!({"type": "visit", "visitor_ids": ["missing-key"], "host_id": kz["id"], "start": "2022", "kind": "state", "citations": [{"citation_id": "ok"}]}).to_string(),
        json!({"type": "visit", "visitor_ids": [nowhere], "host_id": kz["id"], "start": "2022", "kind": "state", "citations": [{"citation_id": "ok"}]}).to_string(),
        json!({"type": "statement", "speaker_id": kz["id"], "stated_on": "2022-13", "kind": "pledge", "text": "x", "citations": [{"citation_id": "ok"}]}).to_string(),
        json!({"type": "citation", "key": "ok", "source": "Twice"}).to_string(),
        json!({"type": "actor", "kind": "person", "name": "Fine Person"}).to_string(),
    ];
    let response = app.import(&lines.join("\n")).await;
    let problem = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    let refused: Vec<(u64, String)> = refused_lines(&problem)
        .into_iter()
        .map(|(line, pointer, _)| (line, pointer.to_owned()))
        .collect();
    assert_eq!(
        refused,
        [
            (2, "#".to_owned()),
            (3, "#/slug".to_owned()),
            (4, "#/type".to_owned()),
            (5, "#/visitor_ids/0".to_owned()),
            (6, "#/visitor_ids/0".to_owned()),
            (7, "#/stated_on".to_owned()),
            (8, "#/key".to_owned()),
        ]
    );
    assert_eq!(app.count("citations").await, 0, "nothing is kept");
    assert_eq!(app.count("actors").await, 3);
}

#[tokio::test]
async fn import_needs_a_write_token_and_ndjson() {
    let app = spawn_app().await;
    let line = json!({"type": "actor", "kind": "state", "name": "Kazakhstan"}).to_string();
    let response = app
        .request(Method::POST, "/v1/import")
        .header("Content-Type", "application/x-ndjson")
        .body(line.clone())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    problem(response, StatusCode::UNAUTHORIZED).await;
    let response = app
        .request(Method::POST, "/v1/import")
        .bearer_auth(&app.write_token)
        .header("Content-Type", "application/json")
        .body(line)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
}

#[tokio::test]
async fn export_takes_chosen_kinds_in_dependency_order() {
    let app = spawn_app().await;
    chancery::seed::load_demo(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let text = export(&app, "?types=visit,actor").await;
    let kinds: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap_or_default()["type"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert_eq!(kinds.len(), 19 + 7);
    assert!(kinds[..19].iter().all(|k| k == "actor") && kinds[19..].iter().all(|k| k == "visit"));
    problem(
        app.get("/v1/export?types=empire").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[tokio::test]
async fn the_import_command_loads_a_file() {
    let app = spawn_app().await;
    let file = std::env::temp_dir().join(format!(
        "chancery-import-{}.ndjson",
        uuid::Uuid::now_v7().simple()
    ));
    let lines = (0..50)
        .map(|i| json!({"type": "citation", "source": format!("Source {i}"), "url": format!("https://example.org/{i}")}).to_string())
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&file, lines).unwrap_or_else(|e| panic!("{e}"));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_chancery"))
        .arg("import")
        .arg(&file)
        .env("DATABASE_URL", &app.database_url)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_file(&file);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("imported 50 records"));
    assert_eq!(app.count("citations").await, 50);
}

#[tokio::test]
async fn repeats_and_references_across_batches_are_checked_in_the_database() {
    // More lines than one batch holds (2000): the later ones meet the earlier in the database.
    let app = spawn_app().await;
    let first = uuid::Uuid::now_v7();
    let mut lines = vec![json!({"type": "citation", "id": first, "source": "First", "url": "https://example.org/first"}).to_string()];
    for i in 1..2100 {
        lines.push(json!({"type": "citation", "source": format!("Source {i}")}).to_string());
    }
    lines.push(
        json!({"type": "actor", "key": "kz", "kind": "state", "name": "Kazakhstan"}).to_string(),
    );
    // A reference by id, from the second batch to a record of the first.
    lines.push(json!({"type": "statement", "speaker_id": "kz", "stated_on": "2022", "kind": "other", "text": "x",
                      "citations": [{"citation_id": first}]}).to_string());
    let ok = app.import(&lines.join("\n")).await;
    assert_eq!(ok.status(), StatusCode::OK);

    let app = spawn_app().await;
    let mut repeated = lines[..2101].to_vec();
    repeated.push(json!({"type": "citation", "id": first, "source": "Again"}).to_string());
    repeated.push(
        json!({"type": "citation", "source": "Same URL", "url": "https://example.org/first"})
            .to_string(),
    );
    repeated.push(json!({"type": "statement", "speaker_id": "kz", "stated_on": "2022", "kind": "other", "text": "x",
                         "citations": [{"citation_id": first}]}).to_string());
    let problem = problem(
        app.import(&repeated.join("\n")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let refused: Vec<(u64, String)> = refused_lines(&problem)
        .into_iter()
        .map(|(line, pointer, _)| (line, pointer.to_owned()))
        .collect();
    assert_eq!(
        refused,
        [(2102, "#/id".to_owned()), (2103, "#/url".to_owned())]
    );
    assert_eq!(app.count("citations").await, 0);
}

#[tokio::test]
async fn an_import_cannot_reuse_the_id_of_a_deleted_record() {
    let app = spawn_app().await;
    let actor = app
        .create_actor(json!({"kind": "state", "name": "Atlantis"}))
        .await;
    let id = uuid_of(&actor);
    let deleted = app.delete(&format!("/v1/actors/{id}")).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let line = json!({"type": "actor", "id": id, "kind": "state", "name": "Not Atlantis"});
    let problem = problem(
        app.import(&line.to_string()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let lines = problem["lines"].as_array().cloned().unwrap_or_default();
    assert_eq!(lines.len(), 1, "{problem}");
    assert_eq!(lines[0]["pointer"], "#/id");
    assert!(
        lines[0]["detail"]
            .as_str()
            .unwrap_or("")
            .contains("deleted"),
        "{problem}"
    );
    assert_eq!(app.count("actors").await, 0);
    // Its history stays its own.
    let operations = revision_operations(&app, &format!("/v1/actors/{id}")).await;
    assert_eq!(operations, ["create", "delete"]);
}

#[tokio::test]
async fn batches_are_bounded_by_bytes_as_well_as_lines() {
    use chancery::bulk::{BATCH_BYTES, Importer, MAX_LINE_BYTES};
    let app = spawn_app().await;
    let mut tx = app.pool.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let mut importer = Importer::new(&mut tx, "test");
    // Lines near the longest allowed: far fewer than a batch's 2,000 lines, far more bytes.
    let padding = " ".repeat(MAX_LINE_BYTES - 100);
    let lines = BATCH_BYTES / padding.len() + 2;
    for n in 0..lines {
        let line = format!("{{\"type\": \"citation\",{padding}\"source\": \"Source {n}\"}}");
        importer
            .push(&line)
            .await
            .unwrap_or_else(|e| panic!("line {n}: {e}"));
        // Whatever is not yet written is held in memory: never more than the byte budget.
        let pending = n + 1 - importer.written();
        assert!(
            pending * line.len() <= BATCH_BYTES + line.len(),
            "{pending} lines of {} bytes wait after line {n}",
            line.len()
        );
    }
    assert!(importer.written() > 0);
    let summary = importer
        .finish()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|lines| panic!("{lines:?}"));
    assert_eq!(summary.citations, lines);
}

#[tokio::test]
async fn a_killed_import_leaves_nothing_behind() {
    // `chancery import -` reads from a pipe: it has written two batches inside its
    // transaction and waits for more when it is killed.
    let app = spawn_app().await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_chancery"))
        .args(["import", "-"])
        .env("DATABASE_URL", &app.database_url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut stdin = child.stdin.take().unwrap_or_else(|| panic!("no stdin"));
    let lines: String = (0..4500)
        .map(|i| {
            format!(
                "{}\n",
                json!({"type": "citation", "source": format!("Source {i}")})
            )
        })
        .collect();
    tokio::io::AsyncWriteExt::write_all(&mut stdin, lines.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Its session sits idle inside the transaction once the batches are written.
    let database = app
        .database_url
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let waiting = "SELECT count(*) FROM pg_stat_activity
                   WHERE datname = $1 AND application_name = 'chancery' AND state = 'idle in transaction'";
    let mut idle = 0_i64;
    for _ in 0..200 {
        idle = sqlx::query_scalar(waiting)
            .bind(&database)
            .fetch_one(&app.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if idle > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(idle, 1, "the import never wrote its batches");
    child.kill().await.unwrap_or_else(|e| panic!("{e}"));

    // PostgreSQL sees the connection go and rolls the transaction back.
    let open =
        "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'chancery'
                AND state LIKE '%transaction%'";
    for _ in 0..200 {
        let left: i64 = sqlx::query_scalar(open)
            .bind(&database)
            .fetch_one(&app.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(app.count("citations").await, 0);
    assert_eq!(app.count("changes").await, 0);
}

#[tokio::test]
async fn an_imported_role_updates_its_holder_in_the_change_feed() {
    // Holders that were there before the import's batch: the feed gets their new version,
    // with the role, once each however many roles they gain.
    let app = spawn_app().await;
    let (kz, tokayev, eu) = seed_actors(&app).await;
    let lines = [
        json!({"type": "role", "actor_id": tokayev["id"], "of_actor_id": kz["id"], "title": "President", "start": "2019-03-20"}),
        json!({"type": "role", "actor_id": tokayev["id"], "of_actor_id": kz["id"], "title": "Chairman of the Senate", "start": "2013-10", "end": "2019-03"}),
        json!({"type": "role", "actor_id": kz["id"], "of_actor_id": eu["id"], "title": "Partner"}),
    ]
    .iter()
    .map(ToString::to_string)
    .collect::<Vec<_>>()
    .join("\n");
    let response = app.import(lines).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        json(response).await
    );

    let is_update = |c: &&Value| c["resource"] == "actor" && c["operation"] == "update";
    let feed = feed_until(&app, |items| items.iter().filter(is_update).count() >= 2).await;
    let updates: Vec<&Value> = feed.iter().filter(is_update).collect();
    assert_eq!(updates.len(), 2, "{feed:?}");
    let of = |actor: &Value| {
        updates
            .iter()
            .find(|c| c["id"] == actor["id"])
            .copied()
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(of(&tokayev)["version"], 2);
    assert_eq!(
        of(&tokayev)["record"]["roles"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(of(&kz)["version"], 2);
    assert_eq!(
        of(&kz)["record"],
        json(app.get("/v1/actors/kazakhstan").await).await,
        "the feed shows the holder as GET does"
    );
}

#[tokio::test]
async fn a_large_import_renews_the_planner_statistics_as_it_goes() {
    // Four batches: the tables' statistics are renewed inside the import's transaction.
    let app = spawn_app().await;
    let lines = (0..8000)
        .map(|i| json!({"type": "citation", "source": format!("Source {i}"), "url": format!("https://example.org/{i}")}).to_string())
        .collect::<Vec<_>>()
        .join("\n");
    let response = app.import(lines).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.count("citations").await, 8000);
    let mut analyzed = 0_i64;
    for _ in 0..100 {
        analyzed = sqlx::query_scalar(
            "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'citations'",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        if analyzed > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(analyzed > 0, "the import never analyzed what it wrote");
}

#[tokio::test]
async fn an_import_racing_another_with_the_same_id_is_refused_not_merged() {
    let app = spawn_app().await;
    let id = uuid::Uuid::now_v7();
    let line = |source: &str| json!({"type": "citation", "id": id, "source": source}).to_string();
    // The first import has written its line and not yet committed.
    let mut first = app.pool.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let mut importer = chancery::bulk::Importer::new(&mut first, "first");
    importer
        .push(&line("First"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let summary = importer.finish().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(summary.is_ok(), "{summary:?}");
    // The second found the id free when it checked, so it writes, and waits for the first.
    let second_line = line("Second");
    let second = chancery::bulk::import_text(&app.pool, &second_line, "second");
    let database = app.database_url.rsplit('/').next().unwrap_or_default();
    let commit_first = async {
        let waiting = "SELECT count(*) FROM pg_stat_activity
                       WHERE datname = $1 AND wait_event_type = 'Lock'";
        for _ in 0..200 {
            let count: i64 = sqlx::query_scalar(waiting)
                .bind(database)
                .fetch_one(&app.pool)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            if count > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        first.commit().await.unwrap_or_else(|e| panic!("{e}"));
    };
    let (outcome, ()) = tokio::join!(second, commit_first);
    match outcome {
        Err(chancery::error::ApiError::Conflict { detail, .. }) => {
            assert!(detail.contains("written meanwhile"), "{detail}");
        }
        other => panic!("not a conflict: {other:?}"),
    }
    let stored: (String, i64) =
        sqlx::query_as("SELECT source, version FROM citations WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored, ("First".to_owned(), 1));
}

#[tokio::test]
async fn an_import_cannot_reuse_the_id_of_a_merged_actor_or_folded_role() {
    let app = spawn_app().await;
    let atlantis = app
        .create_actor(json!({"kind": "state", "name": "Atlantis"}))
        .await;
    let lemuria = app
        .create_actor(json!({"kind": "state", "name": "Lemuria"}))
        .await;
    app.create_actor(json!({"kind": "person", "name": "Envoy", "slug": "envoy"}))
        .await;
    // The same role in each: merged, the one in Atlantis is folded into the one in Lemuria.
    let folded = app
        .create_role(
            "envoy",
            json!({"of_actor_id": atlantis["id"], "title": "Envoy"}),
        )
        .await;
    let kept = app
        .create_role(
            "envoy",
            json!({"of_actor_id": lemuria["id"], "title": "Envoy"}),
        )
        .await;
    let merged = app
        .post_json(
            &format!("/v1/actors/{}/merge", uuid_of(&atlantis)),
            &json!({"into": lemuria["id"]}),
        )
        .await;
    assert_eq!(merged.status(), StatusCode::OK);
    assert_eq!(
        app.get(&format!("/v1/actors/envoy/roles/{}", uuid_of(&folded)))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    let lines = [
        json!({"type": "actor", "id": atlantis["id"], "kind": "state", "name": "Not Atlantis"}),
        json!({"type": "role", "id": folded["id"], "actor_id": folded["actor_id"],
               "of_actor_id": lemuria["id"], "title": "Impostor"}),
    ]
    .map(|l| l.to_string());
    let problem = problem(
        app.import(lines.join("\n")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let refused = refused_lines(&problem);
    assert_eq!(refused.len(), 2, "{problem}");
    for ((line, pointer, detail), into) in refused.iter().zip([&lemuria, &kept]) {
        assert_eq!(*pointer, "#/id", "line {line}: {problem}");
        let into = into["id"].as_str().unwrap_or("?");
        assert!(
            detail.contains("merged into") && detail.contains(into),
            "line {line}: {detail}"
        );
    }
    // A line naming the merged actor is refused too, saying where it went.
    let line = json!({"type": "role", "actor_id": folded["actor_id"],
                      "of_actor_id": atlantis["id"], "title": "Consul"});
    let named = crate::helpers::problem(
        app.import(line.to_string()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(named["lines"][0]["pointer"], "#/of_actor_id", "{named}");
    let detail = named["lines"][0]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(&format!("merged into {}", uuid_of(&lemuria))),
        "{named}"
    );
    // The old ids still lead where they went, and their history ends with the merge.
    let response = app.get(&format!("/v1/actors/{}", uuid_of(&atlantis))).await;
    assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT);
    for (path, id) in [("", &atlantis), ("envoy/roles/", &folded)] {
        let path = format!("/v1/actors/{path}{}", uuid_of(id));
        let operations = revision_operations(&app, &path).await;
        assert_eq!(operations, ["create", "merge"], "{path}");
    }
}

/// The operations of a record's revisions, oldest first.
async fn revision_operations(app: &TestApp, path: &str) -> Vec<String> {
    let revisions = json(app.get(&format!("{path}/revisions")).await).await;
    revisions["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| Some(r["operation"].as_str()?.to_owned()))
        .collect()
}
