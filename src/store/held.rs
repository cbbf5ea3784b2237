//! An actor with the roles it holds and their citations, in one statement: what reading one
//! actor needs. The roles come from `actor_reads`, which triggers keep in the transaction of
//! every write that changes them (see its migration), so a read opens two relations, not the
//! five the roles are stored in: on loopback, round trips and then the relations a statement
//! opens were most of a read's cost (BENCHMARKS.md, "Capacity per process").

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

use super::Result;
use super::actors::{ActorRow, StoredAlias};
use super::links::LinkRow;
use super::roles::RoleRow;
use crate::domain::{ActorKind, DatePrecision, RoleRank};

/// The actor's columns and the roles it holds, if any.
#[derive(Debug)]
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
    roles: Option<Json<Vec<ReadRole>>>,
}

/// A role as `actor_reads` keeps it.
#[derive(Debug, Deserialize)]
struct ReadRole {
    id: Uuid,
    of_actor_id: Uuid,
    of_actor_slug: String,
    of_actor_name: String,
    of_actor_kind: ActorKind,
    title: String,
    rank: Option<RoleRank>,
    #[serde(deserialize_with = "days")]
    start_date: Option<NaiveDate>,
    start_precision: Option<DatePrecision>,
    #[serde(deserialize_with = "days")]
    end_date: Option<NaiveDate>,
    end_precision: Option<DatePrecision>,
    #[serde(deserialize_with = "micros")]
    created_at: DateTime<Utc>,
    #[serde(deserialize_with = "micros")]
    updated_at: DateTime<Utc>,
    citations: Vec<ReadCitation>,
}

/// A role's citation as `actor_reads` keeps it: the link's columns and the citation's.
#[derive(Debug, Deserialize)]
struct ReadCitation {
    id: Uuid,
    locator: Option<String>,
    quote: Option<String>,
    source: String,
    title: Option<String>,
    url: Option<String>,
    #[serde(deserialize_with = "days")]
    published_date: Option<NaiveDate>,
    published_precision: Option<DatePrecision>,
}

/// Days since 1970-01-01, as `actor_reads` keeps dates.
fn days<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
    let Some(days) = Option::<i64>::deserialize(deserializer)? else {
        return Ok(None);
    };
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| epoch.checked_add_signed(chrono::TimeDelta::try_days(days)?))
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("date out of range: {days}")))
}

/// Microseconds since the epoch, as `actor_reads` keeps timestamps.
fn micros<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    let micros = i64::deserialize(deserializer)?;
    DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| serde::de::Error::custom(format!("timestamp out of range: {micros}")))
}

/// An actor, the roles it holds (latest start first) and their citation links (in each
/// role's order).
pub type Held = (ActorRow, Vec<RoleRow>, Vec<LinkRow>);

/// Reads an actor and everything it embeds in one statement; `None` when there is no such actor.
pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<Option<Held>> {
    let row = sqlx::query_as!(
        HeldRow,
        r#"SELECT a.id, a.slug, a.kind AS "kind: ActorKind", a.name,
                  a.aliases AS "aliases: Json<Vec<StoredAlias>>", a.country_code, a.wikidata_id,
                  a.description, a.created_at, a.updated_at,
                  r.roles AS "roles?: Json<Vec<ReadRole>>"
           FROM actors a
           LEFT JOIN actor_reads r ON r.actor_id = a.id
           WHERE a.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(split))
}

/// Splits the row into the actor, its roles and their links.
fn split(row: HeldRow) -> Held {
    let actor = ActorRow {
        id: row.id,
        slug: row.slug,
        kind: row.kind,
        name: row.name,
        aliases: row.aliases,
        country_code: row.country_code,
        wikidata_id: row.wikidata_id,
        description: row.description,
        created_at: row.created_at,
        updated_at: row.updated_at,
    };
    let mut roles = Vec::new();
    let mut links = Vec::new();
    for role in row.roles.map(|r| r.0).unwrap_or_default() {
        links.extend(role.citations.into_iter().map(|c| LinkRow {
            owner_id: role.id,
            citation_id: c.id,
            source: c.source,
            locator: c.locator,
            quote: c.quote,
            title: c.title,
            url: c.url,
            published_date: c.published_date,
            published_precision: c.published_precision,
        }));
        roles.push(RoleRow {
            id: role.id,
            actor_id: actor.id,
            actor_slug: actor.slug.clone(),
            actor_name: actor.name.clone(),
            actor_kind: actor.kind,
            of_actor_id: role.of_actor_id,
            of_actor_slug: role.of_actor_slug,
            of_actor_name: role.of_actor_name,
            of_actor_kind: role.of_actor_kind,
            title: role.title,
            rank: role.rank,
            start_date: role.start_date,
            start_precision: role.start_precision,
            end_date: role.end_date,
            end_precision: role.end_precision,
            created_at: role.created_at,
            updated_at: role.updated_at,
        });
    }
    (actor, roles, links)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(roles: Option<serde_json::Value>) -> HeldRow {
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
            roles: roles.map(|v| Json(serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}")))),
        }
    }

    fn role(id: u128, citations: &[u128]) -> serde_json::Value {
        serde_json::json!({
            "id": Uuid::from_u128(id), "of_actor_id": Uuid::from_u128(2),
            "of_actor_slug": "kazakhstan", "of_actor_name": "Kazakhstan", "of_actor_kind": "state",
            "title": format!("Title {id}"), "rank": "head_of_state",
            "start_date": 18_059, "start_precision": "day",
            "end_date": null, "end_precision": null,
            "created_at": 1_640_995_200_123_456_i64, "updated_at": 0,
            "citations": citations.iter().map(|c| serde_json::json!({
                "id": Uuid::from_u128(*c), "locator": format!("p. {c}"), "quote": null,
                "source": format!("Source {c}"), "title": null, "url": null,
                "published_date": 18_993, "published_precision": "month",
            })).collect::<Vec<_>>(),
        })
    }

    #[test]
    fn an_actor_holding_no_role_has_none() {
        let (actor, roles, links) = split(row(None));
        assert_eq!(actor.slug, "tokayev");
        assert!(roles.is_empty());
        assert!(links.is_empty());
    }

    #[test]
    fn roles_keep_their_order_and_their_own_citations() {
        let roles = serde_json::json!([role(10, &[100, 101]), role(11, &[]), role(12, &[100])]);
        let (actor, roles, links) = split(row(Some(roles)));
        let ids: Vec<u128> = roles.iter().map(|r| r.id.as_u128()).collect();
        assert_eq!(ids, [10, 11, 12]);
        assert!(
            roles
                .iter()
                .all(|r| r.actor_id == actor.id && r.actor_slug == "tokayev")
        );
        assert_eq!(roles[0].title, "Title 10");
        assert_eq!(roles[0].rank, Some(RoleRank::HeadOfState));
        assert_eq!(roles[0].start_precision, Some(DatePrecision::Day));
        assert_eq!(roles[0].start_date, NaiveDate::from_ymd_opt(2019, 6, 12));
        assert_eq!(links[0].published_date, NaiveDate::from_ymd_opt(2022, 1, 1));
        assert_eq!(
            roles[0].created_at.to_rfc3339(),
            "2022-01-01T00:00:00.123456+00:00"
        );
        let owned: Vec<(u128, u128)> = links
            .iter()
            .map(|l| (l.owner_id.as_u128(), l.citation_id.as_u128()))
            .collect();
        assert_eq!(owned, [(10, 100), (10, 101), (12, 100)]);
        assert_eq!(links[1].locator.as_deref(), Some("p. 101"));
    }

    #[test]
    fn a_timestamp_or_date_out_of_range_is_refused() {
        let mut bad = role(10, &[]);
        bad["created_at"] = serde_json::json!(i64::MAX);
        assert!(serde_json::from_value::<ReadRole>(bad).is_err());
        let mut bad = role(10, &[]);
        bad["start_date"] = serde_json::json!(i64::MAX);
        assert!(serde_json::from_value::<ReadRole>(bad).is_err());
    }

    #[test]
    fn dates_before_the_common_era_keep_their_year() {
        let mut early = role(10, &[]);
        // 0000-01-01 (1 BC, as PostgreSQL writes it) is 719,528 days before 1970.
        early["start_date"] = serde_json::json!(-719_528);
        let read: ReadRole = serde_json::from_value(early).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read.start_date, NaiveDate::from_ymd_opt(0, 1, 1));
    }
}
