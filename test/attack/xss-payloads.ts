// Stored-XSS payloads for the attack suite ([ATK-XSS]): written here for Parley, not copied
// from a list. Every payload, if a browser ever treats it as markup, URL or template, calls a
// sink that names it — `__xss(id)`, `alert(id)`, `confirm(id)`, `prompt(id)`, `print(id)` — or
// makes a request to / navigation towards `xss-<id>.invalid`. The test installs those sinks.

export interface Payload {
  id: number;
  family: string;
  text: string;
}

/** `x` is the sink call for this payload (`__xss(7)`), `n` its id, for shapes that spell the id themselves. */
type Template = (x: string, n: number) => string;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const charCodes = (s: string) => [...s].map((c) => c.charCodeAt(0)).join(',');

const FAMILIES: Record<string, Template[]> = {
  script: [
    (x) => `<script>${x}</script>`,
    (x) => `<ScRiPt>${x}</sCrIpT>`,
    (x) => `<script src="data:text/javascript,${x}"></script>`,
    (x) => `<script type="module">${x}</script>`,
    (x) => `</script><script>${x}</script>`,
    (_, n) => `<script>alert(${n})</script>`,
    (_, n) => `<script>confirm(${n})</script>`,
    (_, n) => `<script>prompt(${n})</script>`,
    (_, n) => `<script>print(${n})</script>`,
    (x) => `<<script>${x};//<</script>`,
    (x) => `<script/any>${x}</script>`,
    (x) => `<script>/*</script><svg onload=${x}>*/</script>`,
    (x) => `<scr<script>ipt>${x}</scr</script>ipt>`,
    (x) => `<script\n>${x}</script\n>`,
    // U+0000 is refused at the edge ([SEC8-4]); U+0001 is the control character that still gets in.
    (x) => `<scr\u0001ipt>${x}</scr\u0001ipt>`,
    (x) => `<script>setTimeout(()=>${x})</script>`,
  ],
  url: [
    (x) => `javascript:${x}`,
    (x) => `JaVaScRiPt:${x}`,
    (x) => `javascript://%0a${x}`,
    (x) => `java\tscript:${x}`,
    (x) => `&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;${x}`,
    (x) => `javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/"/+/onmouseover=1/+/[*/[]/+${x}//'>`,
    (_, n) => `data:text/html,<script>alert(${n})</script>`,
    (_, n) => `data:text/html;base64,${b64(`<script>alert(${n})</script>`)}`,
    (x) => `<a href="javascript:${x}">open</a>`,
    (x) => `<a href="jav&#x09;ascript:${x}">open</a>`,
    (x) => `<a href=" &#14; javascript:${x}">open</a>`,
    (_, n) => `<iframe src="javascript:alert(${n})"></iframe>`,
    (_, n) => `<iframe src="data:text/html,<script>alert(${n})</script>"></iframe>`,
    (_, n) => `<object data="javascript:alert(${n})"></object>`,
    (_, n) => `<object data="data:text/html;base64,${b64(`<script>alert(${n})</script>`)}"></object>`,
    (_, n) => `<embed src="data:text/html,<script>alert(${n})</script>">`,
    (x) => `<form action="javascript:${x}"><button>go</button></form>`,
    (x) => `<form><button formaction=javascript:${x}>go</button></form>`,
    (x) => `<math><a xlink:href="javascript:${x}">open</a></math>`,
    (x) => `<svg><a href="javascript:${x}"><text x=0 y=20>open</text></a></svg>`,
    (x) => `<isindex action=javascript:${x} type=image>`,
    (x) => `https://example.com/"onmouseover="${x}"`,
    (x) => `https://example.com/?q=<script>${x}</script>`,
    (x) => `https://example.com/#<img src=x onerror=${x}>`,
    (x) => `http://"><svg onload=${x}>`,
    (x) => `mailto:"><img src=x onerror=${x}>`,
    (_, n) => `//xss-${n}.invalid/steal?c=`,
  ],
  srcdoc: [
    (_, n) => `<iframe srcdoc="<script>alert(${n})</script>"></iframe>`,
    (_, n) => `<iframe srcdoc="&lt;img src=x onerror=alert(${n})&gt;"></iframe>`,
    (_, n) => `<iframe srcdoc='<svg onload=alert(${n})>'></iframe>`,
    (_, n) => `<iframe/srcdoc="&#60;script&#62;alert(${n})&#60;/script&#62;">`,
  ],
  encoding: [
    (x) => `&lt;script&gt;${x}&lt;/script&gt;`,
    (x) => `&#60;img src=x onerror=${x}&#62;`,
    (x) => `&#x3C;svg onload=${x}&#x3E;`,
    (x) => `%3Cscript%3E${x}%3C%2Fscript%3E`,
    (x) => `%253Cscript%253E${x}%253C%252Fscript%253E`,
    (x) => `\\u003cimg src=x onerror=${x}\\u003e`,
    (x) => `\\x3cscript\\x3e${x}\\x3c/script\\x3e`,
    (x) => `＜script＞${x}＜/script＞`,
    (x) => `+ADw-script+AD4-${x}+ADw-/script+AD4-`,
    (_, n) => `<img src=x onerror="&#95;&#95;xss&#40;${n}&#41;">`,
    (_, n) => `<img src=x onerror=\\u005f\\u005fxss(${n})>`,
    (x) => `<img src=x onerror=eval(atob('${b64(x)}'))>`,
    (x) => `<img src=x onerror=eval(String.fromCharCode(${charCodes(x)}))>`,
    (_, n) => `<svg onload=eval('\\x5f\\x5fxss(${n})')>`,
    (_, n) => `<img src=x onerror=window['__x'+'ss'](${n})>`,
    (_, n) => `<img src=x onerror=[${n}].map(__xss)>`,
    (x) => `<img src=x onerror=setTimeout('${x}')>`,
    (x) => `<img src=x onerror=Function('${x}')()>`,
    (x) => `<img src=x onerror=import('data:text/javascript,${x}')>`,
    (x) => `<img src=x onerror=location='javascript:${x}'>`,
    (_, n) => `<svg onload=__xss&#40;${n}&#41;>`,
    (x) => `<img src=x onerror=${x}&#x3b;//>`,
  ],
  breakout: [
    (x) => `"><img src=x onerror=${x}>`,
    (x) => `'><img src=x onerror=${x}>`,
    (x) => `"><svg/onload=${x}>`,
    (x) => `" autofocus onfocus="${x}`,
    (x) => `' autofocus onfocus='${x}`,
    (x) => `" onmouseover="${x}" x="`,
    (x) => `\`><img src=x onerror=${x}>`,
    (x) => `"/><script>${x}</script>`,
    (x) => `</textarea><script>${x}</script>`,
    (x) => `</title><script>${x}</script>`,
    (x) => `</style><script>${x}</script>`,
    (x) => `--><script>${x}</script><!--`,
    (x) => `]]><script>${x}</script>`,
    (x) => `</noscript><img src=x onerror=${x}>`,
    (x) => `</option></select><img src=x onerror=${x}>`,
    (x) => `"; ${x}; //`,
    (x) => `'; ${x}; //`,
    (x) => `\\"; ${x}; //`,
    (x) => `x" onerror="${x}`,
    (x) => `</a><a href=javascript:${x}>open</a>`,
  ],
  template: [
    (x) => `{{constructor.constructor('${x}')()}}`,
    (x) => `{{$on.constructor('${x}')()}}`,
    (x) => `{{[].pop.constructor('${x}')()}}`,
    (x) => `\${${x}}`,
    (x) => `#{${x}}`,
    (x) => `<%= ${x} %>`,
    (x) => `{{= ${x} }}`,
    (x) => `{{{${x}}}}`,
    (x) => `[[${x}]]`,
    (x) => `<div v-html="'<img src=x onerror=${x}>'"></div>`,
    (x) => `<div ng-app ng-csp><input autofocus ng-focus="$event.view.${x}"></div>`,
    (x) => `[open me](javascript:${x})`,
    (x) => `![x](https://x.invalid/a.png"onerror="${x})`,
    (x) => `[a](javascript:${x} "title")`,
    (x) => `<!--{{${x}}}-->`,
  ],
  mutation: [
    (x) => `<noscript><p title="</noscript><img src=x onerror=${x}>">`,
    (x) => `<svg></p><style><a id="</style><img src=1 onerror=${x}>">`,
    (x) => `<math><mtext><table><mglyph><style><img src=x onerror=${x}>`,
    (x) => `<form><math><mtext></form><form><mglyph><style></math><img src onerror=${x}>`,
    (x) => `<svg><style><img src=x onerror=${x}></style></svg>`,
    (x) => `<xmp><img src=x onerror=${x}></xmp>`,
    (x) => `<noembed><img title="</noembed><img src=x onerror=${x}>"></noembed>`,
    (x) => `<template><img src=x onerror=${x}></template>`,
    (x) => `<select><template><img src=x onerror=${x}></template></select>`,
    (x) => `<listing>&lt;img src=x onerror=${x}&gt;</listing>`,
    (x) => `<math><style><img src=x onerror=${x}></style></math>`,
    (x) => `<svg><![CDATA[><img src=x onerror=${x}>]]></svg>`,
    (x) => `<table><td><svg><foreignObject><img src=x onerror=${x}>`,
    (x) => `<!--><img src=x onerror=${x}>-->`,
    (x) => `<!--<img src="--><img src=x onerror=${x}//">`,
    (x) => `<? ><img src=x onerror=${x}> ?>`,
  ],
  css: [
    (x) => `<div style="width:expression(${x})">x</div>`,
    (x) => `<div style="background:url(javascript:${x})">x</div>`,
    (x) => `<style>@import 'javascript:${x}';</style>`,
    (x) => `<style>*{background-image:url("javascript:${x}")}</style>`,
    (x) => `<link rel=stylesheet href="data:text/css,*{x:expression(${x})}">`,
    (x) => `<style>@keyframes k{}</style><b style="animation:k 1ms" onanimationstart=${x}>x</b>`,
    (_, n) => `<style>@import url(//xss-${n}.invalid/x.css);</style>`,
    (_, n) => `<p style="background:url(//xss-${n}.invalid/p.png)">x</p>`,
  ],
  navigation: [
    (x) => `<meta http-equiv="refresh" content="0;url=javascript:${x}">`,
    (_, n) => `<meta http-equiv=refresh content="0;url=http://xss-${n}.invalid/">`,
    (x) => `<base href="javascript:${x}//">`,
    (_, n) => `<base href="http://xss-${n}.invalid/">`,
    (_, n) => `<link rel=prefetch href="http://xss-${n}.invalid/">`,
    (_, n) => `<img src="http://xss-${n}.invalid/pixel.png">`,
    (_, n) => `<form action="http://xss-${n}.invalid/"><input name=q autofocus onfocus=this.form.submit()></form>`,
    (_, n) => `<object data="http://xss-${n}.invalid/"></object>`,
    (_, n) => `<iframe src="//xss-${n}.invalid/"></iframe>`,
    (_, n) => `<portal src="//xss-${n}.invalid/"></portal>`,
    (_, n) => `<svg><image href="//xss-${n}.invalid/x.svg"/></svg>`,
    (_, n) => `<a href="http://xss-${n}.invalid/" ping="http://xss-${n}.invalid/ping">open</a>`,
  ],
  svg: [
    (x) => `<svg><animate onbegin=${x} attributeName=x dur=1s>`,
    (x) => `<svg><set onbegin=${x} attributeName=x to=1>`,
    (x) => `<svg><animate attributeName=href values=javascript:${x} /><a id=x><text x=20 y=20>open</text></a></svg>`,
    (x) => `<svg><script>${x}</script></svg>`,
    (x) => `<svg><script href="data:,${x}"/></svg>`,
    (_, n) => `<svg><foreignObject><iframe srcdoc="<script>alert(${n})</script>"></iframe></foreignObject></svg>`,
    (x) => `<math><maction actiontype=statusline xlink:href=javascript:${x}>x</maction></math>`,
    (x) => `<svg><use href="data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='1' onerror='${x}'/></svg>#x"/></svg>`,
    (x) => `<svg><discard onbegin=${x}>`,
  ],
  misc: [
    (x) => `<x contenteditable autofocus onfocus=${x}>`,
    (x) => `<img srcset=",,,,,x" onerror=${x}>`,
    (x) => `<picture><source srcset=x><img onerror=${x}></picture>`,
    (x) => `<video><source onerror=${x}></video>`,
    (x) => `<marquee loop=1 width=0 onfinish=${x}>x</marquee>`,
    (x) => `<frameset onload=${x}>`,
    (x) => `<img src=x onerror=${x}//`,
    (x) => `<img src=x onerror=${x}`,
    (x) => `<img src=x:x onerror=${x}>`,
    (x) => `<img/src/onerror=${x}>`,
    (x) => `<img\nsrc=x\nonerror=${x}>`,
    (x) => `<div popover id=p onbeforetoggle=${x}>x</div><button popovertarget=p autofocus>x</button>`,
    (x) => `<dialog open onclose=${x}><form method=dialog><button autofocus>x</button></form></dialog>`,
    (x) => `<div onpointerover=${x} style="position:fixed;inset:0">`,
    (x) => `<body onhashchange=${x}>`,
    (x) => `<svg onload=${x}//`,
  ],
};

/** Elements that fire a handler by themselves (or on the slightest contact), with the closing part. */
const HANDLERS: Array<[open: string, event: string, close: string]> = [
  ['img src=x', 'onerror', ''],
  ['svg', 'onload', '</svg>'],
  ['body', 'onload', ''],
  ['details open', 'ontoggle', '</details>'],
  ['video src=x', 'onerror', '</video>'],
  ['audio src=x', 'onerror', '</audio>'],
  ['input autofocus', 'onfocus', ''],
  ['iframe', 'onload', '</iframe>'],
  ['object data=x', 'onerror', '</object>'],
  ['style', 'onload', '</style>'],
  ['textarea autofocus', 'onfocus', '</textarea>'],
  ['marquee', 'onstart', '</marquee>'],
];

/** Four spellings of every handler: bare, double-quoted, slash-separated with single quotes, upper case. */
const STYLES: Array<(open: string, event: string, close: string, n: number) => string> = [
  (open, event, close, n) => `<${open} ${event}=__xss(${n})>${close}`,
  (open, event, close, n) => `<${open} ${event}="alert(${n})">${close}`,
  (open, event, close, n) => `<${open.replaceAll(' ', '/')}/${event}='top.__xss(${n})'>${close}`,
  (open, event, close, n) => `<${open.toUpperCase()} ${event.toUpperCase()}=confirm(${n})>${close.toUpperCase()}`,
];

export function buildPayloads(): Payload[] {
  const shapes: Array<{ family: string; make: (n: number) => string }> = [];
  for (const [family, templates] of Object.entries(FAMILIES)) {
    for (const t of templates) shapes.push({ family, make: (n) => t(`__xss(${n})`, n) });
  }
  for (const style of STYLES) {
    for (const [open, event, close] of HANDLERS) shapes.push({ family: 'handler', make: (n) => style(open, event, close, n) });
  }
  return shapes.map((s, i) => ({ id: i + 1, family: s.family, text: s.make(i + 1) }));
}
