use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[test]
fn committed_openapi_document_matches_the_code() {
    let generated = serde_json::to_string_pretty(&chancery::api::openapi_json())
        .unwrap_or_else(|e| panic!("{e}"));
    if COMMITTED.trim_end() != generated.trim_end() {
        let line = COMMITTED
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "openapi/openapi.json is stale (first difference at line {}: {:?} vs {:?}); \
             run `cargo run -- openapi > openapi/openapi.json`",
            line + 1,
            COMMITTED.lines().nth(line),
            generated.lines().nth(line)
        );
    }
}

/// Every `$ref` in a document, with where it is.
fn references(value: &Value, at: &str, found: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => found.push((at.to_owned(), target.clone())),
                    _ => references(inner, &format!("{at}/{key}"), found),
                }
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                references(inner, &format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

#[test]
fn every_reference_in_the_document_resolves() {
    let document: Value = serde_json::from_str(COMMITTED).unwrap_or_else(|e| panic!("{e}"));
    let mut found = Vec::new();
    references(&document, "#", &mut found);
    assert!(!found.is_empty());
    for (at, target) in found {
        let pointer = target
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{at}: external {target}"));
        assert!(
            document.pointer(pointer).is_some(),
            "{at} refers to {target}, which the document does not define"
        );
    }
}

fn operations(document: &Value) -> Vec<(String, String, Value)> {
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            operations.push((method.clone(), path.clone(), operation.clone()));
        }
    }
    operations
}

#[test]
fn every_operation_has_an_id_a_summary_and_documented_errors() {
    let document: Value = serde_json::from_str(COMMITTED).unwrap_or_else(|e| panic!("{e}"));
    let ops = operations(&document);
    assert!(ops.len() >= 13);
    let mut ids = std::collections::HashSet::new();
    for (method, path, operation) in ops {
        let id = operation["operationId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            !id.is_empty() && ids.insert(id),
            "{method} {path}: operationId"
        );
        assert!(
            operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{method} {path}: summary"
        );
        let responses = operation["responses"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        if path.starts_with("/v1/") {
            for status in ["400", "503"] {
                assert!(responses.contains_key(status), "{method} {path}: {status}");
            }
            // Resolving many names is a POST that reads.
            if method != "get" && operation["operationId"] != "resolve_names" {
                for status in ["401", "403"] {
                    assert!(responses.contains_key(status), "{method} {path}: {status}");
                }
                assert_eq!(
                    operation["security"],
                    serde_json::json!([{"bearer": ["write"]}]),
                    "{method} {path}"
                );
            }
        }
    }
    for name in [
        "Actor",
        "NewActor",
        "ActorPatch",
        "ActorPage",
        "Role",
        "NewRole",
        "RolePatch",
        "RolePage",
        "Problem",
        "PartialDate",
    ] {
        assert!(
            document["components"]["schemas"][name].is_object(),
            "schema {name}"
        );
    }
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(
        document["info"]["description"]
            .as_str()
            .is_some_and(|d| d.len() > 100)
    );
    assert_eq!(document["info"]["license"]["identifier"], "Apache-2.0");
    let link = &document["paths"]["/v1/actors"]["post"]["responses"]["201"]["links"]["GetActor"];
    assert_eq!(link["operationId"], "get_actor", "{link}");
}

#[tokio::test]
async fn the_document_and_swagger_ui_are_served() {
    let app = spawn_app().await;
    let served = json(app.get("/openapi.json").await).await;
    let committed: Value = serde_json::from_str(COMMITTED).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(served, committed);
    let redirect = app.get("/docs").await;
    assert!(redirect.status().is_redirection());
    assert_eq!(header(&redirect, "location").as_deref(), Some("/docs/"));
    let page = app.get("/docs/").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap_or_default().contains("swagger"));
}
