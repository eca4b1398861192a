/**
 * Every environment variable the client reads, read here and nowhere else, so a newcomer finds
 * them in one list (docs/cli.md documents each). Library code takes the values as parameters;
 * it never reads `process.env` itself.
 *
 *   LIAISON_HOME            the person's local state (default ~/.liaison)
 *   LIAISON_PASSPHRASE      the key's passphrase, instead of a prompt (scripts, tests)
 *   LIAISON_NEW_PASSPHRASE  the new key's passphrase for `officer rotate`
 *   LIAISON_FONT_DIR        fonts for stamped copies, before the Debian paths
 *   LIAISON_DEBUG           print the stack of an unexpected error
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

interface ClientEnvironment {
  home: string;
  passphrase: string | undefined;
  newPassphrase: string | undefined;
  fontDir: string | undefined;
  debug: boolean;
  /** Whether standard input and standard error are terminals (prompts, progress bars). */
  stdinIsTerminal: boolean;
  stderrIsTerminal: boolean;
}

const set = (value: string | undefined) => (value !== undefined && value.length > 0 ? value : undefined);

/** The environment of this process, as the client uses it. */
export function clientEnvironment(env: NodeJS.ProcessEnv = process.env): ClientEnvironment {
  return {
    home: set(env.LIAISON_HOME) ?? join(homedir(), '.liaison'),
    // An empty passphrase is a value (the key refuses it in words), unlike an empty LIAISON_HOME.
    passphrase: env.LIAISON_PASSPHRASE,
    newPassphrase: env.LIAISON_NEW_PASSPHRASE,
    fontDir: set(env.LIAISON_FONT_DIR),
    debug: set(env.LIAISON_DEBUG) !== undefined,
    stdinIsTerminal: process.stdin.isTTY === true,
    stderrIsTerminal: process.stderr.isTTY === true,
  };
}
