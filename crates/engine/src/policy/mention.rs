//! Whether a comment mentions me or one of my teams. Sentry's comment box writes a person as
//! `**@Their Name**` and a team as `**#team-slug**` (its `NoteInput` markup); the webhook carries
//! only that text, not the mention list. People typing by hand write `@username`, `@e-mail` or
//! `@team-slug`: every form is read, and only whole names count (`@jan` is not `@jane`).

use super::decide::Me;
use super::reason::Mention;

/// The first of me or my teams the comment `text` names, me before my teams.
pub fn mention(text: &str, me: &Me) -> Option<Mention> {
    let text = text.to_lowercase();
    let (marked, typed) = comment_box_mentions(&text);
    let mine = [&me.name, &me.username, &me.email].map(|name| name.trim().to_lowercase());
    let mine = || mine.iter().filter(|name| !name.is_empty());
    let teams = || me.teams.iter().filter(|team| !team.is_empty());
    if marked
        .iter()
        .any(|(sign, who)| *sign == '@' && mine().any(|name| name == who))
        || mine().any(|name| names(&typed, '@', name))
    {
        return Some(Mention::You);
    }
    teams()
        .find(|team| {
            let team = team.to_lowercase();
            marked.iter().any(|(sign, who)| *sign == '#' && *who == team)
                || ['#', '@'].iter().any(|sign| names(&typed, *sign, &team))
        })
        .map(|team| Mention::YourTeam { team: team.clone() })
}

/// The mentions Sentry's comment box wrote (`**@Name**`, `**#slug**`: the whole name between
/// the stars), and the text without them, where hand-typed ones are looked for.
fn comment_box_mentions(text: &str) -> (Vec<(char, String)>, String) {
    let mut marked = Vec::new();
    let mut typed = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("**") {
        let after = &rest[start + 2..];
        let sign = after.chars().next().filter(|c| matches!(c, '@' | '#'));
        match (sign, after.get(1..).and_then(|name| name.find("**"))) {
            (Some(sign), Some(end)) => {
                marked.push((sign, after[1..1 + end].trim().to_owned()));
                typed.push_str(&rest[..start]);
                typed.push(' ');
                rest = &after[1 + end + 2..];
            }
            _ => {
                typed.push_str(&rest[..start + 2]);
                rest = after;
            }
        }
    }
    typed.push_str(rest);
    (marked, typed)
}

/// Whether `text` has `sign` + `name` as a whole mention: not inside an e-mail address or a
/// word before it, and not the start of a longer name after it.
fn names(text: &str, sign: char, name: &str) -> bool {
    let needle = format!("{sign}{name}");
    text.match_indices(&needle).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = &text[at + needle.len()..];
        before.is_none_or(|c| !part_of_name(c)) && ends_name(after)
    })
}

fn part_of_name(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '+')
}

/// What follows a name ends it, unless it goes on with a name's characters; a dot ends it only
/// as punctuation (`@jane.` but not `@jane.doe`).
fn ends_name(after: &str) -> bool {
    let mut rest = after.chars();
    match rest.next() {
        None => true,
        Some('.') => rest.next().is_none_or(|c| !c.is_alphanumeric()),
        Some(c) => !part_of_name(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jane() -> Me {
        Me {
            user_id: "1".into(),
            email: "jane@example.com".into(),
            username: "jane".into(),
            name: "Jane Doe".into(),
            teams: vec!["backend".into(), "web-team".into()],
        }
    }

    #[test]
    fn sentrys_comment_box_markup_and_hand_typed_mentions_name_me_or_my_team() {
        let me = jane();
        for (text, want) in [
            // What Sentry's comment box stores.
            ("**@Jane Doe** can you look?", Some(Mention::You)),
            (
                "over to **#backend**",
                Some(Mention::YourTeam { team: "backend".into() }),
            ),
            // Typed by hand, any case, at the end of a sentence.
            ("ping @jane.", Some(Mention::You)),
            ("cc @JANE@example.com", Some(Mention::You)),
            (
                "@web-team please",
                Some(Mention::YourTeam {
                    team: "web-team".into(),
                }),
            ),
            ("me first: @backend and @jane", Some(Mention::You)),
            // Other people and longer names.
            ("**@Jane Doerr** knows", None),
            ("**@jane@example.com** (a member without a name)", Some(Mention::You)),
            ("**@Sam** and **#other** but not me", None),
            ("bold **text** then @jane", Some(Mention::You)),
            ("an open **@Jane Doe", Some(Mention::You)),
            ("@janet, @jane.doe and @jane_x", None),
            ("mail jane@example.com", None),
            ("bob@jane is an address", None),
            ("#backend-legacy is theirs", None),
            ("@web-teams", None),
            ("nobody here", None),
        ] {
            assert_eq!(mention(text, &me), want, "{text}");
        }
    }

    #[test]
    fn an_empty_identity_mentions_nobody() {
        let me = Me {
            teams: vec![String::new()],
            ..Me::default()
        };
        assert_eq!(mention("@ # @@ ** @", &me), None);
    }

    #[test]
    fn broken_markup_and_any_characters_are_read_without_fault() {
        let me = jane();
        for text in [
            "**",
            "***",
            "**@",
            "**@**",
            "****@****",
            "ß**@ü**ß",
            "**#",
            "💥**@Jane Doe**💥",
            "İ@jane",
        ] {
            let _ = mention(text, &me);
        }
        assert_eq!(mention("💥**@Jane Doe**💥", &me), Some(Mention::You));
        assert_eq!(mention("**@**jane", &me), None);
    }
}
