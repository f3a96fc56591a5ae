#!/usr/bin/env bash
# CI step: the container image, built here by `cargo xtask image` (the Dockerfile, its build
# stage replaced by the host's static release build) and run with podman:
#   1. what it is: no shell, a numeric non-root user, the label naming server.json's server,
#      nothing but the binary and the CA bundle (Debian's Mozilla roots), at most 25 MB;
#   2. stdio: initialize and tools/list against the sample workspace (--sandbox), 16 tools;
#   3. HTTP: `serve --http 0.0.0.0:8080` published on a loopback port, GET /healthz is 200, and
#      the server runs as 65532;
#   4. HTTPS by name: a mock Intercom on the host (mock_intercom.py) with a certificate for
#      intercom.test from a CA made here; the container resolves the name through --add-host
#      and trusts the CA through SSL_CERT_FILE; `call intercomListTags` returns the mock's tag
#      and the mock saw the request with the token.
# podman flags as this machine kind needs them: runc (crun refuses its hybrid cgroups) and
# explicit ulimits. Installs podman and runc (Debian) when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
here="$PWD/tests/image"
# Largest image accepted, in bytes (the issue's 25 MB).
max_bytes=25000000
# Bounded waits, in tenths of a second.
startup_tenths=300

missing=()
command -v podman >/dev/null || missing+=(podman)
command -v runc >/dev/null || missing+=(runc)
command -v openssl >/dev/null || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

pod=(podman --runtime runc)
limits=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
fail() { echo "image test: $*" >&2; exit 1; }

work="$(mktemp -d)"
name="intercom-mcp-image-test-$$"
mock_pid=""
stop() {
  "${pod[@]}" rm --force --ignore "$name-http" "$name-files" >/dev/null 2>&1 || true
  [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT

started=$(date +%s)
image="$(cargo xtask image | tail -n 1)"
built=$(date +%s)
echo "image: $image (built in $((built - started)) s)"

echo "-- what it is"
user="$("${pod[@]}" image inspect --format '{{.Config.User}}' "$image")"
[ "$user" = "65532:65532" ] || fail "user is '$user', not 65532:65532"
label="$("${pod[@]}" image inspect --format '{{index .Config.Labels "io.modelcontextprotocol.server.name"}}' "$image")"
# The registry checks this label against server.json's name; both come from Cargo.toml.
expected="$(jq -r .name server.json)"
[ "$label" = "$expected" ] || fail "label io.modelcontextprotocol.server.name is '$label', server.json names '$expected'"
if "${pod[@]}" run --rm "${limits[@]}" --entrypoint /bin/sh "$image" -c true 2>"$work/sh.err"; then
  fail "/bin/sh ran in the image"
fi
grep -q 'no such file' "$work/sh.err" || { cat "$work/sh.err" >&2; fail "/bin/sh failed, but not for want of a shell"; }
"${pod[@]}" create --name "$name-files" "$image" >/dev/null
"${pod[@]}" export "$name-files" >"$work/rootfs.tar"
files="$(tar -tf "$work/rootfs.tar" | grep -v '/$' | sort | tr '\n' ' ')"
roots="$(tar -xOf "$work/rootfs.tar" etc/ssl/certs/ca-certificates.crt | grep -c 'BEGIN CERTIFICATE' || true)"
"${pod[@]}" rm "$name-files" >/dev/null
[ "$files" = "etc/ssl/certs/ca-certificates.crt usr/local/bin/intercom-mcp " ] \
  || fail "the image holds more than the binary and the CA bundle: $files"
# Debian's Mozilla set is about 140 roots.
[ "$roots" -ge 100 ] || fail "the CA bundle holds $roots certificates"
bytes="$("${pod[@]}" image inspect --format '{{.Size}}' "$image")"
echo "size: $bytes bytes ($(python3 -c "print(f'{$bytes / 1e6:.1f}')") MB); user $user; label $label; $roots TLS roots"
[ "$bytes" -le "$max_bytes" ] || fail "the image is $bytes bytes, more than $max_bytes"

echo "-- stdio: tools/list over --sandbox"
printf '%s\n' \
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"image-test","version":"1"}}}' \
  '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
  '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' \
  | timeout 60 "${pod[@]}" run --rm -i "${limits[@]}" "$image" --sandbox >"$work/stdio.out" 2>"$work/stdio.err" \
  || { cat "$work/stdio.err" >&2; fail "the stdio run failed"; }
tools="$(jq -r 'select(.id == 2) | .result.tools[].name' "$work/stdio.out")"
count="$(echo "$tools" | grep -c '^intercom' || true)"
[ "$count" -eq 16 ] || { cat "$work/stdio.out" "$work/stdio.err" >&2; fail "$count tools over stdio, not 16"; }
echo "16 tools: $(echo "$tools" | tr '\n' ' ')"

echo "-- HTTP: /healthz on a published loopback port"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"${pod[@]}" run -d --name "$name-http" "${limits[@]}" -p "127.0.0.1:$port:8080" \
  -e INTERCOM_MCP_ALLOWED_HOSTS="127.0.0.1,localhost" "$image" serve --http 0.0.0.0:8080 >/dev/null
status=""
for _ in $(seq "$startup_tenths"); do
  status="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" || true)"
  [ "$status" = "200" ] && break
  sleep 0.1
done
[ "$status" = "200" ] || { "${pod[@]}" logs "$name-http" >&2 || true; fail "GET /healthz answered '$status'"; }
uid="$("${pod[@]}" top "$name-http" huser | tail -n 1 | tr -d ' ')"
[ "$uid" = "65532" ] || fail "the server runs as host user '$uid', not 65532"
"${pod[@]}" rm --force "$name-http" >/dev/null
echo "GET /healthz: 200; the server process runs as $uid"

echo "-- HTTPS to a mock Intercom by name, trusting a test CA"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj "/CN=intercom-mcp image test CA" -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=intercom.test" \
  -keyout "$work/leaf.key" -out "$work/leaf.csr" 2>/dev/null
printf '%s\n' 'subjectAltName=DNS:intercom.test' 'basicConstraints=critical,CA:FALSE' \
  'keyUsage=critical,digitalSignature' 'extendedKeyUsage=serverAuth' >"$work/leaf.ext"
openssl x509 -req -days 1 -in "$work/leaf.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" \
  -CAcreateserial -extfile "$work/leaf.ext" -out "$work/leaf.crt" 2>/dev/null
chmod 0644 "$work/ca.crt"
python3 "$here/mock_intercom.py" "$work/leaf.crt" "$work/leaf.key" "$work/port" "$work/mock.log" \
  2>"$work/mock.err" &
mock_pid=$!
for _ in $(seq "$startup_tenths"); do
  [ -s "$work/port" ] && break
  sleep 0.1
done
[ -s "$work/port" ] || { cat "$work/mock.err" >&2; fail "the mock did not start"; }
mock_port="$(cat "$work/port")"
# The host's network, so that intercom.test can name the host's loopback.
call_mock() {
  timeout 60 "${pod[@]}" run --rm "${limits[@]}" --network host \
    --add-host "intercom.test:127.0.0.1" -v "$work/ca.crt:/test-ca.crt:ro" "$@" \
    -e INTERCOM_BASE_URL="https://intercom.test:$mock_port" -e INTERCOM_ACCESS_TOKEN=image-test-token \
    "$image" call intercomListTags
}
# First without the test CA: the image's own roots must refuse the mock's certificate, and no
# request may reach it.
if call_mock >"$work/untrusted.out" 2>"$work/untrusted.err"; then
  fail "the call succeeded without trusting the test CA"
fi
grep -qi 'certificate' "$work/untrusted.out" "$work/untrusted.err" \
  || { cat "$work/untrusted.out" "$work/untrusted.err" >&2; fail "the untrusted call failed, but not on the certificate"; }
[ ! -s "$work/mock.log" ] || { cat "$work/mock.log" >&2; fail "a request reached the mock over an untrusted connection"; }
call_mock -e SSL_CERT_FILE=/test-ca.crt >"$work/call.out" 2>"$work/call.err" \
  || { cat "$work/call.out" "$work/call.err" "$work/mock.err" >&2; fail "call intercomListTags failed"; }
grep -q 'image-test-tag' "$work/call.out" || { cat "$work/call.out" >&2; fail "the call's answer lacks the mock's tag"; }
grep -qx 'GET /tags Bearer image-test-token' "$work/mock.log" \
  || { cat "$work/mock.log" >&2; fail "the mock did not see GET /tags with the token"; }
echo "call intercomListTags over https://intercom.test:$mock_port: refused without the test CA, the mock's tag with it"

echo "image test: passed in $(($(date +%s) - started)) s (build $((built - started)) s)"
