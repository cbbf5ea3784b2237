//! Reading back what was stored. A value that parsed when it was written is taken as it is,
//! even where a rule has been made stricter since: a record stays readable and writable, and
//! a patch of one field keeps the others as they were.

use std::cell::Cell;

thread_local! {
    static READING_STORED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `read` with every value it deserializes taken as stored (see [`reading_stored`]):
/// for documents made of a stored record and input already checked, such as a record with a
/// merge patch applied.
pub fn as_stored<T>(read: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            READING_STORED.set(self.0);
        }
    }
    let _restore = Restore(READING_STORED.replace(true));
    read()
}

/// Whether values are being read back as stored: the domain types' deserializers then skip
/// their checks.
pub(super) fn reading_stored() -> bool {
    READING_STORED.get()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Place, Slug};

    #[test]
    fn stored_values_are_taken_as_they_are_only_inside_the_scope() {
        let legacy = serde_json::json!("Astana\u{200b}");
        assert!(serde_json::from_value::<Place>(legacy.clone()).is_err());
        let place: Place =
            as_stored(|| serde_json::from_value(legacy.clone())).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(place.as_str(), "Astana\u{200b}");
        assert!(serde_json::from_value::<Place>(legacy).is_err());
        let slug: Result<Slug, _> = as_stored(|| serde_json::from_value(serde_json::json!("A B")));
        assert!(slug.is_ok());
    }
}
