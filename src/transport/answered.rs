//! Errors answered to a client, over stdio and HTTP alike. A "method not found" names the method
//! and says this server does not support it (rmcp's says only the method's name), and each error
//! is logged once, at debug, in one line: method, code and message, never the request's params,
//! arguments or credentials. rmcp logs the same answer at WARN in Rust's Debug form; the log
//! setup in `main/stderr_log.rs` leaves that line out.

use rmcp::model::{ErrorCode, ErrorData};

/// `error`, about to be answered to a request for `method` (`None` when the transport could not
/// tell which), made readable and logged.
pub(crate) fn answered(method: Option<&str>, error: &mut ErrorData) {
    // rmcp's "method not found" is the bare method name; one of ours already says more.
    let bare = !error.message.contains(char::is_whitespace);
    if error.code == ErrorCode::METHOD_NOT_FOUND && bare {
        let named = method.unwrap_or(&error.message);
        error.message = format!("method `{named}` is not supported by this server").into();
    }
    tracing::debug!(
        method = method.unwrap_or("?"),
        code = error.code.0,
        answer = %error.message,
        "answered an error"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_not_found_names_the_method_and_other_errors_keep_their_words() {
        let mut error = ErrorData::new(ErrorCode::METHOD_NOT_FOUND, "foo/bar", None);
        answered(Some("foo/bar"), &mut error);
        assert_eq!(
            error.message,
            "method `foo/bar` is not supported by this server"
        );
        let mut error = ErrorData::new(ErrorCode::METHOD_NOT_FOUND, "ping", None);
        answered(None, &mut error);
        assert_eq!(
            error.message,
            "method `ping` is not supported by this server"
        );
        let mut error = ErrorData::invalid_params("unknown prompt `x`", None);
        answered(Some("prompts/get"), &mut error);
        assert_eq!(error.message, "unknown prompt `x`");
    }
}
