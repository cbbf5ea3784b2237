//! An actor with the roles it holds and their citations, in one statement: what reading one
//! actor needs. Three statements (the actor, its roles, their citations) cost three round
//! trips, and on loopback the round trips, not the SQL, were most of a read's cost
//! (BENCHMARKS.md, "Capacity per process").

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

use super::Result;
use super::actors::{ActorRow, StoredAlias};
use super::links::LinkRow;
use super::roles::RoleRow;
use crate::domain::{ActorKind, DatePrecision, RoleRank};

/// The actor's columns, then one role and one of its citations, or nulls where there are none.
#[derive(Debug, Clone)]
struct HeldRow {
    id: Uuid,
    slug: String,
    kind: ActorKind,
    name: String,
    aliases: Json<Vec<StoredAlias>>,
    country_code: Option<String>,
    wikidata_id: Option<String>,
    description: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    role_id: Option<Uuid>,
    of_actor_id: Option<Uuid>,
    of_actor_slug: Option<String>,
    of_actor_name: Option<String>,
    of_actor_kind: Option<ActorKind>,
    title: Option<String>,
    rank: Option<RoleRank>,
    start_date: Option<NaiveDate>,
    start_precision: Option<DatePrecision>,
    end_date: Option<NaiveDate>,
    end_precision: Option<DatePrecision>,
    role_created_at: Option<DateTime<Utc>>,
    role_updated_at: Option<DateTime<Utc>>,
    citation_id: Option<Uuid>,
    locator: Option<String>,
    quote: Option<String>,
    source: Option<String>,
    citation_title: Option<String>,
    url: Option<String>,
    published_date: Option<NaiveDate>,
    published_precision: Option<DatePrecision>,
}

/// An actor, the roles it holds (latest start first) and their citation links (in each
/// role's order).
pub type Held = (ActorRow, Vec<RoleRow>, Vec<LinkRow>);

/// Reads an actor and everything it embeds in one statement; `None` when there is no such actor.
pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<Option<Held>> {
    let rows = sqlx::query_as!(
        HeldRow,
        r#"SELECT a.id, a.slug, a.kind AS "kind: ActorKind", a.name,
                  a.aliases AS "aliases: Json<Vec<StoredAlias>>", a.country_code, a.wikidata_id,
                  a.description, a.created_at, a.updated_at,
                  r.id AS "role_id?", r.of_actor_id AS "of_actor_id?",
                  o.slug AS "of_actor_slug?", o.name AS "of_actor_name?",
                  o.kind AS "of_actor_kind?: ActorKind", r.title AS "title?",
                  r.rank AS "rank?: RoleRank", r.start_date AS "start_date?",
                  r.start_precision AS "start_precision?: DatePrecision",
                  r.end_date AS "end_date?", r.end_precision AS "end_precision?: DatePrecision",
                  r.created_at AS "role_created_at?", r.updated_at AS "role_updated_at?",
                  c.id AS "citation_id?", l.locator AS "locator?", l.quote AS "quote?",
                  c.source AS "source?", c.title AS "citation_title?", c.url AS "url?",
                  c.published_date AS "published_date?",
                  c.published_precision AS "published_precision?: DatePrecision"
           FROM actors a
           LEFT JOIN roles r ON r.actor_id = a.id
           LEFT JOIN actors o ON o.id = r.of_actor_id
           LEFT JOIN role_citations l ON l.role_id = r.id
           LEFT JOIN citations c ON c.id = l.citation_id
           WHERE a.id = $1
           ORDER BY r.start_date DESC NULLS LAST, r.id DESC, l.position"#,
        id
    )
    .fetch_all(conn)
    .await?;
    Ok(split(rows))
}

/// Splits the joined rows back into the actor, its roles and their links.
fn split(rows: Vec<HeldRow>) -> Option<Held> {
    let first = rows.first()?;
    let actor = ActorRow {
        id: first.id,
        slug: first.slug.clone(),
        kind: first.kind,
        name: first.name.clone(),
        aliases: first.aliases.clone(),
        country_code: first.country_code.clone(),
        wikidata_id: first.wikidata_id.clone(),
        description: first.description.clone(),
        created_at: first.created_at,
        updated_at: first.updated_at,
    };
    let mut roles: Vec<RoleRow> = Vec::new();
    let mut links = Vec::new();
    for mut row in rows {
        let Some(role_id) = row.role_id else {
            continue;
        };
        if let Some(link) = link(role_id, &mut row) {
            links.push(link);
        }
        // Rows come grouped by role, so a role is new exactly when it differs from the last.
        if roles.last().is_none_or(|last| last.id != role_id) {
            roles.extend(role(&actor, row));
        }
    }
    Some((actor, roles, links))
}

fn role(actor: &ActorRow, row: HeldRow) -> Option<RoleRow> {
    Some(RoleRow {
        id: row.role_id?,
        actor_id: actor.id,
        actor_slug: actor.slug.clone(),
        actor_name: actor.name.clone(),
        actor_kind: actor.kind,
        of_actor_id: row.of_actor_id?,
        of_actor_slug: row.of_actor_slug?,
        of_actor_name: row.of_actor_name?,
        of_actor_kind: row.of_actor_kind?,
        title: row.title?,
        rank: row.rank,
        start_date: row.start_date,
        start_precision: row.start_precision,
        end_date: row.end_date,
        end_precision: row.end_precision,
        created_at: row.role_created_at?,
        updated_at: row.role_updated_at?,
    })
}

/// Takes the link's columns out of the row, leaving the role's.
fn link(role: Uuid, row: &mut HeldRow) -> Option<LinkRow> {
    Some(LinkRow {
        owner_id: role,
        citation_id: row.citation_id?,
        source: row.source.take()?,
        locator: row.locator.take(),
        quote: row.quote.take(),
        title: row.citation_title.take(),
        url: row.url.take(),
        published_date: row.published_date,
        published_precision: row.published_precision,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(role: Option<u128>, citation: Option<u128>) -> HeldRow {
        let day = NaiveDate::from_ymd_opt(2022, 1, 5);
        HeldRow {
            id: Uuid::from_u128(1),
            slug: "tokayev".into(),
            kind: ActorKind::Person,
            name: "Kassym-Jomart Tokayev".into(),
            aliases: Json(Vec::new()),
            country_code: Some("KZ".into()),
            wikidata_id: None,
            description: None,
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
            role_id: role.map(Uuid::from_u128),
            of_actor_id: role.map(|_| Uuid::from_u128(2)),
            of_actor_slug: role.map(|_| "kazakhstan".into()),
            of_actor_name: role.map(|_| "Kazakhstan".into()),
            of_actor_kind: role.map(|_| ActorKind::State),
            title: role.map(|r| format!("Title {r}")),
            rank: None,
            start_date: day,
            start_precision: Some(DatePrecision::Day),
            end_date: None,
            end_precision: None,
            role_created_at: role.map(|_| DateTime::UNIX_EPOCH),
            role_updated_at: role.map(|_| DateTime::UNIX_EPOCH),
            citation_id: citation.map(Uuid::from_u128),
            locator: citation.map(|c| format!("p. {c}")),
            quote: None,
            source: citation.map(|c| format!("Source {c}")),
            citation_title: None,
            url: None,
            published_date: None,
            published_precision: None,
        }
    }

    #[test]
    fn no_rows_is_no_actor() {
        assert!(split(Vec::new()).is_none());
    }

    #[test]
    fn an_actor_holding_no_role_has_none() {
        let (actor, roles, links) =
            split(vec![row(None, None)]).unwrap_or_else(|| panic!("no actor"));
        assert_eq!(actor.slug, "tokayev");
        assert!(roles.is_empty());
        assert!(links.is_empty());
    }

    #[test]
    fn roles_keep_their_order_and_their_own_citations() {
        let rows = vec![
            row(Some(10), Some(100)),
            row(Some(10), Some(101)),
            row(Some(11), None),
            row(Some(12), Some(100)),
        ];
        let (actor, roles, links) = split(rows).unwrap_or_else(|| panic!("no actor"));
        let ids: Vec<u128> = roles.iter().map(|r| r.id.as_u128()).collect();
        assert_eq!(ids, [10, 11, 12]);
        assert!(
            roles
                .iter()
                .all(|r| r.actor_id == actor.id && r.actor_slug == "tokayev")
        );
        assert_eq!(roles[0].title, "Title 10");
        let owned: Vec<(u128, u128)> = links
            .iter()
            .map(|l| (l.owner_id.as_u128(), l.citation_id.as_u128()))
            .collect();
        assert_eq!(owned, [(10, 100), (10, 101), (12, 100)]);
        assert_eq!(links[1].locator.as_deref(), Some("p. 101"));
    }
}
