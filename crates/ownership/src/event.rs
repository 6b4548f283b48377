//! The parts of a Sentry event that ownership rules read, from the event JSON as Sentry's API
//! returns it (`entries`, camelCase frames) or as webhooks and stored events carry it
//! (`exception`, snake_case frames).

use serde_json::{Map, Value};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frame {
    pub filename: Option<String>,
    pub abs_path: Option<String>,
    pub module: Option<String>,
    pub package: Option<String>,
    pub in_app: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Event {
    pub platform: Option<String>,
    pub sdk_name: Option<String>,
    /// The frames rules read, oldest first, chosen as Sentry's `find_stack_frames` does.
    pub frames: Vec<Frame>,
    /// `request.url`.
    pub url: Option<String>,
    pub tags: Vec<(String, String)>,
    /// The event's `user` interface (for `tags.user.<field>` rules).
    pub user: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("the event is not a JSON object")]
    NotAnObject,
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Event {
    pub fn from_json(value: &Value) -> Result<Event, EventError> {
        let event = value.as_object().ok_or(EventError::NotAnObject)?;
        // The API's latest-event answer puts interfaces in `entries: [{type, data}]`.
        let mut interfaces: Map<String, Value> = event.clone();
        if let Some(entries) = event.get("entries").and_then(Value::as_array) {
            for entry in entries {
                if let (Some(kind), Some(data)) = (entry.get("type").and_then(Value::as_str), entry.get("data")) {
                    interfaces.insert(kind.to_owned(), data.clone());
                }
            }
        }
        Ok(Event {
            platform: event.get("platform").and_then(text),
            sdk_name: event.get("sdk").and_then(|s| s.get("name")).and_then(text),
            frames: select_frames(&interfaces),
            url: interfaces.get("request").and_then(|r| r.get("url")).and_then(text),
            tags: tags(event.get("tags")),
            user: interfaces
                .get("user")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
        })
    }
}

/// Exception frames; else the top-level stacktrace; else the crashing thread's.
fn select_frames(interfaces: &Map<String, Value>) -> Vec<Frame> {
    let values = |key: &str| -> Vec<Value> {
        match interfaces.get(key) {
            Some(Value::Object(o)) => o.get("values").and_then(Value::as_array).cloned().unwrap_or_default(),
            Some(Value::Array(a)) => a.clone(),
            _ => Vec::new(),
        }
    };
    let exception: Vec<Frame> = values("exception")
        .iter()
        .flat_map(|v| frames_of(v.get("stacktrace")))
        .collect();
    if !exception.is_empty() {
        return exception;
    }
    let top = frames_of(interfaces.get("stacktrace"));
    if !top.is_empty() {
        return top;
    }
    let threads = values("threads");
    let flag = |key: &str| {
        threads
            .iter()
            .filter(|t| t.get(key) == Some(&Value::Bool(true)))
            .collect::<Vec<_>>()
    };
    let crashing = if threads.len() == 1 {
        threads.first()
    } else if let [one] = flag("crashed").as_slice() {
        Some(*one)
    } else if let [one] = flag("current").as_slice() {
        Some(*one)
    } else {
        None
    };
    crashing.map(|t| frames_of(t.get("stacktrace"))).unwrap_or_default()
}

fn frames_of(stacktrace: Option<&Value>) -> Vec<Frame> {
    let Some(frames) = stacktrace.and_then(|s| s.get("frames")).and_then(Value::as_array) else {
        return Vec::new();
    };
    frames
        .iter()
        .filter(|f| f.is_object())
        .map(|f| {
            let field = |snake: &str, camel: &str| f.get(snake).or_else(|| f.get(camel)).and_then(text);
            Frame {
                filename: field("filename", "filename"),
                abs_path: field("abs_path", "absPath"),
                module: field("module", "module"),
                package: field("package", "package"),
                in_app: f.get("in_app").or_else(|| f.get("inApp")).and_then(Value::as_bool),
            }
        })
        .collect()
}

/// Tags as Sentry writes them: `[{"key", "value"}]` (API), `[[key, value]]` (stored events), or
/// an object.
fn tags(value: Option<&Value>) -> Vec<(String, String)> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| match item {
                Value::Array(pair) if pair.len() == 2 => Some((text(&pair[0])?, text(&pair[1])?)),
                Value::Object(o) => Some((text(o.get("key")?)?, text(o.get("value")?)?)),
                _ => None,
            })
            .collect(),
        Some(Value::Object(map)) => map.iter().filter_map(|(k, v)| Some((k.clone(), text(v)?))).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_api_shape_and_the_raw_shape_read_alike() {
        let api = json!({
            "platform": "python",
            "entries": [
                {"type": "exception", "data": {"values": [{"stacktrace": {"frames": [{"filename": "a.py", "absPath": "/x/a.py", "inApp": true}]}}]}},
                {"type": "request", "data": {"url": "https://x.io/p"}}
            ],
            "tags": [{"key": "level", "value": "error"}]
        });
        let raw = json!({
            "platform": "python",
            "exception": {"values": [{"stacktrace": {"frames": [{"filename": "a.py", "abs_path": "/x/a.py", "in_app": true}]}}]},
            "request": {"url": "https://x.io/p"},
            "tags": [["level", "error"]]
        });
        let a = Event::from_json(&api).unwrap();
        assert_eq!(a, Event::from_json(&raw).unwrap());
        assert_eq!(a.frames[0].abs_path.as_deref(), Some("/x/a.py"));
        assert_eq!(a.url.as_deref(), Some("https://x.io/p"));
        assert_eq!(a.tags, vec![("level".into(), "error".into())]);
    }

    #[test]
    fn frames_fall_back_to_the_stacktrace_then_the_crashing_thread() {
        let threads = json!({"threads": {"values": [
            {"crashed": false, "stacktrace": {"frames": [{"filename": "idle.c"}]}},
            {"crashed": true, "stacktrace": {"frames": [{"filename": "crash.c"}]}}
        ]}});
        assert_eq!(
            Event::from_json(&threads).unwrap().frames[0].filename.as_deref(),
            Some("crash.c")
        );
        let top = json!({"stacktrace": {"frames": [{"filename": "top.js"}]}, "exception": {"values": []}});
        assert_eq!(
            Event::from_json(&top).unwrap().frames[0].filename.as_deref(),
            Some("top.js")
        );
    }

    #[test]
    fn odd_shapes_are_tolerated() {
        assert_eq!(Event::from_json(&json!([])), Err(EventError::NotAnObject));
        let odd =
            json!({"exception": 5, "stacktrace": {"frames": [1, null, {"filename": 7}]}, "tags": "x", "entries": [1]});
        let e = Event::from_json(&odd).unwrap();
        assert_eq!(e.frames.len(), 1);
        assert_eq!(e.frames[0].filename.as_deref(), Some("7"));
    }
}
