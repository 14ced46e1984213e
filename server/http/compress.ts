import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export type Encoding = 'br' | 'gzip';

/**
 * The first of `offered` that the request's Accept-Encoding accepts (a `q` of 0 refuses one; `*` accepts any not
 * named), or undefined for the identity.
 */
export function acceptedEncoding(header: string | undefined, offered: readonly Encoding[] = ['br', 'gzip']): Encoding | undefined {
  if (!header) return undefined;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const value = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (name) q.set(name, Number.isFinite(value) ? value : 0);
  }
  return offered.find((e) => (q.get(e) ?? q.get('*') ?? 0) > 0);
}

/**
 * A page compressed for a phone's slow network (a tenth of the bytes). `quick` for a page compressed per answer
 * (the survey form, which carries the link's own token), `best` for one compressed once and kept (a published results
 * page): the costs are in docs/PERFORMANCE.md.
 */
export function compress(body: Uint8Array, encoding: Encoding, effort: 'quick' | 'best' = 'quick'): Buffer {
  if (encoding === 'gzip') return gzipSync(body, { level: effort === 'quick' ? 4 : 9 });
  const quality = effort === 'quick' ? 1 : constants.BROTLI_MAX_QUALITY;
  return brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
}
