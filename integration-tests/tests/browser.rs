//! The sign-in page in a real browser: headless Chromium, driven over WebDriver by chromedriver,
//! with no network but this machine's loopback. A person signs in on the page; the software
//! receives a code at its redirect URI and exchanges it.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use mcp_integration_tests::{on_both_engines, Engine, TestEnv, PASSWORD, SIRETS};
use reqwest::blocking::Client;
use serde_json::{json, Value};

on_both_engines!(
    a_person_signs_in_for_partner_software_in_a_real_browser,
    the_explorer_renders_under_its_content_security_policy,
    the_explorer_signs_a_person_in_and_calls_for_them,
    a_person_activates_and_resets_their_password_on_the_pages,
);

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const VERIFIER: &str = "dBjftJeZ4CVP-mJ92ZFE5rXxKyK5e8hYkmgUnj7Hr2CSnbOq3IDf5ZnNt0ZfkE4c";
const CHALLENGE: &str = "2jzs6ECqHtPx7d3TqHgu2M6BgWQcm7zqkbDht-mjDb8";

/// chromedriver on a free loopback port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
    http: Client,
}

impl Driver {
    fn start() -> Self {
        assert!(
            std::path::Path::new(CHROMIUM).exists() && std::path::Path::new(CHROMEDRIVER).exists(),
            "the browser test needs Debian's chromium and chromium-driver: run `make setup`"
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        // Owned at once, so that it is stopped (and reaped) whatever happens next.
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            http: Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
        };
        for _ in 0..100 {
            if driver
                .http
                .get(format!("{}/status", driver.url))
                .send()
                .is_ok_and(|r| r.status().is_success())
            {
                return driver;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("chromedriver did not answer");
    }

    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let req = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.url));
        let req = if method == "GET" || method == "DELETE" {
            req
        } else {
            req.json(&body)
        };
        let v: Value = req
            .send()
            .expect("webdriver answers")
            .json()
            .expect("webdriver JSON");
        assert!(
            v["value"]["error"].is_null(),
            "webdriver {method} {path}: {v}"
        );
        v["value"].clone()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser session.
struct Browser<'a> {
    driver: &'a Driver,
    id: String,
    profile: std::path::PathBuf,
}

impl<'a> Browser<'a> {
    fn open(driver: &'a Driver) -> Self {
        let profile =
            std::env::temp_dir().join(format!("mcp-chromium-{}", uuid::Uuid::new_v4().simple()));
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--lang=fr-FR",
        ];
        let mut args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {"binary": CHROMIUM, "args": args}, "goog:loggingPrefs": {"browser": "ALL"}}}});
        let v = driver.call("POST", "/session", caps);
        Self {
            driver,
            id: v["sessionId"].as_str().unwrap().to_string(),
            profile,
        }
    }

    fn go(&self, url: &str) {
        self.driver.call(
            "POST",
            &format!("/session/{}/url", self.id),
            json!({"url": url}),
        );
    }

    fn find(&self, css: &str) -> String {
        self.find_by("css selector", css)
    }

    /// An element found by a WebDriver locator strategy (`css selector`, `xpath`).
    fn find_by(&self, using: &str, value: &str) -> String {
        let v = self.driver.call(
            "POST",
            &format!("/session/{}/element", self.id),
            json!({"using": using, "value": value}),
        );
        v.as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    fn type_in(&self, css: &str, text: &str) {
        let el = self.find(css);
        self.driver.call(
            "POST",
            &format!("/session/{}/element/{el}/value", self.id),
            json!({"text": text}),
        );
    }

    fn click(&self, css: &str) {
        self.click_element(&self.find(css));
    }

    /// The Enter key on an element, as a person using the keyboard presses it.
    fn press_enter(&self, el: &str) {
        self.driver.call(
            "POST",
            &format!("/session/{}/element/{el}/value", self.id),
            json!({"text": "\u{E007}"}),
        );
    }

    fn click_element(&self, el: &str) {
        self.driver.call(
            "POST",
            &format!("/session/{}/element/{el}/click", self.id),
            json!({}),
        );
    }

    /// The browser's windows, the first opened first.
    fn windows(&self) -> Vec<String> {
        self.driver
            .call(
                "GET",
                &format!("/session/{}/window/handles", self.id),
                Value::Null,
            )
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap().to_string())
            .collect()
    }

    fn switch_to(&self, window: &str) {
        self.driver.call(
            "POST",
            &format!("/session/{}/window", self.id),
            json!({"handle": window}),
        );
    }

    fn url(&self) -> String {
        self.driver
            .call("GET", &format!("/session/{}/url", self.id), Value::Null)
            .as_str()
            .unwrap()
            .to_string()
    }

    fn source(&self) -> String {
        self.driver
            .call("GET", &format!("/session/{}/source", self.id), Value::Null)
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Waits (up to ten seconds) for the page to satisfy `ready`: a form submission navigates
    /// after the click returns.
    fn wait_for(&self, what: &str, ready: impl Fn(&Self) -> bool) {
        for _ in 0..200 {
            if ready(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "waited in vain for {what}: now at {} showing {}",
            self.url(),
            self.source()
        );
    }

    /// Runs `script` in the page and gives what it returns.
    fn script(&self, script: &str) -> Value {
        self.driver.call(
            "POST",
            &format!("/session/{}/execute/sync", self.id),
            json!({"script": script, "args": []}),
        )
    }

    /// What the page wrote to the browser's console (errors included), since the last call.
    fn console(&self) -> Vec<String> {
        self.driver
            .call(
                "POST",
                &format!("/session/{}/se/log", self.id),
                json!({"type": "browser"}),
            )
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| e["message"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What axe-core (pinned in tools/a11y, installed by `make setup`) finds wrong in the page
    /// shown, against the WCAG 2.1 A and AA rules and axe's best practices: one line per
    /// violated rule, naming the elements.
    fn accessibility_violations(&self) -> Vec<String> {
        static AXE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let axe = AXE.get_or_init(|| {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../tools/a11y/node_modules/axe-core/axe.min.js"
            );
            std::fs::read_to_string(path)
                .unwrap_or_else(|e| panic!("{path}: {e}; run `make setup` (npm ci in tools/a11y)"))
        });
        let run = "return axe.run(document, {runOnly: {type: 'tag', values: \
                   ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}) \
                   .then(r => r.violations.map(v => v.id + ' (' + v.help + '): ' + \
                   v.nodes.map(n => n.target.join(' ')).join(', ')));";
        let found = self.script(&format!("{axe}\n{run}"));
        found
            .as_array()
            .unwrap_or_else(|| panic!("axe ran: {found}"))
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Asserts that axe-core finds nothing wrong in the page shown (`what` names it).
    fn assert_accessible(&self, what: &str) {
        let violations = self.accessibility_violations();
        assert!(
            violations.is_empty(),
            "{what} ({}): {violations:#?}",
            self.url()
        );
    }

    /// The accessible name the browser computes for an element (from its label).
    fn label_of(&self, css: &str) -> String {
        let el = self.find(css);
        self.driver
            .call(
                "GET",
                &format!("/session/{}/element/{el}/computedlabel", self.id),
                Value::Null,
            )
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

impl Drop for Browser<'_> {
    fn drop(&mut self) {
        let _ = self
            .driver
            .http
            .delete(format!("{}/session/{}", self.driver.url, self.id))
            .send();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// The software's redirect endpoint: answers one page to every request, and remembers the paths.
fn software_endpoint() -> (u16, std::sync::mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(8) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]).to_string();
            let path = request.split_whitespace().nth(1).unwrap_or("").to_string();
            let _ = tx.send(path);
            let body = "<!DOCTYPE html><html lang=\"fr\"><title>Logiciel</title><p>Autorisation reçue.</p></html>";
            let _ = write!(s, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
        }
    });
    (port, rx)
}

/// A Caf, a CCAS and its principal administrator, Claire: (env, the Caf's administrator's token,
/// the partner, Claire's identifier).
fn a_partner_and_its_administrator(engine: Engine) -> (TestEnv, String, String, String) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let caf_admin = env.caf_admin(&cnaf, &caf, "admin@caf.example");
    let partner = env.partner(&caf_admin, SIRETS[0], "ccas");
    let person_token = env.partner_admin(&caf_admin, &partner, "principal", "claire@ccas.example");
    let identifier = env.get("/api/v1/me", &person_token).body["identifier"]
        .as_str()
        .unwrap()
        .to_string();
    (env, caf_admin, partner, identifier)
}

fn a_person_signs_in_for_partner_software_in_a_real_browser(engine: Engine) {
    let (env, caf_admin, partner, identifier) = a_partner_and_its_administrator(engine);
    let (port, hits) = software_endpoint();
    let redirect = format!("http://127.0.0.1:{port}/retour");
    let r = env.post(
        &format!("/api/v1/partners/{partner}/client-applications"),
        &caf_admin,
        json!({"name": "Logiciel d'action sociale", "redirect_uris": [redirect], "scopes": "profile registry:read"}),
    );
    let client_id = r.body["client_id"].as_str().unwrap().to_string();
    let authorize = format!(
        "{}/api/v1/oauth/authorize?response_type=code&client_id={client_id}&redirect_uri={}&scope=registry%3Aread&state=etat-7&code_challenge={CHALLENGE}&code_challenge_method=S256",
        env.base_url(),
        redirect.replace(':', "%3A").replace('/', "%2F"),
    );

    let driver = Driver::start();
    let browser = Browser::open(&driver);
    browser.go(&authorize);
    let page = browser.source();
    assert!(page.contains("Logiciel d'action sociale"), "{page}");
    assert_eq!(
        browser.label_of("#identifiant"),
        "Identifiant",
        "inputs have labels the browser reads out"
    );
    assert_eq!(browser.label_of("#mot_de_passe"), "Mot de passe");
    browser.assert_accessible("the sign-in page");

    // A wrong password: the page again, with the message announced.
    browser.type_in("#identifiant", &identifier);
    browser.type_in("#mot_de_passe", "Wrong#Password-1");
    browser.click("button[type=submit]");
    browser.wait_for("the refusal", |b| {
        b.source()
            .contains("Identifiant, mot de passe ou code incorrect.")
    });
    assert!(browser.find("[role=alert]").len() > 1);
    browser.assert_accessible("the sign-in page with its refusal");

    // The right one: the browser lands on the software's redirect URI with a code.
    browser.type_in("#mot_de_passe", PASSWORD);
    browser.click("button[type=submit]");
    browser.wait_for("the redirect", |b| b.url().starts_with(&redirect));
    let landed = browser.url();
    assert!(landed.starts_with(&format!("{redirect}?code=")), "{landed}");
    assert!(landed.ends_with("&state=etat-7"), "{landed}");
    // The check is alive: the software's bare page has no main landmark nor heading.
    let bare = browser.accessibility_violations();
    assert!(
        bare.iter().any(|v| v.starts_with("landmark-one-main"))
            && bare.iter().any(|v| v.starts_with("page-has-heading-one")),
        "{bare:#?}"
    );
    let path = hits
        .recv_timeout(Duration::from_secs(10))
        .expect("the software received the redirect");
    assert!(path.starts_with("/retour?code="), "{path}");
    let code = landed
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();

    // The software exchanges it, and acts for the person.
    let tokens = TestEnv::read(
        Client::new()
            .post(format!("{}/api/v1/oauth/token", env.base_url()))
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", &client_id),
                ("code", &code),
                ("redirect_uri", &redirect),
                ("code_verifier", VERIFIER),
            ])
            .send()
            .unwrap(),
    );
    assert_eq!(tokens.status, 200, "{tokens:?}");
    let access = tokens.body["access_token"].as_str().unwrap();
    assert_eq!(
        env.get(&format!("/api/v1/partners/{partner}"), access)
            .status,
        200
    );
}

fn the_explorer_renders_under_its_content_security_policy(engine: Engine) {
    // The explorer's policy forbids everything from elsewhere; it must still work: the
    // document's title and every operation shown, nothing refused by the policy.
    let env = TestEnv::start(engine);
    let driver = Driver::start();
    let browser = Browser::open(&driver);
    browser.go(&format!("{}/swagger-ui/", env.base_url()));
    browser.wait_for("the operations listed", |b| {
        b.script("return document.querySelectorAll('.opblock').length")
            .as_u64()
            .is_some_and(|n| n >= 100)
    });
    let title = browser.script("return document.querySelector('.info .title').textContent");
    assert!(
        title
            .as_str()
            .unwrap_or("")
            .contains("Mon Compte Partenaire"),
        "{title}"
    );
    let refused: Vec<String> = browser
        .console()
        .into_iter()
        .filter(|m| m.contains("Content Security Policy") || m.contains("Refused to"))
        .collect();
    assert!(
        refused.is_empty(),
        "the policy broke the explorer: {refused:?}"
    );
}

/// The explorer's "Authorize" runs the code flow with PKCE as partner software registered with
/// the explorer's redirect page: a person signs in on this service's page in the window it
/// opens, the explorer exchanges the code, and "Try it out" then calls for that person.
fn the_explorer_signs_a_person_in_and_calls_for_them(engine: Engine) {
    let (env, caf_admin, partner, identifier) = a_partner_and_its_administrator(engine);
    let redirect = format!("{}/swagger-ui/oauth2-redirect.html", env.base_url());
    // Every scope the document offers, as the explorer's "select all" asks them.
    let r = env.post(
        &format!("/api/v1/partners/{partner}/client-applications"),
        &caf_admin,
        json!({"name": "Explorateur de l'API", "redirect_uris": [redirect],
               "scopes": "profile registry:read registry:write habilitations:read habilitations:write cdap:read"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let client_id = r.body["client_id"].as_str().unwrap().to_string();

    let driver = Driver::start();
    let browser = Browser::open(&driver);
    browser.go(&format!("{}/swagger-ui/", env.base_url()));
    browser.wait_for("the explorer", |b| {
        b.script("return document.querySelectorAll('.opblock').length")
            .as_u64()
            .is_some_and(|n| n >= 100)
    });
    let explorer = browser.windows()[0].clone();
    browser.click(".auth-wrapper .btn.authorize");
    browser.wait_for("the authorization dialog", |b| {
        b.script("return document.querySelector('input[id^=client_id_]') !== null")
            .as_bool()
            .unwrap_or(false)
    });
    browser.type_in("input[id^=client_id_]", &client_id);
    browser.script(
        "document.querySelector('input[id^=client_id_]').closest('.auth-container').querySelector('a[data-all]').click()",
    );
    let authorize = browser.find_by(
        "xpath",
        "//input[starts-with(@id,'client_id_')]/ancestor::div[contains(@class,'auth-container')]//button[contains(@class,'authorize')]",
    );
    // Enter on the focused button: a user gesture, so the browser lets it open the window.
    browser.press_enter(&authorize);

    // The sign-in page, in the window the explorer opened.
    browser.wait_for("the sign-in window", |b| b.windows().len() == 2);
    let popup = browser
        .windows()
        .into_iter()
        .find(|w| *w != explorer)
        .unwrap();
    browser.switch_to(&popup);
    browser.wait_for("the sign-in page", |b| {
        b.source().contains("Explorateur de l'API")
    });
    browser.type_in("#identifiant", &identifier);
    browser.type_in("#mot_de_passe", PASSWORD);
    browser.click("button[type=submit]");
    // The redirect page hands the code to the explorer and closes its window.
    browser.wait_for("the window to close", |b| b.windows().len() == 1);
    browser.switch_to(&explorer);
    browser.wait_for("the explorer to hold a token", |b| {
        b.script(
            "return document.querySelector('button[aria-label=\"Remove authorization\"]') !== null",
        )
        .as_bool()
        .unwrap_or(false)
    });
    browser.script("document.querySelector('.modal-ux .close-modal').click()");

    // "Try it out" on GET /me: the explorer calls with the person's token.
    browser.click("#operations-me-get_me .opblock-summary-control");
    browser.wait_for("the operation opened", |b| {
        b.script("return document.querySelector('#operations-me-get_me .try-out__btn') !== null")
            .as_bool()
            .unwrap_or(false)
    });
    browser.click("#operations-me-get_me .try-out__btn");
    browser.click("#operations-me-get_me .execute");
    let answer = || {
        browser
            .script(
                "const r = document.querySelector('#operations-me-get_me .live-responses-table'); return r ? r.innerText : ''",
            )
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    browser.wait_for("the answer", |_| answer().contains("Response body"));
    let answer = answer();
    // The person's own account, read with the token the explorer was given for them.
    assert!(answer.contains("200"), "{answer}");
    assert!(
        answer.contains(&format!("\"identifier\": \"{identifier}\"")),
        "{answer}"
    );
    assert!(
        answer.contains("\"full_name\": \"Claire Dupont\""),
        "{answer}"
    );
    let refused: Vec<String> = browser
        .console()
        .into_iter()
        .filter(|m| m.contains("Content Security Policy") || m.contains("Refused to"))
        .collect();
    assert!(refused.is_empty(), "{refused:?}");
}

/// The first line of `mail` that is a link to `path` on the service.
fn link_in(mail: &str, path: &str) -> String {
    mail.lines()
        .map(str::trim)
        .find(|l| l.starts_with("http") && l.contains(path))
        .unwrap_or_else(|| panic!("no link to {path} in {mail}"))
        .to_string()
}

fn a_person_activates_and_resets_their_password_on_the_pages(engine: Engine) {
    let (env, caf_admin, partner, admin_identifier) = a_partner_and_its_administrator(engine);
    env.active_convention(&caf_admin, &partner, "761-2026-0099", 2);
    let admin = env.login(&admin_identifier, PASSWORD);
    let r = env.post(
        &format!("/api/v1/partners/{partner}/users"),
        &admin,
        json!({"full_name": "Léa Martin", "function_title": "Assistante sociale", "email": "lea@ccas.example", "phone": "01 02 03 04 05"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let identifier = r.body["identifier"].as_str().unwrap().to_string();
    let mail = env.mail_to("lea@ccas.example");
    let code =
        mcp_integration_tests::field_after(&mail, "Votre code d'activation, à usage unique : ");
    let link = link_in(&mail, "/compte/activation");
    assert!(link.starts_with(env.base_url()), "{link}");

    let driver = Driver::start();
    let browser = Browser::open(&driver);
    browser.go(&link);
    let title = |b: &Browser| {
        b.script("return document.title")
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        title(&browser),
        "Activer mon compte — Mon Compte Partenaire"
    );
    let page = browser.source();
    assert!(
        page.contains("Je m'engage à n'utiliser"),
        "the commitment is shown"
    );
    assert!(
        page.contains("au moins 12 caractères"),
        "the policy is shown"
    );
    assert!(
        page.contains("Mentions légales")
            && page.contains("Caisse nationale des allocations familiales"),
        "{page}"
    );
    assert_eq!(browser.label_of("#code"), "Code d'activation");
    let prefilled = browser.script("return document.getElementById('identifiant').value");
    assert_eq!(prefilled, json!(identifier));
    browser.assert_accessible("the activation page");

    // Two different passwords: the page again, its title saying so.
    browser.type_in("#code", &code);
    browser.type_in("#mot_de_passe", PASSWORD);
    browser.type_in("#confirmation", "Autre-Chose-2026!");
    browser.click("button[type=submit]");
    browser.wait_for("the mismatch", |b| {
        b.source()
            .contains("Les deux mots de passe saisis diffèrent")
    });
    assert_eq!(
        title(&browser),
        "Erreur — Activer mon compte — Mon Compte Partenaire"
    );
    browser.assert_accessible("the activation page with its refusal");

    // The commitment not accepted: refused, nothing activated.
    browser.type_in("#code", &code);
    browser.type_in("#mot_de_passe", PASSWORD);
    browser.type_in("#confirmation", PASSWORD);
    browser.click("button[type=submit]");
    browser.wait_for("the refusal", |b| {
        title(b).starts_with("Erreur") && !b.source().contains("diffèrent")
    });
    let refused = env.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(&json!({"identifier": identifier, "password": PASSWORD})),
    );
    assert_eq!(refused.status, 401, "{refused:?}");

    // Accepted: activated, and the person signs in with the password chosen.
    browser.type_in("#code", &code);
    browser.type_in("#mot_de_passe", PASSWORD);
    browser.type_in("#confirmation", PASSWORD);
    browser.click("#engagement");
    browser.click("button[type=submit]");
    browser.wait_for("the activation", |b| {
        b.source().contains("Votre compte est activé")
    });
    browser.assert_accessible("the activation's confirmation");
    env.login(&identifier, PASSWORD);

    // Forgotten: the sign-in page links to the page asking for a code, the message links to
    // the page where the new password is chosen.
    browser.go(&format!("{}/compte/mot-de-passe-oublie", env.base_url()));
    browser.assert_accessible("the forgotten-password page");
    browser.type_in("#identifiant", &identifier);
    browser.click("button[type=submit]");
    browser.wait_for("the answer", |b| {
        b.source().contains("Si cet identifiant correspond")
    });
    browser.assert_accessible("the forgotten-password page's answer");
    let mail = env.mail_with("lea@ccas.example", "Votre code de réinitialisation");
    let code = mcp_integration_tests::field_after(
        &mail,
        "Votre code de réinitialisation, à usage unique : ",
    );
    browser.go(&link_in(&mail, "/compte/nouveau-mot-de-passe"));
    browser.assert_accessible("the new-password page");
    let new_password = "Nouvelle-Saison-2027!";
    browser.type_in("#code", &code);
    browser.type_in("#mot_de_passe", new_password);
    browser.type_in("#confirmation", new_password);
    browser.click("button[type=submit]");
    browser.wait_for("the change", |b| {
        b.source()
            .contains("Votre nouveau mot de passe est enregistré")
    });
    browser.assert_accessible("the new password's confirmation");
    env.login(&identifier, new_password);

    // A form posted from elsewhere (no page, no cookie) is refused and changes nothing.
    let forged = Client::new()
        .post(format!("{}/compte/nouveau-mot-de-passe", env.base_url()))
        .header("Origin", "https://ailleurs.example")
        .form(&[
            ("identifiant", identifier.as_str()),
            ("code", "x"),
            ("mot_de_passe", PASSWORD),
            ("confirmation", PASSWORD),
            ("jeton", "x"),
        ])
        .send()
        .unwrap();
    assert_eq!(forged.status(), 403);
    env.login(&identifier, new_password);

    // The legal pages answer, in French.
    for path in [
        "/mentions-legales",
        "/donnees-personnelles",
        "/accessibilite",
    ] {
        browser.go(&format!("{}{path}", env.base_url()));
        assert!(browser.source().contains("<html lang=\"fr\">"), "{path}");
        browser.assert_accessible(path);
    }
}
