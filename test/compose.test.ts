/**
 * docker compose parses and resolves both files (no engine needed for
 * `config`). Skipped, saying so, where no compose client is installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Compose v2 (the docker CLI plugin): the files use its spec (top-level name, JSON output). */
const hasCompose = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;

// Compose's resolved model, read loosely: the assertions name what matters.
function config(...files: string[]): Record<string, any> {
  const args = ['compose', ...files.flatMap((f) => ['-f', f]), '--profile', 'seed', 'config', '--format', 'json'];
  return JSON.parse(execFileSync('docker', args, { encoding: 'utf8' }));
}

describe.skipIf(!hasCompose)(
  hasCompose ? 'docker compose files' : 'docker compose files: skipped, the `docker compose` plugin is not installed',
  () => {
    it('wires Sightline to Qdrant and MinIO with persistent volumes', () => {
      const c = config('docker-compose.yml');
      const env = c.services.sightline.environment;
      expect(env).toMatchObject({
        QDRANT_URL: 'http://qdrant:6333',
        S3_ENDPOINT: 'http://minio:9000',
        S3_FORCE_PATH_STYLE: 'true',
        THUMBNAIL_STORAGE: 's3',
        THUMBNAIL_S3_BUCKET: 'sightline',
      });
      expect(c.services.sightline.depends_on.qdrant.condition).toBe('service_healthy');
      expect(c.services.sightline.depends_on['minio-init'].condition).toBe('service_completed_successfully');
      expect(Object.keys(c.volumes)).toEqual(expect.arrayContaining(['qdrant-data', 'minio-data', 'models']));
      expect(c.services.qdrant.healthcheck).toBeDefined();
    });

    it('the GPU override asks for an NVIDIA device and the CUDA provider', () => {
      const c = config('docker-compose.yml', 'docker-compose.gpu.yml');
      const sightline = c.services.sightline;
      expect(sightline.environment.EXECUTION_PROVIDER).toBe('cuda');
      expect(sightline.build.target).toBe('gpu');
      expect(sightline.build.args.ONNXRUNTIME_NODE_INSTALL).toBe('cuda12');
      expect(sightline.deploy.resources.reservations.devices[0]).toMatchObject({ driver: 'nvidia', capabilities: ['gpu'] });
      expect(sightline.environment.QDRANT_URL).toBe('http://qdrant:6333');
    });
  },
);
