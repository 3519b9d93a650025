// The little of the DOM that the attack suite's page-side code (the callbacks it hands to
// page.evaluate, which run in Chromium) uses. Node code is type-checked without the DOM library
// (tsconfig.json); these declarations keep those callbacks checked all the same.

export interface PageNode {
  nodeType: number;
  textContent: string | null;
  firstChild: PageNode | null;
  childNodes: Iterable<PageNode>;
}

export interface PageElement extends PageNode {
  id: string;
  localName: string;
  outerHTML: string;
  innerHTML: string;
  attributes: Iterable<{ name: string; value: string }>;
  dataset: Record<string, string | undefined>;
  classList: { contains(name: string): boolean };
  getAttribute(name: string): string | null;
  querySelector<T extends PageElement = PageElement>(selector: string): T | null;
  querySelectorAll<T extends PageElement = PageElement>(selector: string): Iterable<T>;
  closest<T extends PageElement = PageElement>(selector: string): T | null;
  append(...nodes: PageNode[]): void;
  remove(): void;
  click(): void;
}

export interface PageDocument {
  body: PageElement;
  createElement(tag: string): PageElement;
  getElementById(id: string): PageElement | null;
  querySelector<T extends PageElement = PageElement>(selector: string): T | null;
  querySelectorAll<T extends PageElement = PageElement>(selector: string): Iterable<T>;
}
