//! What claims share: citation links in and out, periods in order, references to actors.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{Locator, PartialDate, Quote, Resource};
use crate::error::{ApiError, Result};
use crate::store::links::{LinkFields, LinkRow};

use super::fields::non_null;
use super::named::ReferenceField;

/// Where a claim names its citations.
pub const CITATIONS: ReferenceField =
    ReferenceField::within("citations", "citation_id", Resource::Citation);

/// A claim's link to a citation, with where in the source and in which words.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"citation_id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0f", "locator": "paragraph 3", "quote": "pledged to defend Kazakhstan's territorial integrity"}))]
pub struct CitationLink {
    pub citation_id: Uuid,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub locator: Option<Locator>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub quote: Option<Quote>,
}

/// Just enough of a citation to show it where a claim cites it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CitationSummary {
    pub id: Uuid,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub published_on: Option<PartialDate>,
}

/// A citation as a claim cites it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CitationRef {
    pub citation: CitationSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub locator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub quote: Option<String>,
}

impl CitationRef {
    pub fn from_row(row: LinkRow) -> Self {
        let published_on = row.published_on();
        Self {
            citation: CitationSummary {
                id: row.citation_id,
                source: row.source,
                title: row.title,
                url: row.url,
                published_on,
            },
            locator: row.locator,
            quote: row.quote,
        }
    }
}

/// The links as a create body gives them.
pub fn links_in(citations: &[CitationRef]) -> Vec<CitationLink> {
    citations
        .iter()
        .map(|c| CitationLink {
            citation_id: c.citation.id,
            locator: c.locator.clone().map(Locator::stored),
            quote: c.quote.clone().map(Quote::stored),
        })
        .collect()
}

/// Rows each with the id of the record they belong to.
pub type Owned<T> = Vec<(Uuid, T)>;

/// Claims' fields and their links, apart.
pub fn split<F: Clone>(
    rows: &[(Uuid, (F, Vec<LinkFields>))],
) -> (Owned<F>, Owned<Vec<LinkFields>>) {
    rows.iter()
        .map(|(id, (fields, links))| ((*id, fields.clone()), (*id, links.clone())))
        .unzip()
}

/// Takes the links of one owner out of rows loaded for many (ordered by owner).
pub fn links_of(rows: &mut Vec<LinkRow>, owner: Uuid) -> Vec<CitationRef> {
    rows.extract_if(.., |row| row.owner_id == owner)
        .map(CitationRef::from_row)
        .collect()
}

/// The links as stored, refusing a citation cited twice (checks that need no database).
pub fn link_fields(links: Vec<CitationLink>) -> Result<Vec<LinkFields>> {
    for (i, link) in links.iter().enumerate() {
        if links[..i].iter().any(|l| l.citation_id == link.citation_id) {
            return Err(ApiError::unprocessable_field(
                format!("#/citations/{i}/citation_id"),
                "cites the same citation twice; give one link with its locator and quote",
            ));
        }
    }
    Ok(links
        .into_iter()
        .map(|l| LinkFields {
            citation_id: l.citation_id,
            locator: l.locator,
            quote: l.quote,
        })
        .collect())
}

/// Checks that `end` is not before `start`, respecting precision: an end of `2022-10` is not
/// before a start of `2022-10-12`.
/// `pointer` names the end in the request.
pub fn check_period(
    start: Option<PartialDate>,
    end: Option<PartialDate>,
    pointer: &str,
) -> Result<()> {
    if let (Some(start), Some(end)) = (start, end)
        && end.last_day() < start.first_day()
    {
        return Err(ApiError::unprocessable_field(
            pointer,
            format!("`{end}` is before the start `{start}`"),
        ));
    }
    Ok(())
}
