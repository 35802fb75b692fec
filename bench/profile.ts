import fs from 'node:fs';
import path from 'node:path';

/** Summarises a V8 .cpuprofile: self time by function and by package/file, top N. */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  byFunction: { name: string; where: string; selfMs: number; pct: number }[];
  byModule: { module: string; selfMs: number; pct: number }[];
}

function moduleOf(url: string): string {
  if (!url) return '(native/V8)';
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = u.slice(nm + 'node_modules/'.length).split('/');
    return `npm:${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (u.startsWith('node:')) return u;
  const root = `${path.resolve(__dirname, '..')}/`;
  return u.startsWith(root) ? u.slice(root.length) : u;
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  }
  const totalMs = (p.endTime - p.startTime) / 1000;
  const fn = new Map<string, { name: string; where: string; selfMs: number }>();
  const mod = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    const name = n.callFrame.functionName || '(anonymous)';
    const where = `${moduleOf(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    const key = `${name}@${where}`;
    const e = fn.get(key) ?? { name, where, selfMs: 0 };
    e.selfMs += t;
    fn.set(key, e);
    const m = ['(idle)', '(program)', '(garbage collector)'].includes(name) ? name : moduleOf(n.callFrame.url);
    mod.set(m, (mod.get(m) ?? 0) + t);
  }
  const pct = (v: number) => Math.round((v / totalMs) * 1000) / 10;
  return {
    file,
    totalMs,
    byFunction: [...fn.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map((e) => ({ ...e, selfMs: Math.round(e.selfMs), pct: pct(e.selfMs) })),
    byModule: [...mod.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([module, t]) => ({ module, selfMs: Math.round(t), pct: pct(t) })),
  };
}

export function profileMarkdown(s: ProfileSummary): string {
  const lines = [`Profile ${path.basename(s.file)} (${(s.totalMs / 1000).toFixed(1)} s wall)`, '', '| self ms | % | module |', '|---:|---:|---|'];
  for (const m of s.byModule) lines.push(`| ${m.selfMs} | ${m.pct} | ${m.module} |`);
  lines.push('', '| self ms | % | function | where |', '|---:|---:|---|---|');
  for (const f of s.byFunction) lines.push(`| ${f.selfMs} | ${f.pct} | ${f.name} | ${f.where} |`);
  return lines.join('\n');
}
