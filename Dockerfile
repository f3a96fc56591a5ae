# syntax=docker/dockerfile:1
# Build a static (musl) binary on Alpine, run it on distroless/static as a non-root user.
# The image serves MCP over stdio by default:
#   docker run -i --rm -e accessToken -e intercomRegion IMAGE
# and over HTTP with:  docker run --rm -p 8080:8080 -e INTERCOM_MCP_ALLOWED_HOSTS=localhost IMAGE serve --http 0.0.0.0:8080

FROM rust:1-alpine AS build
# ring (TLS) compiles a little C and assembly.
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
# The same command CI runs (.ci/run), on this image's musl target.
RUN cargo build --release --locked --bin intercom-mcp \
 && cp target/release/intercom-mcp /intercom-mcp

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /intercom-mcp /usr/local/bin/intercom-mcp
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/intercom-mcp"]
