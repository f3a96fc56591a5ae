// The host side of the MCP Apps protocol (SEP-1865, stable revision 2026-01-26,
// modelcontextprotocol/ext-apps specification/2026-01-26/apps.mdx), as much as the views use:
// load the view in a sandboxed iframe (scripts only: an opaque origin, apart from this page);
// answer `ui/initialize` with hostContext (theme, locale, time zone, toolInfo); after
// `ui/notifications/initialized`, send `ui/notifications/tool-input` then
// `ui/notifications/tool-result`; run the view's `tools/call` on the real server (through
// `hostToolsCall`, which the test runner exposes); follow `ui/notifications/size-changed`.
// Everything the view sends is recorded in `window.record` for the test to read.
"use strict";
(async () => {
  const feed = await window.hostFeed();
  const record = { initialized: false, calls: [], sizes: [], stray: [] };
  window.record = record;
  const frame = document.createElement("iframe");
  frame.id = "view";
  frame.setAttribute("sandbox", "allow-scripts");
  frame.src = `/view/${feed.view}`;
  const post = (message) => frame.contentWindow.postMessage({ jsonrpc: "2.0", ...message }, "*");

  window.addEventListener("message", async (event) => {
    if (event.source !== frame.contentWindow) return;
    const message = event.data;
    if (!message || message.jsonrpc !== "2.0" || typeof message.method !== "string") {
      record.stray.push(message);
      return;
    }
    switch (message.method) {
      case "ui/initialize": {
        const hostContext = { theme: feed.theme, displayMode: "inline", locale: "en-GB", timeZone: "UTC",
          containerDimensions: { width: 760, maxHeight: 4000 } };
        if (feed.tool) hostContext.toolInfo = { tool: { name: feed.tool } };
        post({ id: message.id, result: { protocolVersion: "2026-01-26",
          hostInfo: { name: "intercom-mcp test host", version: "1" },
          hostCapabilities: { serverTools: {} }, hostContext } });
        break;
      }
      case "ui/notifications/initialized":
        record.initialized = true;
        post({ method: "ui/notifications/tool-input", params: { arguments: feed.arguments } });
        post({ method: "ui/notifications/tool-result", params: feed.result });
        break;
      case "ui/notifications/size-changed":
        record.sizes.push(message.params);
        frame.style.height = `${message.params.height}px`;
        break;
      case "tools/call":
        record.calls.push(message.params);
        try {
          post({ id: message.id, result: await window.hostToolsCall(message.params) });
        } catch (error) {
          post({ id: message.id, error: { code: -32603, message: String(error) } });
        }
        break;
      default:
        record.stray.push(message);
        if (message.id !== undefined) post({ id: message.id, error: { code: -32601, message: "not handled" } });
    }
  });
  document.body.append(frame);
})();
