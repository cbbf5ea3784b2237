//! What every record offers the write path, and how a write is recorded in the change feed.

use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::PgConnection;
use uuid::Uuid;

use super::named::{ReferenceField, check_named, references};

use crate::domain::{Resource, as_stored};
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
/// loader: load one or many, create, update with a merge patch, delete, what embeds it, and
/// how it is written as a create body or import line.
///
/// A create and an import line go the same way: [`Record::prepare`] checks what needs no
/// database, the records it names are checked in one query per kind, and [`Record::store`]
/// writes a batch of rows (a create is a batch of one). An update applies the merge patch to
/// the record as a create would give it ([`Record::to_input`]) and stores the result the same way.
// The futures are awaited on actix's single-threaded workers, so they need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait Record: Serialize + Sized + 'static {
    const RESOURCE: Resource;
    /// The fields of a create body (and of an import line) that name other records.
    const REFERENCES: &'static [ReferenceField];
    /// The field of an import line that names the record's parent (a role's holder).
    const PARENT: Option<ReferenceField> = None;
    /// How a request names one record: an id, an actor's id or slug, a role under an actor.
    type Key;
    /// What a new record is created under: nothing, or the actor who holds a role.
    type Parent: Parent;
    type New: Serialize + DeserializeOwned;
    type Patch: Serialize;
    /// A new record checked as far as that needs no database: its fields and links.
    type Row: 'static;

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

    /// Loads the records with these ids that exist, in id order, in a few queries whatever
    /// their number.
    async fn load_many(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<Self>>;

    /// The record as a create body would give it: what an export writes and a patch applies to.
    fn to_input(&self) -> Self::New;

    /// Checks a new record as far as that needs no database; `parent` is the id of the actor
    /// it is created under, if its kind has one.
    fn prepare(parent: Option<Uuid>, input: Self::New) -> Result<Self::Row>;

    /// Values no two records of this kind may share (an actor's slug, a citation's URL): an
    /// import checks them before it writes, as a create's constraint would.
    fn unique(_row: &Self::Row) -> Vec<Unique> {
        Vec::new()
    }

    /// Stores new records, or with `replace` the new fields of existing ones (their rows
    /// locked by the caller).
    async fn store(
        conn: &mut PgConnection,
        rows: &[(Uuid, Self::Row)],
        replace: bool,
    ) -> Result<()>;

    /// Checks and stores a new record, and loads it.
    async fn create(
        conn: &mut PgConnection,
        parent: &Self::Parent,
        input: Self::New,
    ) -> Result<Self> {
        let parent = parent.id(&mut *conn).await?;
        create_under(conn, parent, input).await
    }

    /// Applies a merge patch to the record (loaded with its lock), checks and stores the
    /// result, and loads it again.
    async fn update(self, conn: &mut PgConnection, patch: Self::Patch) -> Result<Self> {
        let input = merge_patch(self.to_input(), &patch)?;
        let id = self.id();
        write::<Self>(&mut *conn, id, self.holder(), input, true).await?;
        load_one(conn, id).await
    }

    /// Deletes the record, or refuses with 409 while other records refer to it.
    async fn delete(self, conn: &mut PgConnection) -> Result<()>;
}

/// What a record is created under.
#[allow(async_fn_in_trait)]
pub trait Parent {
    /// The parent's id, or 404; `None` when there is none.
    async fn id(&self, conn: &mut PgConnection) -> Result<Option<Uuid>>;
}

impl Parent for () {
    async fn id(&self, _conn: &mut PgConnection) -> Result<Option<Uuid>> {
        Ok(None)
    }
}

/// A value that must be unique among records of a kind, with what to say when it is not.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Unique {
    /// Where it is in the body: `#/slug`.
    pub pointer: &'static str,
    /// The table and column that hold it.
    pub table: &'static str,
    pub column: &'static str,
    pub value: String,
    /// What to say when an earlier line of a file has it.
    pub repeated: String,
    /// What to say when a stored record has it.
    pub taken: String,
}

/// Checks and stores one record: its body's references checked in one query per kind.
async fn write<R: Record>(
    conn: &mut PgConnection,
    id: Uuid,
    parent: Option<Uuid>,
    input: R::New,
    replace: bool,
) -> Result<()> {
    let named = references(&input, R::REFERENCES)?;
    let row = R::prepare(parent, input)?;
    check_named(&mut *conn, &named).await?;
    R::store(conn, &[(id, row)], replace).await
}

/// Checks and stores a new record under the actor `parent` (a role's holder), and loads it.
pub async fn create_under<R: Record>(
    conn: &mut PgConnection,
    parent: Option<Uuid>,
    input: R::New,
) -> Result<R> {
    let id = Uuid::now_v7();
    write::<R>(&mut *conn, id, parent, input, false).await?;
    load_one(conn, id).await
}

/// Loads one record by id, or 404.
pub async fn load_one<R: Record>(conn: &mut PgConnection, id: Uuid) -> Result<R> {
    R::load_many(conn, &[id])
        .await?
        .pop()
        .ok_or_else(|| ApiError::NotFound(format!("no {} with id `{id}`", R::RESOURCE)))
}

/// The record a merge patch (RFC 7396) makes of `current`, read as a create body. Its values
/// are the record's as stored and the patch's, checked when it was read: both are taken as
/// they are, so a stored value that a newer rule refuses survives a patch of another field.
fn merge_patch<N: Serialize + DeserializeOwned, P: Serialize>(current: N, patch: &P) -> Result<N> {
    let mut body = serde_json::to_value(current).map_err(|e| ApiError::Internal(e.into()))?;
    let patch = serde_json::to_value(patch).map_err(|e| ApiError::Internal(e.into()))?;
    super::json::apply_merge_patch(&mut body, patch);
    as_stored(|| super::json::parse_value(body))
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

/// Stores many records of a kind at once (their rows prepared and their references checked
/// by the caller): new ones, or with `replace` the new fields of existing ones (locked by the
/// caller). Each goes in the change feed as `GET` shows it, created or updated: what a loader
/// writes.
pub async fn write_many<R: Record>(
    conn: &mut PgConnection,
    by: &str,
    rows: &[(Uuid, R::Row)],
    replace: bool,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    R::store(&mut *conn, rows, replace).await?;
    let ids: Vec<Uuid> = rows.iter().map(|(id, _)| *id).collect();
    let mut written = Vec::with_capacity(ids.len());
    for record in R::load_many(&mut *conn, &ids).await? {
        written.push((record.id(), body(&record)?));
    }
    if replace {
        changes::record_updates(conn, by, R::RESOURCE, &written).await?;
    } else {
        let created: Vec<_> = written
            .into_iter()
            .map(|(id, body)| (R::RESOURCE, id, body))
            .collect();
        changes::record_creations(conn, by, &created).await?;
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
        Resource::Actor
        | Resource::Citation
        | Resource::Visit
        | Resource::Statement
        | Resource::Interaction => collection,
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
