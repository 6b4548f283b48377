//! Sentry's ownership globs, translated to regular expressions.
//!
//! Sentry matches `path`, `module`, `url` and `tags` patterns with `globset` semantics and
//! `literal_separator = false` (getsentry/ophio `glob.rs`, earlier Relay's `is_glob_match`):
//! the whole value must match; `*` and `?` cross `/`; a leading `**/` may match no folder and
//! `/**/` a single `/`; `[…]`, `[!…]` and `{a,b}` work; a pattern that does not parse matches
//! nothing. Regular expressions (finite automata) keep every match linear in the value's length,
//! whatever the pattern.

/// How a pattern is read, per rule type.
#[derive(Debug, Clone, Copy)]
pub struct GlobOptions {
    pub ignore_case: bool,
    /// `\` is a path separator (`path`, `module`): replaced by `/` in pattern and value alike.
    pub path_normalize: bool,
}

/// The regular expression (full-match, `.` matching newlines) for `pattern`, or `None` when
/// the pattern does not parse, as an unclosed `[` or `{`.
pub fn to_regex(pattern: &str, options: GlobOptions) -> Option<String> {
    let pattern = if options.path_normalize {
        pattern.replace('\\', "/")
    } else {
        pattern.to_owned()
    };
    let mut out = String::from(if options.ignore_case { "(?is)^" } else { "(?s)^" });
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut in_braces = false;
    // Where each alternative of the open brace starts in `out`.
    let mut alternatives: Vec<usize> = Vec::new();
    while i < chars.len() {
        match chars[i] {
            '*' => {
                let mut j = i;
                while j < chars.len() && chars[j] == '*' {
                    j += 1;
                }
                let double = j - i >= 2;
                let after_sep = i == 0 || chars[i - 1] == '/';
                let before_sep = chars.get(j) == Some(&'/');
                if double && before_sep && i == 0 && j + 1 == chars.len() {
                    // A pattern of only `**/` matches anything at all (as globset does).
                    out.push_str(ANY_BYTES);
                    j += 1;
                } else if double && after_sep && before_sep {
                    // `**/`: zero or more folders.
                    out.push_str("(?:(?s-u:.)*/)?");
                    j += 1;
                } else {
                    out.push_str(ANY_BYTES);
                }
                i = j;
                continue;
            }
            // One byte, as Sentry's matcher counts: a character outside ASCII takes several.
            '?' => out.push_str("(?s-u:.)"),
            '[' => {
                let (class, used) = class(&chars[i..])?;
                out.push_str(&class);
                i += used;
                continue;
            }
            '{' if !in_braces => {
                in_braces = true;
                out.push_str("(?:");
                alternatives = vec![out.len()];
            }
            '{' => return None,
            ',' if in_braces => {
                out.push('|');
                alternatives.push(out.len());
            }
            '}' if in_braces => {
                in_braces = false;
                out = drop_empty_alternatives(&out, &alternatives);
                out.push(')');
            }
            '\\' if !options.path_normalize => {
                push_literal(&mut out, *chars.get(i + 1)?);
                i += 2;
                continue;
            }
            c => push_literal(&mut out, c),
        }
        i += 1;
    }
    if in_braces {
        return None;
    }
    out.push('$');
    Some(out)
}

/// Any bytes at all (`*` crosses `/` and, as Sentry's matcher counts bytes, characters too).
const ANY_BYTES: &str = "(?s-u:.)*";

/// `out` with the open group's empty alternatives left out: Sentry's matcher never takes an
/// empty alternative (`{a,}` is `a`), unless all are empty (`{}` is nothing at all).
fn drop_empty_alternatives(out: &str, starts: &[usize]) -> String {
    let group_start = starts[0];
    let mut kept: Vec<&str> = Vec::new();
    for (index, start) in starts.iter().enumerate() {
        // Each alternative ends where the next one's `|` is.
        let end = starts.get(index + 1).map_or(out.len(), |next| next - 1);
        let alternative = &out[*start..end];
        if !alternative.is_empty() {
            kept.push(alternative);
        }
    }
    format!("{}{}", &out[..group_start], kept.join("|"))
}

/// `c` matched as itself (both pattern translators keep what is not special literal).
pub(crate) fn push_literal(out: &mut String, c: char) {
    out.push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
}

/// `[...]` at the start of `chars`: the regex class and how many characters it used.
fn class(chars: &[char]) -> Option<(String, usize)> {
    let mut out = String::from("[");
    let mut i = 1;
    if matches!(chars.get(i), Some('!' | '^')) {
        out.push('^');
        i += 1;
    }
    // A `]` first in the class is a literal.
    let start = i;
    loop {
        let c = *chars.get(i)?;
        if c == ']' && i > start {
            break;
        }
        if c == '-' && i > start && chars.get(i + 1).is_some_and(|n| *n != ']') {
            out.push('-');
        } else {
            out.push_str(&regex::escape(&c.to_string()));
        }
        i += 1;
    }
    out.push(']');
    // Sentry's matcher reads bytes: a negated class of ASCII characters takes one byte, so it
    // may take part of a character outside ASCII, as `?` does.
    if out.starts_with("[^") && chars[..i].iter().all(char::is_ascii) {
        out = format!("(?-u:{out})");
    }
    Some((out, i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, value: &str, options: GlobOptions) -> bool {
        to_regex(pattern, options).is_some_and(|r| regex::bytes::Regex::new(&r).unwrap().is_match(value.as_bytes()))
    }

    const PATH: GlobOptions = GlobOptions {
        ignore_case: true,
        path_normalize: true,
    };
    const TAG: GlobOptions = GlobOptions {
        ignore_case: false,
        path_normalize: false,
    };

    #[test]
    fn globset_semantics_without_literal_separators() {
        assert!(matches("*.py", "foo/bar.py", PATH));
        assert!(matches("**/app.py", "app.py", PATH));
        assert!(matches("src/**/y.py", "src/y.py", PATH));
        assert!(matches("src/**/y.py", "src/a/b/y.py", PATH));
        assert!(matches("*.{py,js}", "a/b.js", PATH));
        assert!(matches("[!a]b", "cb", PATH));
        assert!(!matches("[!a]b", "ab", PATH));
        assert!(matches("[a-c]x", "bx", PATH));
        assert!(!matches("src/*", "/home/me/src/app.py", PATH));
        assert!(matches("*My\\Path*", "C:/My/Path/x.cpp", PATH));
        assert!(matches("FOO", "foo", PATH));
        assert!(!matches("FOO", "foo", TAG));
        assert!(matches("a\\*b", "a*b", TAG));
        assert!(!matches("a\\*b", "axb", TAG));
        assert!(matches("foo*", "foo\nbar", TAG));
    }

    #[test]
    fn unparsable_patterns_match_nothing() {
        for pattern in ["[", "{a,b", "a{b{c}}", "[abc", "x\\"] {
            assert!(to_regex(pattern, TAG).is_none(), "{pattern}");
        }
    }
}
