// Bundles client/ into dist/ with esbuild, prints each bundle's raw and gzipped
// size, and fails when the widget is over its budget. Run by `npm run build`
// (and before start/test); the browser tests import buildClient().

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');

/** Output path (under dist/, no extension) → source. */
const ENTRIES: Record<string, string> = {
  widget: 'client/widget/loader.ts',
  'assets/chat': 'client/widget/chat.ts',
  'assets/login': 'client/agent/login.ts',
  'assets/console': 'client/agent/console.tsx',
  'assets/admin': 'client/admin/dashboard.tsx',
  'assets/chat.css': 'client/widget/chat.css',
  'assets/site.css': 'client/widget/demo-site.css',
  'assets/login.css': 'client/agent/login.css',
  'assets/console.css': 'client/agent/console.css',
  'assets/admin.css': 'client/admin/admin.css',
};

/** Files copied as they are (dist path → source), hashed and compressed like the bundles. */
const STATIC: Record<string, string> = {
  'assets/favicon.svg': 'client/assets/favicon.svg',
};

/**
 * Logical asset path → content-hashed path, read by the server (server/http/static-assets.ts):
 * pages link the hashed names, which are cached for a year; a new build gives new names.
 */
export const MANIFEST = join(DIST, 'manifest.json');
export interface AssetManifest {
  /** '/assets/console.js' → '/assets/console.3f9a0c2be1.js' */
  assets: Record<string, string>;
}

/** Gzipped byte budgets (SPEC issue 4): the loader every host page pays for, the chat panel, and the two signed-in apps. */
const BUDGETS: Array<{ name: string; files: string[]; maxGzip: number }> = [
  { name: 'widget.js loader', files: ['widget.js'], maxGzip: 5 * 1024 },
  { name: 'chat panel (JS + CSS, socket.io-client included)', files: ['assets/chat.js', 'assets/chat.css'], maxGzip: 40 * 1024 },
  // The signed-in apps (Preact, signals and socket.io-client included): an agent on a phone loads them too.
  { name: 'agent console (JS + CSS)', files: ['assets/console.js', 'assets/console.css'], maxGzip: 60 * 1024 },
  { name: 'admin dashboard (JS + CSS)', files: ['assets/admin.js', 'assets/admin.css'], maxGzip: 60 * 1024 },
];

export interface BundleSize {
  file: string;
  bytes: number;
  gzip: number;
}

export interface BuildResult {
  sizes: BundleSize[];
  overBudget: string[];
}

/**
 * Builds every bundle. Files are written to a temporary name and renamed, so a
 * server reading dist/ while another test worker rebuilds never sees half a file.
 */
export async function buildClient(): Promise<BuildResult> {
  const entryPoints = Object.entries(ENTRIES).map(([out, src]) => ({ out: out.replace(/\.css$/, ''), in: join(ROOT, src) }));
  const result = await build({
    entryPoints,
    outdir: DIST,
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    legalComments: 'none',
    // The console and the dashboard are Preact (JSX in .tsx); the widget imports no JSX and stays framework-free.
    jsx: 'automatic',
    jsxImportSource: 'preact',
    charset: 'utf8',
    write: false,
    metafile: true,
    absWorkingDir: ROOT,
    logLevel: 'warning',
  });
  const sizes: BundleSize[] = [];
  const manifest: AssetManifest = { assets: {} };
  const outputs = [
    ...result.outputFiles.map((f) => ({ path: f.path, contents: f.contents })),
    ...Object.entries(STATIC).map(([out, src]) => ({ path: join(DIST, out), contents: new Uint8Array(readFileSync(join(ROOT, src))) })),
  ];
  for (const file of outputs) {
    const name = relative(DIST, file.path);
    writeAsset(file.path, file.contents);
    sizes.push({ file: name, bytes: file.contents.byteLength, gzip: gzipSync(file.contents, { level: 9 }).byteLength });
    // The loader keeps its address (it is embedded on other sites); everything else gets a hashed twin.
    if (!name.startsWith('assets/')) continue;
    const hash = createHash('sha256').update(file.contents).digest('hex').slice(0, 10);
    const ext = extname(name);
    const hashed = `${name.slice(0, -ext.length)}.${hash}${ext}`;
    writeAsset(join(DIST, hashed), file.contents);
    manifest.assets[`/${name}`] = `/${hashed}`;
  }
  pruneAssets(manifest);
  writeAtomically(MANIFEST, JSON.stringify(manifest, null, 2));
  sizes.sort((a, b) => a.file.localeCompare(b.file));
  const overBudget: string[] = [];
  for (const budget of BUDGETS) {
    const total = sizes.filter((s) => budget.files.includes(s.file)).reduce((n, s) => n + s.gzip, 0);
    if (total > budget.maxGzip) overBudget.push(`${budget.name}: ${kb(total)} gzipped, budget ${kb(budget.maxGzip)}`);
  }
  // The widget runs on customers' pages and stays framework-free: no Preact may reach its bundles.
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    const file = relative(DIST, join(ROOT, out));
    if (!FRAMEWORK_FREE.includes(file)) continue;
    const framework = Object.keys(meta.inputs).filter((input) => /node_modules\/(preact|@preact)\//.test(input));
    if (framework.length) overBudget.push(`${file} must stay framework-free, but bundles ${framework[0]}`);
  }
  return { sizes, overBudget };
}

/** Writes a file and its gzip and brotli twins (served to browsers that accept them), each atomically. */
function writeAsset(path: string, contents: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeAtomically(path, contents);
  writeAtomically(`${path}.gz`, gzipSync(contents, { level: 9 }));
  writeAtomically(`${path}.br`, brotliCompressSync(contents, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }));
}

/** Written under a temporary name and renamed: a server reading dist/ while another build runs never sees half a file. */
function writeAtomically(path: string, contents: Uint8Array | string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

/**
 * Removes hashed files that neither this build nor the one before it links: pages loaded
 * before a deploy still find their scripts, and dist/ does not grow build after build.
 */
function pruneAssets(manifest: AssetManifest): void {
  const keep = new Set(Object.values(manifest.assets).map((p) => basename(p)));
  try {
    const previous = JSON.parse(readFileSync(MANIFEST, 'utf8')) as AssetManifest;
    for (const p of Object.values(previous.assets)) keep.add(basename(p));
  } catch {
    // No earlier build.
  }
  const dir = join(DIST, 'assets');
  for (const file of readdirSync(dir)) {
    const base = file.replace(/\.(gz|br)$/, '');
    if (/\.[0-9a-f]{10}\.[a-z]+$/.test(base) && !keep.has(base)) unlinkSync(join(dir, file));
  }
}

/** Bundles that run inside customers' pages: no UI framework in them. */
const FRAMEWORK_FREE = ['widget.js', 'assets/chat.js'];

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

async function main(): Promise<number> {
  const started = Date.now();
  const { sizes, overBudget } = await buildClient();
  const width = Math.max(...sizes.map((s) => s.file.length));
  console.log(`client bundles in dist/ (${Date.now() - started} ms):`);
  for (const s of sizes) console.log(`  ${s.file.padEnd(width)}  ${kb(s.bytes).padStart(9)}  ${kb(s.gzip).padStart(8)} gzip`);
  for (const budget of BUDGETS) {
    const total = sizes.filter((s) => budget.files.includes(s.file)).reduce((n, s) => n + s.gzip, 0);
    console.log(`  budget ${budget.name}: ${kb(total)} of ${kb(budget.maxGzip)} gzipped`);
  }
  if (overBudget.length) {
    for (const line of overBudget) console.error(`OVER BUDGET ${line}`);
    return 1;
  }
  return 0;
}

if (import.meta.main) process.exitCode = await main();
