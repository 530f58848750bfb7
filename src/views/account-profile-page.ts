import { t } from '../i18n/page-locale.js';
import { languageNames, supportedLocales } from '../i18n/locales.js';
import type { MessageKey } from '../i18n/catalogue.js';
import { accountPage, type PageNotice } from './account-frame.js';
import { html, type SafeHtml } from './html.js';

/** The claims a person edits themselves, as the form holds them (text; empty = not set). */
export const editableClaims = ['name', 'given_name', 'family_name', 'nickname', 'picture', 'locale', 'phone_number'] as const;

export type EditableClaim = (typeof editableClaims)[number];

export interface AccountProfileModel {
  csrfToken: string;
  values: Partial<Record<EditableClaim, string>>;
  /** Per field, why its value was refused. */
  errors: Partial<Record<EditableClaim, string>>;
  notice?: PageNotice;
}

const labels: Record<EditableClaim, MessageKey> = {
  name: 'account.profile.name',
  given_name: 'account.profile.givenName',
  family_name: 'account.profile.familyName',
  nickname: 'account.profile.nickname',
  picture: 'account.profile.picture',
  locale: 'account.profile.locale',
  phone_number: 'account.profile.phone',
};

const autocomplete: Record<EditableClaim, string> = {
  name: 'name', given_name: 'given-name', family_name: 'family-name', nickname: 'nickname', picture: 'photo', locale: 'language', phone_number: 'tel',
};

function fieldError(claim: EditableClaim, error: string | undefined): SafeHtml | '' {
  return error ? html`<p class="error" id="${claim}-error">${error}</p>` : '';
}

function field(model: AccountProfileModel, claim: EditableClaim): SafeHtml {
  const error = model.errors[claim];
  const invalid = error ? html` aria-invalid="true" aria-describedby="${claim}-error"` : '';
  const value = model.values[claim] ?? '';
  if (claim === 'locale') {
    return html`<label for="locale">${t(labels.locale)}</label>
<select id="locale" name="locale" autocomplete="language"${invalid}>
<option value=""${value === '' ? html` selected` : ''}>${t('account.profile.localeNone')}</option>
${supportedLocales.map((locale) => html`<option value="${locale}" lang="${locale}"${value === locale ? html` selected` : ''}>${languageNames[locale]}</option>`)}
</select>
${fieldError(claim, error)}`;
  }
  const inputMode = claim === 'picture' ? html` inputmode="url"` : claim === 'phone_number' ? html` inputmode="tel"` : '';
  return html`<label for="${claim}">${t(labels[claim])}</label>
<input id="${claim}" name="${claim}" type="text" autocomplete="${autocomplete[claim]}"${inputMode} value="${value}"${invalid}>
${claim === 'phone_number' ? html`<p class="muted">${t('account.profile.phoneHint')}</p>` : ''}
${fieldError(claim, error)}`;
}

/** `/account/profile`: the claims a person may edit about themselves, each refused with its own message. */
export function accountProfilePage(model: AccountProfileModel): string {
  return accountPage('profile', t('account.profile.title'), html`<p>${t('account.profile.help')}</p>
<form method="post" action="/account/profile" novalidate>
<input type="hidden" name="csrf" value="${model.csrfToken}">
${editableClaims.map((claim) => field(model, claim))}
<div class="actions"><button class="primary" type="submit">${t('account.profile.save')}</button></div>
</form>`, model.notice);
}
