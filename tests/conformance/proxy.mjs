// A loopback proxy that adds the sandbox's bearer to every request: the conformance suite
// cannot send headers of its own, and `serve --http --sandbox` refuses a request without
// `Authorization: Bearer sandbox`.
//
// Usage: node proxy.mjs <upstream port>. It listens on a free port of 127.0.0.1 and prints
// `proxy: listening on 127.0.0.1:<port>` once it accepts; both ends are loopback only. The
// request and the answer are piped through unchanged (status, headers, body), so an SSE
// stream reaches the suite event by event, and the Host header the suite sent (its own
// 127.0.0.1:<port>, or the foreign host of dns-rebinding-protection) reaches the
// server as sent. Any Authorization the suite sends itself is replaced.
import http from "node:http";

const upstreamPort = Number(process.argv[2]);
if (!upstreamPort) {
  console.error("usage: node proxy.mjs <upstream port>");
  process.exit(2);
}

// No pooling: each suite connection maps to one upstream connection, as if it were direct.
const agent = new http.Agent({ keepAlive: false });

const server = http.createServer((request, response) => {
  const headers = { ...request.headers, authorization: "Bearer sandbox" };
  const upstream = http.request(
    { host: "127.0.0.1", port: upstreamPort, method: request.method, path: request.url, headers, agent },
    (answer) => {
      response.writeHead(answer.statusCode, answer.statusMessage, answer.rawHeaders);
      // Without buffering: each SSE event is written as soon as it arrives.
      response.flushHeaders();
      answer.pipe(response);
      answer.on("error", () => response.destroy());
    },
  );
  upstream.on("error", (error) => {
    if (!response.headersSent) {
      response.writeHead(502, { "content-type": "text/plain" });
      response.end(`proxy: the server at 127.0.0.1:${upstreamPort} did not answer: ${error.message}\n`);
    } else {
      response.destroy(error);
    }
  });
  // The suite hanging up (e.g. closing an SSE stream) hangs up upstream too; a connection
  // reset is not worth the proxy's life.
  response.on("close", () => upstream.destroy());
  request.on("error", () => upstream.destroy());
  request.pipe(upstream);
});

// Port 0: the kernel picks a free port, so parallel runs never collide.
server.listen(0, "127.0.0.1", () => {
  console.log(`proxy: listening on 127.0.0.1:${server.address().port}`);
});
