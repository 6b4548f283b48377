//! Sentry's cursor pagination: a `Link` header such as
//! `<https://…?cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", <…>; rel="next";
//! results="true"; cursor="0:100:0"`. Read tolerantly: Sentry-compatible servers differ in
//! spacing, quoting and case.

/// Whether the header pages with cursors at all (GlitchTip's has none), whatever the results.
pub fn has_cursors(link: &str) -> bool {
    split_entries(link).iter().any(|entry| entry.contains("cursor="))
}

/// The cursor of the next page, when the server says there are more results.
pub fn next_cursor(link: &str) -> Option<String> {
    for entry in split_entries(link) {
        let mut rel = None;
        let mut results = None;
        let mut cursor = None;
        let mut url = None;
        for part in entry.split(';') {
            let part = part.trim();
            if part.starts_with('<') {
                url = part.strip_prefix('<').and_then(|p| p.strip_suffix('>'));
                continue;
            }
            let Some((key, value)) = part.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"').trim();
            match key.trim().to_ascii_lowercase().as_str() {
                "rel" => rel = Some(value.to_ascii_lowercase()),
                "results" => results = Some(value.eq_ignore_ascii_case("true")),
                "cursor" => cursor = Some(value.to_owned()),
                _ => {}
            }
        }
        if rel.as_deref() != Some("next") || results == Some(false) {
            continue;
        }
        // Without a cursor attribute, take it from the URL's query.
        let cursor = cursor.or_else(|| {
            url?.split_once('?')?
                .1
                .split('&')
                .find_map(|kv| kv.strip_prefix("cursor="))
                .map(percent_decode)
        });
        return cursor.filter(|c| !c.is_empty());
    }
    None
}

/// Splits on the commas between entries, not those inside `<…>` or quotes.
fn split_entries(link: &str) -> Vec<&str> {
    let (mut entries, mut start, mut in_url, mut in_quotes) = (Vec::new(), 0, false, false);
    for (i, c) in link.char_indices() {
        match c {
            '<' if !in_quotes => in_url = true,
            '>' if !in_quotes => in_url = false,
            '"' if !in_url => in_quotes = !in_quotes,
            ',' if !in_url && !in_quotes => {
                entries.push(&link[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    entries.push(&link[start..]);
    entries
}

/// Decodes `%XX` escapes (as in URLs); anything else is kept as it is.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentrys_own_header() {
        let link = r#"<https://sentry.io/api/0/organizations/acme/issues/?&cursor=1700000000000:0:1>; rel="previous"; results="false"; cursor="1700000000000:0:1", <https://sentry.io/api/0/organizations/acme/issues/?&cursor=1700000000000:100:0>; rel="next"; results="true"; cursor="1700000000000:100:0""#;
        assert_eq!(next_cursor(link).as_deref(), Some("1700000000000:100:0"));
    }

    #[test]
    fn the_last_page_has_no_next() {
        let link = r#"<u>; rel="previous"; results="true"; cursor="a", <u>; rel="next"; results="false"; cursor="b""#;
        assert_eq!(next_cursor(link), None);
    }

    #[test]
    fn other_servers_formatting() {
        // Unquoted values, odd case and spacing, no results attribute.
        assert_eq!(
            next_cursor("<u?cursor=x>;REL=next;Cursor=0:5:0").as_deref(),
            Some("0:5:0")
        );
        // The cursor only in the URL, percent-encoded.
        assert_eq!(
            next_cursor(r#"<https://h/api/0/x/?cursor=0%3A100%3A0&limit=100>; rel="next""#).as_deref(),
            Some("0:100:0")
        );
        // Commas inside quotes and URLs do not split entries.
        assert_eq!(
            next_cursor(r#"<https://h/?a=1,2>; rel="next"; results="true"; cursor="c,1""#).as_deref(),
            Some("c,1")
        );
        for junk in ["", "garbage", "<unclosed; rel=next", ";;;,,,", "<>; rel=\"next\""] {
            assert_eq!(next_cursor(junk), None, "{junk}");
        }
    }
}
