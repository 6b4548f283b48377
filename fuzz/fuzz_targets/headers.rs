//! Any bytes as the rate-limit and retry headers a server (or a proxy in front of it) sends:
//! `inf`, `1e30`, negative, garbage. Read without a panic, always.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sentry_api::{HeaderMap, HeaderName, HeaderValue};

const NAMES: [&str; 3] = [
    "retry-after",
    "x-sentry-rate-limit-reset",
    "x-sentry-rate-limit-remaining",
];

fuzz_target!(|data: &[u8]| {
    let mut headers = HeaderMap::new();
    for (name, value) in NAMES.iter().zip(data.split(|b| *b == b'\n')) {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    let _ = sentry_api::retry_after(&headers);
    let _ = sentry_api::spent_until(&headers);
});
