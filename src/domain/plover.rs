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

pub mod cameo;
mod context;
mod mode;
mod source_code;

pub use context::InteractionContext;
pub use mode::InteractionMode;
pub use source_code::SourceCode;

vocabulary! {
    /// A PLOVER event type: what one side did toward the other. The type decides the quad class:
    ///
    /// - verbal cooperation: `agree`, `consult`, `support`, `concede`
    /// - material cooperation: `cooperate`, `aid`, `retreat`
    /// - verbal conflict: `request`, `accuse`, `reject`, `threaten`
    /// - material conflict: `protest`, `sanction`, `mobilize`, `coerce`, `assault`
    pub enum InteractionType as "interaction_type" {
        // In the manual's order (from cooperation to conflict), which `ALL` keeps.
        Agree => "agree",
        Consult => "consult",
        Support => "support",
        Concede => "concede",
        Cooperate => "cooperate",
        Aid => "aid",
        Retreat => "retreat",
        Request => "request",
        Accuse => "accuse",
        Reject => "reject",
        Threaten => "threaten",
        Protest => "protest",
        Sanction => "sanction",
        Mobilize => "mobilize",
        Coerce => "coerce",
        Assault => "assault",
    }
}

impl InteractionType {
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

    /// The type a file names, as PLOVER writes it (`AGREE`) or in any case; none for a name
    /// PLOVER 2.0 does not have.
    pub fn named(name: &str) -> Option<Self> {
        let name = name.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|t| t.as_str() == name)
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

vocabulary! {
    /// PLOVER's quad class of an interaction, which follows from its type: verbal or material,
    /// cooperation or conflict.
    pub enum QuadClass {
        VerbalCooperation => "verbal_cooperation",
        MaterialCooperation => "material_cooperation",
        VerbalConflict => "verbal_conflict",
        MaterialConflict => "material_conflict",
    }
}

impl QuadClass {
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

vocabulary! {
    /// Which side of an interaction an actor is on: the `source` acted (PLOVER's "actor"), the
    /// `target` was acted upon (PLOVER's "recipient").
    pub enum InteractionSide as "interaction_side" {
        Source => "source",
        Target => "target",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use utoipa::PartialSchema;

    /// The description of a derived schema.
    fn description_of<T: PartialSchema>() -> String {
        let schema = serde_json::to_value(T::schema()).unwrap_or_default();
        schema["description"].as_str().unwrap_or("").to_owned()
    }

    #[test]
    fn plover_spells_types_in_capitals_and_five_modes_with_hyphens() {
        // The API takes only its own spelling.
        assert!(serde_json::from_str::<InteractionType>("\"AGREE\"").is_err());
        assert!(serde_json::from_str::<InteractionMode>("\"third-party\"").is_err());
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
        let description = description_of::<InteractionMode>();
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
        let description = description_of::<InteractionType>();
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
