//! CAMEO codes placed in PLOVER: the published correspondence, read as it was published.
//!
//! `CAMEO2PLOVER-2021.txt` beside this file is the Open Event Data Alliance's CAMEO → PLOVER
//! conversion table (begun for the manual's draft 0.8, 2021, and kept up with it: it names
//! `REQUEST` as PLOVER 2.0 does), unchanged, from
//! github.com/openeventdata/PLOVER at commit 5e0c24fba623f2d8df5ae3c7de7a94dba90d5b6f.
//! Copyright the Open Event Data Alliance, licensed under the Creative Commons
//! Attribution-ShareAlike 4.0 International License
//! (https://creativecommons.org/licenses/by-sa/4.0/).
//!
//! Each line is `code: TYPE, mode, context[; context] # CAMEO's text`. How it is read:
//!
//! - by code, not by the heading it stands under: the table lists 0813, 191, 175 and 201
//!   under other cue categories than their own;
//! - a code absent from the table takes its longest listed prefix (`0315` → `031`);
//! - a mode or context is kept when it is one of PLOVER 2.0's for that type (see
//!   [`InteractionMode`]), and otherwise left out, never guessed: the table also names modes
//!   the manual does not have (`return`, `ease`, `ban`, `assassinate`, `cleansing`…) and
//!   contexts it does not have (`democracy`, `humanitarian`); the interaction keeps the CAMEO
//!   code, so nothing is lost;
//! - a code listed twice with different types (the cue category `08`, split between CONCEDE
//!   and RETREAT) is not placed; the cue categories `01` (make public statement) and `02`
//!   (appeal) have no PLOVER type at all.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::{InteractionContext, InteractionMode, InteractionType, SourceCode};

const TABLE: &str = include_str!("CAMEO2PLOVER-2021.txt");

/// What PLOVER makes of a CAMEO code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub event_type: InteractionType,
    pub mode: Option<InteractionMode>,
    pub contexts: Vec<InteractionContext>,
}

/// Why a CAMEO code has no PLOVER type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotPlaced {
    /// CAMEO 01 and 02: statements and appeals, which PLOVER does not code.
    Dropped,
    /// Listed twice with different types (`08`).
    Ambiguous,
}

impl std::fmt::Display for NotPlaced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Dropped => {
                "CAMEO's cue categories 01 (make public statement) and 02 (appeal) have no \
                 PLOVER type"
            }
            Self::Ambiguous => {
                "the CAMEO→PLOVER table places this code in two types; give a more precise code"
            }
        })
    }
}

/// The PLOVER type, mode and contexts of a CAMEO code, from the published table.
pub fn place(code: &SourceCode) -> Result<Placed, NotPlaced> {
    let code = code.as_str();
    for len in (2..=code.len()).rev() {
        match CORRESPONDENCE.get(&code[..len]) {
            Some(Some(placed)) => return Ok(placed.clone()),
            Some(None) => return Err(NotPlaced::Ambiguous),
            None => {}
        }
    }
    Err(NotPlaced::Dropped)
}

/// Each listed code's placing; `None` for a code listed with two different types.
static CORRESPONDENCE: LazyLock<HashMap<&'static str, Option<Placed>>> = LazyLock::new(|| {
    let mut table: HashMap<&'static str, Option<Placed>> = HashMap::new();
    for (code, placed) in TABLE.lines().filter_map(line) {
        match table.get(code) {
            Some(Some(earlier)) if earlier.event_type != placed.event_type => {
                table.insert(code, None);
            }
            Some(_) => {}
            None => {
                table.insert(code, Some(placed));
            }
        }
    }
    table
});

/// A line of the table: `code: TYPE[, mode[, contexts]] # text`; headings, comments and
/// blank lines are not.
fn line(line: &'static str) -> Option<(&'static str, Placed)> {
    let (code, rest) = line.split_once(':')?;
    let code = code.trim();
    if !code.bytes().all(|b| b.is_ascii_digit()) || code.is_empty() {
        return None;
    }
    let fields = rest.split('#').next().unwrap_or_default();
    let mut fields = fields.split(',').map(str::trim);
    let name = fields.next()?;
    let event_type = InteractionType::ALL
        .into_iter()
        .find(|t| t.plover_name() == name)?;
    let mode = fields
        .next()
        .and_then(|mode| InteractionMode::of(event_type, mode));
    let contexts = fields
        .next()
        .unwrap_or_default()
        .split(';')
        .filter_map(InteractionContext::named)
        .collect();
    Some((
        code,
        Placed {
            event_type,
            mode,
            contexts,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use InteractionType::*;

    fn placed(code: &str) -> Result<Placed, NotPlaced> {
        match SourceCode::parse(code) {
            Ok(code) => place(&code),
            Err(e) => panic!("{e}"),
        }
    }

    fn ok(code: &str) -> Placed {
        placed(code).unwrap_or_else(|e| panic!("{code}: {e}"))
    }

    #[test]
    fn every_code_of_the_table_is_read() {
        // 276 coded lines, the cue-category headings among them; `08` and `175` twice.
        let lines = TABLE.lines().filter_map(line).count();
        assert_eq!(lines, 276);
        assert_eq!(CORRESPONDENCE.len(), 274);
    }

    #[test]
    fn codes_take_their_type_mode_and_contexts() {
        let visit = ok("042");
        assert_eq!(
            (visit.event_type, visit.mode),
            (Consult, Some(InteractionMode::Visit))
        );
        let third = ok("044");
        assert_eq!(third.mode, Some(InteractionMode::ThirdParty));
        let agree = ok("0311");
        assert_eq!(agree.event_type, Agree);
        assert_eq!(agree.contexts, vec![InteractionContext::Economic]);
        let both = ok("1124");
        assert_eq!(both.event_type, Accuse);
        assert_eq!(
            both.contexts,
            vec![InteractionContext::Military, InteractionContext::Legal]
        );
        assert_eq!(ok("1056").event_type, Request);
        let host = ok("043");
        assert_eq!(
            (host.event_type, host.mode),
            (Consult, Some(InteractionMode::Visit))
        );
        assert_eq!(ok("1724").mode, Some(InteractionMode::MartialLaw));
    }

    #[test]
    fn a_code_is_placed_by_itself_not_by_its_heading() {
        assert_eq!(ok("163").event_type, Coerce); // under SANCTION
        assert_eq!(ok("1712").event_type, Assault); // under COERCE
        assert_eq!(ok("191").event_type, Coerce); // listed under 17
        assert_eq!(ok("0813").event_type, Retreat); // under RETREAT
        assert_eq!(ok("081").event_type, Concede);
        assert_eq!(ok("175").event_type, Assault); // listed twice alike
    }

    #[test]
    fn an_unlisted_code_takes_its_longest_listed_prefix() {
        assert_eq!(ok("0315"), ok("031"));
        assert_eq!(ok("19").event_type, Assault);
        assert_eq!(ok("1999").event_type, Assault);
    }

    #[test]
    fn modes_plover_no_longer_has_are_left_out_not_guessed() {
        assert_eq!(ok("085").mode, None); // `ease`
        assert_eq!(ok("0842").mode, None); // `return`
        assert_eq!(ok("175").mode, None); // a context in the mode's place
        assert_eq!(ok("171").mode, Some(InteractionMode::Seize));
        assert_eq!(ok("0811").contexts, vec![]); // `democracy`
    }

    #[test]
    fn statements_appeals_and_a_split_category_are_not_placed() {
        assert_eq!(placed("010"), Err(NotPlaced::Dropped));
        assert_eq!(placed("0241"), Err(NotPlaced::Dropped));
        assert_eq!(placed("08"), Err(NotPlaced::Ambiguous));
        assert_eq!(ok("080").event_type, Concede);
    }
}
