import { describe, expect, it } from 'vitest';
import { candidateRank, NotificationCaseLinker } from './notification-cases';

describe('candidateRank', () => {
  it('puts open at receipt first (latest opened first), then opened after (earliest first), then the rest (latest opened first)', () => {
    const day = 100;
    const open = candidateRank(90, null, day);
    const openEarlier = candidateRank(50, 120, day);
    const openedAfter = candidateRank(105, null, day);
    const openedLater = candidateRank(200, null, day);
    const closedBefore = candidateRank(80, 95, day);
    const closedLongBefore = candidateRank(10, 20, day);
    expect(open).toBe(10);
    expect(openEarlier).toBe(50);
    expect(openedAfter).toBe(1_000_005);
    expect(closedBefore).toBe(2_000_020);
    expect([closedLongBefore, openedLater, closedBefore, openEarlier, openedAfter, open].sort((a, b) => a - b)).toEqual([
      open,
      openEarlier,
      openedAfter,
      openedLater,
      closedBefore,
      closedLongBefore,
    ]);
    // Opened or closed on the day of receipt counts as open at receipt.
    expect(candidateRank(100, 100, day)).toBe(0);
    expect(candidateRank(40, 100, day)).toBe(60);
  });
});

describe('NotificationCaseLinker', () => {
  it("links to the child's case open at receipt, else the first opened after, else the latest, ties by case number", () => {
    const linker = new NotificationCaseLinker();
    linker.addCase('C2', 'p1', '2022-01-01', '2022-12-31');
    linker.addCase('C1', 'p1', '2023-06-01', null);
    linker.addCase('C3', 'p1', '2025-01-01', null);
    expect(linker.caseFor('p1', '2022-03-15 10:00:00+01')).toBe('C2');
    // Between C2's end and C1's start: the first opened after.
    expect(linker.caseFor('p1', '2023-02-01')).toBe('C1');
    // C1 and C3 open on the day: the latest opened.
    expect(linker.caseFor('p1', '2025-06-01')).toBe('C3');
    expect(linker.caseFor('p1', '2021-01-01')).toBe('C2');
    expect(linker.caseFor('p2', '2022-01-01')).toBeNull();
    // Two cases opened the same day: the lower case number (byte order: 'B10' before 'a1').
    linker.addCase('a1', 'p3', '2020-01-01', null);
    linker.addCase('B10', 'p3', '2020-01-01', null);
    expect(linker.caseFor('p3', '2020-05-01')).toBe('B10');
    // Closed before the notification, none after: the latest opened of those.
    linker.addCase('D1', 'p4', '2019-01-01', '2019-02-01');
    linker.addCase('D2', 'p4', '2019-03-01', '2019-04-01');
    expect(linker.caseFor('p4', '2020-01-01')).toBe('D2');
    expect(linker.usable).toBe(true);
  });

  it('gives up on case numbers that COPY text would have to escape', () => {
    const linker = new NotificationCaseLinker();
    linker.addCase('C\\1', 'p1', '2022-01-01', null);
    expect(linker.usable).toBe(false);
  });
});
