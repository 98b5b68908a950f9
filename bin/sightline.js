#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npx sightline` works from a checkout without a build.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
