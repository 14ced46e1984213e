import { CliError, flagText, type Command } from '../cli/command.js';
import { readBytes } from '../units/cli.js';
import { problemText } from '../validate.js';
import { publishResults } from './publish.js';
import { checkBody, serialize, type ResultsDocument } from './snapshot.js';
import { verifyResults } from './verify.js';

/** A published results file: its text and what it says. */
function readResults(file: string): { text: string; doc: ResultsDocument } {
  const text = new TextDecoder().decode(readBytes(file)).replace(/^\uFEFF/, '');
  let doc: ResultsDocument;
  try {
    doc = JSON.parse(text) as ResultsDocument;
  } catch (e) {
    throw new CliError(`${file} is not a JSON file: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.units) || typeof doc.year !== 'number')
    throw new CliError(`${file} is not a published results file (no year or no units)`);
  return { text: text.trimEnd(), doc };
}

export const resultsCommands: Record<string, Command> = {
  'verify-results': {
    usage: 'verify-results FILE.json [--previous FILE.json] [--categories "A,B,…"]',
    arguments: ['FILE.json'],
    flags: ['previous', 'categories'],
    summary: 'recompute every figure of a published results file from its counts; exit 0 only if all match',
    noDatabase: true,
    async run(ctx, args) {
      const file = args.positional[0] as string;
      const { text, doc } = readResults(file);
      const previousFile = flagText(args, 'previous');
      const previous = previousFile ? readResults(previousFile).doc : undefined;
      const categories = flagText(args, 'categories')
        ?.split(',')
        .map((c) => c.trim())
        .filter(Boolean);
      let verdict: ReturnType<typeof verifyResults>;
      try {
        verdict = verifyResults(doc, { previous, categories });
      } catch (e) {
        throw new CliError(`${file} is not a published results file: ${(e as Error).message}`);
      }
      if (!verdict.ok) throw new CliError(`MISMATCH — ${verdict.difference}`);
      // Last, the file's own fingerprint (a count changed without it fails above at its unit, which says more). It is
      // the SHA-256 of the document without it as the server serialises it, so a reformatted copy checks too.
      const { sha256, ...rest } = doc as ResultsDocument & { sha256?: unknown };
      if (typeof sha256 !== 'string') throw new CliError('MISMATCH — sha256: the file has no sha256 field');
      if (!checkBody(text) && serialize(rest as ResultsDocument).sha256 !== sha256)
        throw new CliError(`MISMATCH — sha256: the file has ${sha256}, its other fields hash to ${serialize(rest as ResultsDocument).sha256}`);
      ctx.out(`OK — ${doc.year} (version ${doc.version}): ${verdict.checked.join(', ')} match`);
      for (const note of verdict.notes) ctx.out(`note: ${note}`);
    },
  },
  'round publish': {
    usage: 'round publish --year Y [--note TEXT]',
    summary: 'freeze the results of a closed round into a published snapshot (a note is required for a correction)',
    flags: ['year', 'note'],
    async run(ctx, args) {
      const y = flagText(args, 'year');
      if (!y || !/^\d{4}$/.test(y)) throw new CliError('--year YYYY is required');
      const r = await publishResults(ctx.db, ctx.audit, { year: Number(y), note: flagText(args, 'note') ?? '' }, 'cli');
      if (!r.ok) throw new CliError(r.problems.map((p) => problemText(ctx.t, p)).join('\n'));
      ctx.out(ctx.t('results.published', { year: y, version: r.value.version, sha: r.value.sha256 }));
    },
  },
};
