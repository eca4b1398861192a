/**
 * The type of pdf.js's worker module, which pdfjs-dist ships without one: client/core/documents.ts
 * imports it only to hand its message handler to pdf.js (run in the calling thread).
 */
declare module 'pdfjs-dist/legacy/build/pdf.worker.mjs' {
  export const WorkerMessageHandler: unknown;
}
