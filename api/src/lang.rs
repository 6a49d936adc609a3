//! The language a person reads the service's texts in: French, unless their software asks for
//! English first (`Accept-Language`, RFC 9110 §12.5.4).

use actix_web::HttpRequest;

/// A language the service writes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// French, the default: the users are French agents and French software.
    Fr,
    /// English, on request.
    En,
}

tokio::task_local! {
    /// The language of the request being served, for what is written without the request at
    /// hand (a problem document built from an error).
    static CURRENT: Lang;
}

/// Serves each request in the language it asks for ([`Lang::current`] inside).
pub async fn in_asked_language(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let lang = Lang::of(req.request());
    CURRENT.scope(lang, next.call(req)).await
}

impl Lang {
    /// The language of the request being served; French outside one.
    pub fn current() -> Self {
        CURRENT.try_with(|l| *l).unwrap_or(Self::Fr)
    }

    /// French or English, by the language.
    pub fn pick<'a>(self, french: &'a str, english: &'a str) -> &'a str {
        match self {
            Self::Fr => french,
            Self::En => english,
        }
    }

    /// A sentence of the service in this language.
    pub fn say(self, message: &mcp_domain::Message) -> &str {
        message.in_french(self == Self::Fr)
    }

    /// The language a request asks for.
    pub fn of(req: &HttpRequest) -> Self {
        req.headers()
            .get(actix_web::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map_or(Self::Fr, Self::preferred)
    }

    /// The language an `Accept-Language` value prefers among French and English: the highest
    /// weight wins, the first listed among equals; French when it names neither.
    pub fn preferred(header: &str) -> Self {
        let mut best: Option<(f32, Self)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = match tag.split('-').next() {
                Some("fr") => Self::Fr,
                Some("en") => Self::En,
                _ => continue,
            };
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, lang));
            }
        }
        best.map_or(Self::Fr, |(_, l)| l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_unless_english_comes_first() {
        assert_eq!(Lang::preferred("fr-FR,fr;q=0.9,en;q=0.8"), Lang::Fr);
        assert_eq!(Lang::preferred("en-GB,en;q=0.8"), Lang::En);
        assert_eq!(Lang::preferred("de-DE, en;q=0.5, fr;q=0.4"), Lang::En);
        assert_eq!(Lang::preferred("fr;q=0.3, en;q=0.7"), Lang::En);
        assert_eq!(Lang::preferred("en;q=0, fr;q=0.1"), Lang::Fr);
        assert_eq!(Lang::preferred("de, it"), Lang::Fr);
        assert_eq!(Lang::preferred(""), Lang::Fr);
        assert_eq!(Lang::preferred("*"), Lang::Fr);
    }

    #[test]
    fn each_language_says_its_own_sentence() {
        let m = mcp_domain::msg!("doit être renseigné", "must not be empty");
        assert_eq!(Lang::Fr.say(&m), "doit être renseigné");
        assert_eq!(Lang::En.say(&m), "must not be empty");
        assert_eq!(Lang::current().say(&m), "doit être renseigné");
    }
}
