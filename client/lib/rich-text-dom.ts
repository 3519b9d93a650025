// A message body drawn from rich-text.ts's tokens: text nodes, and <a>, <code>, <strong>, <em>
// holding text nodes — the one renderer of the widget and the console. Never innerHTML.

import { build, tokenize } from './rich-text.ts';

/** Links open in a new tab, tell the target nothing, and pass no ranking credit. */
export const LINK_REL = 'noopener noreferrer nofollow';

/** The body as DOM: text nodes, and <a>, <code>, <strong>, <em> holding text nodes. Never innerHTML. */
export function renderRichText(body: string, doc: Document = document): DocumentFragment {
  const fragment = doc.createDocumentFragment();
  const el = (tag: string, children: Node[]) => {
    const node = doc.createElement(tag);
    node.append(...children);
    return node;
  };
  const nodes = build<Node>(tokenize(body), {
    text: (text) => doc.createTextNode(text),
    link(href, text) {
      const a = el('a', [doc.createTextNode(text)]);
      a.setAttribute('href', href);
      a.setAttribute('target', '_blank');
      a.setAttribute('rel', LINK_REL);
      return a;
    },
    code: (text) => el('code', [doc.createTextNode(text)]),
    strong: (children) => el('strong', children),
    em: (children) => el('em', children),
  });
  fragment.append(...nodes);
  return fragment;
}
