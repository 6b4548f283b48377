"""Pattern/path pairs from a seeded generator, each with what Sentry's own matcher (sentry-ophio,
the glob and CODEOWNERS matcher Sentry runs) answers: one JSON object per line.

    python ophio_pairs.py SEED COUNT

Globs are matched as Sentry's ownership `path:` rules match a frame's filename
(`sentry.utils.glob.glob_match(value, pattern, ignorecase=True, path_normalize=True)`, which
calls ophio with double_star=False and allow_newline=True); `codeowners:` rules with
`is_codeowners_path_match`.
"""

import json
import random
import sys

from sentry_ophio.codeowners import is_codeowners_path_match
from sentry_ophio.glob import is_glob_match

SEGMENTS = ["src", "lib", "app", "a", "b", "ab", "Foo", "foo", "x.py", "app.js", "main.rs", "Ärger", "a.b.c", "-", "_x"]
PIECES = [
    "*", "**", "?", "[ab]", "[!a]", "[a-c]", "[]]", "[!]]", "{a,b}", "{,x}", "{}", "{src,lib}", "{a,}",
    "\\*", "\\?", "\\[", "\\\\", ".", "*.py", "*.js", "**/", "/**", "**/*", "a*", "*b", "F?o",
]


def path(rng):
    parts = [rng.choice(SEGMENTS) for _ in range(rng.randint(1, 4))]
    text = "/".join(parts)
    if rng.random() < 0.2:
        text = "/" + text
    if rng.random() < 0.1:
        text = text + "/"
    if rng.random() < 0.1:
        text = text.replace("/", "\\")
    if rng.random() < 0.2:
        text = text.upper() if rng.random() < 0.5 else text.lower()
    return text


def pattern(rng):
    parts = []
    for _ in range(rng.randint(1, 4)):
        parts.append(rng.choice(PIECES) if rng.random() < 0.6 else rng.choice(SEGMENTS))
    glue = [rng.choice(["/", "", "/"]) for _ in parts]
    text = "".join(p + g for p, g in zip(parts, glue)).rstrip("/") if rng.random() < 0.7 else "".join(p + "/" for p in parts)
    if rng.random() < 0.2:
        text = "/" + text
    return text or "*"


def instantiate(pat, rng):
    """A value the pattern is likely to match (or nearly): wildcards filled in, one alternative
    of each brace, one member of each class, escapes resolved."""
    out, i = [], 0
    while i < len(pat):
        c = pat[i]
        if pat.startswith("**", i):
            out.append(rng.choice(["", "x", "src/a", "a/b/c"]))
            i += 2
        elif c == "*":
            out.append(rng.choice(["", "x", "foo", "a/b"]))
            i += 1
        elif c == "?":
            out.append(rng.choice(["o", "x", "/", "Ä"]))
            i += 1
        elif c == "\\" and i + 1 < len(pat):
            out.append(pat[i + 1])
            i += 2
        elif c == "[":
            end = pat.find("]", i + 2)
            if end < 0:
                out.append(c)
                i += 1
            else:
                members = [m for m in pat[i + 1 : end] if m not in "!-"] or ["a"]
                out.append(rng.choice(members) if not pat.startswith("[!", i) else "z")
                i = end + 1
        elif c == "{":
            end = pat.find("}", i)
            if end < 0:
                out.append(c)
                i += 1
            else:
                out.append(rng.choice(pat[i + 1 : end].split(",")))
                i = end + 1
        else:
            out.append(c)
            i += 1
    value = "".join(out)
    if rng.random() < 0.2:
        value = value.upper()
    if rng.random() < 0.15:
        value = rng.choice(["src/", "/", "a/"]) + value
    return value


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    for _ in range(count):
        pat = pattern(rng)
        value = instantiate(pat, rng) if rng.random() < 0.6 else path(rng)
        # Sentry's rules are whitespace-separated tokens: a pattern has none.
        if any(c.isspace() for c in pat) or pat.startswith("#"):
            continue
        glob = bool(is_glob_match(value, pat, double_star=False, case_insensitive=True, path_normalize=True, allow_newline=True))
        print(json.dumps({"kind": "path", "pattern": pat, "value": value, "expected": glob}))
        owners = bool(is_codeowners_path_match(value, pat))
        print(json.dumps({"kind": "codeowners", "pattern": pat, "value": value, "expected": owners}))


if __name__ == "__main__":
    main()
