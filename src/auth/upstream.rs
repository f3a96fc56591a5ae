//! The calls to Intercom behind the flow: trading Intercom's authorization code for the user's
//! token (POST to Intercom's token URL with code, client_id and client_secret, per Intercom's
//! "Using OAuth" reference), finding the region the workspace lives in by asking each
//! region's `GET /me` which one knows the token (a token only works in its own region), and
//! asking that region's `GET /me` again at each refresh whether Intercom still accepts it.
//! Nothing of a token or a code is logged or put in an error.

use serde::Deserialize;

use super::OAuth;
use crate::config::{Region, Secret};

/// Intercom answers with `token` (and, in newer answers, `access_token` too).
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    token: Option<String>,
}

/// What went wrong, for the client's `error_description` and the log: never a secret.
pub type Failure = &'static str;

impl OAuth {
    /// The user's Intercom token for Intercom's `code`.
    pub(super) async fn exchange(&self, code: &str) -> Result<Secret, Failure> {
        let form = [
            ("code", code),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
        ];
        let answer = self
            .http
            .post(&self.token_url)
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|_| "Intercom's token endpoint could not be reached")?;
        if !answer.status().is_success() {
            tracing::warn!(
                status = answer.status().as_u16(),
                "Intercom refused the code exchange"
            );
            return Err("Intercom refused the authorization code");
        }
        let answer: TokenAnswer = answer
            .json()
            .await
            .map_err(|_| "Intercom's token answer was not understood")?;
        answer
            .access_token
            .or(answer.token)
            .as_deref()
            .and_then(Secret::parse)
            .ok_or("Intercom's token answer held no usable token")
    }

    /// Whether Intercom refuses `token` (401 from `GET /me` in `region`): the app was
    /// uninstalled or its access revoked, so a refresh must fail and the user sign in again.
    /// Anything else (accepted, another status, no answer) is not a refusal: a refresh is not
    /// held back by an Intercom outage, and the next call finds out.
    pub(super) async fn refuses(&self, token: &str, region: &str) -> bool {
        let Some(base) = self.base_url(region) else {
            return false;
        };
        let answer = self
            .http
            .get(format!("{base}/me"))
            .bearer_auth(token)
            .header(reqwest::header::ACCEPT, "application/json")
            .header("Intercom-Version", "2.11")
            .send()
            .await;
        match answer {
            Ok(answer) if answer.status() == reqwest::StatusCode::UNAUTHORIZED => true,
            Ok(answer) if answer.status().is_success() => false,
            Ok(answer) => {
                tracing::warn!(
                    region,
                    status = answer.status().as_u16(),
                    "GET /me did not say whether the token is still accepted: refreshing anyway"
                );
                false
            }
            Err(_) => {
                tracing::warn!(region, "GET /me could not be sent: refreshing anyway");
                false
            }
        }
    }

    /// The first region whose `GET /me` accepts `token`.
    pub(super) async fn region_of(&self, token: &Secret) -> Result<Region, Failure> {
        for (region, base) in &self.regions {
            let answer = self
                .http
                .get(format!("{base}/me"))
                .bearer_auth(token.expose())
                .header(reqwest::header::ACCEPT, "application/json")
                .header("Intercom-Version", "2.11")
                .send()
                .await;
            match answer {
                Ok(answer) if answer.status().is_success() => return Ok(*region),
                Ok(answer) => tracing::debug!(
                    region = region.name(),
                    status = answer.status().as_u16(),
                    "the token is not this region's"
                ),
                Err(_) => tracing::warn!(region = region.name(), "GET /me could not be sent"),
            }
        }
        Err("no Intercom region accepted the token")
    }
}
