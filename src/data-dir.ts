import fs from 'node:fs';
import path from 'node:path';

/**
 * DATA_DIR holds the embedded database, the data encryption key and the local simulator's credentials:
 * only the service's user may read it. Creates it 0700 and tightens what an older version (or a loose
 * umask) left there: folders 0700, files 0600. New files stay private because the database child runs
 * under umask 077 (src/db/embedded-ferretdb.ts) and our own files are written 0600.
 */
export function secureDataDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return; // POSIX modes only
  tighten(dir, true);
}

function tighten(p: string, isDir: boolean): void {
  fs.chmodSync(p, isDir ? 0o700 : 0o600);
  if (!isDir) return;
  for (const e of fs.readdirSync(p, { withFileTypes: true })) {
    if (e.isDirectory()) tighten(path.join(p, e.name), true);
    else if (e.isFile()) tighten(path.join(p, e.name), false);
  }
}

/** Runs `start` (which spawns a child) under umask 077, so whatever the child creates is private. */
export function withPrivateUmask<T>(start: () => T): T {
  if (process.platform === 'win32') return start();
  const previous = process.umask(0o077);
  try {
    return start();
  } finally {
    process.umask(previous);
  }
}
