//! SQL for the analyses: the ties between principals that visits, statements and
//! interactions make.
//!
//! A visit ties each visitor's principal to the host's; a statement ties the speaker's
//! principal (its `on_behalf_of`, when set) to each subject's; an interaction ties each
//! source's principal to each target's. Principals come from the record where it names them
//! (`on_behalf_of`, a visit's `visitor_principal`, an interaction's `source_principal` and
//! `target_principal`: what an event dataset coded), and otherwise from the database function
//! `principal_of` (see its migration), the one rule every analysis uses.

use chrono::NaiveDate;
use futures_util::TryStreamExt;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

mod pairs;

pub use pairs::{PairCount, pair_counts};

use super::{Result, StoreError};
use crate::domain::{DatePrecision, InteractionType, RoleRank, Stance, StatementKind, VisitKind};

/// One tie a record makes between two participants, with whom each counts for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TieRow {
    /// `visit`, `statement` or `interaction`.
    pub record: String,
    pub id: Uuid,
    /// The visit's start or the statement's date.
    pub date: NaiveDate,
    pub precision: DatePrecision,
    /// Set for a visit.
    pub visit_kind: Option<VisitKind>,
    /// Set for a statement.
    pub statement_kind: Option<StatementKind>,
    /// Set for an interaction.
    pub interaction_type: Option<InteractionType>,
    /// A statement's stance toward the subject on the receiving end.
    pub stance: Option<Stance>,
    pub from_participant: Uuid,
    pub from_principal: Uuid,
    pub from_rank: Option<RoleRank>,
    pub from_resolved: bool,
    pub to_participant: Uuid,
    pub to_principal: Uuid,
    pub to_rank: Option<RoleRank>,
    pub to_resolved: bool,
}

/// Which ties to read.
#[derive(Debug, Clone)]
pub struct TieQuery {
    /// Only the records this actor takes part in, as itself or through someone who held one
    /// of its roles in the window; every record when absent.
    pub around: Option<Uuid>,
    pub visits: bool,
    pub statements: bool,
    pub interactions: bool,
    /// Only interactions of these types, when given (a quad class is the types in it).
    pub interaction_types: Option<Vec<InteractionType>>,
    /// The window: records whose period overlaps `[from, until)`.
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// At most this many ties are read.
    pub max_ties: i64,
}

/// What a question's ties span, counted without reading them: how many link rows (at most
/// `max_ties`, so the count stops there), the earliest day and the first day after the last.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Extent {
    pub links: i64,
    pub first: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// What a branch of the union reads: the whole tie, or its date alone (no principals, the
/// costly part), for [`extent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    Ties,
    Dates,
}

/// The ties of the records in the window, at most `max_ties` (in no particular order), each
/// made into a `T` by `each` as it is read: the rows are never all held at once, and the
/// answer, sized by `expected` (the [`extent`]'s count), is allocated once.
pub async fn ties<T, E: From<StoreError>>(
    conn: &mut PgConnection,
    query: &TieQuery,
    expected: usize,
    mut each: impl FnMut(TieRow) -> Result<T, E>,
) -> Result<Vec<T>, E> {
    let mut sql = QueryBuilder::<Postgres>::new("");
    if !union(&mut sql, query, Read::Ties) {
        return Ok(Vec::new());
    }
    let mut ties = Vec::with_capacity(expected);
    let mut rows = sql.build_query_as::<TieRow>().fetch(conn);
    while let Some(row) = rows.try_next().await.map_err(StoreError::from)? {
        ties.push(each(row)?);
    }
    Ok(ties)
}

/// The extent of the ties [`ties`] would read, from the records and their links alone: a
/// question too large is refused from this before its ties are read.
pub async fn extent(conn: &mut PgConnection, query: &TieQuery) -> Result<Extent> {
    let mut sql = QueryBuilder::<Postgres>::new(
        "SELECT count(*) AS links, min(date) AS first,
        max(date + CASE precision WHEN 'day' THEN interval '1 day'
                                  WHEN 'month' THEN interval '1 month'
                                  ELSE interval '1 year' END)::date AS until
        FROM (",
    );
    if !union(&mut sql, query, Read::Dates) {
        return Ok(Extent {
            links: 0,
            first: None,
            until: None,
        });
    }
    sql.push(") e");
    Ok(sql.build_query_as::<Extent>().fetch_one(conn).await?)
}

/// The query of the ties (or their dates), at most `max_ties` rows; false when no kind of
/// record is asked for.
fn union(sql: &mut QueryBuilder<'_, Postgres>, query: &TieQuery, read: Read) -> bool {
    window(sql, query);
    if let Some(actor) = query.around {
        candidates(sql, actor, query);
    }
    sql.push(" SELECT * FROM (");
    let mut branches = 0;
    if query.visits {
        visit_ties(sql, query.around.is_some(), read);
        branches += 1;
    }
    if query.statements {
        if branches > 0 {
            sql.push(" UNION ALL ");
        }
        statement_ties(sql, query.around.is_some(), read);
        branches += 1;
    }
    if query.interactions {
        if branches > 0 {
            sql.push(" UNION ALL ");
        }
        interaction_ties(sql, query, read);
        branches += 1;
    }
    sql.push(") l LIMIT ").push_bind(query.max_ties);
    branches > 0
}

/// `w`: the window as one date range, `during`.
fn window(sql: &mut QueryBuilder<'_, Postgres>, query: &TieQuery) {
    sql.push("WITH w AS (SELECT daterange(");
    sql.push_bind(query.from)
        .push("::date, ")
        .push_bind(query.until)
        .push("::date, '[)') AS during)");
}

/// One end of a tie whose principal the record may name (`coded`), else `principal_of` as
/// `alias`: its principal, its rank (only when the principal is the role's), and whether it
/// was resolved. `side` is `from` or `to`.
fn coded_end(side: &str, coded: &str, alias: &str) -> String {
    format!(
        "coalesce({coded}, {alias}.principal_id) AS {side}_principal,
         CASE WHEN coalesce({coded}, {alias}.principal_id) = {alias}.principal_id
              THEN {alias}.rank END AS {side}_rank,
         {coded} IS NOT NULL OR {alias}.resolved AS {side}_resolved"
    )
}

/// The ids of the records an actor may take part in: directly, or through the people who
/// held one of its roles during the window. Each branch reads an index on the actor and the
/// date; the window is checked on the records themselves.
fn candidates(sql: &mut QueryBuilder<'_, Postgres>, actor: Uuid, query: &TieQuery) {
    sql.push(", people AS (SELECT ")
        .push_bind(actor)
        .push(
            "::uuid AS actor_id UNION SELECT r.actor_id FROM roles r, w
             WHERE r.of_actor_id = ",
        )
        .push_bind(actor)
        .push(
            " AND coalesce(lower(r.period), '-infinity') < coalesce(upper(w.during), 'infinity')
              AND coalesce(upper(r.period), 'infinity') > coalesce(lower(w.during), '-infinity'))",
        );
    let before = |sql: &mut QueryBuilder<'_, Postgres>, column: &str| {
        if let Some(until) = query.until {
            sql.push(format!(" AND {column} < ")).push_bind(until);
        }
    };
    // Where the record itself is read, its period is checked here too, so that only the
    // window's records are joined to their ties (not every earlier year's).
    let within = |sql: &mut QueryBuilder<'_, Postgres>, record: &str| {
        sql.push(format!(" AND {record}.period && (SELECT during FROM w)"));
    };
    if query.visits {
        sql.push(
            ", visit_ids AS (SELECT x.visit_id AS id FROM people p
               JOIN visit_visitors x ON x.actor_id = p.actor_id WHERE true",
        );
        before(sql, "x.start_date");
        sql.push(
            " UNION SELECT v.id FROM people p JOIN visits v ON v.host_id = p.actor_id WHERE true",
        );
        before(sql, "v.start_date");
        within(sql, "v");
        sql.push(" UNION SELECT v.id FROM visits v WHERE v.visitor_principal_id = ")
            .push_bind(actor);
        before(sql, "v.start_date");
        within(sql, "v");
        sql.push(")");
    }
    if query.statements {
        sql.push(
            ", statement_ids AS (SELECT s.id FROM people p
               JOIN statements s ON s.speaker_id = p.actor_id WHERE true",
        );
        before(sql, "s.stated_date");
        within(sql, "s");
        sql.push(" UNION SELECT s.id FROM statements s WHERE s.on_behalf_of_id = ")
            .push_bind(actor);
        before(sql, "s.stated_date");
        within(sql, "s");
        sql.push(
            " UNION SELECT x.statement_id FROM people p
              JOIN statement_subjects x ON x.actor_id = p.actor_id WHERE true",
        );
        before(sql, "x.stated_date");
        sql.push(")");
    }
    if query.interactions {
        sql.push(
            ", interaction_ids AS (SELECT x.interaction_id AS id FROM people p
               JOIN interaction_actors x ON x.actor_id = p.actor_id WHERE true",
        );
        before(sql, "x.start_date");
        for side in ["source", "target"] {
            sql.push(format!(
                " UNION SELECT i.id FROM interactions i WHERE i.{side}_principal_id = "
            ))
            .push_bind(actor);
            before(sql, "i.start_date");
            within(sql, "i");
        }
        sql.push(")");
    }
}

/// A branch of [`extent`]: the records' dates alone, one row per link.
fn dates(
    sql: &mut QueryBuilder<'_, Postgres>,
    date: &str,
    precision: &str,
    from: &str,
    period: &str,
) {
    sql.push(format!(
        "SELECT {date} AS date, {precision} AS precision FROM w, {from} WHERE {period} && w.during"
    ));
}

/// Each visitor's principal to the host's.
fn visit_ties(sql: &mut QueryBuilder<'_, Postgres>, around: bool, read: Read) {
    let source = if around {
        "visit_ids c JOIN visits v ON v.id = c.id"
    } else {
        "visits v"
    };
    if read == Read::Dates {
        let from = format!("{source} JOIN visit_visitors x ON x.visit_id = v.id");
        return dates(sql, "v.start_date", "v.start_precision", &from, "v.period");
    }
    sql.push(format!(
        "SELECT 'visit' AS record, v.id, v.start_date AS date, v.start_precision AS precision,
                v.kind AS visit_kind, NULL::statement_kind AS statement_kind,
                NULL::interaction_type AS interaction_type, NULL::stance AS stance,
                x.actor_id AS from_participant, {},
                v.host_id AS to_participant, t.principal_id AS to_principal,
                t.rank AS to_rank, t.resolved AS to_resolved
         FROM w, {source}
         JOIN visit_visitors x ON x.visit_id = v.id
         CROSS JOIN LATERAL principal_of(x.actor_id, v.period) f
         CROSS JOIN LATERAL principal_of(v.host_id, v.period) t
         WHERE v.period && w.during",
        coded_end("from", "v.visitor_principal_id", "f")
    ));
}

/// The speaker's principal (the statement's `on_behalf_of`, when set) to each subject's.
/// Columns are named in each branch: either may be the first of the union.
fn statement_ties(sql: &mut QueryBuilder<'_, Postgres>, around: bool, read: Read) {
    let source = if around {
        "statement_ids c JOIN statements s ON s.id = c.id"
    } else {
        "statements s"
    };
    if read == Read::Dates {
        let from = format!("{source} JOIN statement_subjects x ON x.statement_id = s.id");
        return dates(
            sql,
            "s.stated_date",
            "s.stated_precision",
            &from,
            "s.period",
        );
    }
    sql.push(format!(
        "SELECT 'statement' AS record, s.id, s.stated_date AS date, s.stated_precision AS precision,
                NULL::visit_kind AS visit_kind, s.kind AS statement_kind,
                NULL::interaction_type AS interaction_type, x.stance,
                s.speaker_id AS from_participant, {},
                x.actor_id AS to_participant, t.principal_id AS to_principal,
                t.rank AS to_rank, t.resolved AS to_resolved
         FROM w, {source}
         JOIN statement_subjects x ON x.statement_id = s.id
         CROSS JOIN LATERAL principal_of(s.speaker_id, s.period) f
         CROSS JOIN LATERAL principal_of(x.actor_id, s.period) t
         WHERE s.period && w.during",
        coded_end("from", "s.on_behalf_of_id", "f")
    ));
}

/// Each source's principal to each target's, for the interactions of the types asked for.
fn interaction_ties(sql: &mut QueryBuilder<'_, Postgres>, query: &TieQuery, read: Read) {
    let source = if query.around.is_some() {
        "interaction_ids c JOIN interactions i ON i.id = c.id"
    } else {
        "interactions i"
    };
    let links = "JOIN interaction_actors x ON x.interaction_id = i.id AND x.side = 'source'
         JOIN interaction_actors y ON y.interaction_id = i.id AND y.side = 'target'";
    if read == Read::Dates {
        let from = format!("{source} {links}");
        dates(sql, "i.start_date", "i.start_precision", &from, "i.period");
    } else {
        sql.push(format!(
            "SELECT 'interaction' AS record, i.id, i.start_date AS date,
                    i.start_precision AS precision,
                    NULL::visit_kind AS visit_kind, NULL::statement_kind AS statement_kind,
                    i.type AS interaction_type, NULL::stance AS stance,
                    x.actor_id AS from_participant, {},
                    y.actor_id AS to_participant, {}
             FROM w, {source} {links}
             CROSS JOIN LATERAL principal_of(x.actor_id, i.period) f
             CROSS JOIN LATERAL principal_of(y.actor_id, i.period) t
             WHERE i.period && w.during",
            coded_end("from", "i.source_principal_id", "f"),
            coded_end("to", "i.target_principal_id", "t"),
        ));
    }
    if let Some(types) = &query.interaction_types {
        sql.push(" AND i.type = ANY(")
            .push_bind(types.clone())
            .push(")");
    }
}
