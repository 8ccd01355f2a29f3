// Dark colours: they follow the system, the toggle switches and is remembered, and the colours
// keep their meaning and WCAG AA contrast in both themes (measured on the rendered page).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { serve, launch, open, screenshot, root } from './harness.mjs';

let server, browser;
before(async () => {
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const bg = () => getComputedStyle(document.body).backgroundColor;

test('the system\'s dark setting is followed, the toggle switches and is remembered', async () => {
  const context = await browser.newContext({ colorScheme: 'dark' });
  const { page, errors } = await open(context, server.url);
  const dark = await page.evaluate(bg);
  assert.equal(await page.getByTestId('theme-toggle').getAttribute('aria-pressed'), 'true');
  await page.getByTestId('theme-toggle').click();
  assert.equal(await page.locator('html').getAttribute('data-theme'), 'light');
  assert.equal(await page.getByTestId('theme-toggle').getAttribute('aria-pressed'), 'false');
  const light = await page.evaluate(bg);
  assert.notEqual(light, dark);
  // Remembered: after a reload (before the app starts, too) the choice holds against the system.
  await page.reload();
  await page.waitForSelector('html[data-app=ready]');
  assert.equal(await page.evaluate(bg), light);
  assert.equal(await page.getByTestId('theme-toggle').getAttribute('aria-pressed'), 'false');
  await page.getByTestId('theme-toggle').click();
  await page.reload();
  await page.waitForSelector('html[data-app=ready]');
  assert.equal(await page.evaluate(bg), dark);
  assert.deepEqual(errors, []);
  await context.close();
});

/** Every text element's colour against its effective background; the worst ratios. */
function contrasts() {
  const parse = (c) => { const m = c.match(/[\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 }; };
  const lum = ({ r, g, b }) => [r, g, b].map((v) => v / 255).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const over = (top, below) => ({ r: top.r * top.a + below.r * (1 - top.a), g: top.g * top.a + below.g * (1 - top.a), b: top.b * top.a + below.b * (1 - top.a), a: 1 });
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.a > 0) layers.push(c);
      if (c.a === 1) break;
    }
    let c = { r: 255, g: 255, b: 255, a: 1 };
    for (const l of layers.reverse()) c = over(l, c);
    return c;
  };
  const out = [];
  for (const el of document.querySelectorAll('#app *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || el.closest('.sr-only,[aria-hidden=true],svg,:disabled')) continue;
    let fg = parse(s.color);
    const b = background(el);
    fg = over(fg, b);
    const [x, y] = [lum(fg), lum(b)].sort((p, q) => q - p);
    const ratio = (x + 0.05) / (y + 0.05);
    const opacity = Number(s.opacity);
    out.push({ ratio: opacity < 1 ? ratio * opacity : ratio, text: el.textContent.trim().slice(0, 40), cls: el.className, tag: el.tagName });
  }
  return out.sort((a, b) => a.ratio - b.ratio).slice(0, 5);
}

for (const scheme of ['light', 'dark']) {
  test(`every text on the views meets WCAG AA (4.5:1) in ${scheme} colours`, async () => {
    const context = await browser.newContext({ colorScheme: scheme });
    const { page } = await open(context, server.url);
    await page.getByTestId('paste-input').fill('550 5.1.1 <a@b.com>: User unknown\n452 4.2.2 Mailbox full\n550 5.7.26 DMARC policy\n554 5.7.1 blocked using zen.spamhaus.org\n250 ok\n999 what');
    await page.getByTestId('analyze-button').click();
    await page.getByTestId('result-card').nth(4).waitFor();
    await page.getByTestId('result-card').first().getByTestId('rule-new').click();
    const worst = [];
    worst.push(...(await page.evaluate(contrasts)).map((w) => ({ view: 'paste', ...w })));
    await screenshot(page, `theme-${scheme}-paste`);
    await page.goto(`${server.url}/#/file`);
    await page.waitForSelector('html[data-app=ready]');
    await page.getByTestId('file-input').setInputFiles(path.join(root, 'tests/fixtures/history/export-1.csv'));
    await page.getByTestId('trend').waitFor({ timeout: 60000 });
    worst.push(...(await page.evaluate(contrasts)).map((w) => ({ view: 'file', ...w })));
    await page.goto(`${server.url}/#/rules`);
    await page.getByTestId('rules-page').waitFor();
    worst.push(...(await page.evaluate(contrasts)).map((w) => ({ view: 'rules', ...w })));
    worst.sort((a, b) => a.ratio - b.ratio);
    console.log(`${scheme}: lowest text contrasts`, worst.slice(0, 6).map((w) => `${w.ratio.toFixed(2)} ${w.view} ${w.tag}.${w.cls} "${w.text}"`));
    assert.ok(worst[0].ratio >= 4.5, `${worst[0].ratio.toFixed(2)}: ${JSON.stringify(worst[0])}`);
    await context.close();
  });
}
