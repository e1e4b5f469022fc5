import { describe, expect, it } from 'vitest';
import { actionName } from './AuditAdmin';
import { formatDateTime, formatLocal, parseNumber } from './common';
import { showSetting } from './SettingsAdmin';

describe('the administration area’s Danish formats', () => {
  it('shows times as dd.mm.åååå tt.mm in Danish time', () => {
    expect(formatDateTime('2024-03-01T05:00:00.000Z')).toBe('01.03.2024 06.00');
    // Summer time: UTC+2.
    expect(formatDateTime('2024-07-01T22:30:00.000Z')).toBe('02.07.2024 00.30');
    expect(formatDateTime(null)).toBe('–');
    expect(formatLocal('2024-03-01T06:05')).toBe('01.03.2024 06.05');
    expect(formatLocal(null)).toBe('–');
  });

  it('reads numbers with a Danish decimal comma; nothing typed is no number', () => {
    expect(parseNumber('65,5')).toBe(65.5);
    expect(parseNumber(' 1 000 ')).toBe(1000);
    expect(parseNumber('0.3')).toBe(0.3);
    expect(parseNumber('')).toBeNaN();
    expect(parseNumber('ti')).toBeNaN();
  });

  it('names audit actions in Danish', () => {
    expect(actionName({ action: 'login.failed' })).toBe('Mislykket login');
    expect(actionName({ action: 'kpi:deadline.followup_overdue' })).toBe('Så sager (deadline.followup_overdue)');
    expect(actionName({ action: 'read:audit' })).toBe('Søgte i revisionsloggen');
    expect(actionName({ action: 'login.disabled' })).toBe('Login afvist: brugeren er spærret');
    expect(actionName({ action: 'read:review-meetings' })).toBe('Læste dialogmøder');
  });

  it('shows a setting as text, or as JSON with spaces to wrap at', () => {
    expect(showSetting('linear')).toBe('linear');
    expect(showSetting({ Udsatte: 40, Handicap: 55 })).toBe('{ "Udsatte": 40, "Handicap": 55 }');
    expect(showSetting(null)).toBe('–');
  });
});
