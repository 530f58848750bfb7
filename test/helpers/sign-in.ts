import { expectRedirect, isPage, type Browser } from './browser.js';
import { alice, type Credentials } from './people.js';

/**
 * Drives a browser through Gatehouse from an authorization URL to the redirect back to the
 * application: the login form when asked, the consent form when asked. Returns that callback URL.
 */
export async function callbackFor(browser: Browser, authorizationUrl: string | URL, credentials: Credentials = alice): Promise<URL> {
  let result = await browser.get(authorizationUrl.toString());
  for (let step = 0; step < 4 && isPage(result); step += 1) {
    const page = result;
    if (page.document.querySelector('form[action$="/login"]')) {
      result = await browser.submit(page, 'form[action$="/login"]', { username: credentials.username, password: credentials.password });
      if (isPage(result) && result.document.querySelector('form[action$="/login"]') && result.status !== 200) {
        throw new Error(`sign-in failed (${result.status}): ${result.document.querySelector('.error')?.text ?? ''}`);
      }
    } else if (page.document.querySelector('form[action$="/consent"]')) {
      result = await browser.submit(page, 'form[action$="/consent"]');
    } else {
      throw new Error(`unexpected page ${page.url} (${page.status}):\n${page.body.slice(0, 800)}`);
    }
  }
  return new URL(expectRedirect(result));
}
