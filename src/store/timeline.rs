//! SQL for an actor's timeline: the visits, statements and interactions it takes part in,
//! directly or through a person who held one of its roles at the time.

use chrono::NaiveDate;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use super::Result;
use crate::domain::Resource;

/// One record of a timeline, before its details are loaded.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntryRow {
    /// A visit, a statement or an interaction.
    pub record: Resource,
    pub id: Uuid,
    pub date: NaiveDate,
    /// `visitor`, `host`, `speaker`, `on_behalf_of`, `subject`, `source` or `target`.
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
///
/// Every branch (one way of taking part) is cut to the page before the branches are merged,
/// in the order of an index on the actor and the date, so a page costs about the same however
/// long the actor's history is. This is exact: a record on the page is preceded, in any
/// branch holding it, only by records that precede it on the page too. Branches through
/// role holders are cut per role, since one record can come through several holders.
pub async fn entries(
    conn: &mut PgConnection,
    query: &TimelineQuery,
    after: Option<(NaiveDate, String, Uuid)>,
    limit: i64,
) -> Result<Vec<EntryRow>> {
    let page = Page {
        query,
        after: after.as_ref(),
        limit: limit + 1,
    };
    let mut sql = QueryBuilder::<Postgres>::new(
        "WITH holders AS (SELECT r.actor_id, r.period FROM roles r WHERE r.of_actor_id = ",
    );
    sql.push_bind(query.actor).push("), p AS (");
    // Direct participation; `rank` orders the capacities when a record has several.
    sql.push(
        "(SELECT 'visit' AS record, v.id, v.start_date AS date, 'visitor' AS capacity, NULL::uuid AS via, 1 AS rank
          FROM ",
    )
    .push(VISITOR_LINKS)
    .push(" WHERE x.actor_id = ")
    .push_bind(query.actor);
    page.cut(&mut sql, VISITOR);
    sql.push(") UNION ALL (SELECT 'visit', v.id, v.start_date, 'host', NULL, 2 FROM visits v WHERE v.host_id = ")
        .push_bind(query.actor);
    page.cut(&mut sql, VISIT);
    sql.push(") UNION ALL (SELECT 'statement', s.id, s.stated_date, 'speaker', NULL, 1 FROM statements s WHERE s.speaker_id = ")
        .push_bind(query.actor);
    page.cut(&mut sql, STATEMENT);
    sql.push(") UNION ALL (SELECT 'statement', s.id, s.stated_date, 'on_behalf_of', NULL, 2 FROM statements s WHERE s.on_behalf_of_id = ")
        .push_bind(query.actor);
    page.cut(&mut sql, STATEMENT);
    sql.push(
        ") UNION ALL (SELECT 'statement', s.id, s.stated_date, 'subject', NULL, 3
          FROM ",
    )
    .push(SUBJECT_LINKS)
    .push(" WHERE x.actor_id = ")
    .push_bind(query.actor);
    page.cut(&mut sql, SUBJECT);
    sql.push(
        ") UNION ALL (SELECT 'interaction', i.id, i.start_date, x.side::text, NULL, 1
          FROM ",
    )
    .push(INTERACTOR_LINKS)
    .push(" WHERE x.actor_id = ")
    .push_bind(query.actor);
    page.cut(&mut sql, INTERACTOR);
    sql.push(")");
    if query.via_roles {
        // Through the people who held a role in the actor when the record happened.
        page.through_holders(
            &mut sql,
            ("'visitor'", 4),
            &format!("{VISITOR_LINKS} WHERE x.actor_id"),
            VISITOR,
        );
        page.through_holders(&mut sql, ("'host'", 5), "visits v WHERE v.host_id", VISIT);
        page.through_holders(
            &mut sql,
            ("'speaker'", 4),
            "statements s WHERE s.speaker_id",
            STATEMENT,
        );
        page.through_holders(
            &mut sql,
            ("x.side::text", 4),
            &format!("{INTERACTOR_LINKS} WHERE x.actor_id"),
            INTERACTOR,
        );
    }
    // One entry per record, in its first capacity (and, among holders, the first by id).
    sql.push(
        "), best AS (SELECT DISTINCT ON (record, id) record, id, date, capacity, via FROM p ORDER BY record, id, rank, via)
         SELECT record, id, date, capacity, via FROM best",
    );
    let direction = page.direction();
    sql.push(format!(
        " ORDER BY date {direction}, record {direction}, id {direction} LIMIT "
    ))
    .push_bind(page.limit);
    Ok(sql.build_query_as::<EntryRow>().fetch_all(conn).await?)
}

/// Visitor links with their visits. The fence (`OFFSET 0`) keeps the visit a lookup per
/// link read in index order, so reading stops after a page: left to itself the planner may
/// hash-join every visit of the table when it expects few links to pass the filters.
const VISITOR_LINKS: &str = "visit_visitors x CROSS JOIN LATERAL
    (SELECT v.id, v.start_date, v.period FROM visits v WHERE v.id = x.visit_id OFFSET 0) v";

/// Subject links with their statements, fenced for the same reason.
const SUBJECT_LINKS: &str = "statement_subjects x CROSS JOIN LATERAL
    (SELECT s.id, s.stated_date, s.period FROM statements s WHERE s.id = x.statement_id OFFSET 0) s";

/// Actor links with their interactions, fenced for the same reason.
const INTERACTOR_LINKS: &str = "interaction_actors x CROSS JOIN LATERAL
    (SELECT i.id, i.start_date, i.period FROM interactions i WHERE i.id = x.interaction_id OFFSET 0) i";

/// The columns one branch reads its record from.
#[derive(Clone, Copy)]
struct Source {
    record: &'static str,
    date: &'static str,
    period: &'static str,
    id: &'static str,
}

const VISIT: Source = Source {
    record: "visit",
    date: "v.start_date",
    period: "v.period",
    id: "v.id",
};

const STATEMENT: Source = Source {
    record: "statement",
    date: "s.stated_date",
    period: "s.period",
    id: "s.id",
};

/// Visits through their visitor links, which carry the visit's date (kept by triggers).
const VISITOR: Source = Source {
    record: "visit",
    date: "x.start_date",
    period: "v.period",
    id: "x.visit_id",
};

/// Statements through their subject links, which carry the statement's date.
const SUBJECT: Source = Source {
    record: "statement",
    date: "x.stated_date",
    period: "s.period",
    id: "x.statement_id",
};

/// Interactions through their actor links, which carry the interaction's date.
const INTERACTOR: Source = Source {
    record: "interaction",
    date: "x.start_date",
    period: "i.period",
    id: "x.interaction_id",
};

struct Page<'a> {
    query: &'a TimelineQuery,
    after: Option<&'a (NaiveDate, String, Uuid)>,
    limit: i64,
}

impl Page<'_> {
    fn direction(&self) -> &'static str {
        if self.query.descending { "DESC" } else { "ASC" }
    }

    /// A branch through the role holders, cut per holder: `from` runs from the tables to the
    /// column that must equal the holder; `capacity` is SQL (a quoted name, or a column).
    fn through_holders(
        &self,
        sql: &mut QueryBuilder<'_, Postgres>,
        (capacity, rank): (&str, i32),
        from: &str,
        source: Source,
    ) {
        let Source {
            record,
            date,
            period,
            id,
        } = source;
        // The overlap is written out on the bounds rather than as `&&`: the planner would
        // otherwise intersect with the period index, which matches nearly every record.
        sql.push(format!(
            " UNION ALL SELECT l.* FROM holders h CROSS JOIN LATERAL (
              SELECT '{record}' AS record, {id} AS id, {date} AS date, {capacity} AS capacity,
                     h.actor_id AS via, {rank} AS rank
              FROM {from} = h.actor_id
                AND lower({period}) < coalesce(upper(h.period), 'infinity')
                AND upper({period}) > coalesce(lower(h.period), '-infinity')"
        ));
        self.cut(sql, source);
        sql.push(") l");
    }

    /// Ends one branch's WHERE clause: the window, the position after the cursor, and the
    /// page's order and length.
    fn cut(&self, sql: &mut QueryBuilder<'_, Postgres>, source: Source) {
        let Source {
            record,
            date,
            period,
            id,
        } = source;
        if self.query.from.is_some() || self.query.until.is_some() {
            sql.push(format!(" AND {period} && daterange("))
                .push_bind(self.query.from)
                .push("::date, ")
                .push_bind(self.query.until)
                .push("::date, '[)')");
        }
        if let Some(until) = self.query.until {
            // Implied by the overlap, and what an index on the date can use.
            sql.push(format!(" AND {date} < ")).push_bind(until);
        }
        if let Some((after_date, after_record, after_id)) = self.after {
            // The page order is (date, record, id) and the record is fixed in a branch, so
            // the cursor becomes a bound on (date, id) that an index can use.
            let (later, later_or_same) = if self.query.descending {
                ("<", "<=")
            } else {
                (">", ">=")
            };
            match record.cmp(after_record.as_str()) {
                std::cmp::Ordering::Equal => {
                    sql.push(format!(" AND ({date}, {id}) {later} ("))
                        .push_bind(*after_date)
                        .push(", ")
                        .push_bind(*after_id)
                        .push(")");
                }
                // Records of this kind sort after the cursor's kind on the same date.
                std::cmp::Ordering::Greater if !self.query.descending => {
                    sql.push(format!(" AND {date} {later_or_same} "))
                        .push_bind(*after_date);
                }
                std::cmp::Ordering::Less if self.query.descending => {
                    sql.push(format!(" AND {date} {later_or_same} "))
                        .push_bind(*after_date);
                }
                _ => {
                    sql.push(format!(" AND {date} {later} "))
                        .push_bind(*after_date);
                }
            }
        }
        let direction = self.direction();
        sql.push(format!(
            " ORDER BY {date} {direction}, {id} {direction} LIMIT "
        ))
        .push_bind(self.limit);
    }
}
