//! Sentry's ownership rules ("Issue Owners"), as users paste them from Project Settings.
//!
//! This crate reads the text exactly as Sentry's grammar does (`src/sentry/issues/ownership/
//! grammar.py`): one rule per line, `[type:]pattern owner…`, `#` comments, blank lines, CRLF.
//! [`Ruleset`] then evaluates them against an [`Event`]: which rules match, the owners and the
//! auto-assignee, with each match's line for "why".

mod codeowners;
mod event;
mod glob;
mod matcher;
mod parse;

pub use event::{Event, EventError, Frame};

/// Whether `value` matches the glob `pattern` as a whole (ownership globs: `*` and `?` cross
/// `/`, `[…]` and `{a,b}` work), ignoring ASCII case. An unparsable pattern matches nothing.
pub fn glob_matches(pattern: &str, value: &str) -> bool {
    let options = glob::GlobOptions {
        ignore_case: true,
        path_normalize: false,
    };
    glob::to_regex(pattern, options)
        .and_then(|r| regex::bytes::Regex::new(&r).ok())
        .is_some_and(|r| r.is_match(value.as_bytes()))
}
pub use matcher::{CompileError, Evaluation, Match, Ruleset};
pub use parse::{ParseError, parse};

/// What a rule's pattern is tested against.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "key")]
pub enum MatcherType {
    /// Stack frames' `filename` / `abs_path` (the default when no type is written).
    Path,
    /// The request URL.
    Url,
    /// Stack frames' `module`.
    Module,
    /// Rules imported from a CODEOWNERS file.
    Codeowners,
    /// The value of the tag with this key.
    Tag(String),
}

impl MatcherType {
    /// The type as Sentry writes it: `path`, `url`, `module`, `codeowners`, `tags.<key>`.
    pub fn as_sentry(&self) -> String {
        match self {
            MatcherType::Path => "path".into(),
            MatcherType::Url => "url".into(),
            MatcherType::Module => "module".into(),
            MatcherType::Codeowners => "codeowners".into(),
            MatcherType::Tag(key) => format!("tags.{key}"),
        }
    }
}

/// Who a rule names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "identifier")]
pub enum Owner {
    /// `#slug`, kept as written.
    Team(String),
    /// An e-mail or username, lower-cased as Sentry stores it.
    User(String),
}

impl std::fmt::Display for Owner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Owner::Team(slug) => write!(f, "#{slug}"),
            Owner::User(user) => f.write_str(user),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rule {
    /// 1-based line in the text, for "which rule matched" answers.
    pub line: usize,
    pub matcher: MatcherType,
    pub pattern: String,
    /// Empty only for `codeowners:` exclusion rules.
    pub owners: Vec<Owner>,
}
