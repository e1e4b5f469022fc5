// npm run bench -- login [rounds]: 20 logins at once (argon2id verify, the login's cost) for a few
// cost settings; prints each setting's p95 and worst latency per login over the rounds.
import * as argon2 from 'argon2';
import { performance } from 'perf_hooks';
import { PASSWORD_OPTIONS } from '../apps/api/src/auth/password';

// OWASP's equivalent argon2id settings (Password Storage Cheat Sheet), strongest memory first.
const CANDIDATES = [
  { memoryCost: 47104, timeCost: 1, parallelism: 1 },
  { memoryCost: 19456, timeCost: 2, parallelism: 1 },
  { memoryCost: 12288, timeCost: 3, parallelism: 1 },
  { memoryCost: 9216, timeCost: 4, parallelism: 1 },
  { memoryCost: 7168, timeCost: 5, parallelism: 1 },
];

const p = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

export async function benchLogin(rounds = 10, concurrent = 20): Promise<void> {
  console.log(`argon2id verify, ${concurrent} at once, ${rounds} rounds, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`);
  console.log('memoryCost KiB | timeCost | parallelism | one alone ms | p95 ms | max ms | chosen');
  for (const options of CANDIDATES) {
    const hash = await argon2.hash('correct horse battery', { type: argon2.argon2id, ...options });
    await argon2.verify(hash, 'warm up');
    const t0 = performance.now();
    await argon2.verify(hash, 'correct horse battery');
    const alone = performance.now() - t0;
    const latencies: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const start = performance.now();
      await Promise.all(Array.from({ length: concurrent }, () => argon2.verify(hash, 'wrong password 123').then(() => latencies.push(performance.now() - start))));
    }
    latencies.sort((a, b) => a - b);
    const chosen = options.memoryCost === PASSWORD_OPTIONS.memoryCost && options.timeCost === PASSWORD_OPTIONS.timeCost && options.parallelism === PASSWORD_OPTIONS.parallelism;
    console.log(`${options.memoryCost} | ${options.timeCost} | ${options.parallelism} | ${alone.toFixed(0)} | ${p(latencies, 0.95).toFixed(0)} | ${latencies[latencies.length - 1].toFixed(0)} | ${chosen ? 'yes' : ''}`);
  }
}
