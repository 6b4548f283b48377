//! A preference changed from the command line and the same change made in the window (over the
//! running app's control socket, as the window sends it) store the same row; each preference
//! falls back on its own, as the README says: the project's own, else its account's (`@ORG`),
//! else everyone's (`*`), else the built-in default.

use engine::control::{Client, ProjectKey, Reply, Request};
use engine::policy::Field;
use engine::{PreferencesFrom, Settings};
use testkit::*;

/// A data folder whose everyone's defaults and acme's defaults are set (from the CLI).
fn data_folder(name: &str) -> std::path::PathBuf {
    let dir = temp_dir(name);
    let env = [("SENTRY_TRAY_DATA_DIR", dir.to_str().unwrap())];
    for (project, change) in [("*", "min_level=error"), ("@acme", "audience=owned")] {
        let out = cli(&["prefs", project, change], "", &env);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    dir
}

/// The row stored for `project`, as JSON.
fn stored(dir: &std::path::Path, project: &str) -> serde_json::Value {
    let db = rusqlite::Connection::open(dir.join("sentry-tray.sqlite3")).unwrap();
    let text: String = db
        .query_row("SELECT value FROM preferences WHERE project = ?1", [project], |r| {
            r.get(0)
        })
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_same_change_from_the_command_line_and_the_window_stores_the_same_row() {
    require_desktop();
    let from_cli = data_folder("prefs-cli");
    let from_window = data_folder("prefs-window");

    let env = [("SENTRY_TRAY_DATA_DIR", from_cli.to_str().unwrap())];
    let out = cli(&["prefs", "web", "--org", "acme", "enabled=off"], "", &env);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let app = App::launch(&app_binary(), &["--hidden"], &[], &from_window);
    let socket = Settings::in_folder(&from_window).control_socket();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let change = Request::SetPreference {
        project: "web".into(),
        org: Some("acme".into()),
        key: "enabled".into(),
        value: "off".into(),
    };
    let reply = runtime.block_on(Client::new(socket.clone()).call(&change));
    let Ok(Reply::ProjectPreferences(set)) = reply else {
        panic!("{reply:?}\n{}", app.log_text());
    };
    assert_eq!(set.from[&Field::Enabled], PreferencesFrom::Own, "set here: its own");
    assert_eq!(set.from[&Field::Audience], PreferencesFrom::Account);
    assert_eq!(set.from[&Field::MinLevel], PreferencesFrom::Everyone);
    assert_eq!(set.from[&Field::Sound], PreferencesFrom::BuiltIn);

    let (cli_row, window_row) = (stored(&from_cli, "web"), stored(&from_window, "web"));
    assert_eq!(cli_row, window_row, "the same change stored different rows");
    assert_eq!(
        cli_row,
        serde_json::json!({"enabled": false}),
        "only what was set is the project's own"
    );

    // Everyone's minimum level changed from the command line reaches the project, which set
    // only "enabled"; the window reads it, and where it comes from.
    let env = [("SENTRY_TRAY_DATA_DIR", from_window.to_str().unwrap())];
    let out = cli(&["prefs", "*", "min_level=fatal"], "", &env);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let of = Request::PreferencesOf {
        projects: vec![ProjectKey {
            org: "acme".into(),
            slug: "web".into(),
        }],
    };
    let Ok(Reply::PreferencesOf(now)) = runtime.block_on(Client::new(socket.clone()).call(&of)) else {
        panic!("preferences_of refused\n{}", app.log_text());
    };
    assert_eq!(now[0].preferences.min_level, engine::policy::Level::Fatal);
    assert!(!now[0].preferences.enabled);

    // Reset of "enabled" alone in the window: it follows the defaults again, and says so.
    let reset = Request::ResetPreferences {
        project: "web".into(),
        org: Some("acme".into()),
        only: Some(vec![Field::Enabled]),
    };
    let Ok(Reply::ProjectPreferences(now)) = runtime.block_on(Client::new(socket).call(&reset)) else {
        panic!("reset refused\n{}", app.log_text());
    };
    assert_eq!(now.from[&Field::Enabled], PreferencesFrom::BuiltIn);
    assert!(now.preferences.enabled, "the built-in default notifies");
    let shown: serde_json::Value =
        serde_json::from_slice(&cli(&["prefs", "web", "--org", "acme", "--origins"], "", &env).stdout).unwrap();
    assert_eq!(
        (
            &shown["preferences"]["enabled"],
            &shown["from"]["enabled"],
            &shown["from"]["audience"]
        ),
        (&true.into(), &"built_in".into(), &"account".into())
    );
}

#[test]
fn with_one_account_the_command_line_needs_no_org() {
    let dir = data_folder("prefs-one-account");
    // The environment's account is the only one: its organization is the project's.
    let env = [
        ("SENTRY_TRAY_DATA_DIR", dir.to_str().unwrap()),
        ("SENTRY_AUTH_TOKEN", TOKEN),
        ("SENTRY_ORG", ORG),
    ];
    let out = cli(&["prefs", "web", "enabled=off"], "", &env);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shown: serde_json::Value =
        serde_json::from_slice(&cli(&["prefs", "web", "--origins"], "", &env).stdout).unwrap();
    assert_eq!(
        (&shown["preferences"]["audience"], &shown["from"]["audience"]),
        (&"owned".into(), &"account".into()),
        "acme's defaults were not used"
    );
    // Reset from the command line: the project has nothing of its own left.
    let out = cli(&["prefs", "web", "--reset", "enabled"], "", &env);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["enabled"], true);
    let bad = cli(&["prefs", "web", "--reset", "colour"], "", &env);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown preference `colour`"));
}
