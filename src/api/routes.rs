//! The documented routes, read from the OpenAPI document: what a request that no handler took
//! is answered, and which query parameters each operation takes.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::ApiError;

/// The documented paths with their methods and query parameters: to tell "no such route"
/// (404) from "no such method here" (405 with `Allow`), and to refuse query parameters an
/// operation does not take, wherever it is (a list reads its paging and its filters apart, so
/// neither can refuse what it does not know).
pub struct RouteTable(Vec<Route>);

struct Route {
    path: Template,
    allow: String,
    /// The query parameters of each method.
    query: Vec<(actix_web::http::Method, Vec<String>)>,
}

impl RouteTable {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        use actix_web::http::Method;
        use utoipa::openapi::path::{Operation, ParameterIn};
        let query_names = |operation: &Operation| -> Vec<String> {
            operation
                .parameters
                .iter()
                .flatten()
                .filter(|p| matches!(p.parameter_in, ParameterIn::Query))
                .map(|p| p.name.clone())
                .collect()
        };
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let operations = [
                    (Method::GET, &item.get),
                    (Method::POST, &item.post),
                    (Method::PUT, &item.put),
                    (Method::PATCH, &item.patch),
                    (Method::DELETE, &item.delete),
                ];
                let mut allow: Vec<String> = Vec::new();
                let mut query = Vec::new();
                for (method, operation) in operations {
                    if let Some(operation) = operation {
                        allow.push(method.as_str().to_owned());
                        if method == Method::GET {
                            allow.push("HEAD".to_owned());
                        }
                        query.push((method, query_names(operation)));
                    }
                }
                Route {
                    path: Template::new(path),
                    allow: allow.join(", "),
                    query,
                }
            })
            .collect();
        Self(routes)
    }

    fn route(&self, path: &str) -> Option<&Route> {
        self.0.iter().find(|route| route.path.matches(path))
    }

    /// The documented path `path` falls under (`/v1/actors/{actor}`): what metrics are
    /// labelled by.
    pub fn template(&self, path: &str) -> Option<Arc<str>> {
        self.route(path).map(|route| Arc::clone(&route.path.text))
    }

    fn allowed(&self, path: &str) -> Option<&str> {
        self.route(path).map(|route| route.allow.as_str())
    }

    /// The query parameters a documented operation takes; `None` for anything else.
    pub fn query_names(&self, method: &actix_web::http::Method, path: &str) -> Option<&[String]> {
        let route = self.route(path)?;
        route
            .query
            .iter()
            .find(|(m, _)| m == method)
            .map(|(_, names)| names.as_slice())
    }
}

/// A documented path, matched a segment at a time: `{name}` takes any one non-empty
/// segment, as actix's own patterns do. (Matched on every request, for its metrics label:
/// actix's `match_pattern` runs the router's regular expressions again.)
struct Template {
    text: Arc<str>,
    /// `None` for a parameter.
    segments: Vec<Option<String>>,
}

impl Template {
    fn new(text: &str) -> Self {
        let segments = text
            .split('/')
            .map(|segment| {
                let parameter = segment.starts_with('{') && segment.ends_with('}');
                (!parameter).then(|| segment.to_owned())
            })
            .collect();
        Self {
            text: text.into(),
            segments,
        }
    }

    fn matches(&self, path: &str) -> bool {
        let mut given = path.split('/');
        self.segments
            .iter()
            .all(|segment| match (segment, given.next()) {
                (Some(fixed), Some(part)) => fixed == part,
                (None, Some(part)) => !part.is_empty(),
                (_, None) => false,
            })
            && given.next().is_none()
    }
}

/// Answers requests no route took: 405 with `Allow` on a known path, 404 otherwise.
pub async fn fallback(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(match routes.allowed(req.path()) {
        Some(allow) => ApiError::MethodNotAllowed {
            allow: allow.to_owned(),
        },
        None => ApiError::NotFound(format!(
            "nothing at `{}`; see /docs for the API",
            req.path()
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_matches_what_actix_matches() {
        let paths = [
            "/v1/actors",
            "/v1/actors/",
            "/v1/actors/tokayev",
            "/v1/actors/tokayev/",
            "/v1/actors//roles",
            "/v1/actors/tokayev/roles",
            "/v1/actors/tokayev/roles/7",
            "/v1/actorsx",
            "v1/actors",
            "",
            "/",
        ];
        for template in [
            "/v1/actors",
            "/v1/actors/{actor}",
            "/v1/actors/{actor}/roles",
            "/v1/actors/{actor}/roles/{role_id}",
        ] {
            let actix = actix_web::dev::ResourceDef::new(template);
            let ours = Template::new(template);
            for path in paths {
                assert_eq!(
                    ours.matches(path),
                    actix.is_match(path),
                    "{template} against {path:?}"
                );
            }
        }
    }

    #[test]
    fn every_documented_path_is_its_own_template() {
        let table = RouteTable::from_openapi(&crate::api::openapi());
        for path in crate::api::openapi().paths.paths.keys() {
            let filled = path.replace('{', "x").replace('}', "");
            assert_eq!(table.template(&filled).as_deref(), Some(path.as_str()));
        }
        assert_eq!(table.template("/v1/nothing"), None);
    }
}
