//! `codeowners:` patterns, matched as CODEOWNERS (gitignore-like) lines are: Sentry's
//! `codeowners_match` (getsentry/ophio `codeowners.rs`, earlier Relay).
//!
//! - A pattern with a `/` anywhere but at its end is anchored at the start of the path (a
//!   pattern's leading `/` makes the path's optional); otherwise it may start at any component.
//! - `*` and `?` stay within one component; `**/` is zero or more folders, a trailing `/**`
//!   everything below.
//! - A trailing `/` names a folder: something must follow it.
//! - Otherwise the match may end at the end of the path or at a `/`; a pattern ending `/*` only
//!   at the end.

use crate::glob::push_literal;

/// The regular expression for a CODEOWNERS `pattern` (case-sensitive, searched from the start).
pub fn to_regex(pattern: &str) -> Option<String> {
    if pattern.is_empty() {
        return None;
    }
    // As Sentry's matcher: a pattern that starts with a backslash matches any path with a file
    // or folder named by a backslash (a backslash before a `/` or at the end), whatever follows.
    if pattern.starts_with('\\') {
        return Some(r"\\(?:$|/)".to_owned());
    }
    // Anchored where a `/` stands anywhere but last, as Sentry reads it (`**//` too).
    let anchored = pattern.find('/').is_some_and(|at| at != pattern.len() - 1);
    let folder = pattern.ends_with('/') && pattern.len() > 1;
    let ends_with_star = pattern.ends_with("/*");
    let body = pattern.strip_prefix('/').unwrap_or(pattern);
    let body = body.trim_end_matches('/');

    let mut out = String::from(match (anchored, pattern.starts_with('/')) {
        (true, true) => "^/?",
        (true, false) => "^",
        (false, _) => "^(?:.*/)?",
    });
    let chars: Vec<char> = body.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' if chars.get(i + 1) == Some(&'*') => {
                let at_start = i == 0 || chars[i - 1] == '/';
                let next = chars.get(i + 2);
                if at_start && next == Some(&'/') {
                    out.push_str("(?:.*/)?");
                    i += 3;
                } else if at_start && next.is_none() {
                    out.push_str(".*");
                    i += 2;
                } else {
                    // `**` inside a component is an ordinary star.
                    out.push_str("[^/]*");
                    i += 2;
                }
                continue;
            }
            '*' => out.push_str("[^/]*"),
            '?' => out.push_str("[^/]"),
            // No escapes in CODEOWNERS: a backslash is itself.
            c => push_literal(&mut out, c),
        }
        i += 1;
    }
    if folder {
        // The folder itself (`a/` as a path) or anything in it.
        out.push_str("/.*");
    } else if ends_with_star {
        out.push('$');
    } else {
        out.push_str("(?:$|/)");
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, value: &str) -> bool {
        to_regex(pattern).is_some_and(|r| regex::bytes::Regex::new(&r).unwrap().is_match(value.as_bytes()))
    }

    #[test]
    fn codeowners_semantics() {
        assert!(matches("/libs/x/**", "libs/x/a.tsx"));
        assert!(!matches("libs/x/**", "/libs/x/a.tsx"));
        assert!(matches("test.py", "foo/test.py"));
        assert!(matches("test.py", "foo/test.py/dir_allowed"));
        assert!(matches("foo/", "foo/x.py"));
        assert!(!matches("foo/", "foo"));
        assert!(matches("foo/", "foo/"));
        assert!(matches("a\\*", "a\\x"), "a backslash is itself");
        assert!(!matches("a\\*", "a*"));
        assert!(
            matches("\\?x", "src/\\/x"),
            "a leading backslash: a path with a backslash folder"
        );
        assert!(!matches("\\?x", "\\?x"));
        assert!(!matches("/**/example.py", "/src/bad_example.py"));
        assert!(matches("**/example.py", "/src/example.py"));
        assert!(!matches("foo/*/test.py", "foo/bar/baz/test.py"));
        assert!(matches("/usr/local/src/foo/*", "/usr/local/src/foo/test.py"));
        assert!(!matches("/usr/local/src/foo/*", "/usr/local/src/foo/a/test.py"));
        assert!(!matches("Test.py", "foo/test.py"), "case-sensitive");
    }
}
