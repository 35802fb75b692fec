import type { FieldProblem } from '../errors';

/**
 * Rules that span several fields of an extension, checked on the merged result of a create or a
 * patch (a patch may change one side of a rule only).
 */
export interface ExtensionSettingsForRules {
  callback: { returnCalls: string; fixedNumber: string | null };
  callerId: {
    name: { mode: string; value: string | null };
    number: { mode: string; value: string | null };
  };
}

export function crossFieldProblems(s: ExtensionSettingsForRules): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (s.callback.returnCalls === 'fixed' && !s.callback.fixedNumber) {
    out.push({ path: 'callback.fixedNumber', message: 'required when returnCalls is "fixed"' });
  }
  if (s.callback.returnCalls !== 'fixed' && s.callback.fixedNumber) {
    out.push({ path: 'callback.fixedNumber', message: 'only allowed when returnCalls is "fixed"' });
  }
  for (const part of ['name', 'number'] as const) {
    const { mode, value } = s.callerId[part];
    if (mode === 'user' && !value) out.push({ path: `callerId.${part}.value`, message: 'required when mode is "user"' });
    if (mode !== 'user' && value) out.push({ path: `callerId.${part}.value`, message: 'only allowed when mode is "user"' });
  }
  return out;
}
