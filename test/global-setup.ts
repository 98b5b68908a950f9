import { tinyModelDir } from './fixtures/models.ts';

// Generated fixtures are built once per run, before any worker starts, so
// parallel test files never race to generate them.
export default function setup(): void {
  tinyModelDir();
}
