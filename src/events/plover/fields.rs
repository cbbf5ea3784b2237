//! The fields of a PLOVER record, each read in the spellings of the manual's drafts, with a
//! fault naming the field for a value of the wrong shape.

use chrono::NaiveDate;
use serde_json::Value;

use super::MAX_ID_CHARS;
use crate::domain::InteractionContext;
use crate::events::Fault;

/// An entity of a side, as the record gives it.
pub(super) struct Entity {
    pub(super) code: Option<String>,
    pub(super) text: Option<String>,
    pub(super) identifier: Option<String>,
    pub(super) sector: Option<String>,
    /// Where it is in the record (`#/source/0`).
    pub(super) pointer: String,
}

/// A record being read, and the faults found so far.
pub(super) struct Fields<'v> {
    pub(super) value: &'v Value,
    pub(super) faults: Vec<Fault>,
}

impl Fields<'_> {
    pub(super) fn fault(&mut self, pointer: &str, detail: impl Into<String>) {
        self.faults.push((pointer.to_owned(), detail.into()));
    }

    /// A field that is a name or a list of names (`event`, `mode`, `context`); empty when
    /// absent, null or empty.
    pub(super) fn names(&mut self, key: &str) -> Vec<String> {
        let value = self.value;
        match &value[key] {
            Value::Null => Vec::new(),
            Value::String(name) => name
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .collect(),
            Value::Array(names) if names.iter().all(Value::is_string) => names
                .iter()
                .filter_map(Value::as_str)
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty())
                .collect(),
            _ => {
                self.fault(&format!("#/{key}"), "must be a name or a list of names");
                Vec::new()
            }
        }
    }

    pub(super) fn contexts(&mut self) -> Vec<InteractionContext> {
        let mut contexts = Vec::new();
        for name in self.names("context") {
            if let Some(context) = InteractionContext::named(&name)
                && !contexts.contains(&context)
            {
                contexts.push(context);
            }
        }
        contexts
    }

    pub(super) fn id(&mut self) -> Option<String> {
        let value = self.value;
        let id = match &value["id"] {
            Value::String(id) => id.trim().to_owned(),
            Value::Number(n) if n.is_u64() => n.to_string(),
            Value::Null => String::new(),
            _ => {
                self.fault("#/id", "must be a string");
                return None;
            }
        };
        if id.is_empty() {
            self.fault("#/id", "is required");
        } else if id.chars().count() > MAX_ID_CHARS || id.chars().any(char::is_control) {
            self.fault(
                "#/id",
                format!("is not an id: at most {MAX_ID_CHARS} characters, no control characters"),
            );
        } else {
            return Some(id);
        }
        None
    }

    pub(super) fn date(&mut self) -> Option<NaiveDate> {
        let value = self.value;
        match &value["date"] {
            Value::String(date) => NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
                .map_err(|_| self.fault("#/date", format!("`{date}` is not a date (YYYY-MM-DD)")))
                .ok(),
            Value::Null => {
                self.fault("#/date", "is required");
                None
            }
            _ => {
                self.fault("#/date", "must be a date as a string (YYYY-MM-DD)");
                None
            }
        }
    }

    /// A side's entities: a list of objects; absent, null, `[]` or text for none (0.5's
    /// files write `""`, and once a context, where a side has no actor).
    pub(super) fn entities(&mut self, key: &str) -> Vec<Entity> {
        let value = self.value;
        let list = match &value[key] {
            Value::Null | Value::String(_) => return Vec::new(),
            Value::Array(list) => list,
            _ => {
                self.fault(
                    &format!("#/{key}"),
                    "must be a list of actors (objects with `code`)",
                );
                return Vec::new();
            }
        };
        let mut entities = Vec::new();
        for (i, entity) in list.iter().enumerate() {
            let pointer = format!("#/{key}/{i}");
            if !entity.is_object() {
                self.fault(&pointer, "must be an actor: an object with `code`");
                continue;
            }
            let mut text = |names: &[&str]| -> Option<String> {
                let (name, value) = names.iter().find_map(|n| entity.get(*n).map(|v| (*n, v)))?;
                match value {
                    Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
                    Value::String(_) | Value::Null => None,
                    _ => {
                        self.fault(&format!("{pointer}/{name}"), "must be a string");
                        None
                    }
                }
            };
            entities.push(Entity {
                code: text(&["code"]),
                text: text(&["entity_text", "actorText", "text"]),
                identifier: text(&["identifier_text", "identifierText"]),
                sector: text(&["sector"]),
                pointer,
            });
        }
        entities
    }
}
