//! Times as the model reads them: unix seconds → ISO 8601 UTC. At the bottom, beside config,
//! because both the answers (`output`) and the rate-limit messages (`policy`) write times.

use std::time::{Duration, UNIX_EPOCH};

/// Unix seconds → `2024-06-27T12:52:16Z`.
/// `None` past the year 9999, which no unix-seconds time of Intercom's reaches: such a
/// number (a custom attribute in milliseconds, say) stays a number.
pub fn iso(seconds: u64) -> Option<String> {
    const LAST_SECOND_OF_9999: u64 = 253_402_300_799;
    (seconds <= LAST_SECOND_OF_9999).then(|| {
        humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(seconds)).to_string()
    })
}
