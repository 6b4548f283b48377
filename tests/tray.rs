//! The tray menu as a user's panel shows it: a StatusNotifierWatcher on the session bus stands
//! in for the panel, and entries are clicked over dbusmenu.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use testkit::*;

/// The stand-in panel, and every line it printed.
struct Panel {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Panel {
    fn start() -> Panel {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/sni_watcher.py");
        let mut child = Command::new("/usr/bin/python3")
            .arg(script)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let out = child.stdout.take().unwrap();
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let panel = Panel { child, lines };
        panel.wait_line("WATCHER_READY");
        panel
    }

    fn wait_line(&self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(line) = self.lines.lock().unwrap().iter().find(|l| l.starts_with(prefix)) {
                return line.clone();
            }
            assert!(
                Instant::now() < deadline,
                "the panel never saw {prefix}: {:?}",
                self.lines.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Panel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Menu {
    bus: String,
    path: String,
}

impl Menu {
    /// The menu of the tray icon the panel saw registered.
    fn of(panel: &Panel) -> Menu {
        let registered = panel.wait_line("SNI_REGISTERED");
        let bus = registered
            .split("sender=")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_owned();
        let menu_line = panel.wait_line("SNI_PROP Menu=");
        let path = menu_line
            .trim_start_matches("SNI_PROP Menu=")
            .trim_matches('\'')
            .to_owned();
        Menu { bus, path }
    }

    /// The entries' labels, top to bottom.
    fn labels(&self) -> Vec<String> {
        let layout = self.layout();
        layout
            .split("'label': <'")
            .skip(1)
            .filter_map(|rest| rest.split("'>").next())
            .map(|label| label.replace("__", "_"))
            .collect()
    }

    fn layout(&self) -> String {
        let out = Command::new("gdbus")
            .args(["call", "--session", "--dest", &self.bus, "--object-path", &self.path])
            .args(["--method", "com.canonical.dbusmenu.GetLayout", "--", "0", "-1", "[]"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The dbusmenu id of the entry labelled `label`.
    fn id_of(&self, label: &str) -> i32 {
        let layout = self.layout();
        let at = layout
            .find(&format!("'label': <'{label}'>"))
            .unwrap_or_else(|| panic!("no {label} in the menu: {layout}"));
        let start = layout[..at].rfind("<(").expect("an entry opens with <(") + 2;
        layout[start..].split(',').next().unwrap().trim().parse().unwrap()
    }

    /// Clicks the entry; the answer is checked, except for Quit, whose app may exit before
    /// it replies.
    fn click(&self, label: &str) {
        let id = self.id_of(label).to_string();
        let out = Command::new("gdbus")
            .args(["call", "--session", "--dest", &self.bus, "--object-path", &self.path])
            .args([
                "--method",
                "com.canonical.dbusmenu.Event",
                "--",
                &id,
                "clicked",
                "<int32 0>",
                "0",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success() || label == "Quit",
            "clicking {label} (id {id}) failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn wait_for_menu(menu: &Menu, label: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    // dbusmenu marks mnemonics with `_`, so a literal underscore travels doubled.
    let wire = label.replace('_', "__");
    while !menu.layout().contains(&format!("'label': <'{wire}'>")) {
        assert!(
            Instant::now() < deadline,
            "the menu never showed {label}: {}",
            menu.layout()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_tray_menu_lists_alerts_pauses_resumes_and_quits() {
    require_desktop();
    close_all_notifications();
    let panel = Panel::start();
    let data = temp_dir("tray");
    let stored = cli(
        &["webhook-secret", "set"],
        SECRET,
        &[("SENTRY_TRAY_DATA_DIR", data.to_str().unwrap())],
    );
    assert!(stored.status.success());
    // The window keeps its size and place in the config folder: a fresh one here.
    let config = temp_dir("tray-config");
    let env = [
        ("SENTRY_AUTH_TOKEN", TOKEN),
        ("XDG_CONFIG_HOME", config.to_str().unwrap()),
    ];
    let mut app = App::launch(&app_binary(), &["--hidden"], &env, &data);

    let menu = Menu::of(&panel);
    for label in [
        "No alerts yet",
        "Pause for 1 hour",
        "Pause until tomorrow",
        "Open inbox",
        "Settings…",
        "Quit",
    ] {
        menu.id_of(label);
    }

    // Paused for an hour: the alert is stored, but nothing pops up.
    menu.click("Pause for 1 hour");
    wait_for_menu(&menu, "Resume notifications");
    assert!(
        menu.layout().contains("'label': <'Paused until "),
        "the menu says until when: {}",
        menu.layout()
    );
    let (status, _) = app.post_issue_webhook(&issue_created_body("9001", "Error: tray_paused"), SECRET);
    assert_eq!(status, 201);
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        dunst_notifications().iter().all(|n| !n.summary.contains("tray_paused")),
        "shown while paused"
    );
    // Listed are the alerts that notified; this one is counted as held back.
    wait_for_menu(&menu, "1 alert held back (in the inbox)");
    assert!(!menu.layout().contains("tray_paused"), "{}", menu.layout());

    // Resumed: the next alert shows.
    menu.click("Resume notifications");
    wait_for_menu(&menu, "Pause for 1 hour");
    let (status, _) = app.post_issue_webhook(&issue_created_body("9002", "Error: tray_resumed"), SECRET);
    assert_eq!(status, 201);
    wait_for_notification("after resuming", Duration::from_secs(10), |n| {
        n.summary.contains("tray_resumed")
    });
    close_all_notifications();
    // The menu counts what was shown since the window was last opened; opening it clears that.
    wait_for_menu(&menu, "1 new alert");
    // Each alert's submenu mutes its issue for me; the menu then marks it.
    for label in [
        "Open in Sentry",
        "Mute for me for 1 hour",
        "Mute for me until its next release",
        "Mute for me until it escalates",
    ] {
        menu.id_of(label);
    }
    menu.click("Mute for me until tomorrow");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !menu.layout().contains("'label': <'(muted) ") {
        assert!(
            Instant::now() < deadline,
            "the muted alert is not marked: {}",
            menu.layout()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mutes = cli(&["mutes"], "", &[("SENTRY_TRAY_DATA_DIR", data.to_str().unwrap())]);
    let mutes = String::from_utf8_lossy(&mutes.stdout).into_owned();
    assert!(mutes.contains("tray_resumed): muted until "), "{mutes}");
    menu.click("Open inbox");
    let deadline = Instant::now() + Duration::from_secs(10);
    while menu.layout().contains("new alert") {
        assert!(
            Instant::now() < deadline,
            "opening the window did not clear the count: {}",
            menu.layout()
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // The window is a process of its own with WebKit's; closed as the window manager closes it,
    // all of them end and the app stays in the tray. Opened again, it comes back.
    wait_until("the window process with WebKit's helpers", 30, || {
        window_pids(&data).len() == 1 && !webkit_pids(&data).is_empty()
    });
    wait_until("the window on screen", 30, || window_size("Sentry Tray").is_some());
    // Made larger before closing, it opens again at that size.
    resize_window("Sentry Tray", 900, 640);
    wait_until("the window resized", 10, || {
        window_size("Sentry Tray") == Some((900, 640))
    });
    close_window("Sentry Tray");
    wait_until("no window or WebKit process after closing", 20, || {
        window_pids(&data).is_empty() && webkit_pids(&data).is_empty()
    });
    assert!(
        app.child.try_wait().unwrap().is_none(),
        "closing the window ended the app:\n{}",
        app.log_text()
    );
    // A click on the icon itself opens it too.
    let registered = panel.wait_line("SNI_REGISTERED");
    let item = registered.split("arg=").nth(1).unwrap().trim().to_owned();
    let (bus, path) = if item.starts_with('/') {
        (menu.bus.clone(), item)
    } else {
        (item, "/StatusNotifierItem".to_owned())
    };
    let clicked = Command::new("gdbus")
        .args([
            "call",
            "--session",
            "--dest",
            &bus,
            "--object-path",
            &path,
            "--method",
            "org.kde.StatusNotifierItem.Activate",
            "0",
            "0",
        ])
        .output()
        .unwrap();
    assert!(clicked.status.success(), "{}", String::from_utf8_lossy(&clicked.stderr));
    wait_until("the window opened again", 30, || window_pids(&data).len() == 1);
    wait_until("the window at the size it was left", 30, || {
        window_size("Sentry Tray") == Some((900, 640))
    });

    menu.click("Quit");
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = app.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the app did not quit:\n{}", app.log_text());
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "Quit exits cleanly: {status}\n{}", app.log_text());
    wait_until("the window to go with the app", 20, || {
        window_pids(&data).is_empty() && webkit_pids(&data).is_empty()
    });
    assert!(!data.join("control.sock").exists(), "the app leaves no socket behind");
}

/// After a spike the menu lists the alerts that notified, the latest first, and counts the ones
/// spike protection held back instead of listing them.
#[test]
fn after_a_spike_the_menu_lists_what_notified_and_counts_what_was_held_back() {
    require_desktop();
    close_all_notifications();
    let panel = Panel::start();
    let data = temp_dir("tray-spike");
    let env = [("SENTRY_TRAY_DATA_DIR", data.to_str().unwrap())];
    assert!(cli(&["webhook-secret", "set"], SECRET, &env).status.success());
    assert!(cli(&["prefs", "front-end", "spike_limit=2"], "", &env).status.success());
    let app = App::launch(&app_binary(), &["--hidden"], &[], &data);
    let menu = Menu::of(&panel);
    for i in 1..=5 {
        let (status, answer) =
            app.post_issue_webhook(&issue_created_body(&format!("930{i}"), &format!("Spike {i}")), SECRET);
        assert_eq!(status, 201, "{answer}");
        // One at a time, so which two notified is known.
        wait_for_notification("for the alert or the summary", Duration::from_secs(10), |n| {
            n.summary.contains(&format!("Spike {i}")) || n.body.contains(&format!("Spike {i}"))
        });
    }
    wait_for_menu(&menu, "3 alerts held back (in the inbox)");
    let labels = menu.labels();
    let listed: Vec<&String> = labels.iter().filter(|l| l.contains("Spike")).collect();
    assert_eq!(listed.len(), 2, "only what notified is listed: {labels:?}");
    assert!(
        listed[0].ends_with("Spike 2") && listed[1].ends_with("Spike 1"),
        "the latest first: {labels:?}"
    );
    close_all_notifications();
    drop(app);
}
