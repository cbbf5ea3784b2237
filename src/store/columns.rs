//! Many rows in one statement: each field goes as an array, and `UNNEST` turns the arrays back
//! into rows. A create is a batch of one and an import batch holds up to 2,000; either way a
//! table is written by one statement.

use uuid::Uuid;

use super::{Result, StoreError};

/// The ids of `rows`, as a column.
pub(crate) fn ids<F>(rows: &[(Uuid, F)]) -> Vec<Uuid> {
    rows.iter().map(|(id, _)| *id).collect()
}

/// The column that `value` takes from each row's fields.
pub(crate) fn column<'a, F, T>(rows: &'a [(Uuid, F)], value: impl Fn(&'a F) -> T) -> Vec<T> {
    rows.iter().map(|(_, fields)| value(fields)).collect()
}

/// A row's list as a JSON array: arrays of arrays do not `UNNEST` row by row. The statement
/// turns it back into `text[]`, in order:
/// `ARRAY(SELECT e FROM json_array_elements_text(t.list::json) WITH ORDINALITY AS x(e, n) ORDER BY n)`.
pub(crate) fn json_list<T: AsRef<str>>(values: &[T]) -> String {
    serde_json::Value::from(values.iter().map(AsRef::as_ref).collect::<Vec<&str>>()).to_string()
}

/// Where an element stands in its record's list (visitors, subjects, links, names).
pub(crate) fn position(index: usize) -> i16 {
    i16::try_from(index).unwrap_or(i16::MAX)
}

/// Refuses a write that stored fewer rows than it was given. A new row whose id another
/// transaction took after it was checked is skipped by the write's
/// `ON CONFLICT (id) DO UPDATE … WHERE $replace`: refused here, never merged into that record.
pub(crate) fn check_written(table: &'static str, given: usize, written: u64) -> Result<()> {
    if written == given as u64 {
        return Ok(());
    }
    Err(StoreError::Taken(table))
}
