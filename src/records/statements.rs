//! Statements: who said what, for whom, about whom, and where it is sourced.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{
    Claim, LanguageTag, PartialDate, Resource, Stance, StatementKind, StatementText, Topic,
};
use crate::error::{ApiError, Result};
use crate::store::StoreError;
use crate::store::links::{self, LinkFields};
use crate::store::statements::{self as store, StatementFields, StatementRow, Statements};

use super::fields::{bounded, bounded_non_null, non_null, nullable, unique};
use super::links::{CITATIONS, CitationLink, CitationRef, link_fields, links_in, links_of, split};
use super::named::ReferenceField;
use super::read::{self, Assembled};
use super::record::Record;
use super::summary::ActorSummary;

/// An actor a statement is about, and the statement's stance toward it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Subject {
    pub actor: ActorSummary,
    pub stance: Stance,
}

/// A statement: a declaration, pledge, proposal, denial, criticism or agreement, by a
/// speaker, for the state or organization they spoke for, with its sources.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c12",
    "speaker": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c11", "slug": "xi-jinping", "name": "Xi Jinping", "kind": "person"},
    "on_behalf_of": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c13", "slug": "china", "name": "China", "kind": "state"},
    "on_behalf_of_role_id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c14",
    "stated_on": "2022-09",
    "kind": "pledge",
    "text": "Xi Jinping pledged to defend Kazakhstan's independence and territorial integrity.",
    "verbatim": false,
    "language": "en",
    "topics": ["sovereignty", "security"],
    "subjects": [{"actor": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a", "slug": "kazakhstan", "name": "Kazakhstan", "kind": "state"}, "stance": "support"}],
    "visit_id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c10",
    "citations": [{"citation": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0f", "source": "Fmprc.gov.cn", "published_on": "2022-09-15"}}],
    "created_at": "2026-11-27T12:00:00Z",
    "updated_at": "2026-11-27T12:00:00Z"
}))]
pub struct Statement {
    pub id: Uuid,
    pub speaker: ActorSummary,
    /// The state or organization the speaker spoke for: as given, or derived from the role
    /// the speaker held on that date (then `on_behalf_of_role_id` names it).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub on_behalf_of: Option<ActorSummary>,
    /// The speaker's role `on_behalf_of` was derived from; absent when it was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub on_behalf_of_role_id: Option<Uuid>,
    pub stated_on: PartialDate,
    pub kind: StatementKind,
    #[schema(value_type = String)]
    pub text: StatementText,
    /// Whether `text` is the speaker's words (true) or a paraphrase.
    pub verbatim: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, nullable = false)]
    pub language: Option<LanguageTag>,
    #[schema(value_type = Vec<String>)]
    pub topics: Vec<Topic>,
    pub subjects: Vec<Subject>,
    /// The visit during which it was said.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub visit_id: Option<Uuid>,
    pub citations: Vec<CitationRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An actor a new statement is about.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubject {
    pub actor_id: Uuid,
    pub stance: Stance,
}

/// A new statement.
///
/// When `on_behalf_of_id` is absent it is derived from the role the speaker held on
/// `stated_on` (a role in a state first, then the most recent); a speaker without such a
/// role speaks for no one but themselves.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "speaker_id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c11",
    "stated_on": "2022-09",
    "kind": "pledge",
    "text": "Xi Jinping pledged to defend Kazakhstan's independence and territorial integrity.",
    "topics": ["sovereignty", "security"],
    "subjects": [{"actor_id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a", "stance": "support"}],
    "citations": [{"citation_id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0f", "locator": "paragraph 3"}]
}))]
pub struct NewStatement {
    pub speaker_id: Uuid,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub on_behalf_of_id: Option<Uuid>,
    pub stated_on: PartialDate,
    pub kind: StatementKind,
    pub text: StatementText,
    /// True when `text` is the speaker's own words; a paraphrase by default.
    #[serde(default)]
    pub verbatim: bool,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub language: Option<LanguageTag>,
    #[serde(
        default,
        deserialize_with = "bounded::<_, _, 0, 20>",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schema(max_items = 20)]
    pub topics: Vec<Topic>,
    #[serde(
        default,
        deserialize_with = "bounded::<_, _, 0, 50>",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schema(max_items = 50)]
    pub subjects: Vec<NewSubject>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub visit_id: Option<Uuid>,
    /// The sources: at least one.
    #[schema(min_items = 1, max_items = 50)]
    #[serde(deserialize_with = "bounded::<_, _, 1, 50>")]
    pub citations: Vec<CitationLink>,
}

/// A JSON Merge Patch (RFC 7396) of a statement; lists are replaced whole. `null` removes an
/// optional field; for `on_behalf_of_id` it means "derive it from the speaker's role again".
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"topics": ["energy", "gas-union"], "on_behalf_of_id": null}))]
pub struct StatementPatch {
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub speaker_id: Option<Uuid>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Uuid>)]
    pub on_behalf_of_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub stated_on: Option<PartialDate>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub kind: Option<StatementKind>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub text: Option<StatementText>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub verbatim: Option<bool>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<LanguageTag>)]
    pub language: Option<Option<LanguageTag>>,
    #[serde(
        default,
        deserialize_with = "bounded_non_null::<_, _, 0, 20>",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false, max_items = 20)]
    pub topics: Option<Vec<Topic>>,
    #[serde(
        default,
        deserialize_with = "bounded_non_null::<_, _, 0, 50>",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false, max_items = 50)]
    pub subjects: Option<Vec<NewSubject>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Uuid>)]
    pub visit_id: Option<Option<Uuid>>,
    #[serde(
        default,
        deserialize_with = "bounded_non_null::<_, _, 1, 50>",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false, min_items = 1, max_items = 50)]
    pub citations: Option<Vec<CitationLink>>,
}

/// Turns rows into statements with their subjects and citations: two more queries per page.
pub(crate) async fn assemble(
    conn: &mut PgConnection,
    rows: Vec<StatementRow>,
) -> Result<Vec<Statement>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut subjects = store::subjects(&mut *conn, &ids).await?;
    let mut citations = links::load(conn, Claim::Statement, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let own_subjects = subjects
                .extract_if(.., |s| s.statement_id == row.id)
                .map(|s| Subject {
                    actor: ActorSummary {
                        id: s.id,
                        slug: s.slug,
                        name: s.name,
                        kind: s.kind,
                    },
                    stance: s.stance,
                })
                .collect();
            let own_citations = links_of(&mut citations, row.id);
            let stated_on = row.stated_on();
            let on_behalf_of = match (
                row.on_behalf_of_id,
                row.on_behalf_of_slug,
                row.on_behalf_of_name,
                row.on_behalf_of_kind,
            ) {
                (Some(id), Some(slug), Some(name), Some(kind)) => Some(ActorSummary {
                    id,
                    slug,
                    name,
                    kind,
                }),
                _ => None,
            };
            Statement {
                id: row.id,
                speaker: ActorSummary {
                    id: row.speaker_id,
                    slug: row.speaker_slug,
                    name: row.speaker_name,
                    kind: row.speaker_kind,
                },
                on_behalf_of,
                on_behalf_of_role_id: row.on_behalf_of_role_id,
                stated_on,
                kind: row.kind,
                text: StatementText::stored(row.text),
                verbatim: row.verbatim,
                language: row.language.map(LanguageTag::stored),
                topics: row.topics.into_iter().map(Topic::stored).collect(),
                subjects: own_subjects,
                visit_id: row.visit_id,
                citations: own_citations,
                created_at: row.created_at,
                updated_at: row.updated_at,
            }
        })
        .collect())
}

impl NewStatement {
    /// The statement's fields (`on_behalf_of` as given: the rest is derived when it is
    /// stored) and links, with the checks that need no database (no subject twice, no
    /// citation twice; topics without repeats): for a single write and an import line alike.
    pub(crate) fn into_parts(self) -> Result<(StatementFields, Vec<LinkFields>)> {
        check_subject_shape(&self.subjects)?;
        let links = link_fields(self.citations)?;
        let fields = StatementFields {
            speaker_id: self.speaker_id,
            on_behalf_of_id: self.on_behalf_of_id,
            on_behalf_of_role_id: None,
            stated_on: self.stated_on,
            kind: self.kind,
            text: self.text,
            verbatim: self.verbatim,
            language: self.language,
            topics: unique(self.topics),
            subjects: self
                .subjects
                .into_iter()
                .map(|s| (s.actor_id, s.stance))
                .collect(),
            visit_id: self.visit_id,
        };
        Ok((fields, links))
    }
}

/// No subject twice (a check that needs no database).
fn check_subject_shape(subjects: &[NewSubject]) -> Result<()> {
    for (i, subject) in subjects.iter().enumerate() {
        if subjects[..i].iter().any(|s| s.actor_id == subject.actor_id) {
            return Err(ApiError::unprocessable_field(
                format!("#/subjects/{i}/actor_id"),
                "names the same actor twice",
            ));
        }
    }
    Ok(())
}

/// What a broken constraint means for a statement's fields: a record it names was deleted
/// after it was checked.
fn refused(error: StoreError) -> ApiError {
    match error.constraint() {
        Some("statements_speaker_id_fkey") => {
            ApiError::unprocessable_field("#/speaker_id", "no actor has this id")
        }
        Some("statements_on_behalf_of_id_fkey") => {
            ApiError::unprocessable_field("#/on_behalf_of_id", "no actor has this id")
        }
        Some("statements_visit_id_fkey") => {
            ApiError::unprocessable_field("#/visit_id", "no visit has this id")
        }
        Some("statement_subjects_actor_id_fkey") => {
            ApiError::unprocessable_field("#/subjects", "names an actor that does not exist")
        }
        Some("statements_on_behalf_of_role_id_fkey") => {
            ApiError::conflict("the speaker's role changed meanwhile; retry")
        }
        _ => error.into(),
    }
}

impl Assembled for Statement {
    type Table = Statements;

    async fn assemble(conn: &mut PgConnection, rows: Vec<StatementRow>) -> Result<Vec<Self>> {
        assemble(conn, rows).await
    }
}

impl Record for Statement {
    const RESOURCE: Resource = Resource::Statement;
    const REFERENCES: &'static [ReferenceField] = &[
        ReferenceField::ids("speaker_id", Resource::Actor),
        ReferenceField::ids("on_behalf_of_id", Resource::Actor),
        ReferenceField::within("subjects", "actor_id", Resource::Actor),
        ReferenceField::ids("visit_id", Resource::Visit),
        CITATIONS,
    ];
    type Key = Uuid;
    type Parent = ();
    type New = NewStatement;
    type Patch = StatementPatch;
    type Row = (StatementFields, Vec<LinkFields>);

    fn id(&self) -> Uuid {
        self.id
    }

    async fn load(conn: &mut PgConnection, id: &Uuid, lock: bool) -> Result<Self> {
        read::load(conn, *id, lock).await
    }

    async fn load_many(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<Self>> {
        read::load_many(conn, ids).await
    }

    /// An attribution derived from the speaker's role is left out: it is derived again.
    fn to_input(&self) -> NewStatement {
        NewStatement {
            speaker_id: self.speaker.id,
            on_behalf_of_id: match self.on_behalf_of_role_id {
                None => self.on_behalf_of.as_ref().map(|a| a.id),
                Some(_) => None,
            },
            stated_on: self.stated_on,
            kind: self.kind,
            text: self.text.clone(),
            verbatim: self.verbatim,
            language: self.language.clone(),
            topics: self.topics.clone(),
            subjects: self
                .subjects
                .iter()
                .map(|s| NewSubject {
                    actor_id: s.actor.id,
                    stance: s.stance,
                })
                .collect(),
            visit_id: self.visit_id,
            citations: links_in(&self.citations),
        }
    }

    fn prepare(_: Option<Uuid>, input: NewStatement) -> Result<Self::Row> {
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
        Ok(links::write(conn, Claim::Statement, &links, replace).await?)
    }

    async fn delete(self, conn: &mut PgConnection) -> Result<()> {
        Ok(store::delete(conn, self.id).await?)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_import_gets_the_same_fields_a_write_checks_before_the_database() {
        let (xi, kz) = (Uuid::now_v7(), Uuid::now_v7());
        let statement = |subjects: serde_json::Value| -> NewStatement {
            serde_json::from_value(json!({
                "speaker_id": xi, "stated_on": "2022-09", "kind": "pledge", "text": "Support.",
                "topics": ["security", "trade", "security"], "subjects": subjects,
                "citations": [{"citation_id": Uuid::now_v7()}]
            }))
            .unwrap_or_else(|e| panic!("{e}"))
        };
        let twice =
            json!([{"actor_id": kz, "stance": "support"}, {"actor_id": kz, "stance": "oppose"}]);
        match statement(twice).into_parts() {
            Err(ApiError::Unprocessable { errors, .. }) => {
                assert_eq!(errors[0].pointer, "#/subjects/1/actor_id");
            }
            other => panic!("not a 422: {:?}", other.map(|_| ())),
        }
        let (fields, links) = statement(json!([{"actor_id": kz, "stance": "support"}]))
            .into_parts()
            .unwrap_or_else(|e| panic!("{e:?}"));
        let topics: Vec<&str> = fields.topics.iter().map(Topic::as_str).collect();
        assert_eq!(topics, ["security", "trade"]);
        assert_eq!(fields.subjects, [(kz, Stance::Support)]);
        assert_eq!(
            (fields.on_behalf_of_id, fields.on_behalf_of_role_id),
            (None, None)
        );
        assert_eq!(links.len(), 1);
    }
}
