import { buildPage } from '../scripts/build-page.ts';
import { tinyModelDir } from './fixtures/models.ts';

// Generated fixtures are built once per run, before any worker starts, so
// parallel test files never race to generate them. The search page is built
// here too (as `npm start` builds it), for the tests that load it.
export default async function setup(): Promise<void> {
  tinyModelDir();
  await buildPage();
}
