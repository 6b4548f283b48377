//! Ownership: 1,000 rules (compiled once) evaluated against a 100-frame event.
//!
//!     cargo bench -p ownership --bench ownership

use std::time::{Duration, Instant};

use ownership::{Event, Frame, Ruleset, parse};

fn main() {
    let mut text = String::new();
    for i in 0..1000 {
        let line = match i % 5 {
            0 => format!("path:src/service{i}/*.py #team-{i}\n"),
            1 => format!("module:com.example.m{i}.* dev{i}@example.com\n"),
            2 => format!("url:*example.com/api/v{i}/* #web-{i}\n"),
            3 => format!("tags.customer:acme-{i}* ops{i}@example.com\n"),
            _ => format!("codeowners:/libs/lib{i}/ #lib-{i}\n"),
        };
        text.push_str(&line);
    }
    // The event hits a handful of rules, as real events do.
    text.push_str("path:*/handlers/checkout.py #payments\n");
    let started = Instant::now();
    let ruleset = Ruleset::compile(parse(&text).expect("rules parse")).expect("rules compile");
    let compile = started.elapsed();

    let frames = (0..99)
        .map(|i| Frame {
            filename: Some(format!("app/layer{}/mod{i}.py", i % 7)),
            abs_path: Some(format!("/srv/app/layer{}/mod{i}.py", i % 7)),
            module: Some(format!("app.layer{}.mod{i}", i % 7)),
            package: None,
            in_app: Some(i % 3 != 0),
        })
        .chain(std::iter::once(Frame {
            filename: Some("src/handlers/checkout.py".into()),
            ..Default::default()
        }))
        .collect();
    let event = Event {
        frames,
        url: Some("https://shop.example.com/checkout".into()),
        tags: vec![("customer".into(), "acme-13".into()), ("level".into(), "error".into())],
        ..Default::default()
    };

    // Warm up the automata's caches, then measure.
    for _ in 0..200 {
        std::hint::black_box(ruleset.evaluate(&event));
    }
    let rounds = 2000;
    let mut times: Vec<Duration> = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        std::hint::black_box(ruleset.evaluate(std::hint::black_box(&event)));
        times.push(t.elapsed());
    }
    times.sort();
    let result = ruleset.evaluate(&event);
    println!(
        "ownership: {} rules, {} frames: evaluate median {:.1} µs, p99 {:.1} µs; compile {:.1} ms; {} rules matched",
        ruleset.rules().len(),
        event.frames.len(),
        times[rounds / 2].as_secs_f64() * 1e6,
        times[rounds * 99 / 100].as_secs_f64() * 1e6,
        compile.as_secs_f64() * 1e3,
        result.matches.len(),
    );
}
