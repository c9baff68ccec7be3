// Launch Debian's Chromium through playwright-core (no browser download), with a fresh profile per launch and the
// flags this closed network needs (no background networking, no component updates).
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

exports.launch = async ({ colorScheme = 'dark', viewport = { width: 1400, height: 900 } } = {}) => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    viewport,
    colorScheme,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const page = context.pages()[0] || (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
};
