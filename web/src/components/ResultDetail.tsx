/** One hit opened: its picture, every field, and where it came from. */
import { useEffect } from 'react';
import { hitTitle } from '../hit-labels.ts';
import type { Hit } from '../sightline.ts';
import { HitFacts } from './HitFacts.tsx';
import { HitImage } from './HitImage.tsx';

/** Nested fields as dotted rows (`metadata.sku`), the way filters name them. */
function fieldRows(value: unknown, prefix = ''): Array<[string, string]> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => fieldRows(v, prefix ? `${prefix}.${k}` : k));
  }
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return [[prefix, value.join(', ')]];
  return [[prefix, typeof value === 'string' ? value : JSON.stringify(value)]];
}

interface ResultDetailProps {
  hit: Hit;
  apiKey: string | null;
  onClose(): void;
  onMoreLikeThis(hit: Hit): void;
}

export function ResultDetail({ hit, apiKey, onClose, onMoreLikeThis }: ResultDetailProps) {
  useEffect(() => {
    const close = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', close);
    return () => window.removeEventListener('keydown', close);
  }, [onClose]);
  const isUrl = /^https?:\/\//i.test(hit.source);
  const rows: Array<[string, string]> = [
    ...fieldRows(hit.fields),
    ['source', hit.source],
    ['content type', hit.contentType],
    ['size', `${hit.width} × ${hit.height} px`],
    ['document id', hit.id],
  ];
  return (
    <div className="overlay" onClick={onClose}>
      <div className="detail" role="dialog" aria-modal="true" aria-label={hitTitle(hit)} onClick={(e) => e.stopPropagation()}>
        <div className="detail-picture">
          <HitImage hit={hit} apiKey={apiKey} alt={hitTitle(hit)} />
        </div>
        <div className="detail-text">
          <h2>{hitTitle(hit)}</h2>
          <HitFacts hit={hit} />
          <table>
            <tbody>
              {rows.map(([name, value]) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td>{name === 'source' && isUrl ? <a href={hit.source} target="_blank" rel="noreferrer noopener">{value}</a> : value}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="detail-actions">
            <button type="button" onClick={() => onMoreLikeThis(hit)}>
              More like this
            </button>
            <button type="button" className="secondary" onClick={onClose}>
              Close
            </button>
          </div>
        </div>
      </div>
    </div>
  );
}
