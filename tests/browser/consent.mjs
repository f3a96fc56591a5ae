// Our OAuth consent page in a real browser: Debian's Chromium, headless, driven by playwright-core.
//
// The real binary runs `serve --http --oauth` on loopback. A small server of ours stands in for
// both Intercom's consent page (`/oauth`) and an MCP client's redirect URI (`/cb`), and counts
// what reaches each. A client registers with a hostile name; the browser opens /authorize and
// reads the page as a person would: the name shown as text, no markup of the client's run, our
// CSS applied under the page's CSP (a blocked style would be a console error), no framing by
// another site, Deny back to the client with access_denied and nothing at Intercom, Approve on
// to Intercom, and the approval remembered by the browser's `__Host-` cookie on the next visit.
//
// Run: `npm ci && node consent.mjs` here, after `cargo build` (INTERCOM_MCP_BIN overrides).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const BIN = process.env.INTERCOM_MCP_BIN || here("../../target/debug/intercom-mcp");
const HOSTILE = `<img src=x onerror="alert(1)">Evil "App" & co`;

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

// Intercom's consent page and the client's redirect URI, each counting its visits.
const seen = { oauth: [], cb: [] };
const stand_in = http.createServer((request, response) => {
  const url = new URL(request.url, "http://x");
  const place = url.pathname.slice(1);
  if (place === "frame") {
    // Another site framing our page, as a clickjacking attack would.
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(`<iframe id="framed" src="${url.searchParams.get("src").replace(/"/g, "&quot;")}"></iframe>`);
    return;
  }
  if (seen[place]) seen[place].push(url);
  response.writeHead(seen[place] ? 200 : 204, { "content-type": "text/html; charset=utf-8" });
  response.end(`<title>${place}</title><p>${place}</p>`);
});
await new Promise((resolve) => stand_in.listen(0, "127.0.0.1", resolve));
const other = `http://127.0.0.1:${stand_in.address().port}`;

const free = await new Promise((resolve) => {
  const probe = http.createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const base = `http://127.0.0.1:${free}`;
const child = spawn(BIN, ["serve", "--http", `127.0.0.1:${free}`, "--oauth", "--public-url", base], {
  stdio: ["ignore", "ignore", "ignore"],
  env: {
    PATH: process.env.PATH,
    INTERCOM_OAUTH_CLIENT_ID: "browser-test-app",
    INTERCOM_OAUTH_CLIENT_SECRET: "browser-test-secret",
    INTERCOM_MCP_TOKEN_KEY: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    INTERCOM_OAUTH_AUTHORIZE_URL: `${other}/oauth`,
    INTERCOM_OAUTH_TOKEN_URL: `${other}/token`,
  },
});

const profile = mkdtempSync(join(tmpdir(), "intercom-mcp-consent-"));
let context;
try {
  for (let tries = 0; ; tries += 1) {
    const up = await fetch(`${base}/healthz`).then((answer) => answer.ok, () => false);
    if (up) break;
    assert.ok(tries < 200, "the server did not come up");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const registered = await fetch(`${base}/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ redirect_uris: [`${other}/cb`], client_name: HOSTILE }),
  }).then((answer) => answer.json());
  const challenge = createHash("sha256").update("v".repeat(50)).digest("base64url");
  const authorize = (state) => `${base}/authorize?${new URLSearchParams({
    response_type: "code", client_id: registered.client_id, redirect_uri: `${other}/cb`,
    code_challenge: challenge, code_challenge_method: "S256", state,
  })}`;

  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 800, height: 900 },
  });
  const open = async (url) => {
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("dialog", (dialog) => { problems.push(`dialog: ${dialog.message()}`); dialog.dismiss(); });
    page.on("console", (message) => { if (message.type() === "error") problems.push(`console: ${message.text()}`); });
    const answer = await page.goto(url);
    return { page, problems, answer };
  };

  await step("consent page: the client's name as text, its host, what it may do, our CSS under the CSP", async () => {
    const { page, problems, answer } = await open(authorize("first"));
    assert.equal(answer.status(), 200);
    const policy = answer.headers()["content-security-policy"];
    assert.match(policy, /frame-ancestors 'none'/);
    assert.equal(answer.headers()["x-content-type-options"], "nosniff");
    assert.equal(await page.locator(".name").textContent(), HOSTILE);
    assert.equal(await page.locator("img").count(), 0);
    assert.equal(await page.locator(".tag").first().textContent(), "unverified");
    const text = await page.locator("main").innerText();
    assert.match(text, /Sends you back to\s+127\.0\.0\.1/);
    assert.match(text, /read conversations, contacts, companies and tags/);
    // Our stylesheet applied: the card's rounded corners and the primary button's colour.
    const radius = await page.locator("main").evaluate((node) => getComputedStyle(node).borderTopLeftRadius);
    assert.equal(radius, "12px");
    assert.ok(await page.getByRole("button", { name: "Approve" }).isVisible());
    assert.deepEqual(problems, []);
    await page.close();
  });

  await step("framing: another site cannot show the page in a frame (frame-ancestors 'none')", async () => {
    const { page, problems } = await open(`${other}/frame?${new URLSearchParams({ src: authorize("framed") })}`);
    // The refusal is reported on the console; wait for it rather than for a fixed time.
    for (let tries = 0; tries < 100 && !problems.some((problem) => /frame-ancestors/.test(problem)); tries += 1) {
      await page.waitForTimeout(50);
    }
    const framed = page.frames().find((frame) => frame !== page.mainFrame());
    assert.ok(framed, "an iframe");
    assert.equal(await framed.locator(".name").count().catch(() => 0), 0);
    assert.ok(problems.some((problem) => /frame-ancestors/.test(problem)), problems.join(" | "));
    await page.close();
  });

  await step("deny: back to the client with access_denied and its state; nothing reaches Intercom", async () => {
    const { page, problems } = await open(authorize("deny-state"));
    await page.getByRole("button", { name: "Deny" }).click();
    await page.waitForURL((url) => url.pathname === "/cb");
    const back = new URL(page.url());
    assert.equal(back.searchParams.get("error"), "access_denied");
    assert.equal(back.searchParams.get("state"), "deny-state");
    assert.equal(back.searchParams.get("code"), null);
    assert.equal(seen.oauth.length, 0);
    assert.deepEqual(problems, []);
    await page.close();
  });

  await step("approve: on to Intercom; the next visit skips our page (remembered by the cookie)", async () => {
    const { page, problems } = await open(authorize("approve-state"));
    assert.equal(await page.locator(".name").count(), 1, "a deny is not remembered");
    await page.getByRole("button", { name: "Approve" }).click();
    await page.waitForURL((url) => url.pathname === "/oauth");
    assert.equal(seen.oauth.length, 1);
    assert.equal(seen.oauth[0].searchParams.get("client_id"), "browser-test-app");
    const cookies = await context.cookies(base);
    const approval = cookies.find((cookie) => cookie.name === "__Host-intercom-mcp-consent");
    assert.ok(approval, JSON.stringify(cookies.map((cookie) => cookie.name)));
    assert.equal(approval.secure, true);
    assert.equal(approval.httpOnly, true);
    assert.equal(approval.sameSite, "Lax");
    await page.goto(authorize("again"));
    await page.waitForURL((url) => url.pathname === "/oauth");
    assert.equal(seen.oauth.length, 2);
    assert.deepEqual(problems, []);
    await page.close();
  });

  await step("errors before consent: a page, never a redirect", async () => {
    // A client this browser has not approved, and no PKCE.
    const fresh = await fetch(`${base}/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ redirect_uris: [`${other}/cb`] }),
    }).then((answer) => answer.json());
    const query = new URLSearchParams({ response_type: "code", client_id: fresh.client_id, redirect_uri: `${other}/cb` });
    const { page, answer } = await open(`${base}/authorize?${query}`);
    assert.equal(answer.status(), 400);
    assert.equal(new URL(page.url()).pathname, "/authorize");
    assert.match(await page.locator("main").innerText(), /Sign-in refused/);
    await page.close();
  });
} finally {
  if (context) await context.close();
  child.kill();
  stand_in.close();
  rmSync(profile, { recursive: true, force: true });
}

if (failures.length) {
  console.log(`\n${failures.length} failed: ${failures.join("; ")}`);
  process.exit(1);
}
console.log("\nall consent page checks passed");
