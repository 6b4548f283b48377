//! The account the environment names, with the variables `sentry-cli` users already know
//! (`SENTRY_AUTH_TOKEN`, `SENTRY_URL`, `SENTRY_ORG`): for headless use and CI, beside the
//! accounts added in the app.

pub const DEFAULT_URL: &str = "https://sentry.io";

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

fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The environment's account, or `None` when `SENTRY_AUTH_TOKEN` is not set.
pub fn environment() -> Option<Environment> {
    let token = env("SENTRY_AUTH_TOKEN")?;
    Some(Environment {
        url: env("SENTRY_URL").unwrap_or_else(|| DEFAULT_URL.to_owned()),
        org: env("SENTRY_ORG"),
        token,
    })
}
