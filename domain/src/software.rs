//! Partner software (OAuth 2.0 client applications): what a registration must say, and how an
//! authorization request is checked against it. Software never holds a token of its own: it
//! acts for a person, with the scopes that person granted.

use crate::access::Scope;
use crate::error::{Checks, DomainError};
use crate::text;

/// Most redirect URIs one software may register.
pub const MAX_REDIRECT_URIS: usize = 5;

/// A checked registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The software's name, shown to the person on the sign-in page.
    pub name: String,
    /// Where codes are sent back: exact matches only.
    pub redirect_uris: Vec<String>,
    /// The most the software may ask for.
    pub scopes: Vec<Scope>,
    /// Whether the software may present the person's own credentials (password grant).
    pub password_grant: bool,
}

/// A redirect URI must be absolute HTTPS, or HTTP on the loopback interface for software
/// installed on the person's computer (RFC 8252), without fragment.
pub fn redirect_uri_acceptable(uri: &str) -> bool {
    let loopback = [
        "http://127.0.0.1:",
        "http://127.0.0.1/",
        "http://localhost:",
        "http://localhost/",
        "http://[::1]:",
        "http://[::1]/",
    ];
    let https = uri.strip_prefix("https://").is_some_and(|rest| {
        let host = rest.split(['/', '?', ':']).next().unwrap_or("");
        !host.is_empty() && host.contains('.') || host == "localhost"
    });
    uri.len() <= 500
        && !uri.contains('#')
        && !uri.chars().any(|c| c.is_whitespace() || c.is_control())
        && (https || loopback.iter().any(|p| uri.starts_with(p)))
}

impl Registration {
    /// Checks a registration and reports every invalid field.
    pub fn new(
        name: &str,
        redirect_uris: &[String],
        scopes: &str,
        password_grant: bool,
    ) -> Result<Self, DomainError> {
        let mut c = Checks::new();
        let name = c.take(text::required("name", name, 200));
        if redirect_uris.is_empty() || redirect_uris.len() > MAX_REDIRECT_URIS {
            c.push(
                "redirect_uris",
                "invalid_count",
                crate::msg!(
                    "entre 1 et {MAX_REDIRECT_URIS} adresses de retour",
                    "between 1 and {MAX_REDIRECT_URIS} redirect URIs"
                ),
            );
        }
        for (i, uri) in redirect_uris.iter().enumerate() {
            if !redirect_uri_acceptable(uri) {
                c.push(
                    format!("redirect_uris[{i}]"),
                    "invalid_redirect_uri",
                    crate::msg!(
                        "une adresse absolue en https://, ou en http:// sur 127.0.0.1, [::1] ou localhost ; sans fragment",
                        "an absolute https:// URI, or http:// on 127.0.0.1, [::1] or localhost; no fragment"
                    ),
                );
            }
        }
        let scopes = match Scope::parse_list(scopes) {
            Ok(s) if !s.is_empty() => Some(s),
            Ok(_) => {
                c.push(
                    "scopes",
                    "required",
                    crate::msg!("au moins une portée", "at least one scope"),
                );
                None
            }
            Err(unknown) => {
                c.push(
                    "scopes",
                    "unknown_scope",
                    crate::msg!(
                        "{unknown} n'est pas une portée de ce service",
                        "{unknown} is not a scope of this service"
                    ),
                );
                None
            }
        };
        c.finish()?;
        Ok(Self {
            name: name.expect("checked"),
            redirect_uris: redirect_uris.to_vec(),
            scopes: scopes.expect("checked"),
            password_grant,
        })
    }
}

/// The scopes granted for a request: those asked (all the registered ones when none are asked),
/// each of which the software must have registered — but `openid`, which any software may ask:
/// it only names, to the software, the person who signs in to it.
pub fn granted_scopes(requested: Option<&str>, registered: &[Scope]) -> Result<Vec<Scope>, String> {
    match requested.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(registered.to_vec()),
        Some(list) => {
            let asked = Scope::parse_list(list)?;
            match asked
                .iter()
                .find(|s| **s != Scope::Openid && !registered.contains(s))
            {
                Some(s) => Err(s.code().to_string()),
                None => Ok(asked),
            }
        }
    }
}

/// A PKCE code verifier (RFC 7636): 43 to 128 unreserved characters.
pub fn code_verifier_acceptable(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// Whether a text may be an OAuth `error_description`: RFC 6749 §5.2 allows only printable
/// ASCII without `"` and `\` (%x20-21 / %x23-5B / %x5D-7E), so the service gives its English
/// sentence there and the reader's language in the problem's `detail`.
pub fn error_description_acceptable(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_descriptions_are_printable_ascii_without_quote_or_backslash() {
        assert!(error_description_acceptable(
            "PKCE is required: code_challenge (S256) and code_challenge_method=S256"
        ));
        assert!(error_description_acceptable("this person's code"));
        assert!(!error_description_acceptable(
            "identifiant ou mot de passe incorrect é"
        ));
        assert!(!error_description_acceptable("a \"quoted\" word"));
        assert!(!error_description_acceptable("a \\ backslash"));
        assert!(!error_description_acceptable("two\nlines"));
    }

    #[test]
    fn redirect_uris() {
        for ok in [
            "https://logiciel.ville-lieusaint.fr/oauth/retour",
            "https://logiciel.example/cb?x=1",
            "http://127.0.0.1:8765/retour",
            "http://localhost:3000/cb",
            "http://[::1]:9000/",
        ] {
            assert!(redirect_uri_acceptable(ok), "{ok}");
        }
        for bad in [
            "http://logiciel.example/cb",    // clear text off the loopback
            "https://logiciel.example/cb#x", // fragment
            "https:///cb",
            "javascript:alert(1)",
            "https://logiciel.example/a b",
            "http://127.0.0.1.evil.example/", // not the loopback
            "/relative",
            "",
        ] {
            assert!(!redirect_uri_acceptable(bad), "{bad}");
        }
    }

    #[test]
    fn registrations() {
        let uris = vec!["https://app.example/cb".to_string()];
        let r =
            Registration::new("Logiciel social", &uris, "registry:read profile", false).unwrap();
        assert_eq!(r.scopes, [Scope::RegistryRead, Scope::Profile]);
        let Err(DomainError::Validation(e)) = Registration::new("", &[], "admin", true) else {
            panic!()
        };
        let codes: Vec<_> = e.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            codes,
            [
                ("name", "required"),
                ("redirect_uris", "invalid_count"),
                ("scopes", "unknown_scope")
            ]
        );
    }

    #[test]
    fn scopes_granted() {
        let registered = [Scope::RegistryRead, Scope::Profile];
        assert_eq!(granted_scopes(None, &registered), Ok(registered.to_vec()));
        assert_eq!(
            granted_scopes(Some("profile"), &registered),
            Ok(vec![Scope::Profile])
        );
        assert_eq!(
            granted_scopes(Some("registry:write"), &registered),
            Err("registry:write".into())
        );
        assert_eq!(
            granted_scopes(Some("nope"), &registered),
            Err("nope".into())
        );
        assert_eq!(
            granted_scopes(Some("openid profile"), &registered),
            Ok(vec![Scope::Openid, Scope::Profile]),
            "openid needs no registration"
        );
    }

    #[test]
    fn verifiers() {
        assert!(code_verifier_acceptable(&"a".repeat(43)));
        assert!(!code_verifier_acceptable(&"a".repeat(42)));
        assert!(!code_verifier_acceptable(&"a".repeat(129)));
        assert!(!code_verifier_acceptable(&format!("{}+", "a".repeat(43))));
    }
}
