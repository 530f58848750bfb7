import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { startServer, type StartOptions, type TestServer } from './start-server.js';

/** Where the console tests leave a screenshot of each main screen, for a reviewer to look at. */
export const screenshotDir = path.resolve('.test-output', 'console');

export interface ConsoleHarness {
  server: TestServer;
  chromium: Browser;
  /** The first administrator's credentials, as the first start generated them. */
  admin: { username: string; password: string };
  /** A browser context already signed in to the console as the administrator, on Applications. */
  signedIn: ConsolePage;
  close(): Promise<void>;
}

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** Everything the browser's console reported as an error, and failed requests and CSP refusals, since the page opened. */
  problems: string[];
}

/** One server and one Chromium for a test file, signed in as the first administrator through the login page. */
export async function startConsole(options: StartOptions = {}): Promise<ConsoleHarness> {
  const server = await startServer(options);
  const created = server.startup.admin;
  assert.ok(created?.kind === 'created' && created.generatedPassword, 'the first start creates the administrator with a generated password');
  const admin = { username: created.username, password: created.generatedPassword };
  const chromium = await launchChromium();
  const signedIn = await openConsole(chromium);
  await signIn(signedIn.page, server, admin);
  await signedIn.page.getByRole('heading', { level: 1, name: 'Applications' }).waitFor();
  return {
    server, chromium, admin, signedIn,
    async close() {
      await chromium.close();
      await server.close();
    },
  };
}

/** A fresh browser context (no cookies) whose errors are collected. */
export async function openConsole(chromium: Browser, viewport = { width: 1280, height: 860 }): Promise<ConsolePage> {
  const context = await chromium.newContext({ viewport });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return;
    // Chrome logs every 4xx a fetch receives; the API's refusal of a form's value is an answer the console shows beside the field, not a fault.
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text()) && message.location().url.includes('/api/v1/')) return;
    problems.push(`${message.type()}: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // A navigation away (to the login page, to the application) cancels what the page still had in flight.
    if (request.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  return { context, page, problems };
}

/** From /console (or anywhere the console sent the browser) through Gatehouse's login page and back. */
export async function signIn(page: Page, server: TestServer, who: { username: string; password: string }, start = '/console/'): Promise<void> {
  await page.goto(`${server.url}${start}`);
  await page.waitForURL((url) => url.pathname.startsWith('/interaction/'));
  await page.getByLabel('Username or email').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.pathname.startsWith('/console/') && url.pathname !== '/console/callback');
}

/** Saves the page as `<name>.png` under .test-output/console. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/** Saves one part of a page (a section) as `<name>.png` under .test-output/console, for a screen too long to read whole. */
export async function screenshotPart(part: Locator, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await part.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

/** Goes to a main screen through the navigation, as a person would. */
export async function openScreen(page: Page, label: string): Promise<void> {
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: label, exact: true }).click();
  await page.getByRole('heading', { level: 1 }).waitFor();
}

/** The page scrolls sideways: something is wider than the viewport. */
export async function scrollsSideways(page: Page): Promise<boolean> {
  // A string, because this project is type-checked without the DOM library.
  return page.evaluate<boolean>('document.documentElement.scrollWidth > document.documentElement.clientWidth');
}
