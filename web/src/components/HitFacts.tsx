import { hitFacts } from '../hit-labels.ts';
import type { Hit } from '../sightline.ts';

/** Each fact stays on one line; the list wraps between them. */
export function HitFacts({ hit }: { hit: Hit }) {
  return (
    <p className="card-meta">
      {hitFacts(hit).map((fact) => (
        <span key={fact}>{fact}</span>
      ))}
    </p>
  );
}
