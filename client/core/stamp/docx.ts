/**
 * DOCX stamped copies: the marking as the first paragraph of every header and the last paragraph
 * of every footer of every section. A section's existing header or footer part (default, first
 * page, even pages) gets the marking added to it, keeping what was there; a section without one
 * gets a reference to a new part holding only the marking, registered in the document's
 * relationships and content types, as WordprocessingML requires.
 *
 * Edits the package's XML as text, touching only the parts it must; the document body is not
 * rewritten. Given bytes, returns new bytes; never throws (a package it cannot read is refused
 * with a reason) and never reads or writes a file.
 */
import JSZip from 'jszip';
import { markingLine, type StampMarking } from './marking.ts';
import type { StampResult } from './result.ts';

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const REL_HEADER = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/header';
const REL_FOOTER = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer';
const CT_HEADER = 'application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml';
const CT_FOOTER = 'application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml';
const REFERENCE_TYPES = ['default', 'first', 'even'] as const;
/** Larger packages are not unpacked for a stamped copy (JSZip holds them in memory). */
const MAX_DOCX_BYTES = 64 * 1024 * 1024;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The marking paragraph, centred, bold and red, in the main namespace whatever prefix the part uses. */
function markingParagraph(text: string): string {
  return (
    `<w:p xmlns:w="${W}"><w:pPr><w:jc w:val="center"/></w:pPr>` +
    `<w:r><w:rPr><w:b/><w:color w:val="B80000"/><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve">${escapeXml(text)}</w:t></w:r></w:p>`
  );
}

function newPart(kind: 'hdr' | 'ftr', text: string): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:${kind} xmlns:w="${W}" xmlns:r="${R}">${markingParagraph(text)}</w:${kind}>`;
}

/** Add the marking to an existing header (first paragraph) or footer (last paragraph). */
function addToPart(xml: string, kind: 'hdr' | 'ftr', text: string): string | null {
  const open = new RegExp(`<([A-Za-z_][\\w.-]*:)?${kind}\\b[^>]*>`).exec(xml);
  const close = new RegExp(`</([A-Za-z_][\\w.-]*:)?${kind}>\\s*$`).exec(xml);
  if (!open || !close) return null;
  if (kind === 'hdr') return xml.slice(0, open.index + open[0].length) + markingParagraph(text) + xml.slice(open.index + open[0].length);
  return xml.slice(0, close.index) + markingParagraph(text) + xml.slice(close.index);
}

/** Resolve a relationship target against word/ (targets are relative to the source part's folder). */
function partPath(target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = ['word', ...target.split('/')];
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out.join('/');
}

/** Stamp a DOCX. Never throws: a package it cannot stamp comes back with the reason. */
export async function stampDocx(original: Uint8Array, marking: StampMarking): Promise<StampResult> {
  if (original.length > MAX_DOCX_BYTES) return { stamped: false, reason: `the DOCX is larger than ${MAX_DOCX_BYTES / 1024 / 1024} MB, so no stamped copy was made` };
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(original.slice());
  } catch {
    return { stamped: false, reason: 'the DOCX is damaged or not a DOCX, so it cannot be stamped' };
  }
  try {
    const documentXml = await zip.file('word/document.xml')?.async('string');
    const relsXml = await zip.file('word/_rels/document.xml.rels')?.async('string');
    const typesXml = await zip.file('[Content_Types].xml')?.async('string');
    if (!documentXml || !relsXml || !typesXml) return { stamped: false, reason: 'the DOCX lacks its main document, relationships or content types, so it cannot be stamped' };
    const prefix = new RegExp(`xmlns:([A-Za-z_][\\w.-]*)="${W.replace(/[.]/g, '\\.')}"`).exec(documentXml)?.[1];
    if (!prefix) return { stamped: false, reason: 'the DOCX is not WordprocessingML, so it cannot be stamped' };
    const text = markingLine(marking);

    const relationships = new Map<string, { type: string; target: string }>();
    for (const m of relsXml.matchAll(/<Relationship\b([^>]*)\/?>/g)) {
      const attrs = m[1]!;
      const id = /\bId="([^"]+)"/.exec(attrs)?.[1];
      const type = /\bType="([^"]+)"/.exec(attrs)?.[1];
      const target = /\bTarget="([^"]+)"/.exec(attrs)?.[1];
      if (id && type && target && !/TargetMode="External"/.test(attrs)) relationships.set(id, { type, target });
    }
    let nextId = 1;
    const freshId = () => {
      while (relationships.has(`rIdLiaisonMarking${nextId}`)) nextId++;
      return `rIdLiaisonMarking${nextId++}`;
    };

    // Existing header and footer parts: each gets the marking once, however many sections share it.
    const stampedParts = new Set<string>();
    for (const { type, target } of relationships.values()) {
      const kind = type === REL_HEADER ? 'hdr' : type === REL_FOOTER ? 'ftr' : null;
      if (!kind) continue;
      const path = partPath(target);
      if (stampedParts.has(path)) continue;
      const xml = await zip.file(path)?.async('string');
      const next = xml ? addToPart(xml, kind, text) : null;
      if (!next) return { stamped: false, reason: `the DOCX header or footer ${path} is damaged, so it cannot be stamped` };
      zip.file(path, next);
      stampedParts.add(path);
    }

    // Our own parts, for sections lacking a header or footer of some type.
    const own = { hdr: { id: freshId(), path: 'word/liaison-marking-header.xml', used: false }, ftr: { id: freshId(), path: 'word/liaison-marking-footer.xml', used: false } };
    const p = prefix;
    const addMissingReferences = (sectPr: string): string => {
      const additions: string[] = [];
      for (const [kind, element] of [['hdr', 'headerReference'], ['ftr', 'footerReference']] as const) {
        for (const type of REFERENCE_TYPES) {
          const present = new RegExp(`<${p}:${element}\\b[^>]*${p}:type="${type}"`).test(sectPr);
          if (present) continue;
          additions.push(`<${p}:${element} xmlns:r="${R}" ${p}:type="${type}" r:id="${own[kind].id}"/>`);
          own[kind].used = true;
        }
      }
      if (additions.length === 0) return sectPr;
      // Header and footer references come first in a section's properties (ECMA-376 CT_SectPr).
      const selfClosing = new RegExp(`^<${p}:sectPr\\b([^>]*)/>$`).exec(sectPr);
      if (selfClosing) return `<${p}:sectPr${selfClosing[1]}>${additions.join('')}</${p}:sectPr>`;
      const openEnd = sectPr.indexOf('>') + 1;
      return sectPr.slice(0, openEnd) + additions.join('') + sectPr.slice(openEnd);
    };
    const sectionPattern = new RegExp(`<${p}:sectPr\\b[^>]*/>|<${p}:sectPr\\b[^>]*>[\\s\\S]*?</${p}:sectPr>`, 'g');
    let sections = 0;
    let body = documentXml.replace(sectionPattern, (sectPr) => {
      sections++;
      return addMissingReferences(sectPr);
    });
    if (sections === 0) {
      // A document without section properties has one section with the defaults: give it some.
      const end = body.lastIndexOf(`</${p}:body>`);
      if (end < 0) return { stamped: false, reason: 'the DOCX has no document body, so it cannot be stamped' };
      body = body.slice(0, end) + addMissingReferences(`<${p}:sectPr/>`) + body.slice(end);
    }
    zip.file('word/document.xml', body);

    let rels = relsXml;
    let types = typesXml;
    for (const [kind, part] of Object.entries(own) as Array<['hdr' | 'ftr', (typeof own)['hdr']]>) {
      if (!part.used) continue;
      zip.file(part.path, newPart(kind, text));
      const relType = kind === 'hdr' ? REL_HEADER : REL_FOOTER;
      const nextRels = rels.replace(/<\/Relationships>\s*$/, `<Relationship Id="${part.id}" Type="${relType}" Target="${part.path.slice('word/'.length)}"/></Relationships>`);
      const nextTypes = types.replace(/<\/Types>\s*$/, `<Override PartName="/${part.path}" ContentType="${kind === 'hdr' ? CT_HEADER : CT_FOOTER}"/></Types>`);
      if (nextRels === rels || nextTypes === types) return { stamped: false, reason: 'the DOCX relationships or content types are damaged, so it cannot be stamped' };
      rels = nextRels;
      types = nextTypes;
    }
    zip.file('word/_rels/document.xml.rels', rels);
    zip.file('[Content_Types].xml', types);
    return { stamped: true, bytes: await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' }) };
  } catch {
    return { stamped: false, reason: 'the DOCX is damaged, so it cannot be stamped' };
  }
}
