/**
 * The XSS corpus for xss-corpus.spec.ts: message texts, names a room accepts, names it refuses,
 * and names to rename to. Every payload that would run script if it ever became markup calls the
 * page's tripwire as `__xss(N)`, N being its number here (texts 1–99, names 101–199, renames
 * 201–299, texts with formatting 301–399), so that a failure says which payload ran. Some are written with entities or split by
 * invisible characters on purpose: those only run if a decoder somewhere undoes that.
 */

/** A message text and what the page must make of it: its links (their `href`, in order) and its formatting. */
export interface TextPayload {
  /** Sent exactly like this; the room trims it. */
  text: string;
  /** The `href` of every `<a>` the text must become, in order; none when left out. */
  links?: string[];
  /** The text shown when formatting takes marks away (`**`, a fence); the literal (trimmed) text when left out. */
  shown?: string;
  /** Every formatting element the text must become (tag names in document order, links and mentions aside); none when left out. */
  formatting?: string[];
}

const t = (text: string, ...links: string[]): TextPayload => ({ text, links });
/** A payload that formatting changes: what it shows and the elements it makes. */
const f = (text: string, shown: string, formatting: string[], ...links: string[]): TextPayload => ({ text, shown, formatting, links });

/** Pads `head` with `fill` up to exactly `codePoints` code points. */
function padTo(head: string, fill: string, codePoints: number): string {
  let out = head;
  while ([...out].length < codePoints) out += fill;
  const points = [...out];
  return points.slice(0, codePoints).join("");
}

/** Message texts, sent by other clients; each must render as its literal (trimmed) text. */
export const TEXTS: TextPayload[] = [
  // Script tags, plain and disguised.
  t(`<script>__xss(1)</script>`),
  t(`<ScRiPt>__xss(2)</sCrIpT>`),
  t(`<scr<script>ipt>__xss(3)</scr</script>ipt>`),
  t(`"><script>__xss(4)</script>`),
  t(`'></span></div></li></ol><script>__xss(5)</script><ol><li>`),
  t(`<svg><script>__xss(6)</script></svg>`),
  t(`<script src="data:text/javascript,__xss(7)"></script>`),
  // Event handlers, some needing no interaction, some needing a hover, click or focus.
  t(`<img src=x onerror=__xss(8)>`),
  t(`<IMG SRC="x" OnErRoR="__xss(9)">`),
  t(`<img src=x onerror="&#95;&#95;xss&#40;10&#41;">`),
  t(`<img/src=x/onerror=__xss(11)>`),
  t(`<img src=x:x onerror=__xss(12)//`),
  t(`<body onload=__xss(13)>`),
  t(`<input autofocus onfocus=__xss(14)>`),
  t(`<details open ontoggle=__xss(15)>`),
  t(`<video><source onerror=__xss(16)></video>`),
  t(`<b onmouseover=__xss(17)>hover me</b>`),
  t(`<x onclick=__xss(18)>click me</x>`),
  t(`<marquee onstart=__xss(19)>scroll</marquee>`),
  t(`<div style="animation:x 1s" onanimationstart=__xss(20)>`),
  // SVG and MathML.
  t(`<svg onload=__xss(21)>`),
  t(`<svg/onload=__xss(22)//`),
  t(`<svg><animate onbegin=__xss(23) attributeName=x dur=1s>`),
  t(`<svg><a href="javascript:__xss(24)"><text x=20 y=20>click</text></a></svg>`),
  t(`<math><mtext><a xlink:href="javascript:__xss(25)">math</a></mtext></math>`),
  // Frames and plugins.
  t(`<iframe srcdoc="<script>parent.__xss(26)</script>"></iframe>`),
  t(`<iframe srcdoc="&lt;img src=x onerror=parent.__xss(27)&gt;"></iframe>`),
  t(`<iframe src="javascript:parent.__xss(28)"></iframe>`),
  t(`<object data="javascript:__xss(29)"></object>`),
  t(`<embed src="data:text/html,<script>parent.__xss(30)</script>">`),
  // javascript: in many spellings, bare and as links.
  t(`javascript:__xss(31)`),
  t(`JaVaScRiPt:__xss(32)`),
  t(`jAvAsCrIpT:__xss(33)`),
  t(`  \n\t javascript:__xss(34)`),
  t(`java\tscript:__xss(35)`),
  t(`java\nscript:__xss(36)`),
  t(`\u0001javascript:__xss(37)`),
  t(`&#106;avascript:__xss(38)`),
  t(`&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;__xss(39)`),
  t(`javascript&colon;__xss(40)`),
  t(`javascript&#58;__xss(41)`),
  t(`javascript://%0A__xss(42)`),
  t(`javascript://x.test/%0a__xss(43)//https://x.test/`, "https://x.test/"),
  t(`<a href="javascript:__xss(44)">click me</a>`),
  t(`<a href=" &#14;  javascript:__xss(45)">leading junk</a>`),
  t(`<a href="jav&#x09;ascript:__xss(46)">tab inside</a>`),
  t(`<a href="JAVASCRIPT:__xss(47)">capitals</a>`),
  t(`[click](javascript:__xss(48))`),
  t(`[click](JaVaScRiPt:__xss(49))`),
  t(`![image](javascript:__xss(50))`),
  t(`<javascript:__xss(51)>`),
  // data: and vbscript:.
  t(`data:text/html,<script>__xss(52)</script>`),
  t(`data:text/html;base64,PHNjcmlwdD5fX3hzcyg1Myk8L3NjcmlwdD4=`),
  t(`<a href="data:text/html,<script>parent.__xss(54)</script>">data link</a>`),
  t(`vbscript:msgbox(55)`),
  t(`<a href="vbscript:__xss(56)">vb link</a>`),
  t(`[x](data:text/html,<script>__xss(57)</script>)`),
  // CSS: a stylesheet or style attribute would fetch /xss-css-N, which the test watches for.
  t(`<style>@import url(/xss-css-58);*{display:none}</style>`),
  t(`<div style="background:url(javascript:__xss(59))">css</div>`),
  t(`<div style="width:expression(__xss(60))">old IE</div>`),
  t(`<link rel=stylesheet href="javascript:__xss(61)">`),
  t(`<div style="background-image:url(/xss-css-62)">bg</div>`),
  // Template-ish strings (the page has no template engine; they must stay text).
  t(`{{constructor.constructor('__xss(63)')()}}`),
  t("${__xss(64)}"),
  t(`#{__xss(65)}`),
  t(`<%= __xss(66) %>`),
  f("{{7*7}} [[7*7]] ${7*7} <%= 7*7 %>", "{{77}} [[77]] ${77} <%= 77 %>", ["EM", "EM"]),
  t(`{{$on.constructor('__xss(68)')()}}`),
  // Entities and other encodings that must not be decoded.
  t(`&lt;script&gt;__xss(69)&lt;/script&gt;`),
  t(`&amp;lt;img src=x onerror=__xss(70)&amp;gt;`),
  t(`\\u003cscript\\u003e__xss(71)\\u003c/script\\u003e`),
  t(`%3Cscript%3E__xss(72)%3C%2Fscript%3E`),
  // Real links that try to break out of an href, and links next to markup.
  t(`https://x.test/"onmouseover="__xss(73)`, "https://x.test/%22onmouseover=%22__xss(73)"),
  t(`https://x.test/'onmouseover='__xss(74)'`, "https://x.test/'onmouseover='__xss(74)"),
  t(`https://x.test/"><img src=x onerror=__xss(75)>`, "https://x.test/%22%3E"),
  t(`https://x.test/?q=<script>__xss(76)</script>`, "https://x.test/?q="),
  t(`<a href="https://x.test/" onclick="__xss(77)">real link</a>`, "https://x.test/"),
  t(`http://x.test/#"><svg onload=__xss(78)>`, "http://x.test/#%22%3E"),
  t(`[x](https://x.test/a)`, "https://x.test/a"),
  t(`HTTPS://X.TEST/Upper`, "https://x.test/Upper"),
  t(`https://x.test/javascript:__xss(81)`, "https://x.test/javascript:__xss(81)"),
  t(`<img src="https://x.test/x.png" onerror=__xss(82)>`, "https://x.test/x.png"),
  // Bidi and zero-width tricks (texts may hold them; only names may not).
  t(`\u202E<img src=x onerror=__xss(83)>`),
  t(`<scr\u200Bipt>__xss(84)</scr\u200Bipt>`),
  t(`java\u200Bscript:__xss(85)`),
  t(`\u2066<svg onload=__xss(86)>\u2069 \u200F`),
  t(`https://x.test/\u202Efdp.exe`, "https://x.test/%E2%80%AEfdp.exe"),
  t(`\uFEFF<b>byte order mark</b>\uFEFF`),
  t(`\u00A0\u3000<i>wide spaces</i>\u2028`),
  // Parser-confusion classics.
  t(`<!--<img src=x onerror=__xss(90)>-->`),
  t(`<noscript><p title="</noscript><img src=x onerror=__xss(91)>">`),
  t(`<form action="javascript:__xss(92)"><button>go</button></form>`),
  t(`<meta http-equiv="refresh" content="0;url=javascript:__xss(93)">`),
  t(`<base href="javascript:__xss(94)//">`),
  t(`'-__xss(95)-' ";__xss(95)// </textarea></title></style><script>__xss(95)</script>`),
  // A mention of the reader next to markup (the mention is marked, the markup stays text).
  t(`@alice<img src=x onerror=__xss(96)>`),
  // Very long: exactly 2000 code points, one of them padded past it with trimmed spaces.
  t(padTo(`<img src=x onerror=__xss(97)>`, `<svg onload=__xss(97)>`, 2000)),
  t(`${padTo(`<svg onload=__xss(98)>`, "😈", 2000)}   \n`),
  t(
    Array.from({ length: 12 }, (_, i) => `https://x.test/${i}<b onclick=__xss(99)>`).join(" "),
    ...Array.from({ length: 12 }, (_, i) => `https://x.test/${i}`),
  ),
  // Formatting (Markdown: tokens rendered to DOM) around and inside payloads: the marks go, the payload stays text.
  f(`**<img src=x onerror=__xss(301)>**`, `<img src=x onerror=__xss(301)>`, ["STRONG"]),
  f(`*<svg onload=__xss(302)>* and ~~<b onclick=__xss(302)>x</b>~~`, `<svg onload=__xss(302)> and <b onclick=__xss(302)>x</b>`, ["EM", "DEL"]),
  f("`<script>__xss(303)</script>` and **`&lt;b&gt;`**", "<script>__xss(303)</script> and &lt;b&gt;", ["CODE", "STRONG", "CODE"]),
  f("```html\n<script>__xss(304)</script>\n<img src=x onerror=__xss(304)>\n```", "<script>__xss(304)</script>\n<img src=x onerror=__xss(304)>", ["PRE", "CODE"]),
  f(`> <iframe srcdoc="<script>parent.__xss(305)</script>">\n> **[x](javascript:__xss(305))**`, `<iframe srcdoc="<script>parent.__xss(305)</script>">\n[x](javascript:__xss(305))`, ["BLOCKQUOTE", "STRONG"]),
  f(`www.x.test/<img src=x onerror=__xss(306)> **www.x.test/a"onclick="__xss(306)**`, `www.x.test/<img src=x onerror=__xss(306)> www.x.test/a"onclick="__xss(306)`, ["STRONG"], "http://www.x.test/", "http://www.x.test/a%22onclick=%22__xss(306)"),
  t(`__init__ and snake_case_name stay as typed: <img src=x onerror=__xss(307)>`),
  f(`***<details open ontoggle=__xss(308)>***`, `<details open ontoggle=__xss(308)>`, ["EM", "STRONG"]),
];

/** One code point over the limit: the room must refuse it (`too_long`) and nobody sees it. */
export const TOO_LONG_TEXT = padTo(`<img src=x onerror=__xss(100)>`, "x", 2001);

/** Names the room accepts (1–32 code points after trimming, no control or invisible characters). */
export const NAMES: string[] = [
  `<img src=x onerror=__xss(101)>`,
  `<script>__xss(102)</script>`,
  `<svg onload=__xss(103)>`,
  `"><svg/onload=__xss(104)>`,
  `'><b onmouseover=__xss(105)>b`,
  `</span><svg onload=__xss(106)>`,
  `javascript:__xss(107)`,
  `JaVaScRiPt:__xss(108)`,
  `&#106;avascript&colon;__xss(109)`,
  `{{constructor.constructor(1)()}}`,
  "${__xss(111)}",
  `[me](javascript:__xss(112))`,
  `&lt;b&gt;x&lt;/b&gt;&amp;`,
  `https://x.test/"onmouseover=x`,
  `<iframe srcdoc=__xss(115)>`,
  `<style>*{display:none}</style>`,
  `<a href=javascript:__xss(117)>a`,
  `张三<img src=x onerror=__xss(118)>`,
  `😈<svg onload=__xss(119)>`,
  `עברית<b>x</b>`,
  `  <u>padded</u>  `,
  `\uFEFF<i>bom</i>`,
  "𝒳".repeat(32),
  `data:text/html,<b>x</b>`,
  `<div style=x:expression(y)>`,
  `@alice`,
];

/** Names the room must refuse with `name_invalid`: control characters, bidi controls, invisibles, length. */
export const REFUSED_NAMES: string[] = [
  `al\u200Bice`,
  `\u200Fmallory\u200E`,
  `\u3164`,
  `\u202Eevil<img src=x>`,
  `a\u202Db`,
  `\u2066<b>x</b>\u2069`,
  `x\u2068y`,
  `a\u0000b`,
  `a\nb<svg>`,
  `a\u007Fb`,
  `a\u0085b`,
  "x".repeat(33),
  "😈".repeat(33),
  ` \t\n `,
];

/** Names one client renames to, one after the other (each shows as "OLD is now NEW"). */
export const RENAMES: string[] = [
  `<IMG SRC=x ONERROR=__xss(201)>`,
  `</li><li onclick=__xss(202)>`,
  `is now <b>admin</b>`,
  `javascript:__xss(204)`,
  `<svg><set onbegin=__xss(205)>`,
];
