/**
 * Adding files to a collection from the page: uploaded in small batches (so
 * progress moves and a batch stays well under the server's 64 MiB request
 * cap), each file ending stored or failed with the server's reason in words.
 */
import { useCallback, useState } from 'react';
import { ApiError } from './graphql.ts';
import { ingestFiles, type CollectionInfo } from './sightline.ts';

export interface FileProgress {
  name: string;
  state: 'waiting' | 'sending' | 'stored' | 'failed';
  message: string | null;
}

const BATCH_FILES = 8;
const BATCH_BYTES = 32 * 1024 * 1024;

function batches(files: File[]): number[][] {
  const out: number[][] = [];
  let bytes = 0;
  files.forEach((file, i) => {
    const last = out[out.length - 1];
    if (!last || last.length >= BATCH_FILES || bytes + file.size > BATCH_BYTES) {
      out.push([i]);
      bytes = file.size;
    } else {
      last.push(i);
      bytes += file.size;
    }
  });
  return out;
}

/** Why a whole request failed, for each of its files. */
function requestFailure(err: unknown): string {
  if (err instanceof ApiError && err.code === 'FORBIDDEN') {
    return 'Adding files needs an API key with the ingest scope; this key can only search (Forget key, at the top, to enter another).';
  }
  if (err instanceof ApiError && err.status === 413) return 'Too large for one request: the server takes at most 64 MiB at once.';
  return err instanceof Error ? err.message : String(err);
}

export function useIngest(apiKey: string | null, onStored: () => void) {
  const [files, setFiles] = useState<FileProgress[]>([]);
  const [running, setRunning] = useState(false);

  const start = useCallback(
    async (collection: CollectionInfo, chosen: File[]) => {
      if (chosen.length === 0) return;
      setRunning(true);
      const progress: FileProgress[] = chosen.map((f) => ({ name: f.name, state: 'waiting', message: null }));
      const update = (indexes: number[], change: (p: FileProgress) => FileProgress) => {
        for (const i of indexes) progress[i] = change(progress[i]!);
        setFiles([...progress]);
      };
      setFiles([...progress]);
      let refused: string | null = null;
      for (const batch of batches(chosen)) {
        if (refused !== null) {
          update(batch, (p) => ({ ...p, state: 'failed', message: refused }));
          continue;
        }
        update(batch, (p) => ({ ...p, state: 'sending' }));
        try {
          const results = await ingestFiles(apiKey, collection, batch.map((i) => chosen[i]!));
          for (const result of results) {
            update([batch[result.index]!], (p) =>
              result.status === 'STORED'
                ? { ...p, state: 'stored', message: null }
                : { ...p, state: 'failed', message: `${result.error?.message ?? 'failed'} (${result.error?.code ?? 'unknown'})` },
            );
          }
        } catch (err) {
          const message = requestFailure(err);
          if (err instanceof ApiError && err.code === 'FORBIDDEN') refused = message;
          update(batch, (p) => ({ ...p, state: 'failed', message }));
        }
      }
      setRunning(false);
      onStored();
    },
    [apiKey, onStored],
  );

  return { files, running, start, clear: useCallback(() => setFiles([]), []) };
}
