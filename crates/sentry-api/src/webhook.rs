//! What Sentry's webhook senders put on the wire, read into typed values.
//!
//! Two senders exist: the Integration Platform (`Sentry-Hook-*` headers) and legacy per-project
//! service hooks (`X-ServiceHook-*` headers). Both sign the exact body bytes the same way.

use serde::Deserialize;
use serde_json::Value;

use crate::models::{Issue, text};

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
    #[error("no Sentry-Hook-Resource header, and the body's shape names no resource")]
    UnknownResource,
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

/// An issue webhook as its types, for [`parse`]'s fast path (the same fields `Envelope` and
/// `data.issue` give the general one).
#[derive(Deserialize)]
struct IssueDelivery {
    action: String,
    data: IssueData,
    #[serde(default)]
    actor: Value,
}

#[derive(Deserialize)]
struct IssueData {
    issue: Issue,
}

/// A webhook read as far as the app acts on it.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// `issue.created`, `issue.resolved`, … with the serialized issue.
    Issue {
        action: String,
        issue: Box<Issue>,
        actor_user_id: Option<String>,
    },
    /// `error.created`, `event_alert.triggered` and legacy service hooks: an event of an issue.
    Event(Box<EventPayload>),
    /// `metric_alert.critical|warning|resolved|open`.
    MetricAlert(Box<MetricAlert>),
    /// `comment.created|updated|deleted`.
    Comment(Box<Comment>),
    /// A well-formed payload of a resource or action the app does not act on.
    Other { resource: String, action: String },
}

/// An event Sentry sent (an error, or an alert rule firing for one).
#[derive(Debug, Clone, PartialEq)]
pub struct EventPayload {
    /// `error.created`, `event_alert.triggered` or `event.alert` (service hook).
    pub kind: String,
    pub event_id: String,
    pub issue_id: String,
    pub title: String,
    pub culprit: Option<String>,
    pub level: Option<String>,
    pub environment: Option<String>,
    pub project: Option<String>,
    pub web_url: Option<String>,
    /// The alert rule that fired, for alert kinds.
    pub rule: Option<String>,
    /// The exception's value, else the logged message.
    pub message: Option<String>,
    pub tags: Vec<(String, String)>,
    /// The event as sent, for ownership matching.
    pub event: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MetricAlert {
    /// `critical`, `warning`, `resolved` or `open`.
    pub action: String,
    /// The incident's id: every state of one incident shares it.
    pub id: String,
    pub title: String,
    pub description: String,
    pub web_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub action: String,
    pub comment_id: String,
    pub issue_id: String,
    pub project: Option<String>,
    pub text: String,
    pub actor_user_id: Option<String>,
    pub actor_name: Option<String>,
}

/// Parses a body whose signature was already checked. `resource` is the `Sentry-Hook-Resource`
/// header (`"event"` for service hooks).
pub fn parse(resource: Option<&str>, body: &[u8]) -> Result<Payload, PayloadError> {
    let resource = resource.map(str::trim).filter(|r| !r.is_empty());
    // Issue webhooks are most of what arrives: read straight into their types, the body's
    // kilobytes walked once. Anything that does not fit is read again the general way below,
    // which says exactly what is wrong.
    if resource == Some("issue")
        && let Ok(delivery) = serde_json::from_slice::<IssueDelivery>(body)
    {
        let payload = Payload::Issue {
            action: delivery.action,
            issue: Box::new(delivery.data.issue),
            actor_user_id: user_actor(&delivery.actor),
        };
        check_ids(&payload)?;
        return Ok(payload);
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| PayloadError::NotJson(e.to_string()))?;
    if !value.is_object() {
        return Err(PayloadError::WrongShape {
            field: "body",
            detail: "expected a JSON object".into(),
        });
    }
    // A delivery without `Sentry-Hook-Resource` (a proxy that drops headers) is read by its
    // body's shape where that shape says it; Sentry disables receivers that keep failing.
    let resource = match resource {
        Some(resource) => resource,
        None => infer_resource(&value).ok_or(PayloadError::UnknownResource)?,
    };
    let payload = parse_value(resource, value)?;
    check_ids(&payload)?;
    Ok(payload)
}

/// The resource a body's shape says it is: the key its `data` holds, or a service hook's event.
fn infer_resource(value: &Value) -> Option<&'static str> {
    let data = value.get("data").filter(|d| d.is_object());
    let Some(data) = data else {
        return value.get("event").filter(|e| e.is_object()).map(|_| "event");
    };
    let has = |key: &str| data.get(key).is_some_and(Value::is_object);
    if has("issue") {
        Some("issue")
    } else if has("error") {
        Some("error")
    } else if has("event") {
        Some("event_alert")
    } else if has("metric_alert") {
        Some("metric_alert")
    } else if data.get("comment_id").is_some() {
        Some("comment")
    } else {
        None
    }
}

/// An alert is keyed by its issue: an empty or unprintable id would make every later delivery
/// look like its repeat.
fn check_ids(payload: &Payload) -> Result<(), PayloadError> {
    let (field, id) = match payload {
        Payload::Issue { issue, .. } => ("data.issue.id", issue.id.as_str()),
        Payload::Event(event) => ("issue id", event.issue_id.as_str()),
        Payload::MetricAlert(alert) => ("data.metric_alert.id", alert.id.as_str()),
        Payload::Comment(comment) => ("data.issue_id", comment.issue_id.as_str()),
        Payload::Other { .. } => return Ok(()),
    };
    let sane = !id.is_empty() && id.len() <= MAX_ID && id.bytes().all(|b| b.is_ascii_graphic());
    if sane {
        Ok(())
    } else {
        Err(PayloadError::WrongShape {
            field,
            detail: format!("expected a non-empty id of at most {MAX_ID} printable characters"),
        })
    }
}

/// Sentry's ids are decimal numbers (GlitchTip's too); this leaves room and bounds what is stored.
const MAX_ID: usize = 64;

fn parse_value(resource: &str, value: Value) -> Result<Payload, PayloadError> {
    if resource == "event" {
        return service_hook(&value).map(|e| Payload::Event(Box::new(e)));
    }
    let envelope: Envelope = serde_json::from_value(value).map_err(|e| shape("action", e))?;
    let data = &envelope.data;
    match resource {
        "issue" => {
            let issue = data.get("issue").ok_or(PayloadError::MissingField("data.issue"))?;
            let issue: Issue = Issue::deserialize(issue).map_err(|e| shape("data.issue", e))?;
            Ok(Payload::Issue {
                action: envelope.action,
                issue: Box::new(issue),
                actor_user_id: user_actor(&envelope.actor),
            })
        }
        "error" if envelope.action == "created" => {
            let event = data.get("error").ok_or(PayloadError::MissingField("data.error"))?;
            Ok(Payload::Event(Box::new(event_payload("error.created", event, None)?)))
        }
        "event_alert" if envelope.action == "triggered" => {
            let event = data.get("event").ok_or(PayloadError::MissingField("data.event"))?;
            let rule = data.get("triggered_rule").and_then(text);
            Ok(Payload::Event(Box::new(event_payload(
                "event_alert.triggered",
                event,
                rule,
            )?)))
        }
        "metric_alert" => {
            let alert = data
                .get("metric_alert")
                .filter(|a| a.is_object())
                .ok_or(PayloadError::MissingField("data.metric_alert"))?;
            let id = alert
                .get("id")
                .and_then(text)
                .ok_or(PayloadError::MissingField("data.metric_alert.id"))?;
            let rule_name = alert.get("alert_rule").and_then(|r| r.get("name")).and_then(text);
            let title = data
                .get("description_title")
                .and_then(text)
                .or(rule_name)
                .or_else(|| alert.get("title").and_then(text))
                .unwrap_or_else(|| format!("Metric alert {id}"));
            Ok(Payload::MetricAlert(Box::new(MetricAlert {
                action: envelope.action,
                id,
                title,
                description: data.get("description_text").and_then(text).unwrap_or_default(),
                web_url: data.get("web_url").and_then(text),
            })))
        }
        "comment" => {
            let field = |name: &'static str| data.get(name).and_then(text).ok_or(PayloadError::MissingField(name));
            Ok(Payload::Comment(Box::new(Comment {
                action: envelope.action.clone(),
                comment_id: field("comment_id")?,
                issue_id: field("issue_id")?,
                project: data.get("project_slug").and_then(text),
                text: data.get("comment").and_then(text).unwrap_or_default(),
                actor_user_id: user_actor(&envelope.actor),
                actor_name: envelope.actor.get("name").and_then(text),
            })))
        }
        other => Ok(Payload::Other {
            resource: other.to_owned(),
            action: envelope.action,
        }),
    }
}

/// An event's message: its last exception's value (the one raised), else its log entry, else
/// what its metadata says.
pub(crate) fn event_message(event: &Value) -> Option<String> {
    let exception = event
        .pointer("/exception/values")
        .and_then(Value::as_array)
        .and_then(|values| values.iter().rev().find_map(|e| e.get("value").and_then(text)));
    let logged = || {
        ["/logentry/formatted", "/logentry/message", "/message"]
            .into_iter()
            .find_map(|pointer| event.pointer(pointer).and_then(text))
    };
    let metadata = || event.pointer("/metadata/value").and_then(text);
    exception.or_else(logged).or_else(metadata).filter(|m| !m.is_empty())
}

/// Tags as events carry them: `[[key, value]]` or `[{key, value}]`.
fn event_tags(event: &Value) -> Vec<(String, String)> {
    event
        .get("tags")
        .and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(|t| match t {
                    Value::Array(pair) if pair.len() == 2 => Some((text(&pair[0])?, text(&pair[1])?)),
                    Value::Object(o) => Some((text(o.get("key")?)?, text(o.get("value")?)?)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The issue id from an issue URL (`…/issues/{id}/…`).
fn issue_from_url(url: &str) -> Option<String> {
    let mut parts = url.split('/');
    parts.find(|p| *p == "issues")?;
    parts
        .next()
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned)
}

fn project_from_url(url: &str) -> Option<String> {
    let mut parts = url.split('/');
    parts.find(|p| *p == "projects")?;
    let (_org, project) = (parts.next()?, parts.next()?);
    (parts.next() == Some("events") && !project.is_empty()).then(|| project.to_owned())
}

fn event_payload(kind: &str, event: &Value, rule: Option<String>) -> Result<EventPayload, PayloadError> {
    if !event.is_object() {
        return Err(PayloadError::WrongShape {
            field: "event",
            detail: "expected an object".into(),
        });
    }
    let get = |name: &str| event.get(name).and_then(text).filter(|s| !s.is_empty());
    let web_url = get("web_url");
    let issue_id = get("issue_id")
        .or_else(|| web_url.as_deref().and_then(issue_from_url))
        .or_else(|| get("issue_url").as_deref().and_then(issue_from_url))
        .ok_or(PayloadError::MissingField("event.issue_id"))?;
    let tags = event_tags(event);
    let tag = |key: &str| tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    Ok(EventPayload {
        kind: kind.to_owned(),
        event_id: get("event_id").unwrap_or_default(),
        title: get("title")
            .or_else(|| get("message"))
            .unwrap_or_else(|| "(no title)".into()),
        culprit: get("culprit"),
        level: get("level").or_else(|| tag("level")),
        environment: get("environment").or_else(|| tag("environment")),
        // Sentry names the project by its numeric id here; the policy wants the slug, which the
        // event's API address carries (`…/api/0/projects/{org}/{project}/events/{id}/`).
        project: event
            .get("project")
            .and_then(|p| p.get("slug"))
            .and_then(text)
            .or_else(|| get("url").as_deref().and_then(project_from_url)),
        // Keep the issue's page, not the event's: actions and "open" are about the issue.
        web_url: web_url.map(|u| u.split("/events/").next().unwrap_or(&u).to_owned()),
        issue_id,
        rule,
        message: event_message(event),
        tags,
        event: event.clone(),
    })
}

/// A legacy service hook's body: `{project, group, event}` (payload v0), or the flat shape
/// `{id, project, project_name, culprit, url, message, triggering_rules, event}`.
fn service_hook(body: &Value) -> Result<EventPayload, PayloadError> {
    let event = body
        .get("event")
        .filter(|e| e.is_object())
        .ok_or(PayloadError::MissingField("event"))?;
    let mut payload = event_payload_lenient(event);
    if let Some(group) = body.get("group").filter(|g| g.is_object()) {
        payload.issue_id = group.get("id").and_then(text).unwrap_or_default();
        payload.title = group.get("title").and_then(text).unwrap_or(payload.title);
        payload.culprit = group.get("culprit").and_then(text).or(payload.culprit);
        payload.web_url = group.get("url").and_then(text).or(payload.web_url);
        payload.project = body.get("project").and_then(|p| p.get("slug")).and_then(text);
    } else {
        let url = body.get("url").and_then(text);
        payload.issue_id = url
            .as_deref()
            .and_then(issue_from_url)
            .or_else(|| body.get("id").and_then(text))
            .unwrap_or_default();
        payload.title = body
            .get("message")
            .and_then(text)
            .filter(|m| !m.is_empty())
            .unwrap_or(payload.title);
        payload.culprit = body.get("culprit").and_then(text).or(payload.culprit);
        payload.web_url = url.or(payload.web_url);
        payload.project = body.get("project").and_then(text);
        payload.rule = body
            .get("triggering_rules")
            .and_then(Value::as_array)
            .and_then(|r| r.first())
            .and_then(text);
    }
    if payload.issue_id.is_empty() {
        return Err(PayloadError::MissingField("group.id"));
    }
    Ok(payload)
}

fn event_payload_lenient(event: &Value) -> EventPayload {
    let tags = event_tags(event);
    let get = |name: &str| event.get(name).and_then(text).filter(|s| !s.is_empty());
    let tag = |key: &str| tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    EventPayload {
        kind: "event.alert".into(),
        event_id: get("event_id").unwrap_or_default(),
        issue_id: String::new(),
        title: get("title")
            .or_else(|| get("message"))
            .unwrap_or_else(|| "(no title)".into()),
        culprit: get("culprit"),
        level: get("level").or_else(|| tag("level")),
        environment: get("environment").or_else(|| tag("environment")),
        project: None,
        web_url: get("url"),
        rule: None,
        message: event_message(event),
        tags: tags.clone(),
        event: event.clone(),
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
    PayloadError::WrongShape {
        field,
        detail: e.to_string(),
    }
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
        let Payload::Issue {
            action,
            issue,
            actor_user_id,
        } = parse(Some("issue"), &example("webhook.issue.created.json")).unwrap()
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
    fn every_resource_sentry_sends_is_read() {
        let Payload::Comment(c) = parse(Some("comment"), &example("webhook.comment.created.json")).unwrap() else {
            panic!()
        };
        assert_eq!(
            (c.comment_id.as_str(), c.issue_id.as_str(), c.text.as_str()),
            ("1234", "100", "adding a comment")
        );
        assert_eq!(c.actor_user_id.as_deref(), Some("1"));

        let Payload::Event(e) = parse(Some("error"), &example("webhook.error.created.json")).unwrap() else {
            panic!()
        };
        assert_eq!((e.kind.as_str(), e.issue_id.as_str()), ("error.created", "1170820242"));
        assert_eq!(e.title, "ReferenceError: blooopy is not defined");
        assert_eq!(
            e.web_url.as_deref(),
            Some("https://sentry.io/organizations/test-org/issues/1170820242")
        );

        let Payload::Event(e) = parse(Some("event_alert"), &example("webhook.event_alert.triggered.json")).unwrap()
        else {
            panic!()
        };
        assert_eq!(e.kind, "event_alert.triggered");
        assert!(e.rule.is_some());
        // Sentry names the project by id in the event; its slug is in the event's API address,
        // and per-project preferences need it.
        assert_eq!(e.project.as_deref(), Some("front-end"));

        let Payload::MetricAlert(m) =
            parse(Some("metric_alert"), &example("webhook.metric_alert.critical.json")).unwrap()
        else {
            panic!()
        };
        assert_eq!((m.action.as_str(), m.id.as_str()), ("critical", "4"));
        let Payload::MetricAlert(r) =
            parse(Some("metric_alert"), &example("webhook.metric_alert.resolved.json")).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            (r.action.as_str(), r.id.as_str()),
            ("resolved", "4"),
            "resolved names the same incident"
        );

        let p = parse(Some("installation"), &example("webhook.installation.created.json")).unwrap();
        assert_eq!(
            p,
            Payload::Other {
                resource: "installation".into(),
                action: "created".into()
            }
        );
    }

    #[test]
    fn legacy_service_hooks_in_both_shapes() {
        let path = format!("{}/../../testdata/sentry/event.alert.json", env!("CARGO_MANIFEST_DIR"));
        let Payload::Event(e) = parse(Some("event"), &std::fs::read(path).unwrap()).unwrap() else {
            panic!()
        };
        assert_eq!((e.issue_id.as_str(), e.project.as_deref()), ("123", Some("my-project")));
        assert_eq!(
            (e.rule.as_deref(), e.environment.as_deref()),
            (Some("My Alert Rule"), Some("production"))
        );
        let v0 = br#"{"project":{"slug":"web","name":"Web"},"group":{"id":"77","title":"Boom","url":"https://s/organizations/o/issues/77/"},"event":{"event_id":"e1","level":"fatal"}}"#;
        let Payload::Event(e) = parse(Some("event"), v0).unwrap() else {
            panic!()
        };
        assert_eq!(
            (e.issue_id.as_str(), e.title.as_str(), e.level.as_deref()),
            ("77", "Boom", Some("fatal"))
        );
        assert!(matches!(
            parse(Some("event"), br#"{"event":{}}"#),
            Err(PayloadError::MissingField(_))
        ));
    }

    #[test]
    fn issue_webhooks_read_alike_by_the_fast_and_the_general_way() {
        for name in [
            "webhook.issue.created.json",
            "webhook.issue.assigned.json",
            "webhook.issue.ignored.json",
            "webhook.issue.resolved.json",
            "webhook.issue.unresolved.json",
        ] {
            let body = example(name);
            let general = parse_value("issue", serde_json::from_slice(&body).unwrap()).unwrap();
            let fast: IssueDelivery = serde_json::from_slice(&body).unwrap();
            assert_eq!(parse(Some("issue"), &body).unwrap(), general, "{name}");
            assert_eq!(
                (fast.action, fast.data.issue, user_actor(&fast.actor)),
                match general {
                    Payload::Issue {
                        action,
                        issue,
                        actor_user_id,
                    } => (action, *issue, actor_user_id),
                    other => panic!("{name}: {other:?}"),
                },
                "{name}"
            );
        }
    }

    #[test]
    fn bad_bodies_are_typed_errors() {
        assert!(matches!(
            parse(Some("issue"), b"{\"action\":"),
            Err(PayloadError::NotJson(_))
        ));
        assert!(matches!(
            parse(Some("issue"), b"<html>502</html>"),
            Err(PayloadError::NotJson(_))
        ));
        assert!(matches!(
            parse(Some("issue"), &[0xff, 0xfe]),
            Err(PayloadError::NotJson(_))
        ));
        assert!(matches!(
            parse(Some("issue"), b"[1]"),
            Err(PayloadError::WrongShape { .. })
        ));
        assert!(matches!(
            parse(Some("issue"), b"{\"action\":5}"),
            Err(PayloadError::WrongShape { .. })
        ));
        assert_eq!(
            parse(Some("issue"), b"{\"action\":\"created\",\"data\":{}}"),
            Err(PayloadError::MissingField("data.issue"))
        );
        assert!(matches!(
            parse(
                Some("issue"),
                b"{\"action\":\"created\",\"data\":{\"issue\":{\"id\":[]}}}"
            ),
            Err(PayloadError::WrongShape {
                field: "data.issue",
                ..
            })
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
