//! Visits: who went where to meet whom, with the sources that say so.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{
    Claim, CountryCode, Occasion, PartialDate, Place, Resource, Summary, VisitKind,
};
use crate::error::{ApiError, Result};
use crate::store::StoreError;
use crate::store::links::{self, LinkFields};
use crate::store::statements::{self, Dependency};
use crate::store::visits::{self as store, VisitFields, VisitRow, Visits};

use super::fields::{bounded, bounded_non_null, non_null, nullable};
use super::links::{
    CITATIONS, CitationLink, CitationRef, check_period, link_fields, links_in, links_of, split,
};
use super::named::ReferenceField;
use super::read::{self, Assembled};
use super::record::{Record, reference};
use super::summary::ActorSummary;

/// A visit: the principal(s) travelling, the state or organization hosting them, where and
/// when, and the sources that report it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c10",
    "visitors": [{"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c11", "slug": "xi-jinping", "name": "Xi Jinping", "kind": "person"}],
    "host": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a", "slug": "kazakhstan", "name": "Kazakhstan", "kind": "state"},
    "place": "Astana",
    "country_code": "KZ",
    "start": "2022-09",
    "kind": "official",
    "citations": [{"citation": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0f", "source": "Fmprc.gov.cn", "published_on": "2022-09-15"}}],
    "created_at": "2026-11-27T12:00:00Z",
    "updated_at": "2026-11-27T12:00:00Z"
}))]
pub struct Visit {
    pub id: Uuid,
    /// Who travelled, in the order given.
    pub visitors: Vec<ActorSummary>,
    /// Who received them.
    pub host: ActorSummary,
    /// Whom the visitors count for, as the record's source coded it (an event dataset's
    /// country); when absent, each visitor's roles decide (see the analyses).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub visitor_principal: Option<ActorSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, nullable = false)]
    pub place: Option<Place>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = CountryCode)]
    pub country_code: Option<CountryCode>,
    pub start: PartialDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub end: Option<PartialDate>,
    pub kind: VisitKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, nullable = false)]
    pub occasion: Option<Occasion>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, nullable = false)]
    pub summary: Option<Summary>,
    pub citations: Vec<CitationRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new visit.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "visitor_ids": ["0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c11"],
    "host_id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a",
    "place": "Astana",
    "start": "2022-09",
    "kind": "official",
    "citations": [{"citation_id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0f"}]
}))]
pub struct NewVisit {
    /// The principal(s) travelling: 1 to 20 actors, none of them the host.
    #[schema(min_items = 1, max_items = 20)]
    #[serde(deserialize_with = "bounded::<_, _, 1, 20>")]
    pub visitor_ids: Vec<Uuid>,
    /// The state or organization receiving them.
    pub host_id: Uuid,
    /// Whom the visitors count for, as the source codes it (an event dataset's country for
    /// the visitor), instead of what their roles say: every analysis counts the visit for it.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub visitor_principal_id: Option<Uuid>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub place: Option<Place>,
    /// Where the visit took place; the host's country when absent.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub country_code: Option<CountryCode>,
    pub start: PartialDate,
    /// Not before `start`.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub end: Option<PartialDate>,
    pub kind: VisitKind,
    /// What brought the visitors, e.g. a summit.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub occasion: Option<Occasion>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub summary: Option<Summary>,
    /// The sources: at least one.
    #[schema(min_items = 1, max_items = 50)]
    #[serde(deserialize_with = "bounded::<_, _, 1, 50>")]
    pub citations: Vec<CitationLink>,
}

/// A JSON Merge Patch (RFC 7396) of a visit; lists are replaced whole; `null` removes an
/// optional field.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"end": "2022-09-15", "summary": "Talks on transit and trade."}))]
pub struct VisitPatch {
    #[serde(
        default,
        deserialize_with = "bounded_non_null::<_, _, 1, 20>",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false, min_items = 1, max_items = 20)]
    pub visitor_ids: Option<Vec<Uuid>>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub host_id: Option<Uuid>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Uuid>)]
    pub visitor_principal_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Place>)]
    pub place: Option<Option<Place>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<CountryCode>)]
    pub country_code: Option<Option<CountryCode>>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub start: Option<PartialDate>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<PartialDate>)]
    pub end: Option<Option<PartialDate>>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub kind: Option<VisitKind>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Occasion>)]
    pub occasion: Option<Option<Occasion>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Summary>)]
    pub summary: Option<Option<Summary>>,
    #[serde(
        default,
        deserialize_with = "bounded_non_null::<_, _, 1, 50>",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false, min_items = 1, max_items = 50)]
    pub citations: Option<Vec<CitationLink>>,
}

/// Turns rows into visits with their visitors and citations: two more queries per page.
pub(crate) async fn assemble(conn: &mut PgConnection, rows: Vec<VisitRow>) -> Result<Vec<Visit>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut visitors = store::visitors(&mut *conn, &ids).await?;
    let mut citations = links::load(conn, Claim::Visit, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let own_visitors = visitors
                .extract_if(.., |v| v.visit_id == row.id)
                .map(|v| ActorSummary {
                    id: v.id,
                    slug: v.slug,
                    name: v.name,
                    kind: v.kind,
                })
                .collect();
            let own_citations = links_of(&mut citations, row.id);
            let (start, end) = (row.start(), row.end());
            Visit {
                id: row.id,
                visitors: own_visitors,
                host: ActorSummary {
                    id: row.host_id,
                    slug: row.host_slug,
                    name: row.host_name,
                    kind: row.host_kind,
                },
                visitor_principal: ActorSummary::optional(
                    row.visitor_principal_id,
                    row.visitor_principal_slug,
                    row.visitor_principal_name,
                    row.visitor_principal_kind,
                ),
                place: row.place.map(Place::stored),
                country_code: row.country_code.as_deref().and_then(CountryCode::stored),
                start,
                end,
                kind: row.kind,
                occasion: row.occasion.map(Occasion::stored),
                summary: row.summary.map(Summary::stored),
                citations: own_citations,
                created_at: row.created_at,
                updated_at: row.updated_at,
            }
        })
        .collect())
}

/// No visitor twice, and none of them the host (checks that need no database).
fn check_participant_shape(visitors: &[Uuid], host: Uuid) -> Result<()> {
    for (i, visitor) in visitors.iter().enumerate() {
        if visitors[..i].contains(visitor) {
            return Err(ApiError::unprocessable_field(
                format!("#/visitor_ids/{i}"),
                "names the same actor twice",
            ));
        }
        if *visitor == host {
            return Err(ApiError::unprocessable_field(
                format!("#/visitor_ids/{i}"),
                "is the host: a visitor travels to another actor",
            ));
        }
    }
    Ok(())
}

/// What a broken constraint means for a visit's fields: an actor it names was deleted after
/// it was checked.
fn refused(error: StoreError) -> ApiError {
    match error.constraint() {
        Some("visits_host_id_fkey") => {
            ApiError::unprocessable_field("#/host_id", "no actor has this id")
        }
        Some("visits_visitor_principal_id_fkey") => {
            ApiError::unprocessable_field("#/visitor_principal_id", "no actor has this id")
        }
        Some("visit_visitors_actor_id_fkey") => {
            ApiError::unprocessable_field("#/visitor_ids", "names an actor that does not exist")
        }
        _ => error.into(),
    }
}

/// Checks and stores a new visit with its links.
impl NewVisit {
    /// The visit's fields and links, with the checks that need no database (its period in
    /// order, no visitor twice nor the host, no citation twice): for a single write and for an
    /// import line alike.
    pub(crate) fn into_parts(self) -> Result<(VisitFields, Vec<LinkFields>)> {
        check_period(Some(self.start), self.end, "#/end")?;
        check_participant_shape(&self.visitor_ids, self.host_id)?;
        let links = link_fields(self.citations)?;
        let fields = VisitFields {
            visitor_ids: self.visitor_ids,
            host_id: self.host_id,
            visitor_principal_id: self.visitor_principal_id,
            place: self.place,
            country_code: self.country_code,
            start: self.start,
            end: self.end,
            kind: self.kind,
            occasion: self.occasion,
            summary: self.summary,
        };
        Ok((fields, links))
    }
}

impl Assembled for Visit {
    type Table = Visits;

    async fn assemble(conn: &mut PgConnection, rows: Vec<VisitRow>) -> Result<Vec<Self>> {
        assemble(conn, rows).await
    }
}

impl Record for Visit {
    const RESOURCE: Resource = Resource::Visit;
    const REFERENCES: &'static [ReferenceField] = &[
        ReferenceField::ids("visitor_ids", Resource::Actor),
        ReferenceField::ids("host_id", Resource::Actor),
        ReferenceField::ids("visitor_principal_id", Resource::Actor),
        CITATIONS,
    ];
    type Key = Uuid;
    type Parent = ();
    type New = NewVisit;
    type Patch = VisitPatch;
    type Row = (VisitFields, Vec<LinkFields>);

    fn id(&self) -> Uuid {
        self.id
    }

    async fn load(conn: &mut PgConnection, id: &Uuid, lock: bool) -> Result<Self> {
        read::load(conn, *id, lock).await
    }

    async fn load_many(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<Self>> {
        read::load_many(conn, ids).await
    }

    fn to_input(&self) -> NewVisit {
        NewVisit {
            visitor_ids: self.visitors.iter().map(|a| a.id).collect(),
            host_id: self.host.id,
            visitor_principal_id: self.visitor_principal.as_ref().map(|p| p.id),
            place: self.place.clone(),
            country_code: self.country_code,
            start: self.start,
            end: self.end,
            kind: self.kind,
            occasion: self.occasion.clone(),
            summary: self.summary.clone(),
            citations: links_in(&self.citations),
        }
    }

    fn prepare(_: Option<Uuid>, input: NewVisit) -> Result<Self::Row> {
        input.into_parts()
    }

    async fn store(
        conn: &mut PgConnection,
        rows: &[(Uuid, Self::Row)],
        replace: bool,
    ) -> Result<()> {
        let (fields, links) = split(rows);
        store::write(&mut *conn, &fields, replace)
            .await
            .map_err(refused)?;
        Ok(links::write(conn, Claim::Visit, &links, replace).await?)
    }

    async fn delete(self, conn: &mut PgConnection) -> Result<()> {
        let references =
            statements::depending_on(&mut *conn, Dependency::Visit, self.id, 100).await?;
        if !references.is_empty() {
            return Err(ApiError::Conflict {
                detail: format!(
                    "{} statement(s) were made during this visit; change or delete them first",
                    references.len()
                ),
                references: references.iter().map(reference).collect(),
            });
        }
        store::delete(conn, self.id)
            .await
            .map_err(|e| match e.constraint() {
                Some("statements_visit_id_fkey") => ApiError::conflict(
                    "statements started referring to this visit; list them and retry",
                ),
                _ => e.into(),
            })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The pointer of the first field a 422 names.
    fn refused(body: serde_json::Value) -> String {
        let input: NewVisit = serde_json::from_value(body).unwrap_or_else(|e| panic!("{e}"));
        match input.into_parts() {
            Err(ApiError::Unprocessable { errors, .. }) => errors[0].pointer.clone(),
            Err(other) => panic!("not a 422: {other:?}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn the_checks_that_need_no_database_come_before_any_query() {
        let (xi, kz) = (Uuid::now_v7(), Uuid::now_v7());
        let c = Uuid::now_v7();
        let visit = |changes: serde_json::Value| {
            let mut body = json!({
                "visitor_ids": [xi], "host_id": kz, "start": "2022-09", "kind": "official",
                "citations": [{"citation_id": c}]
            });
            if let (Some(body), Some(changes)) = (body.as_object_mut(), changes.as_object()) {
                body.extend(changes.clone());
            }
            body
        };
        assert_eq!(refused(visit(json!({"end": "2022-08-31"}))), "#/end");
        assert_eq!(
            refused(visit(json!({"visitor_ids": [xi, xi]}))),
            "#/visitor_ids/1"
        );
        assert_eq!(
            refused(visit(json!({"visitor_ids": [kz]}))),
            "#/visitor_ids/0"
        );
        assert_eq!(
            refused(visit(
                json!({"citations": [{"citation_id": c}, {"citation_id": c}]})
            )),
            "#/citations/1/citation_id"
        );
        // A month-precise start may end within that month.
        let input: NewVisit = serde_json::from_value(visit(json!({"end": "2022-09-05"})))
            .unwrap_or_else(|e| panic!("{e}"));
        let (fields, links) = input.into_parts().unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(fields.start.to_string(), "2022-09");
        assert_eq!(
            fields.country_code, None,
            "the host's country is added with the database"
        );
        assert_eq!(links.len(), 1);
    }
}
