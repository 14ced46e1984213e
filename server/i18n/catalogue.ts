/*
 * One message catalogue for each language, assembled from parts that keep both languages of a message side by
 * side, so a message cannot exist in one language only. Views never hard-code user-facing text.
 */
import { adminMessages } from './messages/admin.js';
import { codeMessages } from './messages/codes.js';
import { commonMessages } from './messages/common.js';
import { drawMessages } from './messages/draw.js';
import { paperMessages } from './messages/paper.js';
import { poolMessages } from './messages/pool.js';
import { publicMessages } from './messages/public.js';
import { rectificationMessages } from './messages/rectification.js';
import { resultsMessages } from './messages/results.js';
import { roundMessages } from './messages/rounds.js';
import { sheetMessages } from './messages/sheets.js';
import { surveyMessages } from './messages/survey.js';
import { unitMessages } from './messages/units.js';

export const LANGS = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGS)[number];

export type Pair = { zh: string; en: string };

const all = {
  ...commonMessages,
  ...adminMessages,
  ...unitMessages,
  ...poolMessages,
  ...roundMessages,
  ...drawMessages,
  ...surveyMessages,
  ...codeMessages,
  ...resultsMessages,
  ...publicMessages,
  ...rectificationMessages,
  ...paperMessages,
  ...sheetMessages,
} satisfies Record<string, Pair>;

export type MessageKey = keyof typeof all;
export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

const catalogues: Record<Lang, Record<string, string>> = { 'zh-CN': {}, en: {} };
for (const [key, pair] of Object.entries(all)) {
  catalogues['zh-CN'][key] = pair.zh;
  catalogues.en[key] = pair.en;
}

/** The translator for one language; `{name}` placeholders are filled from params. */
export function translator(lang: Lang): Translate {
  const cat = catalogues[lang];
  return (key, params) => {
    const text = cat[key] ?? key;
    return params ? text.replace(/\{(\w+)\}/g, (m, p: string) => (p in params ? String(params[p]) : m)) : text;
  };
}

export function isLang(v: string | undefined | null): v is Lang {
  return v === 'zh-CN' || v === 'en';
}

/** Picks zh-CN or en from an Accept-Language header, honouring q-values; zh-CN when neither is asked for. */
export function langFromAcceptLanguage(header: string | undefined): Lang {
  if (!header) return 'zh-CN';
  const ranked = header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...rest] = part.trim().split(';');
      const q = rest.map((r) => r.trim()).find((r) => r.startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1, i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of ranked) {
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'zh-CN';
}
