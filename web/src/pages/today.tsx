// Idag: who is in now, today's bookings per resource, today's events and the no-shows.
import { useEffect, useState } from 'preact/hooks';
import type { Output } from '../api.ts';
import { todayInStockholm, useI18n } from '../i18n/index.ts';
import { useSession } from '../session.ts';
import { ListState } from '../ui.tsx';
import { PresenceList } from './presence.tsx';

type Booking = Output<'listBookings'>['bookings'][number];
type HubEvent = Output<'listHubEvents'>['events'][number];

export function TodayPage() {
  const { t, f } = useI18n();
  const { api, hub, fail, isStaff } = useSession();
  const [detail, setDetail] = useState<Output<'getHub'> | undefined>();
  const [bookings, setBookings] = useState<Booking[] | undefined>();
  const [events, setEvents] = useState<HubEvent[] | undefined>();
  const [resources, setResources] = useState<Record<string, string>>({});
  const date = todayInStockholm();

  useEffect(() => {
    setBookings(undefined);
    setEvents(undefined);
    api('getHub', { params: { hubId: hub.id } })
      .then(({ json }) => {
        setDetail(json);
        setResources(Object.fromEntries(json.resources.map((r) => [r.id, r.name])));
      })
      .catch(fail);
    // The day's desk work is the hub staff's (the API refuses it to anyone else).
    if (!isStaff) return;
    api('listBookings', { params: { hubId: hub.id }, query: { date } })
      .then(({ json }) => setBookings(json.bookings))
      .catch((e) => {
        setBookings([]);
        fail(e);
      });
    api('listHubEvents', { params: { hubId: hub.id }, query: { from: date, to: date } })
      .then(({ json }) => setEvents(json.events))
      .catch((e) => {
        setEvents([]);
        fail(e);
      });
  }, [hub.id, isStaff]);

  const active = bookings?.filter((b) => b.status !== 'released');
  const byResource = new Map<string, Booking[]>();
  for (const b of active ?? []) byResource.set(b.resourceId, [...(byResource.get(b.resourceId) ?? []), b]);
  const noShows = bookings?.filter((b) => b.status === 'released');
  const span = (b: { start: string; end: string }) => `${f.time(b.start)}–${f.time(b.end)}`;

  return (
    <>
      <h1 tabIndex={-1}>{t.todayHeading(f.day(new Date()))}</h1>
      <section id="hub-info" aria-labelledby="hub-heading">
        <h2 id="hub-heading">{hub.name}</h2>
        <p class="hint">
          {hub.city} · {t.phase[hub.phase] ?? hub.phase} · {t.venue}: {detail?.hostVenue.name ?? hub.hostVenue.name}
        </p>
      </section>
      {isStaff ? staffDay() : null}
    </>
  );

  function staffDay() {
    return (
      <>
      <section aria-labelledby="presence-heading">
        <h2 id="presence-heading">{t.presence}</h2>
        <PresenceList checkOut={false} />
      </section>
      <section aria-labelledby="bookings-heading" id="today-bookings">
        <h2 id="bookings-heading">{t.todaysBookings}</h2>
        {active === undefined ? (
          <p class="hint">{t.loading}</p>
        ) : active.length === 0 ? (
          <p class="hint empty">{t.noBookings}</p>
        ) : (
          [...byResource].map(([resourceId, list]) => (
            <div key={resourceId} class="resource">
              <h3>{resources[resourceId] ?? resourceId}</h3>
              <ul class="list">
                {list.map((b) => (
                  <li key={b.id}>
                    <span>{span(b)}</span> <span class="hint">{t.bookingStatus[b.status] ?? b.status}</span>
                    {b.checkedInAt ? <span class="hint"> · {t.checkedInAt(f.time(b.checkedInAt))}</span> : null}
                  </li>
                ))}
              </ul>
            </div>
          ))
        )}
      </section>
      <section aria-labelledby="events-heading" id="today-events">
        <h2 id="events-heading">{t.todaysEvents}</h2>
        <ListState
          items={events}
          empty={t.noEvents}
          render={(e) => (
            <li key={e.id}>
              <strong>{e.title}</strong> <span>{span(e)}</span> <span class="hint">{t.eventStatus[e.status] ?? e.status} · {t.seats(e.confirmed, e.capacity)}</span>
            </li>
          )}
        />
      </section>
      <section aria-labelledby="noshows-heading" id="today-no-shows">
        <h2 id="noshows-heading">{t.noShows}</h2>
        <ListState
          items={noShows}
          empty={t.noNoShows}
          render={(b) => (
            <li key={b.id}>
              {resources[b.resourceId] ?? b.resourceId} <span>{span(b)}</span>
            </li>
          )}
        />
      </section>
      </>
    );
  }
}
