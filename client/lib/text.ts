// A message body as text, with plain web addresses made into links.
// Only http(s) URLs become links; `javascript:` and every markup stay literal text.
// splitLinks is the pure part (the console renders its pieces with Preact).

import { h } from './dom.ts';

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

export type BodyPart = { text: string; href?: undefined } | { text: string; href: string };

/** The body cut into text and http(s) links, in order; joined, the parts are the body. */
export function splitLinks(body: string): BodyPart[] {
  const parts: BodyPart[] = [];
  let last = 0;
  for (const match of body.matchAll(URL_PATTERN)) {
    const at = match.index ?? 0;
    if (at > last) parts.push({ text: body.slice(last, at) });
    parts.push({ text: match[0], href: match[0] });
    last = at + match[0].length;
  }
  if (last < body.length) parts.push({ text: body.slice(last) });
  return parts;
}

export function renderBody(body: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const part of splitLinks(body)) {
    fragment.appendChild(part.href ? h('a', { href: part.href, target: '_blank', rel: 'noopener noreferrer nofollow' }, part.text) : document.createTextNode(part.text));
  }
  return fragment;
}
