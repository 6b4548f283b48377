//! `sentry-tray-cli`: the engine without a window. Exit codes: 0 success, 2 bad input, 1 else.

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use engine::policy::Deliver;
use engine::secrets::{SecretKind, Secrets};
use engine::{Daemon, DaemonConfig, Engine, Settings};

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
        #[arg(long, default_value = engine::daemon::DEFAULT_LISTEN)]
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
        /// resolve, ignore (until it escalates), ignore=MINUTES, ignore=forever, assign (to me), assign=WHO, open
        action: String,
        /// The organization, when several accounts are configured.
        #[arg(long)]
        org: Option<String>,
        /// Seconds to keep retrying before leaving the action queued for the app.
        #[arg(long, default_value_t = 60)]
        wait: u64,
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
        /// e.g. min_level=error environments=production audience=owned quiet_hours="Europe/Berlin mon-fri 22:00-07:00"
        changes: Vec<String>,
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
}

#[derive(Subcommand)]
enum SecretCommand {
    /// Store the secret read from standard input in the OS keyring.
    Set,
    /// Remove the secret from the OS keyring.
    Remove,
}

/// A failure caused by what the user gave us: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct BadInput(String);

fn main() -> ExitCode {
    let cli = Cli::parse();
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
            if e.downcast_ref::<BadInput>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn run(cli: Cli, settings: Settings) -> anyhow::Result<()> {
    match cli.command {
        Command::Daemon {
            listen,
            no_poll,
            poll_interval,
        } => daemon(settings, listen, !no_poll, Duration::from_secs(poll_interval)),
        Command::Account { command } => account(settings, command),
        Command::WebhookSecret {
            command: SecretCommand::Set,
        } => {
            let secret = read_stdin_secret("webhook secret")?;
            Secrets.set(SecretKind::WebhookSecret, &secret)?;
            println!(
                "Webhook secret stored in the keyring (service \"{}\").",
                engine::secrets::SERVICE
            );
            Ok(())
        }
        Command::WebhookSecret {
            command: SecretCommand::Remove,
        } => {
            Secrets.delete(SecretKind::WebhookSecret)?;
            println!("Webhook secret removed from the keyring.");
            Ok(())
        }
        Command::Owners { rules, event, json } => owners(&rules, &event, json),
        Command::Prefs { project, changes } => prefs(settings, &project, &changes),
        Command::Inbox { json, limit } => inbox(settings, json, limit),
        Command::Projects { json } => projects(settings, json),
        Command::Act {
            issue,
            action,
            org,
            wait,
        } => act(settings, &issue, &action, org.as_deref(), Duration::from_secs(wait)),
        Command::Explain { alert, json } => explain(settings, &alert, json),
        Command::Status => {
            let engine = Engine::open(settings)?;
            let store = engine.store();
            println!("database: {}", store.path().display());
            match engine::accounts::list(&engine) {
                Ok(accounts) if accounts.is_empty() => {
                    println!(
                        "account: none (`sentry-tray-cli account add`, the window, or SENTRY_AUTH_TOKEN and SENTRY_ORG)"
                    )
                }
                Ok(accounts) => {
                    for a in accounts {
                        println!("account: {} on {} (token from {:?})", a.org, a.url, a.token_source);
                    }
                }
                Err(e) => println!("account: {e}"),
            }
            match engine.webhook_secret() {
                Ok(Some((_, source))) => println!("webhook secret: set ({source:?})"),
                Ok(None) => println!("webhook secret: not set (run `sentry-tray-cli webhook-secret set`)"),
                Err(e) => println!("webhook secret: {e}"),
            }
            println!("alerts stored: {}", store.alert_count()?);
            Ok(())
        }
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
        println!("{}", serde_json::to_string_pretty(&evaluation)?);
        return Ok(());
    }
    if evaluation.matches.is_empty() {
        println!("No rule matches: nobody owns this event.");
        return Ok(());
    }
    let owners: Vec<String> = evaluation.owners.iter().map(ToString::to_string).collect();
    println!("Owners: {}", owners.join(", "));
    if let Some(assignee) = &evaluation.auto_assignee {
        println!("Auto-assignee: {assignee}");
    }
    println!("Matching rules (the last one wins):");
    for m in &evaluation.matches {
        println!("  line {}: {}", m.line, m.text);
    }
    Ok(())
}

fn act(settings: Settings, issue: &str, action: &str, org: Option<&str>, wait: Duration) -> anyhow::Result<()> {
    use engine::actions::{ActionState, Actions, Request};
    let request = Request::parse(action).map_err(|e| BadInput(e.to_string()))?;
    if !issue.bytes().all(|b| b.is_ascii_digit()) || issue.is_empty() {
        return Err(BadInput(format!("`{issue}` is not an issue id (the number in the issue's URL)")).into());
    }
    let engine = Engine::open(settings)?;
    if request.kind == engine::notifier::UserAction::Open {
        let org = org
            .map(str::to_owned)
            .or_else(|| engine.settings().sentry_org().map(str::to_owned))
            .ok_or_else(|| BadInput("--org is needed to open an issue".into()))?;
        let url = format!("{}/organizations/{org}/issues/{issue}/", engine.settings().sentry_url());
        engine::actions::open_in_browser(&url)?;
        println!("Opened {url}");
        return Ok(());
    }
    let actions = Actions::new(engine, None);
    let id = actions.enqueue(org, issue, &request, None, issue, "")?;
    let runtime = tokio::runtime::Runtime::new().context("could not start the async runtime")?;
    let deadline = std::time::Instant::now() + wait;
    let row = runtime.block_on(async {
        loop {
            let row = actions.run_one(id).await?.context("the queued action disappeared")?;
            if row.state != ActionState::Pending || std::time::Instant::now() >= deadline {
                return anyhow::Ok(row);
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    })?;
    match row.state {
        ActionState::Done => {
            println!("{} issue {issue}: done.", action);
            Ok(())
        }
        ActionState::Failed => anyhow::bail!("could not {action} issue {issue}: {}", row.error.unwrap_or_default()),
        ActionState::Pending => anyhow::bail!(
            "{action} on issue {issue} is still queued ({}); Sentry Tray will keep retrying it while it runs",
            row.error.unwrap_or_default()
        ),
    }
}

fn projects(settings: Settings, json: bool) -> anyhow::Result<()> {
    let engine = Engine::open(settings)?;
    let accounts = engine::accounts::list(&engine)?;
    if accounts.is_empty() {
        return Err(
            BadInput("no account: add one with `sentry-tray-cli account add --url URL --org SLUG`".into()).into(),
        );
    }
    let runtime = tokio::runtime::Runtime::new().context("could not start the async runtime")?;
    let projects = runtime
        .block_on(engine::accounts::projects(&engine))
        .context("listing the projects")?;
    let rows = serde_json::to_value(projects)?;
    let rows = rows.as_array().map(Vec::as_slice).unwrap_or_default();
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    for row in rows {
        let p = &row["preferences"];
        let state = if p["enabled"] == true {
            format!(
                "from {} up, {}",
                p["min_level"].as_str().unwrap_or("?"),
                p["audience"].as_str().unwrap_or("?").replace('_', " ")
            )
        } else {
            "off".to_owned()
        };
        println!(
            "{:<12} {:<24} {:<28} {state}",
            row["org"].as_str().unwrap_or(""),
            row["slug"].as_str().unwrap_or(""),
            row["name"].as_str().unwrap_or("")
        );
    }
    Ok(())
}

fn inbox(settings: Settings, json: bool, limit: usize) -> anyhow::Result<()> {
    let engine = Engine::open(settings)?;
    let store = engine.store();
    let alerts = store.recent_alerts(limit)?;
    if json {
        // Reasons as text, as people and scripts read them.
        let rows: Vec<serde_json::Value> = alerts
            .iter()
            .map(|a| {
                let mut row = serde_json::to_value(a).unwrap_or_default();
                row["reasons"] = serde_json::json!(a.why());
                row
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    if alerts.is_empty() {
        println!("No alerts yet.");
    }
    for a in &alerts {
        let when = chrono::DateTime::from_timestamp(a.received_at, 0)
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let decision = match a.decision {
            None => "pending",
            Some(Deliver::Now) => "now",
            Some(Deliver::Digest) => "digest",
            Some(Deliver::Suppress) => "suppress",
        };
        println!(
            "{when}  {:<14} {:<22} {decision:<8} {}",
            a.short_id.as_deref().unwrap_or(&a.issue_id),
            a.kind,
            a.title
        );
        if let Some(why) = a.reasons.last() {
            println!("{:18}why: {why}", "");
        }
    }
    Ok(())
}

fn prefs(settings: Settings, project: &str, changes: &[String]) -> anyhow::Result<()> {
    let engine = Engine::open(settings)?;
    let store = engine.store();
    // "@org" is an account's defaults, "*" everyone's; a project is shown as it stands alone.
    let mut preferences = store.preferences(project, None)?;
    if !changes.is_empty() {
        for change in changes {
            let (key, value) = change
                .split_once('=')
                .ok_or_else(|| BadInput(format!("`{change}` is not KEY=VALUE")))?;
            preferences
                .set(key.trim(), value.trim())
                .map_err(|e| BadInput(e.to_string()))?;
        }
        store.set_preferences(project, &preferences)?;
    }
    println!("{}", serde_json::to_string_pretty(&preferences)?);
    Ok(())
}

fn explain(settings: Settings, path: &Path, json: bool) -> anyhow::Result<()> {
    let body = read_file(path, "alert")?;
    let alert = engine::alert::Alert::from_json_file(body.as_bytes())
        .map_err(|e| BadInput(format!("{}: {e}", path.display())))?;
    let engine = Engine::open(settings)?;
    let runtime = tokio::runtime::Runtime::new().context("could not start the async runtime")?;
    let enricher = engine::enrich::Enricher::new(engine);
    let (decision, _) = runtime.block_on(engine::daemon::decide_for(&enricher, &alert, chrono::Utc::now()))?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "issue": alert.issue_id, "project": alert.project, "kind": alert.kind,
                "deliver": decision.deliver, "reasons": decision.why(),
            }))?
        );
        return Ok(());
    }
    let verdict = match decision.deliver {
        Deliver::Now => "notify now",
        Deliver::Digest => "into the digest",
        Deliver::Suppress => "not shown",
    };
    println!("{} ({}): {verdict}", alert.label(), alert.title);
    for reason in &decision.reasons {
        println!("  - {reason}");
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

fn account(settings: Settings, command: AccountCommand) -> anyhow::Result<()> {
    let token_from_env = settings.auth_token().map(str::to_owned);
    let engine = Engine::open(settings)?;
    let store = engine.store();
    match command {
        AccountCommand::Add { url, org } => {
            let token = match token_from_env {
                Some(token) => token,
                None => read_stdin_secret("auth token")?,
            };
            let runtime = tokio::runtime::Runtime::new().context("could not start the async runtime")?;
            let added = runtime
                .block_on(engine::accounts::add(&engine, &url, &org, token.trim()))
                .map_err(|e| match e {
                    engine::accounts::AccountError::InvalidUrl(_)
                    | engine::accounts::AccountError::Exists { .. }
                    | engine::accounts::AccountError::MissingScopes(_)
                    | engine::accounts::AccountError::UnknownOrganization { .. }
                    | engine::accounts::AccountError::TokenRejected => anyhow::Error::new(BadInput(e.to_string())),
                    other => other.into(),
                })?;
            println!(
                "Added {} ({}) on {} as {}; teams: {}.",
                added.org,
                added.org_name.as_deref().unwrap_or(""),
                added.url,
                added.email.as_deref().or(added.username.as_deref()).unwrap_or("?"),
                if added.teams.is_empty() {
                    "none".to_owned()
                } else {
                    added
                        .teams
                        .iter()
                        .map(|t| format!("#{t}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            );
            Ok(())
        }
        AccountCommand::List { json } => {
            let accounts = engine::accounts::list(&engine)?;
            let rows: Vec<serde_json::Value> = accounts
                .iter()
                .map(|a| {
                    let state = store
                        .setting(&engine::poll::state_key(a))
                        .ok()
                        .flatten()
                        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok());
                    serde_json::json!({"account": a, "polling": state})
                })
                .collect();
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else if accounts.is_empty() {
                println!("No accounts. Add one with `sentry-tray-cli account add --url URL --org SLUG`.");
            } else {
                for (a, row) in accounts.iter().zip(&rows) {
                    let state = row["polling"]["state"].as_str().unwrap_or("not polled yet");
                    println!(
                        "{}  {}  token from {:?}  polling: {state}",
                        a.org, a.url, a.token_source
                    );
                }
            }
            Ok(())
        }
        AccountCommand::Remove { org } => {
            let removed = engine::accounts::remove(&engine, &org).map_err(|e| match e {
                engine::accounts::AccountError::NotFound(_) => anyhow::Error::new(BadInput(e.to_string())),
                other => other.into(),
            })?;
            println!("Removed {} on {} and its token.", removed.org, removed.url);
            Ok(())
        }
    }
}

fn daemon(settings: Settings, listen: SocketAddr, poll: bool, poll_interval: Duration) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("could not start the async runtime")?;
    runtime.block_on(async {
        let engine = Engine::open(settings)?;
        let config = DaemonConfig {
            listen,
            poll,
            poll_interval,
        };
        let mut daemon = Daemon::start(config, engine).await?;
        println!("listening on http://{}/webhook", daemon.local_addr());
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
