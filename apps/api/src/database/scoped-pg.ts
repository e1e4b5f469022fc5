import { AsyncResource } from 'async_hooks';
import * as pg from 'pg';
import { API_ROLE } from '@bu/db';
import { logger } from '@bu/logger';
import { currentScope } from './request-scope';

// The API's database connections: each runs as the role bu_api (row-level security applies; the
// login user owns the tables and is not restricted) and, before a query, carries the scope of the
// request that sends it: when the connection's scope differs, a set_config goes first on the same
// connection (a pool lends a connection to one caller at a time).

export { API_ROLE };

/* eslint-disable @typescript-eslint/no-explicit-any -- overrides of pg.Client's overloaded connect() and query() */
class ScopedClient extends pg.Client {
  /** The scope set on this connection ('' = none: scoped tables show no rows). */
  private scope = '';

  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // A lent connection has no pool listener: a server that goes away (a restart) would emit an
    // unhandled 'error' and end the process. The failure reaches the caller's next query instead,
    // and the pool drops the broken connection when it comes back.
    this.on('error', () => undefined);
  }

  override connect(callback?: any): any {
    const connected = super
      .connect()
      .then(() => super.query(`SET ROLE ${API_ROLE}`))
      .then(() => this);
    if (!callback) return connected;
    connected.then(
      (client) => callback(null, client),
      (err: Error) => callback(err),
    );
    return undefined;
  }

  override query(...args: any[]): any {
    const wanted = currentScope();
    const send = () => (super.query as (...a: any[]) => any)(...args);
    if (typeof args[0] === 'string' && /^\s*(ROLLBACK|COMMIT|END|ABORT)\b/i.test(args[0])) {
      // A transaction that ends may undo a set_config made inside it (a ROLLBACK, or a COMMIT of a
      // failed transaction, which rolls back): the next query sets the scope again.
      const sent = send();
      this.scope = '\u0000';
      return sent;
    }
    if (wanted === this.scope) return send();
    const setting = super.query('SELECT set_config($1, $2, false)', ['bu.municipalities', wanted]).then(
      () => {
        this.scope = wanted;
      },
      (error: Error) => {
        this.scope = '\u0000';
        throw error;
      },
    );
    const callback = typeof args[args.length - 1] === 'function' ? (args[args.length - 1] as (err: Error) => void) : undefined;
    if (callback) {
      setting.then(send, callback);
      return undefined;
    }
    // A stream (a Submittable) is returned at once: queued behind the set_config on this connection.
    if (typeof args[0]?.submit === 'function') {
      // The stream is queued behind it on the same connection and reports its own failure; this one is logged.
      setting.catch((e: Error) => logger().error({ err: e }, `Scope not set for a streamed query: ${e.message}`));
      return send();
    }
    return setting.then(send);
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/* eslint-disable @typescript-eslint/no-explicit-any -- an override of pg.Pool's overloaded connect() */
class ScopedPool extends pg.Pool {
  constructor(options?: pg.PoolConfig) {
    super({ ...options, Client: ScopedClient });
  }

  /**
   * pg.Pool.query() sends its query from connect()'s callback. When every connection is lent,
   * that callback waits in the pool's queue and is called when another caller gives one back: in
   * that caller's async context, so the query would carry that caller's scope (another
   * municipality, or '*'). Bound here, it runs in the context of the caller who asked.
   */
  override connect(callback?: any): any {
    return typeof callback === 'function' ? super.connect(AsyncResource.bind(callback)) : super.connect();
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The pg module as TypeORM's `driver` option: the same, with scoped connections. */
export const scopedPg = { ...pg, Pool: ScopedPool, Client: ScopedClient };
