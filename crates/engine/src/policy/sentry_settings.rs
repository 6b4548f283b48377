//! Sentry's own "workflow" notification setting for me (assignments, resolutions, comments:
//! always / subscribed issues only / never, per project), read into what the app proposes as my
//! alert kinds. Sentry takes the most specific row (project, then organization, then user) and
//! defaults to "subscribed only" (`shared/sentry/SPEC.md` §2, its `notificationcontroller.py`).

use std::collections::BTreeSet;

use super::prefs::AlertKind;

/// Sentry's value of the `workflow` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Workflow {
    Always,
    SubscribeOnly,
    Never,
}

impl Workflow {
    /// Sentry's word; `default` (no longer stored) and unknown words have none.
    pub fn parse(value: &str) -> Option<Workflow> {
        Some(match value {
            "always" => Workflow::Always,
            "subscribe_only" => Workflow::SubscribeOnly,
            "never" => Workflow::Never,
            _ => return None,
        })
    }

    pub fn describe(self) -> &'static str {
        match self {
            Workflow::Always => "always",
            Workflow::SubscribeOnly => "only for issues you are subscribed to",
            Workflow::Never => "never",
        }
    }

    /// `kinds` as this setting would have them: every workflow kind on, or every one off. The
    /// app hears of others' changes only on issues that are mine, so "always" proposes what
    /// "subscribed only" does.
    pub fn kinds(self, kinds: &BTreeSet<AlertKind>) -> BTreeSet<AlertKind> {
        let workflow = AlertKind::ALL.into_iter().filter(|k| k.is_workflow());
        let mut proposed: BTreeSet<AlertKind> = kinds.iter().copied().filter(|k| !k.is_workflow()).collect();
        if self != Workflow::Never {
            proposed.extend(workflow);
        }
        proposed
    }
}

/// Where one of Sentry's setting rows applies (its `scopeType` and `scopeIdentifier`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    User,
    Organization(String),
    Project(String),
    /// Team rows and scopes this build does not know: not mine to read.
    Other,
}

/// What Sentry's rows say for the organization `org_id` and for each of its `projects`
/// (`(id, slug)`): the organization's value, and each project whose own row differs from it.
pub fn propose(
    rows: &[(Scope, Workflow)],
    org_id: &str,
    projects: &[(String, String)],
) -> (Workflow, Vec<(String, Workflow)>) {
    let user = rows.iter().find(|(scope, _)| *scope == Scope::User).map(|(_, w)| *w);
    let org = rows
        .iter()
        .find(|(scope, _)| matches!(scope, Scope::Organization(id) if id == org_id))
        .map(|(_, w)| *w);
    let account = org.or(user).unwrap_or(Workflow::SubscribeOnly);
    let differing = projects
        .iter()
        .filter_map(|(id, slug)| {
            let own = rows
                .iter()
                .find(|(scope, _)| matches!(scope, Scope::Project(p) if p == id))
                .map(|(_, w)| *w)?;
            (own != account).then(|| (slug.clone(), own))
        })
        .collect();
    (account, differing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_row_wins_and_no_row_is_subscribed_only() {
        let projects = [("11".to_owned(), "web".to_owned()), ("12".to_owned(), "api".to_owned())];
        assert_eq!(propose(&[], "2", &projects), (Workflow::SubscribeOnly, vec![]));
        let rows = [
            (Scope::User, Workflow::Always),
            (Scope::Organization("3".into()), Workflow::Never),
            (Scope::Project("11".into()), Workflow::Never),
            (Scope::Project("12".into()), Workflow::Always),
            (Scope::Other, Workflow::Never),
        ];
        // Another organization's row is not this one's.
        assert_eq!(
            propose(&rows, "2", &projects),
            (Workflow::Always, vec![("web".to_owned(), Workflow::Never)])
        );
        assert_eq!(
            propose(&rows, "3", &projects),
            (Workflow::Never, vec![("api".to_owned(), Workflow::Always)])
        );
    }

    #[test]
    fn never_turns_every_workflow_kind_off_and_the_others_turn_them_on() {
        let defaults: BTreeSet<AlertKind> =
            [AlertKind::NewIssue, AlertKind::Regression, AlertKind::AssignedToMe].into();
        let off = Workflow::Never.kinds(&defaults);
        assert_eq!(off, [AlertKind::NewIssue, AlertKind::Regression].into());
        for on in [Workflow::SubscribeOnly, Workflow::Always] {
            let kinds = on.kinds(&defaults);
            assert!(kinds.contains(&AlertKind::NewIssue) && kinds.contains(&AlertKind::StateChanged));
            assert!(
                AlertKind::ALL
                    .iter()
                    .filter(|k| k.is_workflow())
                    .all(|k| kinds.contains(k))
            );
        }
        assert_eq!(Workflow::parse("default"), None);
    }
}
