// Evenemang: create an event (in a room or not, published or a draft), the coming events with the seats
// left, and attendance at the door by member code (a member not registered counts as a walk-in).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Input, type Output } from '../api.ts';
import { todayInStockholm, useI18n } from '../i18n/index.ts';
import { useSession } from '../session.ts';
import { Field, formValues } from '../ui.tsx';

type HubEvent = Output<'listHubEvents'>['events'][number];
type Resource = Output<'getHub'>['resources'][number];
type EventBody = Input<'createHubEvent'>['body'];

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
            </li>
          ))}
        </ul>
      </section>

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
