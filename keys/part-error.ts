/** The one error class of keys/ for a part that is not what it must be (its message says why). */
export class PartError extends Error {
  override name = 'PartError';
}
