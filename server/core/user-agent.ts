// Browser and operating system from a User-Agent header, for the agent's context panel. A few
// substring searches over at most UA_MAX characters (linear time, no regular expressions: a
// header is attacker-controlled), most specific product first. Unknown agents give null.

/** Longer headers are cut here before parsing (real ones are under 300 characters). */
export const UA_MAX = 512;

export interface ParsedUserAgent {
  browser: string | null;
  os: string | null;
}

/** The version after `token` (e.g. "Chrome/" → "126"): its leading digits, the major version only. */
function majorAfter(ua: string, token: string): string | null {
  const at = ua.indexOf(token);
  if (at < 0) return null;
  let i = at + token.length;
  let out = '';
  while (i < ua.length && out.length < 6) {
    const c = ua.charCodeAt(i);
    if (c < 48 || c > 57) break;
    out += ua[i++];
  }
  return out || null;
}

function named(name: string, version: string | null): string {
  return version ? `${name} ${version}` : name;
}

// [token, shown name], in the order they must be tried: Edge and Opera and Samsung say "Chrome" too,
// Chrome says "Safari" too.
const BROWSERS: ReadonlyArray<readonly [string, string]> = [
  ['Edg/', 'Edge'],
  ['EdgA/', 'Edge'],
  ['EdgiOS/', 'Edge'],
  ['OPR/', 'Opera'],
  ['SamsungBrowser/', 'Samsung Internet'],
  ['Firefox/', 'Firefox'],
  ['FxiOS/', 'Firefox'],
  ['CriOS/', 'Chrome'],
  ['Chromium/', 'Chromium'],
  ['Chrome/', 'Chrome'],
];

function browserOf(ua: string): string | null {
  for (const [token, name] of BROWSERS) {
    if (ua.includes(token)) return named(name, majorAfter(ua, token));
  }
  if (ua.includes('Safari/') && ua.includes('Version/')) return named('Safari', majorAfter(ua, 'Version/'));
  if (ua.includes('Trident/') || ua.includes('MSIE ')) return 'Internet Explorer';
  return null;
}

/** "10_15_7" or "17_5" → "10.15" / "17.5": the first two numbers after `token`. */
function dottedAfter(ua: string, token: string): string | null {
  const at = ua.indexOf(token);
  if (at < 0) return null;
  let i = at + token.length;
  const parts: string[] = [''];
  while (i < ua.length && parts.length <= 2) {
    const ch = ua[i++];
    const c = ch.charCodeAt(0);
    if (c >= 48 && c <= 57) {
      if (parts[parts.length - 1].length < 4) parts[parts.length - 1] += ch;
    } else if ((ch === '_' || ch === '.') && parts[parts.length - 1] !== '') parts.push('');
    else break;
  }
  const got = parts.filter((p) => p !== '').slice(0, 2);
  return got.length ? got.join('.') : null;
}

function osOf(ua: string): string | null {
  if (ua.includes('iPhone') || ua.includes('iPad') || ua.includes('iPod')) return named('iOS', dottedAfter(ua, 'OS '));
  if (ua.includes('Android')) return named('Android', dottedAfter(ua, 'Android '));
  if (ua.includes('CrOS')) return 'ChromeOS';
  if (ua.includes('Windows NT 10.0')) return 'Windows 10/11';
  if (ua.includes('Windows NT 6.3')) return 'Windows 8.1';
  if (ua.includes('Windows NT 6.1')) return 'Windows 7';
  if (ua.includes('Windows')) return 'Windows';
  if (ua.includes('Mac OS X')) return named('macOS', dottedAfter(ua, 'Mac OS X '));
  if (ua.includes('Linux')) return 'Linux';
  return null;
}

export function parseUserAgent(header: string | null | undefined): ParsedUserAgent {
  if (!header) return { browser: null, os: null };
  const ua = header.slice(0, UA_MAX);
  return { browser: browserOf(ua), os: osOf(ua) };
}
