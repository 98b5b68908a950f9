/** Copies an object's passthrough fields onto its documents' payload. */
import { ErrorCode, SightlineError } from '../errors.ts';
import type { Passthrough } from '../collections/extractor-config.ts';
import { fitsFieldType } from '../collections/field-types.ts';
import { readField, writeField } from '../store/payload-path.ts';

export function passthroughFields(object: unknown, rules: readonly Passthrough[]): Record<string, unknown> {
  // No prototype: whatever the rules say, nothing written here can reach Object.prototype.
  const fields = Object.create(null) as Record<string, unknown>;
  for (const rule of rules) {
    const value = readField(object, rule.sourcePath);
    if (value !== undefined) writeField(fields, rule.targetPath, checkedValue(value, rule));
    else if (rule.required) {
      throw new SightlineError(ErrorCode.MISSING_INPUT_FIELD, `required passthrough field "${rule.sourcePath}" is missing`, {
        field: rule.sourcePath,
      });
    } else if (rule.default !== undefined) writeField(fields, rule.targetPath, rule.default);
  }
  return fields;
}

/** A value its declared type cannot hold fails the object: stored, it would be invisible to the field's index. */
function checkedValue(value: unknown, rule: Passthrough): unknown {
  if (rule.type === undefined || fitsFieldType(value, rule.type)) return value;
  throw new SightlineError(
    ErrorCode.INVALID_FIELD_VALUE,
    `passthrough field "${rule.sourcePath}" is declared ${rule.type}, but the object holds ${JSON.stringify(value)?.slice(0, 80)}`,
    { field: rule.sourcePath, type: rule.type },
  );
}
