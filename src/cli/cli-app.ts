/** Opens the app (store, sources, model) for CLI commands, and always closes it. */
import { createApp, type App } from '../app/app.ts';
import { cliContext } from './cli-runtime.ts';

export async function withApp<T>(opts: { model: boolean }, use: (app: App) => Promise<T>): Promise<T> {
  const { config, logger } = cliContext();
  const app = createApp(config, logger, { cli: true });
  try {
    if (opts.model) await app.startModels();
    return await use(app);
  } finally {
    await app.close();
  }
}
