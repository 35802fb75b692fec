import type { Verb } from './verb-context';
import { methodOf } from './verb-context';

/** The verbs that end the call or move it to another document. */

export const reject: Verb = async (ctx, v) => {
  const reason = v.attrs.reason ?? 'rejected';
  ctx.emit({ type: 'reject', reason });
  return { end: 'rejected', reason };
};

export const redirect: Verb = async (ctx, v) => {
  const url = v.text;
  ctx.emit({ type: 'redirect', url });
  return { url, method: methodOf(v), params: {}, purpose: 'redirect' };
};

export const hangup: Verb = async (ctx) => {
  ctx.emit({ type: 'hangup' });
  return { end: 'hangup' };
};
