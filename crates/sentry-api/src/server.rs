//! What a Sentry-compatible server is and offers, learned from its answers once (when an account
//! is added, and at start) rather than by trial on every request: sentry.io and current
//! self-hosted Sentry, older self-hosted Sentry without the organization-scoped issue paths, and
//! GlitchTip (`shared/sentry/COMPAT.md`).

use serde::{Deserialize, Serialize};

use crate::client::{ApiError, Client};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ServerKind {
    /// sentry.io, or a self-hosted Sentry as current as it.
    #[default]
    Sentry,
    /// A self-hosted Sentry from before the organization-scoped issue paths.
    OlderSentry,
    GlitchTip,
}

impl ServerKind {
    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Sentry => "Sentry",
            ServerKind::OlderSentry => "self-hosted Sentry (older)",
            ServerKind::GlitchTip => "GlitchTip",
        }
    }
}

/// The issue list's order "last seen, newest first", as the server names it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum IssueSort {
    /// Sentry's `sort=date`.
    #[default]
    Date,
    /// GlitchTip's `sort=last_seen`.
    LastSeen,
}

impl IssueSort {
    pub fn param(self) -> &'static str {
        match self {
            IssueSort::Date => "date",
            IssueSort::LastSeen => "last_seen",
        }
    }
}

/// What the server offers, as the app uses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ServerProfile {
    pub kind: ServerKind,
    pub issue_sort: IssueSort,
    /// Whether `lastSeen:>TIME` narrows the issue list (GlitchTip reads it as a tag filter and
    /// answers nothing, forever).
    pub last_seen_search: bool,
    /// Whether the issue list pages with cursors (GlitchTip's `Link` header has none).
    pub cursor_paging: bool,
    /// Whether `/api/0/organizations/{org}/issues/{id}/…` is there (else `/api/0/issues/{id}/…`).
    pub organization_issue_paths: bool,
    pub teams: bool,
    pub ownership_rules: bool,
    pub assignment: bool,
    /// Whether it sends signed Sentry webhooks (GlitchTip only posts unsigned chat messages).
    pub webhooks: bool,
    /// Whether the organization's activity feed is there (comments, assignments and status
    /// changes for polling). Profiles stored before it was learned: assumed, as on Sentry.
    #[serde(default = "offered")]
    pub activity: bool,
    /// Whether the organization's releases can be listed (release notifications, "mute until
    /// its next release").
    #[serde(default = "offered")]
    pub releases: bool,
    /// Whether releases carry their deploys (GlitchTip has releases without deploys).
    #[serde(default = "offered")]
    pub deploys: bool,
}

fn offered() -> bool {
    true
}

impl Default for ServerProfile {
    fn default() -> Self {
        ServerProfile {
            kind: ServerKind::Sentry,
            issue_sort: IssueSort::Date,
            last_seen_search: true,
            cursor_paging: true,
            organization_issue_paths: true,
            teams: true,
            ownership_rules: true,
            assignment: true,
            webhooks: true,
            activity: true,
            releases: true,
            deploys: true,
        }
    }
}

impl ServerProfile {
    /// What the app cannot do on this server, as people read it.
    pub fn lacks(&self) -> Vec<&'static str> {
        let mut lacks = Vec::new();
        if !self.assignment {
            lacks.push("no assignment");
        }
        if !self.ownership_rules {
            lacks.push("no ownership rules");
        }
        if !self.teams {
            lacks.push("no teams");
        }
        if !self.webhooks {
            lacks.push("no Sentry webhooks (polling only)");
        }
        if !self.activity {
            lacks.push("no activity feed (comments and others' changes by webhook only)");
        }
        if !self.releases {
            lacks.push("no releases (no release notifications; a mute until the next release waits forever)");
        } else if !self.deploys {
            lacks.push("no deploys (release notifications only)");
        }
        lacks
    }

    /// How the issue list is read, as people read it.
    pub fn paging(&self) -> String {
        let list = match (self.last_seen_search, self.cursor_paging) {
            (true, true) => "changes since the last poll, every page",
            (true, false) => "changes since the last poll, first page",
            (false, true) => "newest first until the last poll's mark",
            (false, false) => "newest first, first page, until the last poll's mark",
        };
        if self.organization_issue_paths {
            list.to_owned()
        } else {
            format!("{list}; issues at the older /api/0/issues/ paths")
        }
    }
}

impl std::fmt::Display for ServerProfile {
    /// "GlitchTip: no assignment, no ownership rules, no teams, …"
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.kind.name())?;
        let lacks = self.lacks();
        if !lacks.is_empty() {
            write!(f, ": {}", lacks.join(", "))?;
        }
        Ok(())
    }
}

/// Whether an answer says the path is not there: unknown, refusing the method, or failing with
/// an error page where a JSON answer was due (as GlitchTip does for what it lacks).
fn missing(result: &Result<(), ApiError>) -> bool {
    matches!(
        result,
        Err(ApiError::NotFound(_) | ApiError::Rejected { status: 405, .. } | ApiError::ErrorPage { .. })
    )
}

/// Whether a feature is there, from the answer to a request for it: a missing path says no; on
/// Sentry a failure that may pass (a 5xx, even as an error page) says nothing, so discovery is
/// tried again later rather than taking the feature for missing.
fn offers(kind: ServerKind, result: Result<(), ApiError>) -> Result<bool, ApiError> {
    match result {
        Err(e) if e.is_transient() && kind != ServerKind::GlitchTip => Err(e),
        other => Ok(!missing(&other)),
    }
}

impl Client {
    /// Learns what the server offers for `org` from its answers: about seven requests. A
    /// transient failure (the server unreachable, a JSON 5xx, 429) is an error, so the caller
    /// keeps what it knew and tries again later; it never makes a feature count as missing.
    pub async fn discover(&self, org: &str) -> Result<ServerProfile, ApiError> {
        let mut profile = ServerProfile::default();
        // GlitchTip refuses Sentry's `sort=date` with a 422 naming the parameter.
        let listed = match self.issue_page(org, IssueSort::Date, "is:unresolved", 1).await {
            Err(ApiError::Rejected { status: 422, detail }) if detail.contains("sort") => {
                profile.kind = ServerKind::GlitchTip;
                profile.issue_sort = IssueSort::LastSeen;
                self.issue_page(org, IssueSort::LastSeen, "is:unresolved", 1).await?
            }
            other => other?,
        };
        profile.cursor_paging = listed.cursors;
        let newest = listed.issues.first().cloned();
        if let Some(issue) = &newest {
            // The search works where an issue seen at T is found by `lastSeen:>` a day before T.
            if let Some(seen) = issue.last_seen.as_deref().and_then(day_before) {
                let query = format!("is:unresolved lastSeen:>{seen}");
                let narrowed = self.issue_page(org, profile.issue_sort, &query, 1).await?;
                profile.last_seen_search = !narrowed.issues.is_empty();
            }
            let scoped = self
                .issue_at(&format!("/api/0/organizations/{}/issues/{}/", seg(org), seg(&issue.id)))
                .await;
            // The older path is taken only where the organization-scoped one is missing and the
            // older one answers; a sentry.io in trouble answers neither, and is tried again later.
            if missing(&scoped) {
                match self.issue_at(&format!("/api/0/issues/{}/", seg(&issue.id))).await {
                    Ok(()) => profile.organization_issue_paths = false,
                    Err(e) if e.is_transient() && profile.kind != ServerKind::GlitchTip => return Err(e),
                    Err(_) => {}
                }
            } else if let Err(e) = scoped
                && e.is_transient()
            {
                return Err(e);
            }
        } else if profile.kind == ServerKind::GlitchTip {
            // Nothing to try the paths and the search on yet: what GlitchTip is known to do.
            profile.last_seen_search = false;
            profile.organization_issue_paths = false;
        }
        if profile.kind == ServerKind::Sentry && !profile.organization_issue_paths {
            profile.kind = ServerKind::OlderSentry;
        }
        profile.teams = offers(profile.kind, self.my_teams(org).await.map(drop))?;
        profile.activity = offers(profile.kind, self.organization_activity(org).await.map(drop))?;
        profile.releases = offers(profile.kind, self.organization_releases(org, 1).await.map(drop))?;
        // GlitchTip keeps releases but not deploys ("not implemented" in its release API).
        profile.deploys = profile.releases && profile.kind != ServerKind::GlitchTip;
        if let Some((project, _)) = self.projects(org).await?.into_iter().next() {
            let rules = self.project_ownership(org, &project).await.map(drop);
            profile.ownership_rules = offers(profile.kind, rules)?;
        } else {
            profile.ownership_rules = profile.kind != ServerKind::GlitchTip;
        }
        // Assigning cannot be tried without assigning; GlitchTip has no assignment, and no
        // Sentry-format webhooks.
        profile.assignment = profile.kind != ServerKind::GlitchTip;
        profile.webhooks = profile.kind != ServerKind::GlitchTip;
        Ok(profile)
    }

    async fn issue_at(&self, path: &str) -> Result<(), ApiError> {
        self.get(path).await.map(drop)
    }
}

/// `2026-12-01T10:00:00Z` → `2026-11-30T10:00:00Z`.
fn day_before(seen: &str) -> Option<String> {
    let seen = chrono::DateTime::parse_from_rfc3339(seen).ok()?;
    Some(
        (seen - chrono::Duration::days(1))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
    )
}

use crate::client::seg;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_says_what_the_server_lacks() {
        let glitchtip = ServerProfile {
            kind: ServerKind::GlitchTip,
            issue_sort: IssueSort::LastSeen,
            last_seen_search: false,
            cursor_paging: false,
            organization_issue_paths: false,
            teams: false,
            ownership_rules: false,
            assignment: false,
            webhooks: false,
            activity: false,
            releases: true,
            deploys: false,
        };
        assert_eq!(
            glitchtip.to_string(),
            "GlitchTip: no assignment, no ownership rules, no teams, no Sentry webhooks (polling only), \
             no activity feed (comments and others' changes by webhook only), no deploys (release notifications only)"
        );
        assert_eq!(ServerProfile::default().to_string(), "Sentry");
        assert_eq!(
            glitchtip.paging(),
            "newest first, first page, until the last poll's mark; issues at the older /api/0/issues/ paths"
        );
    }
}
