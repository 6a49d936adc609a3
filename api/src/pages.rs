//! The HTML pages the service serves to people (sign-in, activation, forgotten password,
//! refusals): one layout in French, every value escaped, no script, headers that keep a page
//! from being framed, cached or scripted.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

/// The path of the legal notice.
pub const LEGAL_NOTICE: &str = "/mentions-legales";
/// The path of the personal-data page.
pub const PERSONAL_DATA: &str = "/donnees-personnelles";
/// The path of the accessibility statement.
pub const ACCESSIBILITY: &str = "/accessibilite";

/// The text, escaped for HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The page, with headers that keep it from being framed, cached or scripted.
pub fn page(
    config: &crate::config::Config,
    status: actix_web::http::StatusCode,
    title: &str,
    body: &str,
    form_target: Option<&str>,
) -> HttpResponse {
    let form_action = match form_target {
        Some(o) => format!("'self' {o}"),
        None => "'self'".into(),
    };
    let footer = format!(
        "<footer>\n<p>Mon Compte Partenaire, l'espace sécurisé des partenaires des Caf, est opéré par {operator}.</p>\n\
<ul>\n<li><a href=\"{LEGAL_NOTICE}\">Mentions légales</a></li>\n<li><a href=\"{PERSONAL_DATA}\">Données personnelles</a></li>\n\
<li><a href=\"{ACCESSIBILITY}\">Accessibilité : partiellement conforme</a></li>\n</ul>\n</footer>",
        operator = escape(&config.operator_name),
    );
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title} — Mon Compte Partenaire</title>\n<style>\nbody{{font-family:system-ui,Arial,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#161616;line-height:1.5}}\nh1{{font-size:1.5rem}}\nfooter{{margin-top:3rem;border-top:1px solid #929292;font-size:.875rem}}\nfooter ul{{padding-left:0;list-style:none}}\nfooter li{{display:inline;margin-right:1rem}}\na{{color:#000091}}\n.organisme{{font-weight:600;margin-bottom:0}}\nlabel{{display:block;font-weight:600;margin-top:1rem}}\ninput{{display:block;width:100%;box-sizing:border-box;font-size:1rem;padding:.5rem;margin-top:.25rem;border:1px solid #3a3a3a}}\ninput:focus,button:focus{{outline:3px solid #0a76f6;outline-offset:2px}}\nbutton{{margin-top:1.5rem;font-size:1rem;padding:.6rem 1.2rem;background:#000091;color:#fff;border:0;cursor:pointer}}\n.erreur{{border-left:4px solid #ce0500;padding:.5rem 1rem;background:#fff4f4}}\n.aide{{font-size:.875rem;color:#3a3a3a}}\n</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n{footer}\n</body>\n</html>\n"
    );
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        // `same-origin`, not `no-referrer`: the form's POST then carries this service's Origin
        // (checked against login CSRF), and nothing is sent to any other site.
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            format!("default-src 'none'; style-src 'unsafe-inline'; form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"),
        ))
        .body(html)
}

/// The page refusing an obsolete browser (Bavans S-art. 2.1), if the request comes from one.
pub fn obsolete_browser(req: &HttpRequest, config: &crate::config::Config) -> Option<HttpResponse> {
    let agent = req.headers().get(header::USER_AGENT)?.to_str().ok()?;
    let why = mcp_domain::browser::refusal(agent, &config.minimum_browsers)?;
    Some(page(
        config,
        actix_web::http::StatusCode::FORBIDDEN,
        "Navigateur trop ancien",
        &format!(
            "<h1>Navigateur trop ancien</h1>\n<p role=\"alert\">{}</p>\n",
            escape(&why)
        ),
        None,
    ))
}

/// Whether a form submission comes from this service's own page (login CSRF): browsers say
/// where a POST comes from with `Sec-Fetch-Site` and `Origin`; either naming another site
/// refuses it. Clients that send neither (no browser) are not a CSRF vector.
pub fn from_this_service(req: &HttpRequest) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if header("sec-fetch-site").is_some_and(|site| !matches!(site, "same-origin" | "none")) {
        return false;
    }
    match header("origin") {
        None => true,
        Some(origin) => {
            let info = req.connection_info();
            origin == format!("{}://{}", info.scheme(), info.host())
        }
    }
}
