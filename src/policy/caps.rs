//! What one request may take: a place among the requests in flight, and at most so many bytes
//! of its answer's body.

use std::time::Instant;

use reqwest::Response;

use super::Policy;

impl Policy {
    /// Sends `request` once one of the `max_in_flight` places is free; the place is given back
    /// when the answer's head has arrived (its body is read later, under the body cap). Each
    /// request sent is counted here, by `operation` and status, timed from leaving its place
    /// in line.
    pub(super) async fn send_in_turn(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation: &str,
    ) -> reqwest::Result<Response> {
        let permit = self.in_flight.acquire().await;
        let started = Instant::now();
        let sent = client.execute(request).await;
        drop(permit);
        let status = sent
            .as_ref()
            .ok()
            .map(|response| response.status().as_u16());
        (self.metrics).intercom_request(operation, status, started.elapsed());
        sent
    }
}

pub(super) fn cap_body(response: Response, max: usize) -> Response {
    let response: http::Response<reqwest::Body> = response.into();
    let (parts, body) = response.into_parts();
    let capped = reqwest::Body::wrap(http_body_util::Limited::new(body, max));
    Response::from(http::Response::from_parts(parts, capped))
}

/// True when reading a body failed because it exceeded the cap.
pub fn is_body_too_large(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(cause) = current {
        if cause.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        current = cause.source();
    }
    false
}
