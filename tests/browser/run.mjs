// The MCP Apps views in a real browser: Debian's Chromium, headless, driven by playwright-core.
//
// The real binary runs with --sandbox over stdio, as an MCP client that advertises the MCP Apps
// extension (`io.modelcontextprotocol/ui`) starts it. Its `resources/read` gives each view's
// HTML, served to the browser with the Content-Security-Policy a host builds from the
// resource's `_meta.ui.csp` (the formula of SEP-1865, 2026-01-26, "Content Security Policy
// Enforcement"). A host page of ours (host.html, host.js) loads the view in a sandboxed iframe,
// speaks the host side of the protocol, feeds it a real tool result, and runs the view's own
// `tools/call` on the same binary. The test then reads what a person would see.
//
// Run: `npm ci && node run.mjs` here, after `cargo build` (INTERCOM_MCP_BIN overrides the
// binary; SCREENSHOTS=1 also rewrites docs/conversation-view.png and docs/browser-view.png).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { check } from "./csp.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const BIN = process.env.INTERCOM_MCP_BIN || here("../../target/debug/intercom-mcp");
const EXTENSION = "io.modelcontextprotocol/ui";
const MIME = "text/html;profile=mcp-app";
const SCREENSHOTS = process.env.SCREENSHOTS === "1";

// ---- the server over stdio ----
class Session {
  constructor() {
    this.child = spawn(BIN, ["--sandbox"], { stdio: ["pipe", "pipe", "ignore"], env: { PATH: process.env.PATH } });
    this.waiting = new Map();
    this.id = 0;
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      const message = JSON.parse(line);
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (waiter) waiter(message);
    });
  }
  request(method, params) {
    this.id += 1;
    const id = this.id;
    this.child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer in 20 s`)), 20000);
      this.waiting.set(id, (message) => {
        clearTimeout(timer);
        if (message.error) reject(new Error(`${method}: ${message.error.message}`));
        else resolve(message.result);
      });
    });
  }
  async call(name, args) {
    const result = await this.request("tools/call", { name, arguments: args });
    assert.equal(result.isError, false, `${name}: ${JSON.stringify(result.content)}`);
    return result;
  }
  close() {
    this.child.stdin.end();
  }
}

// ---- a tiny runner: each check named, every failure reported, exit code 1 on any ----
const failures = [];
async function step(name, body) {
  const started = Date.now();
  try {
    await body();
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failures.push(name);
    console.log(`FAIL ${name}\n${error && error.stack ? error.stack : error}`);
  }
}

// The policy a host builds from `_meta.ui.csp` (SEP-1865's formula, with the declared lists).
function hostPolicy(csp = {}) {
  const list = (domains) => (domains || []).join(" ");
  return [
    "default-src 'none'",
    `script-src 'self' 'unsafe-inline' ${list(csp.resourceDomains)}`,
    `style-src 'self' 'unsafe-inline' ${list(csp.resourceDomains)}`,
    `connect-src 'self' ${list(csp.connectDomains)}`,
    `img-src 'self' data: ${list(csp.resourceDomains)}`,
    `font-src 'self' ${list(csp.resourceDomains)}`,
    `media-src 'self' data: ${list(csp.resourceDomains)}`,
    `frame-src ${list(csp.frameDomains) || "'none'"}`,
    "object-src 'none'",
    `base-uri ${list(csp.baseUriDomains) || "'self'"}`,
  ].join("; ");
}

function serve(views) {
  const files = { "/host.html": ["text/html", readFileSync(here("host.html"))], "/host.js": ["text/javascript", readFileSync(here("host.js"))] };
  const server = http.createServer((request, response) => {
    const path = new URL(request.url, "http://x").pathname;
    const view = views[path.replace("/view/", "")];
    if (path.startsWith("/view/") && view) {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": hostPolicy(view._meta.ui.csp) });
      response.end(view.text);
    } else if (files[path]) {
      response.writeHead(200, { "content-type": `${files[path][0]}; charset=utf-8` });
      response.end(files[path][1]);
    } else if (path === "/favicon.ico") {
      response.writeHead(204);
      response.end();
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

// Opens the host page on one view fed with `feed`; the view's tools/call go to the session.
async function open(context, base, session, feed) {
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("dialog", (dialog) => { problems.push(`dialog: ${dialog.message()}`); dialog.dismiss(); });
  page.on("console", (message) => { if (message.type() === "error") problems.push(`console: ${message.text()}`); });
  await page.exposeFunction("hostFeed", () => feed);
  await page.exposeFunction("hostToolsCall", (params) => session.request("tools/call", params));
  await page.goto(`${base}/host.html`);
  await page.waitForFunction(() => window.record && window.record.initialized);
  const view = page.frameLocator("#view");
  return { page, view, problems, record: () => page.evaluate(() => window.record) };
}

const texts = (locator) => locator.evaluateAll((nodes) => nodes.map((node) => node.textContent));
const lean = (result) => JSON.parse(result.content[0].text);
// The server fences customer-written text for the model; a person sees the text alone.
const unfence = (text) => text.replace(/⟦\/?c:[0-9a-f]{6}⟧/g, "");
const names = (page) => page.contacts.map((contact) => unfence(contact.name));

const session = new Session();
const profile = mkdtempSync(join(tmpdir(), "intercom-mcp-chromium-"));
let context;
let server;
try {
  const init = await session.request("initialize", {
    protocolVersion: "2025-06-18",
    capabilities: { extensions: { [EXTENSION]: { mimeTypes: [MIME] } } },
    clientInfo: { name: "browser-test-host", version: "1" },
  });
  session.child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);

  const views = {};
  await step("the server offers both views to a client with the extension", async () => {
    assert.deepEqual(init.capabilities.extensions[EXTENSION], { mimeTypes: [MIME] });
    assert.ok(init.capabilities.resources);
    // The workspace directory (intercom://…) is listed too; the views are the ui:// ones.
    const listed = (await session.request("resources/list", {})).resources;
    const resources = listed.filter((resource) => resource.uri.startsWith("ui://"));
    assert.deepEqual(resources.map((resource) => resource.uri), ["ui://intercom-mcp/conversation", "ui://intercom-mcp/browser"]);
    for (const resource of resources) {
      const { contents } = await session.request("resources/read", { uri: resource.uri });
      assert.equal(contents[0].mimeType, MIME);
      const { ok, want, have } = check(contents[0].text);
      assert.ok(ok, `${resource.uri}: the document's own policy hashes are stale (node tests/browser/csp.mjs --write): want ${JSON.stringify(want)}, have ${JSON.stringify(have)}`);
      views[resource.name] = contents[0];
    }
    const { tools } = await session.request("tools/list", {});
    const linked = Object.fromEntries(tools.filter((tool) => tool._meta).map((tool) => [tool.name, tool._meta.ui.resourceUri]));
    assert.deepEqual(linked, {
      intercomListContacts: "ui://intercom-mcp/browser",
      intercomSearchContacts: "ui://intercom-mcp/browser",
      intercomListConversations: "ui://intercom-mcp/browser",
      intercomSearchConversations: "ui://intercom-mcp/browser",
      intercomGetConversation: "ui://intercom-mcp/conversation",
    });
  });

  server = await serve(views);
  const base = `http://127.0.0.1:${server.address().port}`;
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 800, height: 1000 },
  });

  await step("conversation view: the thread's authors, roles and texts, notes set apart", async () => {
    await session.call("intercomReplyConversation", { conversation_id: "20418", message_type: "note",
      body: "<p>Sales confirmed: 12% off from 200 kits. Quote goes out Monday.</p>" });
    const result = await session.call("intercomGetConversation", { conversation_id: "20418" });
    assert.deepEqual(result.structuredContent, lean(result), "structuredContent is the text's data");
    const { page, view, problems, record } = await open(context, base, session,
      { view: "conversation", tool: "intercomGetConversation", arguments: { conversation_id: "20418" }, result, theme: "light" });
    await view.locator(".part").nth(4).waitFor();
    assert.equal(await view.locator("#title").textContent(), "Volume pricing");
    const facts = (await view.locator("#facts").textContent()).replace(/\s+/g, " ");
    assert.match(facts, /State snoozed/);
    assert.match(facts, /Assignee Theo Brannigan/);
    assert.match(facts, /Customer Hiro Tanaka <hiro\.tanaka@example\.net>/);
    assert.deepEqual(await texts(view.locator(".part .author")), ["Hiro Tanaka", "Mara Quill", "Theo Brannigan", "Theo Brannigan", "Mara Quill"]);
    assert.deepEqual(await texts(view.locator(".part .role")), ["customer", "admin", "admin", "admin", "admin"]);
    const bodies = await texts(view.locator(".part .body"));
    assert.deepEqual(bodies, [
      "Do you offer volume pricing for 200 or more trail kits?",
      "Hi Hiro, orders above 150 kits get tiered prices. I have asked our sales lead for a quote.",
      "Sales confirmed: 12% off from 200 kits. Quote goes out Monday.",
    ]);
    assert.deepEqual(await texts(view.locator(".part.note .body")), [bodies[2]]);
    assert.equal(await view.locator(".part.note .kind").textContent(), "Internal note");
    const background = (selector) => view.locator(selector).first().evaluate((node) => getComputedStyle(node).backgroundColor);
    assert.notEqual(await background(".part.note"), await background(".part.reply"), "a note looks different from a reply");
    assert.match(await view.locator(".part.event").nth(0).textContent(), /assignment to Theo Brannigan/);
    const { sizes } = await record();
    assert.ok(sizes.length > 0 && sizes.at(-1).height > 200, `size-changed reached the host: ${JSON.stringify(sizes)}`);
    await page.waitForFunction(() => document.querySelector("#view").style.height !== "");
    if (SCREENSHOTS) await page.locator("#view").screenshot({ path: here("../../docs/conversation-view.png") });
    assert.deepEqual(problems, []);
    await page.close();
  });

  await step("conversation view: a hostile customer body runs nothing and shows as text (dark theme)", async () => {
    // The sandbox has no tool through which a customer writes, so the customer's opening
    // message of a real answer is replaced by one holding markup that would run if parsed.
    const result = await session.call("intercomGetConversation", { conversation_id: "20417" });
    const hostile = "Refund me <img src=x onerror=\"parent.postMessage({pwned:'img'},'*')\"> " +
      "<script>parent.postMessage({pwned:'script'},'*')</script> " +
      "<a href=\"javascript:parent.postMessage({pwned:'link'},'*')\">click here</a>";
    result.structuredContent.timeline[0].body = hostile;
    result.content[0].text = JSON.stringify(result.structuredContent);
    const { page, view, problems, record } = await open(context, base, session,
      { view: "conversation", tool: "intercomGetConversation", arguments: { conversation_id: "20417" }, result, theme: "dark" });
    const body = view.locator(".part .body").first();
    await body.waitFor();
    assert.equal(await body.textContent(), hostile);
    assert.equal(await body.innerText(), hostile, "shown as the characters the customer typed");
    await body.click();
    const counts = await view.locator("body").evaluate((node) => ({
      img: node.querySelectorAll("img").length, a: node.querySelectorAll("a").length, script: node.querySelectorAll("script").length }));
    assert.deepEqual(counts, { img: 0, a: 0, script: 1 });
    await page.waitForTimeout(300);
    assert.deepEqual((await record()).stray, [], "nothing but the protocol came from the view");
    assert.deepEqual(await texts(view.locator(".tag")), ["churn-risk"]);
    const rgb = (await view.locator("body").evaluate((node) => getComputedStyle(node).backgroundColor)).match(/\d+/g).map(Number);
    assert.ok(rgb[0] + rgb[1] + rgb[2] < 150, `dark background from the host's theme: ${rgb}`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  await step("browser: contacts as a table, Next calls the tool again through the host", async () => {
    const args = { per_page: 3 };
    const first = await session.call("intercomListContacts", args);
    const { page, view, problems, record } = await open(context, base, session,
      { view: "browser", tool: "intercomListContacts", arguments: args, result: first, theme: "light" });
    const rows = view.locator("#rows tr");
    const firstNames = () => texts(view.locator("#rows tr td:first-child"));
    await rows.nth(2).waitFor();
    assert.deepEqual(await firstNames(), names(first.structuredContent));
    assert.deepEqual(await texts(view.locator("#columns th")), ["Name", "Email", "Role", "Location", "Last seen"]);
    assert.match(await view.locator("#page").textContent(), /Page 1, 3 shown of 8/);

    const cursor = first.structuredContent.next_cursor;
    const second = await session.call("intercomListContacts", { per_page: 3, starting_after: cursor });
    await view.locator("#next").click();
    await view.locator("#page", { hasText: "Page 2" }).waitFor();
    assert.deepEqual((await record()).calls, [{ name: "intercomListContacts", arguments: { per_page: 3, starting_after: cursor } }]);
    assert.deepEqual(await firstNames(), names(second.structuredContent));

    await view.locator("#next").click();
    await view.locator("#page", { hasText: "Page 3" }).waitFor();
    assert.equal(await rows.count(), 2);
    assert.ok(await view.locator("#next").isDisabled(), "no page after the last");
    await view.locator("#previous").click();
    await view.locator("#page", { hasText: "Page 2" }).waitFor();
    assert.deepEqual(await firstNames(), names(second.structuredContent));
    assert.equal((await record()).calls.length, 2, "a page seen before is not asked again");
    assert.deepEqual(problems, []);
    await page.close();
  });

  await step("browser: a conversation search pages with pagination.starting_after, and a click opens one", async () => {
    const args = { query: { field: "open", operator: "=", value: true }, pagination: { per_page: 2 } };
    const first = await session.call("intercomSearchConversations", args);
    // No toolInfo from this host: the view tells the tool from its arguments and the page.
    const { page, view, problems, record } = await open(context, base, session,
      { view: "browser", arguments: args, result: first, theme: "light" });
    await view.locator("#rows tr").nth(1).waitFor();
    assert.deepEqual(await texts(view.locator("#columns th")), ["Conversation", "Customer", "State", "Tags", "Updated"]);
    assert.deepEqual(await texts(view.locator("#rows tr td:nth-child(2)")), ["Hiro Tanaka", "Lucía Fernández"]);
    assert.deepEqual(await texts(view.locator("#rows tr td:nth-child(3)")), ["snoozed", "open"]);
    if (SCREENSHOTS) {
      await page.waitForFunction(() => document.querySelector("#view").style.height !== "");
      await page.locator("#view").screenshot({ path: here("../../docs/browser-view.png") });
    }
    await view.locator("#next").click();
    await view.locator("#page", { hasText: "Page 2" }).waitFor();
    assert.deepEqual((await record()).calls[0], { name: "intercomSearchConversations",
      arguments: { ...args, pagination: { per_page: 2, starting_after: first.structuredContent.next_cursor } } });
    assert.deepEqual(await texts(view.locator("#rows tr td:nth-child(2)")), ["Priya Raman"]);

    await view.locator("#rows button.open").first().click();
    await view.locator("#thread li").first().waitFor();
    assert.deepEqual((await record()).calls[1], { name: "intercomGetConversation", arguments: { conversation_id: "20415" } });
    assert.equal(await view.locator("#subject").textContent(), "Charged twice in April");
    const thread = await texts(view.locator("#thread li .muted"));
    assert.match(thread[0], /^Priya Raman \(customer\)/);
    assert.ok(thread.slice(1).some((line) => /\(admin/.test(line)), thread.join(" | "));
    await view.locator("#back").click();
    assert.ok(await view.locator("#rows tr").first().isVisible());
    assert.deepEqual(problems, []);
    await page.close();
  });
} finally {
  if (context) await context.close();
  if (server) server.close();
  session.close();
  rmSync(profile, { recursive: true, force: true });
}

if (failures.length) {
  console.log(`\n${failures.length} failed: ${failures.join("; ")}`);
  process.exit(1);
}
console.log("\nall browser checks passed");
