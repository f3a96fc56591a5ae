// Explains a failed conformance run: for each entry the suite listed under "Unexpected
// failures" in its output (`scenario`, or `scenario:check-id`, the form a baseline entry
// takes), prints the failing checks with their messages, from the checks.json files the
// suite writes under <results dir>/server-<scenario>-<timestamp>/.
// Usage: node failures.mjs <results dir> <the suite's output>
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [dir, log] = process.argv.slice(2);
const lines = readFileSync(log, "utf8").replace(/\x1b\[[0-9;]*m/g, "").split("\n");
const start = lines.findIndex((line) => line.startsWith("Unexpected failures"));
const unexpected = [];
for (const line of start < 0 ? [] : lines.slice(start + 1)) {
  const entry = line.match(/^ {2}\u2717 (\S+)$/)?.[1];
  if (!entry) break;
  unexpected.push(entry);
}

const checksOf = (scenario) =>
  readdirSync(dir)
    .filter((name) => name.match(/^server-(.+)-\d{4}-\d\d-\d\dT[\d-]+Z$/)?.[1] === scenario)
    .flatMap((name) => JSON.parse(readFileSync(join(dir, name, "checks.json"), "utf8")));

for (const entry of unexpected) {
  const [scenario, only] = entry.split(":");
  for (const check of checksOf(scenario)) {
    if (check.status !== "FAILURE" && check.status !== "WARNING") continue;
    if (only && check.id !== only) continue;
    const why = check.errorMessage ?? JSON.stringify(check.details ?? {});
    console.log(`  ${check.status} ${scenario}:${check.id}: ${why.slice(0, 500)}`);
  }
}
