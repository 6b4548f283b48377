//! The ownership grammar, restated (Sentry's PEG, `ownership_grammar`):
//!
//! ```text
//! line     := SP* (comment | rule | "") NEWLINE?        SP is a single U+0020; NEWLINE \r or \n
//! rule     := matcher owner* (SP+ comment)?
//! matcher  := (type ":")? pattern                        no type => path
//! type     := "url" | "path" | "module" | "codeowners" | "tags." [^:]+
//! pattern  := '"' escaped '"' | \S+
//! owner    := SP+ "#"? \S+                               "#x" is team x; "# x" starts a comment
//! ```
//! PEG does not backtrack into a matched optional: once `path:` is read as a type, the pattern
//! must follow at once, so `path: #team` is an error rather than a path named `path:`.

use crate::{MatcherType, Owner, Rule};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Worded as Sentry words it, with what was expected.
    #[error("Parse error: ownership (line {line}, column {column}): {expected}")]
    Syntax {
        line: usize,
        column: usize,
        expected: String,
    },
    /// A rule other than `codeowners:` names no owner; Sentry refuses to save it.
    #[error("Missing owner in rule: {rule} (line {line})")]
    MissingOwner { line: usize, rule: String },
}

/// Parses ownership rules text into rules, in order.
pub fn parse(text: &str) -> Result<Vec<Rule>, ParseError> {
    let mut rules = Vec::new();
    // "\r\n" counts as one line end, so line numbers match what the user's editor shows.
    let mut number = 0;
    let mut rest = text;
    while !rest.is_empty() || number == 0 {
        number += 1;
        let end = rest.find(['\r', '\n']).unwrap_or(rest.len());
        let line = &rest[..end];
        if let Some(rule) = parse_line(line, number)? {
            rules.push(rule);
        }
        rest = &rest[end..];
        rest = rest
            .strip_prefix("\r\n")
            .or_else(|| rest.strip_prefix('\n'))
            .or_else(|| rest.strip_prefix('\r'))
            .unwrap_or(rest);
    }
    Ok(rules)
}

struct Cursor<'a> {
    line: &'a str,
    at: usize,
    number: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        &self.line[self.at..]
    }

    fn skip_spaces(&mut self) -> usize {
        let n = self.rest().bytes().take_while(|b| *b == b' ').count();
        self.at += n;
        n
    }

    /// `\S+`: a run of non-whitespace characters.
    fn token(&mut self) -> &'a str {
        let rest = self.rest();
        let n = rest.find(char::is_whitespace).unwrap_or(rest.len());
        self.at += n;
        &rest[..n]
    }

    fn error(&self, expected: impl Into<String>) -> ParseError {
        let column = self.line[..self.at].chars().count() + 1;
        ParseError::Syntax {
            line: self.number,
            column,
            expected: expected.into(),
        }
    }
}

fn parse_line(line: &str, number: usize) -> Result<Option<Rule>, ParseError> {
    let mut c = Cursor { line, at: 0, number };
    c.skip_spaces();
    if c.rest().is_empty() || c.rest().starts_with('#') {
        return Ok(None);
    }
    let matcher = matcher_type(&mut c)?;
    let pattern = pattern(&mut c)?;
    let mut owners = Vec::new();
    loop {
        let spaces = c.skip_spaces();
        let rest = c.rest();
        if rest.is_empty() {
            break;
        }
        if spaces == 0 {
            return Err(c.error("a space between tokens (tabs do not separate them)"));
        }
        if let Some(team) = rest.strip_prefix('#') {
            if team.is_empty() || team.starts_with(char::is_whitespace) {
                break; // "# …" ends the rule: the rest of the line is a comment
            }
            c.at += 1;
            owners.push(Owner::Team(c.token().to_owned()));
        } else {
            if rest.starts_with(char::is_whitespace) {
                return Err(c.error("a space between tokens (tabs do not separate them)"));
            }
            owners.push(Owner::User(c.token().to_lowercase()));
        }
    }
    if owners.is_empty() && matcher != MatcherType::Codeowners {
        return Err(ParseError::MissingOwner {
            line: number,
            rule: format!("{}:{pattern}", matcher.as_sentry()),
        });
    }
    Ok(Some(Rule {
        line: number,
        matcher,
        pattern,
        owners,
    }))
}

fn matcher_type(c: &mut Cursor) -> Result<MatcherType, ParseError> {
    let rest = c.rest();
    for (keyword, kind) in [
        ("url:", MatcherType::Url),
        ("path:", MatcherType::Path),
        ("module:", MatcherType::Module),
        ("codeowners:", MatcherType::Codeowners),
    ] {
        if rest.starts_with(keyword) {
            c.at += keyword.len();
            return Ok(kind);
        }
    }
    if let Some(tag) = rest.strip_prefix("tags.")
        && let Some(colon) = tag.find(':').filter(|&i| i > 0)
    {
        c.at += "tags.".len() + colon + 1;
        return Ok(MatcherType::Tag(tag[..colon].to_owned()));
    }
    Ok(MatcherType::Path)
}

fn pattern(c: &mut Cursor) -> Result<String, ParseError> {
    let rest = c.rest();
    if rest.is_empty() || rest.starts_with(char::is_whitespace) {
        return Err(c.error("a pattern right after the type and its colon"));
    }
    if rest.starts_with('"')
        && let Some((value, used)) = quoted(rest)
    {
        c.at += used;
        return Ok(value);
    }
    Ok(c.token().to_owned())
}

/// A double-quoted pattern with backslash escapes (Python's `unicode-escape`, as Sentry decodes
/// it); `None` when the quote is not closed, so the pattern is read as a plain token.
fn quoted(text: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = text.char_indices().skip(1);
    while let Some((i, ch)) = chars.next() {
        match ch {
            '"' => return Some((out, i + 1)),
            '\\' => {
                let (_, esc) = chars.next()?;
                match esc {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'u' => {
                        let hex: String = (0..4).filter_map(|_| chars.next().map(|(_, h)| h)).collect();
                        out.push(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)?);
                    }
                    other => out.push(other),
                }
            }
            other => out.push(other),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn cases(kind: &str) -> Vec<Value> {
        let doc: Value = serde_json::from_str(include_str!("../../../testdata/sentry/ownership.json")).unwrap();
        doc["cases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["kind"] == kind)
            .cloned()
            .collect()
    }

    fn owner_text(owner: &Owner) -> String {
        owner.to_string()
    }

    #[test]
    fn every_parse_vector_parses_as_sentry_does() {
        let cases = cases("parse");
        assert!(cases.len() >= 8);
        for case in cases {
            let id = case["id"].as_str().unwrap();
            let rules = parse(case["rules"].as_str().unwrap()).unwrap_or_else(|e| panic!("{id}: {e}"));
            let want = case["expected_rules"].as_array().unwrap();
            assert_eq!(rules.len(), want.len(), "{id}: {rules:?}");
            for (rule, want) in rules.iter().zip(want) {
                assert_eq!(rule.matcher.as_sentry(), want["type"].as_str().unwrap(), "{id}");
                assert_eq!(rule.pattern, want["pattern"].as_str().unwrap(), "{id}");
                let owners: Vec<String> = rule.owners.iter().map(owner_text).collect();
                let want_owners: Vec<&str> = want["owners"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|o| o.as_str().unwrap())
                    .collect();
                assert_eq!(owners, want_owners, "{id}");
            }
        }
    }

    #[test]
    fn every_invalid_vector_is_refused_as_sentry_does() {
        for case in cases("invalid") {
            let id = case["id"].as_str().unwrap();
            let err = parse(case["rules"].as_str().unwrap()).expect_err(id).to_string();
            let want = case["expected_error"].as_str().unwrap();
            // Sentry's column numbers come from its parser library; the line and the wording hold.
            let prefix = want.split(", column").next().unwrap();
            assert!(err.starts_with(prefix), "{id}: {err} vs {want}");
        }
    }

    #[test]
    fn errors_name_the_line_and_column() {
        let err = parse("*.py #t\n\nsrc/*\t#team\n").unwrap_err();
        assert_eq!(
            err,
            ParseError::Syntax {
                line: 3,
                column: 6,
                expected: "a space between tokens (tabs do not separate them)".into()
            }
        );
        assert_eq!(
            parse("path: #team").unwrap_err().to_string(),
            "Parse error: ownership (line 1, column 6): a pattern right after the type and its colon"
        );
        assert_eq!(
            parse("\n  url:*.io\n").unwrap_err(),
            ParseError::MissingOwner {
                line: 2,
                rule: "url:*.io".into()
            }
        );
    }

    #[test]
    fn line_numbers_count_crlf_once_and_rules_keep_them() {
        let rules = parse("# c\r\n*.py #t\r\n\r\nsrc/* a@b.io").unwrap();
        assert_eq!(rules.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 4]);
    }

    #[test]
    fn odd_input_never_panics() {
        for text in [
            "\"",
            "\"unterminated #t",
            "tags.:x #t",
            "tags.k: #t",
            "\\u12 #t",
            "\"\\u00zz\" #t",
            "é:ü ö",
            "#",
            "\r\r\r",
            "tags.a:b",
        ] {
            let _ = parse(text);
        }
    }
}
