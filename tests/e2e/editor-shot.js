// Screenshots of the automation editor listing the Monogoto triggers and conditions for a SIM.
//
//   scripts/develop                                  # terminal 1: simulator + Home Assistant
//   HA_URL=http://127.0.0.1:8123 node tests/e2e/editor-shot.js    # terminal 2
//
// (playwright-core comes from tests/e2e/node_modules, which scripts/e2e installs; by hand:
// PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix tests/e2e.) Uses Debian's Chromium.
// Logs in, opens Settings → Automations & scenes → Create automation → Create new automation,
// then "Add trigger" → By target → Devices → the SIM device, and checks that the "Monogoto"
// group lists every trigger; the same for "Add condition". Writes the two dialogs to
// $OUT/automation-triggers.png and $OUT/automation-conditions.png (OUT defaults to docs/).
// Environment: HA_URL, HA_USER / HA_PASSWORD (dev / dev-password, as scripts/develop creates),
// DEVICE (Camera 1), OUT, CHROMIUM (/usr/bin/chromium). Only 127.0.0.1 is ever contacted.
'use strict';

const { chromium } = require('playwright-core');
const path = require('path');

const HA_URL = process.env.HA_URL || 'http://127.0.0.1:8123';
const HA_USER = process.env.HA_USER || 'dev';
const HA_PASSWORD = process.env.HA_PASSWORD || 'dev-password';
const DEVICE = process.env.DEVICE || 'Camera 1';
const OUT = process.env.OUT || path.join(__dirname, '..', '..', 'docs');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const TRIGGERS = ['SIM data used crossed a threshold', 'SIM state changed', 'SIM went offline',
  'SIM went online'];
const CONDITIONS = ['SIM is in a state', 'SIM is online'];

// Open the "Add trigger" / "Add condition" dialog, pick DEVICE as the target, check that every
// expected item is listed for it, and save the dialog as OUT/FILE.
async function capture(page, addButton, expected, file) {
  await page.getByRole('button', { name: addButton }).first().click();
  // Home Assistant's dialogs slot their content, so find it under the dialog's host element.
  const dialog = page.locator('add-automation-element-dialog');
  await dialog.getByRole('button', { name: 'By target' }).click();
  await dialog.getByRole('treeitem', { name: 'Devices', exact: true }).click();
  await dialog.getByRole('treeitem', { name: DEVICE, exact: true }).click();
  for (const name of expected) {
    // Each row's accessible name is "<item> <target>", e.g. "SIM went online Camera 1".
    await dialog.getByRole('button', { name: `${name} ${DEVICE}`, exact: true }).waitFor();
  }
  await page.waitForTimeout(500); // let the list settle before the picture
  await dialog.locator('dialog').screenshot({ path: path.join(OUT, file) });
  console.log(`${file}: ${expected.length} Monogoto item(s) listed for "${DEVICE}"`);
  await page.keyboard.press('Escape');
  await dialog.locator('dialog').waitFor({ state: 'hidden' });
}

(async () => {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Loopback only; no brand images of other integrations (Home Assistant's CDN).
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      const other = url.pathname.startsWith('/api/brands/') && !url.pathname.includes('/monogoto/');
      return url.hostname === '127.0.0.1' && !other ? route.continue() : route.abort();
    });
    const page = await context.newPage();
    page.setDefaultTimeout(30000);

    await page.goto(HA_URL + '/');
    await page.waitForURL(/\/auth\/authorize/);
    await page.getByRole('textbox', { name: /username/i }).fill(HA_USER);
    await page.getByRole('textbox', { name: /password/i }).fill(HA_PASSWORD);
    await page.getByRole('button', { name: /log in/i }).click();
    const settings = page.locator('ha-sidebar').getByText('Settings', { exact: true }).first();
    await settings.waitFor();
    await page.locator('#ha-launch-screen').waitFor({ state: 'hidden' });

    await settings.click();
    await page.getByText('Automations & scenes', { exact: true }).first().click();
    await page.getByRole('button', { name: /create automation/i }).click();
    await page.locator('ha-dialog-new-automation ha-list-item', { hasText: 'Create new automation' })
      .click();
    await page.waitForURL(/\/config\/automation\/edit\/new/);

    await capture(page, 'Add trigger', TRIGGERS, 'automation-triggers.png');
    await capture(page, 'Add condition', CONDITIONS, 'automation-conditions.png');
  } finally {
    await browser.close();
  }
})().catch((error) => {
  console.error('FAILED:', error.message.split('\n').slice(0, 6).join(' | '));
  process.exitCode = 1;
});
