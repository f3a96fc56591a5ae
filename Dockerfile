# Build: a static-enough release binary on Debian; run: distroless, non-root, stdio by default.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin intercom-mcp

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/intercom-mcp /usr/local/bin/intercom-mcp
USER nonroot
ENTRYPOINT ["/usr/local/bin/intercom-mcp"]
