//! What every record offers the write path, and how a write is recorded in the change feed.

use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::Resource;
use crate::error::{ApiError, Reference, Result};
use crate::store::changes::{self, Operation};
use crate::store::{Referrer, StoreError};

/// Records a create or update of a record in the change feed, with `body` (its JSON as `GET`
/// shows it), in the write's transaction.
pub(crate) async fn record_change(
    conn: &mut PgConnection,
    resource: Resource,
    id: Uuid,
    operation: Operation,
    by: &str,
    body: &[u8],
) -> Result<()> {
    changes::record(conn, resource, id, operation, by, Some(body)).await?;
    Ok(())
}

/// Records a deletion (a tombstone) in the write's transaction.
async fn record_deletion(
    conn: &mut PgConnection,
    resource: Resource,
    id: Uuid,
    by: &str,
) -> Result<()> {
    changes::record(conn, resource, id, Operation::Delete, by, None).await?;
    Ok(())
}

/// What every record offers the write path (`api::record`), the importer and the demo data
/// loader: load one, create, update with a merge patch, delete, and what embeds it.
// The futures are awaited on actix's single-threaded workers, so they need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait Record: Serialize + Sized {
    const RESOURCE: Resource;
    /// How a request names one record: an id, an actor's id or slug, a role under an actor.
    type Key;
    /// What a new record is created under: nothing, or the actor who holds a role.
    type Parent;
    type New: Serialize;
    type Patch;

    fn id(&self) -> Uuid;

    /// Where the record is read and written.
    fn href(&self) -> String {
        href(Self::RESOURCE, self.id(), self.holder())
    }

    /// The actor whose representation embeds this record (a role's holder): its change is
    /// recorded with the record's.
    fn holder(&self) -> Option<Uuid> {
        None
    }

    /// Records the update of the holder in the change feed, after a write of the record.
    async fn record_holder(_conn: &mut PgConnection, _holder: Uuid, _by: &str) -> Result<()> {
        Ok(())
    }

    /// The path of the collection a new record is posted to, with ids resolved: two requests
    /// with the same Idempotency-Key are the same request when they name the same collection.
    async fn collection(_conn: &mut PgConnection, _parent: &Self::Parent) -> Result<String> {
        Ok(format!("/v1/{}", Self::RESOURCE.plural()))
    }

    /// Loads one record, or 404; `lock` holds its row until the transaction ends, so that
    /// concurrent writes to it take turns.
    async fn load(conn: &mut PgConnection, key: &Self::Key, lock: bool) -> Result<Self>;

    /// Checks and stores a new record, and loads it.
    async fn create(
        conn: &mut PgConnection,
        parent: &Self::Parent,
        input: Self::New,
    ) -> Result<Self>;

    /// Applies a merge patch to the record (loaded with its lock), checks and stores the
    /// result, and loads it again.
    async fn update(self, conn: &mut PgConnection, patch: Self::Patch) -> Result<Self>;

    /// Deletes the record, or refuses with 409 while other records refer to it.
    async fn delete(self, conn: &mut PgConnection) -> Result<()>;
}

/// Records a write of `record` in the change feed, and the update of the actor that embeds
/// it, in the write's transaction. `body` is the record's JSON, as `GET` shows it.
pub async fn record_write<R: Record>(
    conn: &mut PgConnection,
    record: &R,
    operation: Operation,
    by: &str,
    body: &[u8],
) -> Result<()> {
    record_change(conn, R::RESOURCE, record.id(), operation, by, body).await?;
    if let Some(holder) = record.holder() {
        R::record_holder(conn, holder, by).await?;
    }
    Ok(())
}

/// Records the deletion of `record` in the change feed (a tombstone), and the update of the
/// actor that embedded it.
pub async fn record_removal<R: Record>(
    conn: &mut PgConnection,
    id: Uuid,
    holder: Option<Uuid>,
    by: &str,
) -> Result<()> {
    record_deletion(conn, R::RESOURCE, id, by).await?;
    if let Some(holder) = holder {
        R::record_holder(conn, holder, by).await?;
    }
    Ok(())
}

/// The JSON of a record, as `GET` shows it and the change feed keeps it.
pub fn body<T: Serialize>(record: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(record).map_err(|e| crate::error::ApiError::Internal(e.into()))
}

/// Where a record is read and written: a role under the actor who holds it.
pub fn href(resource: Resource, id: Uuid, holder: Option<Uuid>) -> String {
    let collection = format!("/v1/{}/{id}", resource.plural());
    match resource {
        Resource::Role => match holder {
            Some(actor) => format!("/v1/actors/{actor}/roles/{id}"),
            None => collection,
        },
        Resource::Actor | Resource::Citation | Resource::Visit | Resource::Statement => collection,
    }
}

/// Where a record that refers to another is found, for a 409 that lists what stands in the way.
pub fn reference(referrer: &Referrer) -> Reference {
    Reference {
        href: href(referrer.resource, referrer.id, referrer.holder),
        resource: referrer.resource.as_str().to_owned(),
        id: referrer.id,
    }
}

/// A 409 for a delete that others came to refer to after it was checked (the foreign keys
/// catch the race); any other failure as it is.
pub fn referred_meanwhile(error: StoreError, what: &str) -> ApiError {
    match error.constraint() {
        Some(c) if c.ends_with("_fkey") => {
            ApiError::conflict(format!("{what}; list them and retry"))
        }
        _ => error.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_link_to_where_each_kind_of_record_is_read() {
        let id = Uuid::nil();
        let holder = Uuid::max();
        let href = |resource, holder| {
            reference(&Referrer {
                resource,
                id,
                holder,
            })
            .href
        };
        assert_eq!(
            href(Resource::Role, Some(holder)),
            format!("/v1/actors/{holder}/roles/{id}")
        );
        assert_eq!(href(Resource::Visit, None), format!("/v1/visits/{id}"));
        assert_eq!(
            href(Resource::Statement, None),
            format!("/v1/statements/{id}")
        );
        for (resource, path) in [
            (Resource::Actor, "actors"),
            (Resource::Citation, "citations"),
            (Resource::Visit, "visits"),
            (Resource::Statement, "statements"),
        ] {
            assert_eq!(super::href(resource, id, None), format!("/v1/{path}/{id}"));
        }
    }
}
