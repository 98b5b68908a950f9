/** Files being added: overall progress, then each file's outcome, failures in words. */
import type { FileProgress } from '../use-ingest.ts';

export function IngestProgress({ files, running, onClose }: { files: FileProgress[]; running: boolean; onClose(): void }) {
  if (files.length === 0) return null;
  const finished = files.filter((f) => f.state === 'stored' || f.state === 'failed').length;
  const failed = files.filter((f) => f.state === 'failed').length;
  return (
    <section className="ingest" aria-label="adding files">
      <header>
        <strong>
          {running ? `Adding files: ${finished} of ${files.length}` : `Added ${finished - failed} of ${files.length} file${files.length === 1 ? '' : 's'}`}
        </strong>
        {!running && (
          <button type="button" className="link" onClick={onClose}>
            Dismiss
          </button>
        )}
      </header>
      <progress value={finished} max={files.length} />
      <ul>
        {files.map((file, i) => (
          <li key={i} data-state={file.state}>
            <span className="file-name">{file.name}</span>
            <span className="file-state">{file.state === 'failed' ? file.message : file.state}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
