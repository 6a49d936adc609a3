//! The access log names routes, never the people in them: operators keep it for weeks, outside
//! the traces' retention and readers, so it carries no query string (names, birth dates,
//! SIRETs are asked there) and no long number in the path (a numéro allocataire).

use actix_web::dev::ServiceRequest;
use actix_web::middleware::Logger;

/// The access-log middleware: address, method and masked path, status, size, duration, and the
/// request id (which finds the request's traces, where the rest is kept under their rules).
pub fn logger() -> Logger {
    Logger::new(r#"%a "%{request}xi" %s %b %Dms request_id=%{x-request-id}o"#)
        .custom_request_replace("request", |req: &ServiceRequest| {
            format!(
                "{} {}{}",
                req.method(),
                masked_path(req.path()),
                if req.query_string().is_empty() {
                    ""
                } else {
                    "?…"
                }
            )
        })
}

/// A path with every segment of five digits or more replaced by `…`.
pub fn masked_path(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.len() >= 5 && segment.bytes().all(|b| b.is_ascii_digit()) {
                "…"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::masked_path;

    #[test]
    fn numbers_in_paths_are_masked_ids_are_kept() {
        assert_eq!(
            masked_path("/api/v1/cdap/files/1969071"),
            "/api/v1/cdap/files/…"
        );
        assert_eq!(
            masked_path("/api/v1/partners/0192a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/users"),
            "/api/v1/partners/0192a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/users"
        );
        assert_eq!(masked_path("/api/v1/auth/login"), "/api/v1/auth/login");
        assert_eq!(masked_path("/api/v1/x/2026"), "/api/v1/x/2026");
    }
}
