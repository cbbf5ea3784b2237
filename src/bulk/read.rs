//! Reading an import line: its JSON, type, key and id, and its references (an id, or the key
//! of an earlier line) resolved to ids.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Importer, LineResult, one};
use crate::domain::Resource;
use crate::records::kinds::for_kind;

use super::validate::Staging;

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

    /// Checks a line as far as it can be without the database, and adds it to the batch.
    pub(super) async fn stage(&mut self, line: usize, text: &str) -> LineResult<()> {
        let mut map: Map<String, Value> = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(one("#", "is not a JSON object")),
            Err(e) => return Err(one("#", format!("is not valid JSON: {e}"))),
        };
        let kinds = Resource::ALL.map(Resource::as_str).join(", ");
        let kind = match map.remove("type") {
            Some(Value::String(t)) => Resource::parse(&t)
                .ok_or_else(|| one("#/type", format!("must be one of {kinds}")))?,
            _ => return Err(one("#/type", format!("is required: one of {kinds}"))),
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
        let staging = Staging {
            importer: self,
            line,
            id,
            map,
            external: &mut external,
        };
        for_kind(kind, staging).await?;
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
