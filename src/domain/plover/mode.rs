//! PLOVER's modes: how an interaction was carried out, each admitted by its own types.

use serde::{Deserialize, Serialize};

use super::InteractionType;

/// How an interaction was carried out, from PLOVER's modes (for `threaten`, what was
/// threatened). A type admits only its own modes; `agree`, `support`, `concede`, `cooperate`
/// and `aid` have none:
///
/// - `consult`: `visit`, `third_party`, `multilateral`, `phone`
/// - `retreat`: `withdraw`, `release`, `disarm`, `ceasefire`, `access`, `resign`
/// - `request`: `assist`, `change`, `yield`, `meet`
/// - `accuse`: `disapprove`, `investigate`, `allege`
/// - `reject`: `assist`, `change`, `yield`, `meet`
/// - `threaten`: `restrict`, `arrest`, `relations`, `expel`, `territory`, `violence`
/// - `protest`: `demo`, `riot`, `strike`, `hunger`, `boycott`, `obstruct`, `vandalize`
/// - `sanction`: `convict`, `expel`, `withdraw`, `discontinue`
/// - `mobilize`: `troops`, `weapons`, `police`, `militia`
/// - `coerce`: `seize`, `restrict`, `censor`, `curfew`, `martial_law`, `arrest`, `deport`, `withhold`, `misinformation`, `cyber`
/// - `assault`: `abduct`, `beat`, `torture`, `sexual`, `targeted`, `destroy`, `primitive`, `firearms`, `explosives`, `suicide_attack`, `aerial`, `drone`, `heavy_weapons`, `crowd_control`, `unconventional`
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
#[sqlx(type_name = "interaction_mode", rename_all = "snake_case")]
pub enum InteractionMode {
    // consult
    Visit,
    ThirdParty,
    Multilateral,
    Phone,
    // retreat (and `withdraw` for sanction)
    Withdraw,
    Release,
    Disarm,
    Ceasefire,
    Access,
    Resign,
    // request and reject
    Assist,
    Change,
    Yield,
    Meet,
    // accuse
    Disapprove,
    Investigate,
    Allege,
    // threaten (and `restrict`, `arrest` for coerce, `expel` for sanction)
    Restrict,
    Arrest,
    Relations,
    Expel,
    Territory,
    Violence,
    // protest
    Demo,
    Riot,
    Strike,
    Hunger,
    Boycott,
    Obstruct,
    Vandalize,
    // sanction
    Convict,
    Discontinue,
    // mobilize
    Troops,
    Weapons,
    Police,
    Militia,
    // coerce
    Seize,
    Censor,
    Curfew,
    MartialLaw,
    Deport,
    Withhold,
    Misinformation,
    Cyber,
    // assault
    Abduct,
    Beat,
    Torture,
    Sexual,
    Targeted,
    Destroy,
    Primitive,
    Firearms,
    Explosives,
    SuicideAttack,
    Aerial,
    Drone,
    HeavyWeapons,
    CrowdControl,
    Unconventional,
}

impl InteractionMode {
    /// Every mode, each once, in the order the manual first names it.
    pub const ALL: [Self; 59] = [
        Self::Visit,
        Self::ThirdParty,
        Self::Multilateral,
        Self::Phone,
        Self::Withdraw,
        Self::Release,
        Self::Disarm,
        Self::Ceasefire,
        Self::Access,
        Self::Resign,
        Self::Assist,
        Self::Change,
        Self::Yield,
        Self::Meet,
        Self::Disapprove,
        Self::Investigate,
        Self::Allege,
        Self::Restrict,
        Self::Arrest,
        Self::Relations,
        Self::Expel,
        Self::Territory,
        Self::Violence,
        Self::Demo,
        Self::Riot,
        Self::Strike,
        Self::Hunger,
        Self::Boycott,
        Self::Obstruct,
        Self::Vandalize,
        Self::Convict,
        Self::Discontinue,
        Self::Troops,
        Self::Weapons,
        Self::Police,
        Self::Militia,
        Self::Seize,
        Self::Censor,
        Self::Curfew,
        Self::MartialLaw,
        Self::Deport,
        Self::Withhold,
        Self::Misinformation,
        Self::Cyber,
        Self::Abduct,
        Self::Beat,
        Self::Torture,
        Self::Sexual,
        Self::Targeted,
        Self::Destroy,
        Self::Primitive,
        Self::Firearms,
        Self::Explosives,
        Self::SuicideAttack,
        Self::Aerial,
        Self::Drone,
        Self::HeavyWeapons,
        Self::CrowdControl,
        Self::Unconventional,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visit => "visit",
            Self::ThirdParty => "third_party",
            Self::Multilateral => "multilateral",
            Self::Phone => "phone",
            Self::Withdraw => "withdraw",
            Self::Release => "release",
            Self::Disarm => "disarm",
            Self::Ceasefire => "ceasefire",
            Self::Access => "access",
            Self::Resign => "resign",
            Self::Assist => "assist",
            Self::Change => "change",
            Self::Yield => "yield",
            Self::Meet => "meet",
            Self::Disapprove => "disapprove",
            Self::Investigate => "investigate",
            Self::Allege => "allege",
            Self::Restrict => "restrict",
            Self::Arrest => "arrest",
            Self::Relations => "relations",
            Self::Expel => "expel",
            Self::Territory => "territory",
            Self::Violence => "violence",
            Self::Demo => "demo",
            Self::Riot => "riot",
            Self::Strike => "strike",
            Self::Hunger => "hunger",
            Self::Boycott => "boycott",
            Self::Obstruct => "obstruct",
            Self::Vandalize => "vandalize",
            Self::Convict => "convict",
            Self::Discontinue => "discontinue",
            Self::Troops => "troops",
            Self::Weapons => "weapons",
            Self::Police => "police",
            Self::Militia => "militia",
            Self::Seize => "seize",
            Self::Censor => "censor",
            Self::Curfew => "curfew",
            Self::MartialLaw => "martial_law",
            Self::Deport => "deport",
            Self::Withhold => "withhold",
            Self::Misinformation => "misinformation",
            Self::Cyber => "cyber",
            Self::Abduct => "abduct",
            Self::Beat => "beat",
            Self::Torture => "torture",
            Self::Sexual => "sexual",
            Self::Targeted => "targeted",
            Self::Destroy => "destroy",
            Self::Primitive => "primitive",
            Self::Firearms => "firearms",
            Self::Explosives => "explosives",
            Self::SuicideAttack => "suicide_attack",
            Self::Aerial => "aerial",
            Self::Drone => "drone",
            Self::HeavyWeapons => "heavy_weapons",
            Self::CrowdControl => "crowd_control",
            Self::Unconventional => "unconventional",
        }
    }

    /// The name as PLOVER writes it: `third-party`, `martial-law`, `visit`.
    pub fn plover_name(self) -> String {
        self.as_str().replace('_', "-")
    }

    /// The types that admit this mode: one, or two for a name the manual gives two types.
    pub fn types(self) -> impl Iterator<Item = InteractionType> {
        InteractionType::ALL
            .into_iter()
            .filter(move |t| t.admits(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn modes_are_admitted_only_by_their_types() {
        let mut pairs = 0;
        for t in InteractionType::ALL {
            let modes = t.modes();
            let distinct: BTreeSet<_> = modes.iter().collect();
            assert_eq!(distinct.len(), modes.len(), "{t:?} names a mode twice");
            for mode in InteractionMode::ALL {
                assert_eq!(t.admits(mode), modes.contains(&mode), "{t:?} {mode:?}");
            }
            pairs += modes.len();
        }
        // 67 modes in the manual's eleven tables; every mode is some type's.
        assert_eq!(pairs, 67);
        for mode in InteractionMode::ALL {
            assert!(mode.types().next().is_some(), "{mode:?} belongs to no type");
        }
        use InteractionMode as M;
        use InteractionType as T;
        assert!(T::Consult.admits(M::Visit));
        assert!(!T::Assault.admits(M::Visit));
        assert!(!T::Agree.admits(M::Visit));
        let shared: Vec<(M, Vec<T>)> = InteractionMode::ALL
            .into_iter()
            .map(|m| (m, m.types().collect::<Vec<_>>()))
            .filter(|(_, types)| types.len() > 1)
            .collect();
        assert_eq!(
            shared,
            [
                (M::Withdraw, vec![T::Retreat, T::Sanction]),
                (M::Assist, vec![T::Request, T::Reject]),
                (M::Change, vec![T::Request, T::Reject]),
                (M::Yield, vec![T::Request, T::Reject]),
                (M::Meet, vec![T::Request, T::Reject]),
                (M::Restrict, vec![T::Threaten, T::Coerce]),
                (M::Arrest, vec![T::Threaten, T::Coerce]),
                (M::Expel, vec![T::Threaten, T::Sanction]),
            ]
        );
    }
}
