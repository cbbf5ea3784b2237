//! The documented routes, read from the OpenAPI document: what a request that no handler took
//! is answered, and which query parameters each operation takes.

use actix_web::dev::ResourceDef;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::ApiError;

/// The documented paths with their methods and query parameters: to tell "no such route"
/// (404) from "no such method here" (405 with `Allow`), and to refuse query parameters an
/// operation does not take, wherever it is (lists refuse them in their own parsing too).
pub struct RouteTable(Vec<Route>);

struct Route {
    path: ResourceDef,
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
                    path: ResourceDef::new(path.as_str()),
                    allow: allow.join(", "),
                    query,
                }
            })
            .collect();
        Self(routes)
    }

    fn route(&self, path: &str) -> Option<&Route> {
        self.0.iter().find(|route| route.path.is_match(path))
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
