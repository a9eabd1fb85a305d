// `npm run build`: writes web/dist, the files functions/web.py serves.
//
// Pages (web/pages/*.html) go to the root of dist. Every file they reference as
// /assets/<name> (ours from web/assets/, Swagger UI's from node_modules, pinned in
// package-lock.json) is published as assets/<stem>.<hash>.<ext>, so browsers may keep it
// for a year and a new build can never be mixed with an old one. Swagger UI's licences go
// to licenses/. The build is written to a new folder and swapped in, so a running host
// never serves half of one. Node's standard library only.

import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, extname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const WEB = dirname(fileURLToPath(import.meta.url));
const DIST = join(WEB, "dist");
const SWAGGER_UI = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const RENDERER_FILES = ["swagger-ui.css", "swagger-ui-bundle.js"];
// Apache-2.0 asks for the licence and NOTICE; the bundle's own comment names the third file.
const RENDERER_LICENSES = ["LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt"];
const ASSET_REFERENCE = /\/assets\/([A-Za-z0-9._-]+)/g;

function files(folder) {
  return readdirSync(folder).filter((name) => !name.startsWith(".")).map((name) => join(folder, name));
}

function hashedName(name, content) {
  const hash = createHash("sha256").update(content).digest("hex").slice(0, 12);
  const ext = extname(name);
  return `${name.slice(0, name.length - ext.length)}.${hash}${ext}`;
}

function publishAssets(out) {
  const sources = [...files(join(WEB, "assets")), ...RENDERER_FILES.map((name) => join(SWAGGER_UI, name))];
  const published = new Map();
  for (const source of sources) {
    const name = basename(source);
    const content = readFileSync(source);
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

function build() {
  const next = `${DIST}.next`;
  rmSync(next, { recursive: true, force: true });
  mkdirSync(join(next, "assets"), { recursive: true });
  mkdirSync(join(next, "licenses", "swagger-ui-dist"), { recursive: true });
  const assets = publishAssets(next);
  for (const page of files(join(WEB, "pages")).filter((path) => path.endsWith(".html"))) {
    publishPage(page, assets, next);
  }
  for (const name of RENDERER_LICENSES) {
    const target = name.endsWith(".txt") ? name : `${name}.txt`;
    copyFileSync(join(SWAGGER_UI, name), join(next, "licenses", "swagger-ui-dist", target));
  }
  swapIn(next);
  const sizes = readdirSync(DIST, { recursive: true }).map((name) => statSync(join(DIST, name)))
    .filter((stat) => stat.isFile()).map((stat) => stat.size);
  const kilobytes = Math.round(sizes.reduce((sum, size) => sum + size, 0) / 1024);
  console.log(`web/dist: ${sizes.length} files, ${kilobytes} KiB`);
}

build();
