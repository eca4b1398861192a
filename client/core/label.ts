/**
 * The confidentiality label of a fetched folder, in the manner of NATO STANAG 4774 (the label)
 * bound to the data in the manner of STANAG 4778 (the binding): an XML document using ADatP-4774's
 * element names for the label (policy = the agreement, classification = the common level, the
 * originator, every party's national label as an alternative label) inside a 4778-style
 * MetadataBinding whose DataReferences carry the SHA-256 of every file it covers, and a reference
 * to the packet's signed manifest it was derived from.
 *
 * The binding signature is not XML-DSig: the reader's client signs the label bytes with an
 * OpenPGP detached signature (label.xml.asc), and the marking itself is bound by the sender's
 * signature on the manifest. This module only builds and reads the XML; it signs nothing,
 * reads no file, and trusts nothing it parses until the caller has checked both signatures.
 */
import { XMLParser } from 'fast-xml-parser';
import type { Manifest } from '../../protocol/manifest.ts';

export const LABEL_FILE = 'label.xml';
export const LABEL_SIGNATURE_FILE = 'label.xml.asc';
export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_SIGNATURE_FILE = 'manifest.json.asc';
export const MARKING_FILE = 'MARKING.txt';

const NS_BINDING = 'urn:nato:stanag:4778:bindinginformation:1:0';
const NS_LABEL = 'urn:nato:stanag:4774:confidentialitymetadatalabel:1:0';
const NS_DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const NS_LIAISON = 'urn:liaison:label:1';
const SHA256_URI = 'http://www.w3.org/2001/04/xmlenc#sha256';

/** One file the label covers. */
export interface LabelledFile {
  /** Its name in the folder. */
  name: string;
  /** original: the verified decrypted part; ciphertext: a part kept encrypted (--raw); stamped-copy: made from an original here; marking-notice: MARKING.txt. */
  copy: 'original' | 'ciphertext' | 'stamped-copy' | 'marking-notice';
  partId?: string;
  sha256: string;
  size: number;
}

export interface FolderLabel {
  manifest: Manifest;
  /** SHA-256 (hex) of manifest.json and of manifest.json.asc, exactly as stored beside the label. */
  manifestSha256: string;
  signatureSha256: string;
  reader: { party: string; name: string; fingerprint: string };
  labelledAt: string;
  files: LabelledFile[];
  /** Parts that got no stamped copy, with the sentence saying why. */
  notStamped: Array<{ partId: string; reason: string }>;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const hexToBase64 = (hex: string): string => {
  const bytes = hex.match(/../g)!.map((b) => String.fromCharCode(parseInt(b, 16))).join('');
  return btoa(bytes);
};
const base64ToHex = (b64: string): string =>
  Array.from(atob(b64), (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');

function confidentialityLabel(element: string, policy: { uri: string; name: string }, classification: string, extra: string, indent: string): string {
  return [
    `${indent}<slab:${element}>`,
    `${indent}  <slab:ConfidentialityInformation>`,
    `${indent}    <slab:PolicyIdentifier URI="${esc(policy.uri)}">${esc(policy.name)}</slab:PolicyIdentifier>`,
    `${indent}    <slab:Classification>${esc(classification)}</slab:Classification>`,
    ...(extra ? [extra] : []),
    `${indent}  </slab:ConfidentialityInformation>`,
    `${indent}</slab:${element}>`,
  ].join('\n');
}

/** The label document. Deterministic: the same label always serialises to the same bytes. */
export function labelXml(label: FolderLabel): string {
  const m = label.manifest;
  const parties = [m.sender.party, ...m.recipients];
  const i = '        ';
  const releasable = `${i}    <slab:Category TagName="Releasable to" Type="PERMISSIVE" URI="urn:liaison:category:releasable-to">${parties.map((p) => `<slab:GenericValue>${esc(p)}</slab:GenericValue>`).join('')}</slab:Category>`;
  const originator = confidentialityLabel('originatorConfidentialityLabel', { uri: `urn:liaison:agreement:${m.agreementId}`, name: m.agreementId }, m.marking.level, releasable, i)
    .replace(`${i}</slab:originatorConfidentialityLabel>`, `${i}  <slab:OriginatorID IDType="uniformResourceIdentifier">urn:liaison:party:${esc(m.sender.party)}</slab:OriginatorID>\n${i}  <slab:CreationDateTime>${esc(m.createdAt)}</slab:CreationDateTime>\n${i}</slab:originatorConfidentialityLabel>`);
  const alternatives = parties.map((p) => confidentialityLabel('alternativeConfidentialityLabel', { uri: `urn:liaison:national-policy:${p}`, name: p }, m.marking.labels[p] ?? '', '', i));
  const references = label.files.map((f) =>
    [
      `      <mb:DataReference URI="${esc(encodeURI(f.name))}" lia:copy="${f.copy}"${f.partId ? ` lia:part="${esc(f.partId)}"` : ''} lia:size="${f.size}">`,
      `        <ds:DigestMethod Algorithm="${SHA256_URI}"/>`,
      `        <ds:DigestValue>${hexToBase64(f.sha256)}</ds:DigestValue>`,
      `      </mb:DataReference>`,
    ].join('\n'),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<mb:BindingInformation xmlns:mb="${NS_BINDING}" xmlns:slab="${NS_LABEL}" xmlns:ds="${NS_DSIG}" xmlns:lia="${NS_LIAISON}">`,
    '  <mb:MetadataBindingContainer>',
    '    <mb:MetadataBinding>',
    '      <mb:Metadata>',
    originator,
    ...alternatives,
    '      </mb:Metadata>',
    ...references,
    `      <lia:SignedManifest URI="${MANIFEST_FILE}" signature="${MANIFEST_SIGNATURE_FILE}" packet="${esc(m.packetId)}" revision="${m.revision}" sha256="${label.manifestSha256}" signatureSha256="${label.signatureSha256}"/>`,
    `      <lia:Reader party="${esc(label.reader.party)}" fingerprint="${esc(label.reader.fingerprint)}" name="${esc(label.reader.name)}" labelledAt="${esc(label.labelledAt)}"/>`,
    ...label.notStamped.map((n) => `      <lia:NotStamped part="${esc(n.partId)}" reason="${esc(n.reason)}"/>`),
    '    </mb:MetadataBinding>',
    '  </mb:MetadataBindingContainer>',
    '</mb:BindingInformation>',
    '',
  ].join('\n');
}

/** What a label says about itself beyond the manifest: reader, time, files, parts not stamped. */
type LabelClaims = Omit<FolderLabel, 'manifest'> & { packetId: string; revision: number };

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Read the claims of a label, or say why it cannot be read. The caller then rebuilds the label
 * from the verified manifest and these claims and requires the same bytes, so anything the parser
 * tolerates but the builder would not write is caught there.
 */
export function readLabelClaims(xml: string): { ok: true; claims: LabelClaims } | { ok: false; error: string } {
  try {
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseAttributeValue: false, parseTagValue: false, processEntities: true, allowBooleanAttributes: false });
    const doc = parser.parse(xml) as Record<string, unknown>;
    const binding = (doc['mb:BindingInformation'] as Record<string, unknown> | undefined)?.['mb:MetadataBindingContainer'] as Record<string, unknown> | undefined;
    const mb = binding?.['mb:MetadataBinding'] as Record<string, unknown> | undefined;
    if (!mb) return { ok: false, error: 'it is not a Liaison label (no 4778 metadata binding)' };
    const signed = mb['lia:SignedManifest'] as Record<string, string> | undefined;
    const reader = mb['lia:Reader'] as Record<string, string> | undefined;
    if (!signed || !reader) return { ok: false, error: 'it names no signed manifest or no reader' };
    const files = asArray(mb['mb:DataReference'] as Record<string, unknown> | Array<Record<string, unknown>>).map((ref): LabelledFile => {
      const copy = ref['@lia:copy'] as LabelledFile['copy'];
      const partId = ref['@lia:part'] as string | undefined;
      return {
        name: decodeURI(String(ref['@URI'])),
        copy,
        ...(partId ? { partId } : {}),
        sha256: base64ToHex(String(ref['ds:DigestValue'])),
        size: Number(ref['@lia:size']),
      };
    });
    const notStamped = asArray(mb['lia:NotStamped'] as Record<string, string> | Array<Record<string, string>>).map((n) => ({ partId: String(n['@part']), reason: String(n['@reason']) }));
    return {
      ok: true,
      claims: {
        packetId: String(signed['@packet']),
        revision: Number(signed['@revision']),
        manifestSha256: String(signed['@sha256']),
        signatureSha256: String(signed['@signatureSha256']),
        reader: { party: String(reader['@party']), fingerprint: String(reader['@fingerprint']), name: String(reader['@name']) },
        labelledAt: String(reader['@labelledAt']),
        files,
        notStamped,
      },
    };
  } catch {
    return { ok: false, error: 'it is not well-formed XML' };
  }
}

/** MARKING.txt: the same facts for a person, in plain words. */
export function markingNotice(label: Omit<FolderLabel, 'files'> & { files: Array<Omit<LabelledFile, 'sha256' | 'size'>> }, classification: string): string {
  const m = label.manifest;
  const parties = [m.sender.party, ...m.recipients];
  const lines = [
    classification,
    '',
    `Agreement ${m.agreementId}, packet ${m.packetId} (revision ${m.revision}), ${m.kind} from ${m.sender.party} of ${m.createdAt}.`,
    `Common level ${m.marking.level}; national labels: ${parties.map((p) => `${p} ${m.marking.labels[p]}`).join('; ')}.`,
    `Releasable to ${parties.join(', ')} only; any other party needs the written consent of ${m.sender.party}.`,
    `Decrypted and verified for ${label.reader.name} (${label.reader.party}, key ${label.reader.fingerprint}) at ${label.labelledAt}.`,
    '',
    'Files:',
  ];
  for (const f of label.files) {
    if (f.copy === 'original') lines.push(`  ${f.name}: part ${f.partId}, the signed original (its encrypted form matches the signed manifest)`);
    else if (f.copy === 'ciphertext') lines.push(`  ${f.name}: part ${f.partId}, encrypted as the sender signed it (decrypt with gpg)`);
    else if (f.copy === 'stamped-copy') lines.push(`  ${f.name}: a STAMPED COPY of part ${f.partId} for reading and printing; not the signed original`);
  }
  for (const n of label.notStamped) lines.push(`  part ${n.partId}: no stamped copy (${n.reason})`);
  lines.push(
    '',
    `${LABEL_FILE} is the machine-readable label (in the manner of NATO STANAG 4774/4778), signed by the reader in ${LABEL_SIGNATURE_FILE};`,
    `${MANIFEST_FILE} and ${MANIFEST_SIGNATURE_FILE} are the packet's manifest as the sender signed it.`,
    'Check the folder with: liaison label verify <folder>',
    '',
  );
  return lines.join('\n');
}
