//! Sealed blobs: everything the authorization server hands out (client ids, the state sent to
//! Intercom, authorization codes, access and refresh tokens), and the request state of a
//! confirmation asked at 2026-07-28, is a JSON payload encrypted and authenticated with
//! ChaCha20-Poly1305 (ring's AEAD, RFC 8439), so none is stored and any replica holding the
//! key opens what another sealed (only their one-time use is remembered, in
//! [`super::store`]). [`shared_keys`] is the one place the key is chosen.
//!
//! Form: `base64url(version ‖ nonce ‖ ciphertext ‖ tag)`. The nonce is 96 random bits per seal
//! (ring's `SystemRandom`). The associated data binds a blob to its kind and to the server's
//! public URL (the token audience, RFC 8707 / MCP authorization "token audience binding"): a
//! code cannot be replayed as a token, and a token for another deployment with the same key
//! does not open here. Keys rotate: the first key seals, every key opens.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use serde::Serialize;
use serde::de::DeserializeOwned;

const VERSION: u8 = 1;
const KEY_LEN: usize = 32;

/// What a sealed blob is; part of the associated data, so one kind never opens as another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Client,
    Flow,
    Code,
    Access,
    Refresh,
    /// The consent page's form: the request waiting for the user's answer.
    Consent,
    /// The approvals a browser remembers (a cookie).
    Approval,
    /// What a 2025 client declared at `initialize` over HTTP, as its `Mcp-Session-Id`
    /// (`crate::http::session`).
    Session,
    /// A confirmation's `requestState` (MCP 2026-07-28 multi round-trip requests): the write
    /// the user is asked about, echoed back with the answer.
    RequestState,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Client => "client",
            Kind::Flow => "flow",
            Kind::Code => "code",
            Kind::Access => "access",
            Kind::Refresh => "refresh",
            Kind::Consent => "consent",
            Kind::Approval => "approval",
            Kind::Session => "session",
            Kind::RequestState => "request-state",
        }
    }
}

/// The variable holding the keys every replica shares.
pub const KEY_VARIABLE: &str = "INTERCOM_MCP_TOKEN_KEY";

/// The sealing keys, as [`Sealer::new`] takes them.
pub struct Keys {
    text: String,
    /// From [`KEY_VARIABLE`]; `false`: made at random for this process, so what it seals opens
    /// only here (right for stdio and one replica, wrong for several).
    pub shared: bool,
}

impl Keys {
    /// A sealer with these keys for `audience`.
    pub fn sealer(&self, audience: &str) -> Result<Sealer, String> {
        Sealer::new(&self.text, audience)
    }
}

/// The keys every HTTP replica seals with (request states, and whatever else must open on any
/// replica): [`KEY_VARIABLE`] when set (checked: each key 32 bytes in base64), else one random
/// key for this process. `--oauth` requires the variable ([`Sealer::new`] says so when empty).
pub fn shared_keys(env: impl Fn(&str) -> Option<String>) -> Result<Keys, String> {
    match env(KEY_VARIABLE).filter(|keys| !keys.trim().is_empty()) {
        Some(text) => {
            Sealer::new(&text, "")?;
            Ok(Keys { text, shared: true })
        }
        None => Ok(Keys {
            text: random_key()?,
            shared: false,
        }),
    }
}

/// One key of 32 random bytes, base64 (the form [`KEY_VARIABLE`] takes).
pub fn random_key() -> Result<String, String> {
    let mut bytes = [0u8; KEY_LEN];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| "no randomness available".to_owned())?;
    Ok(STANDARD.encode(bytes))
}

/// The keys from INTERCOM_MCP_TOKEN_KEY, and the audience every blob is bound to.
pub struct Sealer {
    keys: Vec<LessSafeKey>,
    audience: String,
    random: SystemRandom,
}

impl Sealer {
    /// `keys`: comma-separated, each 32 bytes in base64 (standard or URL-safe, padded or not).
    /// The error names the position of a bad key, never its content.
    pub fn new(keys: &str, audience: &str) -> Result<Self, String> {
        let keys = keys
            .split(',')
            .map(str::trim)
            .filter(|key| !key.is_empty())
            .enumerate()
            .map(|(at, key)| {
                let bytes = [STANDARD, URL_SAFE]
                    .iter()
                    .find_map(|engine| engine.decode(key).ok())
                    .or_else(|| URL_SAFE_NO_PAD.decode(key.trim_end_matches('=')).ok())
                    .filter(|bytes| bytes.len() == KEY_LEN)
                    .ok_or(format!(
                        "INTERCOM_MCP_TOKEN_KEY: key {} is not 32 bytes in base64 \
                         (make one with `openssl rand -base64 32`)",
                        at + 1
                    ))?;
                UnboundKey::new(&CHACHA20_POLY1305, &bytes)
                    .map(LessSafeKey::new)
                    .map_err(|_| "INTERCOM_MCP_TOKEN_KEY: unusable key".to_owned())
            })
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err("--oauth needs INTERCOM_MCP_TOKEN_KEY: one or more base64 keys of 32 bytes, \
                 comma-separated (the first seals, all open; make one with `openssl rand -base64 32`)"
                .to_owned());
        }
        Ok(Self {
            keys,
            audience: audience.to_owned(),
            random: SystemRandom::new(),
        })
    }

    fn aad(&self, kind: Kind) -> Vec<u8> {
        format!("intercom-mcp/{}/{}", kind.label(), self.audience).into_bytes()
    }

    /// Seals `payload` as a `kind` with the first key.
    pub fn seal(&self, kind: Kind, payload: &impl Serialize) -> Result<String, String> {
        let mut data = serde_json::to_vec(payload).map_err(|err| err.to_string())?;
        let mut nonce = [0u8; NONCE_LEN];
        self.random
            .fill(&mut nonce)
            .map_err(|_| "no randomness available".to_owned())?;
        let key = self.keys.first().ok_or("no key")?;
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(self.aad(kind)),
            &mut data,
        )
        .map_err(|_| "sealing failed".to_owned())?;
        let mut blob = Vec::with_capacity(1 + NONCE_LEN + data.len());
        blob.push(VERSION);
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&data);
        Ok(URL_SAFE_NO_PAD.encode(blob))
    }

    /// The payload of a `kind` sealed by any of the keys for this audience; `None` for anything
    /// else (tampered, another kind, another audience, an unknown key, not a blob at all).
    pub fn open<T: DeserializeOwned>(&self, kind: Kind, text: &str) -> Option<T> {
        let blob = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
        let (&version, rest) = blob.split_first()?;
        if version != VERSION || rest.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
        self.keys.iter().find_map(|key| {
            let mut data = sealed.to_vec();
            let plain = key
                .open_in_place(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(self.aad(kind)),
                    &mut data,
                )
                .ok()?;
            serde_json::from_slice(plain).ok()
        })
    }

    /// 16 random bytes, base64url: ids that must not repeat (an authorization code's).
    pub fn random_id(&self) -> Result<String, String> {
        let mut bytes = [0u8; 16];
        self.random
            .fill(&mut bytes)
            .map_err(|_| "no randomness available".to_owned())?;
        Ok(URL_SAFE_NO_PAD.encode(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const K2: &str = "HxweHRwbGhkYFxYVFBMSERAPDg0MCwoJCAcGBQQDAgE=";

    #[test]
    fn opens_what_it_sealed_and_nothing_else() {
        let sealer = Sealer::new(K1, "https://mcp.example").unwrap();
        let blob = sealer.seal(Kind::Access, &vec![1, 2, 3]).unwrap();
        assert_eq!(
            sealer.open::<Vec<i32>>(Kind::Access, &blob),
            Some(vec![1, 2, 3])
        );
        assert_eq!(sealer.open::<Vec<i32>>(Kind::Refresh, &blob), None);
        let other = Sealer::new(K1, "https://other.example").unwrap();
        assert_eq!(other.open::<Vec<i32>>(Kind::Access, &blob), None);
        let mut tampered = blob.clone().into_bytes();
        if let Some(byte) = tampered.get_mut(20) {
            *byte = if *byte == b'A' { b'B' } else { b'A' };
        }
        let tampered = String::from_utf8(tampered).unwrap();
        assert_eq!(sealer.open::<Vec<i32>>(Kind::Access, &tampered), None);
        assert_eq!(sealer.open::<Vec<i32>>(Kind::Access, "garbage"), None);
    }

    #[test]
    fn old_keys_still_open_after_rotation() {
        let old = Sealer::new(K1, "a").unwrap();
        let blob = old.seal(Kind::Code, &"x").unwrap();
        let rotated = Sealer::new(&format!("{K2}, {K1}"), "a").unwrap();
        assert_eq!(
            rotated.open::<String>(Kind::Code, &blob).as_deref(),
            Some("x")
        );
        let fresh = rotated.seal(Kind::Code, &"y").unwrap();
        assert_eq!(old.open::<String>(Kind::Code, &fresh), None);
        assert_eq!(
            Sealer::new(K2, "a")
                .unwrap()
                .open::<String>(Kind::Code, &blob),
            None
        );
    }

    #[test]
    fn shared_keys_come_from_the_variable_or_else_at_random() {
        let from = |value: Option<&str>| {
            let value = value.map(str::to_owned);
            shared_keys(move |name| (name == KEY_VARIABLE).then(|| value.clone()).flatten())
        };
        let shared = from(Some(K1)).unwrap();
        assert!(shared.shared);
        let blob = shared
            .sealer("a")
            .unwrap()
            .seal(Kind::RequestState, &1)
            .unwrap();
        assert_eq!(
            Sealer::new(K1, "a")
                .unwrap()
                .open(Kind::RequestState, &blob),
            Some(1)
        );
        assert_eq!(
            Sealer::new(K1, "a")
                .unwrap()
                .open::<i32>(Kind::Access, &blob),
            None
        );
        for unset in [None, Some(" ")] {
            let random = from(unset).unwrap();
            assert!(!random.shared);
            let blob = random
                .sealer("a")
                .unwrap()
                .seal(Kind::RequestState, &1)
                .unwrap();
            assert_eq!(
                Sealer::new(K1, "a")
                    .unwrap()
                    .open::<i32>(Kind::RequestState, &blob),
                None
            );
            assert_eq!(
                random.sealer("a").unwrap().open(Kind::RequestState, &blob),
                Some(1)
            );
        }
        let err = from(Some("c2hvcnQ=")).err().unwrap();
        assert!(err.contains("key 1") && !err.contains("c2hvcnQ"), "{err}");
    }

    #[test]
    fn bad_keys_are_refused_without_echoing_them() {
        let err = Sealer::new("c2hvcnQ=", "a").err().unwrap();
        assert!(err.contains("key 1") && !err.contains("c2hvcnQ"), "{err}");
        assert!(Sealer::new(" , ", "a").is_err());
    }
}
