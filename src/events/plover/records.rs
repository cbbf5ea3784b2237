//! The records of a PLOVER file, gathered from its lines: each JSON object from its `{` to the
//! `}` that closes it (strings followed, so a brace in a text does not count), inside one
//! enclosing array or not, a record on one line or across many; each then read on its own.

use serde_json::Value;

use super::record;
use crate::events::Parsed;

/// The largest record taken, in bytes.
const MAX_RECORD_BYTES: usize = 1 << 20;

/// Gathers a file's lines into records.
#[derive(Debug, Default)]
pub struct Reader {
    /// The record being gathered, and the line it began on.
    record: Vec<u8>,
    start: usize,
    depth: usize,
    in_string: bool,
    escaped: bool,
    too_long: bool,
    /// Whether anything but white space was met, the file opened an array, and closed it.
    began: bool,
    array: bool,
    closed: bool,
}

impl Reader {
    pub fn line(&mut self, number: usize, bytes: &[u8], out: &mut Vec<Parsed>) {
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        if self.depth > 0 {
            self.keep(b"\n");
        }
        for (at, &byte) in bytes.iter().enumerate() {
            if self.depth > 0 {
                self.keep(&[byte]);
                self.scan(byte, out);
                continue;
            }
            match byte {
                b' ' | b'\t' | b'\r' => continue,
                b',' if self.began => {}
                b'[' if !self.began => self.array = true,
                b']' if self.array && !self.closed => self.closed = true,
                b'{' if !self.closed => {
                    self.start = number;
                    self.depth = 1;
                    self.record.clear();
                    self.too_long = false;
                    self.keep(b"{");
                }
                _ => {
                    let found: String = String::from_utf8_lossy(&bytes[at..])
                        .chars()
                        .take(20)
                        .collect();
                    let expected = if self.closed {
                        "nothing after the array's `]`"
                    } else {
                        "a PLOVER record, a JSON object `{…}`"
                    };
                    out.push((
                        number,
                        Err(vec![(
                            "#".into(),
                            format!("expected {expected}, found `{found}`"),
                        )]),
                    ));
                    return;
                }
            }
            self.began = true;
        }
    }

    pub fn end(&mut self, last: usize, out: &mut Vec<Parsed>) {
        let fault = if self.depth > 0 {
            Some((
                self.start,
                "the record that begins here is not closed: the file ends in it",
            ))
        } else if self.array && !self.closed {
            Some((last.max(1), "the file ends before the array's closing `]`"))
        } else {
            None
        };
        if let Some((line, detail)) = fault {
            out.push((line, Err(vec![("#".into(), detail.into())])));
        }
    }

    fn keep(&mut self, bytes: &[u8]) {
        if self.record.len() + bytes.len() > MAX_RECORD_BYTES {
            self.too_long = true;
        } else if !self.too_long {
            self.record.extend_from_slice(bytes);
        }
    }

    /// Follows one byte of a record, strings included; at its closing brace, reads it.
    fn scan(&mut self, byte: u8, out: &mut Vec<Parsed>) {
        if self.in_string {
            match byte {
                _ if self.escaped => self.escaped = false,
                b'\\' => self.escaped = true,
                b'"' => self.in_string = false,
                _ => {}
            }
            return;
        }
        match byte {
            b'"' => self.in_string = true,
            b'{' | b'[' => self.depth += 1,
            b'}' | b']' => {
                self.depth -= 1;
                if self.depth == 0 {
                    out.push(self.complete());
                }
            }
            _ => {}
        }
    }

    fn complete(&mut self) -> Parsed {
        if self.too_long {
            let detail = format!("is a record of more than {MAX_RECORD_BYTES} bytes");
            return (self.start, Err(vec![("#".into(), detail)]));
        }
        match serde_json::from_slice::<Value>(&self.record) {
            Ok(value) => (self.start, record(&value)),
            Err(e) => {
                let what = e.to_string();
                let what = what.split(" at line ").next().unwrap_or_default();
                let detail = format!("is not JSON: {what} (column {})", e.column());
                (
                    self.start + e.line().saturating_sub(1),
                    Err(vec![("#".into(), detail)]),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::plover::tests::read;

    #[test]
    fn what_is_not_a_record_or_ends_too_soon_is_a_fault() {
        let not_json = read("{\"id\": \"a\",\n \"date\": 2016-07-24}");
        assert_eq!(not_json[0].0, 2);
        assert!(matches!(&not_json[0].1, Err(f) if f[0].1.starts_with("is not JSON")));
        let garbage = read("{\"id\": \"a\"}\nid,date\n");
        assert!(matches!(&garbage[1], (2, Err(f)) if f[0].1.contains("found `id,date`")));
        let open = read("[\n{\"id\": \"a\", \"text\": \"a } in a string\"");
        assert!(matches!(&open[0], (2, Err(f)) if f[0].1.contains("not closed")));
        let unclosed =
            read("[\n{\"id\": \"a\", \"date\": \"2020-01-01\", \"event\": \"DOCUMENT\"}");
        assert_eq!(unclosed.len(), 2);
        assert!(matches!(&unclosed[1], (2, Err(f)) if f[0].1.contains("closing `]`")));
        let after = read("[]\n{}");
        assert!(matches!(&after[0], (2, Err(f)) if f[0].1.contains("after the array")));
        let latin1 = {
            let mut reader = Reader::default();
            let mut out = Vec::new();
            reader.line(1, b"{\"id\": \"caf\xe9\"}", &mut out);
            out
        };
        assert!(matches!(&latin1[0], (1, Err(f)) if f[0].1.contains("is not JSON")));
    }
}
