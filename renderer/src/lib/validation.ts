import type { z } from 'zod';
import { DeviceInput } from '../../../main/domain/device/device-schema';
import type { FieldProblem } from '../../../main/domain/errors/field-problem';

/** Plainer words for zod's generic messages; the schema's own messages pass through. */
function plain(issue: z.core.$ZodIssue): string {
  const m = issue.message;
  if (issue.code === 'invalid_type') {
    if (issue.expected === 'number') return 'a number is required';
    return 'a value is required';
  }
  if (issue.code === 'too_small' && typeof issue.minimum !== 'bigint' && issue.origin === 'number') {
    return `at least ${issue.minimum}`;
  }
  if (issue.code === 'too_big' && typeof issue.maximum !== 'bigint' && issue.origin === 'number') {
    return `at most ${issue.maximum}`;
  }
  if (issue.code === 'invalid_value') return 'choose one of the listed values';
  return m;
}

/** Validates a device form with the same schema the service uses; [] when valid. */
export function validateDevice(draft: unknown): FieldProblem[] {
  const r = DeviceInput.safeParse(draft);
  if (r.success) return [];
  return r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: plain(i) }));
}

export function problemsToMap(problems: FieldProblem[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of problems) {
    const key = p.path || '(form)';
    out[key] = out[key] ? `${out[key]}; ${p.message}` : p.message;
  }
  return out;
}
