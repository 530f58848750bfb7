/*
 * The message catalogues and the choice of a page's language: every catalogue has exactly the
 * keys of English (the core's and every area's), with each of its placeholders, no key is given
 * by two sources (a merge would silently keep one), no text carries markup, and negotiation
 * follows docs/localization.md.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { catalogues, placeholdersOf, translate, type MessageKey } from '../../src/i18n/catalogue.js';
import * as accountTexts from '../../src/i18n/messages/account/index.js';
import * as brandingTexts from '../../src/i18n/messages/branding/index.js';
import { en as coreEnglish } from '../../src/i18n/messages/en.js';
import * as recoveryTexts from '../../src/i18n/messages/recovery/index.js';
import { defaultLocale, languageNames, supportedLocales } from '../../src/i18n/locales.js';
import { acceptedLanguages, bestLocale, negotiateLocale } from '../../src/i18n/negotiate.js';
import { defaultPasskeyName, shownPasskeyName } from '../../src/mfa/passkey-names.js';
import { inEnglish, type AccountRefusal } from '../../src/sign-in/account-refusal.js';

const en = catalogues.en;
const englishKeys = Object.keys(en).sort();
const englishSources = { core: coreEnglish, account: accountTexts.en, recovery: recoveryTexts.en, branding: brandingTexts.en };

describe('the catalogues', () => {
  test('six languages, English the default, each named in itself', () => {
    assert.deepEqual([...supportedLocales], ['en', 'zh-CN', 'de', 'fr', 'es', 'ja']);
    assert.equal(defaultLocale, 'en');
    assert.deepEqual(Object.keys(catalogues).sort(), [...supportedLocales].sort());
    assert.equal(languageNames['zh-CN'], '简体中文');
  });

  for (const locale of supportedLocales) {
    test(`${locale}: every key of English and no other, each with English's placeholders, none left empty or untranslated by accident`, () => {
      const catalogue = catalogues[locale] as Record<string, string>;
      assert.deepEqual(Object.keys(catalogue).sort(), englishKeys);
      for (const key of englishKeys as MessageKey[]) {
        const text = catalogue[key]!;
        assert.ok(text.trim().length > 0, `${locale} ${key} is empty`);
        assert.deepEqual(placeholdersOf(text).sort(), placeholdersOf(en[key]).sort(), `${locale} ${key}: placeholders`);
      }
      if (locale !== 'en') {
        // Some words are the same in two languages (Passkeys, Details: {description}); most are not.
        const same = englishKeys.filter((key) => catalogue[key] === en[key as MessageKey]);
        assert.ok(same.length < englishKeys.length / 20, `${locale} leaves ${same.length} texts in English: ${same.join(', ')}`);
      }
    });
  }

  test('no key is in two English sources: the core and each area have keys of their own, an area\'s with its prefix', () => {
    const seen = new Map<string, string>();
    for (const [source, texts] of Object.entries(englishSources)) {
      for (const key of Object.keys(texts)) {
        assert.equal(seen.get(key), undefined, `${key} is in ${seen.get(key)} and ${source}`);
        seen.set(key, source);
        if (source !== 'core') assert.ok(key.startsWith(`${source}.`), `${source}'s ${key} lacks the area's prefix`);
      }
    }
    assert.equal(seen.size, englishKeys.length);
  });

  test('no text carries markup: the views escape every text, so a tag would show as written', () => {
    for (const locale of supportedLocales) {
      for (const [key, text] of Object.entries(catalogues[locale])) assert.doesNotMatch(text, /<\/?[a-z][^>]*>/i, `${locale} ${key}`);
    }
  });

  test('translate fills placeholders, leaves a missing one visible, and needs no request', () => {
    assert.equal(translate('de', 'consent.signedInAs', { username: 'alice' }), 'Angemeldet als alice.');
    assert.equal(translate('en', 'login.continueTo'), 'to continue to {application}');
    assert.equal(translate('ja', 'mfa.recoveryCodesLeft', { count: 3 }), '各コードは 1 回だけ使用できます。残りは 3 個です。');
  });

  test('a refusal is a text and its parameters: in English for the audit log, in the page\'s language for the person', () => {
    const refusal: AccountRefusal = { key: 'accountRefused.notLinked', params: { username: 'kim', connection: 'Corp' } };
    assert.equal(inEnglish(refusal), 'An account named "kim" exists here already and is not linked to your Corp account, so it is not handed over. Ask an administrator.');
    assert.equal(translate('de', refusal.key, refusal.params), 'Ein Konto namens „kim“ gibt es hier bereits; es ist nicht mit Ihrem Konto bei Corp verknüpft und wird daher nicht übergeben. Wenden Sie sich an einen Administrator.');
  });

  test('a passkey\'s default name is stored in English and shown in the page\'s language; a chosen name stays as chosen', () => {
    const createdAt = Date.UTC(2026, 11, 7, 23, 30);
    const synced = defaultPasskeyName({ deviceType: 'multiDevice', transports: ['internal', 'hybrid'], now: createdAt });
    assert.equal(synced, 'Synced passkey (7 Dec 2026)');
    assert.equal(defaultPasskeyName({ deviceType: 'singleDevice', transports: ['usb', 'nfc'], now: createdAt }), 'Security key (7 Dec 2026)');
    assert.equal(shownPasskeyName({ name: synced, createdAt }, 'en'), synced);
    assert.equal(shownPasskeyName({ name: synced, createdAt }, 'de'), 'Synchronisierter Passkey (7. Dez. 2026)');
    assert.equal(shownPasskeyName({ name: 'Security key (7 Dec 2026)', createdAt }, 'ja'), 'セキュリティキー（2026年12月7日）');
    assert.equal(shownPasskeyName({ name: 'Security key (6 Dec 2026)', createdAt }, 'ja'), 'Security key (6 Dec 2026)', 'another day: a name someone typed');
    assert.equal(shownPasskeyName({ name: 'Work laptop', createdAt }, 'fr'), 'Work laptop');
  });
});

describe('choosing the language', () => {
  test('ui_locales: the first supported tag, in the order given; unknown and malformed tags are skipped', () => {
    assert.equal(negotiateLocale({ uiLocales: 'fr de' }), 'fr');
    assert.equal(negotiateLocale({ uiLocales: 'ko x_y!! ja en' }), 'ja');
    assert.equal(negotiateLocale({ uiLocales: 'ko', acceptLanguage: 'de' }), 'de');
    assert.equal(negotiateLocale({ uiLocales: '' }), 'en');
  });

  test('best fit: zh, zh-Hans and zh-CN with extensions find zh-CN; regional English, German and Spanish find theirs', () => {
    assert.equal(bestLocale(['zh']), 'zh-CN');
    assert.equal(bestLocale(['zh-Hans']), 'zh-CN');
    assert.equal(bestLocale(['zh-CN-x-private']), 'zh-CN');
    assert.equal(bestLocale(['en-GB']), 'en');
    assert.equal(bestLocale(['de-AT']), 'de');
    assert.equal(bestLocale(['es-MX']), 'es');
    assert.equal(bestLocale(['pt-BR']), undefined);
    assert.equal(bestLocale(['*', '', 'not a tag']), undefined);
  });

  test('Accept-Language: by q-value, ties in the order sent, q=0 never', () => {
    assert.deepEqual(acceptedLanguages('fr;q=0.5, de, ja;q=0.8, en;q=0'), ['de', 'ja', 'fr']);
    assert.equal(negotiateLocale({ acceptLanguage: 'pt-BR, fr;q=0.9, en;q=0.8' }), 'fr');
    assert.equal(negotiateLocale({ acceptLanguage: 'de;q=0.1, es;q=0.9' }), 'es');
    assert.equal(negotiateLocale({ acceptLanguage: 'ja;q=0, xx' }), 'en');
    assert.equal(negotiateLocale({ acceptLanguage: 'zh-CN,zh;q=0.9,en;q=0.8' }), 'zh-CN');
  });

  test('the order: ?lang=, then the cookie, then ui_locales, then the user\'s locale, then Accept-Language, then English', () => {
    const all = { query: 'de', cookie: 'fr', uiLocales: 'es', userLocale: 'ja', acceptLanguage: 'zh-CN' };
    assert.equal(negotiateLocale(all), 'de');
    assert.equal(negotiateLocale({ ...all, query: undefined }), 'fr');
    assert.equal(negotiateLocale({ ...all, query: undefined, cookie: undefined }), 'es');
    assert.equal(negotiateLocale({ ...all, query: undefined, cookie: undefined, uiLocales: undefined }), 'ja');
    assert.equal(negotiateLocale({ acceptLanguage: 'zh-CN' }), 'zh-CN');
    assert.equal(negotiateLocale({}), 'en');
  });

  test('a signal naming no supported language gives way to the next one, never an error', () => {
    assert.equal(negotiateLocale({ query: 'xx', cookie: 'ja' }), 'ja');
    assert.equal(negotiateLocale({ cookie: '%%%', uiLocales: 'ko', userLocale: 'de_DE' }), 'de');
    assert.equal(negotiateLocale({ userLocale: 'Klingon', acceptLanguage: 'es' }), 'es');
  });
});
