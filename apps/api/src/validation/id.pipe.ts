import { BadRequestException, type PipeTransform } from '@nestjs/common';

/** The largest id a serial column holds (PostgreSQL integer). */
export const MAX_SERIAL_ID = 2_147_483_647;

/**
 * A row's id in a path: a whole number from 1 to what its column holds, else 400 with the given
 * Danish message. Nest's ParseIntPipe let any size through, and an id too large for the column
 * failed in the database (500, its value quoted in the error).
 */
export class IdPipe implements PipeTransform<string, number> {
  constructor(
    private readonly message = 'Id skal være et heltal',
    private readonly max = MAX_SERIAL_ID,
  ) {}

  transform(value: string): number {
    const id = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
    if (!(id >= 1 && id <= this.max)) throw new BadRequestException(this.message);
    return id;
  }
}
