//! Sentry on the wire: the REST client, the models it reads, and the webhooks Sentry sends.
//!
//! Nothing here touches a database or the desktop: callers get typed values and typed errors.

pub mod client;
pub mod models;
pub mod pagination;
mod server;
pub mod signature;
pub mod webhook;

pub use client::{ApiError, Client, IssueUpdate, WhoAmI, retry_after, spent_until};
pub use models::{Activity, Deploy, Issue, ProjectRef, Release, ReleaseProject, ServiceHook, release_url};
/// The header map `retry_after` and `spent_until` read.
pub use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
pub use server::{IssueSort, ServerKind, ServerProfile};
pub use signature::{SignatureError, sign, verify};
pub use webhook::{Comment, Envelope, EventPayload, MetricAlert, Payload, PayloadError, Sender, WebhookHeaders};
