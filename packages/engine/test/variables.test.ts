import { describe, expect, it } from 'vitest';
import { substituteVariables } from '../src/index.js';

describe('substituteVariables', () => {
  it('replaces known placeholders, keeps unknown ones, and writes non-strings as JSON', () => {
    expect(
      substituteVariables('Hi {{name}}, order {{ order_id }}, {{missing}}, {{n}} {{flag}} {{obj}}', {
        name: 'Dana',
        order_id: '12345',
        n: 3,
        flag: true,
        obj: { a: 1 },
      }),
    ).toBe('Hi Dana, order 12345, {{missing}}, 3 true {"a":1}');
    expect(substituteVariables('{{name}}', null)).toBe('{{name}}');
    expect(substituteVariables('{{constructor}}', {})).toBe('{{constructor}}');
  });
});
