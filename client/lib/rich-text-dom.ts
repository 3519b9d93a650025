// A message body drawn from rich-text.ts's tokens: text nodes, and <a>, <code>, <strong>, <em>
// holding text nodes — the one renderer of the widget and the console. Never innerHTML.
// The delimiters (`*`, `_`, backticks) stay in the page as hidden text beside the element they
// made: the text of a body's element is the body exactly, as sent, and the eye (and a screen
// reader) gets the formatting without the marks.

import { build, tokenize } from './rich-text.ts';

/** Links open in a new tab, tell the target nothing, and pass no ranking credit. */
export const LINK_REL = 'noopener noreferrer nofollow';

export function renderRichText(body: string, doc: Document = document): DocumentFragment {
  const el = (tag: string, children: Node[]) => {
    const node = doc.createElement(tag);
    node.append(...children);
    return node;
  };
  const mark = (delimiter: string) => {
    const span = doc.createElement('span');
    span.className = 'fmt-mark';
    span.hidden = true;
    span.textContent = delimiter;
    return span;
  };
  const marked = (delimiter: string, node: Node) => {
    const fragment = doc.createDocumentFragment();
    fragment.append(mark(delimiter), node, mark(delimiter));
    return fragment;
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
    code: (text) => marked('`', el('code', [doc.createTextNode(text)])),
    strong: (children) => marked('*', el('strong', children)),
    em: (children) => marked('_', el('em', children)),
  });
  const fragment = doc.createDocumentFragment();
  fragment.append(...nodes);
  return fragment;
}
