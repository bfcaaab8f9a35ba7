/**
 * Position in the export feed: the writing transaction of the last record handed out, the
 * record's type rank and its key. Opaque to clients (base64url JSON).
 */
export interface ExportCursor {
  tx: bigint;
  rank: number;
  key: string;
}

export function encodeCursor(cursor: ExportCursor): string {
  return Buffer.from(JSON.stringify([cursor.tx.toString(), cursor.rank, cursor.key])).toString(
    'base64url',
  );
}

/** Returns undefined for anything this feed did not produce. */
export function decodeCursor(text: string): ExportCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 3) return undefined;
    const [tx, rank, key] = value as unknown[];
    if (typeof tx !== 'string' || !/^\d{1,20}$/.test(tx)) return undefined;
    if (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 0 || rank > 99)
      return undefined;
    if (typeof key !== 'string' || key.length > 64) return undefined;
    return { tx: BigInt(tx), rank, key };
  } catch {
    return undefined;
  }
}

/** Feed order: transaction, then type rank, then key. */
export function compareCursor(a: ExportCursor, b: ExportCursor): number {
  if (a.tx !== b.tx) return a.tx < b.tx ? -1 : 1;
  if (a.rank !== b.rank) return a.rank - b.rank;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
