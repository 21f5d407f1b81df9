import { describe, expect, it } from 'vitest';
import { palette, terminalTraits } from './terminal';

describe('terminalTraits', () => {
  it.each([
    [true, { TERM: 'xterm' }, { interactive: true, color: true }],
    [true, { TERM: 'xterm', NO_COLOR: '1' }, { interactive: true, color: false }],
    [true, { TERM: 'xterm', NO_COLOR: '' }, { interactive: true, color: true }],
    [true, { TERM: 'dumb' }, { interactive: false, color: false }],
    [false, { TERM: 'xterm' }, { interactive: false, color: false }],
    [undefined, {}, { interactive: false, color: false }],
  ])('isTTY %s, env %j → %j', (isTTY, env, expected) => {
    expect(terminalTraits({ isTTY }, env)).toEqual(expected);
  });
});

describe('palette', () => {
  it('colours on a terminal and leaves text alone with NO_COLOR or on a pipe', () => {
    expect(palette({ isTTY: true }, { TERM: 'xterm' }).red('x')).toBe('\x1b[31mx\x1b[0m');
    expect(palette({ isTTY: true }, { TERM: 'xterm', NO_COLOR: '1' }).red('x')).toBe('x');
    expect(palette({ isTTY: false }, {}).bold('x')).toBe('x');
  });
});
