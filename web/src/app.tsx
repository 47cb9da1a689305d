// The staff app's shell: header (hub, language, who is signed in), the nav bar, the page, the message line.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, apiClient } from './api.ts';
import { type Auth, SessionExpired } from '../auth.ts';
import { CATALOGS, formats, I18nContext, type Lang, saveLang, savedLang } from './i18n/index.ts';
import { AccessibilityPage } from './pages/accessibility.tsx';
import { BookingsPage } from './pages/bookings.tsx';
import { CheckInPage } from './pages/checkin.tsx';
import { KioskPage } from './pages/kiosk.tsx';
import { EventsPage } from './pages/events.tsx';
import { MembersPage } from './pages/members.tsx';
import { ReportPage } from './pages/report.tsx';
import { TodayPage } from './pages/today.tsx';
import { askToLeaveKiosk, kioskHub } from './kiosk.ts';
import { href, type Route, useRoute } from './router.ts';
import { type Hub, type Session, SessionContext } from './session.ts';

const HUB_KEY = 'samverkan.hub';

export function App(props: { auth: Auth | undefined; startError?: string | undefined }) {
  const { auth } = props;
  const [lang, setLang] = useState<Lang>(savedLang);
  const i18n = useMemo(() => ({ lang, t: CATALOGS[lang], f: formats(lang) }), [lang]);
  const { t } = i18n;
  const route = useRoute();
  const [message, setMessage] = useState<{ text: string; kind: 'ok' | 'error' }>({ text: props.startError ? `${t.signInFailed}: ${props.startError}` : '', kind: props.startError ? 'error' : 'ok' });
  const [hubs, setHubs] = useState<Hub[] | undefined>();
  const [hubId, setHubId] = useState<string>(() => sessionStorage.getItem(HUB_KEY) ?? '');
  const api = useMemo(() => apiClient(auth), [auth]);
  const user = auth?.user;
  const groups = auth?.groups() ?? [];
  const national = groups.includes('national');
  const staffHubs = groups.filter((g) => g.startsWith('staff-')).map((g) => g.slice('staff-'.length));

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t.title;
    saveLang(lang);
  }, [lang]);

  useEffect(() => {
    if (!user) return;
    api('listHubs', { params: {} })
      .then(({ json }) => {
        const mine = national ? json.hubs : json.hubs.filter((h) => staffHubs.includes(h.id));
        setHubs(mine);
        setHubId((id) => (mine.some((h) => h.id === id) ? id : (mine[0]?.id ?? '')));
      })
      .catch((e) => {
        setHubs([]);
        setMessage({ text: `${t.error}: ${e instanceof Error ? e.message : String(e)}`, kind: 'error' });
      });
  }, [user]);

  useEffect(() => {
    if (hubId) sessionStorage.setItem(HUB_KEY, hubId);
  }, [hubId]);

  // A new page starts without the last page's message.
  useEffect(() => setMessage((m) => (m.text ? { text: '', kind: 'ok' } : m)), [route, hubId]);

  // What was typed before an expired session sent the person to sign-in: put back once the page's forms are there.
  useEffect(() => {
    if (!auth?.user || !hubs?.length) return;
    const id = setTimeout(() => {
      if (auth.restoreDrafts()) setMessage({ text: CATALOGS[savedLang()].draftRestored, kind: 'ok' });
    }, 0);
    return () => clearTimeout(id);
  }, [hubs]);

  // Kiosk mode (a tablet at the entrance): the kiosk's hub, whatever was picked before.
  const kiosk = kioskHub();
  const hub = hubs?.find((h) => h.id === (kiosk ?? hubId));
  const session: Session | undefined = hub
    ? {
        api,
        hub,
        isStaff: staffHubs.includes(hub.id),
        say: (text, kind = 'ok') => setMessage({ text, kind }),
        fail: (err) => {
          if (err instanceof SessionExpired) setMessage({ text: t.sessionExpired, kind: 'ok' });
          // The fields say what is wrong, each by itself (in the page's language): the line only points to them.
          else if (err instanceof ApiError && err.issues.length > 0) setMessage({ text: `${t.error}: ${t.fixFields}`, kind: 'error' });
          else setMessage({ text: `${t.error}: ${err instanceof Error ? err.message : String(err)}`, kind: 'error' });
        },
      }
    : undefined;

  const role = national ? t.roleNational : staffHubs.length > 0 ? t.roleStaff((hubs ?? []).filter((h) => staffHubs.includes(h.id)).map((h) => h.name).join(', ')) : groups.includes('researcher') ? t.roleResearcher : '';
  const nav: { route: Route; label: string; staffOnly?: boolean }[] = [
    { route: 'idag', label: t.pages.today },
    { route: 'incheckning', label: t.pages.checkin, staffOnly: true },
    { route: 'medlemmar', label: t.pages.members, staffOnly: true },
    { route: 'bokningar', label: t.pages.bookings, staffOnly: true },
    { route: 'evenemang', label: t.pages.events, staffOnly: true },
    { route: 'rapport', label: t.pages.report },
    { route: 'tillganglighet', label: t.pages.accessibility },
  ];

  if (kiosk) {
    const signIn = () => auth?.signIn().catch((e) => setMessage({ text: `${t.signInFailed}: ${String(e)}`, kind: 'error' }));
    const leave = () => auth && askToLeaveKiosk(auth).catch((e) => setMessage({ text: `${t.signInFailed}: ${String(e)}`, kind: 'error' }));
    const langButton = (
      <button id="lang" type="button" class="secondary" lang={lang === 'sv' ? 'en' : 'sv'} title={t.otherLangLabel} onClick={() => setLang(lang === 'sv' ? 'en' : 'sv')}>
        {t.otherLang}
      </button>
    );
    return (
      <I18nContext.Provider value={i18n}>
        {user && hub && staffHubs.includes(hub.id) ? (
          <KioskPage api={api} hub={hub} onLeave={leave} />
        ) : (
          <main id="main" class="kiosk">
            <h1 tabIndex={-1}>{t.kioskLocked}</h1>
            {message.text ? (
              <p id="result" role="status" class={message.kind}>
                {message.text}
              </p>
            ) : null}
            {!user ? (
              <>
                <p class="kiosk-intro">{t.kioskLockedHint}</p>
                <button id="sign-in" type="button" onClick={signIn}>
                  {t.signInButton}
                </button>
              </>
            ) : hubs === undefined ? (
              <p aria-busy="true">{t.loading}</p>
            ) : (
              <>
                <p class="kiosk-intro">{t.kioskNotStaff}</p>
                <button id="kiosk-leave" type="button" class="secondary" onClick={leave}>
                  {t.kioskLeave}
                </button>
              </>
            )}
          </main>
        )}
        <footer class="kiosk-lang">{langButton}</footer>
      </I18nContext.Provider>
    );
  }

  const page = (() => {
    if (route === 'tillganglighet') return <AccessibilityPage />;
    if (!user)
      return (
        <>
          <h1 tabIndex={-1}>{t.signIn}</h1>
          <p class="hint">{t.signInHint}</p>
          <button id="sign-in" type="button" onClick={() => auth?.signIn().catch((e) => setMessage({ text: `${t.signInFailed}: ${String(e)}`, kind: 'error' }))}>
            {t.signInButton}
          </button>
        </>
      );
    if (hubs === undefined) return <p aria-busy="true">{t.loading}</p>;
    if (!session) return <p class="hint">{t.noHubAccess}</p>;
    if (route === 'rapport') return <ReportPage />;
    if (route !== 'idag' && !session.isStaff)
      return (
        <p id="not-staff-hint" class="hint">
          {t.notStaffHint}
        </p>
      );
    if (route === 'incheckning') return <CheckInPage />;
    if (route === 'medlemmar') return <MembersPage />;
    if (route === 'bokningar') return <BookingsPage />;
    if (route === 'evenemang') return <EventsPage />;
    return <TodayPage />;
  })();

  return (
    <I18nContext.Provider value={i18n}>
      <a class="skip" href="#main">
        {t.skipToContent}
      </a>
      <header>
        <p class="brand">{t.title}</p>
        <div class="tools">
          {user && hubs && hubs.length > 0 ? (
            <label id="hub-picker">
              <span>{t.hub}</span>{' '}
              <select id="hub" value={hubId} onChange={(e) => setHubId(e.currentTarget.value)}>
                {hubs.map((h) => (
                  <option key={h.id} value={h.id}>
                    {h.name}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <button id="lang" type="button" class="secondary" lang={lang === 'sv' ? 'en' : 'sv'} title={t.otherLangLabel} onClick={() => setLang(lang === 'sv' ? 'en' : 'sv')}>
            {t.otherLang}
          </button>
          {user && hubs !== undefined ? (
            <p id="signed-in">
              <span class="hint">{t.signedInAs}</span> <strong id="user-name">{String(user.profile.email ?? user.profile.sub)}</strong> <span id="user-role" class="hint">{role}</span>{' '}
              <button id="sign-out" type="button" class="secondary" onClick={() => auth?.signOut()}>
                {t.signOut}
              </button>
            </p>
          ) : null}
        </div>
      </header>
      <nav aria-label={t.nav}>
        <ul>
          {nav
            .filter((n) => n.route === 'tillganglighet' || (user && (!n.staffOnly || session?.isStaff)))
            .map((n) => (
              <li key={n.route}>
                <a href={href(n.route)} aria-current={route === n.route ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          {user && session?.isStaff ? (
            <li>
              <a href="/legacy.html" title={t.moreHint}>
                {t.pages.more}
              </a>
            </li>
          ) : null}
        </ul>
      </nav>
      <main id="main">
        <p id="result" role="status" class={message.kind}>
          {message.text}
        </p>
        {user && session && !session.isStaff && route === 'idag' ? (
          <p id="not-staff-hint" class="hint">
            {t.notStaffHint}
          </p>
        ) : null}
        <SessionContext.Provider value={session}>{page}</SessionContext.Provider>
      </main>
    </I18nContext.Provider>
  );
}
