import {
  actions,
  buildMessage,
  button,
  context,
  cutLines,
  divider,
  fieldsSection,
  header,
  lineSections,
  MAX_FALLBACK_TEXT,
  MESSAGE_JSON_BUDGET,
  section,
  takeBlocks,
} from '../../../src/slack/blocks/builders';
import {
  boldText,
  cleanText,
  codeSpan,
  escapeMrkdwn,
  fitText,
  inlineText,
  jsonCost,
  truncate,
} from '../../../src/slack/blocks/escape';
import { nasty } from '../../helpers/block-fixtures';
import { assertWithinBlockKitLimits } from '../../helpers/limits-checker';

describe('truncate', () => {
  it('keeps short text and cuts long text with an ellipsis', () => {
    expect(truncate('hello', 5)).toBe('hello');
    expect(truncate('hello world', 6)).toBe('hello…');
    expect(truncate('hello world', 6)).toHaveLength(6);
    expect(truncate('abc', 1)).toBe('…');
    expect(truncate('abc', 0)).toBe('');
  });

  it('never splits a surrogate pair or an entity', () => {
    expect(truncate('ab🔴cd', 4)).toBe('ab…');
    expect(truncate('a &amp; b', 5)).toBe('a…');
  });
});

describe('escapeMrkdwn and friends', () => {
  it('escapes the three control characters of mrkdwn', () => {
    expect(escapeMrkdwn('<@U1> & <!here>')).toBe('&lt;@U1&gt; &amp; &lt;!here&gt;');
  });

  it('inlineText cleans, keeps one line, cuts before escaping', () => {
    expect(inlineText('a\nb\u0000c', 50)).toBe('a b c');
    expect(inlineText('<<<<<', 3)).toBe('&lt;&lt;…');
    expect(inlineText(undefined, 10)).toBe('');
  });

  it('cleanText drops control characters and lone surrogates', () => {
    expect(cleanText('a\u0000b\r\nc\td\ud800')).toBe('a b\nc d\ufffd');
  });

  it('codeSpan and boldText cannot be broken out of', () => {
    expect(codeSpan('ab`cd', 20)).toBe("`ab'cd`");
    expect(codeSpan('', 20)).toBe('');
    expect(boldText('*.example.com', 50)).toBe('*\u2217.example.com*');
  });

  it('fitText limits the JSON cost', () => {
    const text = '"'.repeat(100);
    const fitted = fitText(text, 51);
    expect(jsonCost(fitted)).toBeLessThanOrEqual(51);
    expect(fitted.endsWith('…')).toBe(true);
  });
});

describe('cutLines', () => {
  const lines = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`);

  it('returns every line when they fit', () => {
    expect(cutLines(lines.slice(0, 3), { maxChars: 100, maxLines: 10 })).toEqual({
      lines: ['line 1', 'line 2', 'line 3'],
      omitted: 0,
    });
  });

  it('cuts by line count with an "…and N more" line', () => {
    const result = cutLines(lines, { maxChars: 3000, maxLines: 10 });
    expect(result.lines).toHaveLength(10);
    expect(result.lines[9]).toBe('…and 91 more');
    expect(result.omitted).toBe(91);
  });

  it('cuts by characters', () => {
    const result = cutLines(lines, { maxChars: 100, maxLines: 100 });
    expect(result.lines.join('\n').length).toBeLessThanOrEqual(100);
    expect(result.lines.at(-1)).toBe(`…and ${result.omitted} more`);
    expect(result.omitted + result.lines.length - 1).toBe(100);
  });

  it('shortens a single overlong line instead of dropping everything', () => {
    const result = cutLines(['x'.repeat(5000)], { maxChars: 200, maxLines: 5 });
    expect(result.omitted).toBe(0);
    expect(result.lines[0].length).toBeLessThanOrEqual(200);
  });

  it('lineSections spreads lines over sections', () => {
    const long = Array.from({ length: 500 }, (_, i) => `${i} ${'y'.repeat(90)}`);
    const { blocks, omitted } = lineSections(long, { maxChars: 2900, maxLines: 60, maxSections: 2 });
    expect(blocks).toHaveLength(2);
    expect(omitted).toBeGreaterThan(400);
    expect(blocks[1].text?.text).toMatch(/…and \d+ more$/);
  });
});

describe('builders', () => {
  it('keep every limit by construction', () => {
    const huge = nasty(10_000);
    const message = buildMessage(huge, [
      header(huge),
      section(huge),
      fieldsSection(Array.from({ length: 30 }, () => huge)),
      context(Array.from({ length: 30 }, () => huge)),
      actions(
        Array.from({ length: 40 }, (_, i) => button({ text: huge, actionId: `a${i}${'x'.repeat(300)}`, value: 'v' })),
      ),
      divider(),
    ]);
    assertWithinBlockKitLimits(message);
    expect(message.text.length).toBeLessThanOrEqual(MAX_FALLBACK_TEXT);
  });

  it('never produce empty text', () => {
    assertWithinBlockKitLimits(buildMessage('', [header(''), section('   '), fieldsSection([]), context([''])]));
  });

  it('button refuses a value it would have to corrupt', () => {
    expect(() => button({ text: 'x', actionId: 'a', value: 'v'.repeat(2001) })).toThrow(RangeError);
  });

  it('buildMessage keeps at most 50 blocks and the JSON budget', () => {
    const many = buildMessage(
      't',
      Array.from({ length: 120 }, () => section('z'.repeat(2900))),
    );
    expect(many.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(many.blocks).length).toBeLessThanOrEqual(MESSAGE_JSON_BUDGET);
    assertWithinBlockKitLimits(many);
  });

  it('takeBlocks stops at the budget', () => {
    const built: number[] = [];
    const items = Array.from({ length: 10 }, (_, i) => i);
    const byCount = takeBlocks(
      items,
      (i) => {
        built.push(i);
        return section('q'.repeat(1000));
      },
      {
        maxBlocks: 5,
        maxChars: 100_000,
      },
    );
    expect(byCount.blocks).toHaveLength(5);
    expect(byCount.omitted).toBe(5);
    expect(built).toEqual([0, 1, 2, 3, 4]);
    const byChars = takeBlocks(items, () => section('q'.repeat(1000)), { maxBlocks: 50, maxChars: 3500 });
    expect(byChars.blocks).toHaveLength(3);
    expect(byChars.omitted).toBe(7);
  });
});
