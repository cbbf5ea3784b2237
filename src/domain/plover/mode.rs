//! PLOVER's modes: how an interaction was carried out, each admitted by its own types.

use super::InteractionType;

vocabulary! {
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
    pub enum InteractionMode as "interaction_mode" {
        // Each once, in the order the manual first names it, which `ALL` keeps.
        // consult
        Visit => "visit",
        ThirdParty => "third_party",
        Multilateral => "multilateral",
        Phone => "phone",
        // retreat (and `withdraw` for sanction)
        Withdraw => "withdraw",
        Release => "release",
        Disarm => "disarm",
        Ceasefire => "ceasefire",
        Access => "access",
        Resign => "resign",
        // request and reject
        Assist => "assist",
        Change => "change",
        Yield => "yield",
        Meet => "meet",
        // accuse
        Disapprove => "disapprove",
        Investigate => "investigate",
        Allege => "allege",
        // threaten (and `restrict`, `arrest` for coerce, `expel` for sanction)
        Restrict => "restrict",
        Arrest => "arrest",
        Relations => "relations",
        Expel => "expel",
        Territory => "territory",
        Violence => "violence",
        // protest
        Demo => "demo",
        Riot => "riot",
        Strike => "strike",
        Hunger => "hunger",
        Boycott => "boycott",
        Obstruct => "obstruct",
        Vandalize => "vandalize",
        // sanction
        Convict => "convict",
        Discontinue => "discontinue",
        // mobilize
        Troops => "troops",
        Weapons => "weapons",
        Police => "police",
        Militia => "militia",
        // coerce
        Seize => "seize",
        Censor => "censor",
        Curfew => "curfew",
        MartialLaw => "martial_law",
        Deport => "deport",
        Withhold => "withhold",
        Misinformation => "misinformation",
        Cyber => "cyber",
        // assault
        Abduct => "abduct",
        Beat => "beat",
        Torture => "torture",
        Sexual => "sexual",
        Targeted => "targeted",
        Destroy => "destroy",
        Primitive => "primitive",
        Firearms => "firearms",
        Explosives => "explosives",
        SuicideAttack => "suicide_attack",
        Aerial => "aerial",
        Drone => "drone",
        HeavyWeapons => "heavy_weapons",
        CrowdControl => "crowd_control",
        Unconventional => "unconventional",
    }
}

impl InteractionMode {
    /// The name as PLOVER writes it: `third-party`, `martial-law`, `visit`.
    pub fn plover_name(self) -> String {
        self.as_str().replace('_', "-")
    }

    /// The mode of `event_type` a file names, in PLOVER's spelling or the API's, any case
    /// (`heavy-weapons`, `Third_Party`); none for a name that type does not have.
    pub fn of(event_type: InteractionType, name: &str) -> Option<Self> {
        let name = name.trim().replace('-', "_").to_ascii_lowercase();
        event_type
            .modes()
            .iter()
            .copied()
            .find(|m| m.as_str() == name)
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
