//! An embedded Intercom workspace for trying the server without a token (`--sandbox`).
