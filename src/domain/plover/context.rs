//! PLOVER's general contexts: what an interaction was about.

vocabulary! {
    /// What an interaction was about: PLOVER's general contexts. An interaction may have any
    /// number of them, whatever its type.
    pub enum InteractionContext as "interaction_context" {
        // In the order of the manual's table, which `ALL` keeps; each name is also PLOVER's.
        Military => "military",
        Intelligence => "intelligence",
        Executive => "executive",
        Legislative => "legislative",
        Election => "election",
        PoliticalInstitutions => "political_institutions",
        ProDemocracy => "pro_democracy",
        ProAutocracy => "pro_autocracy",
        Economic => "economic",
        Legal => "legal",
        Reparations => "reparations",
        HumanRights => "human_rights",
        RightsFreedoms => "rights_freedoms",
        Repression => "repression",
        HumanSecurity => "human_security",
        Gender => "gender",
        Lgbt => "lgbt",
        ReligionEthnicity => "religion_ethnicity",
        Inequality => "inequality",
        Diplomatic => "diplomatic",
        Territory => "territory",
        Peacekeeping => "peacekeeping",
        Health => "health",
        Asylum => "asylum",
        Migration => "migration",
        Disasters => "disasters",
        NaturalResource => "natural_resource",
        Environment => "environment",
        Technology => "technology",
        Terrorism => "terrorism",
        Cbrn => "cbrn",
        Cyber => "cyber",
        Misinformation => "misinformation",
        Crime => "crime",
        Corruption => "corruption",
        IllegalDrugs => "illegal_drugs",
        Trafficking => "trafficking",
    }
}

impl InteractionContext {
    /// The context a file names, in PLOVER's spelling or the API's, any case
    /// (`natural-resource`, `Economic`); none for a name PLOVER does not have.
    pub fn named(name: &str) -> Option<Self> {
        let name = name.trim().replace('-', "_").to_ascii_lowercase();
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}
