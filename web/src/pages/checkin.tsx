// Incheckning: a member code (typed or from a scanner that types it) or a name search checks a member in;
// the presence list checks them out.
import { useState } from 'preact/hooks';
import { ApiError, type Output } from '../api.ts';
import { useI18n } from '../i18n/index.ts';
import { startKiosk } from '../kiosk.ts';
import { href } from '../router.ts';
import { useSession } from '../session.ts';
import { Field, formValues } from '../ui.tsx';
import { PresenceList } from './presence.tsx';

type Member = Output<'searchMembers'>['members'][number];

export function CheckInPage() {
  const { t, f } = useI18n();
  const { api, hub, say, fail } = useSession();
  const [reload, setReload] = useState(0);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [found, setFound] = useState<Member[] | undefined>();
  const [searching, setSearching] = useState(false);

  const checkIn = async (body: { memberCode: string } | { memberId: string }) => {
    setErrors({});
    try {
      const { status, json } = await api('checkIn', { params: { hubId: hub.id }, body });
      say(status === 201 ? t.checkedIn(f.time(json.checkedInAt)) : t.alreadyIn(f.time(json.checkedInAt)));
      setReload((n) => n + 1);
      return true;
    } catch (e) {
      if (e instanceof ApiError) setErrors(e.fields());
      fail(e);
      return false;
    }
  };

  const onCode = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const code = formValues(form).memberCode ?? '';
    if (await checkIn({ memberCode: code })) form.reset();
    (form.elements.namedItem('memberCode') as HTMLInputElement).focus();
  };

  const onSearch = async (e: Event) => {
    e.preventDefault();
    const q = formValues(e.currentTarget as HTMLFormElement).q ?? '';
    setSearching(true);
    setErrors({});
    try {
      setFound((await api('searchMembers', { params: { hubId: hub.id }, query: { q } })).json.members);
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fields());
      fail(err);
    } finally {
      setSearching(false);
    }
  };

  return (
    <>
      <h1 tabIndex={-1}>{t.pages.checkin}</h1>
      <section aria-labelledby="checkin-heading">
        <h2 id="checkin-heading">{t.checkIn}</h2>
        <form id="checkin-form" onSubmit={onCode} noValidate>
          <Field id="checkin-code" label={t.memberCode} hint={t.memberCodeHint} error={errors.memberCode}>
            {(aria) => <input {...aria} name="memberCode" required autocomplete="off" autocapitalize="characters" spellcheck={false} />}
          </Field>
          <button type="submit">{t.checkInButton}</button>
        </form>
      </section>
      <section aria-labelledby="search-heading">
        <h2 id="search-heading">{t.findMember}</h2>
        <form id="search-form" onSubmit={onSearch} noValidate>
          <Field id="search-q" label={t.searchLabel} error={errors.q}>
            {(aria) => <input {...aria} name="q" type="search" minLength={2} required autocomplete="off" />}
          </Field>
          <button type="submit" aria-busy={searching}>
            {t.search}
          </button>
        </form>
        {found && found.length === 0 ? <p class="hint empty">{t.noneFound}</p> : null}
        <ul id="search-results" class="list">
          {found?.map((m) => (
            <li key={m.id}>
              <span>
                {m.name} <span class="hint">{m.email}</span>
              </span>
              <button type="button" data-checkin onClick={() => checkIn({ memberId: m.id })} aria-label={t.checkInWho(m.name)}>
                {t.checkInButton}
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="presence-heading">
        <h2 id="presence-heading">{t.presence}</h2>
        <PresenceList checkOut reload={reload} />
      </section>
      <section aria-labelledby="kiosk-heading">
        <h2 id="kiosk-heading">{t.kioskLocked}</h2>
        <p class="hint">{t.kioskStartHint}</p>
        <button
          id="kiosk-start"
          type="button"
          onClick={() => {
            startKiosk(hub.id);
            location.hash = href('kiosk');
          }}
        >
          {t.kioskStart}
        </button>
      </section>
    </>
  );
}
