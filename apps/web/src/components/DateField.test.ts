import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DateField } from './DateField';

/** The attributes of the rendered <input>. */
function input(props: Partial<Parameters<typeof DateField>[0]>): Record<string, string> {
  const html = renderToStaticMarkup(createElement(DateField, { label: 'Gælder fra', value: '', onChange: () => undefined, ...props }));
  const tag = /<input [^>]*>/.exec(html)![0];
  return Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

describe('DateField', () => {
  it('names its keyboard hint, and a message outside it (the server’s) when given one, in aria-describedby', () => {
    const plain = input({});
    expect(plain['aria-describedby']).toMatch(/^\S+-hint$/);
    expect(plain['aria-invalid']).toBeUndefined();
    const refused = input({ describedBy: 'goal-validFrom-error', invalid: true });
    expect(refused['aria-describedby'].split(' ')).toEqual([plain['aria-describedby'], 'goal-validFrom-error']);
    expect(refused['aria-invalid']).toBe('true');
  });
});
