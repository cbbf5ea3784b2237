//! Reading a kind of record whose rows one `SELECT` gives (its table joined to the actors it
//! shows): by ids, one by id (locked first when asked), and a page of a filtered list, latest
//! first. A kind says how in [`Listed`]; [`by_ids`], [`find`] and [`list`] do it for any.

use chrono::NaiveDate;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use super::Result;

/// How a kind of record is read.
pub struct Select {
    /// `SELECT … FROM visits v JOIN actors h ON …`, without a `WHERE`.
    pub sql: &'static str,
    /// The record's table, and its alias in `sql`.
    pub table: &'static str,
    pub alias: &'static str,
}

impl Select {
    /// Rows by id, in no particular order.
    pub async fn by_ids<R>(&self, conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<R>>
    where
        R: for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        let Self { sql, alias, .. } = self;
        Ok(match ids {
            [] => Vec::new(),
            // For one id (reading one record), `= $1` rather than `= ANY($1)`: see links::load.
            [id] => {
                sqlx::query_as(&format!("{sql} WHERE {alias}.id = $1"))
                    .bind(id)
                    .fetch_all(conn)
                    .await?
            }
            _ => {
                sqlx::query_as(&format!("{sql} WHERE {alias}.id = ANY($1)"))
                    .bind(ids)
                    .fetch_all(conn)
                    .await?
            }
        })
    }

    /// One row by id. With `lock`, the record's row is locked first, until the transaction
    /// ends; the read that follows then sees what a write that held the lock before committed
    /// (a locking read of the join would see the actors as they were).
    pub async fn find<R>(&self, conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<Option<R>>
    where
        R: for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        let Self { sql, table, alias } = self;
        if lock {
            let found = sqlx::query(&format!("SELECT 1 FROM {table} WHERE id = $1 FOR UPDATE"))
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
            if found.is_none() {
                return Ok(None);
            }
        }
        Ok(sqlx::query_as(&format!("{sql} WHERE {alias}.id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?)
    }

    /// A list's query, for filters to append (` AND …`).
    pub fn list(&self) -> QueryBuilder<'static, Postgres> {
        let mut query = QueryBuilder::new(self.sql);
        query.push(" WHERE true");
        query
    }

    /// A page of `query`, latest `date` first: the rows after the `(date, id)` of the last row
    /// of the previous page, and one more than `limit` to tell whether another page follows.
    pub async fn page<R>(
        &self,
        conn: &mut PgConnection,
        mut query: QueryBuilder<'_, Postgres>,
        date: &str,
        after: Option<(NaiveDate, Uuid)>,
        limit: i64,
    ) -> Result<Vec<R>>
    where
        R: for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        let alias = self.alias;
        if let Some((last_date, last_id)) = after {
            query
                .push(format!(" AND ({alias}.{date}, {alias}.id) < ("))
                .push_bind(last_date)
                .push(", ")
                .push_bind(last_id)
                .push(")");
        }
        query
            .push(format!(
                " ORDER BY {alias}.{date} DESC, {alias}.id DESC LIMIT "
            ))
            .push_bind(limit + 1);
        Ok(query.build_query_as::<R>().fetch_all(conn).await?)
    }
}

/// A kind of record read through one [`Select`], listed latest first by a date.
pub trait Listed {
    type Row: for<'r> FromRow<'r, PgRow> + Send + Unpin;
    type Filter;
    const ROWS: Select;
    /// The column its lists are ordered by, latest first (then by id).
    const DATE: &'static str;
    /// Appends `AND …` for every filter given.
    fn push_filter(query: &mut QueryBuilder<'_, Postgres>, filter: &Self::Filter);
}

/// Rows by id, in no particular order.
pub async fn by_ids<T: Listed>(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<T::Row>> {
    T::ROWS.by_ids(conn, ids).await
}

/// One row by id, its record's row locked first with `lock` (see [`Select::find`]).
pub async fn find<T: Listed>(
    conn: &mut PgConnection,
    id: Uuid,
    lock: bool,
) -> Result<Option<T::Row>> {
    T::ROWS.find(conn, id, lock).await
}

/// A page of the rows that pass the filter, after the `(date, id)` of the last row of the
/// previous page. The query is built from the filters given, so the planner sees only those
/// and can pick its index.
pub async fn list<T: Listed>(
    conn: &mut PgConnection,
    filter: &T::Filter,
    after: Option<(NaiveDate, Uuid)>,
    limit: i64,
) -> Result<Vec<T::Row>> {
    let mut query = T::ROWS.list();
    T::push_filter(&mut query, filter);
    T::ROWS.page(conn, query, T::DATE, after, limit).await
}
