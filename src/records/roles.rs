//! Roles: offices and memberships over time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{ActorKey, Claim, PartialDate, Resource, RoleRank, Title};
use crate::error::{ApiError, Result};
use crate::store::StoreError;
use crate::store::links::{self, LinkFields, LinkRow};
use crate::store::roles::{self as store, RoleFields, RoleRow};
use crate::store::statements::{self, Dependency};

use super::actors::id_of;
use super::fields::{bounded, bounded_non_null, non_null, nullable};
use super::links::{
    CITATIONS, CitationLink, CitationRef, check_period, link_fields, links_in, links_of, split,
};
use super::named::ReferenceField;
use super::record::{Parent, Record, reference};
use super::summary::ActorSummary;

/// An office or membership held over a period: Tokayev as President of Kazakhstan,
/// Kazakhstan as a member of the Eurasian Economic Union.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0e",
    "actor_id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0d",
    "of_actor_id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a",
    "actor": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0d", "slug": "kassym-jomart-tokayev", "name": "Kassym-Jomart Tokayev", "kind": "person"},
    "of_actor": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a", "slug": "kazakhstan", "name": "Kazakhstan", "kind": "state"},
    "title": "President",
    "rank": "head_of_state",
    "start": "2019-03-20",
    "created_at": "2026-11-27T12:00:00Z",
    "updated_at": "2026-11-27T12:00:00Z"
}))]
pub struct Role {
    pub id: Uuid,
    /// Who holds the role.
    pub actor_id: Uuid,
    /// The state or organization the role is in.
    pub of_actor_id: Uuid,
    pub actor: ActorSummary,
    pub of_actor: ActorSummary,
    #[schema(value_type = String)]
    pub title: Title,
    /// How senior the role is, when known: analysis can weight what its holder does by it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub rank: Option<RoleRank>,
    /// When the role began, as precisely as known; absent if unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub start: Option<PartialDate>,
    /// When the role ended, as precisely as known; absent while it lasts or if unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub end: Option<PartialDate>,
    /// The sources for the role.
    pub citations: Vec<CitationRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Turns rows into roles with their citations: one more query whatever their number.
pub(crate) async fn assemble(conn: &mut PgConnection, rows: Vec<RoleRow>) -> Result<Vec<Role>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let citations = links::load(conn, Claim::Role, &ids).await?;
    Ok(with_links(rows, citations))
}

/// Gives each role its citations, read already.
pub(crate) fn with_links(rows: Vec<RoleRow>, mut citations: Vec<LinkRow>) -> Vec<Role> {
    rows.into_iter()
        .map(|row| {
            let own = links_of(&mut citations, row.id);
            Role::from_row(row, own)
        })
        .collect()
}

impl Role {
    fn from_row(row: RoleRow, citations: Vec<CitationRef>) -> Self {
        let (start, end) = (row.start(), row.end());
        Self {
            id: row.id,
            actor_id: row.actor_id,
            of_actor_id: row.of_actor_id,
            actor: ActorSummary {
                id: row.actor_id,
                slug: row.actor_slug,
                name: row.actor_name,
                kind: row.actor_kind,
            },
            of_actor: ActorSummary {
                id: row.of_actor_id,
                slug: row.of_actor_slug,
                name: row.of_actor_name,
                kind: row.of_actor_kind,
            },
            title: Title::stored(row.title),
            rank: row.rank,
            start,
            end,
            citations,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A new role for the actor in the path.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"of_actor_id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a", "title": "President", "rank": "head_of_state", "start": "2019-03-20"}))]
pub struct NewRole {
    /// The state or organization the role is in.
    pub of_actor_id: Uuid,
    pub title: Title,
    /// How senior the role is; analysis can weight what its holder does by it.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub rank: Option<RoleRank>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub start: Option<PartialDate>,
    /// Not before `start`.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub end: Option<PartialDate>,
    /// The sources for the role.
    #[serde(
        default,
        deserialize_with = "bounded::<_, _, 0, 50>",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schema(max_items = 50)]
    pub citations: Vec<CitationLink>,
}

/// A JSON Merge Patch (RFC 7396) of a role; `null` removes `start` or `end`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"end": "2022-12"}))]
pub struct RolePatch {
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub of_actor_id: Option<Uuid>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub title: Option<Title>,
    /// `null` removes the rank.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<RoleRank>)]
    pub rank: Option<Option<RoleRank>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<PartialDate>)]
    pub start: Option<Option<PartialDate>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<PartialDate>)]
    pub end: Option<Option<PartialDate>>,
    /// Replaces every citation; `[]` removes them all.
    #[serde(
        default,
        deserialize_with = "bounded_non_null::<_, _, 0, 50>",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false, max_items = 50)]
    pub citations: Option<Vec<CitationLink>>,
}

/// What a broken constraint means for a role's fields.
fn refused(error: StoreError) -> ApiError {
    match error.constraint() {
        Some("roles_of_actor_id_fkey") => {
            ApiError::unprocessable_field("#/of_actor_id", "no actor has this id")
        }
        Some("roles_not_self") => {
            ApiError::unprocessable_field("#/of_actor_id", "an actor cannot hold a role in itself")
        }
        _ => error.into(),
    }
}

impl NewRole {
    /// The role's fields and links, with the checks that need no database (its period in
    /// order, not held in its own actor, no citation twice): for a single write and for an
    /// import line alike.
    pub(crate) fn into_parts(self, holder: Uuid) -> Result<(RoleFields, Vec<LinkFields>)> {
        check_period(self.start, self.end, "#/end")?;
        if self.of_actor_id == holder {
            return Err(ApiError::unprocessable_field(
                "#/of_actor_id",
                "an actor cannot hold a role in itself",
            ));
        }
        let links = link_fields(self.citations)?;
        let fields = RoleFields {
            actor_id: holder,
            of_actor_id: self.of_actor_id,
            title: self.title,
            rank: self.rank,
            start: self.start,
            end: self.end,
        };
        Ok((fields, links))
    }
}

impl Parent for ActorKey {
    async fn id(&self, conn: &mut PgConnection) -> Result<Option<Uuid>> {
        id_of(conn, self).await.map(Some)
    }
}

pub(crate) async fn load(conn: &mut PgConnection, participant: Uuid, id: Uuid) -> Result<Role> {
    let not_found = || ApiError::NotFound(format!("no role `{id}` of this actor"));
    let row = store::find(&mut *conn, participant, id)
        .await?
        .ok_or_else(not_found)?;
    assemble(conn, vec![row]).await?.pop().ok_or_else(not_found)
}

/// A role as a path names it: under one of its two actors.
pub struct RoleKey {
    pub actor: ActorKey,
    pub id: Uuid,
}

impl Record for Role {
    const RESOURCE: Resource = Resource::Role;
    const REFERENCES: &'static [ReferenceField] = &[
        ReferenceField::ids("of_actor_id", Resource::Actor),
        CITATIONS,
    ];
    const PARENT: Option<ReferenceField> = Some(ReferenceField::ids("actor_id", Resource::Actor));
    type Key = RoleKey;
    type Parent = ActorKey;
    type New = NewRole;
    type Patch = RolePatch;
    type Row = (RoleFields, Vec<LinkFields>);

    fn id(&self) -> Uuid {
        self.id
    }

    fn holder(&self) -> Option<Uuid> {
        Some(self.actor_id)
    }

    async fn record_holder(conn: &mut PgConnection, holder: Uuid, by: &str) -> Result<()> {
        super::actors::record_update(conn, holder, by).await
    }

    async fn collection(conn: &mut PgConnection, holder: &ActorKey) -> Result<String> {
        Ok(format!("/v1/actors/{}/roles", id_of(conn, holder).await?))
    }

    async fn load(conn: &mut PgConnection, key: &RoleKey, lock: bool) -> Result<Self> {
        let participant = id_of(&mut *conn, &key.actor).await?;
        if lock && !store::lock(&mut *conn, participant, key.id).await? {
            return Err(ApiError::NotFound(format!(
                "no role `{}` of this actor",
                key.id
            )));
        }
        load(conn, participant, key.id).await
    }

    async fn load_many(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<Self>> {
        let rows = store::by_ids(&mut *conn, ids).await?;
        let mut roles = assemble(conn, rows).await?;
        roles.sort_by_key(|r| r.id);
        Ok(roles)
    }

    fn to_input(&self) -> NewRole {
        NewRole {
            of_actor_id: self.of_actor_id,
            title: self.title.clone(),
            rank: self.rank,
            start: self.start,
            end: self.end,
            citations: links_in(&self.citations),
        }
    }

    fn prepare(holder: Option<Uuid>, input: NewRole) -> Result<Self::Row> {
        let holder = holder.ok_or_else(|| {
            ApiError::unprocessable_field("#/actor_id", "is required: the role's holder")
        })?;
        input.into_parts(holder)
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
        Ok(links::write(conn, Claim::Role, &links, replace).await?)
    }

    async fn delete(self, conn: &mut PgConnection) -> Result<()> {
        let references =
            statements::depending_on(&mut *conn, Dependency::Role, self.id, 100).await?;
        if !references.is_empty() {
            return Err(ApiError::Conflict {
                detail: format!(
                    "{} statement(s) are attributed through this role; give them an explicit on_behalf_of_id or delete them first",
                    references.len()
                ),
                references: references.iter().map(reference).collect(),
            });
        }
        Ok(store::delete(conn, self.id).await?)
    }
}
