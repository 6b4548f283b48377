// Generated from the engine's Rust types by crates/engine/src/tests/protocol.rs: do not edit.
// UPDATE_PROTOCOL=1 cargo test -p engine protocol rewrites it.

export type Account = { 
/**
 * `None` for the environment's account.
 */
id: number | null, url: string, org: string, org_name: string | null, user_id: string | null, username: string | null, 
/**
 * The name Sentry shows for the user (accounts added before it was kept: `None`).
 */
name: string | null, email: string | null, teams: Array<string>, token_source: Origin, };

/**
 * How an account's polling stands, as the window and tray show it.
 */
export type AccountState = { "state": "ok" } | { "state": "offline", "detail": string } | { "state": "token_rejected" } | { "state": "rate_limited", "detail": string } | { "state": "error", "detail": string };

export type AccountStatus = { url: string, org: string | null, token_source: Origin, };

/**
 * Where an action of the queue stands.
 */
export type ActionState = "pending" | "done" | "failed";

/**
 * What happened, as the user chooses what to hear about.
 */
export type AlertKind = "new_issue" | "regression" | "escalating" | "event_alert" | "metric_alert" | "assigned_to_me" | "mentioned" | "comment_on_my_issue" | "state_changed" | "release" | "deploy" | "regressed_in_release";

/**
 * Someone issues can be assigned to: `assignee` as `assign=` takes it, and how to show them.
 */
export type Assignee = { assignee: string, label: string, };

/**
 * Whose an issue is by assignment.
 */
export type Assignment = { "to": "nobody" } | { "to": "you" } | { "to": "your_team", team: string, } | { "to": "other_team", team: string, } | { "to": "someone", user: string, };

/**
 * Whose alerts to hear about.
 */
export type Audience = "everything" | "assigned" | "owned" | "owned_or_assigned";

export type Deliver = "now" | "digest" | "suppress";

/**
 * Set times of day for the digest, in the user's zone (`Europe/Berlin 09:00,17:00`).
 */
export type DigestTimes = { time_zone: string, times: Array<string>, };

/**
 * Why an alert's environment is not known.
 */
export type EnvironmentUnknown = "unreachable" | "no_account";

/**
 * What the engine tells a subscribed window.
 */
export type Event = { "event": "changed" } | { "event": "show", view: View, };

/**
 * Why the app refused a call: the message, and the field of the request it concerns, when one
 * does (so the window says it beside that field).
 */
export type Failure = { message: string, field: InputField | null, };

/**
 * One preference, as it is stored, inherited and reset on its own (its name is the field's in
 * [`Preferences`]).
 */
export type Field = "enabled" | "min_level" | "environments" | "kinds" | "audience" | "quiet_hours" | "snoozed_until" | "spike_limit_per_hour" | "digest_up_to" | "digest_every_hours" | "digest_at" | "urgent_from" | "sound" | "expire_after" | "mute" | "local_rules";

/**
 * One click that would have let an alert through.
 */
export type Fix = { 
/**
 * What the button says: "Notify me for staging too".
 */
label: string, key: string, value: string, };

/**
 * An alert as the window's inbox shows it: the stored alert, its reasons as text, and whether
 * it is an issue the user can act on.
 */
export type InboxEntry = { why: Array<string>, actionable: boolean, 
/**
 * The preference that decided, if one did.
 */
decided_by: Field | null, 
/**
 * Kept from the screen for later (spike protection, the digest, quiet hours, a pause).
 */
held_back: boolean, 
/**
 * Assigned to me or my team, or owned by us, as the decision found.
 */
mine: boolean, 
/**
 * For an alert kept back: the one change of the project's preferences that lets the next
 * like it through.
 */
fix: Fix | null, 
/**
 * The issue as Sentry has it now, as far as the app heard.
 */
issue: IssueState, id: number, kind: Kind, issue_id: string, short_id: string | null, project: string | null, title: string, web_url: string | null, 
/**
 * `None` until the policy has decided.
 */
decision: Deliver | null, received_at: number, reasons: Array<Reason>, level: Level | null, source: Source, org: string | null, 
/**
 * The account (`server|organization`) it came from, when known.
 */
account: string | null, };

/**
 * Which of the inbox's alerts to list.
 */
export type InboxFilter = "all" | "mine" | "notified" | "held" | "suppressed";

/**
 * A page of the inbox.
 */
export type InboxPage = { entries: Array<InboxEntry>, 
/**
 * Older alerts match too: ask with `before` the last entry's id.
 */
more: boolean, };

/**
 * Which page of the inbox to answer.
 */
export type InboxQuery = { 
/**
 * The page after the alert `before` (the previous page's last id); `None`: the first page.
 */
before?: number | null, 
/**
 * At most this many alerts ([`PAGE`] if `None`, at most [`MAX_PAGE`]).
 */
limit?: number | null, filter: InboxFilter, 
/**
 * Words the short id, title or project must contain (any case).
 */
search?: string | null, 
/**
 * Only this project's alerts (its slug), of `org` if given.
 */
project?: string | null, org?: string | null, };

/**
 * A field of a request the user typed.
 */
export type InputField = "url" | "organization" | "token";

/**
 * One issue muted for me, in force or lately ended.
 */
export type IssueMute = { account: string, org: string, issue_id: string, project: string | null, 
/**
 * The short id people know it by (`WEB-1`), else its number.
 */
label: string, title: string, until: MuteUntil, muted_at: string, 
/**
 * When and why it ended by itself, if it did (a time-bound one ends when its moment passes).
 */
ended: MuteEnding | null, };

/**
 * The issue list's order "last seen, newest first", as the server names it.
 */
export type IssueSort = "date" | "last_seen";

/**
 * What the app last heard of an issue's state in Sentry (webhooks, polling, its own actions).
 */
export type IssueState = { status: IssueStatus | null, 
/**
 * `user:<id>` or `team:<slug>`; `None`: nobody, or not known.
 */
assigned_to: string | null, 
/**
 * Whether the app heard who it is assigned to (nobody included).
 */
assignment_known: boolean, 
/**
 * The assignee as people read it.
 */
assignee_name: string | null, 
/**
 * Events so far.
 */
events: number | null, 
/**
 * Users who saw it so far.
 */
users: number | null, };

/**
 * An issue's status in Sentry, as the app last heard it.
 */
export type IssueStatus = "unresolved" | "resolved" | "ignored";

export type KeptBack = { why: string, 
/**
 * Held for a digest (shown later, together).
 */
held: number, 
/**
 * Not shown at all.
 */
not_shown: number, };

/**
 * What Sentry reported, as `resource.action` on the wire and in the database.
 */
export type Kind = "IssueCreated" | "IssueResolved" | "IssueUnresolved" | "IssueAssigned" | "IssueIgnored" | "IssueArchived" | "ErrorCreated" | "EventAlertTriggered" | "EventAlert" | "MetricAlertCritical" | "MetricAlertWarning" | "MetricAlertResolved" | "CommentCreated" | "CommentUpdated" | "CommentDeleted" | "IssueRegressed" | "ReleaseCreated" | "DeployCreated" | { "Other": string };

export type Level = "debug" | "info" | "warning" | "error" | "fatal";

export type MatchedRule = { 
/**
 * 1-based line in the rules text.
 */
line: number, text: string, owners: Array<string>, };

/**
 * Who a comment mentions, of me and my teams.
 */
export type Mention = { "who": "you" } | { "who": "your_team", team: string, };

/**
 * Why a mute for me ended by itself: the note the issue comes back with.
 */
export type MuteEnd = { "ended": "time_up", at: string, } | { "ended": "released", version: string, } | { "ended": "escalated" };

export type MuteEnding = { at: string, why: MuteEnd, };

/**
 * What mute rules would have done to recent alerts: of the `checked` latest alerts in scope,
 * the ones each rule (in the order asked) would have muted.
 */
export type MutePreview = { checked: number, matches: Array<Array<Recent>>, };

/**
 * Known noise: an alert matching any of these is not shown.
 */
export type MuteRule = { "field": "title", "value": string } | { "field": "culprit", "value": string } | { "field": "message", "value": string } | { "field": "tag", "value": [string, string] };

/**
 * How long an issue stays muted for me.
 */
export type MuteUntil = { "until": "time", at: string, } | { "until": "next_release" } | { "until": "escalates" };

/**
 * Where a secret was found.
 */
export type Origin = "environment" | "keyring";

/**
 * Whose an issue is by the project's ownership rules.
 */
export type Ownership = { "by": "unknown" } | { "by": "no_rule_matches" } | { "by": "yours", owner: string, line: number, rule: string, } | { "by": "others", owner: string, };

/**
 * The rules tested, and what they say of the event.
 */
export type OwnershipAnswer = { 
/**
 * The rules tested: as typed, or as Sentry has them.
 */
rules: string, 
/**
 * Why the project's rules could not be read from Sentry (they can still be typed).
 */
rules_unavailable: string | null, 
/**
 * Where the rules do not read, as Sentry would refuse them.
 */
error: RulesError | null, 
/**
 * Why there is no event to test against (none picked, not JSON, not found).
 */
event_missing: string | null, owners: Array<string>, auto_assignee: string | null, 
/**
 * The matching rules, in the order Sentry evaluates them (the last one wins).
 */
matches: Array<MatchedRule>, };

export type PolledAccount = { 
/**
 * `None` for the environment's account (it cannot be removed from the window).
 */
id: number | null, org: string, url: string, token_source: Origin, 
/**
 * `None` until the first poll.
 */
polling: AccountState | null, 
/**
 * How polling stands, as a person reads it.
 */
polling_text: string, 
/**
 * Polled, and not well.
 */
trouble: boolean, 
/**
 * What the account's server offers (`None` until learned).
 */
server: ServerProfile | null, 
/**
 * The server's kind and what it lacks, and how its issues are read, as a person reads it.
 */
server_text: string, };

export type Preferences = { enabled: boolean, min_level: Level, 
/**
 * Empty: every environment.
 */
environments: Array<string>, kinds: Array<AlertKind>, audience: Audience, quiet_hours: QuietHours | null, 
/**
 * No notifications before this moment (pause / snooze).
 */
snoozed_until: string | null, 
/**
 * At most this many notifications per project per hour; then one summary.
 */
spike_limit_per_hour: number, 
/**
 * Alerts at or below this level go into the digest instead of notifying.
 */
digest_up_to: Level | null, 
/**
 * How often held alerts come out as one digest summary (0: at the next check).
 */
digest_every_hours: number, 
/**
 * Set times for the digest instead of an interval.
 */
digest_at: DigestTimes | null, 
/**
 * Alerts at or above this level notify as urgent (critical metric alerts always do).
 */
urgent_from: Level, 
/**
 * Urgent notifications play the desktop's alert sound.
 */
sound: boolean, 
/**
 * How long a notification that is not urgent stays on screen, in seconds, by its level
 * (0, or a level not listed: until acted on). Urgent ones always stay.
 */
expire_after: { [key in Level]?: number }, mute: Array<MuteRule>, 
/**
 * Ownership rules (Sentry's text format) added on top of the project's rules in Sentry;
 * being later, they win.
 */
local_rules: string, };

/**
 * Where a project's preference comes from.
 */
export type PreferencesFrom = "own" | "account" | "everyone" | "built_in";

/**
 * One project of an account, as `projects` and the window list it.
 */
export type Project = { org: string, slug: string, name: string, preferences: Preferences, from: { [key in Field]?: PreferencesFrom }, };

/**
 * A project of an account, as [`Request::PreferencesOf`] names it.
 */
export type ProjectKey = { org: string, slug: string, };

/**
 * A project's effective preferences and where each comes from.
 */
export type ProjectPreferences = { preferences: Preferences, from: { [key in Field]?: PreferencesFrom }, };

export type ProjectWeek = { org: string | null, project: string, name: string | null, new: number, regressed: number, resolved: number, };

/**
 * One row of the queue.
 */
export type Queued = { id: number, org: string, issue_id: string, kind: UserAction, argument: string | null, state: ActionState, attempts: number, error: string | null, notification_id: number | null, label: string | null, title: string | null, 
/**
 * What the server did, once done ("Ignored WEB-1 for 30 min").
 */
outcome: string | null, 
/**
 * Sent once without an answer: Sentry may have applied it already.
 */
maybe_sent: boolean, 
/**
 * Until when (Unix seconds) it can be undone, if it can.
 */
undo_until: number | null, };

export type QuietHours = { 
/**
 * IANA time zone name, e.g. `Europe/Berlin`.
 */
time_zone: string, windows: Array<Window>, 
/**
 * Fatal issues and critical metric alerts notify anyway.
 */
breakthrough: boolean, };

export type Reason = { "reason": "project_off", project: string, } | { "reason": "snoozed", until: string, } | { "reason": "not_notifiable" } | { "reason": "kind_off", kind: AlertKind, project: string, } | { "reason": "by_you" } | { "reason": "below_minimum", level: Level, minimum: Level, project: string, } | { "reason": "environment_watched", environment: string, } | { "reason": "environment_not_watched", environment: string | null, watched: Array<string>, } | { "reason": "environment_unknown", why: EnvironmentUnknown, } | { "reason": "muted", 
/**
 * 1-based, as the user counts their rules.
 */
rule: number, by: MuteRule, } | { "reason": "muted_for_you", until: MuteUntil, } | { "reason": "mute_ended", why: MuteEnd, } | { "reason": "comment_on_your_issue" } | { "reason": "comment_not_on_your_issue", assignment: Assignment, } | { "reason": "mentioned", mention: Mention, } | { "reason": "involved", assignment: Assignment, subscription: Subscription, } | { "reason": "not_involved", assignment: Assignment, subscription: Subscription, } | { "reason": "project_news", project: string, } | { "reason": "everything", project: string, } | { "reason": "assigned", assignment: Assignment, } | { "reason": "owned", ownership: Ownership, } | { "reason": "neither_assigned_nor_owned", assignment: Assignment, ownership: Ownership, } | { "reason": "breaks_through_quiet_hours", critical: boolean, } | { "reason": "quiet_hours", until: string, } | { "reason": "spike_limit", limit: number, project: string, } | { "reason": "digest_level", level: Level, up_to: Level, } | { "reason": "notify", kind: AlertKind, project: string, } | { "reason": "paused" } | { "reason": "incident_resolved" } | { "reason": "preferences_unreadable", detail: string, } | string;

/**
 * An alert as lists show it.
 */
export type Recent = { id: number, kind: Kind, issue_id: string, short_id: string | null, project: string | null, title: string, web_url: string | null, 
/**
 * `None` until the policy has decided.
 */
decision: Deliver | null, received_at: number, reasons: Array<Reason>, level: Level | null, source: Source, org: string | null, 
/**
 * The account (`server|organization`) it came from, when known.
 */
account: string | null, };

/**
 * The app's answer to a [`Request`], `{"ok": {"inbox": [...]}}` on the wire.
 */
export type Reply = { "status": { status: Status, autostart: boolean, } } | { "autostart": boolean } | { "inbox": InboxPage } | { "actions": Array<Queued> } | { "action": Queued } | { "queued": number } | { "mute": IssueMute } | { "mutes": Array<IssueMute> } | { "weekly_summary": WeeklySummary } | { "sentry_workflow": SentryWorkflow } | { "service_hooks": Array<ServiceHookRow> } | { "account": Account } | { "projects": Array<Project> } | { "assignees": Array<Assignee> } | { "preferences_of": Array<ProjectPreferences> } | { "project_preferences": ProjectPreferences } | { "environments": Array<string> } | { "mute_preview": MutePreview } | { "ownership": OwnershipAnswer } | "done";

/**
 * What the window (or a second launch) asks the running app: the method and its parameters,
 * `{"method": "set_paused", "params": {"paused": true}}` on the wire.
 */
export type Request = { "method": "subscribe", "params": Record<symbol, never> } | { "method": "status", "params": Record<symbol, never> } | { "method": "set_paused", "params": { paused: boolean, } } | { "method": "set_autostart", "params": { enabled: boolean, } } | { "method": "open_window", "params": { view: View | null, } } | { "method": "inbox", "params": { query: InboxQuery, } } | { "method": "actions", "params": Record<symbol, never> } | { "method": "retry_action", "params": { id: number, } } | { "method": "undo_action", "params": { id: number, } } | { "method": "act_on_alert", "params": { alert: number, action: string, } } | { "method": "mute_for_me", "params": { alert: number, until: string, } } | { "method": "unmute_for_me", "params": { account: string, org: string, issue_id: string, } } | { "method": "mutes", "params": Record<symbol, never> } | { "method": "set_up_service_hook", "params": { org: string, project: string, url: string, token: string | null, } } | { "method": "remove_service_hook", "params": { org: string, project: string, } } | { "method": "service_hooks", "params": Record<symbol, never> } | { "method": "sentry_workflow", "params": { org: string, } } | { "method": "apply_sentry_workflow", "params": { org: string, } } | { "method": "weekly_summary", "params": { to: string | null, } } | { "method": "set_summary_schedule", "params": { schedule: string, } } | { "method": "add_account", "params": { url: string, org: string, token: string, } } | { "method": "set_webhook_secret", "params": { secret: string, org: string | null, } } | { "method": "cancel_account_check", "params": Record<symbol, never> } | { "method": "remove_account", "params": { org: string, } } | { "method": "projects", "params": Record<symbol, never> } | { "method": "set_preference", "params": { project: string, org: string | null, key: string, value: string, } } | { "method": "assignees", "params": Record<symbol, never> } | { "method": "preferences_of", "params": { projects: Array<ProjectKey>, } } | { "method": "reset_preferences", "params": { project: string, org: string | null, only: Array<Field> | null, } } | { "method": "environments", "params": { project: string, org: string, } } | { "method": "test_ownership", "params": { project: string, org: string, rules: string | null, issue: string | null, event: string | null, } } | { "method": "mute_preview", "params": { project: string, org: string | null, rules: Array<MuteRule>, } } | { "method": "action_queued", "params": Record<symbol, never> };

/**
 * A week's notifications and how soon I answered them: the medians, in seconds, over the
 * issues notified that week (each from its first notification that week).
 */
export type ResponseWeek = { from: string, notified: number, 
/**
 * Of them, the ones I acted on (resolve, ignore, assign, mute for me).
 */
acted: number, to_first_action: number | null, 
/**
 * Of them, the ones resolved (by anyone).
 */
resolved: number, to_resolve: number | null, };

export type RulesError = { message: string, 
/**
 * 1-based; none when the rules as a whole are refused.
 */
line: number | null, 
/**
 * 1-based, where the grammar stopped; none when the whole rule is wrong.
 */
column: number | null, };

/**
 * My workflow setting in Sentry for one account, as `Engine::sentry_workflow` read it.
 */
export type SentryWorkflow = { org: string, 
/**
 * The organization's value (else my user-wide one, else Sentry's default).
 */
setting: Workflow, 
/**
 * Projects (by slug) whose own setting differs.
 */
projects: Array<[string, Workflow]>, };

export type ServerKind = "sentry" | "older_sentry" | "glitch_tip";

/**
 * What the server offers, as the app uses it.
 */
export type ServerProfile = { kind: ServerKind, issue_sort: IssueSort, 
/**
 * Whether `lastSeen:>TIME` narrows the issue list (GlitchTip reads it as a tag filter and
 * answers nothing, forever).
 */
last_seen_search: boolean, 
/**
 * Whether the issue list pages with cursors (GlitchTip's `Link` header has none).
 */
cursor_paging: boolean, 
/**
 * Whether `/api/0/organizations/{org}/issues/{id}/…` is there (else `/api/0/issues/{id}/…`).
 */
organization_issue_paths: boolean, teams: boolean, ownership_rules: boolean, assignment: boolean, 
/**
 * Whether it sends signed Sentry webhooks (GlitchTip only posts unsigned chat messages).
 */
webhooks: boolean, 
/**
 * Whether the organization's activity feed is there (comments, assignments and status
 * changes for polling). Profiles stored before it was learned: assumed, as on Sentry.
 */
activity: boolean, 
/**
 * Whether the organization's releases can be listed (release notifications, "mute until
 * its next release").
 */
releases: boolean, 
/**
 * Whether releases carry their deploys (GlitchTip has releases without deploys).
 */
deploys: boolean, };

/**
 * A service hook the app created.
 */
export type ServiceHookRow = { org: string, project: string, 
/**
 * Where Sentry posts the project's alerts.
 */
url: string, hook_id: string, };

/**
 * How the alert reached the app.
 */
export type Source = "webhook" | "poll" | "action";

export type Status = { 
/**
 * Where the running app's receiver listens (`None` when asked outside one).
 */
listen: string | null, webhook_url: string | null, 
/**
 * The environment's account, if any (added accounts are in `accounts`).
 */
account: AccountStatus | null, webhook_secret: Origin | null, 
/**
 * Why the webhook secret could not be read (a locked keyring, say).
 */
webhook_secret_error: string | null, paused: boolean, alerts: number, database: string, 
/**
 * Every account polled, with how its polling stands.
 */
accounts: Array<PolledAccount>, 
/**
 * Why the accounts could not be listed.
 */
accounts_error: string | null, 
/**
 * Accounts whose server sends no signed Sentry webhooks, said for the receiver's section.
 */
webhook_note: string | null, 
/**
 * Preferences that filter by environment while no account can tell an alert's environment
 * (webhooks carry none), said beside the environment setting.
 */
environment_note: string | null, };

/**
 * Whether Sentry sends me the issue's workflow notifications (its `isSubscribed`), and why.
 */
export type Subscription = { "subscribed": "unknown" } | { "subscribed": "no" } | { "subscribed": "yes", because: SubscriptionReason | null, };

/**
 * Why Sentry subscribed me to an issue (its `subscriptionDetails.reason`).
 */
export type SubscriptionReason = "commented" | "assigned" | "bookmarked" | "changed_status" | "mentioned";

export type SummaryIssue = { org: string | null, issue_id: string, label: string, title: string, project: string | null, 
/**
 * Events in the issue as the app last heard (`None`: not said).
 */
events: number | null, 
/**
 * Alerts of it this week.
 */
alerts: number, web_url: string | null, };

/**
 * The weekly summary's time, or none.
 */
export type SummarySchedule = { "weekly": "off" } | { "weekly": "at", day: string, time: string, 
/**
 * IANA name; `None`: the machine's own zone.
 */
time_zone: string | null, };

/**
 * What a user can do from a notification.
 */
export type UserAction = "resolve" | "ignore" | "assign" | "open" | "unresolve" | "unassign" | "mute";

/**
 * The part of the window the user asked for.
 */
export type View = "inbox" | "settings" | "summary";

/**
 * One week, ending at `to`.
 */
export type WeeklySummary = { from: string, to: string, 
/**
 * Projects with anything new, regressed or resolved, the busiest first.
 */
projects: Array<ProjectWeek>, 
/**
 * The issues with the most events of those that alerted this week.
 */
top: Array<SummaryIssue>, 
/**
 * Issues of mine or my teams (by ownership, a mention, my involvement) that nobody is
 * assigned to and that are still open.
 */
unassigned_mine: Array<SummaryIssue>, 
/**
 * What the policy kept back, by why: held for a digest, or not shown.
 */
kept_back: Array<KeptBack>, 
/**
 * My response times, a week each, the oldest first; the last is this one.
 */
weeks: Array<ResponseWeek>, schedule: SummarySchedule, next_due: string | null, };

export type Window = { days: Array<string>, start: string, end: string, };

/**
 * Sentry's value of the `workflow` setting.
 */
export type Workflow = "always" | "subscribe_only" | "never";
