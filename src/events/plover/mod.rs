//! PLOVER's JSON records, as the PLOVER manual defines them: one JSON array of records, one
//! record per line (JSONL), or records written across lines (the gold-standard file's shape).
//!
//! Both drafts' spellings are read: `actor`/`recipient` (2.0) or `source`/`target` (0.5, the
//! gold-standard records); `entity_text` or `actorText`; `cite_info` or a top-level
//! `publication`; an `event` given as a name or a list of names. The types PLOVER 2.0 folded
//! into others are read as the manual's translation table has them: DEMAND → REQUEST,
//! DISAPPROVE → ACCUSE (`disapprove`), INVESTIGATE → ACCUSE (`investigate`), FIGHT → ASSAULT.
//!
//! Who an actor is. Its `code` names what it counts for: a state by ISO 3166-1 alpha-3 code
//! (`RUS`), or itself under one of CAMEO's transnational codes (IGO, NGO, IMG, MNC, NGM). An
//! actor with a state's code is that state unless its `identifier_text` (the manual: the
//! entity's Wikidata name) names it: PLOVER's `actorText` is the sentence's words ("Senior
//! Hungarian officials", "Tokyo"), not a name. A transnational actor is named by its
//! `identifier_text`, else its text.
//!
//! Read and not taken, each reported with its lines: a documentation record (event
//! `DOCUMENT`), a record with no actor on a side, one naming several event types, one whose
//! side names several states or organizations (the record counts one a side), one whose
//! actor code is none of the above (CAMEO's old `JAP`, regions such as `EUR`).

mod fields;
mod records;

use serde_json::Value;

use self::fields::{Entity, Fields};
pub use self::records::Reader;
use super::{Becomes, CodedActor, EventRow, Fault, Read, Story};
use crate::domain::cameo::Placed;
use crate::domain::{
    CountryCode, InteractionMode, InteractionType, Name, Place, Quote, Source, WebUrl,
};

/// The longest event id taken.
const MAX_ID_CHARS: usize = 64;
/// CAMEO's codes for actors that count for themselves.
const TRANSNATIONAL: [&str; 5] = ["IGO", "NGO", "IMG", "MNC", "NGM"];

/// Reads one record; every faulty field is reported.
fn record(value: &Value) -> Result<Read, Vec<Fault>> {
    let mut fields = Fields {
        value,
        faults: Vec::new(),
    };
    let events = fields.names("event");
    if events.iter().any(|e| e.eq_ignore_ascii_case("DOCUMENT")) {
        return Ok(Read::Skipped(
            "a documentation record (event `DOCUMENT`)".into(),
        ));
    }
    if events.is_empty() && fields.faults.is_empty() {
        fields.fault("#/event", "is required");
    }
    let id = fields.id();
    let date = fields.date();
    let types: Vec<(InteractionType, Option<InteractionMode>)> = events
        .iter()
        .enumerate()
        .filter_map(|(i, name)| {
            let kind = event_type(name);
            if kind.is_none() {
                let at = if value["event"].is_array() {
                    format!("#/event/{i}")
                } else {
                    "#/event".into()
                };
                fields.fault(
                    &at,
                    format!("`{name}` is not a PLOVER event type ({})", type_names()),
                );
            }
            kind
        })
        .collect();
    let (source_key, target_key) = match value.get("actor") {
        Some(_) => ("actor", "recipient"),
        None => ("source", "target"),
    };
    let sources = fields.entities(source_key);
    let targets = fields.entities(target_key);
    let modes = fields.names("mode");
    let contexts = fields.contexts();
    if !fields.faults.is_empty() {
        return Err(fields.faults);
    }
    // Without a fault, the id and date were read and every type is known: only several
    // types remain.
    let (Some(id), Some(date), [(event_type, implied)]) = (id, date, types.as_slice()) else {
        return Ok(Read::Skipped(format!(
            "several event types in one record ({})",
            events.join(", ")
        )));
    };
    let source = match side(source_key, &sources, &mut fields)? {
        Ok(actor) => actor,
        Err(reason) => return Ok(Read::Skipped(reason)),
    };
    let target = match side(target_key, &targets, &mut fields)? {
        Ok(actor) => actor,
        Err(reason) => return Ok(Read::Skipped(reason)),
    };
    let becomes = match (*event_type, modes.first().map(|m| m.to_ascii_lowercase())) {
        (InteractionType::Consult, Some(m)) if m == "visit" => Becomes::Visit {
            source_travels: true,
        },
        (InteractionType::Consult, Some(m)) if m == "host" => Becomes::Visit {
            source_travels: false,
        },
        (event_type, _) => Becomes::Interaction(Placed {
            event_type,
            mode: modes
                .iter()
                .find_map(|m| InteractionMode::of(event_type, m))
                .or(*implied),
            contexts,
        }),
    };
    let story = story(value, &id);
    let place = ["event_loc", "eventLoc"]
        .iter()
        .find_map(|key| value[key]["name"].as_str())
        .and_then(|name| Place::parse(name).ok());
    Ok(Read::Row(Box::new(EventRow {
        event_id: id,
        date,
        source,
        target,
        becomes,
        code: None,
        story,
        place,
    })))
}

/// A PLOVER 2.0 type, or a type of the 0.5 draft as 2.0 translates it (with its mode).
fn event_type(name: &str) -> Option<(InteractionType, Option<InteractionMode>)> {
    if let Some(kind) = InteractionType::named(name) {
        return Some((kind, None));
    }
    match name.trim().to_ascii_uppercase().as_str() {
        "DEMAND" => Some((InteractionType::Request, None)),
        "DISAPPROVE" => Some((InteractionType::Accuse, Some(InteractionMode::Disapprove))),
        "INVESTIGATE" => Some((InteractionType::Accuse, Some(InteractionMode::Investigate))),
        "FIGHT" => Some((InteractionType::Assault, None)),
        _ => None,
    }
}

fn type_names() -> String {
    let names: Vec<String> = InteractionType::ALL
        .iter()
        .map(|t| t.plover_name())
        .collect();
    format!(
        "one of {}, or DEMAND, DISAPPROVE, INVESTIGATE, FIGHT of earlier drafts",
        names.join(", ")
    )
}

/// The actor a side's entities name, or why the record is not taken. A name that does not
/// parse is a fault.
fn side(
    key: &str,
    entities: &[Entity],
    fields: &mut Fields,
) -> Result<Result<CodedActor, String>, Vec<Fault>> {
    let Some(first) = entities.first() else {
        let reason = match fields.value[key].as_str().map(str::trim) {
            Some(text) if !text.is_empty() => format!(
                "no {key}: it is text (`{}`), not a list of actors",
                text.chars().take(40).collect::<String>()
            ),
            _ => format!("no {key}: the record names no actor on that side"),
        };
        return Ok(Err(reason));
    };
    let mut codes: Vec<&str> = Vec::new();
    for entity in entities {
        let Some(code) = entity.code.as_deref() else {
            return Ok(Err(format!("an actor of the {key} has no code")));
        };
        if CountryCode::from_alpha3(code).is_none() && !TRANSNATIONAL.contains(&code) {
            return Ok(Err(format!(
                "actor code `{code}` is neither a state's ISO 3166-1 alpha-3 code nor one of \
                 CAMEO's transnational codes ({})",
                TRANSNATIONAL.join(", ")
            )));
        }
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    let organizations: Vec<&str> = entities
        .iter()
        .filter(|e| {
            e.code
                .as_deref()
                .is_some_and(|c| TRANSNATIONAL.contains(&c))
        })
        .filter_map(named)
        .collect();
    if codes.len() > 1 || organizations.windows(2).any(|w| w[0] != w[1]) {
        return Ok(Err(format!(
            "the {key} names several states or organizations: a record counts one a side"
        )));
    }
    let sectors: Vec<String> = entities.iter().filter_map(|e| e.sector.clone()).collect();
    let code = codes.first().copied().unwrap_or_default();
    let parse_name = |fields: &mut Fields, entity: &Entity, name: &str, field: &str| {
        Name::parse(name)
            .map_err(|e| fields.fault(&format!("{}/{field}", entity.pointer), e))
            .ok()
    };
    let actor = match CountryCode::from_alpha3(code) {
        Some(state) => {
            let country = Name::parse(state.name()).ok();
            let identified = entities.iter().find(|e| e.identifier.is_some());
            let name = match identified {
                Some(e) => parse_name(
                    fields,
                    e,
                    e.identifier.as_deref().unwrap_or_default(),
                    "identifier_text",
                ),
                None => country.clone(),
            };
            name.map(|name| CodedActor {
                name,
                sectors,
                country,
            })
        }
        None => match named(first) {
            Some(name) => parse_name(fields, first, name, "actorText").map(|name| CodedActor {
                name,
                sectors,
                country: None,
            }),
            None => return Ok(Err(format!("an organization of the {key} has no name"))),
        },
    };
    match actor {
        Some(actor) if fields.faults.is_empty() => Ok(Ok(actor)),
        _ => Err(std::mem::take(&mut fields.faults)),
    }
}

/// What names an entity: its identifier (the manual: its Wikidata name), else its text.
fn named(entity: &Entity) -> Option<&str> {
    entity.identifier.as_deref().or(entity.text.as_deref())
}

/// The story a record cites: its `cite_info` (citation, URL, title, publication), or the
/// record itself, with the sentence's number and words when given.
fn story(value: &Value, id: &str) -> Story {
    let cite = ["cite_info", "citeInfo"]
        .iter()
        .map(|k| &value[k])
        .find(|v| v.is_object());
    let cited = |key: &str| {
        cite.and_then(|c| c[key].as_str())
            .filter(|s| !s.trim().is_empty())
    };
    let text_info = ["text_info", "textInfo"]
        .iter()
        .map(|k| &value[k])
        .find(|v| v.is_object());
    let sentence = text_info.and_then(|t| t["sequence"].as_u64());
    Story {
        id: cited("citation")
            .or(cited("url"))
            .map_or_else(|| format!("record:{id}"), str::to_owned),
        title: cited("title").map_or_else(|| format!("PLOVER record {id}"), str::to_owned),
        publisher: cited("publication")
            .or(value["publication"].as_str())
            .and_then(|p| Source::parse(p).ok()),
        url: cited("url").and_then(|u| WebUrl::parse(u).ok()),
        published_on: None,
        locator: sentence.map_or_else(
            || "the record's text".to_owned(),
            |n| format!("sentence {n}"),
        ),
        quote: value["text"].as_str().and_then(|t| Quote::parse(t).ok()),
    }
}
#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::domain::InteractionContext;
    use crate::events::Parsed;

    /// Every record a text holds, read as a file.
    pub(crate) fn read(text: &str) -> Vec<Parsed> {
        let mut reader = Reader::default();
        let mut out = Vec::new();
        let mut last = 0;
        for (i, line) in text.lines().enumerate() {
            reader.line(i + 1, line.as_bytes(), &mut out);
            last = i + 1;
        }
        reader.end(last, &mut out);
        out
    }

    fn row(parsed: &Parsed) -> &EventRow {
        match parsed {
            (_, Ok(Read::Row(row))) => row,
            other => panic!("{other:?}"),
        }
    }

    fn skipped(parsed: &Parsed) -> &str {
        match parsed {
            (_, Ok(Read::Skipped(reason))) => reason,
            other => panic!("{other:?}"),
        }
    }

    fn faults(parsed: &Parsed) -> Vec<&str> {
        match parsed {
            (_, Err(faults)) => faults.iter().map(|(at, _)| at.as_str()).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_manuals_simplest_record_reads_one_a_line() {
        let text = r#"{"id": "PHOXv1-20160724-0042", "date": "2016-07-24", "actor": [{"code": "USA"}], "recipient": [{"code": "CAN"}], "event": ["CONSULT"]}
{"id": 7, "date": "2016-07-25", "actor": [{"code": "KAZ", "sector": "GOV", "identifier_text": "Kassym-Jomart Tokayev"}], "recipient": [{"code": "RUS"}], "event": "CONSULT", "mode": "visit", "cite_info": {"url": "https://example.org/story", "publication": "Interfax"}, "text_info": {"sequence": 3}, "text": "Tokayev arrived in Moscow."}"#;
        let parsed = read(text);
        assert_eq!(parsed.len(), 2);
        let first = row(&parsed[0]);
        assert_eq!(first.source.name.as_str(), "United States");
        assert_eq!(first.target.name.as_str(), "Canada");
        assert!(
            matches!(&first.becomes, Becomes::Interaction(p) if p.event_type == InteractionType::Consult && p.mode.is_none())
        );
        assert_eq!(first.story.id, "record:PHOXv1-20160724-0042");
        let second = row(&parsed[1]);
        assert_eq!((parsed[1].0, second.event_id.as_str()), (2, "7"));
        assert_eq!(second.source.name.as_str(), "Kassym-Jomart Tokayev");
        assert_eq!(
            second.source.country.as_ref().map(Name::as_str),
            Some("Kazakhstan")
        );
        assert_eq!(
            second.target.country.as_ref().map(Name::as_str),
            Some("Russian Federation")
        );
        assert_eq!(
            second.becomes,
            Becomes::Visit {
                source_travels: true
            }
        );
        assert_eq!(second.story.id, "https://example.org/story");
        assert_eq!(second.story.locator, "sentence 3");
        assert_eq!(
            second.story.publisher.as_ref().map(Source::as_str),
            Some("Interfax")
        );
        assert_eq!(
            second.story.quote.as_ref().map(Quote::as_str),
            Some("Tokayev arrived in Moscow.")
        );
    }

    #[test]
    fn each_faulty_field_is_named_on_the_line_its_record_begins() {
        let text = "[\n{\"id\": \"a\",\n \"date\": \"1 May 2020\", \"event\": \"PARLEY\",\n \"source\": {\"code\": \"USA\"}}\n,\n{\"id\": \"b\", \"date\": \"2020-05-01\", \"event\": \"AGREE\", \"source\": [{\"code\": 5}]}\n]";
        let parsed = read(text);
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].0, 2);
        assert_eq!(faults(&parsed[0]), ["#/date", "#/event", "#/source"]);
        let text_side = read(
            r#"{"id": "c", "date": "2020-01-01", "event": "AGREE", "source": [{"code": "USA"}], "target": "diplomatic"}"#,
        );
        assert!(skipped(&text_side[0]).contains("it is text (`diplomatic`)"));
        assert_eq!(parsed[1].0, 6);
        assert_eq!(faults(&parsed[1]), ["#/source/0/code"]);
        let missing = read(r#"{"event": "AGREE"}"#);
        assert_eq!(faults(&missing[0]), ["#/id", "#/date"]);
        let no_event = read(r#"{"id": "x", "date": "2020-01-01"}"#);
        assert_eq!(faults(&no_event[0]), ["#/event"]);
        let odd = read(
            r#"{"id": "x", "date": "2020-01-01", "event": "AGREE", "mode": 5, "context": {}}"#,
        );
        assert_eq!(faults(&odd[0]), ["#/mode", "#/context"]);
    }

    #[test]
    fn records_that_cannot_be_taken_say_why() {
        let record = |rest: &str| format!(r#"{{"id": "x", "date": "2020-01-01", {rest}}}"#);
        let cases = [
            (r#""event": "DOCUMENT""#, "a documentation record"),
            (
                r#""event": "AGREE", "source": [{"code": "USA"}], "target": """#,
                "no target",
            ),
            (
                r#""event": ["AGREE", "SUPPORT"], "source": [{"code": "USA"}], "target": [{"code": "CAN"}]"#,
                "several event types",
            ),
            (
                r#""event": "AGREE", "source": [{"code": "HUN"}, {"code": "ROU"}], "target": [{"code": "CAN"}]"#,
                "several states",
            ),
            (
                r#""event": "AGREE", "source": [{"code": "JAP"}], "target": [{"code": "CAN"}]"#,
                "actor code `JAP`",
            ),
            (
                r#""event": "AGREE", "source": [{"actorText": "someone"}], "target": [{"code": "CAN"}]"#,
                "has no code",
            ),
        ];
        for (rest, reason) in cases {
            let parsed = read(&record(rest));
            assert!(skipped(&parsed[0]).contains(reason), "{rest}: {parsed:?}");
        }
    }

    #[test]
    fn earlier_drafts_types_modes_and_contexts_are_read_as_20_has_them() {
        let text = r#"{"id": "x", "date": "2020-01-01", "event": "DISAPPROVE", "source": [{"code": "IGO", "actorText": "United Nations"}], "target": [{"code": "SRB", "sector": "GOV"}], "context": "diplomatic, refugees, military", "mode": "strike-hun"}"#;
        let parsed = read(text);
        let row = row(&parsed[0]);
        let Becomes::Interaction(placed) = &row.becomes else {
            panic!("{row:?}")
        };
        assert_eq!(placed.event_type, InteractionType::Accuse);
        assert_eq!(placed.mode, Some(InteractionMode::Disapprove));
        assert_eq!(
            placed.contexts,
            [InteractionContext::Diplomatic, InteractionContext::Military]
        );
        assert_eq!(row.source.name.as_str(), "United Nations");
        assert_eq!(row.source.country, None);
        assert_eq!(row.target.sectors, ["GOV"]);
        let fight = read(
            &text
                .replace("DISAPPROVE", "FIGHT")
                .replace("strike-hun", "heavy-weapons"),
        );
        let Becomes::Interaction(placed) = &self::row(&fight[0]).becomes else {
            panic!("{fight:?}")
        };
        assert_eq!(
            (placed.event_type, placed.mode),
            (
                InteractionType::Assault,
                Some(InteractionMode::HeavyWeapons)
            )
        );
    }

    /// The published gold-standard records (tests/data/plover/README.md): every one reads.
    #[test]
    fn the_gold_standard_records_read() {
        let parsed = read(include_str!(
            "../../../tests/data/plover/PLOVER_GSR_CAMEO.txt"
        ));
        assert_eq!(parsed.len(), 323);
        let (mut visits, mut interactions) = (0, 0);
        let mut reasons: std::collections::BTreeMap<String, usize> = Default::default();
        for parsed in &parsed {
            match &parsed.1 {
                Ok(Read::Row(row)) => match row.becomes {
                    Becomes::Visit { .. } => visits += 1,
                    Becomes::Interaction(_) => interactions += 1,
                },
                Ok(Read::Skipped(reason)) => {
                    let reason = reason.split(':').next().unwrap_or_default().to_owned();
                    *reasons.entry(reason).or_default() += 1;
                }
                Err(faults) => panic!("line {}: {faults:?}", parsed.0),
            }
        }
        let skipped: usize = reasons.values().sum();
        assert_eq!(visits + interactions + skipped, 323, "{reasons:?}");
        // CONSULT visit or host, one state a side (a fifth hosts `JAP`).
        assert_eq!(visits, 4, "{reasons:?}");
        assert!(interactions > 200, "{interactions} {reasons:?}");
        assert_eq!(
            reasons.get("a documentation record (event `DOCUMENT`)"),
            Some(&1)
        );
    }
}
