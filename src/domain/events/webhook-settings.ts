import { randomBytes } from 'node:crypto';
import type { Connection, Types } from 'mongoose';
import { clientModel } from '../../../models/client';
import { OPERATOR_WEBHOOK_ID, operatorWebhookModel, type StoredWebhook } from '../../../models/webhook-settings';
import { conflict, notFound, validationError } from '../../errors';
import { urlProblem } from '../../events/address-guard';
import type { EventType } from '../../events/event-types';
import type { SecretBox } from '../../security/secret-box';

export type { StoredWebhook };

/**
 * Event webhook settings of a client (on the client) and of the operator (service-wide). The signing
 * secret is made by us, shown once (the answer that first sets a webhook, or a rotation), and kept
 * sealed: it must be usable to sign, so it cannot be hashed.
 */
export interface WebhookInput {
  url: string;
  events: EventType[];
  lowCreditThreshold?: number | null | undefined;
}

const URL_MESSAGES = {
  'not-a-url': 'must be an absolute URL',
  scheme: 'must be an https: URL',
  credentials: 'must not contain a user name or password',
  'private-address': 'is a private, loopback, link-local or otherwise non-public address; events go to public addresses only',
} as const;

/** 400 naming `<path>` when the URL may not receive events (the DNS check comes at each delivery). */
export function checkWebhookUrl(url: string, allowPrivate: boolean, path = 'webhook.url'): void {
  const problem = urlProblem(url, allowPrivate);
  if (problem) throw validationError(`${path} ${URL_MESSAGES[problem]}`, [{ path, message: URL_MESSAGES[problem] }]);
}

export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

/**
 * The stored form of a change: a new webhook gets a new secret (returned, to be shown once); one that
 * replaces another keeps its secret; null removes it (and its secret: setting one again makes a new one).
 */
export function webhookChange(
  box: SecretBox,
  current: StoredWebhook | null | undefined,
  input: WebhookInput | null,
  allowPrivate: boolean,
): { stored: StoredWebhook | null; secret: string | null } {
  if (input === null) return { stored: null, secret: null };
  checkWebhookUrl(input.url, allowPrivate);
  const secret = current?.secretSealed ? null : newWebhookSecret();
  const stored: StoredWebhook = {
    url: input.url,
    events: [...new Set(input.events)],
    lowCreditThreshold: input.lowCreditThreshold ?? null,
    secretSealed: secret ? box.seal(secret) : current!.secretSealed,
  };
  return { stored, secret };
}

export async function loadOperatorWebhook(db: Connection): Promise<StoredWebhook | null> {
  const doc = await operatorWebhookModel(db).findById(OPERATOR_WEBHOOK_ID).lean();
  return doc?.webhook ?? null;
}

export async function saveOperatorWebhook(db: Connection, webhook: StoredWebhook | null, now: Date): Promise<void> {
  await operatorWebhookModel(db).updateOne({ _id: OPERATOR_WEBHOOK_ID }, { $set: { webhook, updatedAt: now } }, { upsert: true });
}

/** A new secret for a client's webhook, returned once; 404 without the client, 409 without a webhook. */
export async function rotateClientSecret(db: Connection, box: SecretBox, clientId: Types.ObjectId): Promise<string> {
  const secret = newWebhookSecret();
  const done = await clientModel(db).updateOne({ _id: clientId, webhook: { $ne: null } }, { $set: { 'webhook.secretSealed': box.seal(secret) } });
  if (done.matchedCount) return secret;
  if (!(await clientModel(db).exists({ _id: clientId }))) throw notFound('client');
  throw conflict('the client has no webhook; set one with PATCH /api/clients/:id first', 'no_webhook');
}

/** A new secret for the operator's webhook, returned once; 409 without a webhook. */
export async function rotateOperatorSecret(db: Connection, box: SecretBox, now: Date): Promise<string> {
  const secret = newWebhookSecret();
  const done = await operatorWebhookModel(db).updateOne(
    { _id: OPERATOR_WEBHOOK_ID, webhook: { $ne: null } },
    { $set: { 'webhook.secretSealed': box.seal(secret), updatedAt: now } },
  );
  if (done.matchedCount) return secret;
  throw conflict('there is no service-wide webhook; set one with PATCH /api/settings/webhook first', 'no_webhook');
}

/** Where a delivery goes now, with its secret opened; null when the subscriber no longer has a webhook. */
export async function currentWebhook(
  db: Connection,
  box: SecretBox,
  d: { subscriber: 'client' | 'operator'; clientId: Types.ObjectId },
): Promise<{ url: string; secret: string; events: string[] } | null> {
  const w = d.subscriber === 'operator' ? await loadOperatorWebhook(db) : ((await clientModel(db).findById(d.clientId, { webhook: 1 }).lean())?.webhook ?? null);
  if (!w) return null;
  return { url: w.url, secret: box.open(w.secretSealed), events: w.events };
}
