//! Any bytes as any webhook resource: a typed error or a payload, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

const RESOURCES: [&str; 8] = [
    "issue",
    "error",
    "event_alert",
    "metric_alert",
    "comment",
    "installation",
    "event",
    "seer",
];

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    let resource = RESOURCES.get(which as usize % (RESOURCES.len() + 1)).copied();
    let _ = sentry_api::webhook::parse(resource, body);
    let headers =
        sentry_api::WebhookHeaders::read(|name| (name.len() % 2 == 0).then(|| std::str::from_utf8(body).unwrap_or("")));
    let _ = sentry_api::verify(b"secret", body, headers.signature.as_deref());
});
