// The hashes in each view's own Content-Security-Policy (<meta http-equiv>): the one inline
// <script> and the one <style> of the document, as CSP Level 3 hash sources ('sha256-' and the
// base64 of the SHA-256 of the element's text). `node csp.mjs --write` puts the current ones in.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const VIEWS = ["conversation", "browser"].map((name) =>
  fileURLToPath(new URL(`../../assets/${name}.html`, import.meta.url)));

const hash = (text) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
const inner = (html, tag) => {
  const parts = html.split(`<${tag}>`);
  if (parts.length !== 2) throw new Error(`expected exactly one <${tag}> in the view`);
  return parts[1].split(`</${tag}>`)[0];
};

// The policy's script-src and style-src as they should be, and as they are.
export function check(html) {
  const want = { script: hash(inner(html, "script")), style: hash(inner(html, "style")) };
  const have = {
    script: (html.match(/script-src ('[^']*')/) || [])[1],
    style: (html.match(/style-src ('[^']*')/) || [])[1],
  };
  return { want, have, ok: want.script === have.script && want.style === have.style };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const path of VIEWS) {
    const html = readFileSync(path, "utf8");
    const { want, ok } = check(html);
    if (ok) { console.log(`${path}: hashes current`); continue; }
    if (!process.argv.includes("--write")) { console.log(`${path}: hashes stale (run with --write)`); process.exitCode = 1; continue; }
    const fixed = html
      .replace(/script-src '[^']*'/, `script-src ${want.script}`)
      .replace(/style-src '[^']*'/, `style-src ${want.style}`);
    writeFileSync(path, fixed);
    console.log(`${path}: hashes written`);
  }
}
