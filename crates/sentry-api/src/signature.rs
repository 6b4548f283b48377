//! Sentry's webhook signatures: lowercase hex HMAC-SHA256 of the exact body bytes, keyed by the
//! integration's client secret (or the service hook's secret) as UTF-8.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("the request carries no signature header")]
    Missing,
    #[error("the signature header is not 64 hexadecimal characters")]
    Malformed,
    #[error("the signature does not match the body (wrong secret, or the body was altered)")]
    Mismatch,
}

/// The signature Sentry would send for `body` under `secret`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Checks `header` (the hex signature as received) against the raw `body` bytes, in constant time.
pub fn verify(secret: &[u8], body: &[u8], header: Option<&str>) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?.trim();
    let expected = hex::decode(header).map_err(|_| SignatureError::Malformed)?;
    if expected.len() != 32 {
        return Err(SignatureError::Malformed);
    }
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.verify_slice(&expected).map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn vectors() -> Vec<Value> {
        let text = include_str!("../../../testdata/sentry/signatures.json");
        let doc: Value = serde_json::from_str(text).unwrap();
        doc["cases"].as_array().unwrap().clone()
    }

    #[test]
    fn every_sentry_vector_signs_and_verifies() {
        let cases = vectors();
        assert!(cases.len() >= 10, "the vector file lost cases");
        for case in cases {
            let id = case["id"].as_str().unwrap();
            let secret = case["secret"].as_str().unwrap().as_bytes();
            let body = case["body"].as_str().unwrap().as_bytes();
            let want = case["expected_signature_hex"].as_str().unwrap();
            assert_eq!(sign(secret, body), want, "case {id}");
            assert_eq!(verify(secret, body, Some(want)), Ok(()), "case {id}");
        }
    }

    #[test]
    fn a_reserialized_body_fails_the_check() {
        let cases = vectors();
        let compact = cases.iter().find(|c| c["id"] == "app-comment-compact").unwrap();
        let pretty = cases
            .iter()
            .find(|c| c["id"] == "app-comment-pretty-same-data")
            .unwrap();
        let secret = compact["secret"].as_str().unwrap().as_bytes();
        let sig = compact["expected_signature_hex"].as_str();
        let other_bytes = pretty["body"].as_str().unwrap().as_bytes();
        assert_eq!(verify(secret, other_bytes, sig), Err(SignatureError::Mismatch));
    }

    #[test]
    fn bad_headers_are_told_apart() {
        assert_eq!(verify(b"k", b"{}", None), Err(SignatureError::Missing));
        assert_eq!(verify(b"k", b"{}", Some("zz")), Err(SignatureError::Malformed));
        assert_eq!(verify(b"k", b"{}", Some("abcd")), Err(SignatureError::Malformed));
        let wrong = sign(b"other", b"{}");
        assert_eq!(verify(b"k", b"{}", Some(&wrong)), Err(SignatureError::Mismatch));
        let upper = sign(b"k", b"{}").to_uppercase();
        assert_eq!(verify(b"k", b"{}", Some(&upper)), Ok(()), "hex case does not matter");
    }
}
