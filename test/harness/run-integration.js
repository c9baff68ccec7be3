// Runs the integration suites INSIDE code-server's Node extension host.
// usage: node run-integration.js <baseUrl> <extensionDevelopmentPath> <extensionTestsPath> <workspace> <timeoutSec> <artifactsDir>
// code-server has no --extensionTestsPath flag; the web workbench honours
// ?payload=[["extensionDevelopmentPath",URI],["extensionTestsPath",URI]] (with the server's enable-smoke-test-driver
// option), runs the runner's run(), then calls window.codeAutomationExit(code), which we expose through Playwright.
const fs = require('fs');
const path = require('path');
const { launch } = require('./browser');

(async () => {
  const [baseUrl, devPath, testsPath, ws, timeoutSec = '600', artifacts = '.'] = process.argv.slice(2);
  fs.mkdirSync(artifacts, { recursive: true });
  const remote = (p) => `vscode-remote://${new URL(baseUrl).host}${p}`;
  const payload = [['extensionDevelopmentPath', remote(devPath)], ['extensionTestsPath', remote(testsPath)]];
  const url = `${baseUrl}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const t0 = Date.now();
  const { page, close } = await launch();
  const consoleLog = fs.createWriteStream(path.join(artifacts, 'browser-console.log'));
  let code = 2;
  try {
    const done = new Promise((resolve) => { page.exposeFunction('codeAutomationExit', (c) => resolve(c)); });
    page.on('pageerror', (e) => console.error('[page error]', e.message));
    page.on('console', (m) => {
      consoleLog.write(`[${m.type()}] ${m.text()}\n`);
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) console.error('[browser console]', m.text().slice(0, 2000));
    });
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    const r = await Promise.race([done, new Promise((res) => setTimeout(() => res('timeout'), Number(timeoutSec) * 1000))]);
    if (r === 'timeout') {
      console.error(`[run-integration] no result after ${timeoutSec}s`);
      code = 3;
      await page.screenshot({ path: path.join(artifacts, 'timeout.png') }).catch(() => {});
    } else code = Number(r);
  } finally {
    await close();
    consoleLog.end();
  }
  console.log(`[run-integration] extension-host tests exited ${code} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  process.exit(code);
})().catch((e) => { console.error(e); process.exit(4); });
