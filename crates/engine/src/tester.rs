//! The window's ownership tester: a project's rules (from Sentry, or as the user edits them)
//! against an event (an issue's latest in Sentry, or pasted JSON): owners, the auto-assignee and
//! the matching lines, or where the rules or the event do not read.

use serde::{Deserialize, Serialize};

use crate::enrich::Enricher;

/// What to test: `rules` as typed (none: the project's rules in Sentry), against `event` as
/// pasted JSON, else the latest event of `issue`, else nothing (the rules are only checked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OwnershipQuestion {
    pub project: String,
    pub org: String,
    pub rules: Option<String>,
    pub issue: Option<String>,
    pub event: Option<String>,
}

/// The rules tested, and what they say of the event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct OwnershipAnswer {
    /// The rules tested: as typed, or as Sentry has them.
    pub rules: String,
    /// Why the project's rules could not be read from Sentry (they can still be typed).
    pub rules_unavailable: Option<String>,
    /// Where the rules do not read, as Sentry would refuse them.
    pub error: Option<RulesError>,
    /// Why there is no event to test against (none picked, not JSON, not found).
    pub event_missing: Option<String>,
    pub owners: Vec<String>,
    pub auto_assignee: Option<String>,
    /// The matching rules, in the order Sentry evaluates them (the last one wins).
    pub matches: Vec<MatchedRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RulesError {
    pub message: String,
    /// 1-based; none when the rules as a whole are refused.
    pub line: Option<usize>,
    /// 1-based, where the grammar stopped; none when the whole rule is wrong.
    pub column: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MatchedRule {
    /// 1-based line in the rules text.
    pub line: usize,
    pub text: String,
    pub owners: Vec<String>,
}

pub async fn test(enricher: &Enricher, question: OwnershipQuestion) -> OwnershipAnswer {
    let mut answer = OwnershipAnswer::default();
    answer.rules = match question.rules {
        Some(rules) => rules,
        None => match enricher.project_rules(&question.org, &question.project).await {
            Ok(rules) => rules,
            Err(e) => {
                answer.rules_unavailable = Some(e.to_string());
                String::new()
            }
        },
    };
    let rules = match ownership::parse(&answer.rules) {
        Ok(rules) => rules,
        Err(e) => {
            let (line, column) = match &e {
                ownership::ParseError::Syntax { line, column, .. } => (*line, Some(*column)),
                ownership::ParseError::MissingOwner { line, .. } => (*line, None),
            };
            answer.error = Some(RulesError {
                message: e.to_string(),
                line: Some(line),
                column,
            });
            return answer;
        }
    };
    let event = match (question.event.filter(|e| !e.trim().is_empty()), question.issue) {
        (Some(text), _) => serde_json::from_str(&text).map_err(|e| format!("the pasted event is not JSON: {e}")),
        (None, Some(issue)) => enricher
            .latest_event(&question.org, &issue)
            .await
            .ok_or_else(|| format!("the latest event of issue {issue} could not be read from Sentry")),
        (None, None) => Err("pick an issue or paste an event to test the rules against".to_owned()),
    };
    let event = match event.and_then(|v| ownership::Event::from_json(&v).map_err(|e| e.to_string())) {
        Ok(event) => event,
        Err(why) => {
            answer.event_missing = Some(why);
            return answer;
        }
    };
    let ruleset = match ownership::Ruleset::compile(rules) {
        Ok(ruleset) => ruleset,
        Err(e) => {
            answer.error = Some(RulesError {
                message: e.to_string(),
                line: None,
                column: None,
            });
            return answer;
        }
    };
    let evaluation = ruleset.evaluate(&event);
    answer.owners = evaluation.owners.iter().map(ToString::to_string).collect();
    answer.auto_assignee = evaluation.auto_assignee.as_ref().map(ToString::to_string);
    answer.matches = evaluation
        .matches
        .iter()
        .map(|m| MatchedRule {
            line: m.line,
            text: m.text.clone(),
            owners: m.owners.iter().map(ToString::to_string).collect(),
        })
        .collect();
    answer
}
