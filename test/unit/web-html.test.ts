/** The console's HTML helpers: escaping by default, and the text the countdowns show. */
import assert from 'node:assert/strict';
import { escapeHtml, html, queryString, raw } from '../../src/http/web/html';
import { countdownText, targetInWords } from '../../src/http/web/format';
import { wallTimeToInstant } from '../../src/http/web/admin-pages';

describe('web: html and formats', () => {
  it('escapes every interpolated value, including attribute quotes and backticks', () => {
    const evil = `<script>alert("x")</script>' onmouseover=\`y\``;
    const out = html`<p title="${evil}">${evil}</p>`.value;
    assert.equal(out.includes('<script>'), false);
    assert.equal(out, `<p title="${escapeHtml(evil)}">${escapeHtml(evil)}</p>`);
    assert.equal(escapeHtml(`&<>"'\``), '&amp;&lt;&gt;&quot;&#39;&#96;');
  });

  it('nests html results unescaped, joins arrays, drops null, undefined and false', () => {
    const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
    assert.equal(html`<ul>${items}${null}${undefined}${false}${0}</ul>`.value, '<ul><li>a&lt;b</li><li>c</li>0</ul>');
    assert.equal(html`${raw('<b>ok</b>')}`.value, '<b>ok</b>');
  });

  it('builds query strings without empty values', () => {
    assert.equal(queryString({ a: '1', b: '', c: undefined, d: 'x y&z' }), '?a=1&d=x+y%26z');
    assert.equal(queryString({ a: '' }), '');
  });

  it('countdown text, ahead and overdue', () => {
    assert.equal(countdownText(12_000), 'in 12s');
    assert.equal(countdownText(4 * 60_000 + 9_000), 'in 4m 09s');
    assert.equal(countdownText(3 * 3_600_000 + 5 * 60_000 + 12_000), 'in 3h 05m 12s');
    assert.equal(countdownText(2 * 86_400_000 + 4 * 3_600_000 + 1), 'in 2d 4h');
    assert.equal(countdownText(-65_000), 'overdue 1m 05s');
  });

  it('targets in plain words', () => {
    assert.equal(targetInWords(240, false), '4 hours');
    assert.equal(targetInWords(60, false), '1 hour');
    assert.equal(targetInWords(1440, true), '3 business days');
    assert.equal(targetInWords(480 * 14, true), '14 business days');
    assert.equal(targetInWords(90, false), '90 minutes');
    assert.equal(targetInWords(480, true, false), '8 business hours', 'first response reads in hours');
    assert.equal(targetInWords(1440, true, false), '24 business hours');
  });

  it('reads a wall time in a zone as the instant it names, across DST', () => {
    assert.equal(new Date(wallTimeToInstant('2026-11-20T16:00', 'America/New_York')!).toISOString(), '2026-11-20T21:00:00.000Z');
    assert.equal(new Date(wallTimeToInstant('2026-07-01T09:00', 'America/New_York')!).toISOString(), '2026-07-01T13:00:00.000Z');
    assert.equal(new Date(wallTimeToInstant('2026-12-01T12:00', 'UTC')!).toISOString(), '2026-12-01T12:00:00.000Z');
    assert.equal(wallTimeToInstant('tomorrow', 'UTC'), null);
  });
});
