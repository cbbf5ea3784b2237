//! Field deserializers for write bodies.

use serde::{Deserialize, Deserializer};

/// An optional field that may be omitted but not sent as `null`.
pub fn non_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// A merge-patch field: omitted (`None`), `null` to remove (`Some(None)`), or a value.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

fn check_len<E: serde::de::Error>(len: usize, min: usize, max: usize) -> Result<(), E> {
    if len < min || len > max {
        let bounds = if min == 0 {
            format!("at most {max}")
        } else {
            format!("{min} to {max}")
        };
        return Err(E::custom(format!("must hold {bounds} items (got {len})")));
    }
    Ok(())
}

/// A list of `MIN` to `MAX` items, refused while parsing (a 400 naming the field).
pub fn bounded<'de, D, T, const MIN: usize, const MAX: usize>(
    deserializer: D,
) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let items = Vec::<T>::deserialize(deserializer)?;
    check_len(items.len(), MIN, MAX)?;
    Ok(items)
}

/// An optional, non-null [`bounded`] list.
pub fn bounded_non_null<'de, D, T, const MIN: usize, const MAX: usize>(
    deserializer: D,
) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    bounded::<D, T, MIN, MAX>(deserializer).map(Some)
}

/// A merge-patch [`bounded`] list: omitted, `null` (remove), or a list.
pub fn bounded_nullable<'de, D, T, const MIN: usize, const MAX: usize>(
    deserializer: D,
) -> Result<Option<Option<Vec<T>>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let items = Option::<Vec<T>>::deserialize(deserializer)?;
    if let Some(items) = &items {
        check_len(items.len(), MIN, MAX)?;
    }
    Ok(Some(items))
}

/// The values without repeats, in the order given (aliases, topics).
pub fn unique<T: PartialEq>(values: Vec<T>) -> Vec<T> {
    let mut unique: Vec<T> = Vec::with_capacity(values.len());
    for value in values {
        if !unique.contains(&value) {
            unique.push(value);
        }
    }
    unique
}
