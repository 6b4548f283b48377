//! Every request the client sends, checked against Sentry's published OpenAPI spec by Prism
//! (`shared/sentry/openapi/prism-mock.sh`): a request that breaks the spec gets 400 with the
//! violation. The paths the spec does not document are listed in `UNDOCUMENTED` (checked to be
//! absent from it) and covered by the stand-in tests instead.

use std::path::PathBuf;
use std::process::Command;

use sentry_api::{ApiError, Client, IssueUpdate};

struct Prism {
    pid: u32,
    url: String,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.pid.to_string()).status();
    }
}

fn start_prism() -> Option<Prism> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/sentry/openapi/prism-mock.sh");
    if !script.exists() {
        eprintln!(
            "NOTE: {} is absent: the client's requests are NOT checked against Sentry's OpenAPI spec",
            script.display()
        );
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = Command::new("bash")
        .arg(&script)
        .arg(port.to_string())
        .output()
        .expect("bash runs the Prism script");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "Prism did not start: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pid = stdout
        .split(" pid ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .expect("the script prints Prism's pid");
    Some(Prism {
        pid,
        url: format!("http://127.0.0.1:{port}"),
    })
}

/// A 400 from Prism means the request broke the spec; anything else is Prism answering from
/// the spec's examples.
fn conforms<T: std::fmt::Debug>(what: &str, result: Result<T, ApiError>) {
    if let Err(ApiError::Rejected { status: 400, detail }) = &result {
        panic!("{what} breaks Sentry's OpenAPI spec: {detail}");
    }
    if let Err(e) = &result {
        // Prism's example answers may not be what we parse; only the request is checked here.
        eprintln!("{what}: request conforms; answer: {e}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_request_the_client_sends_matches_sentrys_openapi_spec() {
    let Some(prism) = start_prism() else { return };
    testkit::tls();
    let client = Client::new(&prism.url, "sntryu_any_token").unwrap();
    conforms("GET organization", client.organization_name("acme").await);
    conforms("GET user-teams", client.my_teams("acme").await);
    conforms("GET projects", client.projects("acme").await);
    conforms("GET members", client.members("acme").await);
    conforms(
        "GET organization issues",
        client
            .organization_issues("acme", "is:unresolved lastSeen:>2026-11-25T10:00:00Z", Some("0:100:0"))
            .await,
    );
    conforms("GET project ownership", client.project_ownership("acme", "web").await);
    conforms("GET project environments", client.environments("acme", "web").await);
    // What the app learns of a server when an account is added and at start.
    conforms("learning what the server offers", client.discover("acme").await);
    conforms("GET latest event", client.latest_event("acme", "42").await);
    conforms("GET issue", client.issue("acme", "42").await);
    conforms("GET releases", client.organization_releases("acme", 25).await);
    conforms(
        "POST service hook",
        client
            .create_service_hook("acme", "web", "https://tray.example.com/webhook")
            .await,
    );
    conforms(
        "GET service hook",
        client
            .service_hook_exists("acme", "web", "4f9d73e63b7144ecb8944c41620a090b")
            .await,
    );
    conforms(
        "DELETE service hook",
        client
            .delete_service_hook("acme", "web", "4f9d73e63b7144ecb8944c41620a090b")
            .await,
    );
    for (what, update) in [
        ("resolve", IssueUpdate::resolve()),
        ("ignore until escalating", IssueUpdate::ignore_until_escalating()),
        ("ignore for 30 minutes", IssueUpdate::ignore_for(30)),
        ("ignore forever", IssueUpdate::ignore_forever()),
        ("assign to a user", IssueUpdate::assign("user:42")),
        ("assign to a team", IssueUpdate::assign("team:7")),
    ] {
        conforms(
            &format!("PUT issue ({what})"),
            client.update_issue("acme", "42", &update).await,
        );
    }

    // The check has teeth: a body Sentry would refuse is refused.
    let bogus = IssueUpdate {
        status: Some("bogus".into()),
        ..Default::default()
    };
    assert!(
        matches!(
            client.update_issue("acme", "42", &bogus).await,
            Err(ApiError::Rejected { status: 400, .. })
        ),
        "Prism let an invalid status through: the spec check is not working"
    );
}

/// What the client asks that Sentry's published spec does not document, each with where it is
/// covered instead (the stand-in answers it as Sentry's source does).
const UNDOCUMENTED: [(&str, &str); 5] = [
    ("/api/0/", "who the token belongs to (`Client::whoami`)"),
    ("/api/0/issues/{issue_id}/", "older self-hosted Sentry's issue path"),
    (
        "/api/0/issues/{issue_id}/events/latest/",
        "older self-hosted Sentry's latest-event path",
    ),
    (
        "/api/0/organizations/{organization_id_or_slug}/activity/",
        "the activity feed polling reads for workflow alerts (Sentry's OrganizationActivityEndpoint)",
    ),
    (
        "/api/0/users/{user_id}/notification-options/",
        "my notification settings, read as the app's starting point (Sentry's private, control-silo endpoint)",
    ),
];

#[test]
fn the_paths_the_spec_does_not_document_are_named_and_really_absent_from_it() {
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/sentry/openapi/sentry-openapi.json");
    let Ok(text) = std::fs::read_to_string(&spec) else {
        eprintln!(
            "NOTE: {} is absent: the list of undocumented paths is NOT checked",
            spec.display()
        );
        return;
    };
    let spec: serde_json::Value = serde_json::from_str(&text).expect("the spec is JSON");
    let paths = spec["paths"].as_object().expect("the spec has paths");
    assert!(paths.len() > 100, "the whole spec was read");
    for (path, what) in UNDOCUMENTED {
        assert!(
            !paths.contains_key(path),
            "{path} ({what}) is in the spec now: check it against Prism above instead"
        );
    }
}
