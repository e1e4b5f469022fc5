import { describe, expect, it } from 'vitest';
import { committeeSendResult } from './reports.service';

describe("a report's send result as the committee reads it", () => {
  it('leaves out every address a mail server named, whole or cut short, and keeps the rest', () => {
    expect(committeeSendResult('sendt til 2 modtagere')).toBe('sendt til 2 modtagere');
    expect(committeeSendResult('sendt til 1 af 2 modtagere; mailserveren afviste chef@odense.test')).toBe('sendt til 1 af 2 modtagere');
    expect(committeeSendResult('ikke sendt: 550 5.1.1 <chef@odense.test>: Recipient address rejected')).toBe('ikke sendt');
    expect(committeeSendResult(`ikke sendt: ${'x'.repeat(280)} chef@`)).toBe('ikke sendt');
    expect(committeeSendResult('ikke sendt: SMTP er ikke sat op')).toBe('ikke sendt: SMTP er ikke sat op');
  });
});
