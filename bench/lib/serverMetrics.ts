/** A Temporal server's own Prometheus metrics: what its persistence (SQLite or PostgreSQL) did, by operation. */
export interface PersistenceOps {
  /** operation → [requests, seconds spent] */
  ops: Map<string, [number, number]>;
}

/** Summed over every endpoint given: a cluster's frontend, history and matching each report their own. */
export async function scrapePersistence(urls: readonly string[]): Promise<PersistenceOps> {
  const ops = new Map<string, [number, number]>();
  const texts = await Promise.all(urls.map((url) => fetch(url).then((r) => r.text(), () => '')));
  for (const line of texts.join('\n').split('\n')) {
    const m = /^(persistence_requests|persistence_latency_sum)\{[^}]*operation="([^"]+)"[^}]*\} ([0-9.e+-]+)$/.exec(line);
    if (!m) continue;
    const entry = ops.get(m[2] as string) ?? [0, 0];
    entry[m[1] === 'persistence_requests' ? 0 : 1] += Number(m[3]);
    ops.set(m[2] as string, entry);
  }
  return { ops };
}

export interface PersistenceDelta {
  requests: number;
  seconds: number;
  top: { operation: string; requests: number; seconds: number }[];
}

/** What happened between two scrapes, the heaviest operations (by time spent) first. */
export function persistenceDelta(before: PersistenceOps, after: PersistenceOps, top = 6): PersistenceDelta {
  const rows = [...after.ops].map(([operation, [r, s]]) => {
    const [r0, s0] = before.ops.get(operation) ?? [0, 0];
    return { operation, requests: r - r0, seconds: Math.round((s - s0) * 10) / 10 };
  });
  rows.sort((a, b) => b.seconds - a.seconds);
  return { requests: rows.reduce((n, r) => n + r.requests, 0), seconds: Math.round(rows.reduce((n, r) => n + r.seconds, 0)), top: rows.slice(0, top) };
}
