import type { SimClock } from './sim-clock';

/** The caller's keypad, asked once per key while a <Gather> listens. */
export interface KeySource {
  /** Called when a <Gather> starts listening (index counts the Gathers of the call from 0). */
  startGather?(index: number, g: { timeoutS: number; finishOnKey: string; numDigits: number | null }): void;
  /** The next key pressed within timeoutMs, or null when the timeout passes first. */
  nextKey(timeoutMs: number, clock: SimClock): Promise<string | null>;
  /** The Gather stopped listening (keys typed for it and not taken are dropped). */
  endGather?(): void;
  /**
   * A key pressed while a prompt inside the Gather plays (within promptMs), which cuts the prompt short
   * as Twilio does; null when none. Sources without it let every prompt play to its end.
   */
  keyDuringPrompt?(promptMs: number, clock: SimClock): Promise<string | null>;
}

interface ScriptedKey {
  key: string;
  delayMs: number;
}

/** One script entry as keys with the wait before each: "12..3" is 1, 2, then 3 after 2 s. */
function parseScriptEntry(entry: string): ScriptedKey[] {
  const keys: ScriptedKey[] = [];
  let wait = 0;
  for (const ch of entry) {
    if (ch === '.') wait += 1000;
    else if (/^[0-9*#]$/.test(ch)) {
      keys.push({ key: ch, delayMs: wait });
      wait = 0;
    } else if (ch !== ' ') throw new Error(`script: "${ch}" is not a key (0-9 * # or . for a 1 s wait)`);
  }
  return keys;
}

/**
 * Keys typed by a script, one entry per Gather: "1234#" after the Gather's prompts, "." a 1 s wait
 * ("12......3": 6 s between 2 and 3), "" presses nothing, and a leading "!" presses them while the
 * prompts play (barge-in: the first key cuts the prompt short).
 */
export function scriptedKeys(entries: string[]): KeySource & { remaining(): string[] } {
  const queue = [...entries];
  let current: ScriptedKey[] = [];
  let duringPrompt = false;
  const take = async (timeoutMs: number, clock: SimClock): Promise<string | null> => {
    const next = current[0];
    if (!next || next.delayMs > timeoutMs) {
      if (next) next.delayMs -= timeoutMs;
      await clock.sleep(timeoutMs);
      return null;
    }
    current.shift();
    if (next.delayMs > 0) await clock.sleep(next.delayMs);
    return next.key;
  };
  return {
    startGather() {
      const entry = queue.shift() ?? '';
      duringPrompt = entry.startsWith('!');
      current = parseScriptEntry(duringPrompt ? entry.slice(1) : entry);
    },
    nextKey: take,
    async keyDuringPrompt(promptMs, clock) {
      if (!duringPrompt) {
        await clock.sleep(promptMs);
        return null;
      }
      return take(promptMs, clock);
    },
    endGather() {
      current = [];
    },
    remaining: () => [...queue],
  };
}

/** Keys pushed by a terminal (or anything else), taken in real time by nextKey. */
export class KeyQueue implements KeySource {
  private keys: string[] = [];
  private waiter: ((k: string | null) => void) | null = null;
  listening = false;

  push(key: string): void {
    if (!this.listening) return; // Twilio hears keys only while a Gather listens
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(key);
    } else this.keys.push(key);
  }
  startGather(): void {
    this.keys = [];
    this.listening = true;
  }
  endGather(): void {
    this.listening = false;
    this.keys = [];
  }
  /** A person typing over a prompt: the first key cuts it short. */
  keyDuringPrompt(promptMs: number): Promise<string | null> {
    return this.nextKey(promptMs);
  }
  nextKey(timeoutMs: number): Promise<string | null> {
    const k = this.keys.shift();
    if (k !== undefined) return Promise.resolve(k);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, timeoutMs);
      this.waiter = (key) => {
        clearTimeout(t);
        resolve(key);
      };
    });
  }
}
