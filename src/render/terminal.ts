import type { KnownBlock } from '@slack/types';
/** A Block Kit message: fallback text and blocks (what the Slack renderers return). */
interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/**
 * Block Kit as a terminal shows it, for the demo and `cert-bot digest --dry-run`: headers
 * bold and underlined, fields in two columns when there is room, context dim, buttons as
 * `[ Label ]`, mrkdwn converted (bold, italic, code, links, the emoji the bot uses). Without
 * `color` the output is plain text with no ANSI escape codes.
 */
export interface TerminalOptions {
  /** ANSI styling; default false. */
  color?: boolean;
  /** Columns to wrap at; default 80. */
  width?: number;
}

/** Unicode for the emoji shortcodes the renderers use; other shortcodes are left as typed. */
export const EMOJI_UNICODE: Record<string, string> = {
  red_circle: '🔴',
  large_orange_circle: '🟠',
  large_yellow_circle: '🟡',
  large_green_circle: '🟢',
  white_circle: '⚪',
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  no_entry: '⛔',
  no_entry_sign: '🚫',
  grey_question: '❔',
  question: '❓',
  warning: '⚠️',
  x: '❌',
  package: '📦',
  no_bell: '🔕',
  bell: '🔔',
  globe_with_meridians: '🌐',
  leftwards_arrow_with_hook: '↩️',
  lock: '🔒',
  information_source: 'ℹ️',
  calendar: '📅',
  chart_with_upwards_trend: '📈',
  chart_with_downwards_trend: '📉',
  bar_chart: '📊',
  clock: '🕒',
  hourglass_flowing_sand: '⏳',
  tada: '🎉',
};

const ESC = '\u001b[';
const STYLE = {
  bold: [`${ESC}1m`, `${ESC}22m`],
  dim: [`${ESC}2m`, `${ESC}22m`],
  italic: [`${ESC}3m`, `${ESC}23m`],
  underline: [`${ESC}4m`, `${ESC}24m`],
  strike: [`${ESC}9m`, `${ESC}29m`],
  cyan: [`${ESC}36m`, `${ESC}39m`],
  green: [`${ESC}32m`, `${ESC}39m`],
  red: [`${ESC}31m`, `${ESC}39m`],
} as const;
const RESET = `${ESC}0m`;

type Style = keyof typeof STYLE;

function styler(color: boolean) {
  return (text: string, ...styles: Style[]): string => {
    if (!color || text === '') return text;
    return styles.reduce((inner, style) => `${STYLE[style][0]}${inner}${STYLE[style][1]}`, text);
  };
}

// eslint-disable-next-line no-control-regex -- ANSI escape sequences start with ESC
const ANSI = /\u001b\[[0-9;]*m/g;

/** Columns a string takes: ANSI codes 0, combining marks and variation selectors 0, emoji and CJK 2. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text.replace(ANSI, '')) {
    const cp = char.codePointAt(0) ?? 0;
    if (cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0x0300 && cp <= 0x036f)) continue;
    if (
      cp >= 0x1f000 ||
      (cp >= 0x2600 && cp <= 0x27bf) ||
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6)
    ) {
      width += 2;
    } else {
      width += 1;
    }
  }
  return width;
}

function unescapeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function emojify(text: string): string {
  return text.replace(/:([a-z0-9_+-]+):/g, (whole, name: string) => EMOJI_UNICODE[name] ?? whole);
}

/** A Slack `<…>` token: links, mentions, channels, special mentions, dates. */
function angle(inner: string, style: ReturnType<typeof styler>): string {
  const bar = inner.indexOf('|');
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? '' : inner.slice(bar + 1);
  if (target.startsWith('@')) return style(`@${label || target.slice(1)}`, 'bold');
  if (target.startsWith('#')) return style(`#${label || target.slice(1)}`, 'bold');
  if (target.startsWith('!')) {
    if (label) return label;
    const special = target.slice(1).split('^')[0];
    return `@${special}`;
  }
  const url = unescapeEntities(target);
  if (!label || unescapeEntities(label) === url) return style(url, 'underline');
  return `${unescapeEntities(label)} (${style(url, 'underline')})`;
}

/**
 * Formatting in text that is neither code nor a `<…>` token. The renderers write "∗" for "*"
 * inside bold text (mrkdwn cannot escape it); a terminal has no such problem, so it goes back.
 */
function inlineFormatting(text: string, style: ReturnType<typeof styler>): string {
  const formatted = emojify(text)
    .replace(
      /(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])/g,
      (_, before: string, inner: string) => before + style(inner, 'bold'),
    )
    .replace(
      /(^|[^\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])/g,
      (_, before: string, inner: string) => before + style(inner, 'italic'),
    )
    .replace(
      /(^|[^\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])/g,
      (_, before: string, inner: string) => before + style(inner, 'strike'),
    );
  return unescapeEntities(formatted.replace(/\u2217/g, '*'));
}

/** mrkdwn → terminal text. */
export function mrkdwnToTerminal(text: string, color = false): string {
  const style = styler(color);
  const out: string[] = [];
  const token = /```([\s\S]*?)```|`([^`\n]+)`|<([^<>\n]+)>/g;
  let last = 0;
  for (let match = token.exec(text); match !== null; match = token.exec(text)) {
    out.push(inlineFormatting(text.slice(last, match.index), style));
    if (match[1] !== undefined) out.push(style(unescapeEntities(match[1]), 'cyan'));
    else if (match[2] !== undefined) out.push(style(unescapeEntities(match[2]), 'cyan'));
    else out.push(angle(match[3], style));
    last = match.index + match[0].length;
  }
  out.push(inlineFormatting(text.slice(last), style));
  return out.join('');
}

/**
 * Greedy word wrap by display width, keeping the spacing between words. A word longer than the
 * width is split, unless `keepWords`: then it stands whole on its own line, wider than the width,
 * so an ID, serial or fingerprint can be copied in one piece (the terminal folds it visually).
 */
export function wrap(text: string, width: number, options: { keepWords?: boolean } = {}): string[] {
  const max = Math.max(10, width);
  const result: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let gap = '';
    for (const part of paragraph.split(/( +)/)) {
      if (part === '') continue;
      if (part.startsWith(' ')) {
        gap = part;
        continue;
      }
      let word = part;
      if (line !== '' && displayWidth(line + gap + word) <= max) {
        line += gap + word;
      } else {
        if (line !== '') result.push(line);
        while (!options.keepWords && displayWidth(word) > max) {
          let cut = '';
          for (const char of word) {
            if (cut !== '' && displayWidth(cut + char) > max) break;
            cut += char;
          }
          result.push(cut);
          word = word.slice(cut.length);
        }
        line = word;
      }
      gap = '';
    }
    result.push(line);
  }
  return result;
}

function padTo(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

function textOf(value: unknown): string {
  if (value && typeof value === 'object' && 'text' in value && typeof value.text === 'string') return value.text;
  return '';
}

function convert(object: unknown, color: boolean): string {
  const text = textOf(object);
  const type = object && typeof object === 'object' && 'type' in object ? object.type : 'mrkdwn';
  return type === 'plain_text' ? emojify(text) : mrkdwnToTerminal(text, color);
}

function renderElement(element: unknown, color: boolean): string {
  const style = styler(color);
  if (!element || typeof element !== 'object' || !('type' in element)) return '';
  if (element.type === 'button') {
    const label = `[ ${emojify(textOf('text' in element ? element.text : undefined))} ]`;
    const buttonStyle = 'style' in element ? element.style : undefined;
    if (buttonStyle === 'primary') return style(label, 'bold', 'green');
    if (buttonStyle === 'danger') return style(label, 'bold', 'red');
    return style(label, 'bold');
  }
  if (element.type === 'image') return `[image: ${'alt_text' in element ? String(element.alt_text) : ''}]`;
  if ('placeholder' in element) return `[ ${textOf(element.placeholder)} ▾ ]`;
  return `[ ${String(element.type)} ]`;
}

function endStyles(lines: string[], color: boolean): string[] {
  return color ? lines.map((line) => (line.includes('\u001b') ? `${line}${RESET}` : line)) : lines;
}

/** The widest word of a text: what a column must hold for nothing to be cut. */
function widestWord(text: string): number {
  return Math.max(0, ...text.split(/\s+/).map((word) => displayWidth(word)));
}

/**
 * Fields two by two in columns. A pair with a word too wide for its column (a fingerprint, a
 * long serial) is shown one field under the other at full width instead, and no word of a field
 * is ever cut in two: it must copy whole.
 */
function renderFields(fields: unknown[], width: number, color: boolean): string[] {
  const texts = fields.map((field) => convert(field, color));
  const whole = { keepWords: true };
  if (width < 60) return texts.flatMap((text) => wrap(text, width, whole));
  const gap = 4;
  const column = Math.floor((width - gap) / 2);
  const lines: string[] = [];
  for (let i = 0; i < texts.length; i += 2) {
    const pair = texts.slice(i, i + 2);
    if (pair.some((text) => widestWord(text) > column)) {
      lines.push(
        ...pair.flatMap((text, index) => [...(index > 0 ? [''] : []), ...endStyles(wrap(text, width, whole), color)]),
      );
      if (i + 2 < texts.length) lines.push('');
      continue;
    }
    const left = endStyles(wrap(texts[i], column, whole), color);
    const right = i + 1 < texts.length ? endStyles(wrap(texts[i + 1], column, whole), color) : [];
    const rows = Math.max(left.length, right.length);
    for (let row = 0; row < rows; row += 1) {
      const l = left[row] ?? '';
      const r = right[row] ?? '';
      lines.push(r ? padTo(l, column) + ' '.repeat(gap) + r : l);
    }
    if (i + 2 < texts.length) lines.push('');
  }
  return lines;
}

function renderBlock(block: KnownBlock, width: number, color: boolean): string[] {
  const style = styler(color);
  switch (block.type) {
    case 'header': {
      const text = emojify(textOf(block.text));
      if (color) return [style(text, 'bold', 'underline')];
      return [text, '═'.repeat(Math.min(width, Math.max(1, displayWidth(text))))];
    }
    case 'section': {
      const lines: string[] = [];
      if (block.text) lines.push(...wrap(convert(block.text, color), width));
      if (block.fields && block.fields.length > 0) {
        if (lines.length > 0) lines.push('');
        lines.push(...renderFields(block.fields, width, color));
      }
      if (block.accessory) lines.push(renderElement(block.accessory, color));
      return lines;
    }
    case 'context': {
      const parts = block.elements.map((element) =>
        element.type === 'image' ? `[image: ${element.alt_text ?? ''}]` : convert(element, color),
      );
      return wrap(parts.join('  ·  '), width).map((line) => style(line, 'dim'));
    }
    case 'divider':
      return ['─'.repeat(width)];
    case 'actions':
      return wrap(block.elements.map((element) => renderElement(element, color)).join('  '), width);
    case 'image':
      return [`[image: ${block.alt_text}]`];
    case 'markdown':
      return wrap(block.text, width);
    default:
      return [style(`[${block.type} block]`, 'dim')];
  }
}

/** The whole message as terminal text, ending in a newline. */
export function renderForTerminal(message: SlackMessage, options: TerminalOptions = {}): string {
  const color = options.color === true;
  const width = Math.max(20, Math.floor(options.width ?? 80));
  const blocks = Array.isArray(message.blocks) ? message.blocks : [];
  if (blocks.length === 0) return `${wrap(mrkdwnToTerminal(message.text ?? '', color), width).join('\n')}\n`;
  const rendered = blocks.map((block) => endStyles(renderBlock(block, width, color), color).join('\n'));
  return `${rendered.join('\n\n')}\n`;
}
