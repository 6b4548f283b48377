//! Service hooks set up for the user against each server flavour, with the real keyring: made
//! where the server allows it (its secret kept and taken as the account's webhook secret),
//! refused with the way instead where it does not, and removed with the account.

use sentry_standin::{Flavour, StandIn};

use crate::api::Engine;
use crate::hooks::HookError;

const TOKEN: &str = "sntryu_hooks_token";
const URL: &str = "https://tray.example.com/webhook";

async fn start(flavour: Flavour) -> (StandIn, tempfile::TempDir, Engine) {
    testkit::tls();
    let sentry = StandIn::start_as(TOKEN, flavour).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(super::sentry_at(&sentry.url(), TOKEN, dir.path())).unwrap();
    (sentry, dir, engine)
}

#[tokio::test]
async fn a_hook_is_made_kept_verifying_and_removed_with_its_account_where_the_server_allows() {
    let (sentry, _dir, engine) = start(Flavour::SelfHosted).await;
    sentry.set_scopes(&["org:read", "project:read", "project:write", "event:read", "event:write"]);
    let bad = engine
        .set_up_service_hook("acme", "web", "http://127.0.0.1:8787/webhook", None)
        .await;
    assert!(matches!(bad, Err(HookError::BadUrl(_))), "{bad:?}");
    let made = engine.set_up_service_hook("acme", "web", URL, None).await.unwrap();
    assert_eq!((made.project.as_str(), made.url.as_str()), ("web", URL));
    let (_, hook) = sentry.service_hooks().pop().unwrap();
    let secret = hook["secret"].as_str().unwrap().to_owned();
    let verifying = engine.account_webhook_secrets();
    assert!(
        verifying
            .iter()
            .any(|s| s.secret == secret && s.account.as_deref() == Some(&*format!("{}|acme", sentry.url()))),
        "needs the keyring of the desktop session (scripts/test); the hook's secret is not among {} secrets",
        verifying.len()
    );
    // Set up again: one hook, the new one.
    engine.set_up_service_hook("acme", "web", URL, None).await.unwrap();
    assert_eq!(sentry.service_hooks().len(), 1);
    assert_eq!(engine.service_hooks().unwrap().len(), 1);
    assert!(engine.remove_service_hooks_of("acme").await.is_empty());
    assert!(sentry.service_hooks().is_empty(), "removed in Sentry too");
    assert!(engine.service_hooks().unwrap().is_empty());
    assert!(!engine.account_webhook_secrets().iter().any(|s| s.secret == secret));
}

#[tokio::test]
async fn where_the_server_refuses_the_user_is_told_why_and_what_to_do_instead() {
    // sentry.io: the token lacks project:write, then the feature flag is off.
    let (sentry, _dir, engine) = start(Flavour::SentryIo).await;
    let needs = engine.set_up_service_hook("acme", "web", URL, None).await.unwrap_err();
    assert!(matches!(needs, HookError::NeedsProjectWrite { .. }), "{needs}");
    assert!(
        needs.to_string().contains("/settings/account/api/auth-tokens/"),
        "{needs}"
    );
    sentry.add_write_token("sntryu_write");
    let off = engine
        .set_up_service_hook("acme", "web", URL, Some("sntryu_write"))
        .await
        .unwrap_err();
    assert!(matches!(off, HookError::NotOffered { .. }), "{off}");
    assert!(off.to_string().contains("a feature not enabled"), "{off}");
    assert!(
        off.to_string()
            .contains("New Internal Integration, webhook URL https://tray.example.com/webhook"),
        "{off}"
    );
    // GlitchTip has none at all.
    let (_glitchtip, _dir2, engine) = start(Flavour::GlitchTip).await;
    let none = engine.set_up_service_hook("acme", "web", URL, None).await.unwrap_err();
    assert!(matches!(none, HookError::NotOffered { .. }), "{none}");
    assert!(engine.service_hooks().unwrap().is_empty());
}

#[tokio::test]
async fn a_hook_sentry_deleted_with_its_project_is_forgotten_with_its_secret() {
    let (sentry, _dir, engine) = start(Flavour::SelfHosted).await;
    sentry.set_scopes(&["org:read", "project:read", "project:write", "event:read"]);
    engine.set_up_service_hook("acme", "web", URL, None).await.unwrap();
    engine
        .set_up_service_hook("acme", "front-end", URL, None)
        .await
        .unwrap();
    let secret_of = |project: &str| {
        let (_, hook) = sentry.service_hooks().into_iter().find(|(p, _)| p == project).unwrap();
        hook["secret"].as_str().unwrap().to_owned()
    };
    let (web, front_end) = (secret_of("web"), secret_of("front-end"));
    // Both projects still listed: nothing is asked, nothing forgotten.
    assert_eq!(engine.projects().await.unwrap().len(), 2);
    assert_eq!(engine.service_hooks().unwrap().len(), 2);

    sentry.delete_project("web");
    let projects = engine.projects().await.unwrap();
    assert_eq!(
        projects.iter().map(|p| p.slug.as_str()).collect::<Vec<_>>(),
        ["front-end"]
    );
    let kept: Vec<_> = engine.service_hooks().unwrap().into_iter().map(|h| h.project).collect();
    assert_eq!(
        kept,
        ["front-end"],
        "the deleted project's hook is forgotten, the other kept"
    );
    let verifying = engine.account_webhook_secrets();
    assert!(
        !verifying.iter().any(|s| s.secret == web),
        "its secret left the keyring"
    );
    assert!(
        verifying.iter().any(|s| s.secret == front_end),
        "needs the keyring of the desktop session (scripts/test)"
    );
    let asked = sentry
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/hooks/"))
        .count();
    assert_eq!(asked, 1, "Sentry is asked only of the hook whose project went missing");
}
