//! Every answer a test receives is checked against the contract: a refusal's status must be one
//! the operation declares, and its `code` one of the codes that response lists. A code the
//! service gives without declaring it would break a client generated from `openapi.yaml` (an
//! enum it cannot read), so the whole suite doubles as the proof that the lists are complete
//! for everything it drives.
//!
//! A success of partner software's token (one carrying a `scope` claim) is checked against the
//! operation's security: the operation must accept software (`partner_software`) and the token
//! must hold the scope declared, so that what the document tells software to ask is what the
//! service checks.
//!
//! With `MCP_RECORD_CODES=<file>`, answers are appended to the file (`operationId status code`)
//! instead, to review what the suite sees. With `MCP_RECORD_EXAMPLES=<folder>`, the first
//! successful answer of each response schema is written there (`<Schema>.json`, lists cut to two
//! items): `make examples` turns them into the contract's response examples.

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::OnceLock;

use serde_json::Value;

use crate::Reply;

struct Operation {
    method: String,
    segments: Vec<String>,
    id: String,
    responses: Value,
    security: Value,
}

fn operations() -> &'static (Vec<Operation>, Value) {
    static OPS: OnceLock<(Vec<Operation>, Value)> = OnceLock::new();
    OPS.get_or_init(|| {
        let doc = serde_json::to_value(mcp_api::openapi::document()).expect("document");
        let mut ops = vec![];
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                let Some(id) = op["operationId"].as_str() else {
                    continue;
                };
                ops.push(Operation {
                    method: method.to_uppercase(),
                    segments: path.split('/').map(str::to_string).collect(),
                    id: id.to_string(),
                    responses: op["responses"].clone(),
                    security: op["security"].clone(),
                });
            }
        }
        (ops, doc)
    })
}

/// The operation a concrete request reaches: the template with the fewest parameters among
/// those that match (`/cafs/mine` before `/cafs/{caf_id}`).
fn operation(method: &str, path: &str) -> Option<&'static Operation> {
    let path = path.split('?').next().unwrap_or(path);
    let segments: Vec<&str> = path.split('/').collect();
    operations()
        .0
        .iter()
        .filter(|o| o.method == method && o.segments.len() == segments.len())
        .filter(|o| {
            o.segments
                .iter()
                .zip(&segments)
                .all(|(t, s)| t == s || (t.starts_with('{') && !s.is_empty()))
        })
        .min_by_key(|o| o.segments.iter().filter(|t| t.starts_with('{')).count())
}

/// The codes a response of the document declares on its problem's `code`.
pub fn declared_codes(response: &Value) -> BTreeSet<String> {
    let doc = &operations().1;
    let resolve = |v: &Value| -> Value {
        match v["$ref"].as_str() {
            Some(r) => {
                let mut target = doc;
                for part in r.trim_start_matches("#/").split('/') {
                    target = &target[part];
                }
                target.clone()
            }
            None => v.clone(),
        }
    };
    let response = resolve(response);
    let schema = resolve(&response["content"]["application/problem+json"]["schema"]);
    let mut parts = vec![schema.clone()];
    if let Some(all) = schema["allOf"].as_array() {
        parts.extend(all.iter().map(resolve));
    }
    parts
        .iter()
        .filter_map(|p| p["properties"]["code"]["enum"].as_array())
        .flatten()
        .filter_map(|c| c.as_str().map(str::to_string))
        .collect()
}

/// The name of the component schema a response's JSON body refers to, if it names one.
fn schema_name(response: &Value) -> Option<&str> {
    response["content"]["application/json"]["schema"]["$ref"]
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

/// A recorded answer made short enough to read: every list cut to its first two items.
fn shortened(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().take(2).map(shortened).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), shortened(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Keeps the first successful answer of each response schema (see the module's documentation).
fn record_example(folder: &str, op: &Operation, status: &str, reply: &Reply) {
    let Some(name) = op.responses.get(status).and_then(schema_name) else {
        return;
    };
    if !reply.body.is_object() {
        return;
    }
    let path = std::path::Path::new(folder).join(format!("{name}.json"));
    // First one wins, whichever test meets the schema first.
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        let text = serde_json::to_string_pretty(&shortened(&reply.body)).expect("json");
        f.write_all(text.as_bytes()).expect("record");
    }
}

/// A success of partner software's token: the operation accepts software and the token holds
/// every scope the document asks of it.
fn check_software_scope(op: &Operation, method: &str, path: &str, token: &str) {
    let Ok(claims) = jsonwebtoken::dangerous::insecure_decode_claims::<Value>(token) else {
        return;
    };
    let Some(granted) = claims["scope"].as_str() else {
        return; // a person's own token
    };
    let granted: BTreeSet<&str> = granted.split(' ').collect();
    let declared = op
        .security
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|s| s.get("partner_software"))
        .unwrap_or_else(|| {
            panic!(
                "{} ({method} {path}) accepted partner software's token, yet its contract \
                 accepts only a person's own token; fix its function in routes::operations!",
                op.id
            )
        });
    for scope in declared.as_array().into_iter().flatten() {
        let scope = scope.as_str().unwrap_or_default();
        assert!(
            granted.contains(scope),
            "{} ({method} {path}) accepted a token without `{scope}`, the scope its contract \
             asks (granted: {granted:?}); fix its function in routes::operations!",
            op.id
        );
    }
}

/// Checks one answer (see the module's documentation).
pub fn check(method: &str, path: &str, token: Option<&str>, reply: &Reply) {
    if reply.status < 400 {
        if let (Some(op), Some(token)) = (operation(method, path), token) {
            check_software_scope(op, method, path, token);
        }
        if let (Ok(folder), Some(op)) = (
            std::env::var("MCP_RECORD_EXAMPLES"),
            operation(method, path),
        ) {
            record_example(&folder, op, &reply.status.to_string(), reply);
        }
        return;
    }
    let Some(code) = reply.body["code"].as_str() else {
        return;
    };
    let Some(op) = operation(method, path) else {
        return;
    };
    let status = reply.status.to_string();
    if let Ok(file) = std::env::var("MCP_RECORD_CODES") {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
            .expect("record file");
        writeln!(f, "{} {status} {code}", op.id).expect("record");
        return;
    }
    let Some(response) = op.responses.get(&status) else {
        panic!(
            "{} ({method} {path}) answered {status} `{code}`, a status its contract does not declare",
            op.id
        );
    };
    let declared = declared_codes(response);
    assert!(
        declared.contains(code),
        "{} ({method} {path}) answered {status} `{code}`, a code its contract does not declare \
         (declared: {declared:?}); add it to the operation's refusals in api/src/routes/mod.rs",
        op.id
    );
}
