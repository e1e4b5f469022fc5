import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

@Injectable()
export class HealthRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** One round trip to the database. */
  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }
}
