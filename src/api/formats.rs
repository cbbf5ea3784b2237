//! Other representations of the same data: CSV for every list (`Accept: text/csv`), and
//! citations as CSL-JSON (what Zotero and citeproc read) and BibTeX.

use actix_web::HttpRequest;
use actix_web::http::header;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{DatePrecision, PartialDate};
use crate::records::links::CitationRef;

pub const CSV: &str = "text/csv";
pub const CSL_JSON: &str = "application/vnd.citationstyles.csl+json";
pub const BIBTEX: &str = "application/x-bibtex";
pub const JSON: &str = "application/json";

/// The media type the client asked for, among `offered` (the first is the default): the one
/// with the highest `q` in `Accept`; the default when `Accept` names none of them.
pub fn negotiate(req: &HttpRequest, offered: &[&'static str]) -> &'static str {
    let default = offered.first().copied().unwrap_or(JSON);
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return default;
    };
    let mut best: Option<(&'static str, f32)> = None;
    for entry in accept.split(',') {
        let mut parts = entry.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        let matched = match media.as_str() {
            "*/*" => Some(default),
            other => offered.iter().copied().find(|o| *o == other),
        };
        if let Some(matched) = matched
            && best.is_none_or(|(_, best_q)| q > best_q)
        {
            best = Some((matched, q));
        }
    }
    best.map_or(default, |(media, _)| media)
}

/// A record as one CSV row under a fixed header.
pub trait CsvRecord {
    const HEADER: &'static [&'static str];
    fn fields(&self) -> Vec<String>;
}

/// RFC 4180: fields quoted when needed, quotes doubled, CRLF line ends; a header row first.
/// Cells that would start a spreadsheet formula are neutralised (see [`inert`]).
pub fn csv<T: CsvRecord>(items: &[T]) -> Vec<u8> {
    let mut out = String::new();
    push_row(&mut out, T::HEADER.iter().map(|h| (*h).to_owned()));
    for item in items {
        push_row(&mut out, item.fields().into_iter());
    }
    out.into_bytes()
}

/// Characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell a spreadsheet will show as text: one that would start a formula gets a leading
/// `'` (which spreadsheets hide), as OWASP's CSV-injection guidance recommends.
fn inert(field: String) -> String {
    if field.starts_with(FORMULA_STARTS) {
        format!("'{field}")
    } else {
        field
    }
}

fn push_row(out: &mut String, fields: impl Iterator<Item = String>) {
    for (i, field) in fields.map(inert).enumerate() {
        if i > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\n', '\r'])
            || field.starts_with([' ', '\t'])
            || field.ends_with([' ', '\t'])
        {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&field);
        }
    }
    out.push_str("\r\n");
}

/// Helpers to fill CSV fields.
pub fn opt<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// Record ids in one field, separated by spaces.
pub fn ids(ids: &[uuid::Uuid]) -> String {
    ids.iter()
        .map(uuid::Uuid::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn list<T: AsRef<str>>(values: &[T]) -> String {
    values
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A CSL-JSON date: `{"date-parts": [[2022, 10]]}`, as precise as the date is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CslDate {
    #[serde(rename = "date-parts")]
    pub date_parts: Vec<Vec<i32>>,
}

impl CslDate {
    pub fn from_partial(date: PartialDate) -> Self {
        use chrono::Datelike;
        let d = date.first_day();
        let parts = match date.precision() {
            DatePrecision::Year => vec![d.year()],
            DatePrecision::Month => vec![d.year(), i32::try_from(d.month()).unwrap_or(1)],
            DatePrecision::Day => vec![
                d.year(),
                i32::try_from(d.month()).unwrap_or(1),
                i32::try_from(d.day()).unwrap_or(1),
            ],
        };
        Self {
            date_parts: vec![parts],
        }
    }
}

/// A CSL-JSON name, given as the source gives it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CslName {
    pub literal: String,
}

/// A citation as a CSL-JSON item (the Citation Style Language's input format).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CslItem {
    pub id: String,
    /// `article-newspaper` for articles, `webpage` for pages without a title of their own,
    /// `document` otherwise.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub title: Option<String>,
    #[serde(rename = "container-title")]
    pub container_title: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub author: Vec<CslName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub issued: Option<CslDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub accessed: Option<CslDate>,
    #[serde(rename = "URL", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub language: Option<String>,
    /// The excerpt, and where the source is archived.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub note: Option<String>,
}

/// Escapes text for a BibTeX field value in braces.
///
/// BibTeX readers count braces without regard to backslashes, so `\}` still closes a group:
/// braces that nest properly are escaped as `\{` and `\}` (readers show them as braces), and
/// in text whose braces do not nest, every brace is written as `\textbraceleft{}` or
/// `\textbraceright{}`, which keeps the entry (and the list after it) readable.
pub fn bibtex_escape(text: &str) -> String {
    let nested = text.chars().try_fold(0usize, |depth, c| match c {
        '{' => Some(depth + 1),
        '}' => depth.checked_sub(1),
        _ => Some(depth),
    }) == Some(0);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' if !nested => out.push_str("\\textbraceleft{}"),
            '}' if !nested => out.push_str("\\textbraceright{}"),
            '{' | '}' | '%' | '&' | '#' | '$' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '^' => out.push_str("\\^{}"),
            '~' => out.push_str("\\~{}"),
            '\n' | '\r' => out.push(' '),
            other => out.push(other),
        }
    }
    out
}

// Cells that several resources' CSV rows share (each resource lays out its own row).

/// The sources of a claim, each with its date.
pub fn sources(citations: &[CitationRef]) -> String {
    citations
        .iter()
        .map(|c| match &c.citation.published_on {
            Some(date) => format!("{} ({date})", c.citation.source),
            None => c.citation.source.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A JSON value as its text; empty when absent.
pub fn json_text(value: &Option<serde_json::Value>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// A unit enum as its snake_case name.
pub fn snake<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn negotiation_follows_accept_and_q() {
        let offered = [JSON, CSV];
        let pick = |accept: &str| {
            negotiate(
                &TestRequest::default()
                    .insert_header((header::ACCEPT, accept))
                    .to_http_request(),
                &offered,
            )
        };
        assert_eq!(pick("text/csv"), CSV);
        assert_eq!(pick("application/json"), JSON);
        assert_eq!(pick("*/*"), JSON);
        assert_eq!(pick("text/csv;q=0.5, application/json"), JSON);
        assert_eq!(pick("application/json;q=0.1, text/csv"), CSV);
        assert_eq!(pick("image/png"), JSON);
        assert_eq!(pick("text/csv;q=0"), JSON);
        assert_eq!(
            negotiate(&TestRequest::default().to_http_request(), &offered),
            JSON
        );
    }

    struct Row(&'static str, &'static str);
    impl CsvRecord for Row {
        const HEADER: &'static [&'static str] = &["a", "b"];
        fn fields(&self) -> Vec<String> {
            vec![self.0.to_owned(), self.1.to_owned()]
        }
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let body = csv(&[Row("plain", "with, comma"), Row("say \"hi\"", "two\nlines")]);
        assert_eq!(
            String::from_utf8_lossy(&body),
            "a,b\r\nplain,\"with, comma\"\r\n\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
        );
    }

    #[test]
    fn cells_that_would_start_a_formula_are_neutralised() {
        let body = csv(&[
            Row("=1+1", "+SUM(A1)"),
            Row("-2", "@cmd"),
            Row("\tx", "a=b"),
        ]);
        assert_eq!(
            String::from_utf8_lossy(&body),
            "a,b\r\n'=1+1,'+SUM(A1)\r\n'-2,'@cmd\r\n'\tx,a=b\r\n"
        );
    }

    #[test]
    fn bibtex_braces_stay_balanced_whatever_the_text() {
        assert_eq!(bibtex_escape("a {b} c"), "a \\{b\\} c");
        assert_eq!(
            bibtex_escape("x } y {"),
            "x \\textbraceright{} y \\textbraceleft{}"
        );
        for hostile in ["}", "{", "}{", "{{}", "a\\}", "{}}{"] {
            let escaped = bibtex_escape(hostile);
            let depth = escaped.chars().try_fold(0i32, |d, c| match c {
                '{' => Some(d + 1),
                '}' => (d > 0).then(|| d - 1),
                _ => Some(d),
            });
            assert_eq!(depth, Some(0), "{hostile} became {escaped}");
        }
    }

    #[test]
    fn bibtex_escapes_special_characters() {
        assert_eq!(
            bibtex_escape("50% & {x}_1 #2 $3"),
            "50\\% \\& \\{x\\}\\_1 \\#2 \\$3"
        );
    }
}
