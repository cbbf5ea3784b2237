//! Actors: states, people, organizations, and the roles they hold.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{
    ActorAlias, ActorKey, ActorKind, Alias, AliasKind, CountryCode, Description, Name, PartialDate,
    Resource, Slug, WikidataId,
};
use crate::error::{ApiError, Result};
use crate::store::StoreError;
use crate::store::actors::{self as store, ActorFields, ActorRow};
use crate::store::changes::Operation;
use crate::store::held;
use crate::store::roles as role_store;

use super::fields::{bounded, bounded_nullable, non_null, nullable, unique};
use super::links::check_period;
use super::named::ReferenceField;
use super::record::{Record, Unique, body, record_change, reference, referred_meanwhile};
use super::roles::Role;

/// A state, person, organization or other actor, with the roles it holds.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0d",
    "slug": "kassym-jomart-tokayev",
    "kind": "person",
    "name": "Kassym-Jomart Tokayev",
    "aliases": [
        {"name": "Tokayev", "kind": "name"},
        {"name": "Qasym-Jomart Toqayev", "kind": "transliteration"}
    ],
    "country_code": "KZ",
    "wikidata_id": "Q379407",
    "roles": [],
    "created_at": "2026-11-27T12:00:00Z",
    "updated_at": "2026-11-27T12:00:00Z"
}))]
pub struct Actor {
    pub id: Uuid,
    /// Unique, human-friendly handle; usable wherever an actor id is.
    #[schema(value_type = String)]
    pub slug: Slug,
    pub kind: ActorKind,
    #[schema(value_type = String)]
    pub name: Name,
    /// Other names: transliterations, former names, abbreviations, metonyms ("Akorda"), each
    /// with the dates it was in use when they matter.
    pub aliases: Vec<ActorAlias>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = CountryCode)]
    pub country_code: Option<CountryCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = WikidataId)]
    pub wikidata_id: Option<WikidataId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, nullable = false)]
    pub description: Option<Description>,
    /// The roles this actor holds (offices, memberships), latest start first.
    pub roles: Vec<Role>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new actor.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "person",
    "name": "Kassym-Jomart Tokayev",
    "aliases": ["Tokayev", {"name": "Токаев", "kind": "transliteration"}],
    "country_code": "KZ",
    "wikidata_id": "Q379407"
}))]
pub struct NewActor {
    /// Derived from `name` when absent (`Recep Tayyip Erdoğan` → `recep-tayyip-erdogan`).
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub slug: Option<Slug>,
    pub kind: ActorKind,
    pub name: Name,
    #[serde(
        default,
        deserialize_with = "bounded::<_, _, 0, 50>",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schema(max_items = 50)]
    pub aliases: Vec<AliasInput>,
    /// Where one applies: the state itself, or a person's or organization's home state.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub country_code: Option<CountryCode>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub wikidata_id: Option<WikidataId>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub description: Option<Description>,
}

/// A JSON Merge Patch (RFC 7396) of an actor: absent fields stay as they are; `null` removes
/// an optional field; `aliases` is replaced as a whole.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"aliases": ["Tokayev", {"name": "Toqayev", "kind": "transliteration"}], "description": null}))]
pub struct ActorPatch {
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub slug: Option<Slug>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub kind: Option<ActorKind>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub name: Option<Name>,
    /// Replaces every alias; `null` or `[]` removes them all.
    #[serde(
        default,
        deserialize_with = "bounded_nullable::<_, _, 0, 50>",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Vec<AliasInput>>, max_items = 50)]
    pub aliases: Option<Option<Vec<AliasInput>>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<CountryCode>)]
    pub country_code: Option<Option<CountryCode>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<WikidataId>)]
    pub wikidata_id: Option<Option<WikidataId>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Description>)]
    pub description: Option<Option<Description>>,
}

/// An alias as a client writes it: a plain name (`"Tokayev"`), or an object that says what
/// kind of name it is and when it was in use.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum AliasInput {
    /// A plain other name, of kind `name`, used at any time.
    Name(Alias),
    Alias(NewAlias),
}

/// An alias with its kind and the dates it was in use.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Akmola", "kind": "former_name", "start": "1992", "end": "1998-05"}))]
pub struct NewAlias {
    pub name: Alias,
    /// `name` when absent.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub kind: Option<AliasKind>,
    /// When the name came into use, as precisely as known.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub start: Option<PartialDate>,
    /// When it went out of use; not before `start`.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub end: Option<PartialDate>,
}

// By hand rather than `untagged`, so that a bad field of an alias object is reported at its
// own pointer rather than as "matched no variant".
impl<'de> Deserialize<'de> for AliasInput {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Either;
        impl<'de> serde::de::Visitor<'de> for Either {
            type Value = AliasInput;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a name, or an object with `name` and optionally `kind`, `start`, `end`",
                )
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<AliasInput, E> {
                Alias::try_from(value.to_owned())
                    .map(AliasInput::Name)
                    .map_err(E::custom)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<AliasInput, A::Error> {
                NewAlias::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(AliasInput::Alias)
            }
        }
        deserializer.deserialize_any(Either)
    }
}

/// The aliases as stored: each checked (`end` not before `start`), duplicates dropped.
fn aliases(input: Vec<AliasInput>) -> Result<Vec<ActorAlias>> {
    let mut aliases = Vec::with_capacity(input.len());
    for (n, alias) in input.into_iter().enumerate() {
        aliases.push(match alias {
            AliasInput::Name(name) => ActorAlias::plain(name),
            AliasInput::Alias(a) => {
                check_period(a.start, a.end, &format!("#/aliases/{n}/end"))?;
                ActorAlias {
                    name: a.name,
                    kind: a.kind.unwrap_or_default(),
                    start: a.start,
                    end: a.end,
                }
            }
        });
    }
    Ok(unique(aliases))
}

/// The id of the actor a key names, or 404.
pub async fn id_of(conn: &mut PgConnection, key: &ActorKey) -> Result<Uuid> {
    store::resolve(conn, key)
        .await?
        .ok_or_else(|| ApiError::NotFound(key.missing()))
}

impl Actor {
    fn from_parts(row: ActorRow, roles: Vec<Role>) -> Self {
        Self {
            id: row.id,
            slug: Slug::stored(row.slug),
            kind: row.kind,
            name: Name::stored(row.name),
            aliases: row.aliases.0.into_iter().map(|a| a.into_alias()).collect(),
            country_code: row.country_code.as_deref().and_then(CountryCode::stored),
            wikidata_id: row.wikidata_id.map(WikidataId::stored),
            description: row.description.map(Description::stored),
            roles,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Loads full actors (with their roles and the roles' citations) for rows, in three queries
/// whatever their number.
pub(crate) async fn with_roles(conn: &mut PgConnection, rows: Vec<ActorRow>) -> Result<Vec<Actor>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let role_rows = role_store::held_by(&mut *conn, &ids).await?;
    let mut roles = super::roles::assemble(conn, role_rows).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let own: Vec<Role> = roles
                .extract_if(.., |role| role.actor_id == row.id)
                .collect();
            Actor::from_parts(row, own)
        })
        .collect())
}

/// Loads one full actor, optionally locking it for the rest of the transaction: one statement
/// for a read by id, one more to resolve a slug or take the lock.
pub(crate) async fn load(conn: &mut PgConnection, key: &ActorKey, lock: bool) -> Result<Actor> {
    let id = match (key, lock) {
        (ActorKey::Id(id), false) => Some(*id),
        (_, true) => store::lock(&mut *conn, key).await?,
        (ActorKey::Slug(_), false) => store::resolve(&mut *conn, key).await?,
    }
    .ok_or_else(|| ApiError::NotFound(key.missing()))?;
    let (row, roles, links) = held::find(conn, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(key.missing()))?;
    Ok(Actor::from_parts(
        row,
        super::roles::with_links(roles, links),
    ))
}

/// Records an update of an actor whose representation changed without a write of its own
/// (a role it holds changed).
pub(crate) async fn record_update(conn: &mut PgConnection, id: Uuid, by: &str) -> Result<()> {
    let actor = load(&mut *conn, &ActorKey::Id(id), false).await?;
    record_change(
        conn,
        Resource::Actor,
        id,
        Operation::Update,
        by,
        &body(&actor)?,
    )
    .await
}

/// What a broken unique constraint means for an actor's fields.
pub(crate) fn refused(error: StoreError, fields: &ActorFields) -> ApiError {
    match error.constraint() {
        Some("actors_slug_key") => ApiError::conflict(format!(
            "an actor with slug `{}` already exists",
            fields.slug
        )),
        Some("actors_wikidata_id_key") => ApiError::conflict(format!(
            "an actor with Wikidata id `{}` already exists",
            fields.wikidata_id.as_ref().map_or("", |w| w.as_str())
        )),
        _ => error.into(),
    }
}

impl NewActor {
    pub(crate) fn into_fields(self) -> Result<ActorFields> {
        let slug = match self.slug {
            Some(slug) => slug,
            None => Slug::from_name(self.name.as_str()).ok_or_else(|| {
                ApiError::unprocessable_field(
                    "#/slug",
                    "cannot be derived from this name; give one",
                )
            })?,
        };
        Ok(ActorFields {
            slug,
            kind: self.kind,
            name: self.name,
            aliases: aliases(self.aliases)?,
            country_code: self.country_code,
            wikidata_id: self.wikidata_id,
            description: self.description,
        })
    }
}

impl Record for Actor {
    const RESOURCE: Resource = Resource::Actor;
    const REFERENCES: &'static [ReferenceField] = &[];
    type Key = ActorKey;
    type Parent = ();
    type New = NewActor;
    type Patch = ActorPatch;
    type Row = ActorFields;

    fn id(&self) -> Uuid {
        self.id
    }

    async fn load(conn: &mut PgConnection, key: &ActorKey, lock: bool) -> Result<Self> {
        load(conn, key, lock).await
    }

    async fn load_many(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<Self>> {
        let mut rows = store::by_ids(&mut *conn, ids).await?;
        rows.sort_by_key(|r| r.id);
        with_roles(conn, rows).await
    }

    fn to_input(&self) -> NewActor {
        NewActor {
            slug: Some(self.slug.clone()),
            kind: self.kind,
            name: self.name.clone(),
            aliases: self
                .aliases
                .iter()
                .map(|a| {
                    AliasInput::Alias(NewAlias {
                        name: a.name.clone(),
                        kind: Some(a.kind),
                        start: a.start,
                        end: a.end,
                    })
                })
                .collect(),
            country_code: self.country_code,
            wikidata_id: self.wikidata_id.clone(),
            description: self.description.clone(),
        }
    }

    fn prepare(_: Option<Uuid>, input: NewActor) -> Result<ActorFields> {
        input.into_fields()
    }

    fn unique(fields: &ActorFields) -> Vec<Unique> {
        let slug = fields.slug.as_str();
        let mut unique = vec![Unique {
            pointer: "#/slug",
            table: "actors",
            column: "slug",
            value: slug.to_owned(),
            repeated: format!("`{slug}` is the slug of an earlier line"),
            taken: format!("an actor with slug `{slug}` already exists"),
        }];
        if let Some(wikidata) = &fields.wikidata_id {
            unique.push(Unique {
                pointer: "#/wikidata_id",
                table: "actors",
                column: "wikidata_id",
                value: wikidata.as_str().to_owned(),
                repeated: "is the Wikidata id of an earlier line".into(),
                taken: "an actor with this Wikidata id already exists".into(),
            });
        }
        unique
    }

    async fn store(
        conn: &mut PgConnection,
        rows: &[(Uuid, ActorFields)],
        replace: bool,
    ) -> Result<()> {
        let refused = |e: StoreError| match rows {
            [(_, fields)] => refused(e, fields),
            _ => e.into(),
        };
        store::write(conn, rows, replace).await.map_err(refused)
    }

    async fn delete(self, conn: &mut PgConnection) -> Result<()> {
        let (references, total) = store::references(&mut *conn, self.id, 100).await?;
        if total > 0 {
            return Err(ApiError::Conflict {
                detail: format!(
                    "`{}` is referred to by {total} record(s); delete or change them first",
                    self.slug
                ),
                references: references.iter().map(reference).collect(),
            });
        }
        store::delete(conn, self.id)
            .await
            .map_err(|e| referred_meanwhile(e, "other records started referring to this actor"))
    }
}
