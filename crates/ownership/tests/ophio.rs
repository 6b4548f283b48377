//! Differential test against Sentry's own matcher: `sentry-ophio` (PyPI), the glob and
//! CODEOWNERS matcher Sentry runs, answers thousands of pattern/path pairs from a seeded
//! generator (`oracle/ophio_pairs.py`: every glob feature, escapes, slashes, case), and our
//! rules must answer the same. `scripts/setup.sh --with-test-tools` installs ophio into
//! `target/oracles/venv`.

use std::path::PathBuf;
use std::process::Command;

use ownership::{Event, Frame, Ruleset, parse};
use serde_json::Value;

const SEED: &str = "20261202";
const PAIRS: &str = "4000";

fn oracle() -> PathBuf {
    let python = std::env::var_os("OPHIO_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/oracles/venv/bin/python"));
    assert!(
        python.exists(),
        "{} is missing: sentry-ophio, Sentry's matcher, is the oracle of this test; run scripts/test, which installs it",
        python.display()
    );
    python
}

/// Whether a rule of `kind` with `pattern` matches a frame whose filename is `value`: `None`
/// when our grammar refuses the pattern (as Sentry's matcher refusing it, a non-match).
fn ours(kind: &str, pattern: &str, value: &str) -> bool {
    let Ok(rules) = parse(&format!("{kind}:{pattern} #team")) else {
        return false;
    };
    let event = Event {
        frames: vec![Frame {
            filename: Some(value.to_owned()),
            ..Frame::default()
        }],
        ..Event::default()
    };
    Ruleset::compile(rules).is_ok_and(|rules| !rules.evaluate(&event).matches.is_empty())
}

#[test]
fn our_rules_match_as_sentrys_matcher_does() {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/ophio_pairs.py");
    let out = Command::new(oracle())
        .arg(&script)
        .args([SEED, PAIRS])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pairs: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert!(pairs.len() > 5000, "the generator made only {} pairs", pairs.len());
    let mut disagreements = Vec::new();
    for pair in &pairs {
        let (kind, pattern, value) = (
            pair["kind"].as_str().unwrap(),
            pair["pattern"].as_str().unwrap(),
            pair["value"].as_str().unwrap(),
        );
        let expected = pair["expected"].as_bool().unwrap();
        if ours(kind, pattern, value) != expected {
            disagreements.push(format!("{kind}:{pattern} on {value:?}: Sentry says {expected}"));
        }
    }
    let matched = pairs.iter().filter(|p| p["expected"] == true).count();
    assert!(
        matched > pairs.len() / 5,
        "too few matching pairs ({matched}) to tell anything"
    );
    assert!(
        disagreements.is_empty(),
        "{} of {} pairs disagree with Sentry's matcher, e.g.:\n{}",
        disagreements.len(),
        pairs.len(),
        disagreements.iter().take(25).cloned().collect::<Vec<_>>().join("\n")
    );
}
