//! The issues the user muted for themselves, kept in the store: what the policy reads as each
//! issue's [`MuteState`], and what the window lists.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::policy::{MuteEnd, MuteState, MuteUntil};
use crate::store::{Store, StoreError};

/// How long an ended mute stays in the window's list, saying why the issue is back.
const ENDED_SHOWN_FOR: i64 = 24 * 3600;

/// One issue muted for me, in force or lately ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct IssueMute {
    pub account: String,
    pub org: String,
    pub issue_id: String,
    pub project: Option<String>,
    /// The short id people know it by (`WEB-1`), else its number.
    pub label: String,
    pub title: String,
    pub until: MuteUntil,
    pub muted_at: DateTime<Utc>,
    /// When and why it ended by itself, if it did (a time-bound one ends when its moment passes).
    pub ended: Option<MuteEnding>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MuteEnding {
    pub at: DateTime<Utc>,
    pub why: MuteEnd,
}

/// Which issue: its account (`''` when not known), organization and id.
#[derive(Debug, Clone, Copy)]
pub struct IssueKey<'a> {
    pub account: Option<&'a str>,
    pub org: &'a str,
    pub issue_id: &'a str,
}

impl IssueMute {
    /// Its state at `now`, for the list: a time-bound mute whose moment passed has ended.
    fn settled(mut self, now: DateTime<Utc>) -> IssueMute {
        if self.ended.is_none()
            && let MuteUntil::Time { at } = self.until
            && at <= now
        {
            self.ended = Some(MuteEnding {
                at,
                why: MuteEnd::TimeUp { at },
            });
        }
        self
    }
}

fn when(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

impl Store {
    /// Mutes an issue for me (again: a new span replaces the old one, and an ended mute starts
    /// over).
    pub fn mute_for_me(&self, mute: &IssueMute) -> Result<(), StoreError> {
        let until = serde_json::to_string(&mute.until)
            .map_err(|e| self.err(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))?;
        self.conn()
            .execute(
                "INSERT INTO issue_mutes (account, org, issue_id, project, label, title, until, muted_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (org, issue_id, account) DO UPDATE SET
                    project = excluded.project, label = excluded.label, title = excluded.title,
                    until = excluded.until, muted_at = excluded.muted_at,
                    ended_at = NULL, ended = NULL, noted = 0",
                params![
                    mute.account,
                    mute.org,
                    mute.issue_id,
                    mute.project,
                    mute.label,
                    mute.title,
                    until,
                    mute.muted_at.timestamp()
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Lifts the issue's mute for me; whether there was one.
    pub fn unmute_for_me(&self, key: IssueKey) -> Result<bool, StoreError> {
        let removed = self
            .conn()
            .execute(
                "DELETE FROM issue_mutes WHERE org = ?1 AND issue_id = ?2 AND (account = ?3 OR account = '' OR ?3 = '')",
                params![key.org, key.issue_id, key.account.unwrap_or("")],
            )
            .map_err(|e| self.err(e))?;
        Ok(removed > 0)
    }

    /// The issue's mute as the policy reads it: in force, or ended with no alert saying so yet.
    pub fn mute_state(&self, key: IssueKey) -> Result<Option<MuteState>, StoreError> {
        let conn = self.conn();
        // Asked for every alert decided: prepared once.
        let mut statement = conn
            .prepare_cached(
                "SELECT until, ended, noted FROM issue_mutes
                 WHERE org = ?1 AND issue_id = ?2 AND (account = ?3 OR account = '' OR ?3 = '')
                 ORDER BY account = ?3 DESC LIMIT 1",
            )
            .map_err(|e| self.err(e))?;
        let row: Option<(String, Option<String>, bool)> = statement
            .query_row(params![key.org, key.issue_id, key.account.unwrap_or("")], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((until, ended, noted)) = row else {
            return Ok(None);
        };
        Ok(match ended {
            _ if noted => None,
            Some(ended) => serde_json::from_str(&ended).ok().map(MuteState::Ended),
            None => serde_json::from_str(&until).ok().map(MuteState::InForce),
        })
    }

    /// Records that the issue's mute ended (`why`) and, when `noted`, that an alert said so.
    pub fn end_mute(&self, key: IssueKey, why: &MuteEnd, at: DateTime<Utc>, noted: bool) -> Result<(), StoreError> {
        let why =
            serde_json::to_string(why).map_err(|e| self.err(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))?;
        self.conn()
            .execute(
                "UPDATE issue_mutes SET ended_at = COALESCE(ended_at, ?4), ended = COALESCE(ended, ?5), noted = ?6
                 WHERE org = ?1 AND issue_id = ?2 AND (account = ?3 OR account = '' OR ?3 = '')",
                params![
                    key.org,
                    key.issue_id,
                    key.account.unwrap_or(""),
                    at.timestamp(),
                    why,
                    noted
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The mutes in force and those ended in the last day, the latest first.
    pub fn mutes(&self, now: DateTime<Utc>) -> Result<Vec<IssueMute>, StoreError> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(
                "SELECT account, org, issue_id, project, label, title, until, muted_at, ended_at, ended
                 FROM issue_mutes ORDER BY muted_at DESC",
            )
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map([], |r| {
                let until: String = r.get(6)?;
                let ended_at: Option<i64> = r.get(8)?;
                let ended: Option<String> = r.get(9)?;
                Ok((
                    IssueMute {
                        account: r.get(0)?,
                        org: r.get(1)?,
                        issue_id: r.get(2)?,
                        project: r.get(3)?,
                        label: r.get(4)?,
                        title: r.get(5)?,
                        until: MuteUntil::Escalates,
                        muted_at: when(r.get(7)?),
                        ended: None,
                    },
                    until,
                    ended_at.zip(ended),
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut mutes = Vec::new();
        for row in rows {
            let (mut mute, until, ended) = row.map_err(|e| self.err(e))?;
            // A row this build cannot read (written by a newer one) is skipped, not fatal.
            let Ok(until) = serde_json::from_str(&until) else {
                continue;
            };
            mute.until = until;
            mute.ended = ended.and_then(|(at, why)| {
                Some(MuteEnding {
                    at: when(at),
                    why: serde_json::from_str(&why).ok()?,
                })
            });
            let mute = mute.settled(now);
            if mute
                .ended
                .as_ref()
                .is_none_or(|e| e.at.timestamp() > now.timestamp() - ENDED_SHOWN_FOR)
            {
                mutes.push(mute);
            }
        }
        Ok(mutes)
    }

    /// The projects (`(org, slug, muted since)`, the earliest mute of each) with an issue muted
    /// until its next release, for the account `account`.
    pub fn muted_until_release(&self, account: &str) -> Result<Vec<(String, String, DateTime<Utc>)>, StoreError> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(
                "SELECT org, project, MIN(muted_at) FROM issue_mutes
                 WHERE ended_at IS NULL AND project IS NOT NULL AND (account = ?1 OR account = '')
                   AND json_extract(until, '$.until') = 'next_release'
                 GROUP BY org, project",
            )
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map([account], |r| Ok((r.get(0)?, r.get(1)?, when(r.get(2)?))))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Ends, with `version`, the mutes until the next release of `project` of `org` that began
    /// before the release was made (`made`); how many.
    pub fn end_mutes_by_release(
        &self,
        account: &str,
        org: &str,
        project: &str,
        version: &str,
        made: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let why = serde_json::to_string(&MuteEnd::Released {
            version: version.to_owned(),
        })
        .map_err(|e| self.err(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))?;
        self.conn()
            .execute(
                "UPDATE issue_mutes SET ended_at = ?5, ended = ?6
                 WHERE ended_at IS NULL AND org = ?2 AND project = ?3 AND (account = ?1 OR account = '')
                   AND json_extract(until, '$.until') = 'next_release' AND muted_at < ?4",
                params![account, org, project, made.timestamp(), Utc::now().timestamp(), why],
            )
            .map_err(|e| self.err(e))
    }
}
