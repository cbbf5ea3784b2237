//! `/explore` and `/explore/{actor}`: a page for analysts, served by the binary with no
//! script and nothing from elsewhere. Pick an actor, a window and a period; see the
//! engagement chart (drawn here as SVG), the partner table with every record and its
//! sources, and the actor's timeline. The numbers are the engagement API's own.

mod chart;
mod html;
mod picker;

use std::collections::HashMap;
use std::fmt::Write;
use std::io;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use uuid::Uuid;

use crate::analysis::{Direction, Granularity};
use crate::domain::Resource;
use crate::error::{ApiError, Result};
use crate::store::actors as actor_store;
use crate::store::timeline::{self as timeline_store, TimelineQuery};

use super::analysis::engagement::{self, Engagement, EngagementParams};
use super::analysis::ranking::{self, RankingParams};
use super::analysis::stream::respond as stream;
use super::costly::CostlyPermit;
use super::extract::{actor_from_path, parse_query};
use super::state::AppState;
use crate::records::Record;
use crate::records::interactions::Interaction;
use crate::records::links::CitationRef;
use crate::records::statements::Statement;
use crate::records::visits::Visit;
use html::escape;
use picker::ExploreParams;

/// The most records the page lists with their sources; the API has the rest.
const MAX_RECORDS: usize = 300;
/// The most timeline entries the page lists.
const MAX_TIMELINE: i64 = 200;

/// `/explore`: the picker, or the actor it names (`?actor=`).
pub async fn explore(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    page(&state, &req, None).await
}

/// `/explore/{actor}`.
pub async fn explore_actor(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    page(&state, &req, Some(path.into_inner())).await
}

async fn page(state: &AppState, req: &HttpRequest, actor: Option<String>) -> HttpResponse {
    let mut html = String::new();
    let (status, rest) = match render(state, req, actor, &mut html).await {
        Ok(rest) => (StatusCode::OK, rest),
        Err(error) => {
            let status = actix_web::ResponseError::status_code(&error);
            if let ApiError::Internal(inner) = &error {
                tracing::error!(error = format!("{inner:#}"), "internal error");
            }
            let problem = error.problem();
            let _ = write!(
                html,
                r#"<p class="error" role="alert"><strong>{}</strong> {}</p></main></body></html>"#,
                escape(&problem.title),
                escape(problem.detail.as_deref().unwrap_or(""))
            );
            (status, None)
        }
    };
    let mut response = HttpResponse::build(status);
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.insert_header((header::RETRY_AFTER, "1"));
    }
    response
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        // No script runs here, and nothing is loaded from elsewhere.
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    match rest {
        None => response.body(html),
        // The rest grows with the record: written as the client reads it.
        Some(rest) => stream(req, response, (), move |out| {
            io::Write::write_all(out, html.as_bytes())?;
            rest.write(out)
        }),
    }
}

/// An actor's page once everything it shows is read: written as the client reads it.
struct Rest {
    answer: Engagement,
    timeline: Vec<timeline_store::EntryRow>,
    visits: HashMap<Uuid, Visit>,
    statements: HashMap<Uuid, Statement>,
    interactions: HashMap<Uuid, Interaction>,
    /// The page's turn at costly work, held until the page is written.
    _turn: CostlyPermit,
}

impl Rest {
    fn write(&self, out: &mut impl io::Write) -> io::Result<()> {
        let mut html = String::new();
        summary(&mut html, &self.answer);
        out.write_all(html.as_bytes())?;
        partners(out, &self.answer, &self.visits, &self.statements)?;
        html.clear();
        html.push_str("<section id=\"timeline\"><h2>Timeline</h2><ol class=\"timeline\">");
        for entry in &self.timeline {
            let line = match entry.record {
                Resource::Visit => self.visits.get(&entry.id).map(visit_line),
                Resource::Statement => self.statements.get(&entry.id).map(statement_line),
                Resource::Interaction => self.interactions.get(&entry.id).map(interaction_line),
                Resource::Actor | Resource::Role | Resource::Citation => None,
            };
            if let Some(line) = line {
                let _ = write!(
                    html,
                    "<li>{line} <span class=\"capacity\">({})</span></li>",
                    escape(&entry.capacity)
                );
            }
        }
        if self.timeline.is_empty() {
            html.push_str("<li>No visits, statements or interactions in this window.</li>");
        }
        html.push_str("</ol></section></main></body></html>");
        out.write_all(html.as_bytes())
    }
}

/// The page up to the actor's answer into `html`; what follows, once read, as [`Rest`]
/// (none for the picker alone).
async fn render(
    state: &AppState,
    req: &HttpRequest,
    actor: Option<String>,
    html: &mut String,
) -> Result<Option<Rest>> {
    html.push_str(HEAD);
    let params: ExploreParams = parse_query(req.query_string())?;
    let actor = actor.or(params.actor.clone()).filter(|a| !a.is_empty());
    let turn = state.costly.enter(req).await?;
    let mut conn = super::analysis::snapshot(state.reader(req).await?).await?;
    let choices = actor_store::principals(&mut conn, 1000).await?;
    picker::form(html, &choices, actor.as_deref(), &params);
    let Some(actor) = actor else {
        html.push_str("<p>Pick an actor to see whom it engages with, how concentrated that is, and the evidence; or compare every state below.</p>");
        let question = RankingParams {
            from: params.from,
            to: params.to,
            basis: params.basis.map(|b| b.as_str().to_owned()),
            sort: params.sort,
            limit: Some(1000),
            ..RankingParams::default()
        };
        let answer = ranking::answer(&mut conn, &question).await?;
        picker::ranking(html, &answer, &params);
        html.push_str("</main></body></html>");
        return Ok(None);
    };
    let by = params
        .by
        .unwrap_or(if params.from.is_some() || params.to.is_some() {
            Granularity::Quarter
        } else {
            Granularity::Year
        });
    let question = EngagementParams {
        from: params.from,
        to: params.to,
        by: Some(by),
        basis: params.basis.map(|b| b.as_str().to_owned()),
        event_type: None,
        quad_class: None,
        direction: Some(Direction::Both),
        partners: None,
        weights: None,
    };
    let answer = engagement::answer(&mut conn, &actor, &question).await?;
    let key = actor_from_path(&actor)?;
    let actor_id = actor_store::resolve(&mut conn, &key)
        .await?
        .ok_or_else(|| ApiError::NotFound(key.missing()))?;
    let timeline = timeline_store::entries(
        &mut conn,
        &TimelineQuery {
            actor: actor_id,
            via_roles: true,
            from: params.from.map(|d| d.first_day()),
            until: params.to.map(|d| d.day_after()),
            descending: false,
        },
        None,
        MAX_TIMELINE,
    )
    .await?;
    // Every record the page shows, loaded with its sources in two queries.
    let mut visit_ids: Vec<Uuid> = answer
        .window
        .partners
        .iter()
        .flat_map(|p| p.visit_ids.iter().copied())
        .collect();
    let mut statement_ids: Vec<Uuid> = answer
        .window
        .partners
        .iter()
        .flat_map(|p| p.statement_ids.iter().copied())
        .collect();
    let on_timeline = |kind: Resource| {
        timeline
            .iter()
            .filter(move |e| e.record == kind)
            .map(|e| e.id)
    };
    visit_ids.extend(on_timeline(Resource::Visit));
    statement_ids.extend(on_timeline(Resource::Statement));
    let mut interaction_ids: Vec<Uuid> = on_timeline(Resource::Interaction).collect();
    for ids in [&mut visit_ids, &mut statement_ids, &mut interaction_ids] {
        ids.sort();
        ids.dedup();
        ids.truncate(MAX_RECORDS);
    }
    let visits = by_id(Visit::load_many(&mut conn, &visit_ids).await?);
    let statements = by_id(Statement::load_many(&mut conn, &statement_ids).await?);
    let interactions = by_id(Interaction::load_many(&mut conn, &interaction_ids).await?);
    drop(conn);
    Ok(Some(Rest {
        answer,
        timeline,
        visits,
        statements,
        interactions,
        _turn: turn,
    }))
}

const HEAD: &str = r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>chancery explorer</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#1f3a5f;color:#fff;padding:.6rem 1.2rem}header a{color:#fff;text-decoration:none;font-weight:600}
main{padding:1rem 1.2rem;max-width:72rem}
form{display:flex;gap:.8rem;flex-wrap:wrap;align-items:end;margin-bottom:1rem}
label{display:flex;flex-direction:column;font-size:.85rem;gap:.2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;background:#fff}th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.swatch{display:inline-block;width:.8rem;height:.8rem;margin-right:.4rem;vertical-align:middle}
.figures{display:flex;gap:1.2rem;flex-wrap:wrap}.figures div{background:#fff;border:1px solid #ddd;padding:.4rem .7rem}
.figures b{display:block;font-size:1.3rem}
ul.records{margin:0;padding-left:1rem}ul.records li{margin:.2rem 0}.sources{color:#555;font-size:.85rem}
.error{background:#fde8e8;border:1px solid #e0a0a0;padding:.6rem}
.chart{overflow-x:auto;background:#fff;border:1px solid #ddd;padding:.5rem}
</style></head>
<body><header><a href="/explore">chancery explorer</a></header><main>
"#;

fn figure(value: Option<f64>, digits: usize) -> String {
    value.map_or("–".into(), |v| format!("{v:.digits$}"))
}

fn summary(html: &mut String, answer: &Engagement) {
    let w = &answer.window;
    let window = match (answer.from, answer.to) {
        (Some(f), Some(t)) if f == t => f.to_string(),
        (Some(f), Some(t)) => format!("{f} to {t}"),
        (Some(f), None) => format!("from {f}"),
        (None, Some(t)) => format!("until {t}"),
        (None, None) => "all dates".into(),
    };
    let _ = write!(
        html,
        r#"<h1>{} <small>{}</small></h1><div class="figures" id="figures"><div>records<b>{}</b></div><div>partners<b>{}</b></div><div>HHI<b>{}</b></div><div>effective partners<b>{}</b></div><div>entropy (nats)<b>{}</b></div><div>evenness<b>{}</b></div><div>top partner<b>{}</b></div></div>"#,
        escape(&answer.actor.name),
        escape(&window),
        w.n,
        w.partners.len(),
        figure(w.hhi, 3),
        figure(w.effective_partners, 2),
        figure(w.entropy, 3),
        figure(w.evenness, 3),
        w.top_partner.as_ref().map_or("–".into(), |t| format!(
            "{} ({})",
            escape(&t.name),
            figure(w.top_share.map(|s| s * 100.0), 0) + "%"
        )),
    );
    if let Some(svg) = chart::svg(answer) {
        let _ = write!(
            html,
            r#"<h2>Shares by partner, and HHI</h2><div class="chart">{svg}</div>"#
        );
    }
    if !answer.unplaced.is_empty() {
        let _ = write!(
            html,
            "<p class=\"sources\">{} record(s) are dated too coarsely for a {} and count in the totals only.</p>",
            answer.unplaced.len(),
            answer.by.map_or("period", chart::granularity_name)
        );
    }
}

fn partners(
    out: &mut impl io::Write,
    answer: &Engagement,
    visits: &HashMap<Uuid, Visit>,
    statements: &HashMap<Uuid, Statement>,
) -> io::Result<()> {
    let mut html = String::new();
    html.push_str(r#"<section id="partners"><h2>Partners</h2><table><thead><tr><th>Partner</th><th>Records</th><th>Share</th><th>The records and their sources</th></tr></thead><tbody>"#);
    for partner in &answer.window.partners {
        // One partner's row at a time: a row lists every record with the partner.
        out.write_all(html.as_bytes())?;
        html.clear();
        let _ = write!(
            html,
            r#"<tr data-partner="{}"><td><span class="swatch" style="background:{}"></span>{}</td><td class="num">{}</td><td class="num">{}</td><td><ul class="records">"#,
            escape(&partner.actor.slug),
            chart::colour(answer, &partner.actor.slug),
            escape(&partner.actor.name),
            partner.count,
            figure(partner.share.map(|s| s * 100.0), 1) + "%",
        );
        for id in &partner.visit_ids {
            match visits.get(id) {
                Some(v) => {
                    let _ = write!(html, "<li>{}</li>", visit_line(v));
                }
                None => {
                    let _ = write!(html, r#"<li><a href="/v1/visits/{id}">visit {id}</a></li>"#);
                }
            }
        }
        for id in &partner.statement_ids {
            match statements.get(id) {
                Some(s) => {
                    let _ = write!(html, "<li>{}</li>", statement_line(s));
                }
                None => {
                    let _ = write!(
                        html,
                        r#"<li><a href="/v1/statements/{id}">statement {id}</a></li>"#
                    );
                }
            }
        }
        html.push_str("</ul></td></tr>");
    }
    if answer.window.partners.is_empty() {
        html.push_str("<tr><td colspan=\"4\">No partners in this window.</td></tr>");
    }
    html.push_str("</tbody></table></section>");
    out.write_all(html.as_bytes())
}

fn sources(citations: &[CitationRef]) -> String {
    let list: Vec<String> = citations
        .iter()
        .map(|c| {
            let mut text = escape(&c.citation.source);
            if let Some(date) = c.citation.published_on {
                let _ = write!(text, ", {date}");
            }
            if let Some(locator) = &c.locator {
                let _ = write!(text, ", {}", escape(locator));
            }
            match &c.citation.url {
                Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                    format!(
                        r#"<a href="{}" rel="noopener noreferrer">{text}</a>"#,
                        escape(url)
                    )
                }
                _ => text,
            }
        })
        .collect();
    format!("<span class=\"sources\">— {}</span>", list.join("; "))
}

fn visit_line(v: &Visit) -> String {
    let visitors: Vec<String> = v.visitors.iter().map(|a| escape(&a.name)).collect();
    let place = v
        .place
        .as_ref()
        .map(AsRef::as_ref)
        .map(|p| format!(", {}", escape(p)))
        .unwrap_or_default();
    format!(
        r#"<a href="/v1/visits/{}">{}</a> {} → {}{place} ({} visit) {}"#,
        v.id,
        v.start,
        visitors.join(", "),
        escape(&v.host.name),
        v.kind.as_str(),
        sources(&v.citations)
    )
}

fn by_id<R: Record>(records: Vec<R>) -> HashMap<Uuid, R> {
    records.into_iter().map(|r| (r.id(), r)).collect()
}

fn interaction_line(i: &Interaction) -> String {
    let names = |actors: &[crate::records::summary::ActorSummary]| {
        let names: Vec<String> = actors.iter().map(|a| escape(&a.name)).collect();
        names.join(", ")
    };
    let summary = i
        .summary
        .as_ref()
        .map(|s| format!(": {}", escape(s.as_str())))
        .unwrap_or_default();
    format!(
        r#"<a href="/v1/interactions/{}">{}</a> {} → {} ({}){summary} {}"#,
        i.id,
        i.start,
        names(&i.sources),
        names(&i.targets),
        i.event_type.as_str(),
        sources(&i.citations)
    )
}

fn statement_line(s: &Statement) -> String {
    let text: String = s.text.as_str().chars().take(240).collect();
    let ellipsis = if s.text.as_str().chars().count() > 240 {
        "…"
    } else {
        ""
    };
    format!(
        r#"<a href="/v1/statements/{}">{}</a> {} ({}): {}{ellipsis} {}"#,
        s.id,
        s.stated_on,
        escape(&s.speaker.name),
        s.kind.as_str(),
        escape(&text),
        sources(&s.citations)
    )
}
