/**
 * Doubt about a packet's authenticity (SCO Art. 5(3)), for both clients: the sender signs a
 * confirmation that the packet, exactly as its signed manifest says, is theirs (after checking the
 * hub's request against what the person stated and the manifest against our own party), and the
 * one in doubt checks that confirmation without trusting the hub (a vouched-for member of the
 * sending party, over the manifest we hold).
 * Never: signs a statement it did not build itself from what it verified.
 */
import { signStatement, verifyStatement } from '../../keys/statements.ts';
import { manifestDigest } from '../../protocol/manifest.ts';
import { AUTHENTICITY_FORMAT, AuthenticityConfirmation, type AuthenticityView } from '../../protocol/requests.ts';
import { signedInstantProblem } from '../../protocol/signing.ts';
import type { ClientContext } from './context.ts';
import { ClientError } from './errors.ts';
import { verifiedManifest } from './opening.ts';
import type { WorkflowApi } from './workflow-api.ts';

/**
 * As the sender: sign a confirmation that the packet, exactly as its manifest says, is ours.
 * Signs only after checking the hub's request against what the person typed (the request id and,
 * when given, the packet), and after verifying the manifest is a packet of our own party; `show`
 * receives exactly what the signature will cover, before it is made.
 */
export async function confirmAuthenticity(ctx: ClientContext, wf: WorkflowApi, requestId: string, confirmed: { packetId?: string } = {}, show: (lines: string[]) => void = () => undefined): Promise<AuthenticityView> {
  const asked = await wf.authenticity(requestId);
  const nothing = 'nothing was signed';
  if (asked.id !== requestId) throw new ClientError(`the hub answered with request ${asked.id} when asked for ${requestId}; ${nothing}`, 'authenticity.other-request', { answered: asked.id, request: requestId });
  if (confirmed.packetId !== undefined && asked.packetId !== confirmed.packetId) throw new ClientError(`request ${requestId} on the hub is about packet ${asked.packetId}, not ${confirmed.packetId} as you stated; ${nothing}`, 'authenticity.other-packet', { request: requestId, packet: asked.packetId, stated: confirmed.packetId });
  if (asked.senderParty !== ctx.me.party) throw new ClientError(`request ${requestId} asks ${asked.senderParty} to confirm, not your party ${ctx.me.party}; ${nothing}`, 'authenticity.not-our-party', { request: requestId, party: asked.senderParty, own: ctx.me.party });
  const detail = await ctx.api.packet(asked.packetId);
  const { manifest } = await verifiedManifest(ctx, detail);
  if (manifest.packetId !== asked.packetId) throw new ClientError(`the hub served packet ${manifest.packetId} for ${asked.packetId}; ${nothing}`, 'authenticity.served-other-packet', { served: manifest.packetId, packet: asked.packetId });
  if (manifest.sender.party !== ctx.me.party) throw new ClientError(`packet ${asked.packetId} was sent by ${manifest.sender.party}, not by your party; only its sender can confirm it; ${nothing}`, 'authenticity.not-sender', { packet: asked.packetId, party: manifest.sender.party });
  const statement: AuthenticityConfirmation = {
    format: AUTHENTICITY_FORMAT,
    requestId: asked.id,
    packetId: manifest.packetId,
    manifestSha256: manifestDigest(detail.manifest),
    confirmedBy: ctx.me.fingerprint,
    confirmedAt: ctx.now().toISOString(),
  };
  show([
    `Confirmation to be signed by ${statement.confirmedBy}:`,
    `  request:   ${statement.requestId} (asked by ${asked.requestingParty})`,
    `  packet:    ${statement.packetId} (${manifest.agreementId}, ${manifest.kind}, ${manifest.marking.level}, revision ${manifest.revision}, signed by ${manifest.signedBy} on ${manifest.createdAt.slice(0, 10)})`,
    `  manifest:  SHA-256 ${statement.manifestSha256}`,
  ]);
  const signed = await signStatement('authenticity', AuthenticityConfirmation, statement, ctx.key, ctx.now());
  return wf.answerAuthenticity(requestId, signed.statement, signed.signature);
}

/**
 * As the one in doubt: check the confirmation ourselves, without trusting the hub: it is signed by
 * a vouched-for member of the sending party and covers the manifest we hold.
 */
export async function checkAuthenticity(ctx: ClientContext, wf: WorkflowApi, requestId: string): Promise<{ confirmed: boolean; reason: string }> {
  const view = await wf.authenticity(requestId);
  if (!view.confirmation || !view.signature) return { confirmed: false, reason: `${view.senderParty} has not answered yet` };
  const senders = await ctx.directory.members(view.senderParty);
  const verification = await verifyStatement('authenticity', AuthenticityConfirmation, { statement: view.confirmation, signature: view.signature }, senders.map((m) => m.key), ctx.now(), { namedSigner: (c) => c.confirmedBy });
  if (!verification.valid) {
    return { confirmed: false, reason: verification.failure === 'unknown-signer' ? `it is not signed by a vouched-for member of ${view.senderParty}` : `the signature does not verify: ${verification.reason}` };
  }
  const confirmation = verification.value;
  if (confirmation.packetId !== view.packetId || confirmation.requestId !== view.id) return { confirmed: false, reason: 'the confirmation is for another packet or request' };
  const dated = signedInstantProblem(confirmation.confirmedAt, ctx.now(), 'the confirmation date');
  if (dated) return { confirmed: false, reason: dated };
  const detail = await ctx.api.packet(view.packetId);
  if (confirmation.manifestSha256 !== manifestDigest(detail.manifest)) return { confirmed: false, reason: 'the confirmation covers a different manifest from the one the hub serves' };
  const signer = senders.find((m) => m.fingerprint === verification.signer)!;
  return { confirmed: true, reason: `confirmed by ${signer.name} (${signer.fingerprint}) of ${view.senderParty} at ${confirmation.confirmedAt}` };
}
