import assert from 'node:assert/strict';
import type { Express } from 'express';
import supertest from 'supertest';

/** A token for the tests' METRICS_TOKEN (at least 24 characters, as the config demands). */
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789abcdef';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of a Prometheus text exposition (format 0.0.4); comments are skipped, a line that is neither fails. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
    const value = m[3] === '+Inf' ? Number.POSITIVE_INFINITY : m[3] === '-Inf' ? Number.NEGATIVE_INFINITY : Number(m[3]);
    assert.ok(!Number.isNaN(value) || m[3] === 'NaN', `not a number: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include `labels` (0 when none). */
export function sampleSum(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

/** GET /metrics with the tests' token, parsed. */
export async function scrape(app: Express, token = TEST_METRICS_TOKEN): Promise<Sample[]> {
  const res = await supertest(app).get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
  return parseExposition(res.text);
}
