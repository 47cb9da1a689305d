// Tillgänglighetsredogörelse: the accessibility statement, after DIGG's model (readable signed out too).
import { useI18n } from '../i18n/index.ts';

export function AccessibilityPage() {
  const { t } = useI18n();
  return (
    <article class="statement">
      <h1 tabIndex={-1}>{t.a11yTitle}</h1>
      {t.a11y.map((s) => (
        <section key={s.h}>
          <h2>{s.h}</h2>
          {s.p.map((p) => (
            <p key={p}>{p}</p>
          ))}
          {s.list ? (
            <ul>
              {s.list.map((li) => (
                <li key={li}>{li}</li>
              ))}
            </ul>
          ) : null}
        </section>
      ))}
    </article>
  );
}
