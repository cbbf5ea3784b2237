//! Citations: the sources behind claims, reusable by any number of them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{
    Author, CitationTitle, Excerpt, LanguageTag, PartialDate, Resource, Source, WebUrl,
};
use crate::error::{ApiError, Result};
use crate::store::StoreError;
use crate::store::citations::{self as store, CitationFields, CitationRow};

use super::fields::{bounded, bounded_nullable, non_null, nullable};
use super::named::ReferenceField;
use super::record::{Record, Unique, reference, referred_meanwhile};

/// A source: an article, a communiqué, a transcript.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0f",
    "source": "Eurasia Daily Monitor",
    "url": "https://jamestown.org/program/kazakhstans-expanding-multi-vector-foreign-policy/",
    "title": "Kazakhstan's Expanding Multi-Vector Foreign Policy",
    "authors": [],
    "published_on": "2023-01",
    "language": "en",
    "created_at": "2026-11-27T12:00:00Z",
    "updated_at": "2026-11-27T12:00:00Z"
}))]
pub struct Citation {
    pub id: Uuid,
    /// The outlet or publisher.
    #[schema(value_type = String)]
    pub source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, nullable = false)]
    pub url: Option<WebUrl>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, nullable = false)]
    pub title: Option<CitationTitle>,
    #[schema(value_type = Vec<String>)]
    pub authors: Vec<Author>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub published_on: Option<PartialDate>,
    /// When the source was read, for web sources that change.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub accessed_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, nullable = false)]
    pub language: Option<LanguageTag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, nullable = false)]
    pub excerpt: Option<Excerpt>,
    /// A copy in a web archive.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, nullable = false)]
    pub archive_url: Option<WebUrl>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new citation. Only `source` is required: a newspaper cited without a link is still a
/// citation. A `url` is unique: cite the existing citation again instead of repeating it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "source": "Eurasia Daily Monitor",
    "url": "https://jamestown.org/program/kazakhstans-expanding-multi-vector-foreign-policy/",
    "title": "Kazakhstan's Expanding Multi-Vector Foreign Policy",
    "published_on": "2023-01",
    "language": "en"
}))]
pub struct NewCitation {
    pub source: Source,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub url: Option<WebUrl>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub title: Option<CitationTitle>,
    #[serde(
        default,
        deserialize_with = "bounded::<_, _, 0, 50>",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schema(max_items = 50)]
    pub authors: Vec<Author>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub published_on: Option<PartialDate>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub accessed_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub language: Option<LanguageTag>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub excerpt: Option<Excerpt>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub archive_url: Option<WebUrl>,
}

/// A JSON Merge Patch (RFC 7396) of a citation; `null` removes an optional field.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"accessed_on": "2026-11-27", "archive_url": null}))]
pub struct CitationPatch {
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub source: Option<Source>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<WebUrl>)]
    pub url: Option<Option<WebUrl>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<CitationTitle>)]
    pub title: Option<Option<CitationTitle>>,
    #[serde(
        default,
        deserialize_with = "bounded_nullable::<_, _, 0, 50>",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Vec<Author>>, max_items = 50)]
    pub authors: Option<Option<Vec<Author>>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<PartialDate>)]
    pub published_on: Option<Option<PartialDate>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<NaiveDate>)]
    pub accessed_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<LanguageTag>)]
    pub language: Option<Option<LanguageTag>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Excerpt>)]
    pub excerpt: Option<Option<Excerpt>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<WebUrl>)]
    pub archive_url: Option<Option<WebUrl>>,
}

impl Citation {
    pub fn from_row(row: CitationRow) -> Self {
        let published_on = row.published_on();
        Self {
            id: row.id,
            source: Source::stored(row.source),
            url: row.url.map(WebUrl::stored),
            title: row.title.map(CitationTitle::stored),
            authors: row.authors.into_iter().map(Author::stored).collect(),
            published_on,
            accessed_on: row.accessed_on,
            language: row.language.map(LanguageTag::stored),
            excerpt: row.excerpt.map(Excerpt::stored),
            archive_url: row.archive_url.map(WebUrl::stored),
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// What a broken unique constraint means for a citation's fields.
fn refused(error: StoreError, fields: &CitationFields) -> ApiError {
    match error.constraint() {
        Some("citations_url_key") => ApiError::conflict(format!(
            "a citation of `{}` already exists; cite it again instead",
            fields.url.as_ref().map_or("", WebUrl::as_str)
        )),
        _ => error.into(),
    }
}

fn not_found(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("no citation with id `{id}`"))
}

impl NewCitation {
    pub(crate) fn into_fields(self) -> Result<CitationFields> {
        Ok(CitationFields {
            source: self.source,
            url: self.url,
            title: self.title,
            authors: self.authors,
            published_on: self.published_on,
            accessed_on: self.accessed_on,
            language: self.language,
            excerpt: self.excerpt,
            archive_url: self.archive_url,
        })
    }
}

pub(crate) async fn load(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<Citation> {
    store::find(conn, id, lock)
        .await?
        .map(Citation::from_row)
        .ok_or_else(|| not_found(id))
}

impl Record for Citation {
    const RESOURCE: Resource = Resource::Citation;
    const REFERENCES: &'static [ReferenceField] = &[];
    type Key = Uuid;
    type Parent = ();
    type New = NewCitation;
    type Patch = CitationPatch;
    type Row = CitationFields;

    fn id(&self) -> Uuid {
        self.id
    }

    async fn load(conn: &mut PgConnection, id: &Uuid, lock: bool) -> Result<Self> {
        load(conn, *id, lock).await
    }

    async fn load_many(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<Self>> {
        let mut rows = store::by_ids(conn, ids).await?;
        rows.sort_by_key(|r| r.id);
        Ok(rows.into_iter().map(Citation::from_row).collect())
    }

    fn to_input(&self) -> NewCitation {
        let current = self.clone();
        NewCitation {
            source: current.source,
            url: current.url,
            title: current.title,
            authors: current.authors,
            published_on: current.published_on,
            accessed_on: current.accessed_on,
            language: current.language,
            excerpt: current.excerpt,
            archive_url: current.archive_url,
        }
    }

    fn prepare(_: Option<Uuid>, input: NewCitation) -> Result<CitationFields> {
        input.into_fields()
    }

    fn unique(fields: &CitationFields) -> Vec<Unique> {
        let Some(url) = &fields.url else {
            return Vec::new();
        };
        vec![Unique {
            pointer: "#/url",
            table: "citations",
            column: "url",
            value: url.as_str().to_owned(),
            repeated: "is cited by an earlier line; cite that one".into(),
            taken: "a citation of this URL already exists; cite it".into(),
        }]
    }

    async fn store(
        conn: &mut PgConnection,
        rows: &[(Uuid, CitationFields)],
        replace: bool,
    ) -> Result<()> {
        let refused = |e: StoreError| match rows {
            [(_, fields)] => refused(e, fields),
            _ => e.into(),
        };
        store::write(conn, rows, replace).await.map_err(refused)
    }

    async fn delete(self, conn: &mut PgConnection) -> Result<()> {
        let citing = store::citing(&mut *conn, self.id, None, 100).await?;
        if !citing.is_empty() {
            return Err(ApiError::Conflict {
                detail: format!(
                    "the citation is cited by {}{} record(s); remove those links first",
                    citing.len().min(100),
                    if citing.len() > 100 { "+" } else { "" }
                ),
                references: citing
                    .iter()
                    .take(100)
                    .map(|row| reference(&row.referrer()))
                    .collect(),
            });
        }
        store::delete(conn, self.id)
            .await
            .map_err(|e| referred_meanwhile(e, "other records started citing this citation"))
    }
}
