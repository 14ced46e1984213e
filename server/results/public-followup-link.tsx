import type { Translate } from '../i18n/catalogue.js';

/** Beside the flags of a published year: where to see what followed them (rectification, measures, comments). */
export function FollowUpLink({ t, year }: { t: Translate; year: number }) {
  return (
    <p class="followup-link">
      <a href={`/rectification/${year}`}>
        <span aria-hidden="true">→ </span>
        {t('public.followup.link')}
      </a>
    </p>
  );
}
