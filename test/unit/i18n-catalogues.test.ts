/*
 * The message catalogues and the choice of a page's language: every catalogue has exactly the
 * keys of English, with each of its placeholders, and negotiation follows docs/localization.md.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { catalogues, placeholdersOf, translate, type MessageKey } from '../../src/i18n/catalogue.js';
import { en } from '../../src/i18n/messages/en.js';
import { defaultLocale, languageNames, supportedLocales } from '../../src/i18n/locales.js';
import { acceptedLanguages, bestLocale, negotiateLocale } from '../../src/i18n/negotiate.js';

const englishKeys = Object.keys(en).sort();

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

  test('translate fills placeholders, leaves a missing one visible, and needs no request', () => {
    assert.equal(translate('de', 'consent.signedInAs', { username: 'alice' }), 'Angemeldet als alice.');
    assert.equal(translate('en', 'login.continueTo'), 'to continue to {application}');
    assert.equal(translate('ja', 'mfa.recoveryCodesLeft', { count: 3 }), '各コードは 1 回だけ使用できます。残りは 3 個です。');
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
