//! Whose alert is it, and does it matter now: a pure function of the alert, the user's
//! preferences, the ownership result, who "me" is, the clock and recent history. No I/O and no
//! clock of its own, so every branch is testable; every decision keeps its reasons.

mod decide;
mod digest;
mod fix;
mod mention;
mod mute_for_me;
mod prefs;
mod quiet;
mod reason;
mod sentry_settings;
mod weekly;

pub use decide::{Decision, Deliver, Facts, History, Me, assignment_of, decide, heard_as, muted};
pub use digest::{DigestTimes, digest_due, digest_due_at};
pub use fix::Fix;
pub use mention::mention;
pub use mute_for_me::{MuteEnd, MuteState, MuteUntil};
pub use prefs::{AlertKind, Audience, Field, Level, MuteRule, PrefError, Preferences};
pub use quiet::{QuietHours, Window};
pub use reason::{Assignment, EnvironmentUnknown, Mention, Ownership, Reason, Subscription, SubscriptionReason};
pub use sentry_settings::{Scope, Workflow, propose};
pub use weekly::SummarySchedule;
