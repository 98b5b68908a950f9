/** Copies an object's passthrough fields onto its documents' payload. */
import { ErrorCode, SightlineError } from '../errors.ts';
import type { Passthrough } from '../collections/extractor-config.ts';
import { readPath, writePath } from '../collections/payload-path.ts';

export function passthroughFields(object: unknown, rules: readonly Passthrough[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const rule of rules) {
    const value = readPath(object, rule.sourcePath);
    if (value !== undefined) writePath(fields, rule.targetPath, value);
    else if (rule.required) {
      throw new SightlineError(ErrorCode.MISSING_INPUT_FIELD, `required passthrough field "${rule.sourcePath}" is missing`, {
        field: rule.sourcePath,
      });
    } else if (rule.default !== undefined) writePath(fields, rule.targetPath, rule.default);
  }
  return fields;
}
