// What the browser tests share: the headless Chromium they drive (Debian's,
// through playwright-core from tests/tools) and how they read the dashboard
// page. CHROMIUM overrides the browser (default /usr/bin/chromium).

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('../tools/node_modules/playwright-core');

export function step(text) {
  console.log(`# ${text}`);
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

// A fresh headless Chromium with its profile in `profileDir`; offline-safe
// flags (no background networking, no component updates).
export function launchChromium(profileDir) {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function readCount(page) {
  const text = await page.textContent('#count');
  return Number(text.replace(/[^0-9-]/g, ''));
}

export async function waitForCountAbove(page, n, timeout) {
  await page.waitForFunction((min) => {
    const value = Number(document.querySelector('#count').textContent.replace(/[^0-9-]/g, ''));
    return value > min;
  }, n, { timeout, polling: 50 });
  return readCount(page);
}

export async function waitForBadge(page, text, timeout) {
  await page.waitForFunction(
    (expected) => document.querySelector('#connection-status').textContent === expected,
    text, { timeout, polling: 50 });
}
