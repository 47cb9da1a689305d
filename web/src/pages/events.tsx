// Evenemang: create an event (in a room or not, published or a draft), the coming events with the seats
// left (publish a draft; its registrations and waitlist: register a member found by search, cancel), and
// attendance at the door by member code (a member not registered counts as a walk-in).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Input, type Output } from '../api.ts';
import { todayInStockholm, useI18n } from '../i18n/index.ts';
import { useSession } from '../session.ts';
import { Field, formValues } from '../ui.tsx';

type HubEvent = Output<'listHubEvents'>['events'][number];
type Resource = Output<'getHub'>['resources'][number];
type EventBody = Input<'createHubEvent'>['body'];
type Registration = Output<'listRegistrations'>['registrations'][number];
type Member = Output<'searchMembers'>['members'][number];

const KINDS = ['workshop', 'training', 'network-meeting', 'business-joint', 'agency-office-hours', 'other'] as const;

/** A Stockholm wall-clock time on a date as ISO with the offset of that moment. */
function stockholmIso(date: string, time: string): string {
  for (const offset of ['+01:00', '+02:00']) {
    const iso = `${date}T${time}:00${offset}`;
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Stockholm', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
    if (local === time) return iso;
  }
  return `${date}T${time}:00+01:00`; // a time the clock change skips: the API says what is wrong
}

export function EventsPage() {
  const { t, f, lang } = useI18n();
  const { api, hub, say, fail } = useSession();
  const [events, setEvents] = useState<HubEvent[] | undefined>();
  const [rooms, setRooms] = useState<Resource[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [doorErrors, setDoorErrors] = useState<Record<string, string>>({});
  const [tick, setTick] = useState(0);

  useEffect(() => {
    api('getHub', { params: { hubId: hub.id } })
      .then(({ json }) => setRooms(json.resources.filter((r) => r.type === 'room' || r.type === 'event-space')))
      .catch(fail);
  }, [hub.id]);
  useEffect(() => {
    api('listHubEvents', { params: { hubId: hub.id }, query: {} })
      .then(({ json }) => setEvents(json.events.filter((e) => e.status !== 'cancelled')))
      .catch((e) => {
        setEvents([]);
        fail(e);
      });
  }, [hub.id, tick]);

  const onCreate = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const v = formValues(form);
    setErrors({});
    const date = v.date ?? '';
    const from = v.from ?? '';
    const to = v.to ?? '';
    // An end at or before the start is on the next day (an event into the night).
    const endDate = to && from && to <= from ? new Date(Date.parse(`${date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10) : date;
    const body: EventBody = {
      title: v.title ?? '',
      kind: (v.kind ?? 'other') as EventBody['kind'],
      start: date && from ? stockholmIso(date, from) : '',
      end: endDate && to ? stockholmIso(endDate, to) : '',
      capacity: Number(v.capacity ?? 0),
      openToNetwork: v.openToNetwork === 'on',
      status: v.publish === 'on' ? 'published' : 'draft',
      ...(v.titleEn ? { titleEn: v.titleEn } : {}),
      ...(v.resourceId ? { resourceId: v.resourceId } : {}),
    };
    try {
      const { json } = await api('createHubEvent', { params: { hubId: hub.id }, body });
      say(t.eventCreated(json.title, t.eventStatus[json.status] ?? json.status));
      form.reset();
      setTick((n) => n + 1);
    } catch (err) {
      if (err instanceof ApiError) {
        const fields = err.fields();
        // The API names start and end; the form asks for a time from and to.
        setErrors({ ...fields, ...(fields.start ? { from: fields.start } : {}), ...(fields.end ? { to: fields.end } : {}) });
      }
      fail(err);
    }
  };

  const onDoor = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const v = formValues(form);
    setDoorErrors({});
    try {
      const { status, json } = await api('markAttendance', { params: { hubId: hub.id, eventId: v.eventId ?? '' }, body: { memberCode: v.memberCode ?? '' } });
      say(status === 201 ? (json.walkIn ? t.attendedWalkIn : t.attended) : t.alreadyAttended);
      (form.elements.namedItem('memberCode') as HTMLInputElement).value = '';
      setTick((n) => n + 1);
    } catch (err) {
      if (err instanceof ApiError) setDoorErrors(err.fields());
      fail(err);
    }
  };

  const publish = async (e: HubEvent) => {
    try {
      await api('updateHubEvent', { params: { hubId: hub.id, eventId: e.id }, body: { status: 'published' } });
      say(t.eventPublished(e.title));
      setTick((n) => n + 1);
    } catch (err) {
      fail(err);
    }
  };

  const [open, setOpen] = useState<string | undefined>();
  const opened = events?.find((e) => e.id === open);

  const title = (e: HubEvent) => (lang === 'en' && e.titleEn ? e.titleEn : e.title);
  const when = (e: HubEvent) => `${e.localDate} ${f.time(e.start)}–${f.time(e.end)}`;
  const published = events?.filter((e) => e.status === 'published') ?? [];

  return (
    <>
      <h1 tabIndex={-1}>{t.pages.events}</h1>
      <section aria-labelledby="door-heading">
        <h2 id="door-heading">{t.atTheDoor}</h2>
        {published.length === 0 ? <p class="hint empty">{t.noPublishedEvents}</p> : null}
        <form id="attendance-form" onSubmit={onDoor} noValidate hidden={published.length === 0}>
          <Field id="attendance-event" label={t.event} error={doorErrors.eventId}>
            {(aria) => (
              <select {...aria} name="eventId">
                {published.map((e) => (
                  <option key={e.id} value={e.id}>
                    {when(e)} · {title(e)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="attendance-code" label={t.memberCode} error={doorErrors.memberCode ?? doorErrors.memberId}>
            {(aria) => <input {...aria} name="memberCode" required autocomplete="off" autocapitalize="characters" spellcheck={false} />}
          </Field>
          <button type="submit">{t.markAttendance}</button>
        </form>
      </section>

      <section aria-labelledby="coming-heading">
        <h2 id="coming-heading">{t.comingEvents}</h2>
        {events === undefined ? <p class="hint">{t.loading}</p> : events.length === 0 ? <p class="hint empty">{t.noComingEvents}</p> : null}
        <ul id="event-list" class="list">
          {events?.map((e) => (
            <li key={e.id}>
              <span>
                {when(e)} · <strong>{title(e)}</strong> · {t.eventStatus[e.status] ?? e.status} · {t.seatsLeft(e.seatsLeft)}
              </span>
              <span class="actions">
                {e.status === 'draft' ? (
                  <button type="button" data-publish onClick={() => publish(e)} aria-label={t.publishWhat(title(e))}>
                    {t.publishButton}
                  </button>
                ) : null}
                <button type="button" class="secondary" data-registrations aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? undefined : e.id)} aria-label={t.registrationsOf(title(e))}>
                  {t.registrations}
                </button>
              </span>
            </li>
          ))}
        </ul>
      </section>

      {opened ? <Registrations key={opened.id} event={opened} title={title(opened)} onChange={() => setTick((n) => n + 1)} /> : null}

      <section aria-labelledby="new-event-heading">
        <h2 id="new-event-heading">{t.newEvent}</h2>
        <form id="event-form" onSubmit={onCreate} noValidate>
          <Field id="event-title" label={t.eventTitle} error={errors.title}>
            {(aria) => <input {...aria} name="title" required />}
          </Field>
          <Field id="event-title-en" label={t.eventTitleEn} error={errors.titleEn}>
            {(aria) => <input {...aria} name="titleEn" lang="en" />}
          </Field>
          <Field id="event-kind" label={t.eventKind} error={errors.kind}>
            {(aria) => (
              <select {...aria} name="kind">
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t.eventKinds[k]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="event-date" label={t.date}>
            {(aria) => <input {...aria} name="date" type="date" required defaultValue={todayInStockholm()} />}
          </Field>
          <Field id="event-from" label={t.from} error={errors.from}>
            {(aria) => <input {...aria} name="from" type="time" step={900} required />}
          </Field>
          <Field id="event-to" label={t.to} error={errors.to}>
            {(aria) => <input {...aria} name="to" type="time" step={900} required />}
          </Field>
          <Field id="event-capacity" label={t.capacity} error={errors.capacity}>
            {(aria) => <input {...aria} name="capacity" type="number" min={1} required />}
          </Field>
          <Field id="event-room" label={t.room} error={errors.resourceId}>
            {(aria) => (
              <select {...aria} name="resourceId">
                <option value="">{t.noRoom}</option>
                {rooms.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <div class="checks">
            <label>
              <input name="openToNetwork" type="checkbox" /> {t.openToNetwork}
            </label>
            <label>
              <input name="publish" type="checkbox" defaultChecked /> {t.publish}
            </label>
          </div>
          <button type="submit">{t.createEvent}</button>
        </form>
      </section>
    </>
  );
}

/** An event's registrations in order, the waitlist with its places; register a member found by search, cancel one. */
function Registrations(props: { event: HubEvent; title: string; onChange: () => void }) {
  const { t } = useI18n();
  const { api, hub, say, fail } = useSession();
  const { event } = props;
  const [list, setList] = useState<Registration[] | undefined>();
  const [names, setNames] = useState<Record<string, string>>({});
  const [found, setFound] = useState<Member[] | undefined>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    api('listRegistrations', { params: { hubId: hub.id, eventId: event.id } })
      .then(async ({ json }) => {
        const active = json.registrations.filter((r) => r.status !== 'cancelled');
        // Members' registrations carry the member id: their names from the member items.
        const ids = [...new Set(active.flatMap((r) => (r.memberId && !r.name ? [r.memberId] : [])))];
        const pairs = await Promise.all(ids.map((id) => api('getMember', { params: { hubId: hub.id, memberId: id } }).then(({ json: m }) => [id, m.name] as const, () => [id, ''] as const)));
        if (!live) return;
        setNames(Object.fromEntries(pairs));
        setList(active);
      })
      .catch((e) => {
        setList([]);
        fail(e);
      });
    return () => {
      live = false;
    };
  }, [event.id, tick]);

  const onSearch = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    try {
      setFound((await api('searchMembers', { params: { hubId: hub.id }, query: { q: formValues(e.currentTarget as HTMLFormElement).q ?? '' } })).json.members);
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fields());
      fail(err);
    }
  };
  const register = async (m: Member) => {
    try {
      const { json } = await api('registerForEvent', { params: { hubId: hub.id, eventId: event.id }, body: { memberId: m.id } });
      say(json.status === 'waitlisted' ? t.registeredWaitlisted(m.name) : t.registeredConfirmed(m.name));
      setFound(undefined);
      setTick((n) => n + 1);
      props.onChange();
    } catch (err) {
      fail(err);
    }
  };
  const cancel = async (r: Registration, name: string) => {
    try {
      await api('cancelRegistration', { params: { hubId: hub.id, eventId: event.id, registrationId: r.id } });
      say(t.registrationCancelled(name));
      setTick((n) => n + 1);
      props.onChange();
    } catch (err) {
      fail(err);
    }
  };

  const confirmed = list?.filter((r) => r.status === 'confirmed') ?? [];
  const waitlist = list?.filter((r) => r.status === 'waitlisted') ?? [];
  const nameOf = (r: Registration) => r.name ?? (r.memberId ? names[r.memberId] : undefined) ?? t.unknownName;
  const row = (r: Registration, label: string) => (
    <li key={r.id}>
      <span>
        {nameOf(r)} <span class="hint">{label}</span>
      </span>
      <button type="button" class="secondary" data-cancel onClick={() => cancel(r, nameOf(r))} aria-label={t.cancelRegistrationOf(nameOf(r))}>
        {t.cancelRegistration}
      </button>
    </li>
  );

  return (
    <section aria-labelledby="registrations-heading" id="registrations">
      <h2 id="registrations-heading">{t.registrationsOf(props.title)}</h2>
      {list === undefined ? <p class="hint">{t.loading}</p> : null}
      <h3>{t.confirmedHeading(confirmed.length, event.capacity)}</h3>
      {list && confirmed.length === 0 ? <p class="hint empty">{t.noRegistrations}</p> : null}
      <ul id="registration-list" class="list">
        {confirmed.map((r) => row(r, r.attendedAt ? t.attendedMark : ''))}
      </ul>
      <h3>{t.waitlistHeading(waitlist.length)}</h3>
      <ol id="waitlist" class="list">
        {waitlist.map((r, i) => row(r, t.waitlistPlace(i + 1)))}
      </ol>
      <form id="register-search-form" onSubmit={onSearch} noValidate>
        <Field id="register-q" label={t.registerMemberLabel} error={errors.q}>
          {(aria) => <input {...aria} name="q" type="search" minLength={2} required autocomplete="off" />}
        </Field>
        <button type="submit">{t.search}</button>
      </form>
      {found && found.length === 0 ? <p class="hint empty">{t.noneFound}</p> : null}
      <ul id="register-results" class="list">
        {found?.map((m) => (
          <li key={m.id}>
            <span>
              {m.name} <span class="hint">{m.email}</span>
            </span>
            <button type="button" data-register onClick={() => register(m)} aria-label={t.registerWho(m.name)}>
              {t.registerButton}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
