/**
 * Preload (`node --import ./test/helpers/loaded-modules.ts ...`) that records every module the
 * process loads and, at exit, writes their URLs one a line to LIAISON_LOADED_MODULES. Lets the
 * start-up test say which packages a command loads, without timing anything.
 */
import { registerHooks } from 'node:module';
import { appendFileSync } from 'node:fs';

const out = process.env.LIAISON_LOADED_MODULES;
const seen = new Set<string>();
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    seen.add(result.url);
    return result;
  },
});
process.on('exit', () => {
  if (out) appendFileSync(out, [...seen].join('\n') + '\n');
});
