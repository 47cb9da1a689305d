// The message catalog (sv default, en) and Swedish dates and times (Europe/Stockholm, via Intl).
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en } from './en.ts';
import { type Catalog, sv } from './sv.ts';

export type Lang = 'sv' | 'en';
export const CATALOGS: Record<Lang, Catalog> = { sv, en };
export const TIME_ZONE = 'Europe/Stockholm';

const LANG_KEY = 'samverkan.lang';
export const savedLang = (): Lang => (localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'sv');
export const saveLang = (lang: Lang) => localStorage.setItem(LANG_KEY, lang);

const locale = (lang: Lang) => (lang === 'sv' ? 'sv-SE' : 'en-GB');

/** Formatting in the hub's time zone, in the page's language. */
export function formats(lang: Lang) {
  const time = new Intl.DateTimeFormat(locale(lang), { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit' });
  const day = new Intl.DateTimeFormat(locale(lang), { timeZone: TIME_ZONE, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  return {
    time: (iso: string) => time.format(new Date(iso)),
    day: (d: Date) => day.format(d),
  };
}

/** Today's date in Stockholm as YYYY-MM-DD (what the API's `date` takes). */
export function todayInStockholm(now = new Date()): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export interface I18n {
  lang: Lang;
  t: Catalog;
  f: ReturnType<typeof formats>;
}
export const I18nContext = createContext<I18n>({ lang: 'sv', t: sv, f: formats('sv') });
export const useI18n = () => useContext(I18nContext);
