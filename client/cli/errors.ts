/**
 * The last word on an error before it reaches the terminal: one sentence in the user's terms.
 * Our own errors (ClientError, the hub's ApiError) already are; this translates what may escape
 * from Node or a library (a raw EEXIST or ENOENT, a zod issue list) so that no system or
 * validator text reaches a person. It never prints a stack (LIAISON_DEBUG=1 does, in main).
 */
import { ZodError } from 'zod';
import { describeIssues } from '../../protocol/issues.ts';

interface SystemError extends Error {
  code?: string;
  path?: string;
  dest?: string;
  syscall?: string;
}

/** A Node file-system error as a sentence naming the file and what to do. */
function systemSentence(e: SystemError): string | undefined {
  const path = e.dest ?? e.path;
  const where = path ? ` ${path}` : '';
  switch (e.code) {
    case 'EEXIST':
      return `${path ?? 'the file'} already exists: choose another name or remove it first`;
    case 'ENOENT':
      return `cannot find${where || ' the file'}: check the path`;
    case 'EACCES':
    case 'EPERM':
      return `no permission to use${where || ' the file'}`;
    case 'EISDIR':
      return `${path ?? 'the path'} is a folder, not a file`;
    case 'ENOTDIR':
      return `${path ?? 'the path'} is not a folder`;
    case 'ENOSPC':
      return 'the disk is full; nothing was kept';
    case 'ENOTEMPTY':
      return `${path ?? 'the folder'} is not empty`;
    case 'ECONNREFUSED':
      return 'cannot reach the hub: is it running, and is the URL right?';
    default:
      return undefined;
  }
}

export function userSentence(error: unknown): string {
  if (error instanceof ZodError) return describeIssues(error, 'input');
  if (error instanceof Error) {
    const system = systemSentence(error);
    if (system) return system;
    return error.message.split('\n')[0]!.replace(/^Error: /, '');
  }
  return String(error);
}
