//! The engagement chart as SVG drawn by the service: for each period a bar of the partners'
//! shares, stacked, and the Herfindahl–Hirschman index as a line on the same 0–1 scale.

use std::fmt::Write;

use super::html::escape;
use crate::api::analysis::engagement::Engagement;

/// Colour-blind-safe colours (Okabe–Ito), for the heaviest partners of the window in order;
/// the rest share grey.
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];
pub const OTHERS: &str = "#999999";

const PLOT_HEIGHT: f64 = 240.0;
const TOP: f64 = 20.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 52.0;
const BOTTOM: f64 = 64.0;

/// The colour of a partner: by its rank in the window, grey past the palette.
pub fn colour(engagement: &Engagement, slug: &str) -> &'static str {
    engagement
        .window
        .partners
        .iter()
        .position(|p| p.actor.slug == slug)
        .and_then(|i| PALETTE.get(i).copied())
        .unwrap_or(OTHERS)
}

/// The chart; `None` without periods.
pub fn svg(engagement: &Engagement) -> Option<String> {
    let periods = &engagement.periods;
    if periods.is_empty() {
        return None;
    }
    let slot = (720.0 / periods.len() as f64).clamp(14.0, 64.0);
    let width = LEFT + RIGHT + slot * periods.len() as f64;
    let height = TOP + PLOT_HEIGHT + BOTTOM;
    let y = |share: f64| TOP + PLOT_HEIGHT * (1.0 - share);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" id="engagement-chart" role="img" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="11">"#
    );
    let _ = write!(
        out,
        "<title>Shares of {} by partner per {}, with the Herfindahl–Hirschman index</title>",
        escape(&engagement.actor.name),
        engagement.by.map_or("period", granularity_name)
    );
    // Grid and the left axis (shares) and right axis (HHI), both 0 to 1.
    for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let ty = y(tick);
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" x2="{:.1}" y1="{ty:.1}" y2="{ty:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{:.0}%</text><text x="{:.1}" y="{:.1}">{tick:.2}</text>"##,
            width - RIGHT,
            LEFT - 6.0,
            ty + 4.0,
            tick * 100.0,
            width - RIGHT + 6.0,
            ty + 4.0
        );
    }
    let _ = write!(
        out,
        r#"<text x="12" y="{:.1}" transform="rotate(-90 12 {:.1})" text-anchor="middle">share of records</text><text x="{:.1}" y="{:.1}" transform="rotate(90 {:.1} {:.1})" text-anchor="middle">HHI</text>"#,
        TOP + PLOT_HEIGHT / 2.0,
        TOP + PLOT_HEIGHT / 2.0,
        width - 10.0,
        TOP + PLOT_HEIGHT / 2.0,
        width - 10.0,
        TOP + PLOT_HEIGHT / 2.0
    );
    let bar = slot * 0.7;
    let mut line: Vec<Vec<(f64, f64, String)>> = vec![Vec::new()];
    for (i, period) in periods.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let label = escape(&period.bounds.period);
        let _ = write!(
            out,
            r#"<g class="period" data-period="{label}" data-n="{}">"#,
            period.portfolio.n
        );
        let mut top = 0.0;
        for partner in &period.portfolio.partners {
            let share = partner.share.unwrap_or(0.0);
            let slug = escape(&partner.actor.slug);
            let _ = write!(
                out,
                r#"<rect class="share" data-partner="{slug}" x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{:.1}" fill="{}"><title>{}, {label}: {} record(s), {:.0}%</title></rect>"#,
                y(top + share),
                PLOT_HEIGHT * share,
                colour(engagement, &partner.actor.slug),
                escape(&partner.actor.name),
                partner.count,
                share * 100.0
            );
            top += share;
        }
        if period.portfolio.n == 0 {
            let _ = write!(
                out,
                r##"<text class="empty" x="{:.1}" y="{:.1}" text-anchor="middle" fill="#999">–</text>"##,
                x + bar / 2.0,
                y(0.0) - 4.0
            );
        }
        let _ = write!(
            out,
            r#"<text class="label" x="{:.1}" y="{:.1}" text-anchor="end" transform="rotate(-45 {:.1} {:.1})">{label}</text></g>"#,
            x + bar / 2.0,
            y(0.0) + 14.0,
            x + bar / 2.0,
            y(0.0) + 14.0
        );
        match period.portfolio.hhi {
            Some(hhi) => {
                let effective = period.portfolio.effective_partners.unwrap_or(0.0);
                if let Some(segment) = line.last_mut() {
                    segment.push((
                        x + bar / 2.0,
                        y(hhi),
                        format!("{label}: HHI {hhi:.3}, {effective:.2} effective partners"),
                    ));
                }
            }
            // An empty period breaks the line: there is no index to draw.
            None => line.push(Vec::new()),
        }
    }
    for segment in line.iter().filter(|s| !s.is_empty()) {
        let points: Vec<String> = segment
            .iter()
            .map(|(x, y, _)| format!("{x:.1},{y:.1}"))
            .collect();
        let _ = write!(
            out,
            r##"<polyline class="hhi" points="{}" fill="none" stroke="#222" stroke-width="2"/>"##,
            points.join(" ")
        );
        for (x, y, title) in segment {
            let _ = write!(
                out,
                r##"<circle class="hhi-point" cx="{x:.1}" cy="{y:.1}" r="3.5" fill="#fff" stroke="#222" stroke-width="2"><title>{title}</title></circle>"##
            );
        }
    }
    out.push_str("</svg>");
    Some(out)
}

pub fn granularity_name(by: crate::analysis::Granularity) -> &'static str {
    match by {
        crate::analysis::Granularity::Year => "year",
        crate::analysis::Granularity::Quarter => "quarter",
        crate::analysis::Granularity::Month => "month",
    }
}
