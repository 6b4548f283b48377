//! The typed words the database holds as text (an alert's kind, source and decision, an
//! action's kind and state): written and read through their serde names, in this one place.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The text serde gives `value`.
pub(crate) fn encode<T: Serialize>(value: &T) -> rusqlite::Result<String> {
    match serde_json::to_value(value) {
        Ok(Value::String(text)) => Ok(text),
        Ok(other) => Err(rusqlite::Error::ToSqlConversionFailure(
            format!("stored as text, but serialized as {other}").into(),
        )),
        Err(e) => Err(rusqlite::Error::ToSqlConversionFailure(Box::new(e))),
    }
}

fn decode<T: DeserializeOwned>(value: ValueRef<'_>) -> FromSqlResult<T> {
    serde_json::from_value(Value::String(value.as_str()?.to_owned())).map_err(|e| FromSqlError::Other(Box::new(e)))
}

macro_rules! stored_as_text {
    ($($word:ty),* $(,)?) => {$(
        impl ToSql for $word {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                encode(self).map(ToSqlOutput::from)
            }
        }

        impl FromSql for $word {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                decode(value)
            }
        }
    )*};
}

stored_as_text!(
    crate::alert::Kind,
    crate::alert::Source,
    crate::alert::IssueStatus,
    crate::policy::Deliver,
    crate::actions::ActionState,
    crate::notifier::UserAction,
);
