# syntax=docker/dockerfile:1
# A static glibc binary on an empty image (`FROM scratch`): no shell, no package manager, a
# numeric non-root user, and the CA bundle that reqwest's platform verifier reads for TLS.
# Serves MCP over stdio by default:
#   docker run -i --rm -e accessToken -e intercomRegion IMAGE
# and over HTTP with:
#   docker run --rm -p 8080:8080 -e INTERCOM_MCP_ALLOWED_HOSTS=localhost IMAGE serve --http 0.0.0.0:8080
#
# Multi-arch (linux/amd64, linux/arm64): the build stage runs on the builder's own platform
# and cross-compiles when the target differs, which is far faster than emulating it.
#
# `cargo xtask image` builds this same file with podman, its `build` stage replaced by a
# directory (`--build-context build=DIR`) holding the binary of the RUN line marked below, built
# on the host, and the host's CA bundle. So the runtime stage copies only paths that exist both
# in the real stage and in that directory: /intercom-mcp and /etc/ssl/certs/ca-certificates.crt.

# The MCP registry's name of this server, which it checks against this label on the image:
# io.github.<owner>/intercom-mcp, the owner from Cargo.toml's `repository` (`cargo xtask image`
# and the release workflow pass it; the default is the placeholder a fork replaces).
ARG MCP_SERVER_NAME=io.github.OWNER/intercom-mcp

FROM --platform=$BUILDPLATFORM docker.io/library/rust:1-bookworm AS build
ARG TARGETARCH
ARG BUILDARCH
# Cross linkers and C compilers (ring builds C) by Debian's triplet names; a native build finds
# the same names in Debian's gcc.
ENV CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER=x86_64-linux-gnu-gcc \
    CC_x86_64_unknown_linux_gnu=x86_64-linux-gnu-gcc \
    CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
    CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
RUN set -eu; \
    case "$TARGETARCH" in \
      amd64) triple=x86_64-unknown-linux-gnu; gcc=gcc-x86-64-linux-gnu ;; \
      arm64) triple=aarch64-unknown-linux-gnu; gcc=gcc-aarch64-linux-gnu ;; \
      *) echo "no Rust target for TARGETARCH=$TARGETARCH" >&2; exit 1 ;; \
    esac; \
    echo "$triple" > /rust-target; \
    if [ "$TARGETARCH" != "$BUILDARCH" ]; then \
      apt-get update; \
      apt-get install -y --no-install-recommends "$gcc" "libc6-dev-$TARGETARCH-cross"; \
      rm -rf /var/lib/apt/lists/*; \
      rustup target add "$triple"; \
    fi
WORKDIR /src
COPY . .
# The static build (the one line `cargo xtask image` runs on the host, read from here). An
# explicit --target keeps crt-static off build scripts and proc macros, which must stay dynamic.
RUN RUST_TARGET="$(cat /rust-target)" \
 && RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked --bin intercom-mcp --target "$RUST_TARGET" \
 && cp "target/$RUST_TARGET/release/intercom-mcp" /intercom-mcp

FROM scratch
ARG MCP_SERVER_NAME
LABEL io.modelcontextprotocol.server.name="${MCP_SERVER_NAME}"
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /intercom-mcp /usr/local/bin/intercom-mcp
# Distroless's "nonroot": no /etc/passwd is needed for a numeric user.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/intercom-mcp"]
