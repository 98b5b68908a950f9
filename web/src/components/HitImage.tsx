/**
 * A hit's picture: its thumbnail, or the source itself (scaled by the browser)
 * when the collection keeps no thumbnails and the source is a URL the browser
 * can load. This server's /thumbnails/ needs the key when keys are on, and an
 * <img> cannot send one, so those are fetched with it and shown as blobs.
 */
import { useEffect, useState } from 'react';
import type { Hit } from '../sightline.ts';

function pictureUrl(hit: Hit): string | null {
  if (hit.thumbnailUrl) return hit.thumbnailUrl;
  return /^https?:\/\//i.test(hit.source) && hit.contentType.startsWith('image/') ? hit.source : null;
}

/** The URL to show; undefined while a keyed fetch is under way. */
function useAuthorizedUrl(url: string | null, apiKey: string | null): string | null | undefined {
  const needsKey = url !== null && apiKey !== null && new URL(url, location.href).origin === location.origin;
  const [blobUrl, setBlobUrl] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    if (!needsKey) return;
    const controller = new AbortController();
    let created: string | null = null;
    fetch(url, { headers: { authorization: `Bearer ${apiKey}` }, signal: controller.signal })
      .then((res) => (res.ok ? res.blob() : null))
      .then((blob) => {
        if (!controller.signal.aborted) setBlobUrl(blob ? (created = URL.createObjectURL(blob)) : null);
      })
      .catch(() => undefined);
    return () => {
      controller.abort();
      if (created) URL.revokeObjectURL(created);
    };
  }, [url, apiKey, needsKey]);
  return needsKey ? blobUrl : url;
}

export function HitImage({ hit, apiKey, alt }: { hit: Hit; apiKey: string | null; alt: string }) {
  const url = useAuthorizedUrl(pictureUrl(hit), apiKey);
  const [broken, setBroken] = useState(false);
  if (url === undefined) return <div className="picture-loading" />;
  if (url === null || broken) {
    return (
      <div className="no-picture" role="img" aria-label={alt}>
        <span>{hit.contentType}</span>
        <small>no preview: the collection keeps no thumbnails</small>
      </div>
    );
  }
  return <img src={url} alt={alt} loading="lazy" onError={() => setBroken(true)} />;
}
