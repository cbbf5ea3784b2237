//! Export: the same line format as an import, ids kept, references by id, in dependency
//! order.

use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::{
    Author, CitationTitle, CountryCode, Excerpt, LanguageTag, Occasion, PartialDate, Place,
    RoleRank, Source, Stance, StatementKind, StatementText, Summary, Title, Topic, VisitKind,
    WebUrl,
};
use crate::error::ApiError;
use crate::records::citations::Citation;
use crate::records::{roles, statements, visits};
use crate::store;

use crate::domain::Resource;

#[derive(Serialize)]
struct Line<T: Serialize> {
    #[serde(rename = "type")]
    kind: Resource,
    id: Uuid,
    #[serde(flatten)]
    body: T,
}

#[derive(Serialize)]
struct LinkOut<'a> {
    citation_id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    locator: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quote: &'a Option<String>,
}

fn links(citations: &[crate::records::links::CitationRef]) -> Vec<LinkOut<'_>> {
    citations
        .iter()
        .map(|c| LinkOut {
            citation_id: c.citation.id,
            locator: &c.locator,
            quote: &c.quote,
        })
        .collect()
}

fn none<T>(value: &&Option<T>) -> bool {
    value.is_none()
}

#[derive(Serialize)]
struct CitationOut<'a> {
    source: &'a Source,
    #[serde(skip_serializing_if = "none")]
    url: &'a Option<WebUrl>,
    #[serde(skip_serializing_if = "none")]
    title: &'a Option<CitationTitle>,
    #[serde(skip_serializing_if = "<[Author]>::is_empty")]
    authors: &'a [Author],
    #[serde(skip_serializing_if = "Option::is_none")]
    published_on: Option<PartialDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accessed_on: Option<chrono::NaiveDate>,
    #[serde(skip_serializing_if = "none")]
    language: &'a Option<LanguageTag>,
    #[serde(skip_serializing_if = "none")]
    excerpt: &'a Option<Excerpt>,
    #[serde(skip_serializing_if = "none")]
    archive_url: &'a Option<WebUrl>,
}

#[derive(Serialize)]
struct ActorOut<'a> {
    slug: &'a str,
    kind: crate::domain::ActorKind,
    name: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<crate::domain::ActorAlias>,
    #[serde(skip_serializing_if = "none")]
    country_code: &'a Option<String>,
    #[serde(skip_serializing_if = "none")]
    wikidata_id: &'a Option<String>,
    #[serde(skip_serializing_if = "none")]
    description: &'a Option<String>,
}

#[derive(Serialize)]
struct RoleOut<'a> {
    actor_id: Uuid,
    of_actor_id: Uuid,
    title: &'a Title,
    #[serde(skip_serializing_if = "Option::is_none")]
    rank: Option<RoleRank>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<PartialDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<PartialDate>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    citations: Vec<LinkOut<'a>>,
}

#[derive(Serialize)]
struct VisitOut<'a> {
    visitor_ids: Vec<Uuid>,
    host_id: Uuid,
    #[serde(skip_serializing_if = "none")]
    place: &'a Option<Place>,
    #[serde(skip_serializing_if = "none")]
    country_code: &'a Option<CountryCode>,
    start: PartialDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<PartialDate>,
    kind: VisitKind,
    #[serde(skip_serializing_if = "none")]
    occasion: &'a Option<Occasion>,
    #[serde(skip_serializing_if = "none")]
    summary: &'a Option<Summary>,
    citations: Vec<LinkOut<'a>>,
}

#[derive(Serialize)]
struct SubjectOut {
    actor_id: Uuid,
    stance: Stance,
}

#[derive(Serialize)]
struct StatementOut<'a> {
    speaker_id: Uuid,
    /// Only when given: a derived one is derived again on import.
    #[serde(skip_serializing_if = "Option::is_none")]
    on_behalf_of_id: Option<Uuid>,
    stated_on: PartialDate,
    kind: StatementKind,
    text: &'a StatementText,
    verbatim: bool,
    #[serde(skip_serializing_if = "none")]
    language: &'a Option<LanguageTag>,
    #[serde(skip_serializing_if = "<[Topic]>::is_empty")]
    topics: &'a [Topic],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    subjects: Vec<SubjectOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    visit_id: Option<Uuid>,
    citations: Vec<LinkOut<'a>>,
}

fn push_line<T: Serialize>(
    out: &mut Vec<u8>,
    kind: Resource,
    id: Uuid,
    body: T,
) -> Result<(), ApiError> {
    serde_json::to_writer(&mut *out, &Line { kind, id, body })
        .map_err(|e| ApiError::Internal(e.into()))?;
    out.push(b'\n');
    Ok(())
}

/// The kinds of record a comma-separated list names (all when absent), in the order an
/// export writes them; what is wrong with the list otherwise.
pub fn kinds(list: Option<&str>) -> Result<Vec<Resource>, String> {
    let Some(list) = list else {
        return Ok(Resource::ALL.to_vec());
    };
    if list.len() > 100 {
        return Err("must be at most 100 characters".into());
    }
    let mut wanted = Vec::new();
    for name in list.split(',') {
        let names = Resource::ALL.map(Resource::as_str).join(", ");
        wanted
            .push(Resource::parse(name).ok_or_else(|| format!("`{name}` is not one of {names}"))?);
    }
    Ok(Resource::ALL
        .into_iter()
        .filter(|k| wanted.contains(k))
        .collect())
}

/// One page of an export: the NDJSON of up to `limit` records of `kind` after `after` (by
/// id), and the last id written.
pub async fn export_page(
    conn: &mut PgConnection,
    kind: Resource,
    after: Uuid,
    limit: i64,
) -> Result<(Vec<u8>, Option<Uuid>), ApiError> {
    let mut ids: Vec<Uuid> = sqlx::query_scalar(&format!(
        "SELECT id FROM {} WHERE id > $1 ORDER BY id LIMIT $2",
        kind.plural()
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    ids.sort_unstable();
    let last = ids.last().copied();
    let mut out = Vec::new();
    match kind {
        Resource::Citation => {
            let mut rows = store::citations::by_ids(conn, &ids).await?;
            rows.sort_by_key(|r| r.id);
            for row in rows {
                let c = Citation::from_row(row);
                push_line(
                    &mut out,
                    Resource::Citation,
                    c.id,
                    CitationOut {
                        source: &c.source,
                        url: &c.url,
                        title: &c.title,
                        authors: &c.authors,
                        published_on: c.published_on,
                        accessed_on: c.accessed_on,
                        language: &c.language,
                        excerpt: &c.excerpt,
                        archive_url: &c.archive_url,
                    },
                )?;
            }
        }
        Resource::Actor => {
            let mut rows = store::actors::by_ids(conn, &ids).await?;
            rows.sort_by_key(|r| r.id);
            for a in rows {
                push_line(
                    &mut out,
                    Resource::Actor,
                    a.id,
                    ActorOut {
                        slug: &a.slug,
                        kind: a.kind,
                        name: &a.name,
                        aliases: a
                            .aliases
                            .0
                            .iter()
                            .cloned()
                            .map(|a| a.into_alias())
                            .collect(),
                        country_code: &a.country_code,
                        wikidata_id: &a.wikidata_id,
                        description: &a.description,
                    },
                )?;
            }
        }
        Resource::Role => {
            let rows = store::roles::by_ids(&mut *conn, &ids).await?;
            let mut all = roles::assemble(conn, rows).await?;
            all.sort_by_key(|r| r.id);
            for r in &all {
                push_line(
                    &mut out,
                    Resource::Role,
                    r.id,
                    RoleOut {
                        actor_id: r.actor_id,
                        of_actor_id: r.of_actor_id,
                        title: &r.title,
                        rank: r.rank,
                        start: r.start,
                        end: r.end,
                        citations: links(&r.citations),
                    },
                )?;
            }
        }
        Resource::Visit => {
            let rows = store::visits::by_ids(&mut *conn, &ids).await?;
            let mut all = visits::assemble(conn, rows).await?;
            all.sort_by_key(|v| v.id);
            for v in &all {
                push_line(
                    &mut out,
                    Resource::Visit,
                    v.id,
                    VisitOut {
                        visitor_ids: v.visitors.iter().map(|a| a.id).collect(),
                        host_id: v.host.id,
                        place: &v.place,
                        country_code: &v.country_code,
                        start: v.start,
                        end: v.end,
                        kind: v.kind,
                        occasion: &v.occasion,
                        summary: &v.summary,
                        citations: links(&v.citations),
                    },
                )?;
            }
        }
        Resource::Statement => {
            let rows = store::statements::by_ids(&mut *conn, &ids).await?;
            let mut all = statements::assemble(conn, rows).await?;
            all.sort_by_key(|s| s.id);
            for s in &all {
                push_line(
                    &mut out,
                    Resource::Statement,
                    s.id,
                    StatementOut {
                        speaker_id: s.speaker.id,
                        on_behalf_of_id: match s.on_behalf_of_role_id {
                            None => s.on_behalf_of.as_ref().map(|a| a.id),
                            Some(_) => None,
                        },
                        stated_on: s.stated_on,
                        kind: s.kind,
                        text: &s.text,
                        verbatim: s.verbatim,
                        language: &s.language,
                        topics: &s.topics,
                        subjects: s
                            .subjects
                            .iter()
                            .map(|x| SubjectOut {
                                actor_id: x.actor.id,
                                stance: x.stance,
                            })
                            .collect(),
                        visit_id: s.visit_id,
                        citations: links(&s.citations),
                    },
                )?;
            }
        }
    }
    Ok((out, last))
}
