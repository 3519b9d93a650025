// A message body as text nodes, with plain web addresses made into links.
// Only http(s) URLs become links; `javascript:` and every markup stay literal text.

import { h } from './dom.ts';

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

export function renderBody(body: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of body.matchAll(URL_PATTERN)) {
    const at = match.index ?? 0;
    if (at > last) fragment.appendChild(document.createTextNode(body.slice(last, at)));
    fragment.appendChild(h('a', { href: match[0], target: '_blank', rel: 'noopener noreferrer nofollow' }, match[0]));
    last = at + match[0].length;
  }
  if (last < body.length) fragment.appendChild(document.createTextNode(body.slice(last)));
  return fragment;
}
