//! The weekly summary, read from what the store kept: per project the issues that were new,
//! regressed and resolved, the top issues, unassigned issues of mine, what the policy kept back
//! (grouped by why), and my response times over the last weeks.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::alert::Kind;
use crate::policy::{Deliver, Reason, SummarySchedule};
use crate::store::{Store, StoreError};

/// How many weeks the response times are plotted over.
pub const WEEKS_PLOTTED: usize = 12;
/// How many top issues (and unassigned ones) a summary lists.
const LISTED: usize = 5;

/// One week, ending at `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct WeeklySummary {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Projects with anything new, regressed or resolved, the busiest first.
    pub projects: Vec<ProjectWeek>,
    /// The issues with the most events of those that alerted this week.
    pub top: Vec<SummaryIssue>,
    /// Issues of mine or my teams (by ownership, a mention, my involvement) that nobody is
    /// assigned to and that are still open.
    pub unassigned_mine: Vec<SummaryIssue>,
    /// What the policy kept back, by why: held for a digest, or not shown.
    pub kept_back: Vec<KeptBack>,
    /// My response times, a week each, the oldest first; the last is this one.
    pub weeks: Vec<ResponseWeek>,
    pub schedule: SummarySchedule,
    pub next_due: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ProjectWeek {
    pub org: Option<String>,
    pub project: String,
    pub name: Option<String>,
    pub new: u32,
    pub regressed: u32,
    pub resolved: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SummaryIssue {
    pub org: Option<String>,
    pub issue_id: String,
    pub label: String,
    pub title: String,
    pub project: Option<String>,
    /// Events in the issue as the app last heard (`None`: not said).
    pub events: Option<i64>,
    /// Alerts of it this week.
    pub alerts: u32,
    pub web_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct KeptBack {
    pub why: String,
    /// Held for a digest (shown later, together).
    pub held: u32,
    /// Not shown at all.
    pub not_shown: u32,
}

/// A week's notifications and how soon I answered them: the medians, in seconds, over the
/// issues notified that week (each from its first notification that week).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ResponseWeek {
    pub from: DateTime<Utc>,
    pub notified: u32,
    /// Of them, the ones I acted on (resolve, ignore, assign, mute for me).
    pub acted: u32,
    pub to_first_action: Option<u32>,
    /// Of them, the ones resolved (by anyone).
    pub resolved: u32,
    pub to_resolve: Option<u32>,
}

/// One alert as the summary reads it.
struct Row {
    kind: Kind,
    org: Option<String>,
    issue_id: String,
    label: String,
    title: String,
    project: Option<String>,
    web_url: Option<String>,
    decision: Option<Deliver>,
    reasons: Vec<Reason>,
    substatus: Option<String>,
}

fn seconds(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}

fn median(mut values: Vec<i64>) -> Option<u32> {
    values.sort_unstable();
    let n = values.len();
    if n == 0 {
        return None;
    }
    let middle = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2
    };
    u32::try_from(middle.max(0)).ok()
}

impl Store {
    /// The summary of the week ending at `to`.
    pub fn weekly_summary(
        &self,
        to: DateTime<Utc>,
        schedule: SummarySchedule,
        next_due: Option<DateTime<Utc>>,
    ) -> Result<WeeklySummary, StoreError> {
        let from = to - Duration::days(7);
        let rows = self.week_rows(from, to)?;
        let mut projects: BTreeMap<(Option<String>, String), [HashSet<String>; 3]> = BTreeMap::new();
        let mut issues: HashMap<(Option<String>, String), (SummaryIssue, bool)> = HashMap::new();
        let mut kept: BTreeMap<&'static str, (u32, u32)> = BTreeMap::new();
        for row in &rows {
            if let (Some(project), true) = (&row.project, row.kind.has_issue()) {
                let sets = projects.entry((row.org.clone(), project.clone())).or_default();
                let slot = match row.kind {
                    Kind::IssueCreated => Some(0),
                    Kind::IssueRegressed => Some(1),
                    Kind::IssueUnresolved if row.substatus.as_deref() == Some("regressed") => Some(1),
                    Kind::IssueResolved => Some(2),
                    _ => None,
                };
                if let Some(slot) = slot {
                    sets[slot].insert(row.issue_id.clone());
                }
            }
            if row.kind.has_issue() && row.kind != Kind::ErrorCreated {
                let (issue, mine) = issues
                    .entry((row.org.clone(), row.issue_id.clone()))
                    .or_insert_with(|| {
                        let issue = SummaryIssue {
                            org: row.org.clone(),
                            issue_id: row.issue_id.clone(),
                            label: row.label.clone(),
                            title: row.title.clone(),
                            project: row.project.clone(),
                            events: None,
                            alerts: 0,
                            web_url: row.web_url.clone(),
                        };
                        (issue, false)
                    });
                issue.alerts += 1;
                *mine |= row.reasons.iter().any(Reason::is_mine);
            }
            let group = row.reasons.last().and_then(Reason::group);
            match (row.decision, group) {
                (Some(Deliver::Digest), Some(why)) => kept.entry(why).or_default().0 += 1,
                (Some(Deliver::Suppress), Some(why)) => kept.entry(why).or_default().1 += 1,
                _ => {}
            }
        }
        let mut projects: Vec<ProjectWeek> = projects
            .into_iter()
            .map(|((org, project), [new, regressed, resolved])| ProjectWeek {
                name: self.project_name(org.as_deref(), Some(&project)),
                org,
                project,
                new: new.len() as u32,
                regressed: regressed.len() as u32,
                resolved: resolved.len() as u32,
            })
            .filter(|p| p.new + p.regressed + p.resolved > 0)
            .collect();
        projects.sort_by_key(|p| std::cmp::Reverse(p.new + p.regressed + p.resolved));
        let mut top = Vec::new();
        let mut unassigned_mine = Vec::new();
        for ((org, issue_id), (mut issue, mine)) in issues {
            let state = self.issue_state(None, org.as_deref(), &issue_id)?;
            issue.events = state.events;
            let open = state.status.is_none_or(|s| s == crate::alert::IssueStatus::Unresolved);
            if mine && open && state.assignment_known && state.assigned_to.is_none() {
                unassigned_mine.push(issue.clone());
            }
            top.push(issue);
        }
        let busiest = |a: &SummaryIssue, b: &SummaryIssue| {
            (b.events.unwrap_or(-1), b.alerts, &a.label).cmp(&(a.events.unwrap_or(-1), a.alerts, &b.label))
        };
        top.sort_by(busiest);
        top.truncate(LISTED);
        unassigned_mine.sort_by(busiest);
        unassigned_mine.truncate(LISTED);
        let mut kept_back: Vec<KeptBack> = kept
            .into_iter()
            .map(|(why, (held, not_shown))| KeptBack {
                why: why.to_owned(),
                held,
                not_shown,
            })
            .collect();
        kept_back.sort_by_key(|k| std::cmp::Reverse(k.held + k.not_shown));
        let weeks = (0..WEEKS_PLOTTED)
            .rev()
            .map(|back| {
                let end = to - Duration::days(7 * back as i64);
                self.response_week(end - Duration::days(7), end)
            })
            .collect::<Result<_, _>>()?;
        Ok(WeeklySummary {
            from,
            to,
            projects,
            top,
            unassigned_mine,
            kept_back,
            weeks,
            schedule,
            next_due,
        })
    }

    fn week_rows(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Row>, StoreError> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(
                "SELECT kind, org, issue_id, COALESCE(short_id, issue_id), title, project, web_url, decision, reasons, substatus
                 FROM alerts WHERE received_at >= ?1 AND received_at < ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map(params![seconds(from), seconds(to)], |r| {
                Ok(Row {
                    kind: r.get(0)?,
                    org: r.get(1)?,
                    issue_id: r.get(2)?,
                    label: r.get(3)?,
                    title: r.get(4)?,
                    project: r.get(5)?,
                    web_url: r.get(6)?,
                    decision: r.get(7)?,
                    reasons: r
                        .get::<_, Option<String>>(8)?
                        .and_then(|t| serde_json::from_str(&t).ok())
                        .unwrap_or_default(),
                    substatus: r.get(9)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The issues first notified in `[from, to)` and how soon I acted on and resolved them.
    fn response_week(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<ResponseWeek, StoreError> {
        let conn = self.conn();
        let [other1, other2, other3, other4, other5] = &Kind::NOT_OF_ISSUES;
        let mut statement = conn
            .prepare_cached(
                "SELECT n.shown,
                    (SELECT MIN(x.created_at) FROM actions x
                     WHERE x.org = n.org AND x.issue_id = n.issue_id AND x.created_at >= n.shown),
                    (SELECT MIN(m.muted_at) FROM issue_mutes m
                     WHERE m.org = n.org AND m.issue_id = n.issue_id AND m.muted_at >= n.shown),
                    (SELECT MIN(r.received_at) FROM alerts r
                     WHERE r.issue_id = n.issue_id AND r.org IS n.org AND r.kind = ?3 AND r.received_at >= n.shown)
                 FROM (SELECT org, issue_id, MIN(notified_at) AS shown FROM alerts
                       WHERE notified_at >= ?1 AND notified_at < ?2 AND kind NOT IN (?4, ?5, ?6, ?7, ?8)
                       GROUP BY org, issue_id) n",
            )
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map(
                params![
                    seconds(from),
                    seconds(to),
                    Kind::IssueResolved,
                    other1,
                    other2,
                    other3,
                    other4,
                    other5
                ],
                |r| {
                    let action: Option<i64> = r.get(1)?;
                    let mute: Option<i64> = r.get(2)?;
                    let first = match (action, mute) {
                        (Some(a), Some(m)) => Some(a.min(m)),
                        (a, m) => a.or(m),
                    };
                    Ok((r.get::<_, i64>(0)?, first, r.get::<_, Option<i64>>(3)?))
                },
            )
            .map_err(|e| self.err(e))?;
        let (mut notified, mut acted, mut resolved) = (0, Vec::new(), Vec::new());
        for row in rows {
            let (shown, action, resolve) = row.map_err(|e| self.err(e))?;
            notified += 1;
            acted.extend(action.map(|a| a - shown));
            resolved.extend(resolve.map(|r| r - shown));
        }
        Ok(ResponseWeek {
            from,
            notified,
            acted: acted.len() as u32,
            to_first_action: median(acted),
            resolved: resolved.len() as u32,
            to_resolve: median(resolved),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![300]), Some(300));
        assert_eq!(median(vec![900, 60, 300]), Some(300));
        assert_eq!(median(vec![60, 120, 300, 900]), Some(210));
    }
}
