//! `sentry-tray-cli`: the engine without a window. Exit codes: 0 success, 2 bad input, 1 else.

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use engine::policy::{Deliver, Field, PrefError, Workflow};
use engine::{
    ActionRequest, ActionState, Alert, Daemon, DaemonConfig, Engine, InboxQuery, IssueState, MAX_INBOX_PAGE, Origin,
    SentryWorkflow, Settings, UserAction,
};

#[derive(Parser)]
#[command(name = "sentry-tray-cli", version, about = "Sentry alerts on your desktop, headless")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the engine headless: webhook receiver, notifications, actions.
    Daemon {
        /// Where the webhook receiver listens.
        #[arg(long, default_value = engine::DEFAULT_LISTEN)]
        listen: SocketAddr,
        /// Do not poll Sentry's API; rely on webhooks alone.
        #[arg(long)]
        no_poll: bool,
        /// Seconds between polls of each account.
        #[arg(long, env = "SENTRY_TRAY_POLL_INTERVAL", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
        poll_interval: u64,
    },
    /// Sentry accounts: add (checks the token first), list, remove.
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// The webhook receiver's secret (the integration's client secret).
    WebhookSecret {
        #[command(subcommand)]
        command: SecretCommand,
    },
    /// Where settings live and what is configured.
    Status,
    /// Act on an issue: queue the action, send it (with retries), wait for the outcome.
    Act {
        /// The issue's numeric id.
        issue: String,
        /// resolve, ignore (until it escalates), ignore=MINUTES, ignore=forever, assign (to me), assign=WHO, open,
        /// unresolve (reopen), unassign
        action: String,
        /// The organization, when several accounts are configured.
        #[arg(long)]
        org: Option<String>,
        /// Seconds to keep retrying before leaving the action queued for the app.
        #[arg(long, default_value_t = 60)]
        wait: u64,
    },
    /// Mute an issue for yourself, on this desktop only (Sentry is not changed): its alerts stop
    /// notifying until then, and the first one after says why it is back.
    Mute {
        /// The inbox's alert id (`sentry-tray-cli inbox`) of one of the issue's alerts.
        alert: i64,
        /// 1h, 30m, 2d (any number), tomorrow (08:00), release (its project's next), escalates
        until: String,
    },
    /// Lift a mute for me (by an alert of the issue, as `mute` took it).
    Unmute { alert: i64 },
    /// The issues muted for you, and those back in the last day (and why).
    Mutes {
        #[arg(long)]
        json: bool,
    },
    /// The weekly summary (the latest one due), or when it is due: `--at "mon 09:00"`,
    /// `--at "fri 16:30 Europe/Berlin"`, `--at off`.
    Summary {
        #[arg(long)]
        at: Option<String>,
        /// The week ending this many weeks before the latest.
        #[arg(long, default_value_t = 0)]
        weeks_ago: u32,
        #[arg(long)]
        json: bool,
    },
    /// Every account's projects, with how each is set to notify.
    Projects {
        #[arg(long)]
        json: bool,
    },
    /// Recent alerts, what was decided for each and why.
    Inbox {
        #[arg(long)]
        json: bool,
        /// How many, newest first.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Show a project's preferences, or change them with KEY=VALUE pairs ("@ORG" for an
    /// account's defaults, "*" for everyone's).
    Prefs {
        project: String,
        /// The project's organization, when several accounts are configured (a project falls
        /// back to its account's defaults, "@ORG", then to everyone's).
        #[arg(long)]
        org: Option<String>,
        /// e.g. min_level=error environments=production audience=owned quiet_hours="Europe/Berlin mon-fri 22:00-07:00"
        changes: Vec<String>,
        /// Forget the project's own value of these preferences (comma-separated; "all" for
        /// every one), so they follow its account's or everyone's defaults again.
        #[arg(long, value_delimiter = ',')]
        reset: Vec<String>,
        /// Print where each preference comes from ("own", "account", "everyone", "built_in")
        /// beside the preferences.
        #[arg(long)]
        origins: bool,
    },
    /// The policy's decision for an alert (a Sentry issue webhook or issue JSON), with every reason.
    Explain {
        #[arg(long)]
        alert: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Evaluate Sentry ownership rules against an event: owners and the rules that matched.
    Owners {
        /// The rules, in Sentry's text format (Project Settings → Ownership Rules).
        #[arg(long)]
        rules: PathBuf,
        /// The event, as Sentry's JSON (e.g. the API's latest-event answer).
        #[arg(long)]
        event: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Add an account; the token is read from standard input, or SENTRY_AUTH_TOKEN.
    Add {
        /// Sentry's URL: https://sentry.io, a region (https://de.sentry.io) or your own server.
        #[arg(long, default_value = "https://sentry.io")]
        url: String,
        /// The organization's slug.
        #[arg(long)]
        org: String,
    },
    /// The accounts, and how their polling stands.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove an account (by organization slug) and its token.
    Remove { org: String },
    /// My "workflow" notification setting in Sentry (assignments, resolutions, comments) for the
    /// account of ORG, and the alert kinds it proposes; `--apply` makes them the app's.
    SentrySettings {
        org: String,
        #[arg(long)]
        apply: bool,
    },
}

#[derive(Subcommand)]
enum SecretCommand {
    /// Store the secret read from standard input in the OS keyring.
    Set {
        /// The added account whose integration signs with it: its webhooks are then that
        /// account's (without it, the receiver's one secret for every account).
        #[arg(long)]
        org: Option<String>,
    },
    /// Remove the secret from the OS keyring.
    Remove {
        #[arg(long)]
        org: Option<String>,
    },
}

/// Prints a line to standard output; a reader that went away (`sentry-tray-cli inbox | head -1`)
/// ends the command quietly with success, as other command-line tools do.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            return Err(anyhow::Error::new(e).context("cannot write to standard output"));
        }
    }};
}

/// A failure caused by what the user gave us: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct BadInput(String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    engine::private::restrict_new_files();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SENTRY_TRAY_LOG").unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli, Settings::from_env()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            let bad_input = e.chain().any(|cause| {
                cause.is::<BadInput>()
                    || cause
                        .downcast_ref::<engine::Error>()
                        .is_some_and(engine::Error::is_bad_input)
            });
            if bad_input {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn run(cli: Cli, settings: Settings) -> anyhow::Result<()> {
    let engine = || Engine::open(settings.clone());
    match cli.command {
        Command::Daemon {
            listen,
            no_poll,
            poll_interval,
        } => daemon(engine()?, listen, !no_poll, Duration::from_secs(poll_interval)),
        Command::Owners { rules, event, json } => owners(&rules, &event, json),
        Command::Account { command } => account(&engine()?, command),
        Command::WebhookSecret {
            command: SecretCommand::Set { org },
        } => {
            let secret = read_stdin_secret("webhook secret")?;
            engine()?.set_webhook_secret(org.as_deref(), &secret)?;
            out!(
                "Webhook secret stored in the keyring (service \"{}\").",
                engine::KEYRING_SERVICE
            );
            Ok(())
        }
        Command::WebhookSecret {
            command: SecretCommand::Remove { org },
        } => {
            engine()?.remove_webhook_secret(org.as_deref())?;
            out!("Webhook secret removed from the keyring.");
            Ok(())
        }
        Command::Prefs {
            project,
            org,
            changes,
            reset,
            origins,
        } => prefs(&engine()?, &project, org, &changes, &reset, origins),
        Command::Inbox { json, limit } => inbox(&engine()?, json, limit),
        Command::Projects { json } => projects(&engine()?, json),
        Command::Act {
            issue,
            action,
            org,
            wait,
        } => act(&engine()?, &issue, &action, org.as_deref(), Duration::from_secs(wait)),
        Command::Explain { alert, json } => explain(&engine()?, &alert, json),
        Command::Mute { alert, until } => {
            let mute = engine()?.mute_for_me(alert, &until)?;
            out!("muted {} for you {} (Sentry unchanged)", mute.label, mute.until);
            Ok(())
        }
        Command::Unmute { alert } => unmute(&engine()?, alert),
        Command::Mutes { json } => mutes(&engine()?, json),
        Command::Summary { at, weeks_ago, json } => summary(&engine()?, at.as_deref(), weeks_ago, json),
        Command::Status => status(&engine()?),
    }
}

fn status(engine: &Engine) -> anyhow::Result<()> {
    let status = engine.status();
    out!("database: {}", status.database);
    if let Some(e) = &status.accounts_error {
        out!("account: {e}");
    } else if status.accounts.is_empty() {
        out!("account: none (`sentry-tray-cli account add`, the window, or SENTRY_AUTH_TOKEN and SENTRY_ORG)");
    }
    for a in &status.accounts {
        out!(
            "account: {} on {} (token from {}), polling: {}, server: {}",
            a.org,
            a.url,
            origin(a.token_source),
            a.polling_text,
            a.server_text
        );
    }
    match (status.webhook_secret, &status.webhook_secret_error) {
        (_, Some(e)) => out!("webhook secret: {e}"),
        (Some(from), None) => out!("webhook secret: set (from the {})", origin(from)),
        (None, None) => out!("webhook secret: not set (run `sentry-tray-cli webhook-secret set`)"),
    }
    if let Some(note) = &status.environment_note {
        out!("environments: {note}");
    }
    if status.paused {
        out!("notifications: paused");
    }
    out!("alerts stored: {}", status.alerts);
    Ok(())
}

fn origin(origin: Origin) -> &'static str {
    match origin {
        Origin::Environment => "environment",
        Origin::Keyring => "keyring",
    }
}

fn read_file(path: &Path, what: &str) -> anyhow::Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| BadInput(format!("cannot read the {what} file {}: {e}", path.display())).into())
}

fn owners(rules_path: &Path, event_path: &Path, json: bool) -> anyhow::Result<()> {
    let rules_text = read_file(rules_path, "rules")?;
    let rules = ownership::parse(&rules_text).map_err(|e| BadInput(format!("{}: {e}", rules_path.display())))?;
    let event_json: serde_json::Value = serde_json::from_str(&read_file(event_path, "event")?)
        .map_err(|e| BadInput(format!("{}: not JSON: {e}", event_path.display())))?;
    let event =
        ownership::Event::from_json(&event_json).map_err(|e| BadInput(format!("{}: {e}", event_path.display())))?;
    let evaluation = ownership::Ruleset::compile(rules)?.evaluate(&event);
    if json {
        out!("{}", serde_json::to_string_pretty(&evaluation)?);
        return Ok(());
    }
    if evaluation.matches.is_empty() {
        out!("No rule matches: nobody owns this event.");
        return Ok(());
    }
    let owners: Vec<String> = evaluation.owners.iter().map(ToString::to_string).collect();
    out!("Owners: {}", owners.join(", "));
    if let Some(assignee) = &evaluation.auto_assignee {
        out!("Auto-assignee: {assignee}");
    }
    out!("Matching rules (the last one wins):");
    for m in &evaluation.matches {
        out!("  line {}: {}", m.line, m.text);
    }
    Ok(())
}

fn act(engine: &Engine, issue: &str, action: &str, org: Option<&str>, wait: Duration) -> anyhow::Result<()> {
    let request = ActionRequest::parse(action).map_err(engine::Error::from)?;
    if !issue.bytes().all(|b| b.is_ascii_digit()) || issue.is_empty() {
        return Err(BadInput(format!("`{issue}` is not an issue id (the number in the issue's URL)")).into());
    }
    let runtime = tokio::runtime::Runtime::new().context("could not start the async runtime")?;
    if request.kind == UserAction::Open {
        // On the account's own server, from the permalink it gives.
        let url = runtime.block_on(engine.issue_link(org, issue))?;
        engine::open_in_browser(&url)?;
        out!("Opened {url}");
        return Ok(());
    }
    let actions = engine.actions();
    let id = actions.enqueue(org, issue, &request, None, issue, "")?;
    let deadline = std::time::Instant::now() + wait;
    let row = runtime.block_on(async {
        let mut told = false;
        loop {
            let row = actions.run_one(id).await?.context("the queued action disappeared")?;
            if row.state == ActionState::Pending && !told {
                // This command tries first; a running app retries it, should this command stop
                // waiting first (the queue's claim keeps the two from sending it at once).
                tell_the_app(engine).await;
                told = true;
            }
            if row.state != ActionState::Pending || std::time::Instant::now() >= deadline {
                return anyhow::Ok(row);
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    })?;
    let error = row.error.unwrap_or_default();
    match row.state {
        ActionState::Done => {
            // What the server did, which may differ from what was asked.
            out!("{action} issue {issue}: done. {}", row.outcome.unwrap_or_default());
            Ok(())
        }
        ActionState::Failed => anyhow::bail!("could not {action} issue {issue}: {error}"),
        ActionState::Pending => anyhow::bail!(
            "{action} on issue {issue} is still queued ({error}); Sentry Tray will keep retrying it while it runs"
        ),
    }
}

/// Tells a running app of this data folder that an action was queued (nobody there is fine).
async fn tell_the_app(engine: &Engine) {
    use engine::control::{Client, Request};
    let app = Client::new(engine.settings().control_socket());
    let told = tokio::time::timeout(Duration::from_secs(2), app.call(&Request::ActionQueued {})).await;
    if let Ok(Err(e)) = told {
        tracing::debug!(error = %e, "no running app heard of the action");
    }
}

fn projects(engine: &Engine, json: bool) -> anyhow::Result<()> {
    if engine.accounts()?.is_empty() {
        return Err(
            BadInput("no account: add one with `sentry-tray-cli account add --url URL --org SLUG`".into()).into(),
        );
    }
    let runtime = tokio::runtime::Runtime::new().context("could not start the async runtime")?;
    let projects = runtime.block_on(engine.projects()).context("listing the projects")?;
    if json {
        out!("{}", serde_json::to_string_pretty(&projects)?);
        return Ok(());
    }
    for p in &projects {
        let prefs = &p.settings.preferences;
        let state = if prefs.enabled {
            format!("from {} up, {}", prefs.min_level.name(), prefs.audience.describe())
        } else {
            "off".to_owned()
        };
        out!("{:<12} {:<24} {:<28} {state}", p.org, p.slug, p.name);
    }
    Ok(())
}

fn inbox(engine: &Engine, json: bool, limit: usize) -> anyhow::Result<()> {
    let mut alerts = Vec::new();
    let mut query = InboxQuery::default();
    while alerts.len() < limit {
        query.limit = Some((limit - alerts.len()).min(MAX_INBOX_PAGE as usize) as u32);
        let page = engine.inbox(&query)?;
        query.before = page.entries.last().map(|e| e.alert.id);
        alerts.extend(page.entries);
        if !page.more {
            break;
        }
    }
    if json {
        // Reasons as text, as people and scripts read them.
        let rows: Vec<serde_json::Value> = alerts
            .iter()
            .map(|entry| {
                let mut row = serde_json::to_value(&entry.alert).unwrap_or_default();
                row["reasons"] = serde_json::json!(entry.why);
                row["issue"] = serde_json::to_value(&entry.issue).unwrap_or_default();
                row
            })
            .collect();
        out!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    if alerts.is_empty() {
        out!("No alerts yet.");
    }
    for entry in &alerts {
        let a = &entry.alert;
        let when = chrono::DateTime::from_timestamp(a.received_at, 0)
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let decision = match a.decision {
            None => "pending",
            Some(Deliver::Now) => "now",
            Some(Deliver::Digest) => "digest",
            Some(Deliver::Suppress) => "suppress",
        };
        let label = a.short_id.as_deref().unwrap_or(&a.issue_id);
        out!("{when}  {label:<14} {:<22} {decision:<8} {}", a.kind.as_str(), a.title);
        if let Some(why) = entry.why.last() {
            out!("{:18}why: {why}", "");
        }
        if let Some(state) = in_sentry(&entry.issue) {
            out!("{:18}in Sentry: {state}", "");
        }
    }
    Ok(())
}

/// The issue's state as a line ("resolved, assigned to Jane, 12 events, 3 users"), if known.
fn in_sentry(issue: &IssueState) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(status) = issue.status {
        parts.push(serde_json::to_value(status).ok()?.as_str()?.to_owned());
    }
    if let Some(to) = &issue.assigned_to {
        parts.push(format!("assigned to {}", issue.assignee_name.as_deref().unwrap_or(to)));
    }
    if let Some(events) = issue.events {
        parts.push(format!("{events} events"));
    }
    if let Some(users) = issue.users {
        parts.push(format!("{users} users"));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn prefs(
    engine: &Engine,
    project: &str,
    org: Option<String>,
    changes: &[String],
    reset: &[String],
    origins: bool,
) -> anyhow::Result<()> {
    let reset = match reset {
        [] => None,
        [all] if all == "all" => Some(None),
        keys => Some(Some(
            keys.iter()
                .map(|key| {
                    Field::parse(key.trim()).ok_or_else(|| BadInput(PrefError::UnknownKey(key.clone()).to_string()))
                })
                .collect::<Result<Vec<_>, BadInput>>()?,
        )),
    };
    let changes = changes
        .iter()
        .map(|change| {
            let (key, value) = change
                .split_once('=')
                .ok_or_else(|| BadInput(format!("`{change}` is not KEY=VALUE")))?;
            Ok((key.trim().to_owned(), value.trim().to_owned()))
        })
        .collect::<Result<Vec<_>, BadInput>>()?;
    // A project falls back to its account's defaults: whose project it is matters.
    let org = match org {
        Some(org) => Some(org),
        None => engine.org_of(project)?,
    };
    if let Some(only) = reset {
        engine.reset_preferences(project, org.as_deref(), only.as_deref())?;
    }
    let settings = engine.change_preferences(project, org.as_deref(), &changes)?;
    if origins {
        out!("{}", serde_json::to_string_pretty(&settings)?);
    } else {
        out!("{}", serde_json::to_string_pretty(&settings.preferences)?);
    }
    Ok(())
}

fn explain(engine: &Engine, path: &Path, json: bool) -> anyhow::Result<()> {
    let body = read_file(path, "alert")?;
    let alert = Alert::from_json_file(body.as_bytes()).map_err(|e| BadInput(format!("{}: {e}", path.display())))?;
    let runtime = tokio::runtime::Runtime::new().context("could not start the async runtime")?;
    let decision = runtime.block_on(engine.explain(&alert, chrono::Utc::now()))?;
    if json {
        let answer = serde_json::json!({
            "issue": alert.issue_id, "project": alert.project, "kind": alert.kind,
            "deliver": decision.deliver, "reasons": decision.why(),
        });
        out!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(());
    }
    let verdict = match decision.deliver {
        Deliver::Now => "notify now",
        Deliver::Digest => "into the digest",
        Deliver::Suppress => "not shown",
    };
    out!("{} ({}): {verdict}", alert.label(), alert.title);
    for reason in decision.why() {
        out!("  - {reason}");
    }
    Ok(())
}

fn unmute(engine: &Engine, alert: i64) -> anyhow::Result<()> {
    let found = engine.alert(alert)?.ok_or(engine::Error::NoSuchAlert(alert))?;
    let org = found.org.as_deref().ok_or(engine::Error::NotAnIssue(alert))?;
    let key = engine::IssueKey {
        account: found.account.as_deref(),
        org,
        issue_id: &found.issue_id,
    };
    let label = found.short_id.as_deref().unwrap_or(&found.issue_id);
    if engine.unmute_for_me(key)? {
        out!("{label} is no longer muted for you");
    } else {
        out!("{label} was not muted for you");
    }
    Ok(())
}

fn mutes(engine: &Engine, json: bool) -> anyhow::Result<()> {
    let mutes = engine.mutes()?;
    if json {
        out!("{}", serde_json::to_string_pretty(&mutes)?);
        return Ok(());
    }
    if mutes.is_empty() {
        out!("nothing muted for you");
    }
    for m in &mutes {
        let state = match &m.ended {
            Some(ended) => format!("back: {}", ended.why),
            None => format!("muted {}", m.until),
        };
        out!("{} ({}): {state}", m.label, m.title);
    }
    Ok(())
}

fn summary(engine: &Engine, at: Option<&str>, weeks_ago: u32, json: bool) -> anyhow::Result<()> {
    if let Some(at) = at {
        let schedule = engine.set_summary_schedule(at)?;
        out!("weekly summary: {schedule}");
        return Ok(());
    }
    let latest = engine.weekly_summary(None)?;
    let week = match weeks_ago {
        0 => latest,
        n => engine.weekly_summary(Some(latest.to - chrono::Duration::days(7 * i64::from(n))))?,
    };
    if json {
        out!("{}", serde_json::to_string_pretty(&week)?);
        return Ok(());
    }
    let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&chrono::Local).format("%a %d %b %H:%M").to_string();
    out!(
        "week {} – {} (schedule: {})",
        local(week.from),
        local(week.to),
        week.schedule
    );
    if week.projects.is_empty() {
        out!("  nothing new, regressed or resolved");
    }
    for p in &week.projects {
        let name = p.name.as_deref().unwrap_or(&p.project);
        out!(
            "  {name}: {} new, {} regressed, {} resolved",
            p.new,
            p.regressed,
            p.resolved
        );
    }
    for (what, list) in [("top issues", &week.top), ("unassigned, yours", &week.unassigned_mine)] {
        if !list.is_empty() {
            out!("{what}:");
        }
        for i in list.iter() {
            let events = i.events.map(|e| format!(", {e} events")).unwrap_or_default();
            out!("  {} · {} ({} alerts{events})", i.label, i.title, i.alerts);
        }
    }
    if !week.kept_back.is_empty() {
        out!("kept back:");
    }
    for k in &week.kept_back {
        out!("  {}: {} held for a digest, {} not shown", k.why, k.held, k.not_shown);
    }
    if let Some(w) = week.weeks.last() {
        let median = |m: Option<u32>| m.map_or("–".to_owned(), |s| format!("{} min", s.div_ceil(60)));
        out!(
            "response: {} notified, {} acted on (median {}), {} resolved (median {})",
            w.notified,
            w.acted,
            median(w.to_first_action),
            w.resolved,
            median(w.to_resolve)
        );
    }
    Ok(())
}

fn read_stdin_secret(what: &str) -> anyhow::Result<String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| BadInput(format!("could not read the {what} from standard input: {e}")))?;
    let text = text.trim().to_owned();
    if text.is_empty() {
        return Err(BadInput(format!(
            "no {what} on standard input (pipe it in, e.g. `echo -n SECRET | sentry-tray-cli webhook-secret set`)"
        ))
        .into());
    }
    Ok(text)
}

fn account(engine: &Engine, command: AccountCommand) -> anyhow::Result<()> {
    match command {
        AccountCommand::Add { url, org } => {
            let token = match engine.settings().auth_token() {
                Some(token) => token.to_owned(),
                None => read_stdin_secret("auth token")?,
            };
            let runtime = tokio::runtime::Runtime::new().context("could not start the async runtime")?;
            let added = runtime.block_on(engine.add_account(&url, &org, token.trim(), std::future::pending()))?;
            let teams = if added.teams.is_empty() {
                "none".to_owned()
            } else {
                added
                    .teams
                    .iter()
                    .map(|t| format!("#{t}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out!(
                "Added {} ({}) on {} as {}; teams: {teams}.",
                added.org,
                added.org_name.as_deref().unwrap_or(""),
                added.url,
                added.email.as_deref().or(added.username.as_deref()).unwrap_or("?"),
            );
            // Sentry's own setting as the starting point: proposed, not applied unasked.
            match runtime.block_on(engine.sentry_workflow(&added.org)) {
                Ok(proposal) => {
                    show_sentry_workflow(&proposal)?;
                    out!(
                        "`sentry-tray-cli account sentry-settings {} --apply` makes these the app's.",
                        added.org
                    );
                }
                Err(e) => out!("{e}"),
            }
            Ok(())
        }
        AccountCommand::List { json } => {
            let status = engine.status();
            if let Some(e) = status.accounts_error {
                anyhow::bail!("{e}");
            }
            if json {
                out!("{}", serde_json::to_string_pretty(&status.accounts)?);
            } else if status.accounts.is_empty() {
                out!("No accounts. Add one with `sentry-tray-cli account add --url URL --org SLUG`.");
            } else {
                for a in &status.accounts {
                    out!(
                        "{}  {}  token from {}  polling: {}  server: {}",
                        a.org,
                        a.url,
                        origin(a.token_source),
                        a.polling_text,
                        a.server_text
                    );
                }
            }
            Ok(())
        }
        AccountCommand::Remove { org } => {
            // Its service hooks go first, in Sentry too, while its token is there.
            let runtime = tokio::runtime::Runtime::new().context("could not start the async runtime")?;
            for (project, e) in runtime.block_on(engine.remove_service_hooks_of(&org)) {
                eprintln!("warning: the service hook of {project} stays in Sentry: {e}");
            }
            let removed = engine.remove_account(&org)?;
            out!("Removed {} on {} and its token.", removed.org, removed.url);
            Ok(())
        }
        AccountCommand::SentrySettings { org, apply } => {
            let runtime = tokio::runtime::Runtime::new().context("could not start the async runtime")?;
            let proposal = runtime.block_on(engine.sentry_workflow(&org))?;
            show_sentry_workflow(&proposal)?;
            if apply {
                engine.apply_sentry_workflow(&proposal)?;
                out!("Applied: see `sentry-tray-cli prefs @{org}` and each project's.");
            } else {
                out!("Nothing changed; `--apply` makes these the app's.");
            }
            Ok(())
        }
    }
}

/// What Sentry's workflow setting proposes, as people read it.
fn show_sentry_workflow(proposal: &SentryWorkflow) -> anyhow::Result<()> {
    let kinds = |workflow: Workflow| {
        if workflow == Workflow::Never {
            "assignments, mentions, comments and others' changes off"
        } else {
            "assignments, mentions, comments and others' changes on your issues"
        }
    };
    out!(
        "Sentry's workflow notifications for you in {}: {} -> proposed for @{}: {}",
        proposal.org,
        proposal.setting.describe(),
        proposal.org,
        kinds(proposal.setting)
    );
    for (project, workflow) in &proposal.projects {
        out!("  {project}: {} -> {}", workflow.describe(), kinds(*workflow));
    }
    Ok(())
}

fn daemon(engine: Engine, listen: SocketAddr, poll: bool, poll_interval: Duration) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("could not start the async runtime")?;
    runtime.block_on(async {
        let config = DaemonConfig {
            listen,
            poll,
            poll_interval,
        };
        let mut daemon = Daemon::start(config, engine).await?;
        out!("listening on http://{}/webhook", daemon.local_addr());
        shutdown_signal().await;
        tracing::info!("shutting down");
        daemon.shutdown();
        Ok(())
    })
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
