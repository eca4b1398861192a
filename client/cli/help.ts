/**
 * `liaison --help` grouped by who uses each command: everyone, the contact person, the clerk,
 * the security officer, the hub operator. One table, so a new command lands in a group here.
 * Text only: it never runs a command, reads LIAISON_HOME or calls the hub.
 */
import type { Command } from 'commander';

const GROUPS: Array<[heading: string, commands: string[]]> = [
  ['Everyone (your key, your session, whom you trust):', ['keygen', 'key', 'login', 'logout', 'whoami', 'agreements', 'trust', 'members', 'contacts', 'check-language', 'label']],
  ['Contact person (send, receive, requests, releases):', ['send', 'inbox', 'fetch', 'submit', 'request', 'state', 'deadlines', 'authenticity', 'purpose', 'release', 'rewrap']],
  ['Clerk (translations of drafts):', ['attach']],
  ['Security officer (people of your party, consents):', ['officer']],
  ['Evidence (anyone; the operator with --data):', ['receipts', 'audit', 'evidence']],
  ['Hub operator (on the hub machine):', ['hub', 'serve']],
];

export function groupHelpByRole(program: Command): void {
  const heading = new Map(GROUPS.flatMap(([h, names]) => names.map((n) => [n, h] as const)));
  for (const command of program.commands) command.helpGroup(heading.get(command.name()) ?? 'Other:');
  program.addHelpText('after', '\nA security officer also uses "release consent"; a clerk also uses "inbox" and "fetch". Every command has --help.');
}
