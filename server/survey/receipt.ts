/*
 * The receipt travels from the ballot to the thank-you page in a cookie, never in an address: a proxy's access log
 * holds each request line, and `POST /s/{token}` followed by `GET /thanks?receipt=…` from the same client would tie
 * the ballot (its receipt) to its voter (their link). The cookie is short-lived, sent to `/thanks` only, unreadable
 * by scripts, and cleared by the page that shows it.
 */

export const RECEIPT_COOKIE = 'receipt';
export const RECEIPT_PATTERN = /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/;

/** Long enough for a slow phone to follow the redirect; the page clears it at once anyway. */
const RECEIPT_SECONDS = 300;

/** The `Set-Cookie` value that hands `receipt` to the thank-you page. */
export function receiptCookie(receipt: string, secure: boolean): string {
  return `${RECEIPT_COOKIE}=${receipt}; Max-Age=${RECEIPT_SECONDS}; Path=/thanks; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** The `Set-Cookie` value that removes it once shown. */
export function clearedReceiptCookie(secure: boolean): string {
  return `${RECEIPT_COOKIE}=; Max-Age=0; Path=/thanks; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
