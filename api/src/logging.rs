//! The process's log: plain text lines for a person reading a terminal, or one JSON object a
//! line (`MCP_LOG_FORMAT=json`) for a log collector. Either way `RUST_LOG` filters it, and the
//! access log in it names routes, never the people in them (`access_log`).

use std::io::Write;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// `[time LEVEL target] message`, env_logger's own.
    #[default]
    Text,
    /// `{"time": …, "level": …, "target": …, "message": …}`, one a line.
    Json,
}

impl LogFormat {
    /// Reads `MCP_LOG_FORMAT`.
    pub fn parse(v: &str) -> Result<Self, String> {
        match v.trim() {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => Err(format!("must be text or json, got {other:?}")),
        }
    }
}

/// One JSON log line.
pub fn json_line(
    time: chrono::DateTime<chrono::Utc>,
    level: log::Level,
    target: &str,
    message: &str,
) -> String {
    serde_json::json!({
        "time": time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "level": level.as_str(),
        "target": target,
        "message": message,
    })
    .to_string()
}

/// Starts the log in `format`, at `default_filter` unless `RUST_LOG` says otherwise.
pub fn init(format: LogFormat, default_filter: &str) {
    let mut builder =
        env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(default_filter));
    if format == LogFormat::Json {
        builder.format(|buf, record| {
            writeln!(
                buf,
                "{}",
                json_line(
                    chrono::Utc::now(),
                    record.level(),
                    record.target(),
                    &record.args().to_string()
                )
            )
        });
    }
    builder.init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_json_object_a_line() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-12-02T04:05:06.789Z")
            .unwrap()
            .to_utc();
        let line = json_line(t, log::Level::Warn, "mcp_api", "a \"quoted\"\nmessage");
        assert!(!line.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["time"], "2026-12-02T04:05:06.789Z");
        assert_eq!(v["level"], "WARN");
        assert_eq!(v["message"], "a \"quoted\"\nmessage");
        assert_eq!(LogFormat::parse("json"), Ok(LogFormat::Json));
        assert!(LogFormat::parse("xml").is_err());
    }
}
