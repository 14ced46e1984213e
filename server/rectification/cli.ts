import { CliError, flagText, requiredFlag, yearFlag, type CliContext, type Command, type ParsedArgs } from '../cli/command.js';
import { findRound } from '../rounds/rounds.js';
import { dateInZone } from '../time.js';
import { problemText } from '../validate.js';
import { commentsOfRound, handedOver, makeCommentPublic, releaseComment, replyToComment, withholdComment } from './comments.js';
import { followUpOfYear } from './follow-up.js';
import { addItem, addUpdate } from './items.js';
import { recordMeasure } from './measures.js';
import type { Result } from './result.js';
import { replyOverdue } from './rules.js';

/*
 * The follow-up from the shell: screening comments, replies (as received from a unit), rectification items and
 * their progress, measures. Each is the same audited action as in the console, by the actor `cli`.
 */

function commentId(args: ParsedArgs): number {
  const id = requiredFlag(args, 'id');
  if (!/^[1-9]\d{0,15}$/.test(id) || !Number.isSafeInteger(Number(id))) throw new CliError(`--id must be a comment's number (got ${id.slice(0, 20)})`);
  return Number(id);
}

function unwrap<T>(ctx: CliContext, r: Result<T>): T {
  if (!r.ok) throw new CliError(r.problems.map((p) => problemText(ctx.t, p)).join('\n'));
  return r.value;
}

const today = (ctx: CliContext) => dateInZone(ctx.clock.now(), ctx.config.timeZone);
/** Text on one line, as JSON writes a string: newlines and quotes escaped, so every record is one line. */
const quoted = (s: string) => JSON.stringify(s);

export const followUpCommands: Record<string, Command> = {
  'comments list': {
    usage: 'comments list --year Y [--unit CODE] [--status pending|released|withheld]',
    summary: "a closed round's unit comments: id, unit, state, text (and the reply)",
    flags: ['year', 'unit', 'status'],
    async run(ctx, args) {
      const y = yearFlag(args);
      const round = await findRound(ctx.db, y);
      if (!round) throw new CliError(ctx.t('rounds.error.notFound', { year: y }));
      if (!handedOver(round)) throw new CliError(ctx.t('comments.error.notClosed', { year: y }));
      const status = flagText(args, 'status');
      if (status !== undefined && !['pending', 'released', 'withheld'].includes(status)) throw new CliError('--status must be pending, released or withheld');
      const now = today(ctx);
      const list = (await commentsOfRound(ctx.db, round.id, flagText(args, 'unit'))).filter((x) => status === undefined || x.status === status);
      for (const x of list) {
        const state =
          x.status === 'released'
            ? `released due ${x.dueOn}${x.reply !== null ? ' replied' : replyOverdue(x, now) ? ' OVERDUE' : ''}${x.public ? ' public' : ''}`
            : x.status === 'withheld'
              ? `withheld ${quoted(x.reason ?? '')}`
              : 'pending';
        ctx.out(`${x.id} ${x.unitCode} ${state} ${quoted(x.text)}${x.reply !== null ? ` reply ${quoted(x.reply)}` : ''}`);
      }
      ctx.out(`${list.length} comments`);
    },
  },
  'comments release': {
    usage: 'comments release --year Y --id ID',
    summary: 'release a comment to its unit (the reply is due REPLY_DAYS later)',
    flags: ['year', 'id'],
    async run(ctx, args) {
      const x = unwrap(
        ctx,
        await releaseComment(
          ctx.db,
          ctx.audit,
          { year: yearFlag(args), id: commentId(args), replyDays: ctx.config.replyDays, timeZone: ctx.config.timeZone },
          'cli',
        ),
      );
      ctx.out(`comment ${x.id} released to ${x.unitCode}; reply due ${x.dueOn}`);
    },
  },
  'comments withhold': {
    usage: 'comments withhold --year Y --id ID --reason TEXT',
    summary: 'withhold a comment from its unit (it names a person or a shop, or is abusive)',
    flags: ['year', 'id', 'reason'],
    async run(ctx, args) {
      const x = unwrap(
        ctx,
        await withholdComment(ctx.db, ctx.audit, { year: yearFlag(args), id: commentId(args), reason: flagText(args, 'reason') ?? '' }, 'cli'),
      );
      ctx.out(`comment ${x.id} withheld`);
    },
  },
  'comments public': {
    usage: 'comments public --year Y --id ID',
    summary: 'publish an answered comment with its reply',
    flags: ['year', 'id'],
    async run(ctx, args) {
      const x = unwrap(ctx, await makeCommentPublic(ctx.db, ctx.audit, { year: yearFlag(args), id: commentId(args) }, 'cli'));
      ctx.out(`comment ${x.id} and its reply are public`);
    },
  },
  'comments reply': {
    usage: 'comments reply --id ID --reply TEXT',
    summary: "record a unit's reply to a comment released to it (once)",
    flags: ['id', 'reply'],
    async run(ctx, args) {
      const x = unwrap(ctx, await replyToComment(ctx.db, ctx.audit, { id: commentId(args), unit: null, reply: flagText(args, 'reply') ?? '' }, 'cli'));
      ctx.out(`reply to comment ${x.id} (${x.unitCode}) recorded`);
    },
  },
  'rectification add': {
    usage: 'rectification add --year Y --unit CODE --problem TEXT --measure TEXT --deadline YYYY-MM-DD',
    summary: "add an item to a unit's rectification plan for a published year; prints its id",
    flags: ['year', 'unit', 'problem', 'measure', 'deadline'],
    async run(ctx, args) {
      const item = unwrap(
        ctx,
        await addItem(
          ctx.db,
          ctx.audit,
          {
            year: yearFlag(args),
            unit: requiredFlag(args, 'unit'),
            problem: flagText(args, 'problem') ?? '',
            measure: flagText(args, 'measure') ?? '',
            deadline: flagText(args, 'deadline') ?? '',
            timeZone: ctx.config.timeZone,
          },
          'cli',
        ),
      );
      ctx.out(`item ${item.id} added to ${item.unitCode} (item ${item.position}, due ${item.deadline})`);
    },
  },
  'rectification update': {
    usage: 'rectification update --id ITEM --status planned|in_progress|done [--note TEXT]',
    summary: "record an item's progress, dated today",
    flags: ['id', 'status', 'note'],
    async run(ctx, args) {
      const item = unwrap(
        ctx,
        await addUpdate(
          ctx.db,
          ctx.audit,
          {
            id: requiredFlag(args, 'id'),
            status: flagText(args, 'status') ?? '',
            note: flagText(args, 'note') ?? '',
            unit: null,
            timeZone: ctx.config.timeZone,
          },
          'cli',
        ),
      );
      ctx.out(`item ${item.id} is ${item.status} as of ${item.updates.at(-1)?.date}`);
    },
  },
  'rectification list': {
    usage: 'rectification list --year Y [--unit CODE]',
    summary: "a published year's follow-up by unit: flags, measure, items with status and overdue flags, replies",
    flags: ['year', 'unit'],
    async run(ctx, args) {
      const y = yearFlag(args);
      const follow = await followUpOfYear(ctx.db, y, today(ctx), ctx.config.timeZone);
      if (!follow) throw new CliError(ctx.t('items.error.notPublished', { year: y }));
      const only = flagText(args, 'unit');
      for (const u of follow.doc.units) {
        if (only !== undefined && u.code !== only) continue;
        const flags = [u.bottom3 && 'bottom3', u.bottom3TwoYears && 'two-years'].filter(Boolean).join(',') || '-';
        const measure = u.measure
          ? `measure ${quoted(u.measure.measure)} ${u.measure.decidedOn}`
          : u.measurePendingDays !== null
            ? `measure pending ${u.measurePendingDays} days`
            : '';
        const c = u.comments;
        ctx.out(
          `${u.code} ${flags} items ${u.items.length} comments ${c.replied}/${c.released} answered, ${c.overdue} overdue${measure ? `; ${measure}` : ''}`,
        );
        for (const i of u.items) ctx.out(`  ${i.id} ${i.status}${i.overdue ? ' OVERDUE' : ''} due ${i.deadline} ${quoted(i.problem)}`);
      }
    },
  },
  'measures record': {
    usage: 'measures record --year Y --unit CODE --measure TEXT --decided-on YYYY-MM-DD [--note TEXT]',
    summary: 'record the measure taken for a unit in the bottom three two years running (once)',
    flags: ['year', 'unit', 'measure', 'decided-on', 'note'],
    async run(ctx, args) {
      const m = unwrap(
        ctx,
        await recordMeasure(
          ctx.db,
          ctx.audit,
          {
            year: yearFlag(args),
            unit: requiredFlag(args, 'unit'),
            measure: flagText(args, 'measure') ?? '',
            decidedOn: flagText(args, 'decided-on') ?? '',
            note: flagText(args, 'note') ?? '',
            timeZone: ctx.config.timeZone,
          },
          'cli',
        ),
      );
      ctx.out(`measure for ${m.unitCode} recorded: ${m.measure} (${m.decidedOn})`);
    },
  },
};
