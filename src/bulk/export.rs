//! Export: the same line format as an import, ids kept, references by id, in dependency
//! order.

use serde_json::{Map, Value};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::Resource;
use crate::error::ApiError;
use crate::records::Record;
use crate::records::kinds::{ForKind, for_kind};

/// The kinds of record a comma-separated list names (all when absent), in the order an
/// export writes them; what is wrong with the list otherwise.
pub fn kinds(list: Option<&str>) -> Result<Vec<Resource>, String> {
    let Some(list) = list else {
        return Ok(Resource::ALL.to_vec());
    };
    if list.len() > 100 {
        return Err("must be at most 100 characters".into());
    }
    let mut wanted = Vec::new();
    for name in list.split(',') {
        let names = Resource::ALL.map(Resource::as_str).join(", ");
        wanted
            .push(Resource::parse(name).ok_or_else(|| format!("`{name}` is not one of {names}"))?);
    }
    Ok(Resource::ALL
        .into_iter()
        .filter(|k| wanted.contains(k))
        .collect())
}

/// One page of an export: the NDJSON of up to `limit` records of `kind` after `after` (by
/// id), and the last id written.
pub async fn export_page(
    conn: &mut PgConnection,
    kind: Resource,
    after: Uuid,
    limit: i64,
) -> Result<(Vec<u8>, Option<Uuid>), ApiError> {
    for_kind(kind, Page { conn, after, limit }).await
}

struct Page<'c> {
    conn: &'c mut PgConnection,
    after: Uuid,
    limit: i64,
}

impl ForKind for Page<'_> {
    type Output = Result<(Vec<u8>, Option<Uuid>), ApiError>;

    /// Each record as an import line: its type, id and parent, then the fields of a create.
    async fn apply<R: Record>(self) -> Self::Output {
        let ids: Vec<Uuid> = sqlx::query_scalar(&format!(
            "SELECT id FROM {} WHERE id > $1 ORDER BY id LIMIT $2",
            R::RESOURCE.plural()
        ))
        .bind(self.after)
        .bind(self.limit)
        .fetch_all(&mut *self.conn)
        .await?;
        let mut out = Vec::new();
        for record in R::load_many(self.conn, &ids).await? {
            let mut line = Map::new();
            line.insert("type".into(), R::RESOURCE.as_str().into());
            line.insert("id".into(), record.id().to_string().into());
            if let (Some(parent), Some(holder)) = (R::PARENT, record.holder()) {
                line.insert(parent.field.into(), holder.to_string().into());
            }
            match serde_json::to_value(record.to_input()) {
                Ok(Value::Object(fields)) => line.extend(fields),
                Ok(_) => {}
                Err(e) => return Err(ApiError::Internal(e.into())),
            }
            serde_json::to_writer(&mut out, &line).map_err(|e| ApiError::Internal(e.into()))?;
            out.push(b'\n');
        }
        Ok((out, ids.last().copied()))
    }
}
