// `npm run build`: writes web/dist, the files functions/web.py serves.
//
// Pages (web/pages/*.html) go to the root of dist. Every file they reference as
// /assets/<name> is published as assets/<stem>.<hash>.<ext>, so browsers may keep it for a
// year and a new build can never be mixed with an old one: ours from web/assets/, the web
// app (web/app/, TypeScript and Preact) bundled by esbuild into app.js and app.css, and
// Swagger UI's from node_modules, all pinned in package-lock.json. Their licences go to
// licenses/. The build is written to a new folder and swapped in, so a running host never
// serves half of one. `npm run build` type-checks web/app (tsc) before this runs.

import { build as bundle } from "esbuild";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, extname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const WEB = dirname(fileURLToPath(import.meta.url));
const DIST = join(WEB, "dist");
const packageDir = (name) => dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
const SWAGGER_UI = packageDir("swagger-ui-dist");
const RENDERER_FILES = ["swagger-ui.css", "swagger-ui-bundle.js"];
// What the published files carry of other projects, and the licence files each asks for
// (Apache-2.0 the licence and NOTICE; Swagger UI's bundle names the third file; MIT the licence).
// The Web PubSub client brings into app.js the four packages after it (its browser build
// leaves out ws and buffer, which only Node needs).
const LICENSES = {
  "swagger-ui-dist": ["LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt"],
  preact: ["LICENSE"],
  "@azure/web-pubsub-client": ["LICENSE"],
  "@azure/abort-controller": ["LICENSE"],
  "@azure/core-util": ["LICENSE"],
  "@azure/logger": ["LICENSE"],
  "@typespec/ts-http-runtime": ["LICENSE"],
  events: ["LICENSE"],
  uplot: ["LICENSE"], // the reports' charts
};
const ASSET_REFERENCE = /\/assets\/([A-Za-z0-9._-]+)/g;

function files(folder) {
  return readdirSync(folder).filter((name) => !name.startsWith(".")).map((name) => join(folder, name));
}

function hashedName(name, content) {
  const hash = createHash("sha256").update(content).digest("hex").slice(0, 12);
  const ext = extname(name);
  return `${name.slice(0, name.length - ext.length)}.${hash}${ext}`;
}

// The web app: web/app/main.tsx and everything it imports as one script, app.js, and
// web/app/app.css (with what it imports) as one stylesheet, app.css; both minified.
async function bundleApp() {
  const result = await bundle({
    entryPoints: [{ in: join(WEB, "app", "main.tsx"), out: "app" }, { in: join(WEB, "app", "app.css"), out: "app" }],
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    jsx: "automatic",
    jsxImportSource: "preact",
    legalComments: "none", // the licences are published under licenses/
    outdir: join(WEB, "app-out"), // names the outputs only: nothing is written
    write: false,
    logLevel: "warning",
  });
  return result.outputFiles.map((file) => [basename(file.path), Buffer.from(file.contents)]);
}

async function publishAssets(out) {
  const sources = [...files(join(WEB, "assets")), ...RENDERER_FILES.map((name) => join(SWAGGER_UI, name))];
  const contents = [...sources.map((source) => [basename(source), readFileSync(source)]), ...await bundleApp()];
  const published = new Map();
  for (const [name, content] of contents) {
    published.set(name, hashedName(name, content));
    writeFileSync(join(out, "assets", published.get(name)), content);
  }
  return published;
}

function publishPage(source, assets, out) {
  const html = readFileSync(source, "utf8").replace(ASSET_REFERENCE, (reference, name) => {
    if (!assets.has(name)) {
      throw new Error(`${relative(WEB, source)} references ${reference}, which no asset provides`);
    }
    return `/assets/${assets.get(name)}`;
  });
  writeFileSync(join(out, basename(source)), html);
}

function swapIn(next) {
  const previous = `${DIST}.previous`;
  rmSync(previous, { recursive: true, force: true });
  try {
    renameSync(DIST, previous);
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
  }
  renameSync(next, DIST);
  rmSync(previous, { recursive: true, force: true });
}

function publishLicenses(out) {
  for (const [pkg, names] of Object.entries(LICENSES)) {
    mkdirSync(join(out, "licenses", pkg), { recursive: true });
    for (const name of names) {
      const target = name.endsWith(".txt") ? name : `${name}.txt`;
      copyFileSync(join(packageDir(pkg), name), join(out, "licenses", pkg, target));
    }
  }
}

async function build() {
  const next = `${DIST}.next`;
  rmSync(next, { recursive: true, force: true });
  mkdirSync(join(next, "assets"), { recursive: true });
  const assets = await publishAssets(next);
  for (const page of files(join(WEB, "pages")).filter((path) => path.endsWith(".html"))) {
    publishPage(page, assets, next);
  }
  publishLicenses(next);
  swapIn(next);
  const firstLoad = ["app.js", "app.css"].map((name) => gzipSync(readFileSync(join(DIST, "assets", assets.get(name)))));
  const compressed = (firstLoad.reduce((sum, gz) => sum + gz.length, 0) / 1024).toFixed(1);
  console.log(`web app: app.js + app.css, ${compressed} KiB gzip`);
  const sizes = readdirSync(DIST, { recursive: true }).map((name) => statSync(join(DIST, name)))
    .filter((stat) => stat.isFile()).map((stat) => stat.size);
  const kilobytes = Math.round(sizes.reduce((sum, size) => sum + size, 0) / 1024);
  console.log(`web/dist: ${sizes.length} files, ${kilobytes} KiB`);
}

await build();
