import { Browser, expectPage, expectRedirect, isPage } from './browser.js';

export interface Credentials {
  username: string;
  password: string;
}

/**
 * Drives a browser through Gatehouse from an authorization URL to the redirect back to the
 * application: the login form when asked, the consent form when asked. Returns the callback URL.
 */
export async function authorize(browser: Browser, authorizationUrl: string | URL, credentials: Credentials, { consent = true } = {}): Promise<string> {
  let result = await browser.get(authorizationUrl.toString());
  for (let step = 0; step < 4 && isPage(result); step += 1) {
    const page = result;
    if (page.document.querySelector('form[action$="/login"]')) {
      result = await browser.submit(page, 'form[action$="/login"]', { username: credentials.username, password: credentials.password });
      if (isPage(result) && result.document.querySelector('form[action$="/login"]') && result.status !== 200) {
        throw new Error(`sign-in failed (${result.status}): ${result.document.querySelector('.error')?.text ?? ''}`);
      }
    } else if (page.document.querySelector('form[action$="/consent"]')) {
      result = consent
        ? await browser.submit(page, 'form[action$="/consent"]')
        : await browser.submit(page, 'form[action$="/abort"]');
    } else {
      throw new Error(`unexpected page ${page.url} (${page.status}):\n${page.body.slice(0, 800)}`);
    }
  }
  return expectRedirect(result);
}

export { Browser, expectPage, expectRedirect };
