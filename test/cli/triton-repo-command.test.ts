import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureByName } from '../../src/extractor/features/index.ts';
import { modelsDirWith, tinyModelDir } from '../fixtures/models.ts';
import { parsePbtxt, type PbMessage } from '../fixtures/pbtxt.ts';

const BIN = fileURLToPath(new URL('../../bin/sightline.js', import.meta.url));
const run = promisify(execFile);
const LARGE = featureByName('google_siglip_large_v1')!;

describe('sightline triton-repo', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sightline-triton-cli-'));
    env = { ...process.env, MODEL_DIR: tinyModelDir(), MODELS_DIR: modelsDirWith(dir, LARGE), LOG_LEVEL: 'warn' };
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('writes both towers of each model named, under the names the remote client asks for', async () => {
    const out = path.join(dir, 'repo');
    const { stdout } = await run(process.execPath, [BIN, 'triton-repo', '--out', out, '--model', 'google_siglip_base_v1,google_siglip_large_v1'], { env });
    const models = ['google_siglip_base_v1_vision', 'google_siglip_base_v1_text', 'google_siglip_large_v1_vision', 'google_siglip_large_v1_text'];
    expect(JSON.parse(stdout)).toEqual({ repository: out, models });
    const large = parsePbtxt(await fs.readFile(path.join(out, 'google_siglip_large_v1_vision', 'config.pbtxt'), 'utf8'));
    // The second model's own shapes: its image size and width come from its ONNX file, not from the first model's.
    expect((large.input?.[0] as PbMessage).dims).toEqual([3, LARGE.imageSize, LARGE.imageSize]);
    expect((large.output?.[0] as PbMessage).dims).toEqual([LARGE.dimensions]);
  });

  it('refuses an unknown model name with a usage error (exit 2) listing the offered ones', async () => {
    const failed = run(process.execPath, [BIN, 'triton-repo', '--out', path.join(dir, 'x'), '--model', 'resnet'], { env });
    await expect(failed).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('google_siglip_base_v1') });
  });
});
