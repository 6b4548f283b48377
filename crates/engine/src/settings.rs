//! What the process environment says, read once at start ([`Settings::from_env`]) and passed
//! down: where the files are, and the variables `sentry-cli` users already know
//! (`SENTRY_AUTH_TOKEN`, `SENTRY_URL`, `SENTRY_ORG`) for headless use and CI, beside the accounts
//! added in the app. Nothing else in the engine reads the environment, so a test builds the
//! settings it needs instead of changing its own process's environment.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub const DEFAULT_URL: &str = "https://sentry.io";

/// The environment's Sentry account: `SENTRY_AUTH_TOKEN`, at `SENTRY_URL`, in `SENTRY_ORG`.
#[derive(Clone, PartialEq, Eq)]
pub struct Environment {
    pub url: String,
    pub org: Option<String>,
    pub token: String,
}

impl std::fmt::Debug for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Environment")
            .field("url", &self.url)
            .field("org", &self.org)
            .field("token", &"<redacted>")
            .finish()
    }
}

#[derive(Clone)]
pub struct Settings {
    data_dir: PathBuf,
    log_dir: PathBuf,
    sentry_url: String,
    sentry_org: Option<String>,
    sentry_token: Option<String>,
    webhook_secret: Option<String>,
    synchronous: Synchronous,
}

/// How SQLite makes commits durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    /// Every commit is on disk before it returns: an acknowledged webhook survives power loss.
    Full,
    /// Commits survive the app being killed, not power loss (`SENTRY_TRAY_SYNC=normal`, for
    /// benchmarks and throwaway data folders).
    Normal,
}

impl Synchronous {
    pub(crate) fn pragma(self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |secret: &Option<String>| secret.as_ref().map(|_| "<redacted>");
        f.debug_struct("Settings")
            .field("data_dir", &self.data_dir)
            .field("log_dir", &self.log_dir)
            .field("sentry_url", &self.sentry_url)
            .field("sentry_org", &self.sentry_org)
            .field("sentry_token", &redacted(&self.sentry_token))
            .field("webhook_secret", &redacted(&self.webhook_secret))
            .field("synchronous", &self.synchronous)
            .finish()
    }
}

impl Settings {
    /// The process environment's settings: the one place the engine reads it.
    pub fn from_env() -> Settings {
        Settings::from_vars(|name| std::env::var_os(name))
    }

    /// Settings from the variables `var` answers (the environment's, or a test's).
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Settings {
        let text = |name: &str| {
            var(name)
                .and_then(|v| v.into_string().ok())
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let dirs = directories::ProjectDirs::from("io", "sentry-tray", "sentry-tray");
        // SENTRY_TRAY_DATA_DIR keeps everything together, logs included (tests, portable use).
        let (data_dir, log_dir) = match var("SENTRY_TRAY_DATA_DIR").filter(|d| !d.is_empty()) {
            Some(dir) => {
                let dir = PathBuf::from(dir);
                (dir.clone(), dir.join("logs"))
            }
            None => {
                let data = dirs
                    .as_ref()
                    .map(|p| p.data_dir().to_path_buf())
                    .unwrap_or_else(|| PathBuf::from(".sentry-tray"));
                let logs = dirs
                    .as_ref()
                    .and_then(|p| p.state_dir().map(Path::to_path_buf))
                    .unwrap_or_else(|| data.join("logs"));
                (data, logs)
            }
        };
        Settings {
            data_dir,
            log_dir,
            sentry_url: text("SENTRY_URL").unwrap_or_else(|| DEFAULT_URL.to_owned()),
            sentry_org: text("SENTRY_ORG"),
            sentry_token: text("SENTRY_AUTH_TOKEN"),
            webhook_secret: text("SENTRY_TRAY_WEBHOOK_SECRET"),
            synchronous: match text("SENTRY_TRAY_SYNC").map(|v| v.to_ascii_lowercase()).as_deref() {
                Some("normal") => Synchronous::Normal,
                _ => Synchronous::Full,
            },
        }
    }

    /// Everything in `dir`, nothing from the environment: what a test starts from.
    pub fn in_folder(dir: &Path) -> Settings {
        let dir = dir.as_os_str().to_owned();
        Settings::from_vars(|name| (name == "SENTRY_TRAY_DATA_DIR").then(|| dir.clone()))
    }

    /// The same settings with the environment's account set to `token` in `org` at `url`.
    pub fn with_account(mut self, url: &str, org: &str, token: &str) -> Settings {
        self.sentry_url = url.to_owned();
        self.sentry_org = Some(org.to_owned());
        self.sentry_token = Some(token.to_owned());
        self
    }

    /// The same settings with the receiver's secret given, as `SENTRY_TRAY_WEBHOOK_SECRET` does.
    pub fn with_webhook_secret(mut self, secret: &str) -> Settings {
        self.webhook_secret = Some(secret.to_owned());
        self
    }

    /// The data folder: `SENTRY_TRAY_DATA_DIR`, else the XDG data dir (`~/.local/share/sentry-tray`).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Where logs go: `<data dir>/logs` when `SENTRY_TRAY_DATA_DIR` is set, else the XDG state
    /// dir (`~/.local/state/sentry-tray`).
    pub fn log_dir(&self) -> &Path {
        &self.log_dir
    }

    pub fn synchronous(&self) -> Synchronous {
        self.synchronous
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("sentry-tray.sqlite3")
    }

    /// The running app's control socket.
    pub fn control_socket(&self) -> PathBuf {
        self.data_dir.join("control.sock")
    }

    /// `SENTRY_URL`, else sentry.io.
    pub fn sentry_url(&self) -> &str {
        &self.sentry_url
    }

    /// `SENTRY_ORG`.
    pub fn sentry_org(&self) -> Option<&str> {
        self.sentry_org.as_deref()
    }

    /// `SENTRY_AUTH_TOKEN`.
    pub fn auth_token(&self) -> Option<&str> {
        self.sentry_token.as_deref()
    }

    /// `SENTRY_TRAY_WEBHOOK_SECRET`: the receiver's secret, over the keyring's.
    pub fn webhook_secret(&self) -> Option<&str> {
        self.webhook_secret.as_deref()
    }

    /// The environment's account, or `None` when `SENTRY_AUTH_TOKEN` is not set.
    pub fn environment(&self) -> Option<Environment> {
        Some(Environment {
            url: self.sentry_url.clone(),
            org: self.sentry_org.clone(),
            token: self.sentry_token.clone()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        |name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| OsString::from(v))
    }

    #[test]
    fn the_environments_account_needs_a_token_and_blank_is_unset() {
        let none = Settings::from_vars(vars(&[("SENTRY_ORG", "acme"), ("SENTRY_AUTH_TOKEN", "  ")]));
        assert_eq!(none.environment(), None);
        assert_eq!(none.sentry_org(), Some("acme"));
        let some = Settings::from_vars(vars(&[("SENTRY_AUTH_TOKEN", " t0k "), ("SENTRY_ORG", "acme")]));
        let account = some.environment().unwrap();
        assert_eq!(
            (account.url.as_str(), account.org.as_deref()),
            (DEFAULT_URL, Some("acme"))
        );
        assert_eq!(account.token, "t0k");
        assert!(!format!("{some:?}").contains("t0k"), "the token is never shown");
    }

    #[test]
    fn a_data_folder_holds_the_database_the_socket_and_the_logs() {
        let settings = Settings::in_folder(Path::new("/tmp/st"));
        assert_eq!(settings.database_path(), Path::new("/tmp/st/sentry-tray.sqlite3"));
        assert_eq!(settings.control_socket(), Path::new("/tmp/st/control.sock"));
        assert_eq!(settings.log_dir(), Path::new("/tmp/st/logs"));
        assert_eq!(settings.environment(), None);
    }
}
