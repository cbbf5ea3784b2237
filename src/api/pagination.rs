//! Keyset pagination: opaque cursors that carry, sealed (see `cursors`), the sort key of the
//! last row and a hash of the filters they were made for.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::IntoParams;

use crate::domain::PartialDate;
use crate::error::{ApiError, Result};

use super::formats::{self, CsvRecord};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;
/// The most a page's items weigh as JSON: a page of large records ends early, with a
/// `next_cursor`, rather than be built whole in memory (500 of the largest statements would
/// be ~75 MB). One item always fits, whatever its size.
pub const PAGE_BYTES: usize = 1024 * 1024;
/// Rows read in the first round of a page: the default page in one round, as before.
const FIRST_ROUND: i64 = DEFAULT_LIMIT as i64;
/// Rows read in any later round at most.
const MAX_ROUND: i64 = 200;

/// Where a page of a list starts and how long it is, documented and extracted beside the list's
/// filters: `params(Paging, …)` and `Query<Paging>`. (Not a `#[serde(flatten)]` into the
/// filters: a flattened query string reads every value as text, so `limit` would not parse.)
/// Neither refuses the other's parameters: a parameter the operation does not document is
/// refused before either is read, by `semantics` from the route table.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Page size, 1 to 500.
    #[param(minimum = 1, maximum = 500, example = 50)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page, with the same filters.
    #[param(max_length = 1000, pattern = "^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

/// The page size asked for; out of range is an error, never silently clamped.
pub fn limit(requested: Option<u32>) -> Result<i64> {
    match requested.unwrap_or(DEFAULT_LIMIT) {
        n @ 1..=MAX_LIMIT => Ok(i64::from(n)),
        n => Err(ApiError::invalid_field(
            "#/query/limit",
            format!("must be between 1 and {MAX_LIMIT} (got {n})"),
        )),
    }
}

#[derive(Serialize, Deserialize)]
struct Envelope<K> {
    /// The sort key of the last row of the previous page.
    k: K,
    /// A hash of the filters the cursor was made for.
    f: String,
}

/// A stable digest of the filters of a list request, so a cursor is only used with them.
pub fn filter_digest(filters: &[(&str, Option<String>)]) -> String {
    let mut text = String::new();
    for (name, value) in filters {
        if let Some(value) = value {
            text.push_str(name);
            text.push('=');
            text.push_str(value);
            text.push('\u{1f}');
        }
    }
    crate::auth::hex(&crate::auth::sha256(text.as_bytes())[..8])
}

/// A cursor for the list filtered by `filters` (a [`filter_digest`]) that continues after
/// the row whose sort key is `key`: sealed (see `cursors`), so it shows neither.
pub fn encode<K: Serialize>(key: &K, filters: &str) -> Result<String> {
    let json = serde_json::to_vec(&Envelope {
        k: key,
        f: filters.to_owned(),
    })
    .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(super::cursors::key()?.seal(&json))
}

pub fn decode<K: DeserializeOwned>(cursor: Option<&str>, filters: &str) -> Result<Option<K>> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let Some(json) = super::cursors::key()?.open(cursor) else {
        return Err(ApiError::invalid_field(
            "#/query/cursor",
            if earlier_release::<K>(cursor) {
                "was issued by an earlier release of the service, whose cursors are no longer \
                 taken; read the list again from its first page (without `cursor`)"
            } else {
                "is not a cursor this service issued (or was altered); pass a `next_cursor` \
                 as it was given, or read the list from its first page (without `cursor`)"
            },
        ));
    };
    let envelope: Envelope<K> = serde_json::from_slice(&json)
        .map_err(|_| ApiError::invalid_field("#/query/cursor", "was issued for another list"))?;
    if envelope.f != filters {
        return Err(ApiError::invalid_field(
            "#/query/cursor",
            "belongs to a list with other filters; repeat the filters it was issued with",
        ));
    }
    Ok(Some(envelope.k))
}

/// Whether `cursor` is in the unsealed form of earlier releases (base64 of the envelope's
/// JSON), so that its refusal can say why.
fn earlier_release<K: DeserializeOwned>(cursor: &str) -> bool {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .is_ok_and(|json| serde_json::from_slice::<Envelope<K>>(&json).is_ok())
}

/// Splits `limit + 1` fetched rows into a page and the cursor of the next one.
pub fn split_page<T, K: Serialize>(
    mut rows: Vec<T>,
    limit: i64,
    filters: &str,
    key_of: impl Fn(&T) -> K,
) -> Result<(Vec<T>, Option<String>)> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() <= limit {
        return Ok((rows, None));
    }
    rows.truncate(limit);
    let next = match rows.last() {
        Some(last) => Some(encode(&key_of(last), filters)?),
        None => None,
    };
    Ok((rows, next))
}

/// Builds a page of at most `limit` items and [`PAGE_BYTES`] of JSON, reading rows in rounds
/// so that memory follows the budget, not `limit` times the largest record.
///
/// `fetch(conn, after, n)` reads up to `n + 1` rows after a key (one more tells whether more
/// follow), `assemble` turns rows into items in the same order, and `key_of` gives a row's
/// sort key. Returns the items and the cursor of the next page.
pub async fn fill<R, T, K, E>(
    conn: &mut PgConnection,
    limit: i64,
    filters: &str,
    mut after: Option<K>,
    mut fetch: impl AsyncFnMut(&mut PgConnection, Option<K>, i64) -> Result<Vec<R>, E>,
    mut assemble: impl AsyncFnMut(&mut PgConnection, Vec<R>) -> Result<Vec<T>>,
    key_of: impl Fn(&R) -> K,
) -> Result<(Vec<T>, Option<String>)>
where
    T: Serialize,
    K: Serialize + Clone,
    ApiError: From<E>,
{
    let mut items: Vec<T> = Vec::new();
    let mut bytes = 0usize;
    let mut round = first_round::<T>(limit);
    loop {
        let mut rows = fetch(conn, after.clone(), round).await?;
        let more = rows.len() as i64 > round;
        rows.truncate(usize::try_from(round).unwrap_or(usize::MAX));
        let keys: Vec<K> = rows.iter().map(&key_of).collect();
        for (item, key) in assemble(conn, rows).await?.into_iter().zip(keys) {
            let size = json_size(&item)?;
            if !items.is_empty() && bytes + size > PAGE_BYTES {
                // Full: the next page starts at this item.
                remember_size::<T>(bytes / items.len());
                let next = match &after {
                    Some(last) => Some(encode(last, filters)?),
                    None => None,
                };
                return Ok((items, next));
            }
            bytes += size;
            items.push(item);
            after = Some(key);
        }
        let taken = items.len() as i64;
        remember_size::<T>(bytes / items.len().max(1));
        if !more || taken >= limit || bytes >= PAGE_BYTES {
            let next = match (&after, more) {
                (Some(last), true) => Some(encode(last, filters)?),
                _ => None,
            };
            return Ok((items, next));
        }
        // As many rows as the items so far say will fit, within what is left of `limit`.
        let average = (bytes / items.len().max(1)).max(1);
        let fit =
            i64::try_from(PAGE_BYTES.saturating_sub(bytes) / average).unwrap_or(MAX_ROUND) + 1;
        round = fit.clamp(1, MAX_ROUND).min(limit - taken);
    }
}

/// The average size of the items of each type on recent pages, so that a page's first round
/// reads about as many rows as will fit: a list of large records does not assemble 50 of
/// them to keep 5.
static ITEM_SIZES: std::sync::Mutex<Vec<(&'static str, usize)>> = std::sync::Mutex::new(Vec::new());

fn first_round<T>(limit: i64) -> i64 {
    let most = limit.min(FIRST_ROUND);
    let known = ITEM_SIZES.lock().ok().and_then(|sizes| {
        sizes
            .iter()
            .find(|(name, _)| *name == std::any::type_name::<T>())
            .map(|(_, size)| *size)
    });
    match known {
        Some(size) if size > 0 => {
            let fit = i64::try_from(PAGE_BYTES / size).unwrap_or(most) + 1;
            fit.clamp(1, most)
        }
        _ => most,
    }
}

fn remember_size<T>(average: usize) {
    if average == 0 {
        return;
    }
    if let Ok(mut sizes) = ITEM_SIZES.lock() {
        let name = std::any::type_name::<T>();
        match sizes.iter_mut().find(|(n, _)| *n == name) {
            // A moving average: recent pages count most.
            Some((_, size)) => *size = (*size * 3 + average) / 4,
            None => sizes.push((name, average)),
        }
    }
}

/// The length of a value's JSON, without building it.
fn json_size<T: Serialize>(value: &T) -> Result<usize> {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer(&mut count, value).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(count.0)
}

/// A `200` page with a `Link: <…>; rel="next"` header when there is a next page: JSON, or CSV
/// of `items` when the client asks for `text/csv`.
pub fn respond<P: Serialize, T: CsvRecord>(
    req: &HttpRequest,
    page: &P,
    items: &[T],
    next_cursor: Option<&str>,
) -> Result<HttpResponse> {
    let mut response = with_link(req, next_cursor);
    if formats::negotiate(req, &[formats::JSON, formats::CSV]) == formats::CSV {
        return Ok(response
            .content_type("text/csv; charset=utf-8")
            .body(formats::csv(items)));
    }
    let body = serde_json::to_vec(page).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(response.content_type("application/json").body(body))
}

/// A `200` builder with `Vary: Accept` and, when there is a next page, its `Link`.
pub fn with_link(req: &HttpRequest, next_cursor: Option<&str>) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    response.insert_header((header::VARY, "Accept"));
    if let Some(cursor) = next_cursor {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
            if name != "cursor" {
                query.append_pair(&name, &value);
            }
        }
        query.append_pair("cursor", cursor);
        response.insert_header((
            header::LINK,
            format!("<{}?{}>; rel=\"next\"", req.path(), query.finish()),
        ));
    }
    response
}

/// `from` and `to` as the first day and the day after the last; partial dates widen to
/// their whole period. A range that ends before it starts is a 422.
pub fn date_range(
    from: Option<PartialDate>,
    to: Option<PartialDate>,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>)> {
    let first = from.map(|d| d.first_day());
    let after = to.map(|d| d.day_after());
    if let (Some(first), Some(after)) = (first, after)
        && first >= after
    {
        return Err(ApiError::unprocessable_field(
            "#/query/to",
            "is before `from`",
        ));
    }
    Ok((first, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_out_of_range_are_errors() {
        assert_eq!(limit(None).ok(), Some(50));
        assert_eq!(limit(Some(500)).ok(), Some(500));
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(501)).is_err());
    }

    #[test]
    fn cursors_round_trip_sealed_and_are_bound_to_filters() {
        let key = std::sync::Arc::new(super::super::cursors::CursorKey::new(b"test"));
        super::super::cursors::with_key(&key, || {
            let filters = filter_digest(&[("kind", Some("state".into())), ("q", None)]);
            let other = filter_digest(&[("kind", Some("person".into()))]);
            let cursor = encode(&("Kazakhstan", 7), &filters).unwrap_or_default();
            assert!(!cursor.is_empty() && !cursor.contains("Kazakhstan"));
            let back: Option<(String, i32)> = decode(Some(&cursor), &filters).unwrap_or_default();
            assert_eq!(back, Some(("Kazakhstan".to_owned(), 7)));
            assert!(decode::<(String, i32)>(Some(&cursor), &other).is_err());
            assert!(decode::<(String, i32)>(Some("not a cursor"), &filters).is_err());
            assert!(decode::<(String, i32)>(Some("e30"), &filters).is_err());
            // A cursor of an earlier release (the envelope unsealed) is refused, saying so.
            let earlier = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(format!(r#"{{"k":["Kazakhstan",7],"f":"{filters}"}}"#));
            let refused = decode::<(String, i32)>(Some(&earlier), &filters);
            assert!(
                matches!(&refused, Err(e) if e.to_string().contains("earlier release")),
                "{:?}",
                refused.map(|_| ())
            );
        });
        // Without the key (the database never reachable) nothing is made up.
        assert!(encode(&1, "f").is_err());
    }
}
