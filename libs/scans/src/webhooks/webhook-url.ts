import { REDACTED_URL_SUFFIX } from '../views.js';

/**
 * The form of a webhook URL that may be stored in clear, shown and logged. Chat platforms put
 * the credential in the URL (Slack's path, DingTalk's access_token, Feishu's hook id, WeCom's
 * key, Teams Workflows' sig): for those kinds only the scheme and host are kept. A generic
 * URL is kept whole unless it carries user info, a query, or a path segment that looks like a
 * token.
 */
export function displayUrl(kind: string, url: URL): string {
  const short = `${url.protocol}//${url.host}${REDACTED_URL_SUFFIX}`;
  if (kind !== 'generic') return short;
  if (url.username || url.password || url.search || url.hash) return short;
  if (url.pathname.split('/').some(tokenLike)) return short;
  return url.toString();
}

/** Long strings, or strings mixing letters and digits, look like tokens ("hooks", "rollsafe" do not). */
function tokenLike(segment: string): boolean {
  const text = decodeURIComponentSafe(segment);
  return text.length >= 20 || (text.length >= 6 && /\d/.test(text) && /[A-Za-z]/.test(text));
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
