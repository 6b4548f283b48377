//! What Sentry's webhook senders put on the wire, read into typed values.
//!
//! Two senders exist: the Integration Platform (`Sentry-Hook-*` headers) and legacy per-project
//! service hooks (`X-ServiceHook-*` headers). Both sign the exact body bytes the same way.

use serde::Deserialize;
use serde_json::Value;

use crate::models::Issue;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    IntegrationPlatform,
    ServiceHook,
}

/// The headers that matter, as received.
#[derive(Debug, Clone, Default)]
pub struct WebhookHeaders {
    pub sender: Option<Sender>,
    pub resource: Option<String>,
    pub signature: Option<String>,
    pub request_id: Option<String>,
    pub timestamp: Option<String>,
}

impl WebhookHeaders {
    /// Reads the headers through `get` (a case-insensitive header lookup), telling the senders
    /// apart by which signature header they use.
    pub fn read<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Self {
        let owned = |name: &str| get(name).map(str::to_owned);
        if let Some(signature) = owned("sentry-hook-signature") {
            WebhookHeaders {
                sender: Some(Sender::IntegrationPlatform),
                resource: owned("sentry-hook-resource"),
                signature: Some(signature),
                request_id: owned("request-id"),
                timestamp: owned("sentry-hook-timestamp"),
            }
        } else if let Some(signature) = owned("x-servicehook-signature") {
            WebhookHeaders {
                sender: Some(Sender::ServiceHook),
                resource: Some("event".to_owned()),
                signature: Some(signature),
                request_id: None,
                timestamp: owned("x-servicehook-timestamp"),
            }
        } else {
            WebhookHeaders::default()
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PayloadError {
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    #[error("the payload has no `{0}`")]
    MissingField(&'static str),
    #[error("`{field}` has the wrong shape: {detail}")]
    WrongShape { field: &'static str, detail: String },
}

/// The Integration Platform envelope: `{action, installation, data, actor}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope {
    pub action: String,
    #[serde(default)]
    pub data: Value,
    #[serde(default)]
    pub installation: Value,
    #[serde(default)]
    pub actor: Value,
}

/// A webhook read as far as the app acts on it.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// `issue.created`, `issue.resolved`, … with the serialized issue.
    Issue { action: String, issue: Box<Issue>, actor_user_id: Option<String> },
    /// A well-formed payload of a resource or action the app does not act on.
    Other { resource: String, action: String },
}

/// Parses a body whose signature was already checked. `resource` is the `Sentry-Hook-Resource`
/// header (`"event"` for service hooks).
pub fn parse(resource: &str, body: &[u8]) -> Result<Payload, PayloadError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| PayloadError::NotJson(e.to_string()))?;
    if !value.is_object() {
        return Err(PayloadError::WrongShape { field: "body", detail: "expected a JSON object".into() });
    }
    if resource == "event" {
        // Legacy service hooks carry no action; the app does not act on them yet.
        return Ok(Payload::Other { resource: resource.to_owned(), action: "alert".to_owned() });
    }
    let envelope: Envelope = serde_json::from_value(value).map_err(|e| shape("action", e))?;
    match resource {
        "issue" => {
            let issue = envelope.data.get("issue").ok_or(PayloadError::MissingField("data.issue"))?;
            let issue: Issue = Issue::deserialize(issue).map_err(|e| shape("data.issue", e))?;
            Ok(Payload::Issue { action: envelope.action, issue: Box::new(issue), actor_user_id: user_actor(&envelope.actor) })
        }
        other => Ok(Payload::Other { resource: other.to_owned(), action: envelope.action }),
    }
}

/// The actor's id when a person (not Sentry or an integration) acted.
fn user_actor(actor: &Value) -> Option<String> {
    if actor["type"] != "user" {
        return None;
    }
    match &actor["id"] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn shape(field: &'static str, e: serde_json::Error) -> PayloadError {
    PayloadError::WrongShape { field, detail: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(name: &str) -> Vec<u8> {
        let path = format!("{}/../../testdata/sentry/{name}", env!("CARGO_MANIFEST_DIR"));
        let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        serde_json::to_vec(&doc["body"]).unwrap()
    }

    #[test]
    fn issue_created_reads_the_issue() {
        let Payload::Issue { action, issue, actor_user_id } = parse("issue", &example("webhook.issue.created.json")).unwrap()
        else {
            panic!("not an issue payload")
        };
        assert_eq!(action, "created");
        assert_eq!(actor_user_id, None, "Sentry itself acted");
        assert_eq!(issue.id, "1170820242");
        assert_eq!(issue.short_id.as_deref(), Some("FRONT-END-9"));
        assert_eq!(issue.culprit.as_deref(), Some("?(runner)"));
        assert_eq!(issue.project.unwrap().slug.as_deref(), Some("front-end"));
    }

    #[test]
    fn other_resources_are_recognised_not_refused() {
        let p = parse("comment", &example("webhook.comment.created.json")).unwrap();
        assert_eq!(p, Payload::Other { resource: "comment".into(), action: "created".into() });
    }

    #[test]
    fn bad_bodies_are_typed_errors() {
        assert!(matches!(parse("issue", b"{\"action\":"), Err(PayloadError::NotJson(_))));
        assert!(matches!(parse("issue", b"<html>502</html>"), Err(PayloadError::NotJson(_))));
        assert!(matches!(parse("issue", &[0xff, 0xfe]), Err(PayloadError::NotJson(_))));
        assert!(matches!(parse("issue", b"[1]"), Err(PayloadError::WrongShape { .. })));
        assert!(matches!(parse("issue", b"{\"action\":5}"), Err(PayloadError::WrongShape { .. })));
        assert_eq!(
            parse("issue", b"{\"action\":\"created\",\"data\":{}}"),
            Err(PayloadError::MissingField("data.issue"))
        );
        assert!(matches!(
            parse("issue", b"{\"action\":\"created\",\"data\":{\"issue\":{\"id\":[]}}}"),
            Err(PayloadError::WrongShape { field: "data.issue", .. })
        ));
    }

    #[test]
    fn senders_are_told_apart_by_their_headers() {
        let h = WebhookHeaders::read(|n| match n {
            "sentry-hook-signature" => Some("ab"),
            "sentry-hook-resource" => Some("issue"),
            "request-id" => Some("r1"),
            _ => None,
        });
        assert_eq!(h.sender, Some(Sender::IntegrationPlatform));
        assert_eq!(h.resource.as_deref(), Some("issue"));
        let h = WebhookHeaders::read(|n| (n == "x-servicehook-signature").then_some("cd"));
        assert_eq!(h.sender, Some(Sender::ServiceHook));
        assert_eq!(WebhookHeaders::read(|_| None).sender, None);
    }
}
