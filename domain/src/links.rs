//! The addresses of the pages the service serves to people, as messages name them: the
//! service's public address (the one people's browsers reach, behind any proxy) and each
//! page's path under it.

/// The service's public address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    base: String,
}

/// The path of the account-activation page.
pub const ACTIVATION_PATH: &str = "/compte/activation";
/// The path of the forgotten-password page (asks for a code).
pub const FORGOTTEN_PASSWORD_PATH: &str = "/compte/mot-de-passe-oublie";
/// The path of the page where a new password is chosen with the code received.
pub const NEW_PASSWORD_PATH: &str = "/compte/nouveau-mot-de-passe";

impl Links {
    /// The public address `url`: `http` or `https`, a host, no query nor fragment; a trailing
    /// `/` is dropped.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim().trim_end_matches('/');
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(|| format!("must start with https:// or http://, got {url:?}"))?;
        let host = rest.split('/').next().unwrap_or("");
        if host.is_empty() || host.contains('@') {
            return Err(format!("must name a host (no user), got {url:?}"));
        }
        if url.contains(['?', '#', ' ']) {
            return Err(format!(
                "must have no query, fragment or space, got {url:?}"
            ));
        }
        Ok(Self { base: url.into() })
    }

    /// The public address, without a trailing `/`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The activation page, its identifier filled in.
    pub fn activation(&self, identifier: &str) -> String {
        format!("{}{ACTIVATION_PATH}?identifiant={identifier}", self.base)
    }

    /// The page where a new password is chosen, its identifier filled in.
    pub fn new_password(&self, identifier: &str) -> String {
        format!("{}{NEW_PASSWORD_PATH}?identifiant={identifier}", self.base)
    }

    /// The forgotten-password page.
    pub fn forgotten_password(&self) -> String {
        format!("{}{FORGOTTEN_PASSWORD_PATH}", self.base)
    }
}

impl Default for Links {
    /// The address `make run` serves at.
    fn default() -> Self {
        Self {
            base: "http://127.0.0.1:8080".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_address_is_an_http_url_without_query() {
        let l = Links::parse("https://partenaires.caf.fr/").unwrap();
        assert_eq!(l.base(), "https://partenaires.caf.fr");
        assert_eq!(
            l.activation("K7M2-Q9XD"),
            "https://partenaires.caf.fr/compte/activation?identifiant=K7M2-Q9XD"
        );
        assert_eq!(
            Links::parse("http://127.0.0.1:8080/mcp")
                .unwrap()
                .forgotten_password(),
            "http://127.0.0.1:8080/mcp/compte/mot-de-passe-oublie"
        );
        for bad in [
            "partenaires.caf.fr",
            "ftp://x",
            "https://",
            "https://a@b",
            "https://x/?a=1",
            "https://x/#f",
        ] {
            assert!(Links::parse(bad).is_err(), "{bad}");
        }
    }
}
