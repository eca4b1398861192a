#!/usr/bin/env node
// The CLI runs its TypeScript with Node's own type stripping (Node 24 LTS): no compiler at start.
await import('./liaison.ts');
