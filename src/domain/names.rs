//! Matching a free-text name against the names an actor answers to: the folding and the
//! scoring that resolving a name uses, apart from the database that finds the candidates.

use serde::Serialize;

use super::search_key;

/// Words that say what someone is rather than who: left out at the start of a name, so that
/// "President Tokayev", "Mr Erdoğan" and "the Kremlin" are looked up as "Tokayev", "Erdoğan"
/// and "Kremlin". Only leading ones, so "Islamic State" or "Council of Ministers" keep theirs.
const HONORIFICS: &[&str] = &[
    "the",
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "sir",
    "dame",
    "madam",
    "his",
    "her",
    "excellency",
    "he",
    "hon",
    "honourable",
    "honorable",
    "president",
    "vice",
    "prime",
    "minister",
    "foreign",
    "premier",
    "chancellor",
    "chairman",
    "chairwoman",
    "chair",
    "secretary",
    "general",
    "king",
    "queen",
    "prince",
    "princess",
    "emir",
    "sheikh",
    "sultan",
    "comrade",
    "senator",
    "ambassador",
    "envoy",
    "deputy",
    "acting",
    "former",
    "ex",
    "late",
    "state",
    "counsellor",
    "leader",
];

/// A name to resolve, as given and folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameQuery {
    /// The name as given, trimmed.
    pub text: String,
    /// Folded (`search_key`) with leading honorifics left out; empty when the name has no
    /// letters or digits.
    pub key: String,
}

impl NameQuery {
    pub fn new(name: &str) -> Self {
        let folded = search_key(name);
        let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
        let titles = words
            .iter()
            .take_while(|w| HONORIFICS.contains(w))
            .count()
            .min(words.len().saturating_sub(1));
        Self {
            text: name.trim().to_owned(),
            key: words[titles..].join(" "),
        }
    }
}

/// Why a candidate matched, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The name is the actor's slug, or becomes it.
    Slug,
    /// The name is the actor's name, exactly.
    ExactName,
    /// The name is one of the actor's aliases, exactly.
    ExactAlias,
    /// The name is the actor's name once case, accents, punctuation, script and titles are
    /// set aside.
    FoldedName,
    /// The same, for one of its aliases.
    FoldedAlias,
    /// Every word of the shorter of the two is a word (or an initial) of the longer, in any
    /// order.
    Words,
    /// Trigram similarity of the folded names.
    Similar,
}

/// How a name of an actor compares with a query: the score in [0, 1] and why.
///
/// `key` is the name folded by [`search_key`] (as stored); `alias` says whether the name is
/// an alias rather than the actor's own name; `similarity` is the trigram similarity the
/// database measured between the folded names.
pub fn score(
    query: &NameQuery,
    name: &str,
    key: &str,
    alias: bool,
    similarity: f32,
) -> (f64, MatchKind) {
    if name.trim() == query.text {
        return if alias {
            (0.98, MatchKind::ExactAlias)
        } else {
            (1.0, MatchKind::ExactName)
        };
    }
    if !query.key.is_empty() && (key == query.key || compact(key) == compact(&query.key)) {
        return if alias {
            (0.93, MatchKind::FoldedAlias)
        } else {
            (0.95, MatchKind::FoldedName)
        };
    }
    if let Some(coverage) = word_coverage(&query.key, key) {
        return (0.55 + 0.35 * coverage, MatchKind::Words);
    }
    (
        0.8 * f64::from(similarity.clamp(0.0, 1.0)),
        MatchKind::Similar,
    )
}

fn compact(key: &str) -> String {
    key.replace(' ', "")
}

/// When every word of the shorter name matches its own word of the longer (equal, or an
/// initial of it), the share of the longer name's words matched; `None` otherwise.
fn word_coverage(a: &str, b: &str) -> Option<f64> {
    let a: Vec<&str> = a.split(' ').filter(|w| !w.is_empty()).collect();
    let b: Vec<&str> = b.split(' ').filter(|w| !w.is_empty()).collect();
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() || short.iter().all(|w| w.len() == 1) {
        return None;
    }
    let mut used = vec![false; long.len()];
    // Whole words first, so that an initial cannot take the word a whole one needs.
    let mut order: Vec<&str> = short.clone();
    order.sort_by_key(|w| std::cmp::Reverse(w.len()));
    for word in order {
        let found = long.iter().enumerate().position(|(i, candidate)| {
            !used[i] && (*candidate == word || (word.len() == 1 && candidate.starts_with(word)))
        })?;
        used[found] = true;
    }
    Some(short.len() as f64 / long.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> String {
        NameQuery::new(name).key
    }

    /// Scores against a name folded here, as the database stores it.
    fn score(query: &NameQuery, name: &str, alias: bool, similarity: f32) -> (f64, MatchKind) {
        super::score(query, name, &search_key(name), alias, similarity)
    }

    #[test]
    fn leading_titles_and_articles_are_left_out() {
        assert_eq!(key("President Tokayev"), "tokayev");
        assert_eq!(key("the Kremlin"), "kremlin");
        assert_eq!(key("Mr. Recep Tayyip Erdoğan"), "recep tayyip erdogan");
        assert_eq!(key("Prime Minister"), "minister");
        assert_eq!(key("Islamic State"), "islamic state");
        assert_eq!(key("  !!! "), "");
    }

    #[test]
    fn exact_beats_folded_beats_words_beats_similar() {
        let q = NameQuery::new("Tokayev");
        assert_eq!(score(&q, "Tokayev", true, 1.0).1, MatchKind::ExactAlias);
        assert_eq!(score(&q, "TOKAYEV", true, 1.0).1, MatchKind::FoldedAlias);
        assert_eq!(
            score(&q, "Kassym-Jomart Tokayev", false, 0.5).1,
            MatchKind::Words
        );
        let (similar, why) = score(&NameQuery::new("Tokaev"), "Tokayev", true, 0.5);
        assert_eq!(why, MatchKind::Similar);
        assert!(similar < score(&q, "Kassym-Jomart Tokayev", false, 0.5).0);
    }

    #[test]
    fn scripts_accents_order_and_initials_do_not_defeat_it() {
        let folded = |name: &str, against: &str| score(&NameQuery::new(name), against, true, 0.0).1;
        assert_eq!(folded("Erdogan", "Erdoğan"), MatchKind::FoldedAlias);
        assert_eq!(folded("习近平", "Xi Jinping"), MatchKind::FoldedAlias);
        assert_eq!(
            folded("Erdoğan Recep Tayyip", "Recep Tayyip Erdoğan"),
            MatchKind::Words
        );
        assert_eq!(
            folded("K.-J. Tokayev", "Kassym-Jomart Tokayev"),
            MatchKind::Words
        );
        assert_eq!(folded("K. J.", "Kassym-Jomart Tokayev"), MatchKind::Similar);
    }

    #[test]
    fn word_matches_score_by_how_much_of_the_name_they_cover() {
        let q = NameQuery::new("Erdogan");
        let (surname, _) = score(&q, "Recep Tayyip Erdogan", false, 0.0);
        let (full, _) = score(
            &NameQuery::new("Tayyip Erdogan"),
            "Recep Tayyip Erdogan",
            false,
            0.0,
        );
        assert!(surname < full && full < 0.9, "{surname} {full}");
    }
}
