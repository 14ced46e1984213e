import { recordExport } from '../audit/log.js';
import { CliError, flagText, requiredFlag, yearFlag, writeExport, type CliContext, type Command, type ParsedArgs } from '../cli/command.js';
import { linksTable } from '../links/invitations.js';
import { paperStatusLines } from '../paper/cli.js';
import { encodeTable, formatOf } from '../sheets/write.js';
import { problemText, type Outcome } from '../validate.js';
import { designOf, type BallotDesign, type DesignInput } from './design.js';
import {
  closeRound,
  createRound,
  drawRound,
  findRound,
  freezeRound,
  openRound,
  reissueLink,
  replaceMember,
  turnoutByStratum,
  updateRoundSettings,
} from './rounds.js';
import { parseSettings, settingsOf } from './settings.js';

const DESIGN_FLAGS = ['indicators', 'indicator-weights', 'strata-weights', 'reasons'];
const DESIGN_USAGE = '[--indicators "key:label,…"] [--indicator-weights 2,1,…] [--strata-weights "stratum:weight,…"] [--reasons "text;text;…"]';

function designInput(args: ParsedArgs): DesignInput {
  return {
    indicators: flagText(args, 'indicators'),
    indicatorWeights: flagText(args, 'indicator-weights'),
    strataWeights: flagText(args, 'strata-weights'),
    reasons: flagText(args, 'reasons'),
  };
}

/** The design in a few lines: each indicator with its weight, the strata's weights, the reasons. */
function designLines(d: BallotDesign): string[] {
  return [
    `indicators: ${d.indicators.map((x) => `${x.key}:${x.label} ×${x.weight}`).join(', ')}`,
    `strata weights: ${
      d.strataWeights
        ? Object.entries(d.strataWeights)
            .map(([s, w]) => `${s} ×${w}`)
            .join(', ')
        : 'none (every ballot counts the same)'
    }`,
    `reasons: ${d.reasons.length ? d.reasons.join('; ') : 'none'}`,
  ];
}

/** Turns a refused outcome into the CLI's error, or returns the value. */
function unwrap<T>(ctx: CliContext, outcome: Outcome<T>): T {
  if (!outcome.ok) throw new CliError(outcome.problems.map((p) => problemText(ctx.t, p)).join('\n'));
  return outcome.value;
}

export const roundCommands: Record<string, Command> = {
  'round create': {
    usage: `round create --year Y [--title T] [--sample 1000] [--scale satisfaction4|score100] [--points 100,70,30] [--no-stratify] [--bottom-scope category|overall] [--min-valid 30] [--opens ISO] [--closes ISO] ${DESIGN_USAGE}`,
    summary: 'create the round of a year (a draft whose settings can still change)',
    flags: ['year', 'title', 'sample', 'scale', 'points', 'bottom-scope', 'min-valid', 'opens', 'closes', ...DESIGN_FLAGS],
    switches: ['no-stratify'],
    async run(ctx, args) {
      const parsed = parseSettings(
        {
          year: requiredFlag(args, 'year'),
          title: flagText(args, 'title'),
          sample: flagText(args, 'sample'),
          scale: flagText(args, 'scale'),
          points: flagText(args, 'points'),
          stratify: !args.flags.has('no-stratify'),
          bottomScope: flagText(args, 'bottom-scope'),
          minValid: flagText(args, 'min-valid'),
          opens: flagText(args, 'opens'),
          closes: flagText(args, 'closes'),
          design: designInput(args),
        },
        ctx.config.timeZone,
        (y) => ctx.t('rounds.defaultTitle', { year: y }),
      );
      if (!parsed.ok) throw new CliError(parsed.problems.map((p) => problemText(ctx.t, p)).join('\n'));
      const round = unwrap(ctx, await createRound(ctx.db, ctx.audit, parsed.settings, 'cli'));
      ctx.out(
        `${ctx.t('rounds.created', { year: round.year })} ${round.title}; sample ${round.sample_size}, ${round.scale}, opens ${round.opens_at}, closes ${round.closes_at}`,
      );
      for (const line of designLines(designOf(round))) ctx.out(`  ${line}`);
    },
  },
  'round design': {
    usage: `round design --year Y ${DESIGN_USAGE}`,
    summary: "change a draft round's ballot design (what is not given stays); without options, print it",
    flags: ['year', ...DESIGN_FLAGS],
    async run(ctx, args) {
      const y = yearFlag(args);
      const round = await findRound(ctx.db, y);
      if (!round) throw new CliError(ctx.t('rounds.error.notFound', { year: y }));
      const input = designInput(args);
      if (Object.values(input).some((v) => v !== undefined)) {
        const parsed = parseSettings({ design: input }, ctx.config.timeZone, (n) => ctx.t('rounds.defaultTitle', { year: n }), settingsOf(round));
        if (!parsed.ok) throw new CliError(parsed.problems.map((p) => problemText(ctx.t, p)).join('\n'));
        const saved = unwrap(ctx, await updateRoundSettings(ctx.db, ctx.audit, y, parsed.settings, 'cli'));
        ctx.out(ctx.t('rounds.saved'));
        for (const line of designLines(designOf(saved))) ctx.out(`  ${line}`);
        return;
      }
      for (const line of designLines(designOf(round))) ctx.out(line);
    },
  },
  'round freeze': {
    usage: 'round freeze --year Y',
    summary: 'snapshot the active pool and units; prints poolHash',
    flags: ['year'],
    async run(ctx, args) {
      const r = unwrap(ctx, await freezeRound(ctx.db, ctx.audit, yearFlag(args), ctx.config.minPool, 'cli'));
      ctx.out(`poolHash ${r.poolHash}`);
      for (const [stratum, n] of Object.entries(r.strata)) ctx.out(`  ${stratum}: ${n}`);
      ctx.out(ctx.t('rounds.units', { n: r.units }));
    },
  },
  'round draw': {
    usage: 'round draw --year Y --public-random TEXT [--source TEXT]',
    summary: 'run the draw with the public random value; prints seed and seats per stratum',
    flags: ['year', 'public-random', 'source'],
    async run(ctx, args) {
      const r = unwrap(
        ctx,
        await drawRound(
          ctx.db,
          ctx.audit,
          { year: yearFlag(args), publicRandom: requiredFlag(args, 'public-random'), source: flagText(args, 'source') ?? '', secret: ctx.config.secret },
          'cli',
        ),
      );
      ctx.out(`seed ${r.seed}`);
      for (const [stratum, n] of Object.entries(r.allocation)) ctx.out(`  ${stratum}: ${n}`);
    },
  },
  'round replace': {
    usage: 'round replace --year Y --code C --reason TEXT',
    summary: 'give a seat to the next reserve of the same stratum; prints the reserve',
    flags: ['year', 'code', 'reason'],
    async run(ctx, args) {
      const code = requiredFlag(args, 'code');
      const r = unwrap(
        ctx,
        await replaceMember(
          ctx.db,
          ctx.audit,
          { year: yearFlag(args), code, reason: requiredFlag(args, 'reason'), secret: ctx.config.secret, timeZone: ctx.config.timeZone },
          'cli',
        ),
      );
      ctx.out(r.in);
    },
  },
  'round reissue': {
    usage: 'round reissue --year Y --code C',
    summary: 'issue a new link for a seat; the old link stops working',
    flags: ['year', 'code'],
    async run(ctx, args) {
      const code = requiredFlag(args, 'code');
      unwrap(ctx, await reissueLink(ctx.db, ctx.audit, { year: yearFlag(args), code, secret: ctx.config.secret }, 'cli'));
      ctx.out(ctx.t('rounds.reissued', { code }));
    },
  },
  'round links': {
    usage: 'round links --year Y --out FILE.csv|FILE.xlsx',
    summary: 'the invitation list (CSV with BOM, or Excel for a .xlsx name): code,name,stratum,district,phone,email,url',
    flags: ['year', 'out'],
    async run(ctx, args) {
      const y = yearFlag(args);
      const out = requiredFlag(args, 'out');
      const round = await findRound(ctx.db, y);
      if (!round) throw new CliError(ctx.t('rounds.error.notFound', { year: y }));
      if (!round.drawn_at) throw new CliError(ctx.t('rounds.error.notDrawn', { year: y }));
      const { table, count } = await linksTable(ctx.db, round, ctx.config);
      const bytes = await encodeTable(table, formatOf(out));
      await recordExport(ctx.db, ctx.audit, 'cli', 'links', { year: y, rows: count }, () => writeExport(out, bytes));
      ctx.out(`${count} → ${out}`);
    },
  },
  'round open': {
    usage: 'round open --year Y',
    summary: 'accept ballots (between the opening and closing times)',
    flags: ['year'],
    async run(ctx, args) {
      unwrap(ctx, await openRound(ctx.db, ctx.audit, yearFlag(args), 'cli'));
      ctx.out(ctx.t('rounds.opened'));
    },
  },
  'round close': {
    usage: 'round close --year Y',
    summary: 'stop accepting ballots, and mix them so the database files say nothing of their order',
    flags: ['year'],
    async run(ctx, args) {
      const round = unwrap(ctx, await closeRound(ctx.store, ctx.audit, yearFlag(args), 'cli'));
      ctx.out(ctx.t('rounds.closed'));
      if (round.mixingFailed) {
        throw new CliError(
          `The round is closed, but its ballots could not be mixed yet: ${round.mixingFailed}\nA server mixes them when it starts, and within a minute while it runs.`,
        );
      }
    },
  },
  'round status': {
    usage: 'round status --year Y',
    summary: "the round's state, turnout overall and by stratum, and its paper ballots",
    flags: ['year'],
    async run(ctx, args) {
      const y = yearFlag(args);
      const round = await findRound(ctx.db, y);
      if (!round) throw new CliError(ctx.t('rounds.error.notFound', { year: y }));
      ctx.out(`${round.year} ${round.title}`);
      ctx.out(`${ctx.t('rounds.status')}: ${ctx.t(`rounds.status.${round.status}`)} (${round.status})`);
      if (round.pool_hash) ctx.out(`poolHash ${round.pool_hash}`);
      if (round.seed) ctx.out(`seed ${round.seed}`);
      for (const line of designLines(designOf(round))) ctx.out(line);
      const rows = await turnoutByStratum(ctx.db, round);
      if (!rows.length) return;
      const pct = (a: number, s: number) => (s ? `${((100 * a) / s).toFixed(1)}%` : '—');
      const seats = rows.reduce((n, r) => n + r.seats, 0);
      const answered = rows.reduce((n, r) => n + r.answered, 0);
      ctx.out(`${ctx.t('rounds.turnout')}: ${answered}/${seats} ${pct(answered, seats)}`);
      for (const r of rows) ctx.out(`  ${r.stratum}: ${r.answered}/${r.seats} ${pct(r.answered, r.seats)}`);
      for (const line of await paperStatusLines(ctx, round)) ctx.out(line);
    },
  },
};
