// Browser test: set up the Monogoto integration through Home Assistant's real UI.
//
// Run by scripts/e2e, which starts the simulator and a fresh, onboarded Home Assistant and
// passes their addresses in the environment. Drives Debian's Chromium with playwright-core:
// log in → Settings → Devices & services → Add integration → Monogoto → the URL help states the
// loopback exception → a plain-http URL to another host (the error shows, "Advanced settings"
// opens by itself) → wrong password (the translated error shows) → right password with the
// simulator URL under "Advanced settings" →
// entry created → the SIM devices are listed → a SIM's device page shows its state → toggling
// its SIM switch off and on again sends exactly one PUT each to the simulator, and the new
// state shows each time → Ping sends exactly one ping → the entry's Configure (options flow):
// "Chosen SIMs", every SIM ticked; untick them all and pick 3 with the searchable list → saved,
// the integration page goes from 12 devices to 3, exactly those, each with its entities; the
// chosen SIMs go to $ARTIFACTS/chosen-sims.json for scripts/e2e's cross-check over the API →
// Configure → "Real-time events" shows the webhook URL → the simulator pushes an incoming SMS
// to it → the SIM's "SMS events" entity shows the SMS received, and its text.
// A screenshot of every step goes to $ARTIFACTS (NN-step.png; 99-failure.png on failure).
// Every request that is not for 127.0.0.1 is blocked, as are the brand images Home Assistant
// would fetch from its CDN for other integrations.
'use strict';

const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const HA_URL = env('HA_URL');
const HA_USER = env('HA_USER');
const HA_PASSWORD = env('HA_PASSWORD');
const SIM_URL = env('SIM_URL');
const SIM_USER = env('SIM_USER', 'demo@example.com');
const SIM_PASSWORD = env('SIM_PASSWORD', 'demo-password');
const ARTIFACTS = env('ARTIFACTS');
const STEP_TIMEOUT = Number(env('STEP_TIMEOUT', '30000'));
const CHROMIUM = env('CHROMIUM', '/usr/bin/chromium');

const t0 = Date.now();
const log = (...args) => console.log(`[ui ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...args);
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let shotNumber = 0;
async function shot(page, name, number = ++shotNumber) {
  const file = path.join(ARTIFACTS, `${String(number).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  log('screenshot', path.basename(file));
}

// The simulator's own console API and its test-only counters (loopback only).
async function simJson(pathname, options = {}) {
  const response = await fetch(SIM_URL + pathname, { ...options, signal: AbortSignal.timeout(10000) });
  if (!response.ok) throw new Error(`simulator ${pathname}: HTTP ${response.status}`);
  return response.json();
}
async function simThings() {
  const { token } = await simJson('/Auth', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ UserName: SIM_USER, Password: SIM_PASSWORD }),
  });
  const things = [];
  for (let offset = 0; ; offset += 50) {
    const page = await simJson(`/things?limit=50&offset=${offset}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    things.push(...page);
    if (page.length < 50) return things;
  }
}
const simStats = () => simJson('/_sim/stats');

// As Thing.display_name: a console-default "ICCID <number>" name becomes "SIM <last 4>".
function displayName(thing) {
  const iccid = thing.ExternalUniqueId;
  return thing.ThingName && !thing.ThingName.includes(iccid) ? thing.ThingName : `SIM ${iccid.slice(-4)}`;
}

async function until(what, check, timeout = STEP_TIMEOUT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// Wait until `target` is visible, failing at once (with Home Assistant's message) when an error
// shows instead: a form error other than `expected` (a text or a list of texts, e.g. also the
// previous submission's error, still shown until the answer arrives), or "Config flow could
// not be loaded".
async function appears(page, what, target, expected = null) {
  const tolerated = [expected].flat().filter((text) => text !== null);
  const errors = page.locator('ha-alert[alert-type="error"]')
    .or(page.getByText(/could not be loaded/i)).filter({ visible: true });
  await until(what, async () => {
    if (await target.isVisible()) return true;
    for (const text of await errors.allTextContents()) {
      if (text.trim() && !tolerated.includes(text.trim())) {
        throw new Error(`Home Assistant shows "${text.trim()}" instead of ${what}`);
      }
    }
    return false;
  });
}

async function run(page) {
  const things = await simThings();
  const target = things.find((thing) => thing.State === 'ACTIVE');
  if (!target) throw new Error('the simulator has no ACTIVE SIM to switch');
  log(`simulator: ${things.length} SIMs; will switch "${target.ThingName}" (${target.ThingId})`);

  // 1. Log in.
  await page.goto(HA_URL + '/');
  await page.waitForURL(/\/auth\/authorize/);
  await page.getByRole('textbox', { name: /username/i }).fill(HA_USER);
  await page.getByRole('textbox', { name: /password/i }).fill(HA_PASSWORD);
  await shot(page, 'login');
  await page.getByRole('button', { name: /log in/i }).click();
  const settings = page.locator('ha-sidebar').getByText('Settings', { exact: true }).first();
  await settings.waitFor();
  await page.locator('#ha-launch-screen').waitFor({ state: 'hidden' });
  await shot(page, 'logged-in');

  // 2. Settings → Devices & services → Add integration → search "Monogoto".
  await settings.click();
  await page.getByText('Devices & services', { exact: true }).first().click();
  const addIntegration = page.getByRole('button', { name: /add integration/i });
  await addIntegration.waitFor();
  await shot(page, 'devices-and-services');
  await addIntegration.click();
  const search = page.locator('dialog-add-integration input').first();
  await search.waitFor();
  await search.fill('Monogoto');
  const brand = page.locator('dialog-add-integration').getByText('Monogoto', { exact: true }).first();
  await brand.waitFor();
  await shot(page, 'search-monogoto');

  // 3. The form, with "Advanced settings" expanded (still showing the default console URL).
  await brand.click();
  const username = page.getByRole('textbox', { name: /^user name/i });
  const password = page.getByRole('textbox', { name: /^password/i });
  const submit = page.getByRole('button', { name: /^submit$/i });
  await appears(page, 'the setup form', username);
  const advanced = page.getByRole('button', { name: 'Advanced settings' });
  const consoleUrl = page.getByRole('textbox', { name: /^console url/i });
  const expandAdvanced = async () => {
    if ((await advanced.getAttribute('aria-expanded')) !== 'true') await advanced.click();
    await consoleUrl.waitFor();
  };
  if ((await advanced.getAttribute('aria-expanded')) === 'true') {
    throw new Error('"Advanced settings" is open before any error');
  }
  await expandAdvanced();
  if ((await consoleUrl.inputValue()) !== 'https://console.monogoto.io') {
    throw new Error(`unexpected default console URL ${await consoleUrl.inputValue()}`);
  }
  // The URL's help text states the loopback exception.
  await page.getByText(/plain http:\/\/ is accepted only for this computer itself \(http:\/\/127\.0\.0\.1 or http:\/\/localhost\)/)
    .first().waitFor();
  await page.waitForTimeout(400); // the expansion animation
  await shot(page, 'setup-form');

  // 3b. A plain-http URL to another host is refused before any sign-in, and the form comes
  //     back with "Advanced settings" open on its own, showing the field at fault.
  const authBeforeUrl = (await simStats()).requests.auth ?? 0;
  await username.fill(SIM_USER);
  await password.fill(SIM_PASSWORD);
  await consoleUrl.fill('http://console.example.com');
  await submit.click();
  const invalidUrl = 'The console URL must start with https:// (plain http:// is only allowed for this computer itself).';
  await appears(page, 'the invalid_url error', page.getByText(invalidUrl), invalidUrl);
  await until('"Advanced settings" to be open after the URL error', async () =>
    (await advanced.getAttribute('aria-expanded')) === 'true' && (await consoleUrl.isVisible()));
  if (((await simStats()).requests.auth ?? 0) !== authBeforeUrl) {
    throw new Error('a refused URL still signed in somewhere');
  }
  log('UI: invalid_url shown, "Advanced settings" open by itself');
  await page.waitForTimeout(400);
  await shot(page, 'invalid-url-advanced-open');

  // 4. A wrong password, against the simulator: the translated error shows.
  const authBefore = (await simStats()).requests.auth ?? 0;
  await username.fill(SIM_USER);
  await password.fill('not-the-password');
  await consoleUrl.fill(SIM_URL);
  await submit.click();
  const invalidAuth = 'Monogoto did not accept this user name and password.';
  await appears(page, 'the invalid_auth error', page.getByText(invalidAuth), [invalidAuth, invalidUrl]);
  const authAfter = (await simStats()).requests.auth ?? 0;
  if (authAfter !== authBefore + 1) {
    throw new Error(`expected one sign-in at the simulator, saw ${authAfter - authBefore}`);
  }
  await shot(page, 'wrong-password');

  // 5. The right password: the entry is created. After the password error the form is shown
  //    again with the section collapsed (the error is not in it); the URL typed before must
  //    still be there (never submit to the real console).
  await password.fill(SIM_PASSWORD);
  await expandAdvanced();
  const keptUrl = await consoleUrl.inputValue();
  if (keptUrl !== SIM_URL) throw new Error(`the form lost the console URL: ${keptUrl}`);
  await submit.click();
  // Home Assistant 2026.10 follows up with "Name and assign" for the new devices.
  const finish = page.getByRole('button', { name: /^(skip and )?finish$/i });
  await appears(page, 'the created entry', finish, invalidAuth);
  await shot(page, 'entry-created');
  await finish.click();

  // 6. The integration page lists one device per SIM (the account is a service, not counted).
  await page.waitForURL(/\/config\/integrations\/integration\/monogoto/);
  await listsExactly(page, things, things);
  log(`integration page: ${things.length} devices, every SIM listed`);
  await shot(page, 'integration-page');

  // 7. One SIM's device page shows its state and an enabled SIM switch that is on.
  await simRow(page, target).click();
  await page.waitForURL(/\/config\/devices\/device\//);
  // The state text is slotted into the row, so the row's own (light DOM) text is the value.
  const simState = page.locator('hui-generic-entity-row', { hasText: 'SIM state' });
  const simStateIs = (value) => until(`SIM state "${value}"`, async () =>
    (await simState.count()) === 1 && (await simState.textContent()).trim() === value);
  await simStateIs('Active');
  const controls = page.locator('ha-card', { has: page.getByRole('heading', { name: 'Controls' }) });
  const simSwitch = controls.getByRole('switch');
  await until('the SIM switch to be on and enabled', async () =>
    (await simSwitch.count()) === 1 && (await simSwitch.isChecked()) && (await simSwitch.isEnabled()));
  await page.waitForTimeout(300);
  await shot(page, 'sim-device');

  // 8. Switch the SIM off, then on again: each click sends exactly one PUT to the simulator,
  //    and the device page follows (SIM state text and switch position).
  const toggle = async (state, label, on) => {
    const putsBefore = (await simStats()).puts.length;
    // The checkbox inside is visually hidden; click the switch element, as a user would.
    await controls.locator('ha-switch').click();
    await until(`the PUT ${state} at the simulator`, async () =>
      (await simStats()).puts.length > putsBefore);
    await page.waitForTimeout(2000); // a second, duplicate PUT would have arrived by now
    const stats = await simStats();
    const puts = stats.puts.slice(putsBefore);
    if (puts.length !== 1 || puts[0].thing_id !== target.ThingId
        || JSON.stringify(puts[0].body) !== JSON.stringify({ state })) {
      throw new Error(`expected one PUT {"state":"${state}"} for ${target.ThingId}, got ${JSON.stringify(puts)}`);
    }
    if (stats.states[target.ThingId] !== state) {
      throw new Error(`the simulator has ${target.ThingId} ${stats.states[target.ThingId]}, not ${state}`);
    }
    log(`simulator: exactly one PUT ${JSON.stringify(puts[0].body)} for ${target.ThingId}`);
    await simStateIs(label);
    await until(`the SIM switch to show ${on ? 'on' : 'off'}`, async () =>
      (await simSwitch.isChecked()) === on && (await simSwitch.isEnabled()));
    log(`UI: SIM state "${label}", switch ${on ? 'on' : 'off'}`);
  };
  await toggle('SUSPENDED', 'Suspended', false);
  await page.waitForTimeout(300);
  await shot(page, 'sim-suspended');
  await toggle('ACTIVE', 'Active', true);
  await page.waitForTimeout(300);
  await shot(page, 'sim-active-again');

  // 9. Press Ping on the SIM's page: exactly one ping reaches the simulator, for that SIM,
  //    sent to the SIM's IP address.
  const pingsBefore = (await simStats()).requests.ping ?? 0;
  const pingRow = page.locator('hui-button-entity-row', { hasText: 'Ping' });
  await until('the Ping button on the device page', async () => (await pingRow.count()) === 1);
  await pingRow.getByRole('button', { name: /press/i }).click();
  await until('the ping at the simulator', async () =>
    ((await simStats()).requests.ping ?? 0) > pingsBefore);
  await page.waitForTimeout(1500); // a second, duplicate ping would have arrived by now
  const pings = ((await simStats()).requests.ping ?? 0) - pingsBefore;
  if (pings !== 1) throw new Error(`expected one ping at the simulator, saw ${pings}`);
  log(`simulator: exactly one ping for ${target.ThingId}`);
  await shot(page, 'sim-ping');

  // 9b. Lock the SIM to its device (the IMEI lock switch, in the page's Configuration card):
  //     exactly one PUT /thing/update/ reaches the simulator, for that SIM, with its cas, and
  //     the switch then shows the lock.
  const configuration = page.locator('ha-card', { has: page.getByRole('heading', { name: 'Configuration' }) });
  const lockSwitch = configuration.getByRole('switch');
  await until('the IMEI lock switch to be off and enabled', async () =>
    (await lockSwitch.count()) === 1 && !(await lockSwitch.isChecked()) && (await lockSwitch.isEnabled()));
  const updatesBefore = (await simStats()).updates.length;
  await configuration.locator('ha-switch').click();
  await until('the PUT /thing/update/ at the simulator', async () =>
    (await simStats()).updates.length > updatesBefore);
  await page.waitForTimeout(2000); // a second, duplicate PUT would have arrived by now
  const updates = (await simStats()).updates.slice(updatesBefore);
  if (updates.length !== 1 || updates[0].ThingId !== `/thing/${target.ThingId}`
      || updates[0].LockMasterImei !== true || !updates[0].cas || !updates[0].MasterIMEI) {
    throw new Error(`expected one PUT /thing/update/ locking ${target.ThingId}, got ${updates.length}`);
  }
  log(`simulator: exactly one PUT /thing/update/ locking ${target.ThingId}`);
  await until('the IMEI lock switch to show on', async () => (await lockSwitch.isChecked()) === true);
  log('UI: IMEI lock on');
  await shot(page, 'sim-imei-locked');

  await chooseSims(page, things, target);
  await realtimeEvents(page, target);
}

// The options open on a menu: pick one of its items.
async function openMenuItem(page, name) {
  const item = page.locator('dialog-data-entry-flow').getByText(name, { exact: true });
  await appears(page, `the options menu item "${name}"`, item);
  await shot(page, 'options-menu');
  await item.click();
}

// 11. Configure → "Real-time events": the step shows the webhook URL to paste into the Monogoto
//     Hub, with receiving on. The simulator then pushes an incoming SMS to that webhook, as the
//     Hub would, and the SIM's device page shows it: its "SMS events" entity fired (its
//     more-info shows "Received"), and the entity's state (in the frontend) carries the text.
async function realtimeEvents(page, target) {
  const integrationPage = HA_URL + '/config/integrations/integration/monogoto';
  await page.goto(integrationPage);
  await page.getByRole('button', { name: 'Configure', exact: true }).click();
  await openMenuItem(page, 'Real-time events');
  const dialog = page.locator('dialog-data-entry-flow');
  const url = dialog.getByText(/\/api\/webhook\/[0-9a-f]{64}/).first();
  await appears(page, 'the webhook URL', url);
  await dialog.getByText('Receive real-time events', { exact: true }).first().waitFor();
  const toggle = dialog.locator('ha-switch');
  await until('receiving to be on', async () =>
    (await toggle.count()) === 1 && (await toggle.evaluate((element) => element.checked)));
  const webhookPath = (await url.textContent()).match(/\/api\/webhook\/[0-9a-f]{64}/)[0];
  log('options: the Real-time events step shows the webhook URL, receiving on');
  await page.waitForTimeout(300);
  await shot(page, 'options-realtime');
  await page.keyboard.press('Escape');

  const message = 'SOS from the browser test';
  const pushed = await simJson('/_sim/push', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ url: HA_URL + webhookPath, thing_id: target.ThingId, kind: 'incoming_sms', message }),
  });
  if (pushed.status !== 200) throw new Error(`the webhook answered the push with HTTP ${pushed.status}`);
  log(`simulator: pushed an incoming SMS of ${target.ThingId} to the webhook`);

  await page.goto(integrationPage);
  await simRow(page, target).click();
  await page.waitForURL(/\/config\/devices\/device\//);
  const smsRow = page.getByText('SMS events', { exact: true }).first();
  await appears(page, 'the SMS events entity on the device page', smsRow);
  await smsRow.scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  await shot(page, 'sim-sms-received');
  await smsRow.click();
  const moreInfo = page.locator('ha-more-info-dialog');
  await until('the SMS received in the entity', async () =>
    (await moreInfo.getByText('Received', { exact: true }).count()) > 0);
  log('UI: the SIM\'s SMS events entity shows the SMS received');
  await page.waitForTimeout(300);
  await shot(page, 'sim-sms-more-info');
  // The text is an attribute of the entity's state, as the frontend holds it.
  const texts = await page.evaluate(() => Object.values(document.querySelector('home-assistant').hass.states)
    .filter((state) => state.entity_id.startsWith('event.') && state.attributes.event_type === 'received')
    .map((state) => state.attributes.text));
  if (JSON.stringify(texts) !== JSON.stringify([message])) {
    throw new Error(`expected one received SMS with its text, the frontend has ${JSON.stringify(texts)}`);
  }
  log('UI: the SMS entity carries the text');
}

// The integration page's row of a SIM's device ("<name> SIM • N entities").
const simRow = (page, thing) =>
  page.getByRole('button', { name: new RegExp(`^${escape(displayName(thing))} SIM\\b`) }).first();

// Wait until the integration page counts `shown.length` devices and lists exactly the SIMs
// `shown` of `things`.
async function listsExactly(page, things, shown) {
  await page.getByRole('link', { name: `${shown.length} devices`, exact: true }).waitFor();
  await until(`exactly the devices of ${shown.map(displayName).join(', ')}`, async () => {
    for (const thing of things) {
      if ((await simRow(page, thing).isVisible()) !== shown.includes(thing)) return false;
    }
    return true;
  });
}

// The number of entities a SIM's row shows (its text is slotted into the row's shadow DOM, so
// read the accessible name).
async function entityCount(page, thing) {
  const count = Number((await simRow(page, thing).ariaSnapshot()).match(/(\d+) entit/)?.[1]);
  if (Number.isNaN(count)) throw new Error(`no entity count in the row of ${displayName(thing)}`);
  return count;
}

// 10. Configure (the options flow): "Chosen SIMs" offers every SIM, all ticked (all are included
//     now); untick them all, pick 3 (the switched SIM and, if any, a console-default "SIM <last 4>"
//     one) through the list's search, save. The integration page then counts 3 devices, lists
//     exactly those, each kept SIM keeps its entities, and the entity total drops by the
//     entities of the SIMs left out.
async function chooseSims(page, things, target) {
  const unnamed = things.find((thing) => displayName(thing) !== thing.ThingName);
  const chosen = [...new Set([target, unnamed, ...things].filter(Boolean))].slice(0, 3);
  const names = chosen.map(displayName);
  const integrationPage = HA_URL + '/config/integrations/integration/monogoto';
  await page.goto(integrationPage);
  await listsExactly(page, things, things);
  const entitiesLink = page.getByRole('link', { name: /^\d+ entities$/ });
  const totalBefore = parseInt(await entitiesLink.textContent(), 10);
  const countsBefore = new Map();
  for (const thing of things) countsBefore.set(thing, await entityCount(page, thing));
  const keptCounts = async () => (await Promise.all(chosen.map((thing) => entityCount(page, thing)))).join('/');
  const keptBefore = chosen.map((thing) => countsBefore.get(thing)).join('/');
  const submit = page.getByRole('button', { name: /^submit$/i });

  await page.getByRole('button', { name: 'Configure', exact: true }).click();
  await openMenuItem(page, 'Which SIMs are in Home Assistant');
  const chosenMode = page.getByRole('radio', { name: 'Chosen SIMs', exact: true });
  await appears(page, 'the options dialog', chosenMode);
  await page.getByText(`The account has ${things.length} SIMs; ${things.length} are included now.`).waitFor();
  await chosenMode.check();
  await shot(page, 'options-include');
  await submit.click();

  const dialog = page.locator('dialog-data-entry-flow');
  const chips = dialog.locator('ha-input-chip');
  const chipNames = async () => (await chips.allTextContents()).map((text) => text.trim());
  const picker = dialog.locator('ha-generic-picker').getByRole('button', { name: 'SIMs', exact: true });
  await appears(page, 'the SIM list', picker);
  await until(`all ${things.length} SIMs ticked`, async () => (await chips.count()) === things.length);
  const ticked = await chipNames();
  if ([...ticked].sort().join('|') !== things.map(displayName).sort().join('|')) {
    throw new Error(`the SIM list offers ${JSON.stringify(ticked)}`);
  }
  for (const name of ticked) {
    await dialog.getByRole('button', { name: `Remove ${name}`, exact: true }).click();
  }
  await until('every SIM unticked', async () => (await chips.count()) === 0);
  // The list is searchable: type each name and pick the one exact match (e.g. not "Camera 11").
  const search = page.locator('ha-picker-combo-box input');
  for (const [index, name] of names.entries()) {
    await picker.click();
    await search.fill(name);
    await page.locator('ha-picker-combo-box ha-combo-box-item')
      .filter({ hasText: new RegExp(`^\\s*${escape(name)}\\s*$`) }).click();
    await until(`"${name}" to be ticked`, async () =>
      (await chipNames()).join('|') === names.slice(0, index + 1).join('|'));
  }
  log(`options: ${names.join(', ')} chosen by search`);
  await page.waitForTimeout(300);
  await shot(page, 'options-sims');
  await submit.click();
  await appears(page, 'the options saved', page.getByText('Options successfully saved.'));
  await page.getByRole('button', { name: /^finish$/i }).click();

  await listsExactly(page, things, chosen);
  await until('the kept SIMs to keep their entities', async () => (await keptCounts()) === keptBefore);
  // The open page's entity total lags behind the removals (Home Assistant's frontend; the
  // registry is right): load the page afresh.
  const totalAfter = totalBefore - things.filter((thing) => !chosen.includes(thing))
    .reduce((sum, thing) => sum + countsBefore.get(thing), 0);
  await page.goto(integrationPage);
  await listsExactly(page, things, chosen);
  await page.getByRole('link', { name: `${totalAfter} entities`, exact: true }).waitFor();
  log(`integration page: ${things.length} devices → ${chosen.length} (${names.join(', ')}; ${keptBefore} entities as before), ${totalBefore} entities → ${totalAfter}`);
  await shot(page, 'options-devices');
  fs.writeFileSync(path.join(ARTIFACTS, 'chosen-sims.json'),
    JSON.stringify(Object.fromEntries(chosen.map((thing) => [thing.ThingId, displayName(thing)])), null, 2));
}

(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'monogoto-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const blocked = new Set();
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
    if (!loopback || (url.pathname.startsWith('/api/brands/') && !url.pathname.includes('/monogoto/'))) {
      blocked.add(loopback ? url.pathname : url.origin);
      return route.abort();
    }
    return route.continue();
  });
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.setDefaultNavigationTimeout(2 * STEP_TIMEOUT);
  page.on('pageerror', (error) => log('frontend error (not fatal):', String(error.stack || error).slice(0, 300)));
  try {
    await run(page);
    log('PASSED');
  } catch (error) {
    log('FAILED:', error.message.split('\n').slice(0, 6).join(' | '));
    await shot(page, 'failure', 99).catch(() => {});
    process.exitCode = 1;
  } finally {
    if (blocked.size) log(`blocked ${blocked.size} non-loopback or brand request(s)`);
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
})();
