//! Reading the kinds of record whose rows one `SELECT` gives (`store::rows::Listed`): one by
//! id, many by id, each row assembled with what it embeds (actors, citations). Visits,
//! statements and interactions read this way.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::{ApiError, Result};
use crate::store::rows::{self, Listed};

use super::Record;

/// A record made of one row of its table's `SELECT` and what that row's record embeds.
#[allow(async_fn_in_trait)]
pub trait Assembled: Record {
    type Table: Listed;

    /// Turns rows into records, in their order, in a fixed number of queries.
    async fn assemble(
        conn: &mut PgConnection,
        rows: Vec<<Self::Table as Listed>::Row>,
    ) -> Result<Vec<Self>>;
}

/// One record by id, or 404; `lock` holds its row until the transaction ends.
pub async fn load<R: Assembled>(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<R> {
    let not_found = || ApiError::NotFound(format!("no {} with id `{id}`", R::RESOURCE));
    let row = rows::find::<R::Table>(&mut *conn, id, lock)
        .await?
        .ok_or_else(not_found)?;
    R::assemble(conn, vec![row])
        .await?
        .pop()
        .ok_or_else(not_found)
}

/// The records with these ids that exist, in id order.
pub async fn load_many<R: Assembled>(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<R>> {
    let rows = rows::by_ids::<R::Table>(&mut *conn, ids).await?;
    let mut records = R::assemble(conn, rows).await?;
    records.sort_by_key(|r| r.id());
    Ok(records)
}
