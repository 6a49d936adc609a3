//! The outbox through a mail relay: with `smtp_url` set, the activation message goes to the
//! relay over SMTP (here a minimal relay on the loopback that keeps what it receives), nothing is
//! written to the mail folder, and the person activates their account from what they received.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use mailparse::MailHeaderMap;
use mcp_integration_tests::{field_after, on_both_engines, Engine, TestEnv, PASSWORD};
use serde_json::json;

on_both_engines!(
    activation_messages_go_through_the_relay,
    the_mail_folder_holds_messages_any_mail_client_reads,
);

/// What the relay received: (envelope recipients, message data).
type Received = Arc<Mutex<Vec<(Vec<String>, String)>>>;

/// A relay speaking just enough SMTP (RFC 5321) to accept messages; returns its port.
fn relay() -> (u16, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received: Received = Arc::default();
    let keep = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let keep = keep.clone();
            std::thread::spawn(move || {
                let mut out = stream.try_clone().unwrap();
                let mut lines = BufReader::new(stream);
                let _ = out.write_all(b"220 relay.test ESMTP\r\n");
                let mut rcpt = vec![];
                let mut line = String::new();
                while lines.read_line(&mut line).unwrap_or(0) > 0 {
                    let command = line.trim_end().to_ascii_uppercase();
                    let reply: &[u8] = if command.starts_with("EHLO") {
                        b"250-relay.test\r\n250 8BITMIME\r\n"
                    } else if command.starts_with("RCPT TO:") {
                        rcpt.push(
                            line.trim_end()[8..]
                                .trim_matches(['<', '>', ' '])
                                .to_string(),
                        );
                        b"250 OK\r\n"
                    } else if command == "DATA" {
                        let _ = out.write_all(b"354 go ahead\r\n");
                        let mut data = String::new();
                        let mut l = String::new();
                        while lines.read_line(&mut l).unwrap_or(0) > 0 && l != ".\r\n" {
                            data.push_str(&l);
                            l.clear();
                        }
                        keep.lock().unwrap().push((std::mem::take(&mut rcpt), data));
                        b"250 queued\r\n"
                    } else if command == "QUIT" {
                        let _ = out.write_all(b"221 bye\r\n");
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    let _ = out.write_all(reply);
                    line.clear();
                }
            });
        }
    });
    (port, received)
}

/// Decodes a quoted-printable body (RFC 2045 §6.7).
fn quoted_printable(s: &str) -> String {
    let joined = s.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

fn activation_messages_go_through_the_relay(engine: Engine) {
    let (port, received) = relay();
    let env = TestEnv::start_with(engine, |c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
    });
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let r = env.post(
        &format!("/api/v1/cafs/{caf}/administrators"),
        &cnaf,
        json!({"full_name": "Anne Martin", "function_title": "Administratrice", "email": "anne@caf76.example"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let identifier = r.body["identifier"].as_str().unwrap().to_string();
    let mut message = None;
    for _ in 0..400 {
        if let Some(m) = received.lock().unwrap().first().cloned() {
            message = Some(m);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    let (recipients, data) = message.expect("the relay received the message");
    assert_eq!(recipients, ["anne@caf76.example"]);
    assert!(data.contains("Subject: "), "{data}");
    assert!(data.contains("Message-ID: <"), "{data}");
    let (_, body) = data.split_once("\r\n\r\n").unwrap();
    let body = if data.contains("quoted-printable") {
        quoted_printable(body)
    } else {
        body.to_string()
    };
    assert!(body.contains(&identifier), "{body}");
    let code = field_after(
        &body.replace("\r\n", "\n"),
        "Votre code d'activation, à usage unique : ",
    );
    env.activate(&identifier, &code, PASSWORD);
    env.login(&identifier, PASSWORD);
    assert!(
        std::fs::read_dir(&env.mail_dir).map_or(true, |mut d| d.next().is_none()),
        "nothing written to the mail folder"
    );
}

fn the_mail_folder_holds_messages_any_mail_client_reads(engine: Engine) {
    // Without a relay the outbox writes .eml files: a header carries only ASCII (RFC 5322), a
    // French subject as an encoded word (RFC 2047), and a mail client reads back the subject
    // and the body as they were written.
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let token = env.caf_admin(&cnaf, &caf, "anne@caf76.example");
    let identifier = env.get("/api/v1/me", &token).body["identifier"]
        .as_str()
        .unwrap()
        .to_string();
    let r = env.call(
        "POST",
        "/api/v1/auth/password-reset",
        None,
        Some(&json!({"identifier": identifier})),
    );
    assert_eq!(r.status, 202, "{r:?}");
    assert!(env.delivered("anne@caf76.example", "Message-ID"));
    let mut found = None;
    for _ in 0..200 {
        // As a mail client does: only finished `.eml` files (one being written is a hidden
        // `.tmp` that may be renamed away between the listing and the read).
        found = std::fs::read_dir(&env.mail_dir)
            .unwrap()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .filter_map(|e| std::fs::read(e.path()).ok())
            .find(|raw| {
                mailparse::parse_mail(raw).is_ok_and(|m| {
                    m.headers.iter().any(|h| {
                        h.get_key() == "Subject" && h.get_value().contains("réinitialisation")
                    })
                })
            });
        if found.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    let raw = found.expect("the reset message, its subject read back in French");
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers, then the body");
    assert!(
        raw[..head_end].is_ascii(),
        "headers are ASCII: {}",
        String::from_utf8_lossy(&raw[..head_end])
    );
    let mail = mailparse::parse_mail(&raw).unwrap();
    let header = |k: &str| mail.headers.get_first_value(k).unwrap_or_default();
    assert_eq!(
        header("Subject"),
        "Mon Compte Partenaire : réinitialisation de votre mot de passe"
    );
    assert_eq!(header("To"), "anne@caf76.example");
    assert!(header("Message-ID").ends_with("@mon-compte-partenaire>"));
    assert_eq!(header("MIME-Version"), "1.0");
    let body = mail.get_body().unwrap();
    assert!(
        body.contains("Votre code de réinitialisation, à usage unique : "),
        "{body}"
    );
}
