//! Keyset pagination: opaque cursors that carry the sort key of the last row and a hash of
//! the filters they were made for.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Result};

use super::formats::{self, CsvRecord};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

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

#[derive(Serialize, serde::Deserialize)]
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

pub fn encode<K: Serialize>(key: &K, filters: &str) -> Result<String> {
    let json = serde_json::to_vec(&Envelope {
        k: key,
        f: filters.to_owned(),
    })
    .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json))
}

pub fn decode<K: DeserializeOwned>(cursor: Option<&str>, filters: &str) -> Result<Option<K>> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let malformed =
        || ApiError::invalid_field("#/query/cursor", "is not a cursor this service issued");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| malformed())?;
    let envelope: Envelope<K> = serde_json::from_slice(&bytes).map_err(|_| malformed())?;
    if envelope.f != filters {
        return Err(ApiError::invalid_field(
            "#/query/cursor",
            "belongs to a list with other filters; repeat the filters it was issued with",
        ));
    }
    Ok(Some(envelope.k))
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
    fn cursors_round_trip_and_are_bound_to_filters() {
        let filters = filter_digest(&[("kind", Some("state".into())), ("q", None)]);
        let other = filter_digest(&[("kind", Some("person".into()))]);
        let cursor = encode(&("Kazakhstan", 7), &filters).unwrap_or_default();
        let back: Option<(String, i32)> = decode(Some(&cursor), &filters).unwrap_or_default();
        assert_eq!(back, Some(("Kazakhstan".to_owned(), 7)));
        assert!(decode::<(String, i32)>(Some(&cursor), &other).is_err());
        assert!(decode::<(String, i32)>(Some("not a cursor"), &filters).is_err());
        assert!(decode::<(String, i32)>(Some("e30"), &filters).is_err());
    }
}
