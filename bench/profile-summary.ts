// Summarises a V8 .cpuprofile (from `npm run bench -- --cpu-prof`): self time
// by function, and self and total time by file or package, so the hot path of
// a scenario can be read without a browser.
// Also reads a .heapprofile (`--heap-prof`): live bytes instead of time, and an .allocprofile
// (`--alloc-prof`): every byte allocated in the window, freed or not.
// Usage: node bench/profile-summary.ts FILE.cpuprofile|FILE.heapprofile|FILE.allocprofile [top=30]

import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A sampling heap profile (`--heap-prof`): live bytes by allocation stack at the window's end. */
interface HeapNode {
  id: number;
  callFrame: ProfileNode['callFrame'];
  selfSize: number;
  children: HeapNode[];
}
interface HeapProfile {
  head: HeapNode;
}

/** The heap profile as a CPU profile whose "time" is bytes, so the same tables read it. */
function fromHeap(h: HeapProfile): CpuProfile {
  const nodes: ProfileNode[] = [];
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  const walk = (n: HeapNode) => {
    nodes.push({ id: n.id, callFrame: n.callFrame, children: n.children.map((c) => c.id) });
    if (n.selfSize > 0) {
      samples.push(n.id);
      timeDeltas.push(n.selfSize);
    }
    n.children.forEach(walk);
  };
  walk(h.head);
  return { nodes, samples, timeDeltas };
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/profile-summary.ts FILE.cpuprofile [top]\n');
  process.exit(2);
}
const top = Number(topArg ?? 30);
const raw = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile | HeapProfile;
const profile: CpuProfile = 'head' in raw ? fromHeap(raw) : raw;
const heap = 'head' in raw;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

function where(url: string): string {
  if (url === '') return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const i = url.indexOf('/server/');
  return i !== -1 ? url.slice(i + 1) : url;
}

const fnSelf = new Map<string, number>();
const fileSelf = new Map<string, number>();
const fileTotal = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'}  ${where(url)}:${lineNumber + 1}`;
  fnSelf.set(key, (fnSelf.get(key) ?? 0) + us);
  fileSelf.set(where(url), (fileSelf.get(where(url)) ?? 0) + us);
  // Total: every distinct file on the stack gets the sample once.
  const seen = new Set<string>();
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const w = where(byId.get(n)!.callFrame.url);
    if (!seen.has(w)) {
      seen.add(w);
      fileTotal.set(w, (fileTotal.get(w) ?? 0) + us);
    }
  }
}

const pct = (us: number) => `${((us / totalUs) * 100).toFixed(1).padStart(5)}%`;
const print = (title: string, m: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${pct(us)}  ${k}\n`);
};
const what = heap ? (process.argv[2]?.endsWith('.allocprofile') ? 'bytes allocated' : 'live bytes') : 'time';
process.stdout.write(heap ? `${file}: ${(totalUs / 2 ** 20).toFixed(1)} MiB ${what === 'live bytes' ? 'live' : 'allocated'} (sampled)\n` : `${file}: ${(totalUs / 1e6).toFixed(2)} s sampled\n`);
print(`self ${what} by function`, fnSelf);
print(`self ${what} by file/package`, fileSelf);
print(`total ${what} by file/package (inclusive)`, fileTotal);
