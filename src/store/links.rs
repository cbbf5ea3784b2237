//! Links from claims (statements, visits, roles) to their citations. Each kind of claim has
//! its own link table, so every foreign key is real; this module is the one place that
//! knows their names (`{claim}_citations`).

use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

use super::Result;
use super::columns::{ids, position};
use crate::domain::{Claim, DatePrecision, Locator, PartialDate, Quote};

/// A claim's link to a citation, valid by construction.
#[derive(Debug, Clone)]
pub struct LinkFields {
    pub citation_id: Uuid,
    pub locator: Option<Locator>,
    pub quote: Option<Quote>,
}

/// The table of a kind of claim's links, and its column naming the claim: `visit_citations`
/// and `visit_id` for visits.
pub fn table_and_owner(claim: Claim) -> (String, String) {
    let name = claim.resource().as_str();
    (format!("{name}_citations"), format!("{name}_id"))
}

/// A link as read back, with a summary of the citation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkRow {
    pub owner_id: Uuid,
    pub locator: Option<String>,
    pub quote: Option<String>,
    pub citation_id: Uuid,
    pub source: String,
    pub title: Option<String>,
    pub url: Option<String>,
    pub published_date: Option<NaiveDate>,
    pub published_precision: Option<DatePrecision>,
}

impl LinkRow {
    pub fn published_on(&self) -> Option<PartialDate> {
        PartialDate::from_parts(self.published_date, self.published_precision)
    }
}

/// Writes the citation links of many claims of one kind, each in the order given; with
/// `replace`, in place of the links they had. One statement whatever their number, two when
/// replacing.
pub async fn write(
    conn: &mut PgConnection,
    claim: Claim,
    rows: &[(Uuid, Vec<LinkFields>)],
    replace: bool,
) -> Result<()> {
    let (table, column) = table_and_owner(claim);
    if replace && !rows.is_empty() {
        sqlx::query(&format!("DELETE FROM {table} WHERE {column} = ANY($1)"))
            .bind(ids(rows))
            .execute(&mut *conn)
            .await?;
    }
    let (mut owner, mut citation, mut positions, mut locator, mut quote) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (id, links) in rows {
        for (i, link) in links.iter().enumerate() {
            owner.push(*id);
            citation.push(link.citation_id);
            positions.push(position(i));
            locator.push(link.locator.as_ref().map(Locator::as_str));
            quote.push(link.quote.as_ref().map(Quote::as_str));
        }
    }
    if owner.is_empty() {
        return Ok(());
    }
    sqlx::query(&format!(
        "INSERT INTO {table} ({column}, citation_id, position, locator, quote)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::int2[], $4::text[], $5::text[])"
    ))
    .bind(&owner)
    .bind(&citation)
    .bind(&positions)
    .bind(&locator)
    .bind(&quote)
    .execute(conn)
    .await?;
    Ok(())
}

/// The citation links of many claims of one kind, in one query, in each claim's order.
pub async fn load(conn: &mut PgConnection, claim: Claim, owners: &[Uuid]) -> Result<Vec<LinkRow>> {
    if owners.is_empty() {
        return Ok(Vec::new());
    }
    let (table, column) = table_and_owner(claim);
    let sql = |condition: &str| {
        format!(
            "SELECT l.{column} AS owner_id, l.locator, l.quote, c.id AS citation_id, c.source, c.title,
                    c.url, c.published_date, c.published_precision
             FROM {table} l JOIN citations c ON c.id = l.citation_id
             WHERE {condition}
             ORDER BY l.{column}, l.position"
        )
    };
    // One owner (reading one record) gets `= $1`: its generic plan is as good as a custom one,
    // so PostgreSQL stops planning it on every call, which `= ANY($1)` of one element is not.
    let rows = match owners {
        [owner] => {
            sqlx::query_as::<_, LinkRow>(&sql(&format!("l.{column} = $1")))
                .bind(owner)
                .fetch_all(conn)
                .await?
        }
        _ => {
            sqlx::query_as::<_, LinkRow>(&sql(&format!("l.{column} = ANY($1)")))
                .bind(owners)
                .fetch_all(conn)
                .await?
        }
    };
    Ok(rows)
}
