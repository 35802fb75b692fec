import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createMetrics } from '../../src/metrics/metrics';

const ROOT = path.resolve(__dirname, '../..');
const METRIC_NAME = /\b(?:callback|process|nodejs)_[a-z0-9_]+\b/g;

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: { expr: string }[];
}

/** Every series name the service exposes, histograms with their _bucket, _count and _sum. */
async function exportedNames(): Promise<Set<string>> {
  const m = createMetrics({ processMetrics: true, jobQueue: async () => ({ byState: [], due: [] }) });
  const names = new Set<string>();
  for (const metric of await m.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) names.add(metric.name + suffix);
  }
  return names;
}

describe('metrics: the Grafana dashboard and the README alerts use what the service exports', () => {
  it('when the dashboard is read, then it is valid JSON whose every query names exported metrics only, in panels with unique ids that fit the grid', async () => {
    const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, 'ops/grafana/callback-service.json'), 'utf8')) as {
      uid: string;
      panels: Panel[];
      templating: { list: { name: string }[] };
    };
    assert.equal(dashboard.uid, 'callback-service');
    assert.deepEqual(
      dashboard.templating.list.map((v) => v.name),
      ['datasource', 'instance'],
    );
    const names = await exportedNames();
    const ids = new Set<number>();
    const used = new Set<string>();
    for (const p of dashboard.panels) {
      assert.ok(!ids.has(p.id), `duplicate panel id ${p.id}`);
      ids.add(p.id);
      assert.ok(p.gridPos.x + p.gridPos.w <= 24, `${p.title} is wider than the grid`);
      if (p.type === 'row') continue;
      assert.ok(p.targets?.length, `${p.title} has no query`);
      for (const t of p.targets) {
        for (const name of t.expr.match(METRIC_NAME) ?? []) {
          assert.ok(names.has(name), `${p.title}: ${name} is not exported`);
          used.add(name.replace(/_(bucket|count|sum)$/, ''));
        }
      }
    }
    // Every metric family of the service is on the dashboard.
    for (const name of names) if (name.startsWith('callback_') && !/_(bucket|count|sum)$/.test(name)) assert.ok(used.has(name), `${name} is on no panel`);
  });

  it("when the README's alert rules are read, then they name exported metrics only", async () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Metrics and alerting'), readme.indexOf('## Working on it'));
    const names = await exportedNames();
    const mentioned = section.match(METRIC_NAME) ?? [];
    assert.ok(mentioned.length > 20);
    for (const name of mentioned) if (!name.endsWith('_')) assert.ok(names.has(name), `README names ${name}, which is not exported`);
  });
});
