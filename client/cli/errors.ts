/**
 * The last word on an error before it reaches the terminal: one sentence in the user's terms.
 * Typed errors (client/core/errors.ts: ClientError, the hub's ApiError, keys/'s KeyError and
 * PartError) already are one and are shown as they are; a Node system error (EEXIST, ENOENT, ...)
 * and a zod issue list are translated here. Anything else is a fault whose message was written
 * for a programmer: it becomes one generic sentence naming the command, and its stack is printed
 * only with LIAISON_DEBUG=1. Never a raw library or runtime message.
 */
import type { Command } from 'commander';
import { ZodError } from 'zod';
import { describeIssues } from '../../protocol/issues.ts';
import { isTypedError } from '../core/errors.ts';
import { clientEnvironment } from '../node/env.ts';

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

/** The sentence for an unexpected error: what failed, that it is not the person's doing, and how to see more. */
function unexpectedSentence(command: string | undefined): string {
  const what = command ? `"liaison ${command}"` : 'the command';
  return `${what} stopped on an unexpected error inside liaison (not something you typed); run it again with LIAISON_DEBUG=1 to see the details, and report them`;
}

const firstLine = (error: Error) => error.message.split('\n')[0]!;

/**
 * One sentence for `error`, thrown while `command` (for example `release consent`) ran.
 * `ownWording`: the command words its own errors (the operator's, in server/), so any message is shown.
 */
export function userSentence(error: unknown, command?: string, ownWording = false): string {
  if (isTypedError(error)) return firstLine(error);
  if (error instanceof ZodError) return describeIssues(error, 'input');
  if (error instanceof Error) {
    const system = systemSentence(error);
    if (system) return system;
    if (ownWording) return firstLine(error);
  }
  return unexpectedSentence(command);
}

/**
 * Remember which command runs (recorded by commander before its action starts), so that an
 * unexpected error can name it. Returns the reporter `bin/liaison.ts` calls with what escaped.
 * `ownWording`: top-level commands whose errors are sentences of their own (the operator's).
 */
export function errorReporter(program: Command, ownWording: readonly string[] = []): (error: unknown) => void {
  let running: string | undefined;
  program.hook('preAction', (_root, action) => {
    const names: string[] = [];
    for (let c: Command | null = action; c?.parent; c = c.parent) names.unshift(c.name());
    running = names.join(' ');
  });
  return (error) => {
    if (clientEnvironment().debug) console.error(error);
    console.error(`liaison: ${userSentence(error, running, ownWording.includes(running?.split(' ')[0] ?? ''))}`);
  };
}
