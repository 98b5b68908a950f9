/** `sightline <command>`: the CLI entry point. */
import { toSightlineError } from '../errors.ts';
import { EXIT, UsageError } from './cli-args.ts';

const USAGE = `usage: sightline <command> [options]

commands:
  embed [--model-dir DIR] [--batch-size N] INPUT...      embed images, PDFs (per page) or http(s) URLs
  embed-text [--model-dir DIR] TEXT...                   embed text queries
  collection create NAME --extractor JSON                create a collection
  collection list | collection delete NAME
  ingest NAME FILE.jsonl                                 ingest one JSON object per line
  search NAME (--text T | --image PATH_OR_URL | --document ID) [--filter JSON] [--limit N] [--offset N]
  model-download [--dir DIR] [--variant fp32|fp16|quantized] [--base-url URL] [--force]
  model-generate --size tiny|base --out DIR [--seed N] [--variants fp16,quantized]`;

type Command = (args: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  embed: async () => (await import('./embed-command.ts')).embedCommand,
  'embed-text': async () => (await import('./embed-text-command.ts')).embedTextCommand,
  collection: async () => (await import('./collection-command.ts')).collectionCommand,
  ingest: async () => (await import('./ingest-command.ts')).ingestCommand,
  search: async () => (await import('./search-command.ts')).searchCommand,
  'model-download': async () => (await import('./model-download-command.ts')).modelDownloadCommand,
  'model-generate': async () => {
    const { modelGenerateCommand } = await import('./model-generate-command.ts');
    return async (args) => modelGenerateCommand(args);
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const load = commands[name];
  if (!load) throw new UsageError(`unknown command "${name}"\n${USAGE}`);
  return (await load())(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`sightline: ${err.message}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    const e = toSightlineError(err);
    process.stderr.write(`sightline: ${e.code}: ${e.message}\n`);
    process.exitCode = EXIT.failed;
  },
);
