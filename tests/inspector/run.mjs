// MCP Inspector's CLI (a client we did not write) against the real binary on --sandbox: over
// stdio, where it spawns the server itself, and over Streamable HTTP with the sandbox's bearer.
// Each check names what it expects; any failure exits non-zero.
//
//   node run.mjs path/to/intercom-mcp
import { spawn, execFile } from "node:child_process";
import { createServer } from "node:net";
import { promisify } from "node:util";
import assert from "node:assert/strict";

const binary = process.argv[2];
if (!binary) {
  console.error("usage: node run.mjs path/to/intercom-mcp");
  process.exit(2);
}
const cli = "node_modules/.bin/mcp-inspector";
const run = promisify(execFile);

/** One Inspector CLI call; answers the JSON it prints (the server's logs go to stderr). The
 * CLI exits 5 for a tool result with isError, still printing the result. */
async function inspect(target, method, extra = []) {
  const options = { timeout: 60_000, maxBuffer: 16 << 20 };
  try {
    const { stdout } = await run(cli, ["--cli", ...target, "--method", method, ...extra], options);
    return JSON.parse(stdout);
  } catch (error) {
    if (error.code !== 5 || !error.stdout) throw error;
    return JSON.parse(error.stdout);
  }
}

const toolArgs = (args) => Object.entries(args).flatMap(([k, v]) => ["--tool-arg", `${k}=${v}`]);
const call = (target, name, args = {}) =>
  inspect(target, "tools/call", ["--tool-name", name, ...toolArgs(args)]);
const text = (result) => result.content.map((block) => block.text).join("\n");

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function checks(target, transport) {
  const { tools } = await inspect(target, "tools/list");
  assert.equal(tools.length, 16, `${transport}: 16 tools`);
  assert.ok(tools.every((tool) => tool.name.startsWith("intercom") && tool.inputSchema), `${transport}: each tool named and with a schema`);

  const tags = await call(target, "intercomListTags");
  assert.equal(tags.isError, false, `${transport}: ListTags succeeds`);
  assert.match(text(tags), /"name":"vip"/, `${transport}: ListTags lists the sandbox's tags`);

  // The Inspector turns a numeric-looking value into a number; the id schema wants a string,
  // which the server accepts unambiguously (tools/coerce.rs).
  const conversations = await call(target, "intercomListConversations", { per_page: 1 });
  const id = text(conversations).match(/"id":"(\d+)"/)[1];
  const conversation = await call(target, "intercomGetConversation", { conversation_id: id });
  assert.equal(conversation.isError, false, `${transport}: GetConversation with a numeric id succeeds`);
  assert.ok(text(conversation).includes(`"id":"${id}"`), `${transport}: the conversation asked for`);

  const wrong = await call(target, "intercomGetContact", { contact_id: "true" });
  assert.equal(wrong.isError, true, `${transport}: a boolean contact id is refused`);
  assert.match(text(wrong), /Invalid arguments, nothing was sent/, `${transport}: and says nothing was sent`);

  // No elicitation in the Inspector's CLI: a reply to a customer is sent (the default
  // --unconfirmable send) and says the user was not asked.
  const reply = await call(target, "intercomReplyConversation", {
    conversation_id: id, message_type: "comment", type: "admin", body: "Checking with the team now",
  });
  assert.equal(reply.isError, false, `${transport}: the reply is sent`);
  assert.equal(reply._meta?.["intercom-mcp/confirmation"], "not-asked", `${transport}: _meta says not asked`);

  const { resourceTemplates } = await inspect(target, "resources/templates/list");
  const uris = resourceTemplates.map((template) => template.uriTemplate);
  assert.ok(uris.includes("intercom://contacts/{id}"), `${transport}: the contact template (${uris})`);
  const read = await inspect(target, "resources/read", ["--uri", `intercom://conversations/${id}`]);
  assert.ok(read.contents[0].text.includes(`"id":"${id}"`), `${transport}: a record read through its template`);

  const { prompts } = await inspect(target, "prompts/list");
  assert.ok(prompts.some((prompt) => prompt.name === "triage-unassigned"), `${transport}: our prompts`);
  console.log(`${transport}: Inspector CLI checks passed`);
}

await checks([binary, "--sandbox"], "stdio");

const port = await freePort();
const server = spawn(binary, ["--sandbox", "serve", "--http", `127.0.0.1:${port}`], {
  stdio: ["ignore", "ignore", "inherit"],
});
try {
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch (error) {
      if (attempt > 100) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await checks([`${url}/mcp`, "--transport", "http", "--header", "Authorization: Bearer sandbox"], "http");
} finally {
  server.kill();
}
