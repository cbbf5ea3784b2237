//! ICEWS's coded event files: tab-separated, a header line of the published column names,
//! one row per coded sentence.
//!
//! The files never quote a field, and fields hold commas and apostrophes (sector lists such
//! as `Executive,Government`; "Meet at a 'third' location"), so a line is split on tabs and
//! nothing else. The columns are found by name, in any order; others are ignored. Every
//! fault names the line and the column.

use chrono::NaiveDate;

use super::{Becomes, CodedActor, EventRow, Fault, Parsed, Read, Story};
use crate::domain::{Name, Place, Source, SourceCode};

/// The published columns, each required.
pub const COLUMNS: [&str; 20] = [
    "Event ID",
    "Event Date",
    "Source Name",
    "Source Sectors",
    "Source Country",
    "Event Text",
    "CAMEO Code",
    "Intensity",
    "Target Name",
    "Target Sectors",
    "Target Country",
    "Story ID",
    "Sentence Number",
    "Publisher",
    "City",
    "District",
    "Province",
    "Country",
    "Latitude",
    "Longitude",
];

/// The longest event or story id taken: ICEWS's are numbers of up to 9 digits.
const MAX_ID_CHARS: usize = 64;

/// Reads a file's lines: its header first, then a row a line.
#[derive(Debug, Default)]
pub struct Reader {
    header: Option<Header>,
    /// Whether the header was refused: nothing more is read.
    refused: bool,
}

impl Reader {
    pub fn line(&mut self, number: usize, bytes: &[u8], out: &mut Vec<Parsed>) {
        if self.refused {
            return;
        }
        let Some(header) = &self.header else {
            let header = std::str::from_utf8(bytes)
                .map_err(|_| vec![("#/header".to_owned(), "is not UTF-8".to_owned())])
                .and_then(Header::parse);
            match header {
                Ok(header) => self.header = Some(header),
                Err(faults) => {
                    self.refused = true;
                    out.push((number, Err(faults)));
                }
            }
            return;
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        out.push((number, header.text(bytes).and_then(|text| header.row(text))));
    }

    pub fn end(&mut self, out: &mut Vec<Parsed>) {
        if self.header.is_none() && !self.refused {
            out.push((
                1,
                Err(vec![(
                    "#/header".into(),
                    "is required: the file is empty".into(),
                )]),
            ));
        }
    }

    pub fn stuck(&self) -> bool {
        self.refused
    }
}

/// Where each published column is in a file's lines.
#[derive(Debug, Clone)]
pub struct Header {
    at: [usize; COLUMNS.len()],
    /// How many columns every line has.
    width: usize,
}

impl Header {
    /// Reads the header line; a column missing or misspelt is a fault naming it.
    pub fn parse(line: &str) -> Result<Self, Vec<Fault>> {
        let line = line.strip_prefix('\u{feff}').unwrap_or(line);
        let names: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
        let mut at = [0; COLUMNS.len()];
        let mut faults = Vec::new();
        for (i, column) in COLUMNS.iter().enumerate() {
            match names.iter().position(|name| name.trim() == *column) {
                Some(position) => at[i] = position,
                None => faults.push(missing(column, &names)),
            }
        }
        if faults.is_empty() {
            Ok(Self {
                at,
                width: names.len(),
            })
        } else {
            Err(faults)
        }
    }

    /// Reads a line of bytes as UTF-8; a fault names the column of the first byte that is not.
    pub fn text<'l>(&self, line: &'l [u8]) -> Result<&'l str, Vec<Fault>> {
        std::str::from_utf8(line).map_err(|e| {
            let before = &line[..e.valid_up_to()];
            let index = before.iter().filter(|b| **b == b'\t').count();
            let column = self
                .at
                .iter()
                .position(|at| *at == index)
                .map_or("#".to_owned(), |i| format!("#/{}", COLUMNS[i]));
            vec![(
                column,
                format!(
                    "is not UTF-8: byte {} of the line is not (files in another encoding, such \
                     as Latin-1, must be converted first)",
                    e.valid_up_to() + 1
                ),
            )]
        })
    }

    /// Reads and checks one row; every faulty column is reported.
    pub fn row(&self, line: &str) -> Result<Read, Vec<Fault>> {
        let fields: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
        if fields.len() != self.width {
            return Err(vec![(
                "#".to_owned(),
                format!(
                    "has {} columns; the header has {}",
                    fields.len(),
                    self.width
                ),
            )]);
        }
        let mut row = Row {
            fields: &fields,
            header: self,
            faults: Vec::new(),
        };
        let event_id = row.id("Event ID");
        let date = row.date("Event Date");
        let source = row.actor("Source Name", "Source Sectors", "Source Country");
        let target = row.actor("Target Name", "Target Sectors", "Target Country");
        let code = row.parsed("CAMEO Code", |c| SourceCode::parse(c));
        let intensity = row.get("Intensity");
        if !intensity.is_empty()
            && !intensity
                .parse::<f64>()
                .is_ok_and(|i| (-10.0..=10.0).contains(&i))
        {
            row.fault(
                "Intensity",
                format!("`{intensity}` is not a number from -10 to 10"),
            );
        }
        let story_id = row.id("Story ID");
        let sentence = row.optional("Sentence Number", |s| {
            s.parse::<u32>()
                .map_err(|_| format!("`{s}` is not a sentence number"))
        });
        let publisher = row.optional("Publisher", |p| Source::parse(p));
        let parts: Vec<&str> = ["City", "District", "Province", "Country"]
            .into_iter()
            .map(|column| row.get(column))
            .filter(|part| !part.is_empty())
            .collect();
        let place = if parts.is_empty() {
            None
        } else {
            row.optional("City", |_| Place::parse(parts.join(", ")))
        };
        match (date, source, target, code) {
            (Some(date), Some(source), Some(target), Some(code)) if row.faults.is_empty() => {
                let becomes = match Becomes::of_cameo(&code) {
                    Ok(becomes) => becomes,
                    Err(reason) => return Ok(Read::Skipped(reason)),
                };
                let story = Story {
                    title: format!("Story {story_id} (as coded in ICEWS)"),
                    id: story_id,
                    publisher,
                    url: None,
                    published_on: Some(date),
                    locator: sentence
                        .map_or_else(|| "the story".to_owned(), |n| format!("sentence {n}")),
                    quote: None,
                };
                Ok(Read::Row(Box::new(EventRow {
                    event_id,
                    date,
                    source,
                    target,
                    becomes,
                    code: Some(code),
                    story,
                    place,
                })))
            }
            _ => Err(row.faults),
        }
    }
}

/// The fault for a column the header lacks, with the name it was perhaps misspelt as.
fn missing(column: &str, names: &[&str]) -> Fault {
    let loose = |name: &str| -> String {
        name.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let near = names.iter().find(|name| {
        let (a, b) = (loose(name), loose(column));
        !COLUMNS.contains(&name.trim()) && (a == b || a.starts_with(&b) || b.starts_with(&a))
    });
    let detail = match near {
        Some(name) => format!(
            "the header has no column `{column}` (ICEWS's published names are required; `{}` \
             is not one: did you mean `{column}`?)",
            name.trim()
        ),
        None => {
            format!("the header has no column `{column}` (ICEWS's published names are required)")
        }
    };
    ("#/header".to_owned(), detail)
}

/// A line being read: its fields, and the faults found so far.
struct Row<'l> {
    fields: &'l [&'l str],
    header: &'l Header,
    faults: Vec<Fault>,
}

impl<'l> Row<'l> {
    fn get(&self, column: &str) -> &'l str {
        let i = COLUMNS.iter().position(|c| *c == column).unwrap_or(0);
        self.fields
            .get(self.header.at[i])
            .map_or("", |field| field.trim())
    }

    fn fault(&mut self, column: &str, detail: impl Into<String>) {
        self.faults.push((format!("#/{column}"), detail.into()));
    }

    fn parsed<T>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        if self.get(column).is_empty() {
            self.fault(column, "is required");
            return None;
        }
        self.optional(column, parse)
    }

    fn optional<T>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let value = self.get(column);
        if value.is_empty() {
            return None;
        }
        parse(value).map_err(|e| self.fault(column, e)).ok()
    }

    fn id(&mut self, column: &str) -> String {
        self.parsed(column, |id| {
            if id.chars().count() <= MAX_ID_CHARS && !id.chars().any(char::is_control) {
                Ok(id.to_owned())
            } else {
                Err(format!(
                    "is not an id: at most {MAX_ID_CHARS} characters, no control characters"
                ))
            }
        })
        .unwrap_or_default()
    }

    fn date(&mut self, column: &str) -> Option<NaiveDate> {
        self.parsed(column, |date| {
            NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map_err(|_| format!("`{date}` is not a date (YYYY-MM-DD)"))
        })
    }

    fn actor(&mut self, name: &str, sectors: &str, country: &str) -> Option<CodedActor> {
        let parsed_name = self.parsed(name, |n| Name::parse(n));
        let sectors = self
            .get(sectors)
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let country = self.optional(country, |c| Name::parse(c));
        Some(CodedActor {
            name: parsed_name?,
            sectors,
            country,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Becomes;

    /// A line that reads as a row.
    fn event(line: &str) -> EventRow {
        match row(line) {
            Ok(Read::Row(row)) => *row,
            other => panic!("{line}: {other:?}"),
        }
    }

    const HEADER: &str = "Event ID\tEvent Date\tSource Name\tSource Sectors\tSource Country\tEvent Text\tCAMEO Code\tIntensity\tTarget Name\tTarget Sectors\tTarget Country\tStory ID\tSentence Number\tPublisher\tCity\tDistrict\tProvince\tCountry\tLatitude\tLongitude";
    const VISIT: &str = "21013452\t2022-11-28\tKassym-Jomart Tokayev\tElite,Executive,Executive Office,Government\tKazakhstan\tMake a visit\t042\t1.9\tRussia\t\tRussian Federation\t49012311\t2\tInterfax\tMoscow\t\tMoskva\tRussian Federation\t55.7522\t37.6156";

    fn header() -> Header {
        Header::parse(HEADER).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn row(line: &str) -> Result<Read, Vec<Fault>> {
        header().row(line)
    }

    #[test]
    fn a_row_is_read_by_column_name() {
        let row = event(VISIT);
        assert_eq!(row.event_id, "21013452");
        assert_eq!(
            row.date,
            NaiveDate::from_ymd_opt(2022, 11, 28).unwrap_or_default()
        );
        assert_eq!(row.source.name.as_str(), "Kassym-Jomart Tokayev");
        assert_eq!(row.source.sectors.len(), 4);
        assert_eq!(
            row.source.country.as_ref().map(Name::as_str),
            Some("Kazakhstan")
        );
        assert_eq!(row.target.sectors, Vec::<String>::new());
        assert_eq!(row.code.as_ref().map(SourceCode::as_str), Some("042"));
        assert_eq!(row.story.id, "49012311");
        assert_eq!(row.story.locator, "sentence 2");
        assert_eq!(
            row.story.publisher.as_ref().map(Source::as_str),
            Some("Interfax")
        );
        assert_eq!(
            row.place.as_ref().map(Place::as_str),
            Some("Moscow, Moskva, Russian Federation")
        );
        assert_eq!(
            row.becomes,
            Becomes::Visit {
                source_travels: true
            }
        );
    }

    #[test]
    fn host_a_visit_turns_the_sides_round_and_other_codes_are_placed() {
        let hosted = VISIT.replace("\t042\t", "\t043\t");
        assert_eq!(
            event(&hosted).becomes,
            Becomes::Visit {
                source_travels: false
            }
        );
        let signed = VISIT.replace("\t042\t", "\t057\t");
        assert!(
            matches!(event(&signed).becomes, Becomes::Interaction(p) if p.event_type == crate::domain::InteractionType::Support)
        );
        let said = VISIT.replace("\t042\t", "\t010\t");
        assert!(
            matches!(row(&said), Ok(Read::Skipped(reason)) if reason.starts_with("CAMEO 010: "))
        );
    }

    #[test]
    fn columns_may_come_in_any_order_and_others_are_ignored() {
        let mut names: Vec<&str> = HEADER.split('\t').collect();
        names.reverse();
        names.push("Extra");
        let header = Header::parse(&names.join("\t")).unwrap_or_else(|e| panic!("{e:?}"));
        let mut fields: Vec<&str> = VISIT.split('\t').collect();
        fields.reverse();
        fields.push("anything");
        let read = header.row(&fields.join("\t")).ok();
        assert_eq!(read, row(VISIT).ok());
    }

    #[test]
    fn a_missing_or_misspelt_column_is_named() {
        let misspelt = HEADER.replace("Event Date", "Event_Date");
        let faults = Header::parse(&misspelt).err().unwrap_or_default();
        assert_eq!(faults.len(), 1);
        assert!(faults[0].1.contains("`Event Date`"), "{faults:?}");
        assert!(faults[0].1.contains("`Event_Date`"), "{faults:?}");
        let faults = Header::parse("Event ID\tEvent Date")
            .err()
            .unwrap_or_default();
        assert_eq!(faults.len(), 18);
    }

    #[test]
    fn each_faulty_column_is_named() {
        let faulty = VISIT
            .replace("2022-11-28", "28/11/2022")
            .replace("\t042\t", "\t42\t")
            .replace("\t1.9\t", "\t11\t")
            .replace("Kassym-Jomart Tokayev", "");
        let faults = row(&faulty).err().unwrap_or_default();
        let columns: Vec<&str> = faults.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(
            columns,
            [
                "#/Event Date",
                "#/Source Name",
                "#/CAMEO Code",
                "#/Intensity"
            ]
        );
        assert!(faults[0].1.contains("`28/11/2022` is not a date"));
    }

    #[test]
    fn a_short_row_and_bytes_that_are_not_utf8_are_faults() {
        let short = row("1\t2022-01-01").err().unwrap_or_default();
        assert_eq!(short[0].1, "has 2 columns; the header has 20");
        let mut latin1 = VISIT
            .replace("Interfax", "Agence France-Presse X")
            .into_bytes();
        let at = latin1.len() - 60;
        latin1[at] = 0xe9;
        let faults = header().text(&latin1).err().unwrap_or_default();
        assert!(faults[0].1.contains("is not UTF-8"), "{faults:?}");
        assert!(faults[0].0.starts_with("#/"), "{faults:?}");
    }

    /// Real rows (tests/data/icews/README.md says where from): every one reads, and becomes
    /// what its code says.
    #[test]
    fn published_rows_read() {
        let sample = include_str!("../../tests/data/icews/sample.tab");
        let mut lines = sample.lines();
        let header =
            Header::parse(lines.next().unwrap_or_default()).unwrap_or_else(|e| panic!("{e:?}"));
        let (mut visits, mut interactions, mut skipped) = (0, 0, 0);
        for line in lines {
            match header.row(line).unwrap_or_else(|e| panic!("{line}: {e:?}")) {
                Read::Row(row) => match row.becomes {
                    Becomes::Visit { .. } => visits += 1,
                    Becomes::Interaction(_) => interactions += 1,
                },
                Read::Skipped(_) => skipped += 1,
            }
        }
        assert_eq!((visits, interactions, skipped), (24, 13, 3)); // 010 twice, 0253
    }
}
