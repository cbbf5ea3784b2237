//! The vocabulary of interactions: PLOVER's event types, modes, contexts and quad classes,
//! and the source dataset's own event code.
//!
//! Every name here is PLOVER's, so that files coded in PLOVER (POLECAT) and in CAMEO (ICEWS,
//! through PLOVER's CAMEO translation) can be imported without a second vocabulary. Written as
//! the rest of the API writes names: lower case, words joined by `_`. PLOVER writes types in
//! capitals (`AGREE`) and five modes with a hyphen (`third-party`); `plover_name` gives
//! PLOVER's spelling.
//!
//! Source: the PLOVER manual, github.com/openeventdata/PLOVER, `PLOVER_MANUAL.tex` (the
//! source of `PLOVER_MANUAL.pdf`) at commit 5e0c24fba623f2d8df5ae3c7de7a94dba90d5b6f
//! (2024-02-04, "DRAFT Version: 2.0"):
//!
//! - types: the chapter "Event Categories", one section per type, in its order;
//! - modes: each section's "Supplementary fields" table; AGREE, SUPPORT, CONCEDE, COOPERATE and
//!   AID have none. REQUEST and REJECT share theirs (the manual says so); `restrict`, `arrest`,
//!   `expel` and `withdraw` are each the name of a mode of two types, one variant here;
//! - contexts: the table "General contexts" (`tab:general-contexts`);
//! - quad classes: each section's "Quad category".
//!
//! Where the manual is not one voice:
//!
//! - SANCTION is "MATERIAL CONFLICT" in its own section and in the "Summary of event
//!   categories", but the table "Quad categories in PLOVER" lists it under verbal conflict
//!   (and material conflict without it). Material conflict is kept here: two places of three,
//!   and CAMEO's cue category 16 (REDUCE RELATIONS), which PLOVER translates to SANCTION, is
//!   material conflict in the quad classes GDELT gives CAMEO's cue categories (14 to 20).
//! - ASSAULT's text names a `sideAB` mode, which the manual's table of ASSAULT modes has
//!   commented out; it is left out.
//! - The "auxiliary modes" (`historical`, `future`, `hypothetical`, `negation`), which the
//!   manual says are not yet implemented by any coder, are neither modes nor contexts here.
//! - The manual allows several modes on one event (its JSON lists them); an interaction has
//!   at most one.

mod context;
mod mode;
mod source_code;

pub use context::InteractionContext;
pub use mode::InteractionMode;
pub use source_code::SourceCode;

use serde::{Deserialize, Serialize};

/// A PLOVER event type: what one side did toward the other. The type decides the quad class:
///
/// - verbal cooperation: `agree`, `consult`, `support`, `concede`
/// - material cooperation: `cooperate`, `aid`, `retreat`
/// - verbal conflict: `request`, `accuse`, `reject`, `threaten`
/// - material conflict: `protest`, `sanction`, `mobilize`, `coerce`, `assault`
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    sqlx::Type,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "interaction_type", rename_all = "snake_case")]
pub enum InteractionType {
    Agree,
    Consult,
    Support,
    Concede,
    Cooperate,
    Aid,
    Retreat,
    Request,
    Accuse,
    Reject,
    Threaten,
    Protest,
    Sanction,
    Mobilize,
    Coerce,
    Assault,
}

impl InteractionType {
    /// Every type, in the manual's order (from cooperation to conflict).
    pub const ALL: [Self; 16] = [
        Self::Agree,
        Self::Consult,
        Self::Support,
        Self::Concede,
        Self::Cooperate,
        Self::Aid,
        Self::Retreat,
        Self::Request,
        Self::Accuse,
        Self::Reject,
        Self::Threaten,
        Self::Protest,
        Self::Sanction,
        Self::Mobilize,
        Self::Coerce,
        Self::Assault,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agree => "agree",
            Self::Consult => "consult",
            Self::Support => "support",
            Self::Concede => "concede",
            Self::Cooperate => "cooperate",
            Self::Aid => "aid",
            Self::Retreat => "retreat",
            Self::Request => "request",
            Self::Accuse => "accuse",
            Self::Reject => "reject",
            Self::Threaten => "threaten",
            Self::Protest => "protest",
            Self::Sanction => "sanction",
            Self::Mobilize => "mobilize",
            Self::Coerce => "coerce",
            Self::Assault => "assault",
        }
    }

    /// The types a filter by type and quad class admits: `None` when neither is given (any
    /// type); an empty list when the type is not in the class.
    pub fn matching(event_type: Option<Self>, quad_class: Option<QuadClass>) -> Option<Vec<Self>> {
        match (event_type, quad_class) {
            (None, None) => None,
            (Some(t), None) => Some(vec![t]),
            (None, Some(class)) => Some(class.types().collect()),
            (Some(t), Some(class)) => Some(
                Some(t)
                    .into_iter()
                    .filter(|t| t.quad_class() == class)
                    .collect(),
            ),
        }
    }

    /// The name as PLOVER writes it: `AGREE`.
    pub fn plover_name(self) -> String {
        self.as_str().to_ascii_uppercase()
    }

    /// The quad class, as each type's section of the manual assigns it.
    pub fn quad_class(self) -> QuadClass {
        match self {
            Self::Agree | Self::Consult | Self::Support | Self::Concede => {
                QuadClass::VerbalCooperation
            }
            Self::Cooperate | Self::Aid | Self::Retreat => QuadClass::MaterialCooperation,
            Self::Request | Self::Accuse | Self::Reject | Self::Threaten => {
                QuadClass::VerbalConflict
            }
            Self::Protest | Self::Sanction | Self::Mobilize | Self::Coerce | Self::Assault => {
                QuadClass::MaterialConflict
            }
        }
    }

    /// The modes the manual defines for this type, in its order; none for some types.
    pub fn modes(self) -> &'static [InteractionMode] {
        use InteractionMode as M;
        match self {
            Self::Agree | Self::Support | Self::Concede | Self::Cooperate | Self::Aid => &[],
            Self::Consult => &[M::Visit, M::ThirdParty, M::Multilateral, M::Phone],
            Self::Retreat => &[
                M::Withdraw,
                M::Release,
                M::Disarm,
                M::Ceasefire,
                M::Access,
                M::Resign,
            ],
            Self::Request | Self::Reject => &[M::Assist, M::Change, M::Yield, M::Meet],
            Self::Accuse => &[M::Disapprove, M::Investigate, M::Allege],
            Self::Threaten => &[
                M::Restrict,
                M::Arrest,
                M::Relations,
                M::Expel,
                M::Territory,
                M::Violence,
            ],
            Self::Protest => &[
                M::Demo,
                M::Riot,
                M::Strike,
                M::Hunger,
                M::Boycott,
                M::Obstruct,
                M::Vandalize,
            ],
            Self::Sanction => &[M::Convict, M::Expel, M::Withdraw, M::Discontinue],
            Self::Mobilize => &[M::Troops, M::Weapons, M::Police, M::Militia],
            Self::Coerce => &[
                M::Seize,
                M::Restrict,
                M::Censor,
                M::Curfew,
                M::MartialLaw,
                M::Arrest,
                M::Deport,
                M::Withhold,
                M::Misinformation,
                M::Cyber,
            ],
            Self::Assault => &[
                M::Abduct,
                M::Beat,
                M::Torture,
                M::Sexual,
                M::Targeted,
                M::Destroy,
                M::Primitive,
                M::Firearms,
                M::Explosives,
                M::SuicideAttack,
                M::Aerial,
                M::Drone,
                M::HeavyWeapons,
                M::CrowdControl,
                M::Unconventional,
            ],
        }
    }

    /// Whether the manual defines `mode` for this type.
    pub fn admits(self, mode: InteractionMode) -> bool {
        self.modes().contains(&mode)
    }
}

/// PLOVER's quad class of an interaction, which follows from its type: verbal or material,
/// cooperation or conflict.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum QuadClass {
    VerbalCooperation,
    MaterialCooperation,
    VerbalConflict,
    MaterialConflict,
}

impl QuadClass {
    pub const ALL: [Self; 4] = [
        Self::VerbalCooperation,
        Self::MaterialCooperation,
        Self::VerbalConflict,
        Self::MaterialConflict,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerbalCooperation => "verbal_cooperation",
            Self::MaterialCooperation => "material_cooperation",
            Self::VerbalConflict => "verbal_conflict",
            Self::MaterialConflict => "material_conflict",
        }
    }

    /// Its number, 1 to 4: PLOVER's `quad_code`, and GDELT's `QuadClass`.
    pub fn code(self) -> u8 {
        match self {
            Self::VerbalCooperation => 1,
            Self::MaterialCooperation => 2,
            Self::VerbalConflict => 3,
            Self::MaterialConflict => 4,
        }
    }

    /// The types in this class, in the manual's order.
    pub fn types(self) -> impl Iterator<Item = InteractionType> {
        InteractionType::ALL
            .into_iter()
            .filter(move |t| t.quad_class() == self)
    }
}

/// Which side of an interaction an actor is on: the `source` acted (PLOVER's "actor"), the
/// `target` was acted upon (PLOVER's "recipient").
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    sqlx::Type,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "interaction_side", rename_all = "snake_case")]
pub enum InteractionSide {
    Source,
    Target,
}

impl InteractionSide {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Target => "target",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use utoipa::PartialSchema;

    /// The names a derived schema lists, and its description.
    fn schema_of<T: PartialSchema>() -> (Vec<String>, String) {
        let schema = serde_json::to_value(T::schema()).unwrap_or_default();
        let names = schema["enum"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        let description = schema["description"].as_str().unwrap_or("").to_owned();
        (names, description)
    }

    fn json_name<T: Serialize>(value: T) -> String {
        serde_json::to_value(value)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// Each name once in `ALL`, as the schema lists it, the same through serde both ways.
    fn check_names<T>(all: &[T], as_str: fn(T) -> &'static str)
    where
        T: Copy + PartialEq + std::fmt::Debug + Serialize + PartialSchema,
        T: for<'de> Deserialize<'de>,
    {
        let (declared, _) = schema_of::<T>();
        let listed: Vec<String> = all.iter().map(|v| as_str(*v).to_owned()).collect();
        assert!(!listed.is_empty());
        assert_eq!(
            declared, listed,
            "the schema lists every variant, in ALL's order"
        );
        for value in all {
            let name = as_str(*value);
            assert_eq!(json_name(*value), name);
            let back: Option<T> = serde_json::from_value(serde_json::json!(name)).ok();
            assert_eq!(back, Some(*value));
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name}"
            );
        }
    }

    #[test]
    fn names_round_trip_through_serde_and_the_schema_lists_them_all() {
        check_names(&InteractionType::ALL, InteractionType::as_str);
        check_names(&QuadClass::ALL, QuadClass::as_str);
        check_names(&InteractionMode::ALL, InteractionMode::as_str);
        check_names(&InteractionContext::ALL, InteractionContext::as_str);
        check_names(
            &[InteractionSide::Source, InteractionSide::Target],
            InteractionSide::as_str,
        );
        assert!(serde_json::from_str::<InteractionType>("\"AGREE\"").is_err());
        assert!(serde_json::from_str::<InteractionMode>("\"third-party\"").is_err());
    }

    #[test]
    fn plover_spells_types_in_capitals_and_five_modes_with_hyphens() {
        let types: Vec<String> = InteractionType::ALL
            .map(InteractionType::plover_name)
            .into();
        assert_eq!(
            types.join(" "),
            "AGREE CONSULT SUPPORT CONCEDE COOPERATE AID RETREAT REQUEST ACCUSE REJECT \
             THREATEN PROTEST SANCTION MOBILIZE COERCE ASSAULT"
        );
        let hyphenated: Vec<String> = InteractionMode::ALL
            .into_iter()
            .map(InteractionMode::plover_name)
            .filter(|name| name.contains('-'))
            .collect();
        assert_eq!(
            hyphenated,
            [
                "third-party",
                "martial-law",
                "suicide-attack",
                "heavy-weapons",
                "crowd-control"
            ]
        );
    }

    #[test]
    fn every_type_has_the_quad_class_of_its_section_of_the_manual() {
        use InteractionType as T;
        let manual = [
            (
                QuadClass::VerbalCooperation,
                vec![T::Agree, T::Consult, T::Support, T::Concede],
            ),
            (
                QuadClass::MaterialCooperation,
                vec![T::Cooperate, T::Aid, T::Retreat],
            ),
            (
                QuadClass::VerbalConflict,
                vec![T::Request, T::Accuse, T::Reject, T::Threaten],
            ),
            (
                QuadClass::MaterialConflict,
                vec![T::Protest, T::Sanction, T::Mobilize, T::Coerce, T::Assault],
            ),
        ];
        let mut seen = BTreeSet::new();
        for (class, types) in manual {
            assert_eq!(class.types().collect::<Vec<_>>(), types, "{class:?}");
            for t in types {
                assert_eq!(t.quad_class(), class);
                assert!(seen.insert(t), "{t:?} is in one class only");
            }
        }
        assert_eq!(seen.len(), InteractionType::ALL.len());
        let codes: Vec<u8> = QuadClass::ALL.map(QuadClass::code).into();
        assert_eq!(codes, [1, 2, 3, 4]);
    }

    #[test]
    fn schema_descriptions_say_what_the_code_does() {
        let (_, description) = schema_of::<InteractionMode>();
        for t in InteractionType::ALL {
            let modes: Vec<String> = t
                .modes()
                .iter()
                .map(|m| format!("`{}`", m.as_str()))
                .collect();
            if modes.is_empty() {
                assert!(description.contains(&format!("`{}`", t.as_str())), "{t:?}");
            } else {
                let line = format!("- `{}`: {}", t.as_str(), modes.join(", "));
                assert!(description.contains(&line), "{line}");
            }
        }
        let (_, description) = schema_of::<InteractionType>();
        for class in QuadClass::ALL {
            let types: Vec<String> = class.types().map(|t| format!("`{}`", t.as_str())).collect();
            let line = format!(
                "- {}: {}",
                class.as_str().replace('_', " "),
                types.join(", ")
            );
            assert!(description.contains(&line), "{line}");
        }
    }

    /// The migration that creates the enums and the check of modes says what this module
    /// says.
    #[test]
    fn the_migration_agrees_with_the_vocabulary() {
        let sql = include_str!("../../migrations/20261207000001_interactions.sql");
        let flat = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        let quoted = |names: Vec<&str>| -> String {
            let names: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
            names.join(", ")
        };
        let enum_values = |type_name: &str| -> String {
            let start = format!("CREATE TYPE {type_name} AS ENUM (");
            let from = sql.find(&start).map(|i| i + start.len()).unwrap_or(0);
            let to = sql[from..].find(");").map(|i| from + i).unwrap_or(from);
            sql[from..to]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            enum_values("interaction_type"),
            quoted(InteractionType::ALL.map(InteractionType::as_str).into())
        );
        assert_eq!(
            enum_values("interaction_mode"),
            quoted(InteractionMode::ALL.map(InteractionMode::as_str).into())
        );
        assert_eq!(
            enum_values("interaction_context"),
            quoted(
                InteractionContext::ALL
                    .map(InteractionContext::as_str)
                    .into()
            )
        );
        assert_eq!(enum_values("interaction_side"), "'source', 'target'");
        let mut typed = 0;
        for t in InteractionType::ALL {
            if t.modes().is_empty() {
                continue;
            }
            let modes = quoted(t.modes().iter().map(|m| m.as_str()).collect());
            let arm = format!("WHEN '{}' THEN mode IN ({modes})", t.as_str());
            assert!(flat.contains(&arm), "{arm}");
            typed += 1;
        }
        assert_eq!(flat.matches("THEN mode IN (").count(), typed);
    }
}
