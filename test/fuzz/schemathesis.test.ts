import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createTestApp, TEST_ADMIN_KEY } from '../support/harness';

/**
 * The config API fuzzed from its own OpenAPI document by schemathesis (PyPI; `.ci/run` installs it):
 * no 5xx, every response matching its documented status codes, content types and schemas. The app runs
 * on a loopback port in this process. Skips (with the reason) when schemathesis is not installed.
 *
 * Bounded by work, not by time: a fixed seed, a few examples per operation and phase, one worker, so the
 * run does the same requests on a fast or a slow machine. The wall-clock budget is only a guard against
 * a hang and leaves a wide margin (about 2,700 requests: under a minute alone on 2 cores, 4 minutes with
 * the machine loaded five times over): 15 minutes by default (SCHEMATHESIS_BUDGET_S), and a run that
 * hits it fails saying so.
 * To replay by hand: start the app, then the same command line (printed on failure).
 */
const SEED = '20260611';
const MAX_EXAMPLES = process.env.SCHEMATHESIS_MAX_EXAMPLES ?? '5';
const BUDGET_S = Number(process.env.SCHEMATHESIS_BUDGET_S ?? 900);
/**
 * The checks: no server error, and responses conforming to the document (status, content type,
 * headers, body schema). Not the heuristics `all` adds that judge request validation policy
 * (negative_data_rejection, positive_data_acceptance, missing_required_header, unsupported_method,
 * allow_header_conformance, use_after_free, ensure_resource_availability, ignored_auth,
 * object_level_authorization): those are listed in SCHEMATHESIS_EXTRA_CHECKS to try by hand.
 */
const CHECKS = ['not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_headers_conformance', 'response_schema_conformance'];

function findSchemathesis(): string[] | null {
  for (const cmd of [['schemathesis'], ['python3', '-m', 'schemathesis.cli']]) {
    const r = spawnSync(cmd[0]!, [...cmd.slice(1), '--version'], { encoding: 'utf8' });
    if (r.status === 0 && /version/.test(r.stdout)) return cmd;
  }
  return null;
}

describe('fuzz: the config API from its OpenAPI document (schemathesis)', function () {
  this.timeout((BUDGET_S + 60) * 1000);
  const cli = findSchemathesis();
  let server: http.Server | undefined;

  before(function () {
    if (!cli) {
      console.log('      schemathesis is not installed (python3 -m pip install schemathesis): skipped; CI installs it');
      this.skip();
    }
  });
  afterEach(async () => {
    if (server) await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
  });

  it('when schemathesis generates requests for every operation, then no 5xx and every response matches the document', async () => {
    const t = createTestApp();
    server = http.createServer(t.app);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemathesis-'));
    const args = [
      ...cli!.slice(1),
      ...(process.env.SCHEMATHESIS_CONFIG ? ['--config-file', process.env.SCHEMATHESIS_CONFIG] : []),
      'run',
      `${base}/api/openapi.json`,
      '--url',
      base, // the document's paths carry the /api prefix
      '--checks',
      [...CHECKS, ...(process.env.SCHEMATHESIS_EXTRA_CHECKS ? process.env.SCHEMATHESIS_EXTRA_CHECKS.split(',') : [])].join(','),
      '--max-examples',
      MAX_EXAMPLES,
      '--seed',
      SEED,
      '--phases',
      process.env.SCHEMATHESIS_PHASES ?? 'examples,coverage,fuzzing',
      '--workers',
      '1',
      '--no-shrink',
      '--continue-on-failure',
      '--request-timeout',
      '10',
      '--header',
      `Authorization: Bearer ${TEST_ADMIN_KEY}`,
      '--report',
      'junit',
      '--report-dir',
      reportDir,
      '--output-sanitize',
      'true',
      '--output-truncate',
      'true',
    ];
    // Async (not spawnSync): the app answering schemathesis lives in this process. Run in the temporary
    // folder so schemathesis's own cache (.schemathesis/) stays out of the repo.
    const out = await new Promise<{ code: number | null; killed: boolean; text: string }>((resolve) => {
      const child = spawn(cli![0]!, args, { cwd: reportDir, env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_HOOKS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (text += d));
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, BUDGET_S * 1000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, killed, text });
      });
    });
    fs.rmSync(reportDir, { recursive: true, force: true });
    const cmdline = `${cli!.join(' ')} ${args.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ')}`.replace(TEST_ADMIN_KEY, '$KEY');
    // The failures (each with a curl line to reproduce it) come before the warnings and the summary.
    const failures = /={5,} FAILURES ={5,}([\s\S]*?)(?:={5,} (?:WARNINGS|SUMMARY) ={5,})/.exec(out.text)?.[1] ?? out.text;
    const summary = /={5,} SUMMARY ={5,}([\s\S]*)$/.exec(out.text)?.[1] ?? '';
    if (process.env.SCHEMATHESIS_LOG) fs.writeFileSync(process.env.SCHEMATHESIS_LOG, out.text);
    assert.ok(
      !out.killed,
      `schemathesis was killed at its wall-clock budget of ${BUDGET_S} s (SCHEMATHESIS_BUDGET_S), not for a finding: ` +
        `the machine is far slower than expected or a request hangs (each has a 10 s timeout).\nCommand: ${cmdline}\n${out.text.slice(-5_000)}`,
    );
    assert.equal(out.code, 0, `schemathesis found problems (exit ${out.code}).\nCommand: ${cmdline}\n${summary.slice(0, 3_000)}\n${failures.slice(0, 20_000)}`);
  });
});
