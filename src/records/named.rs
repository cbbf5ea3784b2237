//! The fields of a body that name other records, declared once per kind
//! ([`Record::REFERENCES`](super::Record::REFERENCES)): a create checks that they exist, an
//! import also resolves the keys of earlier lines in them.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::Resource;
use crate::error::{ApiError, FieldError, Result};
use crate::store;

/// A field that names other records by id: one id (`host_id`), a list of ids
/// (`visitor_ids`), or a list of objects each naming one (`citations[].citation_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferenceField {
    pub field: &'static str,
    /// For a list of objects, the field of each that names the record.
    pub within: Option<&'static str>,
    pub kind: Resource,
}

impl ReferenceField {
    /// A field holding one id, or a list of them.
    pub const fn ids(field: &'static str, kind: Resource) -> Self {
        Self {
            field,
            within: None,
            kind,
        }
    }

    /// A list of objects whose `within` field holds an id.
    pub const fn within(field: &'static str, within: &'static str, kind: Resource) -> Self {
        Self {
            field,
            within: Some(within),
            kind,
        }
    }
}

/// Calls `visit` with the pointer, kind and value of every reference the fields find in a
/// body. Values of the wrong shape are left for parsing to report.
pub fn each_reference<E>(
    body: &mut Map<String, Value>,
    fields: &[ReferenceField],
    mut visit: impl FnMut(String, Resource, &mut Value) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    for reference in fields {
        let Some(value) = body.get_mut(reference.field) else {
            continue;
        };
        let field = reference.field;
        match (value, reference.within) {
            (Value::Array(items), within) => {
                for (i, item) in items.iter_mut().enumerate() {
                    match (within, item) {
                        (None, item) => visit(format!("#/{field}/{i}"), reference.kind, item)?,
                        (Some(inner), Value::Object(object)) => {
                            if let Some(item) = object.get_mut(inner) {
                                let pointer = format!("#/{field}/{i}/{inner}");
                                visit(pointer, reference.kind, item)?;
                            }
                        }
                        (Some(_), _) => {}
                    }
                }
            }
            (value, None) => visit(format!("#/{field}"), reference.kind, value)?,
            (_, Some(_)) => {}
        }
    }
    Ok(())
}

/// The records a create body names: `(pointer, kind, id)`.
pub fn references<T: Serialize>(
    body: &T,
    fields: &[ReferenceField],
) -> Result<Vec<(String, Resource, Uuid)>> {
    let mut body = match serde_json::to_value(body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Ok(Vec::new()),
        Err(e) => return Err(ApiError::Internal(e.into())),
    };
    let mut found = Vec::new();
    each_reference(&mut body, fields, |pointer, kind, value| {
        if let Some(id) = value.as_str().and_then(|v| Uuid::try_parse(v).ok()) {
            found.push((pointer, kind, id));
        }
        Ok::<_, ApiError>(())
    })?;
    Ok(found)
}

/// Which of the named records do not exist: one query per kind named.
pub async fn missing(
    conn: &mut PgConnection,
    named: impl Iterator<Item = (Resource, Uuid)>,
) -> Result<HashSet<(Resource, Uuid)>> {
    let mut by_kind: HashMap<Resource, Vec<Uuid>> = HashMap::new();
    for (kind, id) in named {
        by_kind.entry(kind).or_default().push(id);
    }
    let mut missing = HashSet::new();
    for kind in Resource::ALL {
        let Some(ids) = by_kind.get(&kind) else {
            continue;
        };
        let found = store::bulk::existing(&mut *conn, kind.plural(), ids).await?;
        missing.extend(
            ids.iter()
                .filter(|id| !found.contains(id))
                .map(|id| (kind, *id)),
        );
    }
    Ok(missing)
}

/// Checks that every record a body names exists; 422 naming each one that does not.
pub async fn check_named(
    conn: &mut PgConnection,
    named: &[(String, Resource, Uuid)],
) -> Result<()> {
    let missing = missing(conn, named.iter().map(|(_, kind, id)| (*kind, *id))).await?;
    if missing.is_empty() {
        return Ok(());
    }
    Err(ApiError::unprocessable(
        named
            .iter()
            .filter(|(_, kind, id)| missing.contains(&(*kind, *id)))
            .map(|(pointer, kind, _)| FieldError::new(pointer.clone(), no_such(*kind)))
            .collect(),
    ))
}

/// That no record of a kind has an id, in words.
pub fn no_such(kind: Resource) -> String {
    format!("no {kind} has this id")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_shape_of_reference_is_found_with_its_pointer() {
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let body = json!({
            "host_id": a, "visitor_ids": [b, "not-an-id"], "citations": [{"citation_id": c}, 7],
            "place": "Astana"
        });
        let fields = [
            ReferenceField::ids("host_id", Resource::Actor),
            ReferenceField::ids("visitor_ids", Resource::Actor),
            ReferenceField::within("citations", "citation_id", Resource::Citation),
            ReferenceField::ids("visit_id", Resource::Visit),
        ];
        let found = references(&body, &fields).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            found,
            [
                ("#/host_id".to_owned(), Resource::Actor, a),
                ("#/visitor_ids/0".to_owned(), Resource::Actor, b),
                (
                    "#/citations/0/citation_id".to_owned(),
                    Resource::Citation,
                    c
                ),
            ]
        );
    }
}
