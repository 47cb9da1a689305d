// Rapport: the hub's own numbers per week or month (GET /api/national/reports?hub=…: staff see their
// own hub, national administrators any), as a table, and the same as CSV for Excel.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Output } from '../api.ts';
import { todayInStockholm, useI18n } from '../i18n/index.ts';
import { useSession } from '../session.ts';
import { Field, formValues } from '../ui.tsx';

type Report = Output<'nationalReport'>;
type Measures = Report['network']['total'];

const PERIODS = ['week', 'month', 'quarter'] as const;
const daysBefore = (date: string, days: number) => new Date(Date.parse(`${date}T12:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

export function ReportPage() {
  const { t } = useI18n();
  const { api, hub, say, fail } = useSession();
  const today = todayInStockholm();
  const [query, setQuery] = useState({ from: daysBefore(today, 89), to: today, period: 'month' as (typeof PERIODS)[number] });
  const [report, setReport] = useState<Report | undefined>();
  const [errors, setErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    setReport(undefined);
    setErrors({});
    api('nationalReport', { params: {}, query: { ...query, hub: hub.id } })
      .then(({ json }) => setReport(json))
      .catch((e) => {
        if (e instanceof ApiError) setErrors(e.fields());
        fail(e);
      });
  }, [hub.id, query]);

  const onSubmit = (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    setQuery({ from: v.from ?? '', to: v.to ?? '', period: (v.period ?? 'month') as (typeof PERIODS)[number] });
  };

  const csv = async () => {
    try {
      const res = await fetch(`/api/national/reports?${new URLSearchParams({ ...query, hub: hub.id, format: 'csv' })}`, { headers: { authorization: `Bearer ${await api.token()}` } });
      if (!res.ok) throw new Error(`${res.status}`);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `samverkan-${hub.id}-${query.from}-${query.to}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      say(t.reportDownloaded);
    } catch (e) {
      fail(e);
    }
  };

  const row = report?.hubs.find((h) => h.hubId === hub.id);
  const cells = (m: Measures) => [m.checkIns, m.uniqueVisitors, m.organisations, m.businessCheckIns, m.bookings.made, m.bookings.noShows, m.events.held, m.events.attended];

  return (
    <>
      <h1 tabIndex={-1}>{t.pages.report}</h1>
      <section aria-labelledby="report-query-heading">
        <h2 id="report-query-heading">{t.reportPeriod}</h2>
        <form id="report-form" onSubmit={onSubmit} noValidate>
          <Field id="report-from" label={t.from} error={errors.from}>
            {(aria) => <input {...aria} name="from" type="date" value={query.from} required />}
          </Field>
          <Field id="report-to" label={t.to} error={errors.to}>
            {(aria) => <input {...aria} name="to" type="date" value={query.to} required />}
          </Field>
          <Field id="report-period" label={t.per} error={errors.period}>
            {(aria) => (
              <select {...aria} name="period" value={query.period}>
                {PERIODS.map((p) => (
                  <option key={p} value={p}>
                    {t.periods[p]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit">{t.showReport}</button>
          <button type="button" class="secondary" onClick={csv}>
            {t.downloadCsv}
          </button>
        </form>
        <p class="hint">{t.reportHint}</p>
      </section>
      <section aria-labelledby="report-heading">
        <h2 id="report-heading">{t.reportFor(hub.name)}</h2>
        {report === undefined ? (
          <p class="hint">{t.loading}</p>
        ) : !row ? (
          <p class="hint empty">{t.noReport}</p>
        ) : (
          <>
            {/* biome-ignore lint/a11y/noNoninteractiveTabindex lint/a11y/useSemanticElements: a scrolling region must be reachable by keyboard (WCAG 2.1.1); a section here would take the cards' styles */}
          <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="report-caption">
            <table id="report-table">
              <caption id="report-caption">{t.reportCaption(report.from, report.to)}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.periodColumn}</th>
                  {t.reportColumns.map((c) => (
                    <th key={c} scope="col">
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {row.periods.map((p) => (
                  <tr key={p.period}>
                    <th scope="row">{p.period}</th>
                    {cells(p.measures).map((c, i) => (
                      <td key={t.reportColumns[i]}>{String(c)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">{t.total}</th>
                  {cells(row.total).map((c, i) => (
                    <td key={t.reportColumns[i]}>{String(c)}</td>
                  ))}
                </tr>
              </tfoot>
            </table>
          </div>
          </>
        )}
      </section>
    </>
  );
}
