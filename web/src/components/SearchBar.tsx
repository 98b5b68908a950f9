/**
 * Words, and optionally an anchor to search like: an image (dropped on the
 * bar, pasted, or chosen from disk) or a stored document ("more like this").
 * An anchor with words is one combined query.
 */
import { useEffect, useRef, useState, type ClipboardEvent, type DragEvent, type FormEvent } from 'react';

export type Anchor = { kind: 'image'; file: File } | { kind: 'document'; id: string; title: string } | null;

interface SearchBarProps {
  text: string;
  anchor: Anchor;
  onText(text: string): void;
  onSubmit(): void;
  onImage(file: File): void;
  onClearAnchor(): void;
}

/** The first image (or PDF) among dropped or pasted files. */
function firstImage(files: FileList | null | undefined): File | null {
  return [...(files ?? [])].find((f) => f.type.startsWith('image/') || f.type === 'application/pdf') ?? null;
}

function AnchorChip({ anchor, onClear }: { anchor: NonNullable<Anchor>; onClear(): void }) {
  const [preview, setPreview] = useState<string | null>(null);
  useEffect(() => {
    if (anchor.kind !== 'image' || !anchor.file.type.startsWith('image/')) return;
    const url = URL.createObjectURL(anchor.file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [anchor]);
  return (
    <span className="anchor" data-kind={anchor.kind}>
      {preview && <img src={preview} alt="" />}
      <span>{anchor.kind === 'image' ? `like ${anchor.file.name}` : `like ${anchor.title}`}</span>
      <button type="button" aria-label="Remove" onClick={onClear}>
        ×
      </button>
    </span>
  );
}

export function SearchBar({ text, anchor, onText, onSubmit, onImage, onClearAnchor }: SearchBarProps) {
  const chooser = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  const drop = (event: DragEvent) => {
    event.preventDefault();
    event.stopPropagation();
    setOver(false);
    const file = firstImage(event.dataTransfer.files);
    if (file) onImage(file);
  };
  const paste = (event: ClipboardEvent) => {
    const file = firstImage(event.clipboardData.files);
    if (!file) return;
    event.preventDefault();
    onImage(file);
  };

  return (
    <form
      className={over ? 'search-bar over' : 'search-bar'}
      role="search"
      onSubmit={submit}
      onDragOver={(e) => {
        e.preventDefault();
        e.stopPropagation();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
    >
      {anchor && <AnchorChip anchor={anchor} onClear={onClearAnchor} />}
      <input
        type="search"
        name="q"
        value={text}
        onChange={(e) => onText(e.target.value)}
        onPaste={paste}
        placeholder={anchor ? 'optionally, a few words to add' : 'Search by words, or drop or paste an image'}
        aria-label="Search"
      />
      <button type="button" className="secondary" onClick={() => chooser.current?.click()} title="Search with an image from disk">
        Image…
      </button>
      <input
        ref={chooser}
        type="file"
        accept="image/*,application/pdf"
        hidden
        aria-label="Search with an image"
        onChange={(e) => {
          const file = firstImage(e.target.files);
          e.target.value = '';
          if (file) onImage(file);
        }}
      />
      <button type="submit">Search</button>
    </form>
  );
}
