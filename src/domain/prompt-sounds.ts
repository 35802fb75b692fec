import { Types, type Connection } from 'mongoose';
import { soundModel } from '../../models/sound';
import type { FieldProblem } from '../errors';

/**
 * Recorded prompts (`callback.prompts`: prompt key -> sound id or https URL), checked when an extension
 * is saved and resolved then to what Twilio plays: the https URL, or `/sounds/<token>` for an uploaded
 * sound (the public base URL is put in front on the call). Resolving here keeps the call flow from a
 * sound lookup on every webhook.
 */
export async function resolvePromptSounds(
  db: Connection,
  clientId: Types.ObjectId,
  prompts: Readonly<Partial<Record<string, string>>>,
): Promise<{ problems: FieldProblem[]; play: Record<string, string> }> {
  const entries = Object.entries(prompts).filter((e): e is [string, string] => typeof e[1] === 'string');
  const ids = [...new Set(entries.map(([, v]) => v).filter((v) => !v.startsWith('https://') && Types.ObjectId.isValid(v)))];
  const sounds = ids.length
    ? await soundModel(db)
        .find({ _id: { $in: ids.map((i) => new Types.ObjectId(i)) }, clientId: { $in: [clientId, null] } }, { url: 1, token: 1 })
        .lean()
    : [];
  const byId = new Map(sounds.map((s) => [String(s._id), s]));
  const problems: FieldProblem[] = [];
  const play: Record<string, string> = {};
  for (const [key, ref] of entries) {
    if (ref.startsWith('https://')) {
      play[key] = ref;
      continue;
    }
    const s = byId.get(ref);
    const target = s?.url ?? (s?.token ? `/sounds/${s.token}` : undefined);
    if (target) play[key] = target;
    else problems.push({ path: `callback.prompts.${key}`, message: 'no such sound (give a sound id of this client or the operator, or an https URL)' });
  }
  return { problems, play };
}
