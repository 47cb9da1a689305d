// Who is in the hub now: on Idag, and on Incheckning with a check-out button per person.
import { useEffect, useState } from 'preact/hooks';
import type { Output } from '../api.ts';
import { useI18n } from '../i18n/index.ts';
import { useSession } from '../session.ts';

type Presence = Output<'presence'>;

export function PresenceList(props: { checkOut: boolean; reload?: number }) {
  const { t, f } = useI18n();
  const { api, hub, say, fail } = useSession();
  const [presence, setPresence] = useState<Presence | undefined>();
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    api('presence', { params: { hubId: hub.id } })
      .then(({ json }) => live && setPresence(json))
      .catch(fail);
    return () => {
      live = false;
    };
  }, [hub.id, tick, props.reload]);

  const checkOut = async (visitId: string) => {
    try {
      const { json } = await api('checkOut', { params: { hubId: hub.id, visitId } });
      say(t.checkedOut(json.durationMinutes ?? 0));
      setTick((n) => n + 1);
    } catch (e) {
      fail(e);
    }
  };

  return (
    <div class="presence">
      <p class="toolbar">
        <span id="presence-summary" class="hint" aria-live="polite">
          {presence ? t.presentSummary(presence.count, presence.organisations) : t.loading}
        </span>{' '}
        <button type="button" id="presence-refresh" class="secondary" onClick={() => setTick((n) => n + 1)}>
          {t.refresh}
        </button>
      </p>
      {presence && presence.present.length === 0 ? <p class="hint empty">{t.nobodyIn}</p> : null}
      <ul id="presence" class="list">
        {presence?.present.map((p) => (
          <li key={p.visitId}>
            <span>
              {p.name} · {p.organisationName} <span class="hint">{t.since(f.time(p.since))}</span>
            </span>
            {props.checkOut ? (
              <button type="button" onClick={() => checkOut(p.visitId)} aria-label={t.checkOutWho(p.name)}>
                {t.checkOut}
              </button>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
