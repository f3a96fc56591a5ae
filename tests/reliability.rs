//! The request policy against a mock Intercom: rate limits waited out, reads retried, writes
//! never sent twice, holds while a window is spent, bounded bodies, bounded concurrency, and a
//! server that keeps answering while a call hangs. Waits go to a recording clock: no test
//! sleeps through them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{Harness, is_error, now, start, start_with, text};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{any, body_json, header, method, path};
use wiremock::{Mock, ResponseTemplate};

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

#[tokio::test]
async fn the_server_keeps_answering_while_a_call_hangs() {
    let harness = Arc::new(
        start_with(&[
            ("accessToken", common::TOKEN),
            ("INTERCOM_API_TIMEOUT", "1500"),
        ])
        .await,
    );
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&harness.intercom)
        .await;
    let hung = {
        let harness = Arc::clone(&harness);
        tokio::spawn(async move {
            harness
                .call(
                    "intercomAddNote",
                    json!({"contact_id": "c", "body": "x", "admin_id": "9"}),
                )
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    harness
        .client
        .peer()
        .send_request(rmcp::model::ClientRequest::PingRequest(Default::default()))
        .await
        .unwrap();
    assert_eq!(harness.client.list_all_tools().await.unwrap().len(), 16);
    let refused = harness
        .call("intercomGetContact", json!({"contact_id": ".."}))
        .await;
    assert!(is_error(&refused));
    assert!(
        !hung.is_finished(),
        "the hung call is still waiting while others are answered"
    );
    let result = hung.await.unwrap();
    assert!(
        text(&result).contains("did not answer in time"),
        "{}",
        text(&result)
    );
}

/// An HTTP/1.1 server that answers every GET after a pause and counts how many requests it
/// holds at once: what the in-flight cap must bound.
async fn counting_server(pause: Duration) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let (active, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let peak_seen = Arc::clone(&peak);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (active, peak) = (Arc::clone(&active), Arc::clone(&peak));
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 8192];
                let mut seen = Vec::new();
                loop {
                    let Ok(read) = socket.read(&mut buffer).await else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buffer[..read]);
                    while let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                        seen.drain(..end + 4);
                        let now_active = active.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now_active, Ordering::SeqCst);
                        tokio::time::sleep(pause).await;
                        active.fetch_sub(1, Ordering::SeqCst);
                        let reply = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                        if socket.write_all(reply.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    (address, peak_seen)
}

#[tokio::test]
async fn a_burst_queues_behind_the_in_flight_cap() {
    let (address, peak) = counting_server(Duration::from_millis(50)).await;
    let harness = Arc::new(
        common::start_with_base_url_and(&address, &[("INTERCOM_MAX_IN_FLIGHT", "2")]).await,
    );
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let harness = Arc::clone(&harness);
            tokio::spawn(async move { harness.call("intercomListTags", json!({})).await })
        })
        .collect();
    for call in calls {
        let result = call.await.unwrap();
        assert!(!is_error(&result), "{}", text(&result));
    }
    let peak = peak.load(Ordering::SeqCst);
    assert!(
        (1..=2).contains(&peak),
        "{peak} requests were in flight at once"
    );
}

#[tokio::test]
async fn a_read_that_times_out_fails_at_the_deadline_without_a_second_try() {
    let harness = start_with(&[
        ("accessToken", common::TOKEN),
        ("INTERCOM_API_TIMEOUT", "200"),
    ])
    .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&harness.intercom)
        .await;
    let result = harness.call("intercomListTags", json!({})).await;
    assert!(
        text(&result).contains("did not answer in time"),
        "{}",
        text(&result)
    );
    assert_eq!(
        harness.requests().await.len(),
        1,
        "the deadline is the whole call's"
    );
}
