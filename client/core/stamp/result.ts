/** What a stamper gives back: new bytes, or the one-sentence reason no stamped copy was made. */
export type StampResult = { stamped: true; bytes: Uint8Array } | { stamped: false; reason: string };
