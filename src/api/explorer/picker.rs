//! The explorer's questions (the form) and its front page's answer: every state's index over
//! the window, as `GET /v1/engagement` ranks it, each state linked to its own page.

use std::fmt::Write;

use serde::Deserialize;

use super::chart::granularity_name;
use super::html::escape;
use crate::analysis::Granularity;
use crate::api::analysis::ranking::{Ranking, RankingSort};
use crate::domain::PartialDate;
use crate::store::actors::ActorSummaryRow;

/// What the page is asked: an actor or none, a window, a period, which records count, and
/// (for the front page's table) an order.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExploreParams {
    pub(super) actor: Option<String>,
    pub(super) from: Option<PartialDate>,
    pub(super) to: Option<PartialDate>,
    pub(super) by: Option<Granularity>,
    pub(super) basis: Option<Basis>,
    pub(super) sort: Option<RankingSort>,
}

/// The records the page counts, as `basis` names them in the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub(super) enum Basis {
    #[serde(rename = "visits,statements")]
    VisitsStatements,
    #[serde(rename = "visits,interactions")]
    VisitsInteractions,
    #[serde(rename = "all")]
    All,
}

impl Basis {
    const ALL: [Self; 3] = [Self::VisitsStatements, Self::VisitsInteractions, Self::All];

    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::VisitsStatements => "visits,statements",
            Self::VisitsInteractions => "visits,interactions",
            Self::All => "all",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::VisitsStatements => "visits and statements",
            Self::VisitsInteractions => "visits and interactions (event data)",
            Self::All => "all records",
        }
    }
}

impl ExploreParams {
    /// The window, period and records asked, as a query string (`from=2022&to=2022&…`).
    fn question(&self) -> String {
        let mut query = Vec::new();
        if let Some(from) = self.from {
            query.push(format!("from={from}"));
        }
        if let Some(to) = self.to {
            query.push(format!("to={to}"));
        }
        if let Some(by) = self.by {
            query.push(format!("by={}", granularity_name(by)));
        }
        if let Some(basis) = self.basis {
            query.push(format!("basis={}", basis.as_str()));
        }
        query.join("&")
    }
}

pub(super) fn form(
    html: &mut String,
    choices: &[ActorSummaryRow],
    actor: Option<&str>,
    params: &ExploreParams,
) {
    html.push_str(r#"<form method="get" action="/explore"><label>Actor<select name="actor"><option value="">every state</option>"#);
    for choice in choices {
        let selected = if actor == Some(choice.slug.as_str())
            || actor == Some(choice.id.to_string().as_str())
        {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            html,
            r#"<option value="{}"{selected}>{}</option>"#,
            escape(&choice.slug),
            escape(&choice.name)
        );
    }
    let date = |d: Option<PartialDate>| d.map(|d| escape(&d.to_string())).unwrap_or_default();
    let _ = write!(
        html,
        r#"</select></label><label>From<input name="from" value="{}" placeholder="2022" size="10"></label><label>To<input name="to" value="{}" placeholder="2022-12" size="10"></label><label>Per<select name="by">"#,
        date(params.from),
        date(params.to)
    );
    for by in [Granularity::Year, Granularity::Quarter, Granularity::Month] {
        let selected = if params.by == Some(by) {
            " selected"
        } else {
            ""
        };
        let name = granularity_name(by);
        let _ = write!(html, r#"<option value="{name}"{selected}>{name}</option>"#);
    }
    html.push_str(r#"</select></label><label>Counting<select name="basis">"#);
    for basis in Basis::ALL {
        let selected = if params.basis == Some(basis) {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            html,
            r#"<option value="{}"{selected}>{}</option>"#,
            basis.as_str(),
            basis.label()
        );
    }
    html.push_str(r#"</select></label><button type="submit">Show</button></form>"#);
}

/// The columns of the table, each with the order it sorts by.
const COLUMNS: [(&str, RankingSort); 6] = [
    ("State", RankingSort::Name),
    ("Records", RankingSort::N),
    ("HHI", RankingSort::Hhi),
    ("Effective partners", RankingSort::EffectivePartners),
    ("Evenness", RankingSort::Evenness),
    ("Top partner's share", RankingSort::TopShare),
];

/// Every state's index, a row each, each state linked to its page with the same question.
pub(super) fn ranking(html: &mut String, ranking: &Ranking, params: &ExploreParams) {
    let question = params.question();
    let and = if question.is_empty() { "" } else { "&" };
    let _ = write!(
        html,
        r#"<section id="ranking"><h2>Every state's index</h2><p>{} states with records in this window, counted as each state's own page counts them; a column's name sorts by it.</p><table><thead><tr><th>#</th>"#,
        ranking.total
    );
    for (name, sort) in COLUMNS {
        let _ = write!(
            html,
            r#"<th><a href="/explore?{}{and}sort={}">{name}</a></th>"#,
            escape(&question),
            sort.as_str()
        );
    }
    html.push_str("<th>Top partner</th></tr></thead><tbody>");
    for (i, row) in ranking.items.iter().enumerate() {
        let link = |slug: &str, name: &str| {
            format!(
                r#"<a href="/explore/{}?{}">{}</a>"#,
                escape(slug),
                escape(&question),
                escape(name)
            )
        };
        let _ = write!(
            html,
            r#"<tr data-actor="{}"><td class="num">{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td></tr>"#,
            escape(&row.actor.slug),
            i + 1,
            link(&row.actor.slug, &row.actor.name),
            row.n,
            super::figure(Some(row.hhi), 3),
            super::figure(Some(row.effective_partners), 2),
            super::figure(row.evenness, 2),
            super::figure(row.top_share, 2),
            link(&row.top_partner.slug, &row.top_partner.name),
        );
    }
    if ranking.items.is_empty() {
        html.push_str(r#"<tr><td colspan="8">No state has records in this window.</td></tr>"#);
    }
    html.push_str("</tbody></table></section>");
}
