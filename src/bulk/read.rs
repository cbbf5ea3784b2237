//! Reading an import line: its JSON, type, key and id, and its references (an id, or the key
//! of an earlier line) resolved to ids.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Importer, LineResult, one};
use crate::domain::Resource;

impl Importer<'_> {
    /// Replaces a reference (an id or an earlier line's key) by an id, noting references to
    /// records outside the file for a check against the database.
    pub(super) fn resolve(
        &self,
        value: &mut Value,
        pointer: String,
        kind: Resource,
        external: &mut Vec<(String, Resource, Uuid)>,
    ) -> LineResult<()> {
        let Some(text) = value.as_str() else {
            return Ok(()); // Not a string: parsing reports it.
        };
        if let Some((key_kind, id)) = self.keys.get(text) {
            if *key_kind != kind {
                return Err(one(
                    pointer,
                    format!(
                        "names the {} `{text}`, not a {}",
                        key_kind.as_str(),
                        kind.as_str()
                    ),
                ));
            }
            *value = Value::String(id.to_string());
            return Ok(());
        }
        match Uuid::try_parse(text) {
            Ok(id) => {
                if !self.defined.contains(&(kind, id)) {
                    external.push((pointer, kind, id));
                }
                Ok(())
            }
            Err(_) => Err(one(
                pointer,
                format!("`{text}` is neither an id nor the key of an earlier line"),
            )),
        }
    }

    pub(super) fn resolve_field(
        &self,
        map: &mut Map<String, Value>,
        field: &str,
        kind: Resource,
        external: &mut Vec<(String, Resource, Uuid)>,
    ) -> LineResult<()> {
        if let Some(value) = map.get_mut(field) {
            self.resolve(value, format!("#/{field}"), kind, external)?;
        }
        Ok(())
    }

    pub(super) fn resolve_list(
        &self,
        map: &mut Map<String, Value>,
        field: &str,
        inner: Option<&str>,
        kind: Resource,
        external: &mut Vec<(String, Resource, Uuid)>,
    ) -> LineResult<()> {
        if let Some(Value::Array(items)) = map.get_mut(field) {
            for (i, item) in items.iter_mut().enumerate() {
                match inner {
                    Some(name) => {
                        if let Some(value) = item.get_mut(name) {
                            self.resolve(value, format!("#/{field}/{i}/{name}"), kind, external)?;
                        }
                    }
                    None => self.resolve(item, format!("#/{field}/{i}"), kind, external)?,
                }
            }
        }
        Ok(())
    }

    /// Checks a line as far as it can be without the database, and adds it to the batch.
    pub(super) fn stage(&mut self, line: usize, text: &str) -> LineResult<()> {
        let mut map: Map<String, Value> = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(one("#", "is not a JSON object")),
            Err(e) => return Err(one("#", format!("is not valid JSON: {e}"))),
        };
        let kind = match map.remove("type") {
            Some(Value::String(t)) => Resource::parse(&t).ok_or_else(|| {
                one(
                    "#/type",
                    "must be citation, actor, role, visit or statement",
                )
            })?,
            _ => {
                return Err(one(
                    "#/type",
                    "is required: citation, actor, role, visit or statement",
                ));
            }
        };
        let key = match map.remove("key") {
            None => None,
            Some(Value::String(k)) if !k.is_empty() && k.len() <= 200 && !k.contains('\0') => {
                Some(k)
            }
            Some(_) => return Err(one("#/key", "must be a string of 1 to 200 characters")),
        };
        if let Some(key) = &key
            && self.keys.contains_key(key)
        {
            return Err(one("#/key", "is already the key of an earlier line"));
        }
        let id = match map.remove("id") {
            None => Uuid::now_v7(),
            Some(Value::String(s)) => {
                Uuid::try_parse(&s).map_err(|_| one("#/id", "is not a UUID"))?
            }
            Some(_) => return Err(one("#/id", "is not a UUID")),
        };
        if self.defined.contains(&(kind, id)) {
            return Err(one(
                "#/id",
                format!("is the id of a {} on an earlier line", kind.as_str()),
            ));
        }
        let mut external = Vec::new();
        match kind {
            Resource::Citation => self.stage_citation(line, id, map)?,
            Resource::Actor => self.stage_actor(line, id, map)?,
            Resource::Role => self.stage_role(line, id, map, &mut external)?,
            Resource::Visit => self.stage_visit(line, id, map, &mut external)?,
            Resource::Statement => self.stage_statement(line, id, map, &mut external)?,
        }
        self.defined.insert((kind, id));
        if let Some(key) = key {
            self.keys.insert(key, (kind, id));
        }
        self.batch.external.extend(
            external
                .into_iter()
                .map(|(pointer, kind, id)| (line, pointer, kind, id)),
        );
        Ok(())
    }
}
