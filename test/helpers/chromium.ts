import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const executablePath = '/usr/bin/chromium';

/** Debian's Chromium; `.ci/run` installs it. Without it browser tests skip and say why. */
export const skipWithoutChromium = existsSync(executablePath) ? false : `${executablePath} is not installed (apt-get install -y chromium)`;

/**
 * Playwright waits three minutes for a browser by default, as long as a test file may run: a
 * start that hangs would cancel the whole file without saying why. One minute, then it fails naming the launch.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    timeout: 60_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}
