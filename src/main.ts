/**
 * `npm start`: config → adapters → services → HTTP server. The server listens
 * at once (so /healthz answers while a first start downloads the model) and
 * reports ready on /readyz only once the model is loaded and warmed.
 */
import { createApiServices } from './app/api-services.ts';
import { createApp } from './app/app.ts';
import { createHttpServer } from './api/server.ts';
import { loadConfig } from './config.ts';
import { ErrorCode, SightlineError, toSightlineError } from './errors.ts';
import { createLogger } from './logger.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel ?? 'info', { service: 'sightline' });
  const app = createApp(config, logger);
  const server = await createHttpServer({
    services: createApiServices(app),
    config: { ...config.server, syncMaxObjects: config.ingest.syncMaxObjects },
    logger,
    metrics: app.metrics,
  });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    await server.close();
    await app.close();
    logger.info('stopped');
  };
  // Before anything is logged: whoever waits for a log line and then sends
  // SIGTERM must find the handler in place, not Node's default (die at once).
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  const url = await server.listen();
  // The port is open from here so that /healthz and /readyz can be watched
  // during a first start's download; "listening" waits until queries can be served.
  logger.info('starting: /healthz answers, /readyz reports the model', { healthz: `${url}/healthz`, modelDir: config.model.dir });
  if (stopping) return;

  // A store that cannot be reached yet is /readyz's to report, not a reason to stop;
  // a Qdrant whose version Sightline does not speak is.
  const unsupported = await app.warmStore().then(
    () => undefined,
    (err: unknown) => {
      if (err instanceof SightlineError && err.code === ErrorCode.STORE_VERSION_UNSUPPORTED) return err;
      logger.warn('could not warm the store', { err });
      return undefined;
    },
  );
  /** Says how to fix what stops the server, then stops it. */
  const stop = async (what: string, err: unknown) => {
    const e = toSightlineError(err);
    logger.error(what, { code: e.code, error: e.message });
    process.stderr.write(`\nsightline: ${e.code}: ${e.message}\n`);
    await shutdown(e.code);
    process.exitCode = 1;
  };
  if (unsupported) return stop('the vector store is unsupported', unsupported);
  try {
    await app.startModels();
    if (stopping) return;
    // Jobs wait for the model: run before it, every item would fail MODEL_NOT_READY.
    app.jobs.resume();
    logger.info('listening', {
      url: `${url}/graphql`,
      model: app.model.description(),
      store: config.store.kind,
      dataDir: config.dataDir,
    });
  } catch (err) {
    // A SIGTERM during the download or load: shutdown() has it in hand.
    if (stopping) return;
    // Without a model the server can do nothing useful.
    await stop('the model could not be loaded', err);
  }
}

main().catch((err: unknown) => {
  const e = toSightlineError(err);
  process.stderr.write(`sightline: ${e.code}: ${e.message}\n`);
  process.exitCode = 1;
});
