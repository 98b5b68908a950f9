/** The committed resolver types must be what `npm run codegen` makes from the schema today. */
import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.ts';

const OUTPUT = 'src/api/generated/resolvers-types.ts';

describe('generated resolver types', () => {
  it('match schema/sightline.graphql (run `npm run codegen` after editing the schema)', async () => {
    const files = (await generate({ ...config, silent: true }, false)) as { filename: string; content: string }[];
    const generated = files.find((f) => f.filename.endsWith(OUTPUT));
    expect(generated, `codegen produced ${OUTPUT}`).toBeDefined();
    expect(readFileSync(OUTPUT, 'utf8')).toBe(generated!.content);
  });
});
