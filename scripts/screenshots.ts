// npm run screenshots — starts the embedded default with its demo data, logs in as each role
// and saves every view it may open at laptop (1366×768) and tablet (1024×768) size, and the
// committee's and the team leader's view at phone size (390×844), into docs/screenshots (or
// SCREENSHOT_DIR) as <view>-<width>.png.
import { spawn } from 'child_process';
import { mkdirSync } from 'fs';
import { join, resolve } from 'path';
import { chromium } from 'playwright-core';

const ROOT = resolve(__dirname, '..');
const OUT = resolve(process.env.SCREENSHOT_DIR ?? join(ROOT, 'docs', 'screenshots'));
const PORT = Number(process.env.SCREENSHOT_PORT ?? 3999);
const VIEWS: [string, string][] = [
  ['udvalg', 'udvalg'],
  ['chef', 'chef'],
  ['teamleder', 'teamleder'],
  ['chef', 'datakvalitet'],
];
const SIZES = [
  { width: 1366, height: 768 },
  { width: 1024, height: 768 },
];
/** A phone in portrait (issue 17): the views laid out for it, the budget table and the work lists as cards. */
const PHONE = { width: 390, height: 844 };
const PHONE_VIEWS = new Set(['udvalg', 'teamleder']);

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = spawn(process.execPath, ['tools/run.js', 'scripts/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(PORT) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  await new Promise<void>((ready, fail) => {
    server.stdout.on('data', (d) => {
      output += d;
      if (output.includes('Børneblik kører på')) ready();
    });
    server.on('exit', (code) => fail(new Error(`npm start exited with ${code}`)));
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    for (const [user, view] of VIEWS) {
      for (const size of PHONE_VIEWS.has(view) ? [...SIZES, PHONE] : SIZES) {
        const phone = size === PHONE;
        // A phone as the browser emulates one: the page's meta viewport and touch.
        const page = await browser.newPage({
          viewport: size,
          locale: 'da-DK',
          ...(phone ? { isMobile: true, hasTouch: true } : {}),
        });
        await page.goto(`http://localhost:${PORT}/`);
        await page.getByLabel('Brugernavn').fill(user);
        await page.getByLabel('Adgangskode').fill('demo');
        await page.getByRole('button', { name: 'Log ind' }).click();
        await page.getByTestId('as-of').waitFor();
        await page.goto(`http://localhost:${PORT}/#/${view}`);
        await page.waitForTimeout(1200);
        const file = join(OUT, `${view}-${size.width}.png`);
        await page.screenshot({ path: file, fullPage: true });
        console.log(file);
        await page.close();
      }
    }
  } finally {
    await browser.close();
    server.kill('SIGINT');
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
