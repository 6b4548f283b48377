//! Any bytes as what Sentry's API (or a proxy in front of it) answers: issues, events, the
//! `Link` header. Read tolerantly, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<sentry_api::Issue>(data);
    let _ = serde_json::from_slice::<Vec<sentry_api::Issue>>(data);
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = ownership::Event::from_json(&value);
    }
    let _ = sentry_api::pagination::next_cursor(&String::from_utf8_lossy(data));
});
