// Kiosk mode's one page: members check themselves in and out by member code (typed) or the QR code of
// their member card (camera). Large touch targets; nothing about anyone is shown but the first name of
// the person who just checked in or out, for a few seconds, before the page resets. No navigation:
// leaving goes through a staff sign-in (web/src/kiosk.ts).
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Api, ApiError } from '../api.ts';
import { useI18n } from '../i18n/index.ts';
import { scanWithCamera } from '../qr.ts';
import type { Hub } from '../session.ts';

/** How long a greeting or an error stays before the kiosk is ready for the next person. */
export const KIOSK_RESET_MS = 5000;

export function KioskPage(props: { api: Api; hub: Hub; onLeave: () => void }) {
  const { t } = useI18n();
  const { api, hub } = props;
  const [status, setStatus] = useState<{ text: string; kind: 'ok' | 'error' } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [camera, setCamera] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const scanner = useRef<{ stop: () => void } | undefined>(undefined);

  useEffect(() => {
    input.current?.focus();
    return () => scanner.current?.stop();
  }, []);

  // A greeting or an error, then back to an empty kiosk.
  useEffect(() => {
    if (!status) return;
    const id = setTimeout(() => {
      setStatus(undefined);
      setError(undefined);
      if (input.current) input.current.value = '';
      input.current?.focus();
    }, KIOSK_RESET_MS);
    return () => clearTimeout(id);
  }, [status]);

  const send = async (action: 'in' | 'out') => {
    const memberCode = input.current?.value.trim() ?? '';
    setBusy(true);
    setError(undefined);
    try {
      const { json } = await api('kioskCheck', { params: { hubId: hub.id }, body: { memberCode, action } });
      if (input.current) input.current.value = '';
      setStatus({ text: json.action === 'out' ? t.kioskBye(json.firstName) : json.already ? t.kioskWelcomeBack(json.firstName) : t.kioskWelcome(json.firstName), kind: 'ok' });
    } catch (e) {
      // The kiosk's own words: what went wrong for the member, nothing from the API's message.
      const text = e instanceof ApiError ? (e.status === 404 ? t.kioskUnknown : e.status === 409 ? t.kioskNotIn : e.status === 400 ? t.kioskBadCode : t.kioskFailed) : t.kioskFailed;
      setError(text);
      setStatus({ text, kind: 'error' });
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (e: SubmitEvent) => {
    e.preventDefault();
    const submitter = e.submitter as HTMLButtonElement | null;
    void send(submitter?.value === 'out' ? 'out' : 'in');
  };

  const toggleCamera = async () => {
    if (scanner.current) {
      scanner.current.stop();
      scanner.current = undefined;
      setCamera(false);
      return;
    }
    if (!video.current) return;
    setCamera(true);
    try {
      scanner.current = await scanWithCamera(video.current, (text) => {
        scanner.current = undefined;
        setCamera(false);
        if (input.current) input.current.value = text;
        setError(undefined);
        setStatus({ text: t.kioskScanned, kind: 'ok' });
      });
    } catch {
      setCamera(false);
      setStatus({ text: t.kioskCameraFailed, kind: 'error' });
    }
  };

  return (
    <main id="main" class="kiosk">
      <h1 tabIndex={-1}>{t.kioskTitle(hub.name)}</h1>
      <p class="kiosk-intro">{t.kioskIntro}</p>
      <form id="kiosk-form" onSubmit={onSubmit} noValidate>
        <div class={error ? 'field invalid' : 'field'}>
          <label for="kiosk-code">{t.kioskCode}</label>
          <input
            id="kiosk-code"
            ref={input}
            name="memberCode"
            autocomplete="off"
            autocapitalize="characters"
            spellcheck={false}
            aria-invalid={Boolean(error)}
            {...(error ? { 'aria-describedby': 'kiosk-code-error' } : {})}
          />
          {error ? (
            <span class="field-error" id="kiosk-code-error" data-field-error>
              {error}
            </span>
          ) : null}
        </div>
        <div class="kiosk-actions">
          <button id="kiosk-in" type="submit" name="action" value="in" disabled={busy}>
            {t.kioskIn}
          </button>
          <button id="kiosk-out" type="submit" name="action" value="out" class="secondary" disabled={busy}>
            {t.kioskOut}
          </button>
        </div>
      </form>
      <p id="kiosk-status" role="status" class={status ? `kiosk-status ${status.kind}` : 'kiosk-status'}>
        {status?.text ?? ''}
      </p>
      <div class="kiosk-camera">
        <button id="kiosk-camera" type="button" class="secondary" onClick={toggleCamera} aria-pressed={camera}>
          {camera ? t.kioskCameraStop : t.kioskCamera}
        </button>
        <video ref={video} id="kiosk-video" muted playsInline aria-label={t.kioskCameraLabel} hidden={!camera} />
      </div>
      <footer class="kiosk-footer">
        <button id="kiosk-leave" type="button" class="secondary" onClick={props.onLeave}>
          {t.kioskLeave}
        </button>
      </footer>
    </main>
  );
}
