//! Every `match` vector of `testdata/sentry/ownership.json` (Sentry's and ophio's test facts,
//! re-checked against the engines Sentry ships), table-driven.

use ownership::{Event, Frame, Ruleset, parse};
use serde_json::Value;

/// The vectors write events in a short form; this builds the same [`Event`] Sentry would read.
fn event(short: &Value) -> Event {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    Event {
        platform: short.get("platform").and_then(text),
        sdk_name: short.get("sdk_name").and_then(text),
        frames: short
            .get("frames")
            .and_then(Value::as_array)
            .map(|frames| {
                frames
                    .iter()
                    .map(|f| Frame {
                        filename: f.get("filename").and_then(text),
                        abs_path: f.get("abs_path").and_then(text),
                        module: f.get("module").and_then(text),
                        package: f.get("package").and_then(text),
                        in_app: f.get("in_app").and_then(Value::as_bool),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        url: short.get("url").and_then(text),
        tags: short
            .get("tags")
            .and_then(Value::as_object)
            .map(|t| {
                t.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                    .collect()
            })
            .unwrap_or_default(),
        user: short
            .get("user")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
    }
}

#[test]
fn every_match_vector_passes() {
    let doc: Value = serde_json::from_str(include_str!("../../../testdata/sentry/ownership.json")).unwrap();
    let cases: Vec<&Value> = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "match")
        .collect();
    assert!(cases.len() >= 50, "the vector file lost cases");
    let mut failures = Vec::new();
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let rules = parse(case["rules"].as_str().unwrap()).unwrap_or_else(|e| panic!("{id}: {e}"));
        let ruleset = Ruleset::compile(rules).unwrap();
        let result = ruleset.evaluate(&event(&case["event"]));

        let mut matching: Vec<u64> = result.matches.iter().map(|m| m.rule as u64).collect();
        matching.sort();
        let want_matching: Vec<u64> = case["expected_matching_rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        let owners: Vec<String> = result.owners.iter().map(ToString::to_string).collect();
        let want_owners: Vec<&str> = case["expected_owners"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let assignee = result.auto_assignee.as_ref().map(ToString::to_string);
        let want_assignee = case["expected_auto_assignee"].as_str().map(str::to_owned);
        if matching != want_matching || owners != want_owners || assignee != want_assignee {
            failures.push(format!(
                "{id}: rules {matching:?} (want {want_matching:?}), owners {owners:?} (want {want_owners:?}), assignee {assignee:?} (want {want_assignee:?})"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_match_says_which_line_and_rule() {
    let rules = parse("# team rules\n*.py #tiger-team\n\nsrc/* dev@example.com\n").unwrap();
    let ruleset = Ruleset::compile(rules).unwrap();
    let result = ruleset.evaluate(&Event {
        frames: vec![Frame {
            filename: Some("src/foo.py".into()),
            ..Default::default()
        }],
        ..Default::default()
    });
    let lines: Vec<(usize, &str)> = result.matches.iter().map(|m| (m.line, m.text.as_str())).collect();
    assert_eq!(
        lines,
        vec![(2, "path:*.py #tiger-team"), (4, "path:src/* dev@example.com")]
    );
}

#[test]
fn adversarial_patterns_stay_linear() {
    // A backtracking glob matcher takes exponential time here; automata do not.
    let pattern = format!("path:{}b #t", "*a".repeat(40));
    let ruleset = Ruleset::compile(parse(&pattern).unwrap()).unwrap();
    let value = "a".repeat(10_000);
    let started = std::time::Instant::now();
    let result = ruleset.evaluate(&Event {
        frames: vec![Frame {
            filename: Some(value),
            ..Default::default()
        }],
        ..Default::default()
    });
    assert!(result.matches.is_empty());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

/// The order Sentry ranks matching rules in, as `ProjectOwnership.get_issue_owners` does
/// (getsentry/sentry `src/sentry/models/projectownership.py`, read at 4d2d99cd8acc and in its
/// later form with `munged_data`; both agree): Issue Owners rules before CODEOWNERS rules, each
/// group last matching line first, whatever the kind of matcher and wherever in the stack the
/// matching frame is. The auto-assignee is the first owner of the first rule so ranked.
#[test]
fn matching_rules_rank_as_sentry_ranks_them() {
    let rules = parse(
        "codeowners:*.py coder@example.com\n\
         url:*example.com* #web\n\
         path:src/deep/* frames@example.com\n\
         tags.sku_class:enterprise #biz\n\
         path:src/top.py top@example.com\n",
    )
    .unwrap();
    let ruleset = Ruleset::compile(rules).unwrap();
    let frame = |name: &str| Frame {
        filename: Some(name.into()),
        in_app: Some(true),
        ..Default::default()
    };
    let event = Event {
        // Innermost frame last, as Sentry stores them: the deep frame raised, the top one called.
        frames: vec![frame("src/top.py"), frame("src/deep/raise.py")],
        url: Some("https://example.com/checkout".into()),
        tags: vec![("sku_class".into(), "enterprise".into())],
        ..Default::default()
    };
    let result = ruleset.evaluate(&event);
    let owners: Vec<String> = result.owners.iter().map(ToString::to_string).collect();
    assert_eq!(
        owners,
        [
            "top@example.com",
            "#biz",
            "frames@example.com",
            "#web",
            "coder@example.com"
        ]
    );
    assert_eq!(
        result.auto_assignee.map(|o| o.to_string()).as_deref(),
        Some("top@example.com")
    );

    // With no Issue Owners rule matching, CODEOWNERS decides.
    let only_codeowners = Event {
        frames: vec![frame("lib/other.py")],
        ..Default::default()
    };
    let result = ruleset.evaluate(&only_codeowners);
    assert_eq!(
        result.auto_assignee.map(|o| o.to_string()).as_deref(),
        Some("coder@example.com")
    );
}
