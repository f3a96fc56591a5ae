//! The request policy against a mock Intercom: rate limits waited out, reads retried, writes
//! never sent twice, holds while a window is spent, and bounded bodies (under load:
//! `in_flight.rs`). Waits go to a recording clock: no test sleeps through them.

use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{any, body_json, header, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common;
use crate::common::{Harness, is_error, now, start, start_with, text};

/// Every write tool that is not idempotent, with arguments that pass validation.
fn writes() -> Vec<(&'static str, Value)> {
    const WRITES: [&str; 5] = [
        "intercomCreateContact",
        "intercomAddNote",
        "intercomReplyConversation",
        "intercomCloseConversation",
        "intercomAssignConversation",
    ];
    common::every_tool()
        .into_iter()
        .filter(|(tool, _)| WRITES.contains(tool))
        .collect()
}

fn unix(seconds_from_now: u64) -> String {
    (now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + seconds_from_now)
        .to_string()
}

/// Mounts `first` for one request, then 200 for every later one.
async fn once_then_ok(harness: &Harness, first: ResponseTemplate) {
    Mock::given(any())
        .respond_with(first)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&harness.intercom)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .with_priority(2)
        .mount(&harness.intercom)
        .await;
}

#[tokio::test]
async fn a_429_with_a_reset_header_is_waited_out_then_succeeds() {
    let harness = start().await;
    let limited = ResponseTemplate::new(429)
        .insert_header("x-ratelimit-limit", "166")
        .insert_header("x-ratelimit-remaining", "0")
        .insert_header("x-ratelimit-reset", unix(5).as_str());
    once_then_ok(&harness, limited).await;
    let result = harness.call("intercomListTags", json!({})).await;
    assert!(!is_error(&result), "{}", text(&result));
    assert_eq!(harness.requests().await.len(), 2);
    let slept = harness.clock.slept();
    assert_eq!(slept.len(), 1, "{slept:?}");
    assert!(
        slept[0] >= Duration::from_secs(5) && slept[0] <= Duration::from_millis(5_500),
        "{slept:?}"
    );
}

#[tokio::test]
async fn a_429_is_retried_for_writes_too_since_it_was_not_processed() {
    for (tool, args) in writes() {
        let harness = start().await;
        once_then_ok(
            &harness,
            ResponseTemplate::new(429).insert_header("retry-after", "3"),
        )
        .await;
        let result = harness.call(tool, args).await;
        assert!(!is_error(&result), "{tool}: {}", text(&result));
        assert_eq!(harness.requests().await.len(), 2, "{tool}");
        let slept = harness.clock.slept();
        assert!(
            slept.len() == 1 && slept[0] >= Duration::from_secs(3),
            "{tool}: {slept:?}"
        );
    }
}

#[tokio::test]
async fn a_429_asking_for_longer_than_the_cap_fails_saying_when() {
    let harness = start().await;
    once_then_ok(
        &harness,
        ResponseTemplate::new(429).insert_header("retry-after", "120"),
    )
    .await;
    let result = harness
        .call("intercomGetContact", json!({"contact_id": "c1"}))
        .await;
    assert!(is_error(&result));
    assert!(
        text(&result).contains("try again in 120 s"),
        "{}",
        text(&result)
    );
    assert_eq!(harness.requests().await.len(), 1);
    assert!(harness.clock.slept().is_empty());
}

#[tokio::test]
async fn a_500_on_a_read_is_retried_and_succeeds() {
    let harness = start().await;
    once_then_ok(&harness, ResponseTemplate::new(500)).await;
    let result = harness
        .call(
            "intercomSearchConversations",
            json!({"query": {"field": "open", "operator": "=", "value": true}}),
        )
        .await;
    assert!(!is_error(&result), "{}", text(&result));
    assert_eq!(harness.requests().await.len(), 2);
    assert_eq!(harness.clock.slept().len(), 1, "one backoff wait");
}

#[tokio::test]
async fn the_contact_update_is_repeatable_and_retried() {
    let harness = start().await;
    once_then_ok(&harness, ResponseTemplate::new(503)).await;
    let result = harness
        .call(
            "intercomUpdateContact",
            json!({"contact_id": "c1", "name": "Ada"}),
        )
        .await;
    assert!(!is_error(&result), "{}", text(&result));
    assert_eq!(harness.requests().await.len(), 2);
}

/// Tagging is idempotent (tagging twice changes nothing), as its annotations say: a 502 or 503
/// is retried, and the same request is sent again, whole.
#[tokio::test]
async fn tagging_a_contact_is_idempotent_and_retried() {
    for status in [502, 503] {
        let harness = start().await;
        let tagging = || {
            Mock::given(method("POST"))
                .and(path("/contacts/c1/tags"))
                .and(header("intercom-version", "2.11"))
                .and(body_json(json!({"id": "7"})))
        };
        tagging()
            .respond_with(ResponseTemplate::new(status))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&harness.intercom)
            .await;
        tagging()
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"type": "tag", "id": "7", "name": "vip"})),
            )
            .with_priority(2)
            .mount(&harness.intercom)
            .await;
        let result = harness
            .call("intercomTagContact", json!({"contact_id": "c1", "id": "7"}))
            .await;
        assert!(!is_error(&result), "{status}: {}", text(&result));
        assert!(text(&result).contains("vip"), "{}", text(&result));
        let requests = harness.requests().await;
        assert_eq!(requests.len(), 2, "sent again once on {status}");
        assert_eq!(requests[0].body, requests[1].body);
        assert_eq!(harness.clock.slept().len(), 1, "one backoff wait");
    }
}

#[tokio::test]
async fn reads_give_up_after_three_attempts() {
    let harness = start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(504))
        .mount(&harness.intercom)
        .await;
    let result = harness.call("intercomListConversations", json!({})).await;
    assert!(is_error(&result));
    assert!(
        text(&result).contains("retried already"),
        "{}",
        text(&result)
    );
    assert_eq!(harness.requests().await.len(), 3);
    assert_eq!(harness.clock.slept().len(), 2);
}

#[tokio::test]
async fn a_5xx_on_a_write_is_sent_once_and_the_outcome_is_unknown() {
    for status in [500, 502, 503, 504] {
        for (tool, args) in writes() {
            let harness = start().await;
            once_then_ok(&harness, ResponseTemplate::new(status)).await;
            let result = harness.call(tool, args).await;
            assert!(is_error(&result), "{tool}");
            assert!(
                text(&result).contains("outcome is unknown"),
                "{tool}: {}",
                text(&result)
            );
            assert_eq!(
                harness.requests().await.len(),
                1,
                "{tool} was sent more than once on {status}"
            );
        }
    }
}

#[tokio::test]
async fn a_write_that_times_out_is_sent_once() {
    for (tool, args) in writes() {
        let harness = start_with(&[
            ("accessToken", common::TOKEN),
            ("INTERCOM_API_TIMEOUT", "200"),
        ])
        .await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
            .mount(&harness.intercom)
            .await;
        let result = harness.call(tool, args).await;
        assert!(is_error(&result), "{tool}");
        let message = text(&result);
        assert!(
            message.contains("did not answer in time") && message.contains("outcome is unknown"),
            "{tool}: {message}"
        );
        assert_eq!(
            harness.requests().await.len(),
            1,
            "{tool} was sent more than once"
        );
    }
}

#[tokio::test]
async fn a_spent_window_holds_the_next_request_until_the_reset() {
    let harness = start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({}))
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", unix(4).as_str()),
        )
        .mount(&harness.intercom)
        .await;
    assert!(!is_error(
        &harness.call("intercomListTags", json!({})).await
    ));
    assert!(
        harness.clock.slept().is_empty(),
        "the first request goes straight out"
    );
    assert!(!is_error(
        &harness.call("intercomListTags", json!({})).await
    ));
    let slept = harness.clock.slept();
    assert!(
        slept.len() == 1 && slept[0] >= Duration::from_secs(4),
        "{slept:?}"
    );
    assert_eq!(harness.requests().await.len(), 2);
}

#[tokio::test]
async fn a_window_spent_for_longer_than_the_cap_refuses_without_sending() {
    let harness = start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({}))
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", unix(300).as_str()),
        )
        .mount(&harness.intercom)
        .await;
    harness.call("intercomListTags", json!({})).await;
    let result = harness
        .call("intercomReplyConversation", writes()[2].1.clone())
        .await;
    assert!(is_error(&result));
    let message = text(&result);
    assert!(
        message.contains("Nothing was sent") && message.contains("INTERCOM_MAX_RETRY_WAIT"),
        "{message}"
    );
    assert!(message.contains("in 300 s"), "{message}");
    assert_eq!(harness.requests().await.len(), 1);
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused_with_a_clear_error() {
    let harness = start_with(&[
        ("accessToken", common::TOKEN),
        ("INTERCOM_MAX_BODY_BYTES", "1024"),
    ])
    .await;
    let big = json!({"data": "x".repeat(10_000)});
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(big))
        .mount(&harness.intercom)
        .await;
    let result = harness.call("intercomListTags", json!({})).await;
    assert!(is_error(&result));
    assert!(
        text(&result).contains("INTERCOM_MAX_BODY_BYTES"),
        "{}",
        text(&result)
    );
    // An error body over the cap is no different.
    harness.intercom.reset().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(400).set_body_string("e".repeat(10_000)))
        .mount(&harness.intercom)
        .await;
    let result = harness.call("intercomListTags", json!({})).await;
    assert!(
        text(&result).contains("INTERCOM_MAX_BODY_BYTES"),
        "{}",
        text(&result)
    );
}
