//! Rules compiled once, then evaluated against events: which rules match, the owners, the
//! auto-assignee, as Sentry's `ProjectOwnership` computes them.
//!
//! Each rule type's patterns go into one `RegexSet`, so a frame's value is scanned once for all
//! rules of that type, however many there are.

use std::borrow::Cow;

use regex::bytes::{RegexSet, RegexSetBuilder};

use crate::event::{Event, Frame};
use crate::glob::{self, GlobOptions};
use crate::{MatcherType, Owner, Rule, codeowners};

const PATH: GlobOptions = GlobOptions {
    ignore_case: true,
    path_normalize: true,
};
const URL: GlobOptions = GlobOptions {
    ignore_case: true,
    path_normalize: false,
};
const TAG: GlobOptions = GlobOptions {
    ignore_case: false,
    path_normalize: false,
};

#[derive(Debug, thiserror::Error)]
#[error("the ownership rules are too large to compile: {0}")]
pub struct CompileError(String);

/// Patterns of one rule type, and which rule each belongs to.
#[derive(Debug)]
struct PatternSet {
    set: RegexSet,
    rule_of: Vec<usize>,
}

impl PatternSet {
    fn new(patterns: Vec<(usize, Option<String>)>) -> Result<PatternSet, CompileError> {
        // A pattern that does not parse matches nothing, as in Sentry.
        let (rule_of, regexes): (Vec<usize>, Vec<String>) = patterns
            .into_iter()
            .filter_map(|(rule, regex)| Some((rule, regex?)))
            .unzip();
        let set = RegexSetBuilder::new(regexes)
            .size_limit(64 << 20)
            .dfa_size_limit(64 << 20)
            .build()
            .map_err(|e| CompileError(e.to_string()))?;
        Ok(PatternSet { set, rule_of })
    }

    fn mark(&self, value: &str, matched: &mut [bool]) {
        // Most values match no rule: a plain search, which may stop early, rules them out before
        // the all-patterns search.
        if self.rule_of.is_empty() || !self.set.is_match(value.as_bytes()) {
            return;
        }
        for index in self.set.matches(value.as_bytes()).iter() {
            matched[self.rule_of[index]] = true;
        }
    }
}

/// One rule that matched, for "why".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Match {
    /// 0-based position in the rules text.
    pub rule: usize,
    pub line: usize,
    pub text: String,
    pub owners: Vec<Owner>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Evaluation {
    /// Every matching rule, in the order Sentry evaluates them (CODEOWNERS rules first).
    pub matches: Vec<Match>,
    /// The union of their owners, last matching rule first, de-duplicated.
    pub owners: Vec<Owner>,
    /// The first owner of the last matching rule that has owners.
    pub auto_assignee: Option<Owner>,
}

#[derive(Debug)]
pub struct Ruleset {
    rules: Vec<Rule>,
    /// Evaluation order: CODEOWNERS rules, then Issue Owners rules, so the latter win.
    order: Vec<usize>,
    path: PatternSet,
    module: PatternSet,
    url: PatternSet,
    codeowners: PatternSet,
    tags: Vec<(String, PatternSet)>,
}

impl Ruleset {
    pub fn compile(rules: Vec<Rule>) -> Result<Ruleset, CompileError> {
        let of = |kind: &dyn Fn(&MatcherType) -> bool, translate: &dyn Fn(&str) -> Option<String>| {
            rules
                .iter()
                .enumerate()
                .filter(|(_, r)| kind(&r.matcher))
                .map(|(i, r)| (i, translate(&r.pattern)))
                .collect::<Vec<_>>()
        };
        let path = PatternSet::new(of(&|m| *m == MatcherType::Path, &|p| glob::to_regex(p, PATH)))?;
        let module = PatternSet::new(of(&|m| *m == MatcherType::Module, &|p| glob::to_regex(p, PATH)))?;
        let url = PatternSet::new(of(&|m| *m == MatcherType::Url, &|p| glob::to_regex(p, URL)))?;
        let codeowners = PatternSet::new(of(&|m| *m == MatcherType::Codeowners, &codeowners::to_regex))?;
        let mut keys: Vec<String> = rules
            .iter()
            .filter_map(|r| match &r.matcher {
                MatcherType::Tag(key) => Some(key.clone()),
                _ => None,
            })
            .collect();
        keys.sort();
        keys.dedup();
        let mut tags = Vec::new();
        for key in keys {
            let set = PatternSet::new(of(&|m| *m == MatcherType::Tag(key.clone()), &|p| {
                glob::to_regex(p, TAG)
            }))?;
            tags.push((key, set));
        }
        let mut order: Vec<usize> = (0..rules.len()).collect();
        order.sort_by_key(|&i| rules[i].matcher != MatcherType::Codeowners);
        Ok(Ruleset {
            rules,
            order,
            path,
            module,
            url,
            codeowners,
            tags,
        })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn evaluate(&self, event: &Event) -> Evaluation {
        let mut matched = vec![false; self.rules.len()];
        for frame in &event.frames {
            let munged = munged_filename(event, frame);
            let keys = [frame.filename.as_deref(), frame.abs_path.as_deref(), munged.as_deref()];
            for key in keys.into_iter().flatten() {
                self.path.mark(&normalize(key), &mut matched);
                if frame.in_app != Some(false) {
                    self.codeowners.mark(key, &mut matched);
                }
            }
            if let Some(module) = &frame.module {
                self.module.mark(&normalize(module), &mut matched);
            }
        }
        if let Some(url) = &event.url {
            self.url.mark(url, &mut matched);
        }
        for (key, set) in &self.tags {
            for value in tag_values(event, key) {
                set.mark(&value, &mut matched);
            }
        }

        let matches: Vec<Match> = self
            .order
            .iter()
            .filter(|&&i| matched[i])
            .map(|&i| {
                let rule = &self.rules[i];
                let owners_text: Vec<String> = rule.owners.iter().map(ToString::to_string).collect();
                let text = format!(
                    "{}:{} {}",
                    rule.matcher.as_sentry(),
                    rule.pattern,
                    owners_text.join(" ")
                );
                Match {
                    rule: i,
                    line: rule.line,
                    text: text.trim_end().to_owned(),
                    owners: rule.owners.clone(),
                }
            })
            .collect();
        let mut owners: Vec<Owner> = Vec::new();
        for m in matches.iter().rev() {
            for owner in &m.owners {
                if !owners.contains(owner) {
                    owners.push(owner.clone());
                }
            }
        }
        let auto_assignee = matches.iter().rev().find_map(|m| m.owners.first().cloned());
        Evaluation {
            matches,
            owners,
            auto_assignee,
        }
    }
}

fn normalize(value: &str) -> Cow<'_, str> {
    if value.contains('\\') {
        Cow::Owned(value.replace('\\', "/"))
    } else {
        Cow::Borrowed(value)
    }
}

/// Platform-specific file paths Sentry derives before matching, as its `event_frames.py` frame
/// mungers do (Java, Cocoa, Flutter).
fn munged_filename(event: &Event, frame: &Frame) -> Option<String> {
    match event.platform.as_deref()? {
        "java" => {
            let (module, filename) = (frame.module.as_deref()?, frame.filename.as_deref()?);
            if module.contains('$') {
                let mut path = module.split('$').next().unwrap_or("").replace('.', "/");
                // Inner classes: the outer class's file, with abs_path's extension when clear.
                if let Some(abs) = frame.abs_path.as_deref().filter(|a| a.matches('.').count() == 1) {
                    path.push('.');
                    path.push_str(abs.rsplit('.').next().unwrap_or(""));
                }
                Some(path)
            } else if !filename.contains('/') {
                // The last module segment is the class: the file stands in its place.
                let mut segments: Vec<&str> = module.split('.').collect();
                segments.pop();
                segments.push(filename);
                Some(segments.join("/"))
            } else {
                None
            }
        }
        "cocoa" => {
            let package = frame.package.as_deref()?.trim_matches('/');
            let parts: Vec<&str> = frame.abs_path.as_deref()?.trim_matches('/').split('/').collect();
            let at = parts.iter().position(|p| *p == package)?;
            Some(parts[at..].join("/"))
        }
        "other" if event.sdk_name.as_deref() == Some("sentry.dart.flutter") => {
            let abs = frame.abs_path.as_deref()?;
            if !abs.starts_with("package:") {
                return None;
            }
            let prefix = format!("package:{}", frame.package.as_deref()?);
            if !abs.contains(&prefix) {
                return None;
            }
            Some(abs.replacen(&prefix, "", 1).trim_matches('/').to_owned()).filter(|p| !p.is_empty())
        }
        _ => None,
    }
}

/// The values a `tags.<key>` rule reads: the tag and its alias, or the user interface's field.
fn tag_values(event: &Event, key: &str) -> Vec<String> {
    let alias = match key {
        "release" => Some("sentry:release"),
        "dist" => Some("sentry:dist"),
        "user" => Some("sentry:user"),
        _ => None,
    };
    let mut values: Vec<String> = event
        .tags
        .iter()
        .filter(|(k, _)| k == key || Some(k.as_str()) == alias)
        .map(|(_, v)| v.clone())
        .collect();
    // As Sentry's `test_tag` (grammar.py at 03e0785ea55e): the event's user interface first,
    // any of its fields (and one level into its `data`) whose name ends the tag after a dot,
    // and only string values.
    if key.starts_with("user.") {
        let named = |field: &str| key.ends_with(&format!(".{field}"));
        for (field, value) in &event.user {
            if let Some(text) = value.as_str().filter(|_| named(field)) {
                values.push(text.to_owned());
            } else if field == "data"
                && let Some(data) = value.as_object()
            {
                let found = data.iter().filter(|(k, _)| named(k)).filter_map(|(_, v)| v.as_str());
                values.extend(found.map(str::to_owned));
            }
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(filename: Option<&str>, abs_path: Option<&str>, module: Option<&str>, package: Option<&str>) -> Frame {
        Frame {
            filename: filename.map(Into::into),
            abs_path: abs_path.map(Into::into),
            module: module.map(Into::into),
            package: package.map(Into::into),
            in_app: None,
        }
    }

    fn on(platform: &str) -> Event {
        Event {
            platform: Some(platform.into()),
            ..Default::default()
        }
    }

    #[test]
    fn frames_are_munged_as_sentry_does() {
        let java = on("java");
        let plain = frame(
            Some("NativeMethodAccessorImpl.java"),
            None,
            Some("jdk.internal.reflect.NativeMethodAccessorImpl"),
            None,
        );
        assert_eq!(
            munged_filename(&java, &plain).as_deref(),
            Some("jdk/internal/reflect/NativeMethodAccessorImpl.java")
        );
        let inner = frame(
            Some("Outer.kt"),
            Some("Outer.kt"),
            Some("com.example.Outer$Inner"),
            None,
        );
        assert_eq!(munged_filename(&java, &inner).as_deref(), Some("com/example/Outer.kt"));
        let with_path = frame(Some("a/B.java"), None, Some("a.B"), None);
        assert_eq!(munged_filename(&java, &with_path), None);

        let cocoa = on("cocoa");
        let app = frame(
            None,
            Some("/Users/me/code/SentryApp/Views/List.swift"),
            None,
            Some("/SentryApp/"),
        );
        assert_eq!(
            munged_filename(&cocoa, &app).as_deref(),
            Some("SentryApp/Views/List.swift")
        );
        assert_eq!(
            munged_filename(&cocoa, &frame(None, Some("/x/y.swift"), None, Some("Other"))),
            None
        );

        let flutter = Event {
            platform: Some("other".into()),
            sdk_name: Some("sentry.dart.flutter".into()),
            ..Default::default()
        };
        let dart = frame(Some("b.dart"), Some("package:my_app/src/b.dart"), None, Some("my_app"));
        assert_eq!(munged_filename(&flutter, &dart).as_deref(), Some("src/b.dart"));
        assert_eq!(
            munged_filename(&flutter, &frame(None, Some("dart:core/x.dart"), None, Some("my_app"))),
            None
        );
        assert_eq!(munged_filename(&on("other"), &dart), None, "only for the Flutter SDK");
    }

    /// `tags.user.*` rules read the user interface as Sentry's `test_tag` does (grammar.py at
    /// getsentry/sentry 03e0785ea55e01271741a120e050ec4c447856d9).
    #[test]
    fn user_tag_rules_read_the_user_interface_as_sentry_does() {
        let user = serde_json::json!({
            "email": "jane@example.com", "id": 42, "ip_address": "10.0.0.1",
            "data": {"plan": "enterprise", "seats": 12}
        });
        let event = Event {
            user: user.as_object().unwrap().clone(),
            ..Event::default()
        };
        let owners = |rules: &str| {
            let rules = Ruleset::compile(crate::parse(rules).unwrap()).unwrap();
            rules.evaluate(&event).owners.len()
        };
        assert_eq!(owners("tags.user.email:*@example.com #a"), 1);
        // Any field whose name ends the tag after a dot, and one level into `data`.
        assert_eq!(owners("tags.user.data.plan:enterprise #a"), 1);
        assert_eq!(owners("tags.user.plan:enterprise #a"), 1);
        // Only strings: a number is not matched (Sentry's `isinstance(v, str)`).
        assert_eq!(owners("tags.user.id:42 #a"), 0);
        assert_eq!(owners("tags.user.data.seats:12 #a"), 0);
        // Tag globs are case-sensitive.
        assert_eq!(owners("tags.user.email:JANE@* #a"), 0);
    }
}
