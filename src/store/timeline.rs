//! SQL for an actor's timeline: the visits and statements it takes part in, directly or
//! through a person who held one of its roles at the time.

use chrono::NaiveDate;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::error::Result;

/// One record of a timeline, before its details are loaded.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntryRow {
    /// `statement` or `visit`.
    pub record: String,
    pub id: Uuid,
    pub date: NaiveDate,
    /// `visitor`, `host`, `speaker`, `on_behalf_of` or `subject`.
    pub capacity: String,
    /// The role holder the actor takes part through, when not directly.
    pub via: Option<Uuid>,
}

#[derive(Debug)]
pub struct TimelineQuery {
    pub actor: Uuid,
    pub via_roles: bool,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub descending: bool,
}

/// A page of entries in date order (then record kind and id), after `after`.
pub async fn entries(
    conn: &mut PgConnection,
    query: &TimelineQuery,
    after: Option<(NaiveDate, String, Uuid)>,
    limit: i64,
) -> Result<Vec<EntryRow>> {
    let mut sql = QueryBuilder::<Postgres>::new("WITH p AS (");
    // Direct participation; `rank` orders the capacities when a record has several.
    sql.push("SELECT 'visit' AS record, v.id, v.start_date AS date, v.period, 'visitor' AS capacity, NULL::uuid AS via, 1 AS rank
              FROM visit_visitors x JOIN visits v ON v.id = x.visit_id WHERE x.actor_id = ")
        .push_bind(query.actor)
        .push(" UNION ALL SELECT 'visit', v.id, v.start_date, v.period, 'host', NULL, 2 FROM visits v WHERE v.host_id = ")
        .push_bind(query.actor)
        .push(" UNION ALL SELECT 'statement', s.id, s.stated_date, s.period, 'speaker', NULL, 1 FROM statements s WHERE s.speaker_id = ")
        .push_bind(query.actor)
        .push(" UNION ALL SELECT 'statement', s.id, s.stated_date, s.period, 'on_behalf_of', NULL, 2 FROM statements s WHERE s.on_behalf_of_id = ")
        .push_bind(query.actor)
        .push(
            " UNION ALL SELECT 'statement', s.id, s.stated_date, s.period, 'subject', NULL, 3
              FROM statement_subjects x JOIN statements s ON s.id = x.statement_id WHERE x.actor_id = ",
        )
        .push_bind(query.actor);
    if query.via_roles {
        // Through the people who held a role in the actor when the record happened. The
        // overlap is written out on the bounds rather than as `&&`: the planner would
        // otherwise intersect with the period index, which matches nearly every record.
        sql.push(
            " UNION ALL SELECT 'visit', v.id, v.start_date, v.period, 'visitor', r.actor_id, 4
              FROM roles r JOIN visit_visitors x ON x.actor_id = r.actor_id JOIN visits v ON v.id = x.visit_id
              WHERE lower(v.period) < coalesce(upper(r.period), 'infinity') AND upper(v.period) > coalesce(lower(r.period), '-infinity') AND r.of_actor_id = ",
        )
        .push_bind(query.actor)
        .push(
            " UNION ALL SELECT 'visit', v.id, v.start_date, v.period, 'host', r.actor_id, 5
              FROM roles r JOIN visits v ON v.host_id = r.actor_id
              WHERE lower(v.period) < coalesce(upper(r.period), 'infinity') AND upper(v.period) > coalesce(lower(r.period), '-infinity') AND r.of_actor_id = ",
        )
        .push_bind(query.actor)
        .push(
            " UNION ALL SELECT 'statement', s.id, s.stated_date, s.period, 'speaker', r.actor_id, 4
              FROM roles r JOIN statements s ON s.speaker_id = r.actor_id
              WHERE lower(s.period) < coalesce(upper(r.period), 'infinity') AND upper(s.period) > coalesce(lower(r.period), '-infinity') AND r.of_actor_id = ",
        )
        .push_bind(query.actor);
    }
    sql.push("), best AS (SELECT DISTINCT ON (record, id) record, id, date, period, capacity, via FROM p ORDER BY record, id, rank)");
    sql.push(" SELECT record, id, date, capacity, via FROM best WHERE true");
    if query.from.is_some() || query.until.is_some() {
        sql.push(" AND period && daterange(")
            .push_bind(query.from)
            .push("::date, ")
            .push_bind(query.until)
            .push("::date, '[)')");
    }
    let (direction, comparison) = if query.descending {
        ("DESC", "<")
    } else {
        ("ASC", ">")
    };
    if let Some((date, record, id)) = after {
        sql.push(format!(" AND (date, record, id) {comparison} ("))
            .push_bind(date)
            .push(", ")
            .push_bind(record)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    sql.push(format!(
        " ORDER BY date {direction}, record {direction}, id {direction} LIMIT "
    ))
    .push_bind(limit + 1);
    Ok(sql.build_query_as::<EntryRow>().fetch_all(conn).await?)
}
