#!/usr/bin/env node
// `npx lockbench`: runs the TypeScript entry through tsx, no build step.
import { register } from 'tsx/esm/api';

register();
await import('../bench/main.ts');
