/** `sightline ingest NAME FILE.jsonl`: one result line per object, progress on stderr. */
import fs from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { withApp } from './cli-app.ts';
import { EXIT, parseCommandArgs, printJsonLine, UsageError } from './cli-args.ts';

const USAGE = `usage: sightline ingest NAME FILE.jsonl   (one JSON object per line; "-" reads stdin)
  The image field takes what the API takes (http(s) URL, s3://bucket/key, data: URI, base64, {"base64": ...}) and,
  here only, a file path: absolute, or relative to FILE.jsonl's folder (to the current folder for stdin).
  Prints one result line per object; exits 1 if any object failed.`;

async function readObjects(file: string): Promise<unknown[]> {
  const text = file === '-' ? await new Response(process.stdin as unknown as ReadableStream).text() : await fs.readFile(file, 'utf8');
  return text
    .split('\n')
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, n }) => {
      try {
        return JSON.parse(line) as unknown;
      } catch (err) {
        throw new UsageError(`${file}:${n}: not valid JSON: ${(err as Error).message}`);
      }
    });
}

export async function ingestCommand(args: string[]): Promise<number> {
  const { positionals } = parseCommandArgs(args, {}, USAGE);
  const [name, file] = positionals;
  if (!name || !file) throw new UsageError(USAGE);
  const objects = await readObjects(file);
  return withApp({ model: true }, async (app) => {
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: 'ingest {bar} {value}/{total} objects | {failed} failed | {eta_formatted} left', noTTYOutput: false },
      cliProgress.Presets.shades_classic,
    );
    let failed = 0;
    bar.start(objects.length, 0, { failed });
    const results = await app.ingest.ingest(name, objects, {
      localFilesFrom: file === '-' ? process.cwd() : path.dirname(path.resolve(file)),
      onResult: (r) => {
        if (r.status === 'failed') failed++;
        bar.increment(1, { failed });
      },
    });
    bar.stop();
    for (const r of results) printJsonLine(r);
    return failed > 0 ? EXIT.failed : EXIT.ok;
  });
}
