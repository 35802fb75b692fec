import type { z } from 'zod';
import { validationError, type FieldProblem } from '../../src/errors';

/** Maps zod issues to `{path: "callback.triggerAfterSeconds", message}`; unknown keys get one each. */
export function fieldProblems(error: z.ZodError): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: base ? `${base}.${key}` : key, message: 'unknown field' });
    } else {
      out.push({ path: base || '(body)', message: issue.message });
    }
  }
  return out;
}

export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, where: 'body' | 'query' | 'path'): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = fieldProblems(result.error);
  throw validationError(`invalid ${where}: ${fields.map((f) => `${f.path} ${f.message}`).join('; ')}`, fields);
}
