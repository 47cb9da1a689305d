// Bokningar: a day's grid per resource (its slots from the availability route), book a free slot for a
// member found by search with one click (or weekly until a date: a series), cancel a booking. Pooled
// desks show how many are left.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Output } from '../api.ts';
import { todayInStockholm, useI18n } from '../i18n/index.ts';
import { useSession } from '../session.ts';
import { Field, formValues } from '../ui.tsx';

type Availability = Output<'availability'>;
type Booking = Output<'listBookings'>['bookings'][number];
type Member = Output<'searchMembers'>['members'][number];

export function BookingsPage() {
  const { t, f } = useI18n();
  const { api, hub, say, fail } = useSession();
  const [date, setDate] = useState(todayInStockholm());
  const [day, setDay] = useState<Availability | undefined>();
  const [bookings, setBookings] = useState<Booking[] | undefined>();
  const [found, setFound] = useState<Member[] | undefined>();
  const [member, setMember] = useState<Member | undefined>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [tick, setTick] = useState(0);
  /** How long a room is booked for, in minutes (desks are booked by their half-day units). */
  const [minutes, setMinutes] = useState(60);
  /** Weekly until this date (a booking series), or a single booking when empty. */
  const [until, setUntil] = useState('');

  useEffect(() => {
    setDay(undefined);
    setBookings(undefined);
    setErrors({});
    Promise.all([api('availability', { params: { hubId: hub.id }, query: { date } }), api('listBookings', { params: { hubId: hub.id }, query: { date } })])
      .then(([a, b]) => {
        setDay(a.json);
        setBookings(b.json.bookings);
      })
      .catch((e) => {
        if (e instanceof ApiError) setErrors(e.fields());
        setBookings([]);
        fail(e);
      });
  }, [hub.id, date, tick]);

  const search = async (q: string) => {
    try {
      const members = (await api('searchMembers', { params: { hubId: hub.id }, query: { q } })).json.members;
      setFound(members);
      setMember(members[0]);
    } catch (e) {
      if (e instanceof ApiError) setErrors(e.fields());
      fail(e);
    }
  };

  const book = async (resourceId: string, slot: { start: string; end: string }) => {
    if (!member) return;
    if (until) {
      setErrors({});
      try {
        const { json } = await api('createSeries', { params: { hubId: hub.id }, body: { resourceId, memberId: member.id, start: slot.start, end: slot.end, until } });
        say(t.seriesBooked(f.time(slot.start), f.time(slot.end), member.name, json.bookings.length, json.conflicts.length));
        setTick((n) => n + 1);
      } catch (e) {
        if (e instanceof ApiError) setErrors(e.fields());
        fail(e);
      }
      return;
    }
    try {
      const { json } = await api('createBooking', { params: { hubId: hub.id }, body: { resourceId, memberId: member.id, start: slot.start, end: slot.end } });
      say(t.booked(f.time(json.start), f.time(json.end), member.name));
      setTick((n) => n + 1);
    } catch (e) {
      fail(e);
    }
  };

  const cancel = async (b: Booking) => {
    try {
      await api('cancelBooking', { params: { hubId: hub.id, bookingId: b.id } });
      say(t.bookingCancelled);
      setTick((n) => n + 1);
    } catch (e) {
      fail(e);
    }
  };

  /**
   * The bookable spans of a resource: a room's slots joined into spans of the chosen length (free when
   * every slot in it is), a desk's units as they are.
   */
  const spans = (r: Availability['resources'][number]) => {
    if (r.type !== 'room' && r.type !== 'event-space') return r.slots;
    const slotMinutes = r.slots[0] ? (Date.parse(r.slots[0].end) - Date.parse(r.slots[0].start)) / 60_000 : minutes;
    const k = Math.max(1, Math.round(minutes / slotMinutes));
    const out: { start: string; end: string; available: number }[] = [];
    for (let i = 0; i + k <= r.slots.length; i += k) {
      const part = r.slots.slice(i, i + k);
      const last = part[part.length - 1];
      if (!part[0] || !last) continue;
      out.push({ start: part[0].start, end: last.end, available: Math.min(...part.map((p) => p.available)) });
    }
    return out;
  };

  const names = Object.fromEntries((day?.resources ?? []).map((r) => [r.id, r.name]));
  const active = bookings?.filter((b) => b.status === 'confirmed');

  return (
    <>
      <h1 tabIndex={-1}>{t.pages.bookings}</h1>
      <section aria-labelledby="booking-for-heading">
        <h2 id="booking-for-heading">{t.bookFor}</h2>
        <form
          id="booking-search-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void search(formValues(e.currentTarget).q ?? '');
          }}
        >
          <Field id="booking-search-q" label={t.searchLabel} error={errors.q}>
            {(aria) => <input {...aria} name="q" type="search" required minLength={2} autocomplete="off" />}
          </Field>
          <button type="submit">{t.search}</button>
        </form>
        {found && found.length === 0 ? <p class="hint empty">{t.noneFound}</p> : null}
        {found && found.length > 0 ? (
          <Field id="booking-member" label={t.bookingMember}>
            {(aria) => (
              <select {...aria} value={member?.id ?? ''} onChange={(e) => setMember(found.find((m) => m.id === e.currentTarget.value))}>
                {found.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name} ({m.email})
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : null}
        <Field id="booking-length" label={t.roomLength}>
          {(aria) => (
            <select {...aria} value={String(minutes)} onChange={(e) => setMinutes(Number(e.currentTarget.value))}>
              {[30, 60, 120, 240].map((m) => (
                <option key={m} value={String(m)}>
                  {t.minutes(m)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="booking-date" label={t.date} error={errors.date}>
          {(aria) => <input {...aria} type="date" value={date} required onChange={(e) => e.currentTarget.value && setDate(e.currentTarget.value)} />}
        </Field>
        <Field id="booking-until" label={t.weeklyUntil} hint={t.weeklyUntilHint} error={errors.until}>
          {(aria) => <input {...aria} type="date" value={until} min={date} onChange={(e) => setUntil(e.currentTarget.value)} />}
        </Field>
      </section>

      <section aria-labelledby="grid-heading" id="booking-grid">
        <h2 id="grid-heading">{t.bookingGrid(date)}</h2>
        <p class="hint">{member ? t.clickToBook(member.name) : t.pickMemberFirst}</p>
        {day === undefined ? (
          <p class="hint">{t.loading}</p>
        ) : day.open === null ? (
          <p class="hint empty">{t.closedDay(day.closedReason ?? '')}</p>
        ) : (
          <div class="grid">
            {day.resources.map((r) => (
              <div key={r.id} class="resource">
                <h3 id={`res-${r.id}`}>{r.name}</h3>
                <ul class="slots">
                  {spans(r).map((s) => {
                    const label = `${f.time(s.start)}–${f.time(s.end)}`;
                    const left = r.type === 'desk-pool' ? t.left(s.available) : s.available > 0 ? t.free : t.taken;
                    return (
                      <li key={s.start}>
                        <button type="button" class={s.available > 0 ? 'slot free' : 'slot taken'} disabled={!member || s.available === 0} data-resource={r.id} data-start={f.time(s.start)} onClick={() => book(r.id, s)} aria-label={`${r.name} ${label}: ${left}`}>
                          {label} <span>{left}</span>
                        </button>
                      </li>
                    );
                  })}
                </ul>
              </div>
            ))}
          </div>
        )}
      </section>

      <section aria-labelledby="day-bookings-heading">
        <h2 id="day-bookings-heading">{t.dayBookings(date)}</h2>
        {active === undefined ? <p class="hint">{t.loading}</p> : active.length === 0 ? <p class="hint empty">{t.noBookingsDay}</p> : null}
        <ul id="booking-list" class="list">
          {active?.map((b) => (
            <li key={b.id}>
              <span>
                {names[b.resourceId] ?? b.resourceId} {f.time(b.start)}–{f.time(b.end)}
              </span>
              <button type="button" class="secondary" onClick={() => cancel(b)} aria-label={t.cancelBooking(names[b.resourceId] ?? b.resourceId, `${f.time(b.start)}–${f.time(b.end)}`)}>
                {t.cancelShort}
              </button>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
