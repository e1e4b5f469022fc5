import type { ClientBase } from 'pg';
import { CopyWriter } from './load/copy';
import { entityDef, stagingColumns } from './load/entities';
import { stagingTable } from './load/merge';
import { inEmptiedTable } from './load/stage-file';
import type { Pseudonym } from './pseudonym';

// DUBU has no person file: the children are those its cases and notifications name by CPR. Birth
// date and sex come from the CPR number, as the person id does, so every row of a child says the
// same: the parser keeps each child once, from its first staged row, and stages them in one COPY
// (instead of a grouping of every case and notification row in SQL). One entry per child of the
// snapshot: memory grows with the municipality's children, not with the files.

export class ChildrenSeen {
  private readonly children = new Map<string, [Pseudonym, string, number]>();

  /** A staged row's child (`file`, `line`: the row). */
  see(person: Pseudonym, file: string, line: number): void {
    if (person.kept) return;
    // A person the cache forgot comes back as a new object: the id says whether it is kept.
    if (!this.children.has(person.personId)) this.children.set(person.personId, [person, file, line]);
    person.kept = true;
  }

  get size(): number {
    return this.children.size;
  }

  /** Into the persons' staging table (empty), frozen like the files' rows (see StageFileOptions.freeze). */
  async stage(client: ClientBase, municipality: number, source: string): Promise<number> {
    const table = stagingTable(entityDef('persons'));
    const columns = stagingColumns(entityDef('persons'));
    return inEmptiedTable(client, table, () =>
      CopyWriter.run(
        client,
        table,
        columns,
        async (writer) => {
          for (const [person, file, line] of this.children.values()) {
            const wait = writer.write([municipality, source, person.personId, person.birthDate, person.sex, file, line]);
            if (wait) await wait;
          }
        },
        { freeze: true },
      ),
    );
  }
}
