/**
 * Debian's Chromium driven by playwright-core (installed by scripts/ensure-chromium.sh;
 * playwright's own browser downloads are never used), and helpers the browser tests share:
 * users made through the admin API, signing in through the real form, screenshots.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { PacerHarness } from './api-harness';
import { userResponse } from '../../src/http/api/openapi/responses';
import { bodyOf } from '../api/api-helpers';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(__dirname, '..', '..', 'test-output', 'e2e');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

export interface TestUser {
  id: string;
  email: string;
  name: string;
  password: string;
}

export async function createUser(h: PacerHarness, u: { email: string; name: string; role: string; organizationId?: string; timeZone?: string }): Promise<TestUser> {
  const password = `pw-${u.email}-long-enough`;
  const res = await h.api('/api/v1/users', { body: { ...u, password } });
  const created = bodyOf(res, userResponse, 201);
  return { id: created.id, email: created.email, name: created.name, password };
}

/** Signs in through the form and waits for the landing page. */
export async function signIn(page: Page, baseUrl: string, user: TestUser, landing: RegExp): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await Promise.all([page.waitForURL(landing), page.getByRole('button', { name: 'Sign in' }).click()]);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
