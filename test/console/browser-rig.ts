import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { systemClock } from '../../src/clock';
import { CONSOLE_DIST } from '../../routes/console';
import { apiAs, type ApiAs } from '../support/api';
import { createTestApp, TEST_ADMIN_KEY, type TestApp } from '../support/harness';

/**
 * The console's browser tests: the real app on loopback, Debian's Chromium driven by playwright-core
 * (Playwright's own browser download is not used). Without a Chromium the tests skip with one line.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = () => existsSync(CHROMIUM);

let told = false;
/** Skips the suite when no Chromium is installed, saying so once per run. */
export function skipWithoutChromium(ctx: Mocha.Context): void {
  if (hasChromium()) return;
  if (!told) console.log(`    console browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  told = true;
  ctx.skip();
}
export const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts', 'console');

const ROOT = path.join(__dirname, '..', '..');
const newest = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    const p = path.join(dir, e.name);
    return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);

/** Builds the console when its bundle is missing or older than its sources (npm ci builds it once). */
export function ensureConsoleBuilt(): void {
  const index = path.join(CONSOLE_DIST, 'index.html');
  const sources = Math.max(newest(path.join(ROOT, 'console', 'src')), statSync(path.join(ROOT, 'console', 'index.html')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync(
    process.execPath,
    [path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js'), 'build', '--config', path.join(ROOT, 'console', 'vite.config.mts')],
    { cwd: ROOT, stdio: 'pipe' },
  );
}

export interface Rig {
  t: TestApp;
  base: string;
  admin: ApiAs;
  server: http.Server;
}

export async function startRig(opts: { twilioApiBaseUrl?: string } = {}): Promise<Rig> {
  let handler: http.RequestListener = (_req, res) => res.end();
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const t = createTestApp({ env: { PUBLIC_BASE_URL: base }, twilioApiBaseUrl: opts.twilioApiBaseUrl, clock: systemClock });
  handler = t.app;
  return { t, base, admin: apiAs(t.app), server };
}

export async function stopRig(r: Rig | undefined): Promise<void> {
  if (!r) return;
  r.server.closeAllConnections();
  await new Promise<void>((res) => r.server.close(() => res()));
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and CSP violations seen on any page. */
  problems: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'console-chromium-'));
  // The background-networking flags keep Chromium from calling home, which this closed network refuses.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1200, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return {
    context,
    page,
    problems,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function signIn(page: Page, base: string, key: string = TEST_ADMIN_KEY): Promise<void> {
  await page.goto(`${base}/console/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: opts.fullPage ?? true });
  return file;
}

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's critical violations on the page (evaluated through the devtools protocol: CSP allows no inline script). */
export async function criticalViolations(page: Page): Promise<string[]> {
  await page.evaluate(`${AXE}\n;0`);
  // Strings run in the page: the test program has no DOM types (the server's tsconfig has no DOM lib).
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
    r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => JSON.stringify(n.target)) })))`)) as Array<{
    id: string;
    impact: string | null;
    targets: string[];
  }>;
  return result.filter((v) => v.impact === 'critical').map((v) => `${v.id}: ${v.targets.join(', ')}`);
}

/** Opens a console route (hash) and waits for its heading. */
export async function goTo(page: Page, base: string, hash: string, heading: RegExp | string): Promise<void> {
  await page.goto(`${base}/console/#${hash}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}
