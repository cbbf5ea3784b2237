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
use crate::store::statements::{self as store, StatementFields, StatementRow};
use crate::store::visits as visit_store;

use super::actors::ActorSummary;
use super::fields::{bounded, bounded_non_null, non_null, nullable, unique};
use super::links::{
    CitationLink, CitationRef, check_actors, check_cited, check_links, link_fields, links_of,
};
use super::record::Record;

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
    let mut citations = links::load(conn, Claim::STATEMENT, &ids).await?;
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

pub(crate) async fn load(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<Statement> {
    let row = store::find(&mut *conn, id, lock)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no statement with id `{id}`")))?;
    let mut statements = assemble(conn, vec![row]).await?;
    statements
        .pop()
        .ok_or_else(|| ApiError::NotFound(format!("no statement with id `{id}`")))
}

/// What a statement's fields need checked against the database, and its attribution.
struct Draft {
    speaker_id: Uuid,
    /// `Some` when given explicitly.
    on_behalf_of_id: Option<Uuid>,
    stated_on: PartialDate,
    kind: StatementKind,
    text: StatementText,
    verbatim: bool,
    language: Option<LanguageTag>,
    topics: Vec<Topic>,
    subjects: Vec<NewSubject>,
    visit_id: Option<Uuid>,
}

impl Draft {
    /// The fields, with the checks that need no database (no subject twice; topics without
    /// repeats) and `on_behalf_of` as given (none derived yet).
    fn into_fields(self) -> Result<StatementFields> {
        check_subject_shape(&self.subjects)?;
        Ok(StatementFields {
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
        })
    }

    /// The fields checked against the database (every actor and the visit exist), with
    /// `on_behalf_of` derived from the speaker's role when it was not given.
    async fn check(self, conn: &mut PgConnection) -> Result<StatementFields> {
        let mut fields = self.into_fields()?;
        let mut refs = vec![("#/speaker_id".to_owned(), fields.speaker_id)];
        if let Some(id) = fields.on_behalf_of_id {
            refs.push(("#/on_behalf_of_id".to_owned(), id));
        }
        refs.extend(
            fields
                .subjects
                .iter()
                .enumerate()
                .map(|(i, (actor, _))| (format!("#/subjects/{i}/actor_id"), *actor)),
        );
        check_actors(conn, &refs).await?;
        if let Some(visit) = fields.visit_id
            && !visit_store::exists(conn, visit).await?
        {
            return Err(ApiError::unprocessable_field(
                "#/visit_id",
                "no visit has this id",
            ));
        }
        if fields.on_behalf_of_id.is_none()
            && let Some((role, of_actor)) =
                store::attribution(conn, fields.speaker_id, fields.stated_on).await?
        {
            fields.on_behalf_of_id = Some(of_actor);
            fields.on_behalf_of_role_id = Some(role);
        }
        Ok(fields)
    }
}

impl NewStatement {
    /// What the statement is before the database is asked, and its links, with the checks
    /// that need none (no citation twice): for a single write and for an import line alike.
    fn into_draft(self) -> Result<(Draft, Vec<LinkFields>)> {
        let links = link_fields(self.citations)?;
        let draft = Draft {
            speaker_id: self.speaker_id,
            on_behalf_of_id: self.on_behalf_of_id,
            stated_on: self.stated_on,
            kind: self.kind,
            text: self.text,
            verbatim: self.verbatim,
            language: self.language,
            topics: self.topics,
            subjects: self.subjects,
            visit_id: self.visit_id,
        };
        Ok((draft, links))
    }

    /// The statement's fields (`on_behalf_of` as given: an import derives the rest in SQL)
    /// and links, with the checks that need no database.
    pub(crate) fn into_parts(self) -> Result<(StatementFields, Vec<LinkFields>)> {
        let (draft, links) = self.into_draft()?;
        Ok((draft.into_fields()?, links))
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

/// Checks and stores a new statement with its links.
async fn insert(conn: &mut PgConnection, input: NewStatement) -> Result<Uuid> {
    let (draft, links) = input.into_draft()?;
    check_cited(&mut *conn, &links).await?;
    let fields = draft.check(&mut *conn).await?;
    let id = store::insert(&mut *conn, &fields).await.map_err(refused)?;
    links::replace(conn, Claim::STATEMENT, id, &links).await?;
    Ok(id)
}

impl Record for Statement {
    const RESOURCE: Resource = Resource::Statement;
    type Key = Uuid;
    type Parent = ();
    type New = NewStatement;
    type Patch = StatementPatch;

    fn id(&self) -> Uuid {
        self.id
    }

    async fn load(conn: &mut PgConnection, id: &Uuid, lock: bool) -> Result<Self> {
        load(conn, *id, lock).await
    }

    async fn create(conn: &mut PgConnection, _: &(), input: NewStatement) -> Result<Self> {
        let id = insert(&mut *conn, input).await?;
        load(conn, id, false).await
    }

    async fn update(self, conn: &mut PgConnection, patch: StatementPatch) -> Result<Self> {
        let current = self;
        let id = current.id;
        let given_before = current
            .on_behalf_of_role_id
            .is_none()
            .then(|| current.on_behalf_of.as_ref().map(|a| a.id))
            .flatten();
        let draft = Draft {
            speaker_id: patch.speaker_id.unwrap_or(current.speaker.id),
            // Explicit stays explicit unless removed; derived (or none) is derived again.
            on_behalf_of_id: match patch.on_behalf_of_id {
                Some(given) => given,
                None => given_before,
            },
            stated_on: patch.stated_on.unwrap_or(current.stated_on),
            kind: patch.kind.unwrap_or(current.kind),
            text: patch.text.unwrap_or_else(|| current.text.clone()),
            verbatim: patch.verbatim.unwrap_or(current.verbatim),
            language: patch.language.unwrap_or_else(|| current.language.clone()),
            topics: patch.topics.unwrap_or_else(|| current.topics.clone()),
            subjects: match patch.subjects {
                Some(subjects) => subjects,
                None => current
                    .subjects
                    .iter()
                    .map(|s| NewSubject {
                        actor_id: s.actor.id,
                        stance: s.stance,
                    })
                    .collect(),
            },
            visit_id: patch.visit_id.unwrap_or(current.visit_id),
        };
        if let Some(citations) = patch.citations {
            let links = check_links(&mut *conn, citations).await?;
            links::replace(&mut *conn, Claim::STATEMENT, id, &links).await?;
        }
        let fields = draft.check(&mut *conn).await?;
        store::update(&mut *conn, id, &fields)
            .await
            .map_err(refused)?;
        load(conn, id, false).await
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
