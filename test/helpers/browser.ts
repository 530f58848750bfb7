import { parse, type HTMLElement } from 'node-html-parser';
import { CookieJar } from 'tough-cookie';

export interface Page {
  url: string;
  status: number;
  headers: Headers;
  body: string;
  document: HTMLElement;
}

export interface FormSubmission {
  action: string;
  fields: Record<string, string>;
}

/**
 * A minimal browser for form-driven flows: a cookie jar, manual redirects (so the final
 * redirect to an application's redirect_uri is observed, never fetched) and form reading.
 */
export class Browser {
  readonly jar = new CookieJar();

  constructor(private readonly ownOrigins: string[]) {}

  private async request(url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = await this.jar.getCookieString(url);
    const headers = new Headers(init.headers);
    headers.set('accept', 'text/html,application/xhtml+xml');
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const setCookie of response.headers.getSetCookie()) await this.jar.setCookie(setCookie, url);
    return response;
  }

  private isOwn(url: string): boolean {
    return this.ownOrigins.includes(new URL(url).origin);
  }

  /**
   * Follows redirects while they stay on Gatehouse. Returns the page it lands on, or, when a
   * redirect leaves Gatehouse (to an application), that URL without fetching it.
   */
  async navigate(url: string, init: RequestInit = {}): Promise<Page | { redirectedTo: string; status: number }> {
    let response = await this.request(url, init);
    let current = url;
    for (let hops = 0; hops < 20; hops += 1) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) break;
      const next = new URL(location, current).toString();
      if (!this.isOwn(next)) return { redirectedTo: next, status: response.status };
      current = next;
      response = await this.request(current);
    }
    const body = await response.text();
    return { url: current, status: response.status, headers: response.headers, body, document: parse(body) };
  }

  async get(url: string): Promise<Page | { redirectedTo: string; status: number }> {
    return this.navigate(url);
  }

  /** Submits a form: its action and hidden fields from the page, the given fields on top. */
  async submit(page: Page, formSelector: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}) {
    const form = readForm(page, formSelector);
    return this.post(new URL(form.action, page.url).toString(), { ...form.fields, ...fields }, headers);
  }

  async post(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return this.navigate(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

export function readForm(page: Page, selector: string): FormSubmission {
  const form = page.document.querySelector(selector);
  if (!form) throw new Error(`no form ${selector} on ${page.url} (status ${page.status}):\n${page.body.slice(0, 500)}`);
  const fields: Record<string, string> = {};
  for (const input of form.querySelectorAll('input')) {
    const name = input.getAttribute('name');
    if (name && input.getAttribute('type') === 'hidden') fields[name] = input.getAttribute('value') ?? '';
  }
  const button = form.querySelector('button[name]');
  if (button) fields[button.getAttribute('name')!] = button.getAttribute('value') ?? '';
  return { action: form.getAttribute('action') ?? page.url, fields };
}

export function isPage(result: Page | { redirectedTo: string }): result is Page {
  return 'body' in result;
}

export function expectPage(result: Page | { redirectedTo: string; status: number }): Page {
  if (!isPage(result)) throw new Error(`expected a page, was redirected to ${result.redirectedTo}`);
  return result;
}

export function expectRedirect(result: Page | { redirectedTo: string; status: number }): string {
  if (isPage(result)) throw new Error(`expected a redirect to the application, got a page ${result.url} (${result.status}):\n${result.body.slice(0, 800)}`);
  return result.redirectedTo;
}
