//! Obsolete browsers (Bavans contract, S-art. 2.1): "les connexions issues de navigateurs
//! obsolètes, non sécurisés et ne répondant pas à l'état de l'art, seront refusées". The sign-in
//! page tells a browser from its `User-Agent` and refuses one older than the minimum configured
//! for its family; Internet Explorer, out of support, is always refused. What is not a known
//! browser (software, command-line tools) is not judged here.

/// A browser family, as its `User-Agent` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Google Chrome and the Chromium-based browsers that announce it (Opera, Samsung…).
    Chrome,
    /// Microsoft Edge.
    Edge,
    /// Mozilla Firefox.
    Firefox,
    /// Apple Safari.
    Safari,
    /// Internet Explorer: out of support since 2022.
    InternetExplorer,
}

impl Family {
    /// Its name, as a person knows it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Chrome => "Chrome",
            Self::Edge => "Edge",
            Self::Firefox => "Firefox",
            Self::Safari => "Safari",
            Self::InternetExplorer => "Internet Explorer",
        }
    }
}

/// A browser seen: its family and major version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// Its family.
    pub family: Family,
    /// Its major version.
    pub version: u32,
}

/// Tells the browser from a `User-Agent`, if it is one of the known families.
pub fn identify(user_agent: &str) -> Option<Seen> {
    let major = |marker: &str| -> Option<u32> {
        let at = user_agent.find(marker)? + marker.len();
        let digits: String = user_agent[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    let seen = |family, version| Some(Seen { family, version });
    if user_agent.contains("Trident/") || user_agent.contains("MSIE ") {
        return seen(Family::InternetExplorer, major("MSIE ").unwrap_or(11));
    }
    if let Some(v) = major("Edg/").or_else(|| major("Edge/")) {
        return seen(Family::Edge, v);
    }
    if let Some(v) = major("Firefox/").or_else(|| major("FxiOS/")) {
        return seen(Family::Firefox, v);
    }
    if let Some(v) = major("Chrome/").or_else(|| major("CriOS/")) {
        return seen(Family::Chrome, v);
    }
    if user_agent.contains("Safari/") {
        if let Some(v) = major("Version/") {
            return seen(Family::Safari, v);
        }
    }
    None
}

/// The oldest major version accepted in each family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Minimums {
    /// Chrome and Chromium-based browsers.
    pub chrome: u32,
    /// Edge.
    pub edge: u32,
    /// Firefox.
    pub firefox: u32,
    /// Safari.
    pub safari: u32,
}

impl Default for Minimums {
    /// The last versions their makers still patched on the oldest systems partners run
    /// (Chrome and Edge 109 on Windows 7 and 8.1, Firefox 115 ESR, Safari 15 on macOS 10.15).
    fn default() -> Self {
        Self {
            chrome: 109,
            edge: 109,
            firefox: 115,
            safari: 15,
        }
    }
}

impl Minimums {
    /// Reads `chrome=120,edge=120,firefox=128,safari=16`; the families not named keep their
    /// default.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut m = Self::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, version) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?}: write family=version (chrome=120)"))?;
            let version: u32 = version
                .trim()
                .parse()
                .map_err(|_| format!("{part:?}: the version is a whole number"))?;
            let slot = match name.trim() {
                "chrome" => &mut m.chrome,
                "edge" => &mut m.edge,
                "firefox" => &mut m.firefox,
                "safari" => &mut m.safari,
                other => {
                    return Err(format!(
                        "{other:?}: the families are chrome, edge, firefox and safari"
                    ))
                }
            };
            *slot = version;
        }
        Ok(m)
    }

    /// The minimum of a family (`None`: no version is accepted).
    pub fn of(&self, family: Family) -> Option<u32> {
        match family {
            Family::Chrome => Some(self.chrome),
            Family::Edge => Some(self.edge),
            Family::Firefox => Some(self.firefox),
            Family::Safari => Some(self.safari),
            Family::InternetExplorer => None,
        }
    }
}

/// Whether a browser is refused, and why, in French for the person in front of it.
pub fn refusal(user_agent: &str, minimums: &Minimums) -> Option<String> {
    let seen = identify(user_agent)?;
    let name = seen.family.name();
    match minimums.of(seen.family) {
        Some(min) if seen.version >= min => None,
        Some(min) => Some(format!(
            "Votre navigateur ({name} {version}) est trop ancien pour se connecter à Mon Compte \
             Partenaire : il ne reçoit plus les correctifs de sécurité. Mettez-le à jour \
             ({name} {min} ou plus récent) ou utilisez un autre navigateur à jour, puis \
             recommencez. En cas de difficulté, adressez-vous au support informatique de votre \
             organisme.",
            version = seen.version,
        )),
        None => Some(format!(
            "Votre navigateur ({name}) n'est plus maintenu par son éditeur et ne permet pas de \
             se connecter à Mon Compte Partenaire. Utilisez un navigateur à jour (Edge, Firefox, \
             Chrome ou Safari), puis recommencez. En cas de difficulté, adressez-vous au support \
             informatique de votre organisme."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_told_apart_by_their_user_agent() {
        for (ua, want) in [
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", Some((Family::Chrome, 131))),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86", Some((Family::Edge, 131))),
            ("Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:78.0) Gecko/20100101 Firefox/78.0", Some((Family::Firefox, 78))),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.1.2 Safari/605.1.15", Some((Family::Safari, 14))),
            ("Mozilla/5.0 (Windows NT 10.0; Trident/7.0; rv:11.0) like Gecko", Some((Family::InternetExplorer, 11))),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36", Some((Family::Chrome, 156))),
            ("curl/8.5.0", None),
            ("logiciel-social/4.2 (commune de Lieusaint)", None),
        ] {
            assert_eq!(
                identify(ua).map(|s| (s.family, s.version)),
                want,
                "{ua}"
            );
        }
    }

    #[test]
    fn older_than_the_minimum_is_refused_in_french() {
        let m = Minimums::default();
        let firefox78 = "Mozilla/5.0 (Windows NT 6.1; rv:78.0) Gecko/20100101 Firefox/78.0";
        let refused = refusal(firefox78, &m).unwrap();
        assert!(
            refused.contains("Firefox 78") && refused.contains("Firefox 115"),
            "{refused}"
        );
        assert_eq!(
            refusal("Mozilla/5.0 (X11) Gecko/20100101 Firefox/115.0", &m),
            None
        );
        assert!(refusal(
            "Mozilla/5.0 (Windows NT 10.0; Trident/7.0; rv:11.0) like Gecko",
            &m
        )
        .unwrap()
        .contains("n'est plus maintenu"));
        assert_eq!(refusal("curl/8.5.0", &m), None);
    }

    #[test]
    fn minimums_are_configured_by_family() {
        let m = Minimums::parse("firefox=128, safari=16").unwrap();
        assert_eq!((m.firefox, m.safari, m.chrome), (128, 16, 109));
        assert!(Minimums::parse("opera=90").is_err());
        assert!(Minimums::parse("chrome").is_err());
        assert!(Minimums::parse("chrome=cent").is_err());
        assert_eq!(Minimums::parse("").unwrap(), Minimums::default());
    }
}
