//! Other representations of the same data: content negotiation, and CSV for every list
//! (`Accept: text/csv`).

use actix_web::HttpRequest;
use actix_web::http::header;
use serde::Serialize;

use crate::records::links::CitationRef;

pub const CSV: &str = "text/csv";
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

/// Rows borrowed from a list are written as the rows themselves.
impl<T: CsvRecord> CsvRecord for &T {
    const HEADER: &'static [&'static str] = T::HEADER;
    fn fields(&self) -> Vec<String> {
        T::fields(self)
    }
}

/// RFC 4180: fields quoted when needed, quotes doubled, CRLF line ends; a header row first.
/// Cells that would start a spreadsheet formula are neutralised (see [`inert`]).
pub fn csv<T: CsvRecord>(items: &[T]) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_csv(&mut out, items);
    out
}

/// [`csv`], written row by row (a large answer is streamed, never whole in memory); the rows
/// borrowed from a list or made as they are written.
pub fn write_csv<T: CsvRecord>(
    out: &mut impl std::io::Write,
    items: impl IntoIterator<Item = T>,
) -> std::io::Result<()> {
    let mut row = String::new();
    push_row(&mut row, T::HEADER.iter().map(|h| (*h).to_owned()));
    out.write_all(row.as_bytes())?;
    for item in items {
        row.clear();
        push_row(&mut row, item.fields().into_iter());
        out.write_all(row.as_bytes())?;
    }
    Ok(())
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
}
