/** What a result card says about a hit, in words. */
import { valueAt } from './filters.ts';
import type { Hit } from './sightline.ts';

const NAME_FIELDS = ['name', 'title', 'label', 'caption', 'sku'];

/**
 * A name for the hit: a naming field when it has one, else the source's last
 * segment. An upload's source is only its hash (`upload:sha256:…`), which says
 * nothing to a person: its type says more.
 */
export function hitTitle(hit: Hit): string {
  for (const key of NAME_FIELDS) {
    const value = valueAt(hit.fields, key);
    if (typeof value === 'string' && value !== '') return value;
  }
  if (hit.source.startsWith('upload:')) return `uploaded ${hit.contentType.replace(/^\w+\//, '').toUpperCase()}`;
  const tail = hit.source.split(/[/?#]/).filter(Boolean).pop();
  return tail ?? hit.source;
}

/** The card's small print: match probability, score, page. */
export function hitFacts(hit: Hit): string[] {
  return [probabilityLabel(hit), scoreLabel(hit), pageLabel(hit)].filter((label): label is string => label !== null);
}

/** "page 3 of 12" for a PDF page, null for an image. */
export function pageLabel(hit: Hit): string | null {
  if (hit.pageNumber === null) return null;
  return hit.totalPages === null ? `page ${hit.pageNumber}` : `page ${hit.pageNumber} of ${hit.totalPages}`;
}

export function scoreLabel(hit: Hit): string | null {
  return hit.score === null ? null : `score ${hit.score.toFixed(3)}`;
}

/** SigLIP's match probability (text queries only), as a percentage. */
export function probabilityLabel(hit: Hit): string | null {
  if (hit.probability === null) return null;
  const percent = hit.probability * 100;
  return `${percent < 1 && percent > 0 ? percent.toPrecision(1) : Math.round(percent)} % match`;
}
