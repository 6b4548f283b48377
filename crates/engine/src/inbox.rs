//! The window's inbox: the stored alerts, newest first, a page at a time, each with what was
//! decided and why and its issue's state in Sentry as the app last heard it.

use crate::alert::IssueStatus;
use crate::policy::{Deliver, Field, Fix, Preferences, Reason};
use crate::store::Recent;

/// An alert as the window's inbox shows it: the stored alert, its reasons as text, and whether
/// it is an issue the user can act on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct InboxEntry {
    #[serde(flatten)]
    pub alert: Recent,
    pub why: Vec<String>,
    pub actionable: bool,
    /// The preference that decided, if one did.
    pub decided_by: Option<Field>,
    /// Kept from the screen for later (spike protection, the digest, quiet hours, a pause).
    pub held_back: bool,
    /// Assigned to me or my team, or owned by us, as the decision found.
    pub mine: bool,
    /// For an alert kept back: the one change of the project's preferences that lets the next
    /// like it through.
    pub fix: Option<Fix>,
    /// The issue as Sentry has it now, as far as the app heard.
    pub issue: IssueState,
}

impl InboxEntry {
    /// `alert` as the inbox shows it, under the `preferences` its project has now.
    pub fn new(alert: Recent, preferences: Option<&Preferences>) -> InboxEntry {
        let decisive = alert.reasons.last();
        let kept_back = alert.decision.is_some_and(|d| d != Deliver::Now);
        let fix = preferences
            .zip(decisive)
            .filter(|_| kept_back)
            .and_then(|(p, reason)| reason.fix(p));
        InboxEntry {
            why: alert.why(),
            actionable: alert.kind.is_about_an_issue(),
            decided_by: decisive.and_then(Reason::field),
            held_back: alert.held_back(),
            mine: alert.reasons.iter().any(Reason::is_mine),
            fix,
            issue: IssueState::default(),
            alert,
        }
    }
}

/// What the app last heard of an issue's state in Sentry (webhooks, polling, its own actions).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct IssueState {
    pub status: Option<IssueStatus>,
    /// `user:<id>` or `team:<slug>`; `None`: nobody, or not known.
    pub assigned_to: Option<String>,
    /// Whether the app heard who it is assigned to (nobody included).
    pub assignment_known: bool,
    /// The assignee as people read it.
    pub assignee_name: Option<String>,
    /// Events so far.
    pub events: Option<i64>,
    /// Users who saw it so far.
    pub users: Option<i64>,
}

/// Which of the inbox's alerts to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum InboxFilter {
    #[default]
    All,
    /// Assigned to me or my team, or owned by us.
    Mine,
    Notified,
    /// Kept from the screen for later (spike protection, the digest, quiet hours, a pause).
    Held,
    /// Not wanted at all (filtered by the preferences, muted).
    Suppressed,
}

impl InboxFilter {
    pub fn passes(self, entry: &InboxEntry) -> bool {
        match self {
            InboxFilter::All => true,
            InboxFilter::Mine => entry.mine,
            InboxFilter::Notified => entry.alert.decision == Some(Deliver::Now),
            InboxFilter::Held => entry.held_back,
            InboxFilter::Suppressed => entry.alert.decision == Some(Deliver::Suppress) && !entry.held_back,
        }
    }
}

/// Which page of the inbox to answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(default)]
#[ts(optional_fields = nullable)]
pub struct InboxQuery {
    /// The page after the alert `before` (the previous page's last id); `None`: the first page.
    pub before: Option<i64>,
    /// At most this many alerts ([`PAGE`] if `None`, at most [`MAX_PAGE`]).
    pub limit: Option<u32>,
    pub filter: InboxFilter,
    /// Words the short id, title or project must contain (any case).
    pub search: Option<String>,
    /// Only this project's alerts (its slug), of `org` if given.
    pub project: Option<String>,
    pub org: Option<String>,
}

/// Alerts on a page unless asked for another size.
pub const PAGE: u32 = 100;
/// The largest page answered (a refresh of what the window has loaded).
pub const MAX_PAGE: u32 = 1000;

impl InboxQuery {
    pub fn limit(&self) -> usize {
        self.limit.unwrap_or(PAGE).clamp(1, MAX_PAGE) as usize
    }

    /// Whether `entry` of the project called `project_name` is asked for.
    pub fn wants(&self, entry: &InboxEntry, project_name: Option<&str>) -> bool {
        let alert = &entry.alert;
        let elsewhere = |wanted: &Option<String>, has: &Option<String>| wanted.is_some() && wanted != has;
        if !self.filter.passes(entry) || elsewhere(&self.project, &alert.project) || elsewhere(&self.org, &alert.org) {
            return false;
        }
        let Some(words) = self.search.as_deref().map(str::trim).filter(|w| !w.is_empty()) else {
            return true;
        };
        let words = words.to_lowercase();
        [
            alert.short_id.as_deref(),
            Some(alert.title.as_str()),
            alert.project.as_deref(),
            project_name,
        ]
        .into_iter()
        .flatten()
        .any(|text| text.to_lowercase().contains(&words))
    }
}

/// A page of the inbox.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct InboxPage {
    pub entries: Vec<InboxEntry>,
    /// Older alerts match too: ask with `before` the last entry's id.
    pub more: bool,
}
