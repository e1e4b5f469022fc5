import { describe, expect, it } from 'vitest';
import { ChildrenSeen } from './children';
import { Pseudonymiser } from './pseudonym';

describe('ChildrenSeen', () => {
  it('keeps each child once, from its first row, also when the pseudonym cache gave a new object for the same person', () => {
    const pseudonyms = new Pseudonymiser('test-secret-0123456789abcdef');
    const children = new ChildrenSeen();
    const first = pseudonyms.pseudonymise('010114-4001')!;
    children.see(first, 'sager.csv', 2);
    children.see(pseudonyms.pseudonymise('010114-4001')!, 'sager.csv', 5);
    // The same person as the cache gives it again once it forgot: another object, the same id.
    const other = new Pseudonymiser('test-secret-0123456789abcdef').pseudonymise('0101144001')!;
    expect(other).not.toBe(first);
    expect(other.personId).toBe(first.personId);
    children.see(other, 'underretninger.csv', 3);
    children.see(pseudonyms.pseudonymise('020214-4002')!, 'underretninger.csv', 4);
    expect(children.size).toBe(2);
  });
});
