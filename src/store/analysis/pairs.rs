//! Every principal's records and partners over a window, counted in the database: the
//! ranking's whole question (`GET /v1/engagement`), answered with a row per principal and
//! partner however many records the window holds.
//!
//! It counts what the analyses' ties give — one contribution per record and partner; a tie
//! within one principal is nobody's — in two parts:
//!
//! - a record that names its principals itself (a dataset's coding: an interaction's source
//!   and target principals; a visit's visitor principal, with the host's principal) ties
//!   exactly those two, whoever its actors are: such records are counted by pair at once,
//!   without reading an actor;
//! - every other record (statements, records typed in) is read tie by tie, principals by
//!   `principal_of` where the record names none, made distinct, then counted.
//!
//! A record is in one part or the other, so the two parts' counts add.

use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use super::{Result, TieQuery};

/// How many records tie a principal to a partner (`partner` set), or how many records a
/// principal has with any partner (`partner` none).
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct PairCount {
    pub actor: Uuid,
    pub partner: Option<Uuid>,
    pub records: i64,
}

/// Every principal's records and partners in the window. `out` counts a principal's ties as
/// their source, `into` as their target (both, for either way).
pub async fn pair_counts(
    conn: &mut PgConnection,
    query: &TieQuery,
    out: bool,
    into: bool,
) -> Result<Vec<PairCount>> {
    if !(query.visits || query.statements || query.interactions) || !(out || into) {
        return Ok(Vec::new());
    }
    let mut sql = QueryBuilder::<Postgres>::new("");
    super::window(&mut sql, query);
    coded(&mut sql, query);
    uncoded(&mut sql, query);
    let ways = |out_way: &str, in_way: &str, join: &str| -> String {
        let mut ways = Vec::new();
        if out {
            ways.push(out_way);
        }
        if into {
            ways.push(in_way);
        }
        ways.join(join)
    };
    // Each way's rows are distinct already; the union drops a record's pair seen both ways.
    sql.push(format!(
        ", sides AS MATERIALIZED ({})
         SELECT actor, partner, sum(records)::int8 AS records FROM ({} UNION ALL
             SELECT actor, partner, count(*) FROM sides GROUP BY actor, partner) p
         GROUP BY actor, partner
         UNION ALL
         SELECT actor, NULL, sum(records)::int8 FROM ({} UNION ALL
             SELECT actor, count(DISTINCT (record, id)) FROM sides GROUP BY actor) n
         GROUP BY actor",
        ways(
            "SELECT f AS actor, t AS partner, record, id FROM uncoded",
            "SELECT t AS actor, f AS partner, record, id FROM uncoded",
            " UNION ",
        ),
        ways(
            "SELECT f AS actor, t AS partner, records FROM coded",
            "SELECT t AS actor, f AS partner, records FROM coded",
            " UNION ALL ",
        ),
        ways(
            "SELECT f AS actor, records FROM coded",
            "SELECT t AS actor, records FROM coded",
            " UNION ALL ",
        ),
    ));
    Ok(sql.build_query_as::<PairCount>().fetch_all(conn).await?)
}

/// `coded`: records that name both their principals, counted by pair.
fn coded(sql: &mut QueryBuilder<'_, Postgres>, query: &TieQuery) {
    sql.push(
        ", coded AS MATERIALIZED (SELECT f, t, count(*) AS records FROM (
             SELECT NULL::uuid AS f, NULL::uuid AS t WHERE false",
    );
    if query.visits {
        sql.push(
            " UNION ALL SELECT v.visitor_principal_id, h.principal_id FROM w, visits v
              CROSS JOIN LATERAL principal_of(v.host_id, v.period) h
              WHERE v.period && w.during AND v.visitor_principal_id IS NOT NULL",
        );
    }
    if query.interactions {
        sql.push(
            " UNION ALL SELECT i.source_principal_id, i.target_principal_id FROM w, interactions i
              WHERE i.period && w.during
                AND i.source_principal_id IS NOT NULL AND i.target_principal_id IS NOT NULL",
        );
        types(sql, query);
    }
    sql.push(") c WHERE f <> t GROUP BY f, t)");
}

/// `uncoded`: every other record's ties, one row per record and pair of principals.
fn uncoded(sql: &mut QueryBuilder<'_, Postgres>, query: &TieQuery) {
    sql.push(
        ", uncoded AS MATERIALIZED (SELECT DISTINCT record, id, f, t FROM (
             SELECT NULL::text AS record, NULL::uuid AS id, NULL::uuid AS f, NULL::uuid AS t
             WHERE false",
    );
    if query.visits {
        sql.push(
            " UNION ALL SELECT 'visit', v.id, f.principal_id, h.principal_id FROM w, visits v
              JOIN visit_visitors x ON x.visit_id = v.id
              CROSS JOIN LATERAL principal_of(x.actor_id, v.period) f
              CROSS JOIN LATERAL principal_of(v.host_id, v.period) h
              WHERE v.period && w.during AND v.visitor_principal_id IS NULL",
        );
    }
    if query.statements {
        sql.push(format!(
            " UNION ALL SELECT 'statement', s.id, coalesce(s.on_behalf_of_id, f.principal_id),
                     t.principal_id
              FROM w, statements s JOIN statement_subjects x ON x.statement_id = s.id
              {}
              CROSS JOIN LATERAL principal_of(x.actor_id, s.period) t
              WHERE s.period && w.during",
            unless_coded("s.speaker_id", "s.period", "s.on_behalf_of_id", "f")
        ));
    }
    if query.interactions {
        sql.push(format!(
            " UNION ALL SELECT 'interaction', i.id, coalesce(i.source_principal_id, f.principal_id),
                     coalesce(i.target_principal_id, t.principal_id)
              FROM w, interactions i
              JOIN interaction_actors x ON x.interaction_id = i.id AND x.side = 'source'
              JOIN interaction_actors y ON y.interaction_id = i.id AND y.side = 'target'
              {} {}
              WHERE i.period && w.during
                AND (i.source_principal_id IS NULL OR i.target_principal_id IS NULL)",
            unless_coded("x.actor_id", "i.period", "i.source_principal_id", "f"),
            unless_coded("y.actor_id", "i.period", "i.target_principal_id", "t"),
        ));
        types(sql, query);
    }
    sql.push(") u WHERE f <> t)");
}

/// Only the interactions of the types asked for, when given.
fn types(sql: &mut QueryBuilder<'_, Postgres>, query: &TieQuery) {
    if let Some(types) = &query.interaction_types {
        sql.push(" AND i.type = ANY(")
            .push_bind(types.clone())
            .push(")");
    }
}

/// The participant's principal by `principal_of`, joined as `alias`, only where the record
/// does not name it (`coded`). `OFFSET 0` keeps the subquery whole, so the condition gates
/// the lookup instead of filtering its result.
fn unless_coded(participant: &str, period: &str, coded: &str, alias: &str) -> String {
    format!(
        "LEFT JOIN LATERAL (SELECT * FROM principal_of({participant}, {period})
                            WHERE {coded} IS NULL OFFSET 0) {alias} ON true"
    )
}
