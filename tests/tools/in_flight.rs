//! The request policy under load, against a mock Intercom or a counting server: a server that
//! keeps answering while a call hangs, a burst queued behind the in-flight cap, and a read
//! that fails at its deadline without a second try.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

use crate::common;
use crate::common::{is_error, start_with, text};

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
