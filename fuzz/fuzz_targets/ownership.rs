//! Any text as ownership rules, matched against paths, modules, URLs and tags taken from the
//! same input: a parse error or an answer, never a panic, and never a slow match (the globs are
//! automata).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ownership::{Event, Frame, Ruleset};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (rules, value) = text.split_once('\0').unwrap_or((&text, "src/app.py"));
    let Ok(rules) = ownership::parse(rules) else { return };
    let Ok(ruleset) = Ruleset::compile(rules) else { return };
    let event = Event {
        platform: Some("java".into()),
        frames: vec![Frame {
            filename: Some(value.into()),
            abs_path: Some(format!("/srv/{value}")),
            module: Some(value.replace('/', ".")),
            package: None,
            in_app: Some(value.len() % 2 == 0),
        }],
        url: Some(format!("https://example.com/{value}")),
        tags: vec![
            ("release".into(), value.into()),
            ("sentry:release".into(), value.into()),
        ],
        ..Default::default()
    };
    let _ = ruleset.evaluate(&event);
});
