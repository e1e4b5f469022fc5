import { execFileSync } from 'child_process';
import { existsSync } from 'fs';
import { resolve } from 'path';
import { describe, expect, it } from 'vitest';

const COMPOSE = '/usr/bin/docker-compose';

describe('docker/compose.yml', () => {
  // .ci/run installs Debian's docker-compose; no engine runs here, so the file is validated, not run.
  it.skipIf(!existsSync(COMPOSE))('is a valid compose file with postgres, redis, api, worker and web', () => {
    const file = resolve(__dirname, '../../docker/compose.yml');
    const services = execFileSync(COMPOSE, ['-f', file, 'config', '--services'], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(services).toEqual(['api', 'migrate', 'postgres', 'redis', 'web', 'worker']);
  });
});
