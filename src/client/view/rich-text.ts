/**
 * Message text to DOM, safely, with the formatting people type in chats: `**bold**`, `*italic*`,
 * `` `code` ``, fenced code blocks, `> quotes`, `~~strike~~` and bare `www.`/http(s) links
 * (underscores stay underscores: `__init__` is a name, not bold).
 *
 * The text is tokenized by marked's lexer (never its HTML renderer), with every rule a chat does
 * not want switched off: raw HTML, Markdown links and images, headings, lists, tables, rules and
 * indented code stay the literal text they are. Each token becomes a text node or an element the
 * page makes itself (strong, em, del, code, pre, blockquote, a), whose content is built the same
 * way; no string ever passes through an HTML parser. Links are only ever http: or https:, open in
 * a new tab with `rel="noopener noreferrer nofollow"`, and go where their text says. Line breaks
 * and blank lines stay as typed (the text element keeps white space).
 */
import { Lexer, Tokenizer, type Token, type Tokens } from "marked";
import { el } from "./dom.ts";
import { splitMentions } from "./mentions.ts";

export { mentionsMe } from "./mentions.ts";

/** marked's tokenizer with the rules a chat does not use switched off (a rule that finds nothing leaves the text as text). */
class ChatTokenizer extends Tokenizer {
  override code(): undefined {} // indented code: four spaces are just spaces in a chat
  override heading(): undefined {}
  override lheading(): undefined {}
  override hr(): undefined {}
  override list(): undefined {}
  override html(): undefined {}
  override def(): undefined {}
  override table(): undefined {}
  override tag(): undefined {} // inline HTML
  override link(): undefined {} // [text](url) and ![image](url): a link's text must be where it goes
  override reflink(): undefined {}
  override autolink(): undefined {} // <url>
  /** `*italic*` and `**bold**` only: `_` stays text, so that `__init__` or `snake_case_name` shows as typed. */
  override emStrong(src: string, maskedSrc: string, prevChar?: string): Tokens.Em | Tokens.Strong | undefined {
    return src.startsWith("_") ? undefined : super.emStrong(src, maskedSrc, prevChar);
  }
}

const OPTIONS = { gfm: true, breaks: true, tokenizer: new ChatTokenizer() };

/** Renders message text as DOM nodes; `me` is the reader's name (mentions of it are marked). */
export function renderText(text: string, me?: string): Node[] {
  return blocks(new Lexer(OPTIONS).lex(text), me);
}

/** The text a message shows once its formatting marks are gone (for announcements and notifications). */
export function plainText(text: string): string {
  const holder = document.createElement("div");
  holder.append(...renderText(text));
  return holder.textContent ?? "";
}

function blocks(tokens: Token[], me: string | undefined): Node[] {
  const nodes: Node[] = [];
  for (const token of tokens) {
    switch (token.type) {
      case "paragraph":
        nodes.push(...inline((token as Tokens.Paragraph).tokens, me), document.createTextNode(/\n*$/.exec(token.raw)![0]));
        break;
      case "text": {
        const text = token as Tokens.Text;
        nodes.push(...(text.tokens ? inline(text.tokens, me) : [document.createTextNode(text.raw)]));
        break;
      }
      case "code":
        nodes.push(el("pre", {}, el("code", {}, (token as Tokens.Code).text)));
        break;
      case "blockquote":
        nodes.push(el("blockquote", {}, ...blocks((token as Tokens.Blockquote).tokens, me)));
        break;
      default:
        // "space" (blank lines) and anything unforeseen: the text as typed.
        nodes.push(document.createTextNode(token.raw));
    }
  }
  return trimAroundBlocks(nodes);
}

function inline(tokens: Token[], me: string | undefined): Node[] {
  const nodes: Node[] = [];
  for (const token of tokens) {
    switch (token.type) {
      case "text":
        // The raw text: marked's `text` has character references (`&#95;`) decoded, which would
        // show something other than what was typed.
        nodes.push(...mentions(token.raw, me));
        break;
      case "escape":
        nodes.push(document.createTextNode((token as Tokens.Escape).text));
        break;
      case "br":
        // Keep what follows the line break (indentation), not the spaces or backslash before it.
        nodes.push(document.createTextNode(token.raw.slice(token.raw.indexOf("\n"))));
        break;
      case "codespan":
        nodes.push(el("code", {}, (token as Tokens.Codespan).text));
        break;
      case "strong":
        nodes.push(el("strong", {}, ...inline((token as Tokens.Strong).tokens, me)));
        break;
      case "em":
        nodes.push(el("em", {}, ...inline((token as Tokens.Em).tokens, me)));
        break;
      case "del":
        nodes.push(el("del", {}, ...inline((token as Tokens.Del).tokens, me)));
        break;
      case "link":
        nodes.push(link(token as Tokens.Link));
        break;
      default:
        nodes.push(document.createTextNode(token.raw));
    }
  }
  return nodes;
}

/** A bare link (the only kind the tokenizer still finds): an `<a>` for http(s), text for anything else (mailto:). */
function link(token: Tokens.Link): Node {
  const href = safeHref(token.href);
  if (!href) return document.createTextNode(token.raw);
  return el("a", { attrs: { href, target: "_blank", rel: "noopener noreferrer nofollow" } }, token.raw);
}

function mentions(text: string, me: string | undefined): Node[] {
  return splitMentions(text, me).map((run) => (run.kind === "mention" ? el("mark", { class: "mention" }, run.text) : document.createTextNode(run.text)));
}

/** The URL when it parses and is http: or https:, else null. */
function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

const BLOCK_TAGS = new Set(["PRE", "BLOCKQUOTE"]);

/** A block (a code block, a quote) starts and ends its own line: the newline typed next to it would show as an empty line. */
function trimAroundBlocks(nodes: Node[]): Node[] {
  nodes.forEach((node, i) => {
    if (!(node instanceof HTMLElement) || !BLOCK_TAGS.has(node.tagName)) return;
    const before = nodes[i - 1];
    const after = nodes[i + 1];
    if (before instanceof Text) before.data = before.data.replace(/\n$/, "");
    if (after instanceof Text) after.data = after.data.replace(/^\n/, "");
  });
  return nodes.filter((node) => !(node instanceof Text) || node.data !== "");
}
