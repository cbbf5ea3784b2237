//! Citations as bibliographies read them: CSL-JSON (what Zotero and citeproc read) and BibTeX
//! (what LaTeX reads; biblatex reads the precise dates).

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{DatePrecision, PartialDate};
use crate::records::citations::Citation;

pub const CSL_JSON: &str = "application/vnd.citationstyles.csl+json";
pub const BIBTEX: &str = "application/x-bibtex";

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

impl Citation {
    /// The citation as a CSL-JSON item.
    pub fn csl(&self) -> CslItem {
        let kind = match (&self.title, &self.url) {
            (Some(_), _) => "article-newspaper",
            (None, Some(_)) => "webpage",
            (None, None) => "document",
        };
        let mut notes = Vec::new();
        if let Some(excerpt) = &self.excerpt {
            notes.push(excerpt.to_string());
        }
        if let Some(archive) = &self.archive_url {
            notes.push(format!("Archived at {archive}"));
        }
        CslItem {
            id: self.id.to_string(),
            kind: kind.to_owned(),
            title: self.title.as_ref().map(ToString::to_string),
            container_title: self.source.to_string(),
            author: self
                .authors
                .iter()
                .map(|a| CslName {
                    literal: a.to_string(),
                })
                .collect(),
            issued: self.published_on.map(CslDate::from_partial),
            accessed: self.accessed_on.map(|d| {
                CslDate::from_partial(PartialDate::new(d, crate::domain::DatePrecision::Day))
            }),
            url: self.url.as_ref().map(ToString::to_string),
            language: self.language.as_ref().map(ToString::to_string),
            note: (!notes.is_empty()).then(|| notes.join(" — ")),
        }
    }

    /// The citation as a BibTeX entry: `@article` when it has a title, `@misc` otherwise.
    /// `date` and `urldate` carry dates as precisely as known (biblatex reads them); `year`
    /// and `month` are there for classic BibTeX.
    pub fn bibtex(&self) -> String {
        use chrono::Datelike;
        const MONTHS: [&str; 12] = [
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ];
        let stem: String = crate::domain::search_key(self.source.as_str()).replace(' ', "");
        let stem = if stem.is_empty() {
            "source".to_owned()
        } else {
            stem
        };
        let year = self
            .published_on
            .map(|d| d.first_day().year().to_string())
            .unwrap_or_default();
        // The id's random tail: its first digits are a timestamp, the same for every citation
        // made in the same minute, which made keys collide.
        let key = format!("{stem}{year}_{}", &self.id.simple().to_string()[20..]);
        let mut fields: Vec<(&str, String)> = Vec::new();
        if let Some(title) = &self.title {
            fields.push(("title", title.to_string()));
            fields.push(("journal", self.source.to_string()));
        } else {
            fields.push(("howpublished", self.source.to_string()));
        }
        if !self.authors.is_empty() {
            let authors: Vec<&str> = self.authors.iter().map(AsRef::as_ref).collect();
            fields.push(("author", authors.join(" and ")));
        }
        if let Some(date) = self.published_on {
            fields.push(("date", date.to_string()));
            fields.push(("year", year.clone()));
            if date.precision() != crate::domain::DatePrecision::Year {
                let month = MONTHS[usize::try_from(date.first_day().month0()).unwrap_or(0)];
                fields.push(("month", month.to_owned()));
            }
        }
        if let Some(url) = &self.url {
            fields.push(("url", url.to_string()));
        }
        if let Some(accessed) = self.accessed_on {
            fields.push(("urldate", accessed.to_string()));
        }
        if let Some(language) = &self.language {
            fields.push(("language", language.to_string()));
        }
        if let Some(note) = self.csl().note {
            fields.push(("note", note));
        }
        let kind = if self.title.is_some() {
            "article"
        } else {
            "misc"
        };
        let body: Vec<String> = fields
            .into_iter()
            .map(|(name, value)| match name {
                // Months are BibTeX macros, written bare.
                "month" => format!("  {name} = {value}"),
                _ => format!("  {name} = {{{}}}", bibtex_escape(&value)),
            })
            .collect();
        format!("@{kind}{{{key},\n{}\n}}\n", body.join(",\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
