#!/usr/bin/env node
// The `switchyard` bin: runs the TypeScript CLI through tsx, no build step.
import { register } from 'tsx/esm/api';

register();
await import('./switchyard.ts');
