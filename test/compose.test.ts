/**
 * The compose files users start Sightline with. Their wiring is checked from
 * the YAML on every run; `docker compose config` (no engine needed) validates
 * them against the Compose spec and merges the GPU override wherever the
 * compose plugin is installed, and is skipped, saying so, elsewhere.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';

// Compose models, read loosely: the assertions name what matters.
type Compose = Record<string, any>;

// merge: the files use YAML merge keys (<<), which compose resolves.
const parse = (file: string): Compose => YAML.parse(fs.readFileSync(file, 'utf8'), { merge: true });

function expectWiring(c: Compose): void {
  expect(c.services.sightline.environment).toMatchObject({
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
}

function expectGpu(sightline: Compose): void {
  expect(sightline.environment.EXECUTION_PROVIDER).toBe('cuda');
  expect(sightline.build.target).toBe('gpu');
  expect(sightline.build.args.ONNXRUNTIME_NODE_INSTALL).toBe('cuda12');
  expect(sightline.deploy.resources.reservations.devices[0]).toMatchObject({ driver: 'nvidia', capabilities: ['gpu'] });
}

/** The cluster override: three cluster-mode nodes joined to the first, Sightline creating replicated collections. */
function expectCluster(c: Compose): void {
  const nodes = ['qdrant', 'qdrant-2', 'qdrant-3'].map((name) => c.services[name]);
  for (const node of nodes) {
    expect(node.image).toBe('qdrant/qdrant:v1.18.3');
    expect(node.environment.QDRANT__CLUSTER__ENABLED).toBe('true');
    expect(node.healthcheck).toBeDefined();
  }
  expect(nodes.map((n) => n.environment.QDRANT_URI)).toEqual(['http://qdrant:6335', 'http://qdrant-2:6335', 'http://qdrant-3:6335']);
  expect(nodes.map((n) => n.environment.QDRANT_BOOTSTRAP)).toEqual([undefined, 'http://qdrant:6335', 'http://qdrant:6335']);
  expect(new Set(nodes.map((n) => n.volumes?.[0]?.split(':')[0])).size).toBe(3);
  expect(c.services.sightline.environment).toMatchObject({ QDRANT_REPLICATION_FACTOR: '2', QDRANT_READ_CONSISTENCY: 'majority' });
  for (const node of ['qdrant', 'qdrant-2', 'qdrant-3']) expect(c.services.sightline.depends_on[node].condition).toBe('service_healthy');
}

/** The base file and the cluster override, merged as compose merges maps (the override's keys win, lists replace). */
function mergedCluster(): Compose {
  const merge = (a: Compose, b: Compose): Compose =>
    Object.fromEntries(
      [...new Set([...Object.keys(a), ...Object.keys(b)])].map((k) => {
        const [x, y] = [a[k], b[k]];
        const maps = [x, y].every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
        return [k, maps ? merge(x, y) : y === undefined ? x : y];
      }),
    );
  return merge(parse('docker-compose.yml'), parse('docker-compose.qdrant-cluster.yml'));
}

describe('docker-compose files', () => {
  it('pin the Qdrant release with the fixes Sightline relies on', () => {
    expect(parse('docker-compose.yml').services.qdrant.image).toBe('qdrant/qdrant:v1.18.3');
  });

  it('the cluster override runs three Qdrant nodes with Sightline replicating twice', () => {
    const merged = mergedCluster();
    expectWiring(merged);
    expectCluster(merged);
  });

  it('wire Sightline to Qdrant and MinIO with persistent volumes', () => {
    expectWiring(parse('docker-compose.yml'));
  });

  it('the GPU override asks for an NVIDIA device and the CUDA provider', () => {
    expectGpu(parse('docker-compose.gpu.yml').services.sightline);
  });
});

/** Compose v2 (the docker CLI plugin): the files use its spec (top-level name, JSON output). */
const hasCompose = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;

function config(...files: string[]): Compose {
  const args = ['compose', ...files.flatMap((f) => ['-f', f]), '--profile', 'seed', 'config', '--format', 'json'];
  return JSON.parse(execFileSync('docker', args, { encoding: 'utf8' }));
}

describe.skipIf(!hasCompose)(
  hasCompose ? 'docker compose config' : 'docker compose config: skipped, the `docker compose` plugin is not installed',
  () => {
    it('accepts the files and resolves the same wiring', () => {
      expectWiring(config('docker-compose.yml'));
    });

    it('merges the cluster override over the base file', () => {
      expectCluster(config('docker-compose.yml', 'docker-compose.qdrant-cluster.yml'));
    });

    it('merges the GPU override over the base file', () => {
      const merged = config('docker-compose.yml', 'docker-compose.gpu.yml').services.sightline;
      expectGpu(merged);
      expect(merged.environment.QDRANT_URL).toBe('http://qdrant:6333');
    });
  },
);
