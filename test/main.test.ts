/**
 * `npm start` as users run it: the process npm starts must be the server, so
 * that SIGTERM sent to npm's PID (as `kill`, a process manager or a container
 * runtime sends it) stops the server gracefully and leaves nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tinyModelDir } from './fixtures/models.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Started {
  npm: ChildProcess;
  url: string;
  logs: () => string;
  dataDir: string;
}

const started: Started[] = [];

/** Is any process of this process group still alive? */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the group is gone within a few seconds: a helper process (esbuild's
 * service, say) may take a moment to see its parent go. An orphan stays.
 */
async function groupGone(pgid: number): Promise<boolean> {
  for (let i = 0; i < 50 && groupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 100));
  return !groupAlive(pgid);
}

/** Starts `npm start` and resolves once its output matches `until`, with the first capture group. */
async function startNpm(until: RegExp): Promise<Started & { match: string }> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sightline-npm-start-'));
  // Its own process group, so that whatever npm starts can be found (and cleaned up) afterwards.
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    env: {
      ...process.env,
      MODEL_DIR: tinyModelDir(),
      MODEL_AUTO_DOWNLOAD: 'false',
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      INFERENCE_THREADS: '1',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const s = { npm, url: '', logs: () => output, dataDir };
  started.push(s);
  const match = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = until.exec(output);
      if (found) resolve(found[1]!);
    };
    npm.stdout!.on('data', onData);
    npm.stderr!.on('data', onData);
    npm.once('exit', (code) => reject(new Error(`npm start exited (${code}) before ${until}:\n${output}`)));
  });
  return { ...s, match };
}

const LISTENING = /"msg":"listening".*?"url":"(http:\/\/[^"]+)\/graphql"/;

function exitOf(npm: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => npm.once('exit', (code) => resolve(code)));
}

function portOpen(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

afterEach(async () => {
  for (const s of started.splice(0)) {
    // Only what this test started: its own process group.
    if (s.npm.pid !== undefined && groupAlive(s.npm.pid)) process.kill(-s.npm.pid, 'SIGKILL');
    await fs.rm(s.dataDir, { recursive: true, force: true });
  }
});

describe('npm start', () => {
  it('logs "listening" once it can serve, saying the model is a generated test model; SIGTERM to npm\'s PID stops it all', async () => {
    const s = await startNpm(LISTENING);
    const url = s.match;
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { model: { ok: true, model: expect.stringMatching(/^generated test model/) } } });
    expect(s.logs()).toMatch(/"msg":"listening"[^\n]*"model":"generated test model \(random weights, seed 0\)/);
    expect(s.logs()).toMatch(/"level":"warn","msg":"this is a generated test model/);

    const exited = exitOf(s.npm);
    s.npm.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(s.logs()).toContain('"msg":"stopped"');
    expect(await portOpen(url)).toBe(false);
    expect(await groupGone(s.npm.pid!)).toBe(true);
  }, 120_000);

  it('stops on SIGTERM while the model is still loading, leaving no process behind', async () => {
    const s = await startNpm(/"msg":"starting[^\n]*"healthz":"(http:\/\/[^"]+)\/healthz"/);
    const exited = exitOf(s.npm);
    s.npm.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(s.logs()).toContain('"msg":"stopped"');
    expect(s.logs()).not.toContain('"msg":"listening"');
    expect(await portOpen(s.match)).toBe(false);
    expect(await groupGone(s.npm.pid!)).toBe(true);
  }, 120_000);
});
