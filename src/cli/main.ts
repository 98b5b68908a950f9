/** `sightline <command>`: the CLI entry point. */
import { toSightlineError } from '../errors.ts';
import { EXIT, HelpRequested, reportCommandLine, UsageError } from './cli-args.ts';

const USAGE = `usage: sightline <command> [options]      (sightline <command> --help: that command's usage)

commands:
  embed [--model-dir DIR] [--batch-size N] INPUT...      embed files, URLs, s3:// objects, base64 (PDFs per page)
  embed-text [--model-dir DIR] TEXT...                   embed text queries
  collection create NAME --extractor JSON                create a collection
  collection list | collection delete NAME
  ingest NAME FILE.jsonl                                 ingest one JSON object per line
  search NAME (--text T | --image SOURCE | --document ID) [--filter JSON] [--limit N] [--offset N]
  model-download [--dir DIR] [--variant fp32|fp16|quantized] [--base-url URL] [--force]
  model-generate --size tiny|base --out DIR [--seed N] [--variants fp16,quantized]
  inference-server [--host HOST] [--port N] [--model-dir DIR]   serve the model over the KServe v2 protocol
  triton-repo --out DIR [--model NAME] [--force]              write a Triton model repository for the model(s)`;

type Command = (args: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  embed: async () => (await import('./embed-command.ts')).embedCommand,
  'embed-text': async () => (await import('./embed-text-command.ts')).embedTextCommand,
  collection: async () => (await import('./collection-command.ts')).collectionCommand,
  ingest: async () => (await import('./ingest-command.ts')).ingestCommand,
  search: async () => (await import('./search-command.ts')).searchCommand,
  'inference-server': async () => (await import('./inference-server-command.ts')).inferenceServerCommand,
  'triton-repo': async () => (await import('./triton-repo-command.ts')).tritonRepoCommand,
  'model-download': async () => (await import('./model-download-command.ts')).modelDownloadCommand,
  'model-generate': async () => {
    const { modelGenerateCommand } = await import('./model-generate-command.ts');
    return async (args) => modelGenerateCommand(args);
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) throw new UsageError(`no command given\n${USAGE}`);
  if (name === '--help' || name === '-h' || name === 'help') throw new HelpRequested(USAGE);
  const load = commands[name];
  if (!load) throw new UsageError(`unknown command "${name}"\n${USAGE}`);
  return (await load())(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof HelpRequested) {
      process.exitCode = reportCommandLine(err);
      return;
    }
    const e = toSightlineError(err);
    process.stderr.write(`sightline: ${e.code}: ${e.message}\n`);
    process.exitCode = EXIT.failed;
  },
);
