// Issue #13.9: names printed in CLI warnings and errors cannot forge lines or send terminal
// escapes: control characters, line separators and bidi overrides come out escaped.
import { describe, expect, it } from 'vitest';
import { Output, printable } from '../../src/cli/output.js';

function capture() {
  let err = '';
  const output = new Output({ stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) } });
  return { output, err: () => err };
}

describe('printable', () => {
  it('escapes what would move the cursor, start a line or recolour the terminal', () => {
    expect(printable('a\nwarning: forged\r\x1b[31mred\x1b[0m\t\x07\x7f\u0085\u2028\u202e.jpg'))
      .toBe('a\\nwarning: forged\\r\\u{1b}[31mred\\u{1b}[0m\\t\\u{7}\\u{7f}\\u{85}\\u{2028}\\u{202e}.jpg');
  });

  it('leaves ordinary names alone, accents and emoji included', () => {
    for (const name of ['photo.jpg', 'dir with spaces/Zoë_🙂.png', 'C:\\photos\\a.jpg', '']) expect(printable(name)).toBe(name);
  });

  it('a warning or error naming a hostile file stays one line', () => {
    const { output, err } = capture();
    output.warn("skipped evil\nwarning: all good\x1b[2K.jpg: no face");
    output.fail('enroll', new Error('cannot read \x1b]0;title\x07x.jpg'));
    expect(err()).toBe('warning: skipped evil\\nwarning: all good\\u{1b}[2K.jpg: no face\n' +
      'facecore enroll: cannot read \\u{1b}]0;title\\u{7}x.jpg\n');
  });
});
