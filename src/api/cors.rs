//! Cross-origin requests: refused (no CORS headers at all) unless origins are configured, and
//! then allowed for those origins only, never `*`, since requests carry bearer tokens.

use actix_cors::Cors;
use actix_web::http::{Method, Uri, header};

/// Checks an origin as a browser sends it: `https://host[:port]`, nothing after.
pub fn origin(value: &str) -> Result<String, String> {
    let uri: Uri = value
        .parse()
        .map_err(|_| format!("`{value}` is not an origin"))?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    let bare = uri
        .path_and_query()
        .is_none_or(|p| p.as_str() == "/" || p.as_str().is_empty());
    if !scheme_ok || uri.authority().is_none() || !bare || value.ends_with('/') {
        return Err(format!(
            "`{value}` is not an origin: write it as a browser sends it, e.g. https://analysis.example.org"
        ));
    }
    Ok(value.to_owned())
}

/// The policy for `origins` (already checked with [`origin`]).
pub fn policy(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PATCH,
            Method::DELETE,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::ACCEPT,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::LINK,
            header::RETRY_AFTER,
            header::HeaderName::from_static("ratelimit"),
            header::HeaderName::from_static("ratelimit-policy"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert!(origin("https://analysis.example.org").is_ok());
        assert!(origin("http://localhost:5173").is_ok());
        for bad in [
            "*",
            "analysis.example.org",
            "https://a.example/path",
            "ftp://a.example",
            "https://a.example/",
            "",
        ] {
            assert!(origin(bad).is_err(), "{bad}");
        }
    }
}
