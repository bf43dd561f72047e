// Vendors the front-end dependencies into server/static/vendor/ (run: npm ci && npm run vendor).
// The output is committed, so the server never needs node_modules at run time.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const modules = join(root, "node_modules");

function copyLicense(pkg, destDir) {
  const dir = join(modules, pkg);
  const name = readdirSync(dir).find((f) => /^(LICEN[CS]E|COPYING)/i.test(f));
  if (!name) throw new Error(`no licence file in ${pkg}`);
  mkdirSync(destDir, { recursive: true });
  copyFileSync(join(dir, name), join(destDir, pkg.replace("/", "__") + ".LICENSE.txt"));
}

// 1. CodeMirror 6, one IIFE exposing `CM`.
const cmOut = join(here, "codemirror");
const result = await build({
  entryPoints: [join(here, "codemirror-entry.mjs")],
  bundle: true, minify: true, format: "iife", globalName: "CM",
  outfile: join(cmOut, "codemirror.min.js"), metafile: true, legalComments: "eof",
  nodePaths: [modules], absWorkingDir: root,
});
const pkgs = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) pkgs.add(m[1]);
}
const versions = [];
for (const pkg of [...pkgs].sort()) {
  copyLicense(pkg, join(cmOut, "licenses"));
  const v = JSON.parse(readFileSync(join(modules, pkg, "package.json"), "utf8")).version;
  versions.push(`${pkg}@${v}`);
}
writeFileSync(join(cmOut, "PACKAGES.txt"), versions.join("\n") + "\n");

// 2. axe-core, copied as shipped (used by the browser tests only).
const axeOut = join(here, "axe-core");
mkdirSync(axeOut, { recursive: true });
copyFileSync(join(modules, "axe-core", "axe.min.js"), join(axeOut, "axe.min.js"));
copyLicense("axe-core", axeOut);
const axeV = JSON.parse(readFileSync(join(modules, "axe-core", "package.json"), "utf8")).version;
writeFileSync(join(axeOut, "PACKAGES.txt"), `axe-core@${axeV}\n`);
console.log("vendored:", versions.join(", "), `axe-core@${axeV}`);
if (!existsSync(join(cmOut, "codemirror.min.js"))) process.exit(1);
